"""Stored pages answered at the WSGI door, before Django's request handling starts.

`CachedPageMiddleware` (pagecache.py) already answers a visitor without cookies from the cache before
the session, CSRF and authentication run. On a hit, what remains is Django's own handling around it:
the request-started and request-finished signals, the middleware chain up to the door, and turning
an HttpResponse back into WSGI. For the pages most readers ask for, that handling costs more than the
cache lookup itself, so this wrapper around the WSGI application answers hits before any of it runs.

It only reads: entries are made and stored by the stack, on a miss, exactly as before, and the same
rules decide what may be answered here (`pagecache._door_lookup`). A hit still passes through the
middleware listed ahead of `CachedPageMiddleware`, as it would inside the stack: SecurityMiddleware
adds its headers to the replayed page (and redirects plain HTTP when told to). What is skipped are
the request signals, which close database connections that a hit never opened, and the middleware
after the door, which a hit never reached anyway. HEAD requests fall through, so the body is left
out by the same code as always.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.utils.module_loading import import_string

from .pagecache import _door_lookup, _look_up, _replay

DOOR = "modelcards.pagecache.CachedPageMiddleware"

logger = logging.getLogger(__name__)


class StoredPageDoor:
    """Wraps the site's WSGI application (config/wsgi.py); everything but a cache hit passes through."""

    def __init__(self, application):
        self.application = application
        self.ahead = self._middleware_ahead_of_the_door()

    @staticmethod
    def _middleware_ahead_of_the_door():
        """The middleware before CachedPageMiddleware, chained around a replay of the stored page."""

        def replay(request):
            return _replay(request.stored_page)

        handler = replay
        if DOOR in settings.MIDDLEWARE:
            for path in reversed(settings.MIDDLEWARE[: settings.MIDDLEWARE.index(DOOR)]):
                handler = import_string(path)(handler)
        return handler

    def __call__(self, environ, start_response):
        request = WSGIRequest(environ) if environ.get("REQUEST_METHOD") == "GET" else None
        stored = self._stored(request) if request is not None else None
        if stored is None:
            return self.application(environ, start_response)
        request.stored_page = stored
        response = self.ahead(request)
        headers = [*response.items()]
        headers += [("Set-Cookie", cookie.output(header="")) for cookie in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [response.content]

    @staticmethod
    def _stored(request):
        if not settings.MODELCARDS_PAGE_CACHE:
            return None
        try:
            found = _door_lookup(request)
        except Exception:  # noqa: BLE001 - anything odd about the request: the stack answers it
            logger.debug("Request passed the WSGI door unchecked", exc_info=True)
            return None
        if found is None:
            return None
        looked_up = _look_up(*found)
        return looked_up[1] if looked_up is not None else None
