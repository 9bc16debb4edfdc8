"""The API's boundary with the rest of the site, for every request under /api/.

Before the site's own middleware: answers every caller sees alike are served from the shared cache
when nothing changed (`door`); a preflight or plain OPTIONS is answered here; HEAD is served as
GET without the body; a write must be JSON in UTF-8 of at most MAX_BODY_BYTES, parsed here once (so
the framework and the site's form-oriented refusals never read it); a NUL in the query string is
refused (PostgreSQL cannot store one). After: whatever the stack answered that is an error without
the API's JSON shape (an unknown address, a 500, the site's HTML refusals) gets that shape, and reads
get their CORS headers. Writes get none: browsers on other sites cannot file suggestions.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse
from django.urls import Resolver404, resolve

from ..middleware import declared_charset, is_utf8
from . import door, paths
from .conditional import respond
from .errors import ApiError, error_response, is_error_shaped

# A card's text may be MAX_CARD_BYTES; JSON escaping (\n, \", \uXXXX) can nearly double typical text.
MAX_BODY_BYTES = 2 * settings.MODELCARDS_MAX_CARD_BYTES + 64 * 1024
READ_METHODS = ("GET", "HEAD", "OPTIONS")
WRITABLE = frozenset({"suggestion_list"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# What a browser on another origin may read of an answer, beyond the basic headers.
EXPOSED = "ETag, Last-Modified, Retry-After, WWW-Authenticate"
PREFLIGHT_HEADERS = "Authorization, If-None-Match, If-Modified-Since"
PREFLIGHT_MAX_AGE = "86400"
_JSON_KEY = "_api_json"
_MISSING = object()


def parsed_json(request):
    value = getattr(request, _JSON_KEY, _MISSING)
    if value is _MISSING:  # a request that did not come through the middleware (never under /api/)
        raise ApiError(400, "malformed_json", "The body could not be read as JSON.")
    return value


class ApiBoundaryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(paths.ROOT):
            return self.get_response(request)
        method = request.method
        try:
            refusal = self._refusal(request)
        except ApiError as exc:
            refusal = error_response(
                exc.status, exc.code, exc.message, fields=exc.fields, headers=exc.headers
            )
        if refusal is not None:
            response = refusal
        elif method in ("GET", "HEAD") and (kept := door.look_up(request)) is not None:
            response = respond(request, kept)
        else:
            if method == "HEAD":
                request.method = "GET"
            response = self.get_response(request)
            request.method = method
        response = _shaped(response)
        if method in ("GET", "HEAD"):
            _allow_any_origin(response)
        if method == "HEAD":
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response

    def _refusal(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            raise ApiError(400, "invalid_request", "The query string contains a NUL character (U+0000).")
        if request.method == "OPTIONS":
            return _options(request)
        if request.method in WRITE_METHODS:
            _read_json_body(request)
        return None


def _read_json_body(request) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise ApiError(
            413, "body_too_large", f"The body is {length:,} bytes; the API takes at most {MAX_BODY_BYTES:,}."
        )
    content_type = request.content_type or ""
    charset = declared_charset(request)
    if content_type != "application/json" or (charset is not None and not is_utf8(charset)):
        shown = request.META.get("CONTENT_TYPE", "")[:100] or "none"
        raise ApiError(
            415,
            "unsupported_media_type",
            f"Send the body as JSON in UTF-8 with “Content-Type: application/json” (this one said: {shown}).",
        )
    body = request.body
    if len(body) > MAX_BODY_BYTES:  # a body longer than it declared
        raise ApiError(413, "body_too_large", f"The body is larger than {MAX_BODY_BYTES:,} bytes.")
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant) if body else None
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(
            400,
            "malformed_json",
            f"The body is not valid JSON: {str(exc)[:200]}",
            fields={"body": [str(exc)[:200]]},
        ) from exc
    setattr(request, _JSON_KEY, data)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")


def _allowed_methods(path: str) -> list[str] | None:
    """The methods an API address takes, or None when there is nothing there."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    # The suggestion list's address also files suggestions (the URL is named after its first operation).
    return [*READ_METHODS, "POST"] if match.url_name in WRITABLE else list(READ_METHODS)


def _options(request):
    """Allow for any OPTIONS; CORS headers only when a browser asks before a read, never before a write."""
    allowed = _allowed_methods(request.path_info)
    if allowed is None:
        raise ApiError(404, "not_found", "There is nothing at this address.")
    response = HttpResponse(status=204)
    response["Allow"] = ", ".join(allowed)
    wanted = request.headers.get("Access-Control-Request-Method", "GET").upper()
    if wanted in READ_METHODS:
        _allow_any_origin(response)
        response["Access-Control-Allow-Methods"] = ", ".join(READ_METHODS)
        response["Access-Control-Allow-Headers"] = PREFLIGHT_HEADERS
        response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def _allow_any_origin(response) -> None:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = EXPOSED


def _shaped(response):
    """An error answer in the API's JSON shape, keeping the headers that matter (Allow, Retry-After)."""
    if response.status_code < 400 or is_error_shaped(response):
        return response
    headers = {
        name: response[name]
        for name in ("Allow", "Retry-After", "WWW-Authenticate")
        if response.has_header(name)
    }
    return error_response(response.status_code, headers=headers)
