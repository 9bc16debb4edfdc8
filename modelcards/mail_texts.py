"""What each mail says: its subject and body, written from the rows its event left.

Read when a mail is sent (by modelcards/outbox.py), not when it is queued, so a mail that waits for a
retry is still written from what the card holds.
"""

import difflib

from django.conf import settings

from .models import CardVersion, Suggestion

MAX_DIFF_LINES = 200
PREFIX = "[Model Card Commons]"


def _site() -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def render(event: str) -> tuple[str, str]:
    """The subject and body of the mail about `event`, read from the rows the event left.

    Raises the model's DoesNotExist if what the event reports has been deleted since.
    """
    kind, _, rest = event.partition(":")
    if kind == "new_version":
        return _new_version_text(
            CardVersion.objects.select_related("card", "author", "moderator").get(pk=rest)
        )
    if kind == "suggestion_filed":
        return _suggestion_filed_text(Suggestion.objects.select_related("card", "author").get(pk=rest))
    if kind == "suggestion_decided":
        pk, _, outcome = rest.partition(":")
        suggestion = Suggestion.objects.select_related("card", "moderator", "version").get(pk=pk)
        return _suggestion_decided_text(suggestion, Suggestion.Status(outcome))
    raise ValueError(f"No mail is written for the event {event!r}.")


def _unified_diff(version: CardVersion) -> str:
    if version.number == 1:
        return "(first version)"
    before = CardVersion.objects.get(card_id=version.card_id, number=version.number - 1).stored_fields()[
        "text"
    ]
    after = (
        version.card.text
        if version.card.version_number == version.number
        else version.stored_fields()["text"]
    )
    lines = list(
        difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            f"version {version.number - 1}",
            f"version {version.number}",
            lineterm="",
        )
    )
    if len(lines) > MAX_DIFF_LINES:
        lines = lines[:MAX_DIFF_LINES] + [f"... ({len(lines) - MAX_DIFF_LINES} more lines)"]
    return "\n".join(lines)


def _new_version_text(version: CardVersion) -> tuple[str, str]:
    card = version.card
    approved = f", approved by {version.moderator.get_username()}" if version.moderator_id else ""
    body = (
        f"{card.title} has a new version ({version.number}) by {version.author_display}{approved}.\n\n"
        f"Summary: {version.summary}\n\n"
        f"Card: {_site()}{card.get_absolute_url()}\n\n"
        f"{_unified_diff(version)}\n\n"
        f"You get this because you watch the card. Unwatch it on the card's page.\n"
    )
    return f"{PREFIX} {card.title}: version {version.number}", body


def _suggestion_filed_text(suggestion: Suggestion) -> tuple[str, str]:
    card = suggestion.card
    body = (
        f"{suggestion.author_display} suggested a change to {card.title}:\n\n"
        f"{suggestion.summary}\n\n"
        f"Review it: {_site()}{suggestion.get_absolute_url()}\n\n"
        f"You get this because you watch the card.\n"
    )
    return f"{PREFIX} New suggestion on {card.title}", body


def _suggestion_decided_text(suggestion: Suggestion, outcome: Suggestion.Status) -> tuple[str, str]:
    said = outcome.label.lower()
    lines = [
        f"Your suggestion on {suggestion.target_slug} (“{suggestion.summary}”) was {said} "
        f"by {suggestion.moderator.get_username()}.",
    ]
    if suggestion.note:
        lines.append(f"\nThe moderator's note:\n{suggestion.note}")
    if suggestion.version_id:
        lines.append(f"\nIt is now version {suggestion.version.number} of the card.")
    lines.append(f"\nYour suggestion: {_site()}{suggestion.get_absolute_url()}\n")
    return f"{PREFIX} Your suggestion was {said}", "\n".join(lines)
