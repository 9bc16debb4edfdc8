"""A card's metadata warnings for pages: found once per text by `cardfile`, then kept in the cache."""

import hashlib
import logging

from django import template
from django.core.cache import cache

from ..cardfile import RULES_VERSION, Problem, card_warnings

register = template.Library()
logger = logging.getLogger(__name__)

CACHE_TIMEOUT = 60 * 60 * 24 * 30


@register.simple_tag
def metadata_warnings(text) -> tuple[Problem, ...]:
    """The warnings about a README.md's metadata (none for no text). Reading a large front matter can
    take a second, and a review page is viewed many times, so the answer is cached by content."""
    if not isinstance(text, str) or not text:
        return ()
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    key = f"modelcards:card-warnings:{RULES_VERSION}:{digest}"
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 - a broken cache must not break pages; check afresh instead
        logger.warning("Card warnings cache read failed", exc_info=True)
        cached = None
    if isinstance(cached, tuple) and all(isinstance(warning, Problem) for warning in cached):
        return cached
    warnings = card_warnings(text)
    try:
        cache.set(key, warnings, CACHE_TIMEOUT)
    except Exception:  # noqa: BLE001 - see above
        logger.warning("Card warnings cache write failed", exc_info=True)
    return warnings
