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

Each process also holds the pages and API answers it answered here for a second (`pagehold.py`, the
hold the API's middleware shares), so a busy page costs one trip to the shared cache per second per
process instead of one per request.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.utils.module_loading import import_string

from .api import door as api_door
from .api.paths import ROOT as API_ROOT
from .pagecache import _door_lookup, _look_up, _replay
from .pagehold import held

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
            if request.stored_page is None:  # an API answer the API's middleware did not find kept
                raise _PassThrough
            return _replay(request.stored_page)

        handler = replay
        if DOOR in settings.MIDDLEWARE:
            for path in reversed(settings.MIDDLEWARE[: settings.MIDDLEWARE.index(DOOR)]):
                handler = import_string(path)(handler)
        return handler

    def __call__(self, environ, start_response):
        request = WSGIRequest(environ) if environ.get("REQUEST_METHOD") == "GET" else None
        if request is not None and self._for_the_api(request):
            # ApiBoundaryMiddleware, ahead of the page door, answers a kept API answer itself.
            request.stored_page = None
            try:
                response = self.ahead(request)
            except _PassThrough:
                environ[api_door.MISSED] = api_door.missed(request)
                return self.application(environ, start_response)
            except Exception:  # noqa: BLE001 - anything odd about the request: the stack answers it
                logger.debug("API request passed the WSGI door unchecked", exc_info=True)
                return self.application(environ, start_response)
            return self._send(response, start_response)
        stored = self._stored(request) if request is not None else None
        if stored is None:
            return self.application(environ, start_response)
        request.stored_page = stored
        return self._send(self.ahead(request), start_response)

    @staticmethod
    def _for_the_api(request) -> bool:
        return (
            settings.MODELCARDS_PAGE_CACHE
            and request.path_info.startswith(API_ROOT)
            and "HTTP_AUTHORIZATION" not in request.META
            and api_door.keeps(request.path_info)
        )

    @staticmethod
    def _send(response, start_response):
        if not response.has_header("Content-Length"):  # as CommonMiddleware would, deeper in the stack
            response["Content-Length"] = str(len(response.content))
        headers = [*response.items()]
        headers += [("Set-Cookie", cookie.output(header="")) for cookie in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [response.content]

    def _stored(self, request):
        if not settings.MODELCARDS_PAGE_CACHE:
            return None
        try:
            found = _door_lookup(request)
        except Exception:  # noqa: BLE001 - anything odd about the request: the stack answers it
            logger.debug("Request passed the WSGI door unchecked", exc_info=True)
            return None
        if found is None:
            return None
        key, scopes = found
        stored = held.get(key)
        if stored is None:
            looked_up = _look_up(key, scopes)
            stored = looked_up[1] if looked_up is not None else None
            if stored is not None:
                held.put(key, stored, len(stored[0]))
        return stored


class _PassThrough(Exception):  # noqa: N818 - a signal to the door, not an error
    """Raised inside the chain ahead of the door: the full application must answer this request."""
