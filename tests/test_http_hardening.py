"""HTTP hardening: security headers and the CSP, CSRF on every URL, GETs that change nothing, deploy check."""

import html
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core import serializers
from django.test import Client
from django.urls import reverse

from tests import test_access
from tests.conftest import SAMPLE_README
from tests.test_access import MATRIX, _kwargs

world = test_access.world  # the access matrix's objects: a card, a suggestion, a thread, their author

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# Headers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/cards/sample/", "/cards/sample.json", "/cards/sample.md", "/changes/feed/", "/nope/"]
)
def test_every_response_carries_a_strict_csp_and_the_security_headers(client, card, path):
    response = client.get(path)
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header and "data:" not in header
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_http_only(client, user):
    response = client.post("/accounts/login/", {"username": "reader", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"]


def _deploy_check(tmp_path, **overrides):
    env = {
        key: value for key, value in os.environ.items() if key not in {"DEBUG", "DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="cards.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        **overrides,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _deploy_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_does_fail_when_production_protections_are_switched_off(tmp_path):
    """The control for the test above: the same check, with HTTPS redirect and HSTS off, must fail."""
    result = _deploy_check(tmp_path, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0", SECURE_COOKIES="0")
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr + result.stdout


# CSRF: every URL refuses a POST without the token ----------------------------------------------


def _snapshot() -> str:
    """Every row the site keeps (cards, versions, suggestions, people, history), as one string."""
    skipped = {"sessions", "contenttypes", "admin", "axes"}
    models = [model for model in apps.get_models() if model._meta.app_label not in skipped]
    return "".join(serializers.serialize("json", model._default_manager.order_by("pk")) for model in models)


def _login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(world, make_user, name):
    client = _login(Client(enforce_csrf_checks=True), make_user("mod", moderator=True))
    url = reverse(name, kwargs=_kwargs(name, world))
    data = {"text": SAMPLE_README + "\nNew.\n", "summary": "s", "body": "b", "title": "t", "note": "n"}
    data.update(reason="r", action="close", watch="1", base_version=1)
    before = _snapshot()
    response = client.post(url, data)
    assert response.status_code == 403, (name, response.status_code)
    assert _snapshot() == before


def test_the_same_post_with_the_token_goes_through(world, make_user):
    """The control for the test above: the refusal really is the missing token."""
    client = _login(Client(enforce_csrf_checks=True), make_user("mod", moderator=True))
    client.get("/cards/sample/")
    token = client.cookies["csrftoken"].value
    response = client.post("/cards/sample/watch/", {"watch": "1", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert world["card"].watches.count() == 1


def test_anonymous_forms_refuse_posts_without_the_token_too(card):
    client = Client(enforce_csrf_checks=True)
    for url, data in [
        ("/cards/sample/suggest/", {"text": SAMPLE_README + "\nX.\n", "summary": "s", "base_version": 1}),
        ("/cards/new/suggest/", {"slug": "x", "text": "# X\n", "summary": "s", "base_version": 0}),
        ("/accounts/signup/", {"username": "u", "email": "u@example.org"}),
        ("/accounts/login/", {"username": "u", "password": "p"}),
        ("/accounts/password/reset/", {"email": "u@example.org"}),
    ]:
        before = _snapshot()
        assert client.post(url, data).status_code == 403, url
        assert _snapshot() == before


def test_a_failed_csrf_check_shows_the_typed_text_back_escaped(card):
    client = Client(enforce_csrf_checks=True)
    typed = SAMPLE_README + "\nMy careful addition </textarea><script>alert(1)</script>\n"
    response = client.post(
        "/cards/sample/suggest/", {"text": typed, "summary": "Adds a caveat", "base_version": 1}
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "could not be sent" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;/textarea&gt;&lt;script&gt;" in page
    assert typed in html.unescape(page)
    assert "Adds a caveat" in page


# GET never changes anything --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "author", "moderator"])
def test_no_url_changes_anything_when_fetched_with_get(client, world, make_user, role):
    if role != "anonymous":
        client.force_login(world["author"] if role == "author" else make_user("mod", moderator=True))
    before = _snapshot()
    for name in MATRIX:
        response = client.get(reverse(name, kwargs=_kwargs(name, world)), {"watch": "1", "action": "close"})
        assert response.status_code < 500, name
    assert _snapshot() == before
