"""Renaming a card: a moderator gives it a new slug, and every URL under an old slug answers 301.

The card row keeps its primary key, so versions, suggestions, watches and talk threads follow it; its
README.md is untouched. The rename is recorded as an Activity of kind "renamed" (recent changes and
the card's history list it), the card's watchers get an inbox entry, and a `SlugRedirect` row keeps
each old slug answering.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from config import generations

from .. import permissions
from ..models import Activity, ModelCard, Notification, SlugRedirect, Watch, validate_card_slug
from ..notifications import inbox
from ..openness import family
from ..pagecache import CATALOGUE, SITE, card_scope
from ..workflow import WorkflowError

MAX_REASON_CHARS = 300
# The methods a 301 is meant for; anything else gets a 308, which keeps the method and the body.
_READ_METHODS = frozenset({"GET", "HEAD"})


class RenameRefused(WorkflowError):
    """The new slug is not valid, or is (or was) another card's: the message says which."""


def rename_card(card: ModelCard, *, new_slug: str, moderator, reason: str) -> ModelCard:
    """Give `card` the slug `new_slug`; its old slug, and every earlier one, redirect to the new one.

    Only moderators rename. The new slug obeys the rules of every slug and is neither another card's
    slug nor one another card was once known by. Renaming a card back to one of its own old slugs is
    allowed (that slug stops redirecting). A reason is required and shows in the history.
    """
    if not permissions.can_review(moderator):
        raise PermissionDenied("Only moderators can rename a card.")
    new_slug = new_slug.strip()
    reason = " ".join(reason.split())
    if not reason:
        raise RenameRefused("Give a reason for the rename; it shows in the card's history.")
    if len(reason) > MAX_REASON_CHARS:
        raise RenameRefused(f"Keep the reason under {MAX_REASON_CHARS} characters.")
    try:
        validate_card_slug(new_slug)
    except ValidationError as exc:
        raise RenameRefused(" ".join(exc.messages)) from exc
    try:
        with transaction.atomic():
            locked = ModelCard.objects.select_for_update().only("pk", "slug", "title").get(pk=card.pk)
            old_slug = locked.slug
            if new_slug == old_slug:
                raise RenameRefused(f"The card is already called “{new_slug}”.")
            if ModelCard.objects.filter(slug=new_slug).exists():
                raise RenameRefused(f"“{new_slug}” is already the slug of another card.")
            if SlugRedirect.objects.filter(old_slug=new_slug).exclude(card=locked).exists():
                raise RenameRefused(
                    f"“{new_slug}” was the slug of another card and still leads there; choose another."
                )
            SlugRedirect.objects.filter(old_slug=new_slug, card=locked).delete()
            SlugRedirect.objects.create(old_slug=old_slug, card=locked)
            locked.slug = new_slug
            locked.save(update_fields=["slug"])
            _refresh_lineage(locked, old_slug)
            activity = Activity.objects.create(
                kind=Activity.Kind.RENAMED,
                card=locked,
                actor=moderator,
                summary=f"Renamed from “{old_slug}” to “{new_slug}”: {reason}"[:300],
            )
            watchers = Watch.objects.active().filter(card_id=locked.pk, user__is_active=True)
            inbox.record(
                watchers.values_list("user_id", flat=True),
                kind=Notification.Kind.RENAMED,
                event=f"renamed:{activity.pk}",
                actor_id=moderator.pk,
                card=locked,
                subject=(locked.title or old_slug)[:300],
                excerpt=activity.summary,
            )
            # The save's own signal renews the new slug's pages; the old slug's stored pages must go too.
            generations.invalidate_on_commit([card_scope(old_slug), card_scope(new_slug), CATALOGUE, SITE])
    except IntegrityError as exc:  # another rename or a new card took the slug meanwhile
        raise RenameRefused(f"“{new_slug}” was taken a moment ago; choose another.") from exc
    card.slug = new_slug
    return card


def _refresh_lineage(card: ModelCard, old_slug: str) -> None:
    """Base models are named by slug: cards naming the old slug lose this card as their base model and
    cards naming the new one gain it, as if each had been saved again."""
    family.refresh_family(ModelCard.objects.get(pk=card.pk))
    for child in ModelCard.objects.filter(base_model_links__name=old_slug).order_by("pk"):
        family.refresh_family(child)


def redirect_for_renamed(request):
    """A redirect to the same page under the card's current slug, if the path names an old slug.

    Asked only for a 404, so pages of cards that exist cost no query. Query strings are kept.
    """
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    old_slug = match.kwargs.get("slug")
    if not old_slug or len(old_slug) > 100:
        return None
    current = SlugRedirect.objects.filter(old_slug=old_slug).values_list("card__slug", flat=True).first()
    if current is None or current == old_slug:
        return None
    try:
        url = reverse(match.view_name, args=match.args, kwargs={**match.kwargs, "slug": current})
    except NoReverseMatch:
        return None
    if query := request.META.get("QUERY_STRING", ""):
        url = f"{url}?{query}"
    if request.method in _READ_METHODS:
        return HttpResponsePermanentRedirect(url)
    response = HttpResponseRedirect(url)
    response.status_code = 308
    return response


class RenamedCardMiddleware:
    """Turns a 404 under a renamed card's old slug (pages, exports, feeds, the API) into a redirect.

    Outermost but for SecurityMiddleware, so it sees the final answer of the page cache and the API.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or (redirect := redirect_for_renamed(request)) is None:
            return response
        # The API's CORS headers, so that a script on another site can follow the redirect.
        for name, value in response.items():
            if name.lower().startswith("access-control-"):
                redirect[name] = value
        return redirect
