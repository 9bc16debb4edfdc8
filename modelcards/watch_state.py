"""Whether a signed-in reader watches a card: every card page they open asks, so the answer is cached.

Entries carry the generation of the scope ``watches:<user pk>`` (config/generations.py), renewed when
any of that person's watches is made, changed or removed, so the button flips at once on every app
server. A watch can also end by itself as time passes, with no write to renew anything, so an entry
keeps when the watch ends rather than a yes or no, and each page compares it with the clock.
"""

import math
import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from config import generations

from .models import Watch

ENTRY_SECONDS = 24 * 3600
NOT_WATCHING = 0.0


def _scope(user_pk) -> str:
    return f"watches:{user_pk}"


def is_watching(user, slug: str) -> bool:
    if not user.is_authenticated:
        return False
    if not settings.MODELCARDS_PAGE_CACHE:
        ends = _read(user.pk, slug)
    else:
        key = f"modelcards:watch-ends:{user.pk}:{slug}"
        ends = generations.get_or_make(key, [_scope(user.pk)], lambda: _read(user.pk, slug), ENTRY_SECONDS)
    return ends > time.time()


def _read(user_pk, slug: str) -> float:
    """When the person's watch on the card ends, as a Unix time: infinity for never, 0 for no watch."""
    found = Watch.objects.filter(user_id=user_pk, card__slug=slug).values_list("expires_at", flat=True)
    for expires_at in found:
        return math.inf if expires_at is None else expires_at.timestamp()
    return NOT_WATCHING


@receiver(post_save, sender=Watch)
@receiver(post_delete, sender=Watch)
def _watches_changed(sender, instance, **kwargs):
    generations.invalidate_on_commit([_scope(instance.user_id)])
