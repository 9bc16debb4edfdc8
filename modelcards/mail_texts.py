"""What each mail says: its subject and body, written from the rows its event left.

Read when a mail is sent (by modelcards/outbox.py), not when it is queued, so a mail that waits for a
retry is still written from what the card holds.
"""

import difflib

from django.conf import settings
from django.urls import reverse

from .governance import visibility
from .models import CardVersion, ModelCard, Suggestion
from .unreadable import UnreadableVersion

MAX_DIFF_LINES = 200
PREFIX = "[Model Card Commons]"


def site_url() -> str:
    """The start of every link in a mail: settings.SITE_URL, never the Host of whichever request led
    to the mail (a request may name any allowed host, on any port)."""
    return settings.SITE_URL.rstrip("/")


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
        # pk:status, then the revision it was about (absent from mails queued before revisions existed)
        pk, _, outcome = rest.partition(":")
        outcome, _, revision = outcome.partition(":")
        suggestion = Suggestion.objects.select_related("card", "moderator", "version").get(pk=pk)
        return _suggestion_decided_text(suggestion, Suggestion.Status(outcome), revision)
    if kind == "review_due":  # card pk:when it became due
        return _review_due_text(ModelCard.objects.get(pk=rest.partition(":")[0]))
    if kind.startswith("account_"):
        # Account mail carries links signed where they are checked; accounts imports modelcards, not back.
        from accounts.email_links import render as render_account_mail

        return render_account_mail(kind, rest)
    raise ValueError(f"No mail is written for the event {event!r}.")


def _unified_diff(version: CardVersion) -> str:
    if version.number == 1:
        return "(first version)"
    previous = CardVersion.objects.get(card_id=version.card_id, number=version.number - 1)
    if not (visibility.shows(previous, "text") and visibility.shows(version, "text")):
        # Issue 15 item 4: written when sent, so mail still waiting leaves out what was hidden since.
        return "(The text of this change is hidden.)"
    try:
        before = previous.stored_fields()["text"]
        after = (
            version.card.text
            if version.card.version_number == version.number
            else version.stored_fields()["text"]
        )
    except UnreadableVersion as exc:  # damaged history: the mail still goes, saying so (unreadable.py)
        return f"(Version {exc.number} can no longer be read back from the history, so no diff is shown.)"
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
    author = visibility.author_shown(version)
    body = (
        f"{card.title} has a new version ({version.number}) by {author}{approved}.\n\n"
        f"Summary: {visibility.summary_shown(version)}\n\n"
        f"Card: {site_url()}{card.get_absolute_url()}\n\n"
        f"{_unified_diff(version)}\n\n"
        f"You get this because you watch the card. Unwatch it on the card's page.\n"
    )
    return f"{PREFIX} {card.title}: version {version.number}", body


def _suggestion_filed_text(suggestion: Suggestion) -> tuple[str, str]:
    card = suggestion.card
    withheld = visibility.suggestion_withheld(suggestion)
    body = (
        f"{'(author hidden)' if 'author' in withheld else suggestion.author_display} suggested a change"
        f" to {card.title}:\n\n"
        f"{'(summary hidden)' if 'summary' in withheld else suggestion.summary}\n\n"
        f"Review it: {site_url()}{suggestion.get_absolute_url()}\n\n"
        f"You get this because you watch the card.\n"
    )
    return f"{PREFIX} New suggestion on {card.title}", body


# How a mail names each outcome ("was <words> by <moderator>"); others read as their label.
_DECIDED_WORDS = {
    Suggestion.Status.CHANGES_REQUESTED: "sent back for changes",
    Suggestion.Status.PARTLY_ACCEPTED: "partly accepted",
}


def _suggestion_decided_text(
    suggestion: Suggestion, outcome: Suggestion.Status, revision: str
) -> tuple[str, str]:
    said = _DECIDED_WORDS.get(outcome, outcome.label.lower())
    moderator, note = suggestion.moderator, suggestion.note
    if outcome == Suggestion.Status.CHANGES_REQUESTED and revision.isdigit():
        # Written when sent: by then the author may have revised and been asked again, so the note
        # and the moderator are those of the request this mail is about.
        asked = (
            suggestion.change_requests.select_related("moderator")
            .filter(revision_number=int(revision))
            .order_by("-created_at")
            .first()
        )
        if asked is not None:
            moderator, note = asked.moderator, asked.note
    part = None
    if outcome == Suggestion.Status.PARTLY_ACCEPTED and revision.isdigit():
        # The acceptance of that revision: with the rest left pending, the suggestion has moved on by one.
        part = (
            suggestion.partial_acceptances.select_related("moderator", "version")
            .filter(revision_number__in=(int(revision), int(revision) - 1))
            .order_by("-created_at")
            .first()
        )
        if part is not None:
            moderator, note = part.moderator, part.note
    who = moderator.get_username() if moderator else "a moderator"
    lines = [f"Your suggestion on {suggestion.target_slug} (“{suggestion.summary}”) was {said} by {who}."]
    if note:
        lines.append(f"\nThe moderator's note:\n{note}")
    if part is not None:
        lines.append(f"\nThe part accepted is version {part.version.number} of the card.")
        if part.remainder == part.Remainder.PENDING:
            lines.append("The rest of your suggestion stays open for review.")
    elif suggestion.version_id:
        lines.append(f"\nIt is now version {suggestion.version.number} of the card.")
    if outcome == Suggestion.Status.CHANGES_REQUESTED:
        lines.append("\nRevise it from its page; it goes back to the review queue when you do.")
    lines.append(f"\nYour suggestion: {site_url()}{suggestion.get_absolute_url()}\n")
    return f"{PREFIX} Your suggestion was {said}", "\n".join(lines)


def _review_due_text(card: ModelCard) -> tuple[str, str]:
    if card.reviewed_at:
        since = f"was last reviewed by a moderator on {card.reviewed_at:%Y-%m-%d}"
    else:
        since = f"has not been reviewed by a moderator since it was created on {card.created_at:%Y-%m-%d}"
    body = (
        f"{card.title} {since}, and cards are looked at again every {settings.REVIEW_DUE_DAYS} days.\n\n"
        f"Is it still accurate? Suggest a correction on the card's page, or a moderator records "
        f"“Reviewed, still accurate” there.\n\n"
        f"Card: {site_url()}{card.get_absolute_url()}\n"
        f"All cards due for review: {site_url()}{reverse('modelcards:due_for_review')}\n\n"
        f"You get this because you maintain or watch the card.\n"
    )
    return f"{PREFIX} {card.title} is due for review", body
