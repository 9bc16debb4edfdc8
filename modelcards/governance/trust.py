"""Trusted contributors (issue 15 item 1): who is trusted, and moderators' hand decisions.

An account is trusted when a moderator granted it by hand, or, with no hand decision, when it meets
every threshold in the settings: TRUSTED_MIN_ACCEPTED accepted suggestions, an account at least
TRUSTED_MIN_ACCOUNT_DAYS old and, with TRUSTED_REQUIRE_VERIFIED_EMAIL, a verified email address.
A hand revocation keeps an account untrusted whatever it meets. A blocked account is never trusted.
Each hand decision is also written to Django's admin log, which the trust log page reads.
"""

from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from config import generations

from .. import permissions
from ..models import Block, CardVersion, ContributorTrust, Suggestion
from ..pagecache import card_scopes

# Suggestions that count towards trust: some or all of their text was published.
ACCEPTED_STATUSES = (Suggestion.Status.ACCEPTED, Suggestion.Status.PARTLY_ACCEPTED)


@dataclass(frozen=True)
class Standing:
    """Everything that decides whether an account is trusted, as the trust page shows it."""

    trusted: bool
    hand: bool | None  # a moderator's decision: True granted, False revoked, None none
    blocked: bool
    accepted: int
    account_days: int
    email_verified: bool

    @property
    def meets_accepted(self) -> bool:
        return self.accepted >= settings.TRUSTED_MIN_ACCEPTED

    @property
    def meets_age(self) -> bool:
        return self.account_days >= settings.TRUSTED_MIN_ACCOUNT_DAYS

    @property
    def meets_email(self) -> bool:
        return self.email_verified or not settings.TRUSTED_REQUIRE_VERIFIED_EMAIL

    @property
    def meets_thresholds(self) -> bool:
        return self.meets_accepted and self.meets_age and self.meets_email


def _accepted_count():
    counted = (
        Suggestion.objects.filter(author=OuterRef("pk"), status__in=ACCEPTED_STATUSES)
        .order_by()
        .values("author")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def standing(user) -> Standing | None:
    """The account's standing, read in one query; None for a visitor or an inactive account."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    facts = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            hand=Subquery(ContributorTrust.objects.filter(user=OuterRef("pk")).values("trusted")[:1]),
            blocked=Exists(Block.objects.in_force().filter(user=OuterRef("pk"))),
            accepted=_accepted_count(),
        )
        .values("hand", "blocked", "accepted", "date_joined", "email_verified_at")
        .first()
    )
    if facts is None:
        return None
    age = timezone.now() - facts["date_joined"]
    partial = Standing(
        trusted=False,
        hand=facts["hand"],
        blocked=facts["blocked"],
        accepted=facts["accepted"],
        account_days=age.days,
        email_verified=facts["email_verified_at"] is not None,
    )
    trusted = not partial.blocked and (partial.meets_thresholds if partial.hand is None else partial.hand)
    return replace(partial, trusted=trusted)


def is_trusted(user) -> bool:
    """A hand decision if there is one, else the thresholds; never a blocked or inactive account.

    One query, remembered on the user object for the rest of the request.
    """
    known = getattr(user, "_modelcards_trusted", None)
    if known is None:
        found = standing(user)
        known = bool(found and found.trusted)
        if user is not None and user.is_authenticated:
            user._modelcards_trusted = known
    return known


def decide(person, *, trusted: bool | None, reason: str, moderator) -> ContributorTrust | None:
    """A moderator grants (True) or revokes (False) trust by hand, or leaves it to the thresholds
    again (None). A grant or revocation needs a reason; every decision is logged."""
    if not permissions.can_review(moderator):
        raise PermissionDenied("Only moderators decide who is trusted.")
    reason = reason.strip()
    if trusted is not None and not reason:
        raise ValueError("Say why: the reason is kept in the trust log.")
    with transaction.atomic():
        if trusted is None:
            ContributorTrust.objects.filter(user=person).delete()
            row = None
        else:
            row, _created = ContributorTrust.objects.update_or_create(
                user=person,
                defaults={
                    "trusted": trusted,
                    "reason": reason[:300],
                    "decided_by": moderator,
                    "decided_at": timezone.now(),
                },
            )
        flag = {True: ADDITION, False: DELETION, None: CHANGE}[trusted]
        LogEntry.objects.create(
            user=moderator,
            content_type=ContentType.objects.get_for_model(ContributorTrust),
            object_id=str(person.pk),
            object_repr=person.get_username()[:200],
            action_flag=flag,
            change_message=reason or "Left to the thresholds again.",
        )
    person.__dict__.pop("_modelcards_trusted", None)
    return row


DECISION_LABELS = {ADDITION: "granted", DELETION: "revoked", CHANGE: "left to the thresholds"}


def log(person=None):
    """Hand decisions on trust, newest first: everyone's, or one account's."""
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(ContributorTrust))
    if person is not None:
        entries = entries.filter(object_id=str(person.pk))
    return entries.select_related("user").order_by("-action_time", "-pk")


def look_over(version: CardVersion, *, moderator) -> bool:
    """A moderator has looked over an autoreviewed version, keeping it or undoing it: it leaves the
    list to look over, and its history row names them. False if it was not waiting (done already)."""
    if not permissions.can_review(moderator):
        raise PermissionDenied("Only moderators look over autoreviewed versions.")
    updated = CardVersion.objects.filter(
        pk=version.pk, autoreviewed=True, looked_over_at__isnull=True
    ).update(looked_over_by=moderator, looked_over_at=timezone.now())
    if updated:
        generations.invalidate_on_commit(card_scopes(version.card.slug))  # the history page says so
    return bool(updated)
