"""Answers with validators: every successful GET carries an ETag (a hash of its body) and, where the
site records when its content last changed, Last-Modified; a conditional GET that still holds gets 304.

Representations every caller sees alike (cards, versions, diffs, history) are made once per
generation of what they show and kept in the shared cache beside the site's own pages
(`pagecache.shared_parts`), so a repeated request costs a cache read, not queries; without a token
the same request is then answered before the rest of the stack runs (`door`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from ..pagecache import shared_parts
from . import door

JSON = "application/json; charset=utf-8"
MARKDOWN = "text/markdown; charset=utf-8"
_CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")
# Bump when a kept representation's shape changes, so a deploy never serves one made by the old code.
ENTRY_FORMAT = 2


class Representation:
    """An answer's bytes with its validators, worked out once: kept answers are replayed many times."""

    __slots__ = ("body", "content_type", "last_modified", "status", "etag", "http_last_modified")

    def __init__(
        self, body: bytes, content_type: str, last_modified: datetime | None = None, status: int = 200
    ):
        self.body, self.content_type, self.status = body, content_type, status
        self.last_modified = last_modified
        self.etag = f'"{hashlib.sha256(body).hexdigest()[:40]}"'
        self.http_last_modified = http_date(last_modified.timestamp()) if last_modified else None

    def __getstate__(self):
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, value)


def as_json(data, *, last_modified: datetime | None = None, status: int = 200) -> Representation:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Representation(body, JSON, last_modified, status)


def as_markdown(text: str, *, last_modified: datetime | None = None) -> Representation:
    return Representation(text.encode("utf-8"), MARKDOWN, last_modified)


def respond(request, representation: Representation, *, headers=None) -> HttpResponse:
    """The representation, or 304 when the request's If-None-Match / If-Modified-Since still hold."""
    response = HttpResponse(
        representation.body, status=representation.status, content_type=representation.content_type
    )
    if representation.status == 200:
        response["ETag"] = representation.etag
        if representation.http_last_modified is not None:
            response["Last-Modified"] = representation.http_last_modified
    # Always ask again, cheaply with the validators: cards change whenever a suggestion is accepted.
    response["Cache-Control"] = "no-cache"
    # A moderator's token sees more of suggestions and discussions than anyone else.
    response["Vary"] = "Authorization"
    for name, value in (headers or {}).items():
        response[name] = value
    if representation.status != 200 or not any(name in request.META for name in _CONDITIONS):
        return response
    last_modified = representation.last_modified
    return get_conditional_response(
        request,
        etag=representation.etag,
        last_modified=int(last_modified.timestamp()) if last_modified else None,
        response=response,
    )


def shared(request, scopes: list[str], name: str, make) -> HttpResponse:
    """`make()`'s representation, kept for everyone until `scopes` change; `make` may raise ApiError
    or Http404, which are answered and never kept."""
    representation = shared_parts(scopes, f"api:{ENTRY_FORMAT}:{name}", make)
    door.keep(request, representation)
    return respond(request, representation)
