"""Whether a signed-in reader watches a card: every card page they open asks, so the answer is cached.

Entries carry the generation of the scope ``watches:<user pk>`` (config/generations.py), renewed when
any of that person's watches is made or removed, so the button flips at once on every app server.
"""

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from config import generations

from .models import Watch

ENTRY_SECONDS = 24 * 3600


def _scope(user_pk) -> str:
    return f"watches:{user_pk}"


def is_watching(user, slug: str) -> bool:
    if not user.is_authenticated:
        return False
    if not settings.MODELCARDS_PAGE_CACHE:
        return _read(user.pk, slug)
    key = f"modelcards:watching:{user.pk}:{slug}"
    return generations.get_or_make(key, [_scope(user.pk)], lambda: _read(user.pk, slug), ENTRY_SECONDS)


def _read(user_pk, slug: str) -> bool:
    return Watch.objects.filter(user_id=user_pk, card__slug=slug).exists()


@receiver(post_save, sender=Watch)
@receiver(post_delete, sender=Watch)
def _watches_changed(sender, instance, **kwargs):
    generations.invalidate_on_commit([_scope(instance.user_id)])
