"""The answers each kind of endpoint documents, for its OpenAPI description."""

from .schemas.common import ErrorBody

READ_ERRORS = (400, 401, 404)
_DESCRIPTIONS = {
    200: "OK",
    201: "Created",
    304: "Not modified: the If-None-Match or If-Modified-Since of the request still holds.",
    400: "Bad input: an unknown parameter, a value of the wrong type, malformed JSON, a bad cursor.",
    401: "The token is unknown, revoked or expired (or one is needed).",
    403: "The token lacks the scope, or the account may not do this (blocked, not a moderator).",
    404: "No such card, version, suggestion or thread (or not one the caller may see).",
    409: "In conflict with the current state: the card exists, or the text is the card's own.",
    410: "Hidden: the moderators hid the text of this version (or of one side of this diff).",
    413: "The body is larger than the documented limit.",
    415: "The body is not JSON in UTF-8.",
    429: "Rate limited: wait for the seconds in Retry-After.",
}


def reading(schema, *errors: int) -> dict:
    """A GET: its schema, 304 for conditional requests, and its refusals."""
    return {200: schema, 304: None, **dict.fromkeys(errors or READ_ERRORS, ErrorBody)}


def described(status: int) -> str:
    return _DESCRIPTIONS.get(status, "")
