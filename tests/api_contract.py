"""Test helpers for the API: a client that checks every answer against the API's own OpenAPI
description (status declared, body valid against the declared schema, the one error shape), and
people holding tokens of each scope."""

from __future__ import annotations

import copy
import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from accounts.api_tokens import issue_token, revoke_token
from modelcards.api.v1 import api
from modelcards.models import Suggestion, TalkThread

BASE = "urn:mcc-api"


def _strict(schema: dict) -> dict:
    """The description with every object of known properties closed: an answer may not carry a field
    the description does not mention (clients would otherwise meet it undocumented)."""
    strict = copy.deepcopy(schema)
    for component in strict["components"]["schemas"].values():
        if "properties" in component and "additionalProperties" not in component:
            component["additionalProperties"] = False
    text = json.dumps(strict).replace('"$ref": "#/', f'"$ref": "{BASE}#/')
    return json.loads(text)


SCHEMA = json.loads(json.dumps(api.get_openapi_schema()))  # as served: JSON keys are text
STRICT = _strict(SCHEMA)
REGISTRY = Registry().with_resource(BASE, Resource.from_contents(STRICT, default_specification=DRAFT202012))
# The description does not describe itself.
UNDESCRIBED = ("/api/v1/schema/",)
ERROR_SCHEMA = {"$ref": f"{BASE}#/components/schemas/ErrorBody"}
_TEMPLATES = [
    (re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(route)) + "$"), route)
    for route in SCHEMA["paths"]
]


def operation(method: str, path: str) -> tuple[str, dict] | None:
    """The described operation answering `method` at `path` (a concrete path, no query)."""
    for pattern, route in _TEMPLATES:
        if pattern.match(path) and method in SCHEMA["paths"][route]:
            return route, STRICT["paths"][route][method]
    return None


def validate(schema: dict, instance) -> None:
    errors = sorted(Draft202012Validator(schema, registry=REGISTRY).iter_errors(instance), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def check(response, method: str, path: str):
    """Fail unless `response` is what the description promises for `method` `path`; returns it."""
    status = response.status_code
    assert status < 500, f"{method.upper()} {path} answered {status}: {response.content[:500]!r}"
    content_type = response.get("Content-Type", "")
    found = operation(method, path.split("?")[0])
    if status >= 400:
        assert content_type.startswith("application/json"), (status, content_type, response.content[:200])
        validate(ERROR_SCHEMA, json.loads(response.content))
        if found is not None:
            assert str(status) in found[1]["responses"], f"{method} {path}: status {status} not described"
        return response
    if path.split("?")[0] in UNDESCRIBED:
        assert json.loads(response.content)["openapi"] == "3.1.0"
        return response
    assert found is not None, f"no described operation for {method.upper()} {path}"
    route, described = found
    assert str(status) in described["responses"], f"{method.upper()} {route}: {status} is not described"
    answer = described["responses"][str(status)]
    if status == 304:
        assert response.content == b""
        return response
    if method == "head":
        return response
    media = content_type.split(";")[0]
    assert media in answer["content"], f"{route}: {media} is not a described content type"
    if media == "application/json":
        validate(answer["content"][media]["schema"], json.loads(response.content))
    return response


class ApiClient:
    """Django's test client speaking to /api/v1/, with an optional token, checking every answer."""

    def __init__(self, client, secret: str | None = None):
        self.client, self.secret = client, secret

    def _headers(self, headers):
        headers = dict(headers or {})
        if self.secret:
            headers.setdefault("Authorization", f"Bearer {self.secret}")
        return headers

    def get(self, path: str, *, headers=None, **params):
        response = self.client.get(path, params or None, headers=self._headers(headers))
        return check(response, "get", path)

    def head(self, path: str, *, headers=None):
        return check(self.client.head(path, headers=self._headers(headers)), "head", path)

    def post(
        self,
        path: str,
        data=None,
        *,
        raw: bytes | str | None = None,
        content_type="application/json",
        headers=None,
    ):
        body = raw if raw is not None else json.dumps(data)
        response = self.client.post(path, body, content_type=content_type, headers=self._headers(headers))
        return check(response, "post", path)

    def options(self, path: str, *, headers=None):
        return self.client.options(path, headers=self._headers(headers))


def token_for(
    user, scope: str = "read", *, expires_in: timedelta | None = None, revoked: bool = False
) -> str:
    expires_at = timezone.now() + expires_in if expires_in is not None else None
    token, secret = issue_token(user, name=f"{scope} token", scope=scope, expires_at=expires_at)
    if revoked:
        revoke_token(token)
    return secret


SUGGESTED = "\nA sentence suggested through the API.\n"


@pytest.fixture
def api_world(card, edit_card, make_user):
    """A card with two versions, its talk page (a hidden thread, a hidden comment), an open suggestion,
    a held anonymous one with its own discussion, and people holding tokens of every kind."""
    from tests.conftest import SAMPLE_README

    edit_card(card, SAMPLE_README + "\nA second version.\n", summary="Second version")
    author = make_user("author")
    moderator = make_user("mod", moderator=True)
    visible = Suggestion.objects.create(
        card=card, base_version=2, text=SAMPLE_README + "\nvisible\n", summary="visible", author=author
    )
    held = Suggestion.objects.create(
        card=card,
        base_version=2,
        text=SAMPLE_README + "\nheld\n",
        summary="held",
        author_name="Anon",
        access_token="held-private-key",
        held=True,
    )
    visible.comments.create(author=author, body="shown")
    visible.comments.create(author=moderator, body="hidden", hidden=True)
    thread = TalkThread.objects.create(card=card, title="Where is the data?", author=author)
    thread.comments.create(author=author, body="question")
    thread.comments.create(author=moderator, body="spam", hidden=True)
    hidden_thread = TalkThread.objects.create(card=card, title="spam", author=author, hidden=True)
    tokens = {
        "read": token_for(author, "read"),
        "suggest": token_for(author, "suggest"),
        # A moderate token kept by someone who is no moderator (any longer) opens nothing more.
        "moderate_not_moderator": token_for(make_user("former-mod"), "moderate"),
        "moderator_read": token_for(moderator, "read"),
        "moderator": token_for(moderator, "moderate"),
        "revoked": token_for(author, "suggest", revoked=True),
        "expired": token_for(author, "suggest", expires_in=timedelta(seconds=-1)),
    }
    return {
        "card": card,
        "author": author,
        "moderator": moderator,
        "visible": visible,
        "held": held,
        "thread": thread,
        "hidden_thread": hidden_thread,
        "tokens": tokens,
    }
