"""Who may file a suggestion and when one is held: the rules the suggestion form and the API share.

The rate limit and blocks live in `limits`, the text checks in the forms and `cardfile`; these are the
site's own policies on top of them, read from settings in one place.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from . import permissions
from .workflow import text_at_version


def must_sign_in(user) -> bool:
    """The site asks for an account before anyone suggests (REQUIRE_ACCOUNT_TO_SUGGEST)."""
    return settings.MODELCARDS_REQUIRE_ACCOUNT_TO_SUGGEST and not user.is_authenticated


def must_verify(user) -> bool:
    """Where the site asks for an account, an account whose email is unverified does not count yet."""
    return (
        settings.MODELCARDS_REQUIRE_ACCOUNT_TO_SUGGEST
        and user.is_authenticated
        and not permissions.is_registered(user)
    )


# The refusal a signed-in but unverified person reads where only accounts may suggest.
VERIFY_FIRST = (
    "This site takes suggestions only from accounts with a verified email address: follow the link "
    "we mailed you (your profile page can send it again)."
)


def count_links(text: str) -> int:
    return text.count("http://") + text.count("https://")


def link_hold_applies(user) -> bool:
    """Whose link-heavy suggestions are held: anonymous visitors, accounts whose email is unverified,
    and accounts younger than LINK_HOLD_ACCOUNT_DAYS (bulk-made accounts are new by nature)."""
    if permissions.can_review(user):
        return False
    if not permissions.is_registered(user):
        return True
    return user.date_joined > timezone.now() - timedelta(days=settings.LINK_HOLD_ACCOUNT_DAYS)


def holds_for_links(text: str, *, card, base_version: int, author) -> bool:
    """A suggestion by someone the link hold applies to (`link_hold_applies`), adding more links than
    HOLD_LINKS_OVER to the text it was based on (none for a new card), waits for a moderator's look
    before anyone else sees it: the shape of link spam."""
    if not link_hold_applies(author):
        return False
    before = text_at_version(card, base_version) if card else ""
    return count_links(text) - count_links(before) > settings.MODELCARDS_HOLD_LINKS_OVER
