"""Telling people what happened: mail (`mail`), the on-site inbox (`inbox`) and watched cards (`watchlist`).

The workflow calls `new_version`, `suggestion_filed` and `suggestion_decided` inside the transaction
of the change; each queues the mail and writes the inbox entries there, so both exist exactly when
the change does. Comments reach the inbox through a post_save receiver in `inbox`.
"""

from ..models import CardVersion, Suggestion, SuggestionRevision
from . import inbox, mail


def new_version(version: CardVersion) -> None:
    mail.new_version(version)
    inbox.new_version(version)


def suggestion_filed(suggestion: Suggestion) -> None:
    mail.suggestion_filed(suggestion)


def suggestion_decided(suggestion: Suggestion, outcome: str = "", *, moderator_id=None) -> None:
    """Any decision, whatever its status (accepted, rejected, changes requested …), reaches the author.

    `outcome` and `moderator_id` name a decision that leaves the suggestion open and undecided: part
    of it accepted by that moderator, the rest still pending.
    """
    mail.suggestion_decided(suggestion, outcome or suggestion.status, moderator_id or suggestion.moderator_id)
    inbox.suggestion_decided(
        suggestion, outcome or suggestion.status, moderator_id or suggestion.moderator_id
    )


def review_due(reminders) -> None:
    """Maintainers and watchers of cards due for review (modelcards/reviews.py): each reminder has
    `card`, `event`, `user_ids` (inbox) and `emails` (verified addresses, for mail)."""
    mail.review_due((reminder.event, reminder.emails) for reminder in reminders)
    inbox.review_due((reminder.card, reminder.event, reminder.user_ids) for reminder in reminders)


def suggestion_revised(suggestion: Suggestion, revision: SuggestionRevision) -> None:
    """The moderators who asked for changes hear that the author has made them."""
    inbox.suggestion_revised(suggestion, revision)
