"""CORS: any site's scripts may read the API (no credentials), none may write to it."""

import pytest
from django.test import Client

from tests.api_contract import ApiClient
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

ORIGIN = {"Origin": "https://leaderboard.example"}


def test_reads_allow_any_origin_without_credentials_and_expose_the_validators(card):
    for path in (
        "/api/v1/cards/",
        "/api/v1/cards/sample/",
        "/api/v1/cards/sample/README.md",
        "/api/v1/schema/",
    ):
        response = Client().get(path, headers=ORIGIN)
        assert response["Access-Control-Allow-Origin"] == "*", path
        assert "Access-Control-Allow-Credentials" not in response
        assert "ETag" in response["Access-Control-Expose-Headers"]


def test_errors_of_reads_are_readable_across_origins_too(card):
    response = Client().get("/api/v1/cards/no-such-card/", headers=ORIGIN)
    assert response.status_code == 404 and response["Access-Control-Allow-Origin"] == "*"


def test_a_preflight_for_a_read_is_allowed(card):
    response = Client().options(
        "/api/v1/cards/sample/",
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert "Authorization" in response["Access-Control-Allow-Headers"]


def test_a_preflight_for_a_write_is_given_no_cors_headers(card):
    response = Client().options(
        "/api/v1/suggestions/",
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 204
    assert not [name for name in response.headers if name.lower().startswith("access-control-")]
    assert "POST" in response["Allow"]


def test_writes_carry_no_cors_headers_and_a_simple_cross_site_post_is_refused(card):
    api = ApiClient(Client())
    body = {"card": "sample", "base_version": 1, "text": SAMPLE_README + "\nx\n", "summary": "s"}
    created = api.post("/api/v1/suggestions/", body, headers=ORIGIN)
    assert created.status_code == 201
    assert "Access-Control-Allow-Origin" not in created
    # A browser sends a form-encoded or text/plain POST without asking first: it is never read.
    simple = Client().post("/api/v1/suggestions/", "x", content_type="text/plain", headers=ORIGIN)
    assert simple.status_code == 415 and "Access-Control-Allow-Origin" not in simple


def test_plain_options_says_what_an_address_takes(card):
    assert Client().options("/api/v1/cards/").get("Allow") == "GET, HEAD, OPTIONS"
    assert Client().options("/api/v1/nowhere/").status_code == 404


def test_the_site_itself_stays_without_cors(card):
    assert "Access-Control-Allow-Origin" not in Client().get("/cards/sample.json", headers=ORIGIN)
