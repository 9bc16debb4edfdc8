"""Answers every caller sees alike, kept whole and served before the rest of the stack runs.

As the site's own door for anonymous pages (`pagecache.CachedPageMiddleware`): a GET without a token
for cards, versions, diffs or history is looked up by its path and query in the shared cache, under
the generations of the card (or the whole site, for the card list), and replayed if nothing changed
since, with its validators (so a conditional GET gets its 304 there too). A miss runs the stack; the
endpoint keeps what it made (`conditional.shared`) under the generations fetched here, before it read
the database, so an answer made from rows a concurrent write then changed is never served.

Requests with a token always run the stack: the token is checked, and its use recorded, every time.
"""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache

from django.conf import settings
from django.urls import Resolver404, resolve

from config import generations

from ..pagecache import SITE, card_scopes
from ..pagehold import held

logger = logging.getLogger(__name__)

ENTRY_FORMAT = 2
ENTRY_SECONDS = 24 * 3600  # only bounds how long an unread answer takes room
_ATTRIBUTE = "api_door"
# The WSGI door (wsgi_door.py) looked this request up and missed: the key and tokens it fetched, passed
# on in the WSGI environ (no header can reach that name), so the stack does not fetch them again.
MISSED = "modelcards.api_door.missed"
# Endpoints whose answer depends on nothing but the URL, and what they show.
_CARD_ENDPOINTS = frozenset(
    {"card_detail", "card_readme", "version_list", "history", "version_detail", "version_readme", "diff"}
)
_SITE_ENDPOINTS = frozenset({"card_list"})


@lru_cache(maxsize=1024)  # paths come from anyone: at most a few megabytes
def _scopes_of(path: str) -> tuple[str, ...] | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.url_name in _SITE_ENDPOINTS:
        return (SITE,)
    if match.url_name in _CARD_ENDPOINTS and len(match.kwargs.get("slug", "")) <= 100:
        return tuple(card_scopes(match.kwargs["slug"]))
    return None


def look_up(request):
    """The kept answer for this request, or None; on a miss the request is marked for keeping it."""
    if not settings.MODELCARDS_PAGE_CACHE or request.META.get("HTTP_AUTHORIZATION"):
        return None
    if (missed := request.META.get(MISSED)) is not None:
        setattr(request, _ATTRIBUTE, missed)
        return None
    scopes = _scopes_of(request.path_info)
    if scopes is None:
        return None
    key = "modelcards:api-door:{}:{}".format(
        ENTRY_FORMAT, hashlib.sha256(request.get_full_path().encode("utf-8")).hexdigest()
    )
    if (stored := held.get(key)) is not None:
        return stored
    try:
        tokens, stored = generations.fetch(key, list(scopes))
    except Exception:  # noqa: BLE001 - a broken cache must not break the API
        logger.warning("API door read failed", exc_info=True)
        return None
    if stored is None:
        setattr(request, _ATTRIBUTE, (key, tokens))
    else:
        held.put(key, stored, len(stored.body))
    return stored


def keeps(path: str) -> bool:
    """Whether answers at `path` may be kept for everyone (and so looked up before the stack runs)."""
    return _scopes_of(path) is not None


def missed(request):
    """What `look_up` fetched for `request` and found nothing under, for the stack to keep its answer."""
    return getattr(request, _ATTRIBUTE, None)


def keep(request, representation) -> None:
    """Keep what an endpoint made for the request the door marked, under the tokens it fetched."""
    marked = getattr(request, _ATTRIBUTE, None)
    if marked is not None and representation.status == 200:
        key, tokens = marked
        generations.keep(key, tokens, representation, ENTRY_SECONDS)
