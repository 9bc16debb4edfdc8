"""Verified maintainers (issue 15 item 2): accounts a moderator verified as a card's model developer.

A live row (not revoked) makes the account a maintainer of that card. Suggestions show it live, from
these rows, in the query that lists them (`with_maintainer_flag`); a version records it when it is
made (CardVersion.by_maintainer) and so does each claim it asserts (card.claim_provenance), so a later
revocation does not rewrite history.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from config import generations

from .. import permissions
from ..models import CardMaintainer, ModelCard
from ..pagecache import card_scopes


class AlreadyMaintainer(Exception):
    """The account is already a verified maintainer of the card."""


def live():
    return CardMaintainer.objects.filter(revoked_at__isnull=True)


def is_maintainer(user, card: ModelCard | None) -> bool:
    """Whether `user` is, now, a verified maintainer of `card`."""
    if card is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    return live().filter(card_id=card.pk, user_id=user.pk).exists()


def maintainer_exists(card_field: str = "card", user_field: str = "author") -> Exists:
    """An expression for annotations: the row's `user_field` is a live maintainer of its `card_field`."""
    return Exists(live().filter(card_id=OuterRef(card_field), user_id=OuterRef(user_field)))


def with_maintainer_flag(suggestions):
    """Suggestions with `by_maintainer`: the author is a live maintainer of the card, in the same query."""
    return suggestions.annotate(by_maintainer=maintainer_exists())


def of_card(card: ModelCard):
    """The card's live maintainers, oldest first, with their accounts."""
    return live().filter(card=card).select_related("user").order_by("verified_at", "pk")


def log(card: ModelCard):
    """Every maintainer row the card has had, newest first, with who verified and revoked it."""
    return CardMaintainer.objects.filter(card=card).select_related("user", "verified_by", "revoked_by")


def verify(card: ModelCard, user, *, note: str, moderator) -> CardMaintainer:
    """A moderator records `user` as a verified maintainer of `card`, saying how it was verified."""
    if not permissions.can_review(moderator):
        raise PermissionDenied("Only moderators verify maintainers.")
    note = note.strip()
    if not note:
        raise ValueError(
            "Say how the account was verified (for example, a link from the model's repository)."
        )
    try:
        with transaction.atomic():
            row = CardMaintainer.objects.create(card=card, user=user, note=note[:300], verified_by=moderator)
    except IntegrityError as exc:  # the one-live-row constraint
        raise AlreadyMaintainer(f"{user.get_username()} is already a maintainer of this card.") from exc
    generations.invalidate_on_commit(card_scopes(card.slug))
    return row


def revoke(row: CardMaintainer, *, moderator) -> CardMaintainer:
    """End a maintainer's standing; the row stays in the card's maintainer log."""
    if not permissions.can_review(moderator):
        raise PermissionDenied("Only moderators revoke maintainers.")
    updated = CardMaintainer.objects.filter(pk=row.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=moderator
    )
    if updated:
        row.refresh_from_db()
        generations.invalidate_on_commit(card_scopes(row.card.slug))
    return row
