"""Protecting a card (semi or full, with a reason and an expiry), lifting it, and the refusal it causes.

A protection is a row in force until lifted or until its expiry passes; expiry is a comparison with
now, so nothing has to run when it ends. Each change renews the card's cached pages on commit.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, FilteredRelation, Q
from django.utils import timezone

from config import generations

from .. import permissions
from ..models import CardProtection, ModelCard
from ..pagecache import SITE, card_scope, card_scopes

# The durations a moderator picks from; None is "indefinitely".
DURATIONS = {
    "1d": ("1 day", timedelta(days=1)),
    "1w": ("1 week", timedelta(weeks=1)),
    "1m": ("1 month", timedelta(days=30)),
    "never": ("Indefinitely", None),
}


class NotProtected(Exception):
    """Lifting a protection from a card that has none in force."""


def in_force(card: ModelCard) -> CardProtection | None:
    """The card's protection in force now, with who set it, or None."""
    return CardProtection.objects.in_force().filter(card=card).select_related("created_by").first()


def refusal(card: ModelCard, user) -> CardProtection | None:
    """The protection that stops `user` suggesting on `card`, or None if they may."""
    protection = in_force(card)
    if protection is None or permissions.may_suggest_under(user, protection.level):
        return None
    return protection


def describe(protection: CardProtection) -> str:
    """The sentence a refused person reads: which protection, why, and until when."""
    days = settings.PROTECTION_MIN_ACCOUNT_DAYS
    who = (
        "only moderators may suggest edits"
        if protection.level == CardProtection.Level.FULL
        else "only signed-in accounts with a verified email address and "
        f"at least {days} days old may suggest edits"
    )
    return (
        f"This card is {protection.get_level_display().lower()} {protection.until_label}: {who}. "
        f"Reason: {protection.reason}"
    )


def protect(card: ModelCard, *, level: str, reason: str, duration: str, moderator) -> CardProtection:
    """Protect `card` from now, replacing (and logging as lifted) any protection it had."""
    if not permissions.can_review(moderator):
        raise PermissionDenied("Only moderators protect cards.")
    if not reason.strip():
        raise ValueError("A protection needs a reason.")
    now = timezone.now()
    delta = DURATIONS[duration][1]
    with transaction.atomic():
        ModelCard.objects.select_for_update().filter(pk=card.pk).first()
        CardProtection.objects.filter(card=card, lifted_at__isnull=True).update(
            lifted_at=now, lifted_by=moderator
        )
        protection = CardProtection.objects.create(
            card=card,
            level=level,
            reason=reason.strip(),
            expires_at=now + delta if delta else None,
            created_by=moderator,
            created_at=now,
        )
        _renew_pages(card)
    return protection


def unprotect(card: ModelCard, *, moderator) -> CardProtection:
    """Lift the card's protection in force; the row stays in the log with who lifted it and when."""
    if not permissions.can_review(moderator):
        raise PermissionDenied("Only moderators unprotect cards.")
    with transaction.atomic():
        ModelCard.objects.select_for_update().filter(pk=card.pk).first()
        protection = CardProtection.objects.in_force().filter(card=card).first()
        if protection is None:
            raise NotProtected("This card is not protected.")
        protection.lifted_at, protection.lifted_by = timezone.now(), moderator
        protection.save(update_fields=["lifted_at", "lifted_by"])
        _renew_pages(card)
    return protection


def log(card: ModelCard):
    """Every protection the card has had, newest first, with who set and lifted it."""
    return CardProtection.objects.filter(card=card).select_related("created_by", "lifted_by")


def _renew_pages(card: ModelCard) -> None:
    # The card page and the suggest page show the protection; the site scope holds lists that may too.
    generations.invalidate_on_commit([*card_scopes(card.slug), SITE])


def with_notice(cards):
    """`cards` with their unlifted protection's facts joined in, so a card page reads it in the card's
    own query (one unlifted row per card, by constraint); `notice_of` then checks the expiry."""
    return cards.annotate(
        _unlifted=FilteredRelation("protections", condition=Q(protections__lifted_at__isnull=True))
    ).annotate(
        protection_level=F("_unlifted__level"),
        protection_reason=F("_unlifted__reason"),
        protection_expires_at=F("_unlifted__expires_at"),
        protection_by=F("_unlifted__created_by__username"),
    )


def notice_of(card) -> dict | None:
    """What the card page's notice shows, from a card fetched through `with_notice`, or None.

    Called where the card page's shared parts are made, so every cached page showing an expiring notice
    lapses at its expiry (config/generations.py), with no job to run then.
    """
    level, expires_at = getattr(card, "protection_level", None), getattr(card, "protection_expires_at", None)
    if not level or (expires_at is not None and expires_at <= timezone.now()):
        return None
    if expires_at is not None and settings.MODELCARDS_PAGE_CACHE:
        # The pages made with this notice are made afresh when it ends, though nothing is written then.
        generations.lapse_after(card_scope(card.slug), int((expires_at - timezone.now()).total_seconds()) + 1)
    return {
        "level": CardProtection.Level(level).label,
        "full": level == CardProtection.Level.FULL,
        "days": settings.PROTECTION_MIN_ACCOUNT_DAYS,
        "reason": card.protection_reason,
        "by": card.protection_by or "a former account",
        "expires_at": expires_at,
    }


def notice(current: CardProtection | None) -> dict | None:
    """The same notice as `notice_of`, from a protection row (the suggest page has it at hand)."""
    if current is None:
        return None
    return {
        "level": current.get_level_display(),
        "full": current.level == CardProtection.Level.FULL,
        "days": settings.PROTECTION_MIN_ACCOUNT_DAYS,
        "reason": current.reason,
        "by": current.created_by.username if current.created_by else "a former account",
        "expires_at": current.expires_at,
    }
