"""Email about what happens to cards: decisions to authors, news to watchers.

The workflow calls `new_version`, `suggestion_filed` and `suggestion_decided` inside the transaction
of the change. They only choose the recipients and queue one mail per address, named by the event
(`modelcards/outbox.py`), so nobody is told about a change that rolled back and nothing committed is
lost. The background worker writes each mail's text (`mail_texts.render`) when it sends it. The person who
did the action is never emailed about it.
"""

from . import outbox
from .models import CardVersion, Suggestion, Watch


def _watcher_emails(card_id: int, *, exclude_user_ids: set) -> list[str]:
    return [
        email
        for email in Watch.objects.filter(card_id=card_id, user__is_active=True)
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


def suggestion_decided(suggestion: Suggestion) -> None:
    author = suggestion.author
    if author is None or not author.email or author.pk == suggestion.moderator_id:
        return
    # The outcome is part of the event, so a later decision on the same suggestion is news of its own.
    outbox.queue_mail(f"suggestion_decided:{suggestion.pk}:{suggestion.status}", [author.email])
