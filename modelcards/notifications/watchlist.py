"""Watching cards: for how long, what changed on the cards watched, and the private feed's key.

A watch may end by itself (`Watch.expires_at`). An expired watch counts for nothing from that moment
(mail, inbox, the watchlist, the card page's button all ask `Watch.objects.active()`); the rows are
deleted later by `manage.py prune_expired_watches`, which only saves space.
"""

import secrets

from django.db import transaction
from django.utils import timezone

from ..models import CardVersion, ModelCard, Watch, WatchlistFeedKey

FEED_TOKEN_BYTES = 32  # 43 URL-safe characters


def watch(user, card: ModelCard, *, duration: str | None = None) -> Watch:
    """Watch `card` for `duration` (a `Watch.Duration`) from now.

    Without a duration a running watch is left as it is and anything else becomes a permanent
    watch: what filing a suggestion does, so it never shortens a watch the person chose.
    """
    now = timezone.now()
    with transaction.atomic():
        current = Watch.objects.select_for_update().filter(user=user, card=card).first()
        if current is None:
            return Watch.objects.create(user=user, card=card, expires_at=Watch.expiry_after(duration, now))
        if duration is None and current.is_active(now):
            return current
        current.expires_at = Watch.expiry_after(duration, now)
        current.save(update_fields=["expires_at"])
        return current


def unwatch(user, card: ModelCard) -> bool:
    """Stop watching; False if there was no watch running."""
    watches = Watch.objects.filter(user=user, card=card)
    running = watches.active().exists()
    watches.delete()
    return running


def watch_of(user, card: ModelCard) -> Watch | None:
    """The person's running watch on the card, if any."""
    return Watch.objects.active().filter(user=user, card=card).first()


def watched_cards(user):
    """The person's running watches with their cards, by title."""
    return (
        Watch.objects.active()
        .filter(user=user)
        .select_related("card")
        .only("expires_at", "created_at", "card__slug", "card__title", "card__version_number")
        .order_by("card__title", "card__slug")
    )


def recent_versions(user):
    """Versions of the cards the person watches now, newest first."""
    cards = Watch.objects.active().filter(user=user).values("card_id")
    return (
        CardVersion.objects.filter(card_id__in=cards)
        .select_related("card", "author")
        .only(
            "number",
            "kind",
            "summary",
            "author_name",
            "size_delta",
            "created_at",
            "card__slug",
            "card__title",
            "author__username",
            # Issue 15 item 4: a hidden summary or author name is left out (governance/visibility.py).
            "text_visibility",
            "summary_visibility",
            "author_visibility",
        )
        .order_by("-created_at", "-pk")
    )


def feed_key(user) -> WatchlistFeedKey | None:
    return WatchlistFeedKey.objects.filter(user=user).first()


def new_feed_key(user) -> WatchlistFeedKey:
    """A new secret for the person's feed address; the old address stops working at once."""
    token = secrets.token_urlsafe(FEED_TOKEN_BYTES)
    key, _created = WatchlistFeedKey.objects.update_or_create(
        user=user, defaults={"token": token, "created_at": timezone.now()}
    )
    return key


def feed_owner(token: str):
    """The active account whose feed `token` opens, or None."""
    if not token or len(token) > 64:
        return None
    key = WatchlistFeedKey.objects.select_related("user").filter(token=token, user__is_active=True).first()
    return key.user if key else None


def prune_expired(now=None) -> int:
    """Delete the watches that have ended; returns how many."""
    deleted, _by_model = Watch.objects.expired(now).delete()
    return deleted
