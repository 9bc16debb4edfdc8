"""Values every page's header needs."""

from functools import cache

from django.templatetags.static import static
from django.urls import get_script_prefix, reverse

from . import permissions
from .models import Suggestion
from .notifications import inbox

# The header's links, by the name templates use: the same on every page, so reversed once per process.
SITE_LINKS = {
    "home": "modelcards:home",
    "cards": "modelcards:card_list",
    "changes": "modelcards:changes",
    "changes_feed": "modelcards:changes_feed",
    "wanted": "modelcards:wanted",
    "suggestions": "modelcards:suggestion_list",
    "inbox": "modelcards:inbox",
    "watchlist": "modelcards:watchlist",
    "dumps": "modelcards:dumps",
    "login": "accounts:login",
    "logout": "accounts:logout",
    "signup": "accounts:signup",
}
SITE_ASSETS = {"css": "css/site.css", "favicon": "favicon.svg", "drafts_js": "js/drafts.js"}


def review_queue(request):
    """Moderators see how many suggestions wait for review; nobody else pays for the query."""
    if not permissions.can_review(getattr(request, "user", None)):
        return {}
    return {"pending_review_count": Suggestion.objects.pending().count(), "is_reviewer": True}


def inbox_count(request):
    """`inbox_unread_count`, read (from the per-person cache) only if the page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def label() -> str:
        return inbox.unread_label(user)

    return {"inbox_unread_count": label}


def site_links(request):
    """`site_links.<name>`: reversing a dozen URLs on every page cost more than the rest of a cached page.

    Not `site`: Django's login and password views put the current Site under that name.
    """
    return {"site_links": _site_links(get_script_prefix())}


@cache
def _site_links(script_prefix: str) -> dict[str, str]:
    # Keyed by the script prefix that reverse() and static() build on, in case one process serves several.
    links = {key: reverse(name) for key, name in SITE_LINKS.items()}
    links.update({key: static(path) for key, path in SITE_ASSETS.items()})
    return links
