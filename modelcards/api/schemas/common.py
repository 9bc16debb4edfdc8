"""Shapes shared by every endpoint: the error, a person, a page of results."""

from typing import Any

from ninja import Schema
from pydantic import Field


class ErrorDetail(Schema):
    code: str = Field(
        description="Stable and machine-readable: invalid_request, malformed_json, invalid_cursor, "
        "authentication_required, invalid_token, token_expired, token_revoked, insufficient_scope, "
        "forbidden, blocked, not_found, method_not_allowed, conflict, no_change, precondition_failed, "
        "body_too_large, unsupported_media_type, rate_limited, server_error."
    )
    message: str = Field(description="For people: what went wrong and what to do about it.")
    fields: dict[str, list[str]] | None = Field(
        None, description="Refused input: each field's problems (`body` for the body as a whole)."
    )


class ErrorBody(Schema):
    """Every 4xx and 5xx answer of the API has this shape."""

    error: ErrorDetail


class Person(Schema):
    """Someone named on a version, suggestion or comment."""

    name: str = Field(description="The username, or the name an unregistered author gave.")
    registered: bool = Field(description="False for someone who wrote without an account.")
    profile: str | None = Field(description="Path of their profile page, for registered people.")


class PageLinks(Schema):
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
    next: str | None = Field(description="Path of the next page, same filters; null on the last page.")


JsonValue = Any


class ApiIndex(Schema):
    """Where to start."""

    name: str
    version: str
    schema_: str = Field(alias="schema", description="This API's OpenAPI 3 description.")
    docs: str = Field(description="A page listing every endpoint, made from that description.")
    cards: str
    suggestions: str
    site: str = Field(description="The site's own address.")
