"""Bad input to the API: every refusal is a 4xx in the one documented JSON shape, never a 500 or an
HTML page, whatever arrives (malformed JSON, wrong types, unknown fields, an over-large body, a
wrong content type, a token that cannot be used or lacks the scope, odd addresses)."""

import json

import pytest
from django.test import Client

from modelcards.api.middleware import MAX_BODY_BYTES
from tests.api_contract import ApiClient, token_for
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

URL = "/api/v1/suggestions/"
VALID = {"card": "sample", "base_version": 1, "text": SAMPLE_README + "\nNew.\n", "summary": "s"}


@pytest.fixture
def api(card):
    return ApiClient(Client())


def _code(response, status: int) -> str:
    assert response.status_code == status, response.content[:300]
    return response.json()["error"]["code"]


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b'{"card": "sample",}',
        b"not json",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b"\xff\xfe{}",
        b"[" * 100_000,
    ],
)
def test_malformed_json_is_a_400_saying_so(api, raw):
    assert _code(api.post(URL, raw=raw), 400) == "malformed_json"


@pytest.mark.parametrize("raw", [b"", b"null", b"[]", b'"text"', b"42", b"{}"])
def test_a_body_that_is_not_a_suggestion_object_is_a_400_with_fields(api, raw):
    # Django's test client leaves out the Content-Type of an empty body unless told.
    response = api.client.generic(
        "POST", URL, raw, content_type="application/json", CONTENT_TYPE="application/json"
    )
    assert _code(response, 400) == "invalid_request"
    assert response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"base_version": "1"}, "base_version"),
        ({"base_version": 1.5}, "base_version"),
        ({"base_version": True}, "base_version"),
        ({"base_version": 0}, "base_version"),
        ({"text": 7}, "text"),
        ({"text": ["a"]}, "text"),
        ({"summary": None}, "summary"),
        ({"card": {"slug": "sample"}}, "card"),
        ({"watch": "yes"}, "watch"),
        ({"section": -1}, "section"),
        ({"colour": "blue"}, "colour"),
        ({"csrfmiddlewaretoken": "x"}, "csrfmiddlewaretoken"),
    ],
)
def test_wrong_types_and_unknown_fields_are_refused_by_name(api, change, field):
    response = api.post(URL, {**VALID, **change})
    assert _code(response, 400) == "invalid_request"
    assert field in response.json()["error"]["fields"], response.json()


def test_a_huge_number_is_refused_not_sent_to_the_database(api):
    response = api.post(URL, {**VALID, "base_version": 10**30, "section": 10**30})
    assert response.status_code == 400


def test_an_over_large_body_is_a_413_before_it_is_read(api):
    declared = api.client.generic(
        "POST", URL, b"{}", content_type="application/json", CONTENT_LENGTH=str(MAX_BODY_BYTES + 1)
    )
    assert _code(declared, 413) == "body_too_large"
    sent = api.post(URL, {**VALID, "text": "x" * (MAX_BODY_BYTES + 10)})
    assert _code(sent, 413) == "body_too_large"
    assert str(MAX_BODY_BYTES) in declared.json()["error"]["message"].replace(",", "")


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
        "application/json; charset=utf-7",
        "application/xml",
        "",
    ],
)
def test_a_body_that_is_not_json_in_utf8_is_a_415(api, content_type):
    response = api.client.generic("POST", URL, json.dumps(VALID).encode(), content_type=content_type)
    assert _code(response, 415) == "unsupported_media_type"


def test_json_declared_as_utf8_is_read(api):
    response = api.post(URL, VALID, content_type="application/json; charset=UTF-8")
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Basic dXNlcjpwYXNz", "invalid_token"),
        ("Bearer", "invalid_token"),
        ("Bearer ", "invalid_token"),
        ("Bearer mcc_ünïcödé", "invalid_token"),
        ("Bearer " + "x" * 5000, "invalid_token"),
        ("Token abc", "invalid_token"),
    ],
)
def test_an_authorization_header_that_is_not_a_known_bearer_token_is_a_401(api, header, code):
    response = api.get("/api/v1/cards/", headers={"Authorization": header})
    assert _code(response, 401) == code


def test_revoked_and_expired_tokens_say_which_they_are(api, user):
    from datetime import timedelta

    revoked = ApiClient(Client(), token_for(user, revoked=True)).get("/api/v1/cards/")
    expired = ApiClient(Client(), token_for(user, expires_in=timedelta(seconds=-5))).get("/api/v1/cards/")
    assert _code(revoked, 401) == "token_revoked" and _code(expired, 401) == "token_expired"


