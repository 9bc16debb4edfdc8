"""Whole pages for anonymous readers, kept in the shared cache until something they show changes.

No timeout decides when a page goes stale. Each cached page's key holds *generations*: opaque tokens
kept in the cache, one per card (``card:<slug>``), one for the set of cards (``catalogue``, which
card pages need because their panel links to other cards) and one for the whole site (``site``).
Saving a card, a suggestion or an activity row replaces the tokens it affects once the transaction
commits, so the next reader's key names a page nobody has stored yet: a new version, a suggestion or
a decision shows at once, on every app server sharing the cache. Old pages are simply never asked
for again and expire.

Only anonymous GET and HEAD requests with no messages waiting are served from or stored in the cache,
and only 200 responses that set no cookie and never asked for a CSRF token, so nothing personal or
secret is ever shared. Pages that fill the cache are read from the primary database, never from a
lagging replica.
"""

import hashlib
import logging
import secrets
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils.cache import patch_vary_headers

from config.replicas import primary_reads

from .models import Activity, ModelCard, Suggestion

logger = logging.getLogger(__name__)

# Bump when the stored shape changes, so a deploy never serves a page stored by the old code.
PAGE_FORMAT = 1
# Only bounds how long an unvisited page occupies the cache; freshness comes from the generations.
PAGE_SECONDS = 24 * 3600
SITE = "site"
CATALOGUE = "catalogue"
# Response headers a stored page keeps; everything else (cookies above all) is left behind.
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Last-Modified")
CACHE_HEADER = "X-Page-Cache"


def card_scope(slug: str) -> str:
    return f"card:{slug}"


def _generation_key(scope: str) -> str:
    return f"modelcards:generation:{scope}"


def _new_token() -> str:
    # Random rather than a counter: a token that was evicted and made again can never reuse an old value.
    return secrets.token_hex(8)


def generations(scopes: list[str]) -> list[str]:
    """The current token of each scope, making one for a scope that has none yet."""
    keys = [_generation_key(scope) for scope in scopes]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, _new_token(), timeout=None)
        found.update(cache.get_many(missing))
    return [str(found.get(key, "")) for key in keys]


def invalidate(scopes: list[str]) -> None:
    """Give each scope a new token, so no page stored under the old ones is served again."""
    try:
        cache.set_many({_generation_key(scope): _new_token() for scope in scopes}, timeout=None)
    except Exception:  # noqa: BLE001 - logged loudly: pages stay stale until the next change or expiry
        logger.exception("Page cache invalidation failed for %s", scopes)


def invalidate_on_commit(scopes: list[str]) -> None:
    """Invalidate once the current transaction commits (at once outside one), never for a rollback."""
    transaction.on_commit(lambda: invalidate(scopes))


def _cacheable_request(request, params: frozenset) -> bool:
    return (
        settings.MODELCARDS_PAGE_CACHE
        and request.method in ("GET", "HEAD")
        # Unknown query parameters (tracking tags, typos) get a fresh page instead of a cache entry each.
        and params.issuperset(request.GET.keys())
        and not request.user.is_authenticated
        and not len(get_messages(request))
    )


def _storable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Vary")
        # The page used a CSRF token (it has a form that posts): the token belongs to this visitor only.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not len(get_messages(request))
    )


def _page_key(request, scopes: list[str]) -> str:
    address = hashlib.sha256(request.build_absolute_uri().encode("utf-8")).hexdigest()
    return f"modelcards:page:{PAGE_FORMAT}:{'.'.join(generations(scopes))}:{address}"


def _serve(view, scopes_for, params: frozenset):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable_request(request, params):
            return view(request, *args, **kwargs)
        try:
            key = _page_key(request, scopes_for(kwargs))
            stored = cache.get(key)
        except Exception:  # noqa: BLE001 - a broken cache must not break pages; serve them uncached
            logger.warning("Page cache read failed", exc_info=True)
            return view(request, *args, **kwargs)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content, headers=headers)
            response[CACHE_HEADER] = "hit"
        else:
            with primary_reads():
                response = view(request, *args, **kwargs)
                if isinstance(response, SimpleTemplateResponse):
                    response.render()  # inside primary_reads: lazy querysets run here
            if _storable(request, response):
                kept = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
                try:
                    cache.set(key, (response.content, kept), PAGE_SECONDS)
                except Exception:  # noqa: BLE001 - see above
                    logger.warning("Page cache write failed", exc_info=True)
                response[CACHE_HEADER] = "miss"
        # A signed-in visitor's cookie must reach us even where a proxy caches anonymous pages.
        patch_vary_headers(response, ("Cookie",))
        return response

    return wrapper


def cache_card_page(*, params: tuple[str, ...] = ()):
    """Cache a view of one card (its ``slug`` URL argument) for anonymous readers until the card changes."""

    def decorator(view):
        return _serve(view, lambda kwargs: [card_scope(kwargs["slug"]), CATALOGUE], frozenset(params))

    return decorator


def cache_site_page(*, params: tuple[str, ...] = ()):
    """Cache a page about many cards for anonymous readers until anything on the site changes."""

    def decorator(view):
        return _serve(view, lambda kwargs: [SITE], frozenset(params))

    return decorator


# --------------------------------------------------------------------------------------
# Invalidation: every write the pages show goes through one of these models.


def _card_slug(instance) -> str | None:
    if not instance.card_id:
        return None
    if type(instance).card.is_cached(instance):  # as wherever the workflow makes these rows
        return instance.card.slug
    # A deleted card's own signal has already invalidated its pages.
    return ModelCard.objects.filter(pk=instance.card_id).values_list("slug", flat=True).first()


@receiver(post_save, sender=ModelCard)
@receiver(post_delete, sender=ModelCard)
def _card_changed(sender, instance, created=False, **kwargs):
    scopes = [card_scope(instance.slug), SITE]
    if created or kwargs["signal"] is post_delete:
        scopes.append(CATALOGUE)
    invalidate_on_commit(scopes)


@receiver(post_save, sender=Suggestion)
@receiver(post_delete, sender=Suggestion)
@receiver(post_save, sender=Activity)
@receiver(post_delete, sender=Activity)
def _card_activity(sender, instance, **kwargs):
    slug = _card_slug(instance)
    invalidate_on_commit([card_scope(slug), SITE] if slug else [SITE])
