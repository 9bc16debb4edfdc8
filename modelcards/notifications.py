"""Email sent when something happens to a card: decisions to authors, news to watchers.

Called after the transaction commits, so nobody is told about a change that rolled back. The
person who did the action is never emailed about it.
"""

import difflib

from django.conf import settings
from django.core.mail import send_mass_mail

from .models import CardVersion, Suggestion, Watch

MAX_DIFF_LINES = 200


def _site() -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def _watcher_emails(card_id: int, *, exclude_user_ids: set) -> list[str]:
    return [
        email
        for email in Watch.objects.filter(card_id=card_id, user__is_active=True)
        .exclude(user_id__in=[pk for pk in exclude_user_ids if pk])
        .values_list("user__email", flat=True)
        if email
    ]


def _send(subject: str, body: str, recipients: list[str]) -> None:
    if recipients:
        send_mass_mail(
            [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients],
            fail_silently=True,
        )


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


def new_version(version: CardVersion) -> None:
    card = version.card
    recipients = _watcher_emails(card.pk, exclude_user_ids={version.author_id, version.moderator_id})
    if not recipients:
        return
    approved = f", approved by {version.moderator.get_username()}" if version.moderator_id else ""
    body = (
        f"{card.title} has a new version ({version.number}) by {version.author_display}{approved}.\n\n"
        f"Summary: {version.summary}\n\n"
        f"Card: {_site()}{card.get_absolute_url()}\n\n"
        f"{_unified_diff(version)}\n\n"
        f"You get this because you watch the card. Unwatch it on the card's page.\n"
    )
    _send(f"[Model Card Commons] {card.title}: version {version.number}", body, recipients)


def suggestion_filed(suggestion: Suggestion) -> None:
    if suggestion.card_id is None:
        return
    card = suggestion.card
    recipients = _watcher_emails(card.pk, exclude_user_ids={suggestion.author_id})
    body = (
        f"{suggestion.author_display} suggested a change to {card.title}:\n\n"
        f"{suggestion.summary}\n\n"
        f"Review it: {_site()}{suggestion.get_absolute_url()}\n\n"
        f"You get this because you watch the card.\n"
    )
    _send(f"[Model Card Commons] New suggestion on {card.title}", body, recipients)


def suggestion_decided(suggestion: Suggestion) -> None:
    author = suggestion.author
    if author is None or not author.email or author.pk == suggestion.moderator_id:
        return
    outcome = suggestion.get_status_display().lower()
    lines = [
        f"Your suggestion on {suggestion.target_slug} (“{suggestion.summary}”) was {outcome} "
        f"by {suggestion.moderator.get_username()}.",
    ]
    if suggestion.note:
        lines.append(f"\nThe moderator's note:\n{suggestion.note}")
    if suggestion.version_id:
        lines.append(f"\nIt is now version {suggestion.version.number} of the card.")
    lines.append(f"\nYour suggestion: {_site()}{suggestion.get_absolute_url()}\n")
    _send(f"[Model Card Commons] Your suggestion was {outcome}", "\n".join(lines), [author.email])
