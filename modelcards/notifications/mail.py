"""Email about what happens to cards: decisions to authors, news to watchers.

These only choose the recipients and queue one mail per address, named by the event
(`modelcards/outbox.py`), so nobody is told about a change that rolled back and nothing committed is
lost. The background worker writes each mail's text (`mail_texts.render`) when it sends it. The person
who did the action is never emailed about it, and an expired watch counts for nothing.
"""

from collections.abc import Iterable

from .. import outbox
from ..models import CardVersion, Suggestion, Watch


def _watcher_emails(card_id: int, *, exclude_user_ids: set) -> list[str]:
    return [
        email
        for email in Watch.objects.active()
        # Only to verified addresses: an address typed at sign-up is not mailed until it is proven.
        .filter(card_id=card_id, user__is_active=True, user__email_verified_at__isnull=False)
        .exclude(user_id__in=[pk for pk in exclude_user_ids if pk])
        .values_list("user__email", flat=True)
        if email
    ]


def new_version(version: CardVersion) -> None:
    recipients = _watcher_emails(version.card_id, exclude_user_ids={version.author_id, version.moderator_id})
    outbox.queue_mail(f"new_version:{version.pk}", recipients)


def suggestion_filed(suggestion: Suggestion) -> None:
    if suggestion.card_id is None:
        return
    recipients = _watcher_emails(suggestion.card_id, exclude_user_ids={suggestion.author_id})
    outbox.queue_mail(f"suggestion_filed:{suggestion.pk}", recipients)


def review_due(reminders: Iterable[tuple[str, Iterable[str]]]) -> None:
    """Each (event, verified addresses) of cards due for review, queued in one write."""
    outbox.queue_mails((event, address) for event, addresses in reminders for address in addresses)


def suggestion_decided(suggestion: Suggestion, outcome: str, moderator_id) -> None:
    author = suggestion.author
    if author is None or not author.email or author.email_verified_at is None or author.pk == moderator_id:
        return
    # The outcome is part of the event, so a later decision on the same suggestion is news of its own.
    # So is a second request for changes after the author revised: the revision is part of it too.
    event = f"suggestion_decided:{suggestion.pk}:{outcome}:{suggestion.revision_number}"
    outbox.queue_mail(event, [author.email])