def test_a_token_without_the_scope_is_a_403_naming_the_scope(api, user):
    response = ApiClient(Client(), token_for(user, "read")).post(URL, VALID)
    assert _code(response, 403) == "insufficient_scope"
    assert "suggest" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cards/?limit=0",
        "/api/v1/cards/?limit=101",
        "/api/v1/cards/?limit=ten",
        "/api/v1/cards/?mof=7",
        "/api/v1/cards/?flagged=maybe",
        "/api/v1/cards/?sort=random",
        "/api/v1/cards/?cursor=%%%",
        "/api/v1/cards/?cursor=eyJhIjoxfQ",
        "/api/v1/cards/?cursor=WyJ1cGRhdGVkIiwgWzEsIDJdXQ",
        "/api/v1/cards/?q=%00",
        "/api/v1/cards/?page=2",
        "/api/v1/cards/sample/versions/?cursor=WyJudW1iZXIiLCBbLTFdXQ",
        "/api/v1/cards/sample/?format=xml",
        "/api/v1/suggestions/?status=everything",
        "/api/v1/suggestions/?held=perhaps",
    ],
)
def test_bad_query_parameters_are_a_400(api, path):
    assert api.get(path).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nothing-here/",
        "/api/v1/cards/sample/versions/abc/",
        "/api/v1/cards/no-such-card/",
        "/api/v1/cards/" + "a" * 300 + "/",
        "/api/v1/cards/sample/discussions/999999999999999999999/",
        "/api/v1/suggestions/99999999999999999999999/",
        "/api/v1/suggestions/0/",
        "/api/v1/cards/sample/diff/1/99999999999/",
    ],
)
def test_addresses_that_name_nothing_are_json_404s(api, path):
    assert _code(api.get(path), 404) == "not_found"


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_methods_an_address_does_not_take_are_json_405s_with_allow(api, method):
    response = api.client.generic(method, "/api/v1/cards/sample/", b"{}", content_type="application/json")
    assert _code(response, 405) == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_a_post_to_a_read_only_address_is_a_405(api):
    assert _code(api.client.post("/api/v1/cards/", b"{}", content_type="application/json"), 405) == (
        "method_not_allowed"
    )


def test_a_failed_precondition_is_a_json_412(api):
    response = api.client.get("/api/v1/cards/sample/", headers={"If-Match": '"not-the-etag"'})
    assert _code(response, 412) == "precondition_failed"


def test_an_unexpected_failure_is_a_json_500_not_an_html_page(monkeypatch, card):
    from modelcards.api import cards

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cards, "card_document", broken)
    response = Client(raise_request_exception=False).get("/api/v1/cards/sample/")
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "server_error", "message": response.json()["error"]["message"]}
    }
    assert "boom" not in response.content.decode()


def test_site_refusals_under_the_api_take_its_shape_too(api):
    """The site's own refusals (here a NUL in a cookie) come back as the API's JSON, not HTML."""
    api.client.cookies["sessionid"] = "a\x00b"
    response = api.client.get("/api/v1/cards/")
    assert response.status_code in (200, 400)
    assert response["Content-Type"].startswith("application/json")


def test_no_input_to_any_endpoint_makes_a_500(api, card):
    """A small fuzz: odd values in every parameter of every read, and odd bodies to the write."""
    odd = ["", " ", "-1", "0", "1e9", "99999999999999999999", "%", "\u202e", "ü", "'", '"', "../", "a" * 2000]
    paths = [
        "/api/v1/cards/",
        "/api/v1/suggestions/",
        "/api/v1/cards/sample/versions/",
        "/api/v1/cards/sample/history/",
    ]
    names = ["q", "license", "tag", "mof", "limit", "cursor", "card", "status", "held", "sort", "flagged"]
    for path in paths:
        for name in names:
            for value in odd:
                response = api.client.get(path, {name: value})
                assert response.status_code < 500 and response["Content-Type"].startswith("application/json")
    for value in odd + [None, 0, [], {}, True]:
        for field in ("card", "new_card_slug", "text", "summary", "author_name", "base_version", "section"):
            response = api.client.post(
                URL, json.dumps({**VALID, field: value}), content_type="application/json"
            )
            assert response.status_code < 500, (field, value, response.content[:200])
