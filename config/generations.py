"""Cache entries that stay valid until what they were made from changes, on every app server at once.

No timeout decides when an entry goes stale. Each entry is stored with the *generations* it was made
from: opaque tokens kept in the cache, one per scope (a card, a user, the whole site...). A write
gives the scopes it affects new tokens once its transaction commits, so the next reader finds the
entry's tokens out of date and makes it afresh. A reader fetches the tokens together with the entry,
*before* reading the database, so an entry made from rows that a concurrent write then changed is
stored under the old tokens and never served. One round trip fetches an entry with its tokens.

The tokens live in the cache, so every process must share it (Redis) for the entries to be correct;
the users of this module stay off with a per-process cache.
"""

from __future__ import annotations

import logging
import secrets

from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal

from .replicas import primary_reads

logger = logging.getLogger(__name__)

# Sent with `scopes` once this process has renewed their tokens: for copies a process keeps of entries
# (the WSGI door's hold), which the shared tokens cannot reach.
renewed = Signal()


def _token_key(scope: str) -> str:
    return f"generation:{scope}"


def _new_token() -> str:
    # Random rather than a counter: a token that was evicted and made again can never reuse an old value.
    return secrets.token_hex(8)


def fetch(key: str, scopes: list[str]):
    """The current tokens of `scopes`, and the entry at `key` if it was made from exactly those.

    Returns (tokens, None) when there is no valid entry; pass the tokens to `keep` with the fresh value.
    Raises whatever the cache raises: callers fall back to the database.
    """
    token_keys = [_token_key(scope) for scope in scopes]
    found = cache.get_many([key, *token_keys])
    missing = [name for name in token_keys if name not in found]
    if missing:
        for name in missing:
            cache.add(name, _new_token(), timeout=None)
        found.update(cache.get_many(missing))
    tokens = tuple(str(found.get(name, "")) for name in token_keys)
    entry = found.get(key)
    if entry is not None and entry[0] == tokens:
        return tokens, entry[1]
    return tokens, None


def get_or_make(key: str, scopes: list[str], make, timeout: int):
    """The entry at `key` while `scopes` are unchanged, else what `make()` returns, kept for next time.

    `make` reads the primary database (a lagging replica's rows would be kept for everyone); a None
    from it is returned but not kept. A cache that cannot be read costs a `make()`, never an error.
    """
    try:
        tokens, value = fetch(key, scopes)
    except Exception:  # noqa: BLE001 - a broken cache must not break pages
        logger.warning("Cache read failed for %s", key, exc_info=True)
        return make()
    if value is None:
        with primary_reads():
            value = make()
        if value is not None:
            keep(key, tokens, value, timeout)
    return value


def keep(key: str, tokens: tuple, value, timeout: int) -> None:
    """Store `value` as made from `tokens`; `timeout` only bounds how long an unread entry takes space."""
    try:
        cache.set(key, (tokens, value), timeout)
    except Exception:  # noqa: BLE001 - a broken cache must not break pages
        logger.warning("Cache write failed for %s", key, exc_info=True)


def invalidate(scopes: list[str]) -> None:
    """Give each scope a new token, so no entry made from the old ones is served again."""
    try:
        cache.set_many({_token_key(scope): _new_token() for scope in scopes}, timeout=None)
    except Exception:  # noqa: BLE001 - logged loudly: entries stay stale until the next change or expiry
        logger.exception("Cache invalidation failed for %s", scopes)
    renewed.send(sender=None, scopes=scopes)


def invalidate_on_commit(scopes: list[str]) -> None:
    """Invalidate once the current transaction commits (at once outside one), never for a rollback."""
    transaction.on_commit(lambda: invalidate(scopes))


def lapse_after(scope: str, seconds: int) -> None:
    """Let `scope`'s token lapse after `seconds`, so entries made from it are made afresh then: for what a
    page shows that ends at a known time (a card's protection) rather than by a write."""
    try:
        cache.touch(_token_key(scope), max(1, seconds))
    except Exception:  # noqa: BLE001 - a broken cache must not break pages
        logger.warning("Cache touch failed for %s", scope, exc_info=True)
