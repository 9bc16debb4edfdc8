"""Who got there first: the one lock order every decision and edit of a suggestion takes, and what
the person who came second is told."""

from django.utils import timezone

from .. import diffing
from ..models import ChangeRequest, ModelCard, Suggestion
from .errors import AlreadyDecided, UnresolvedConflict


def lock_for_decision(suggestion: Suggestion, *, whole_card: bool = False):
    """Lock the card row, then the suggestion row: the one order every decision and revision takes.

    A decision also writes an Activity row pointing at the card, which needs a share lock on the card,
    so a writer that locked the suggestion first would deadlock with one that locked the card first.
    Returns the card (None for a new card's suggestion) and the suggestion as now stored.
    """
    card = None
    if suggestion.card_id:
        cards = ModelCard.objects.select_for_update()
        card = cards.get(pk=suggestion.card_id) if whole_card else cards.only("pk").get(pk=suggestion.card_id)
    return card, Suggestion.objects.select_for_update().get(pk=suggestion.pk)


def _when(moment) -> str:
    local = timezone.localtime(moment)
    return f"at {local:%H:%M} {local.tzname()} on {local.day} {local:%b %Y}"


def describe_decision(suggestion: Suggestion) -> str:
    """Who decided a suggestion, when and how, for whoever tries to decide it after them."""
    if suggestion.status == Suggestion.Status.WITHDRAWN:
        return "This suggestion was already withdrawn by its author."
    who = suggestion.moderator.get_username() if suggestion.moderator_id else "a moderator"
    if not suggestion.moderator_id and suggestion.version_id and suggestion.version.autoreviewed:
        who = "autoreview"
    if suggestion.status == Suggestion.Status.CHANGES_REQUESTED:
        request = ChangeRequest.objects.filter(suggestion=suggestion).order_by("-created_at", "-pk").first()
        when = f" {_when(request.created_at)}" if request else ""
        return (
            f"{who} has already asked the author for changes{when}: “{suggestion.note}”. "
            "It can be accepted once its author has revised it, or rejected now."
        )
    status = suggestion.get_status_display().lower()
    told = f"This suggestion was already {status} by {who}"
    if suggestion.decided_at:
        told += f" {_when(suggestion.decided_at)}"
    if suggestion.version_id:
        told += f" as version {suggestion.version.number}"
    explained = (Suggestion.Status.REJECTED, Suggestion.Status.PARTLY_ACCEPTED)
    if suggestion.status in explained and suggestion.note:
        return f"{told}: {suggestion.note}"
    return told + "."


def ensure_pending(suggestion: Suggestion) -> None:
    """Only a pending suggestion can be accepted or sent back for changes."""
    if not suggestion.is_pending:
        raise AlreadyDecided(describe_decision(suggestion))


def ensure_open(suggestion: Suggestion) -> None:
    """A pending suggestion, or one waiting for its author's changes, can still be rejected or withdrawn."""
    if not suggestion.is_open:
        raise AlreadyDecided(describe_decision(suggestion))


def refuse_upstream_markers(text: str, *, current_text: str) -> None:
    """Accepting an upstream suggestion publishes no conflict marker: they are resolved first."""
    if markers := diffing.upstream_markers(text, current_text=current_text):
        raise UnresolvedConflict(markers)
