"""Read replicas: reads go to a replica, except where they must see the primary's latest state.

`DATABASE_REPLICA_URLS` (comma-separated) adds the aliases ``replica1`` … ``replicaN`` in settings.
A replica lags the primary a little, so three kinds of read stay on the primary:

- everything in a request that may write (any method but GET, HEAD, OPTIONS and TRACE), so a
  workflow's reads and its row locks see the rows it is about to change;
- every request from a browser that wrote to the database in the last PIN_SECONDS: a request that
  wrote sets a short-lived cookie, so people always see their own edits on the next page, whichever
  app server answers it;
- code outside a request (management commands, shells, tests), and renders that fill the shared
  page cache (``primary_reads``), which would otherwise store a lagging page for everyone.

Writes always go to the primary.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from contextvars import ContextVar

import dj_database_url
from django.conf import settings

PRIMARY = "default"
REPLICA_PREFIX = "replica"
PIN_COOKIE = "mcc_primary"
# Longer than replication usually lags on one network; raise it if replicas fall further behind.
PIN_SECONDS = 10

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# Outside a request nothing may be read from a replica: the middleware turns this off for safe requests.
_primary_only: ContextVar[bool] = ContextVar("primary_only", default=True)
# Set by the middleware to a list; the router appends to it when anything is written.
_writes: ContextVar[list | None] = ContextVar("writes", default=None)


def replica_databases(urls: list[str], *, conn_max_age: int) -> dict[str, dict]:
    """Settings for each replica URL, as aliases replica1, replica2 …, never migrated."""
    return {
        f"{REPLICA_PREFIX}{number}": dj_database_url.parse(url, conn_max_age=conn_max_age)
        for number, url in enumerate(urls, start=1)
    }


@contextmanager
def primary_reads():
    """Read from the primary inside this block, whatever the request."""
    token = _primary_only.set(True)
    try:
        yield
    finally:
        _primary_only.reset(token)


class ReplicaRouter:
    """Spread reads over the replicas unless this context must read the primary; write to the primary."""

    def __init__(self):
        self.replicas = sorted(alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX))

    def db_for_read(self, model, **hints):
        if not self.replicas or _primary_only.get():
            return PRIMARY
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return instance._state.db  # follow a relation from where the object was read
        return random.choice(self.replicas)  # noqa: S311 - spreading load, not a secret

    def db_for_write(self, model, **hints):
        writes = _writes.get()
        if writes is not None:
            writes.append(model)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class PrimaryAfterWriteMiddleware:
    """Choose the database for this request's reads, and pin a browser that wrote to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        primary = request.method not in SAFE_METHODS or PIN_COOKIE in request.COOKIES
        writes: list = []
        primary_token = _primary_only.set(primary)
        writes_token = _writes.set(writes)
        try:
            response = self.get_response(request)
        finally:
            _primary_only.reset(primary_token)
            _writes.reset(writes_token)
        if writes:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
