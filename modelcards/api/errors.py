"""The API's one error shape, `{"error": {"code", "message", "fields"?}}`, and the exceptions raising it.

Every 4xx and 5xx under /api/ has this shape: endpoints raise `ApiError`, the framework's own
refusals are turned into it by the handlers below, and whatever the rest of the site answers (a 404
for an unknown address, a 500) by `middleware.ApiBoundaryMiddleware`.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

# The code a status gets when nothing more precise is known.
CODES = {
    400: "invalid_request",
    401: "authentication_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    410: "gone",
    412: "precondition_failed",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "server_error",
}
MESSAGES = {
    400: "The request could not be read.",
    401: "This needs a valid API token.",
    403: "This token may not do that.",
    404: "There is nothing at this address.",
    405: "This address does not take that method.",
    406: "This address cannot answer in a form the request accepts.",
    409: "The request conflicts with the current state.",
    410: "This is no longer shown here.",
    412: "A precondition of the request did not hold.",
    413: "The request body is too large.",
    415: "Send the body as JSON (Content-Type: application/json).",
    429: "Too many requests; try again later.",
    500: "Something went wrong on our side; the request changed nothing it could not finish.",
}
CONTENT_TYPE = "application/json"


class ApiError(Exception):
    """A refusal with its status, a stable `code` for programs and a `message` for people."""

    def __init__(self, status: int, code: str, message: str, *, fields=None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = fields or {}
        self.headers = headers or {}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    error = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def error_response(status: int, code: str = "", message: str = "", *, fields=None, headers=None):
    body = error_body(code or CODES.get(status, "error"), message or MESSAGES.get(status, ""), fields)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False).encode("utf-8"),
        status=status,
        content_type=f"{CONTENT_TYPE}; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def is_error_shaped(response) -> bool:
    return response.get("Content-Type", "").startswith(CONTENT_TYPE)


def install_handlers(api) -> None:
    """Give the framework's exceptions the API's shape."""

    def api_error(request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, fields=exc.fields, headers=exc.headers)

    def validation_error(request, exc: ValidationError):
        return error_response(
            400, "invalid_request", "Some values are missing or not what this takes.", fields=fields_of(exc)
        )

    def http_error(request, exc: HttpError):
        status = exc.status_code
        return error_response(status, CODES.get(status, "error"), str(exc) or MESSAGES.get(status, ""))

    def not_found(request, exc: Http404):
        return error_response(404, "not_found", str(exc) or MESSAGES[404])

    def unexpected(request, exc: Exception):
        # Django logs it and answers a 500, which the boundary middleware gives the API's shape.
        raise exc

    api.add_exception_handler(ApiError, api_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(AuthenticationError, http_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(Exception, unexpected)


def fields_of(exc: ValidationError) -> dict[str, list[str]]:
    """The framework's located errors as {field: [messages]}: `text`, `limit`, `card`, or `body` for
    a body that is not an object at all."""
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "text") -> "text"; ("query", "limit") -> "limit"
        if location[:1] == ["body"]:
            location = location[2:] or ["body"]
        elif location[:1] in (["query"], ["path"], ["header"]):
            location = location[1:]
        name = ".".join(location) or "request"
        fields.setdefault(name, []).append(_message(error))
    return fields


def _message(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "This field is not part of the request; leave it out."
    if kind == "missing":
        return "This field is required."
    return str(error.get("msg", "Not a valid value."))
