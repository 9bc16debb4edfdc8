"""Who may read and do what through the API: every endpoint, for every kind of caller.

Callers: no token; a registered person's read, suggest and moderate tokens (the last held by someone
who is not a moderator); a moderator's read and moderate tokens; revoked, expired and unknown tokens.
Each answer is also checked against the API's OpenAPI description (tests/api_contract.py).
"""

import pytest

from tests import api_contract
from tests.api_contract import SUGGESTED, ApiClient
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db
api_world = api_contract.api_world

CALLERS = ("anonymous", "read", "suggest", "moderate_not_moderator", "moderator_read", "moderator")
BROKEN = {"revoked": "token_revoked", "expired": "token_expired", "unknown": "invalid_token"}
SEES_HIDDEN = {"moderator"}


def _client(client, world, caller):
    if caller == "anonymous":
        return ApiClient(client)
    if caller == "unknown":
        return ApiClient(client, "mcc_not-a-token-anyone-was-given")
    return ApiClient(client, world["tokens"][caller])


def _reads(world):
    """Every GET endpoint, with the status each caller gets: 200 unless listed."""
    slug, held, visible = world["card"].slug, world["held"].pk, world["visible"].pk
    hidden_only = {caller: 404 for caller in CALLERS if caller not in SEES_HIDDEN}
    return {
        "/api/v1/": {},
        "/api/v1/schema/": {},
        "/api/v1/cards/": {},
        f"/api/v1/cards/{slug}/": {},
        f"/api/v1/cards/{slug}/README.md": {},
        f"/api/v1/cards/{slug}/versions/": {},
        f"/api/v1/cards/{slug}/versions/1/": {},
        f"/api/v1/cards/{slug}/versions/2/README.md": {},
        f"/api/v1/cards/{slug}/diff/1/2/": {},
        f"/api/v1/cards/{slug}/history/": {},
        f"/api/v1/cards/{slug}/discussions/": {},
        f"/api/v1/cards/{slug}/discussions/{world['thread'].pk}/": {},
        f"/api/v1/cards/{slug}/discussions/{world['hidden_thread'].pk}/": hidden_only,
        "/api/v1/suggestions/?status=all": {},
        f"/api/v1/suggestions/{visible}/": {},
        f"/api/v1/suggestions/{visible}/comments/": {},
        f"/api/v1/suggestions/{held}/": hidden_only,
        f"/api/v1/suggestions/{held}/comments/": hidden_only,
        # Listing only the held needs a moderator's moderate token: anonymous callers are asked for one.
        "/api/v1/suggestions/?held=true": {
            "anonymous": 401,
            "read": 403,
            "suggest": 403,
            "moderate_not_moderator": 403,
            "moderator_read": 403,
        },
    }


@pytest.mark.parametrize("caller", CALLERS)
def test_every_read_answers_each_caller_as_decided(client, api_world, caller):
    api = _client(client, api_world, caller)
    for path, exceptions in _reads(api_world).items():
        response = api.get(path)
        assert response.status_code == exceptions.get(caller, 200), (caller, path, response.content[:300])


@pytest.mark.parametrize("caller", sorted(BROKEN))
def test_a_token_that_cannot_be_used_is_refused_everywhere_with_its_reason(client, api_world, caller):
    api = _client(client, api_world, caller)
    for path in _reads(api_world):
        if path.endswith("/schema/"):
            continue  # the description itself is public, like the docs page
        response = api.get(path)
        assert response.status_code == 401, (path, response.status_code)
        assert response.json()["error"]["code"] == BROKEN[caller]
        assert response["WWW-Authenticate"].startswith("Bearer")
    created = api.post("/api/v1/suggestions/", _new_suggestion(api_world))
    assert created.status_code == 401
    assert created.json()["error"]["code"] == BROKEN[caller]


def _new_suggestion(world):
    return {
        "card": world["card"].slug,
        "base_version": 2,
        "text": SAMPLE_README + "\nA second version.\n" + SUGGESTED,
        "summary": "Add a sentence",
    }


FILES = {
    "anonymous": 201,
    "read": 403,
    "suggest": 201,
    "moderate_not_moderator": 201,
    "moderator_read": 403,
    "moderator": 201,
}


@pytest.mark.parametrize("caller", CALLERS)
def test_filing_a_suggestion_needs_the_suggest_scope_or_no_token(client, api_world, caller):
    response = _client(client, api_world, caller).post("/api/v1/suggestions/", _new_suggestion(api_world))
    assert response.status_code == FILES[caller], response.content
    if response.status_code == 403:
        assert response.json()["error"]["code"] == "insufficient_scope"
    else:
        body = response.json()
        assert (body["access_token"] is None) == (caller != "anonymous")
        assert body["author"]["registered"] == (caller != "anonymous")


@pytest.mark.parametrize("caller", CALLERS)
def test_held_suggestions_and_hidden_comments_show_only_to_moderators(client, api_world, caller):
    api = _client(client, api_world, caller)
    listed = {row["id"] for row in api.get("/api/v1/suggestions/", status="all").json()["results"]}
    assert (api_world["held"].pk in listed) == (caller in SEES_HIDDEN)
    assert api_world["visible"].pk in listed
    comments = api.get(f"/api/v1/suggestions/{api_world['visible'].pk}/comments/").json()["results"]
    assert [c["body"] for c in comments] == (["shown", "hidden"] if caller in SEES_HIDDEN else ["shown"])
    slug = api_world["card"].slug
    threads = api.get(f"/api/v1/cards/{slug}/discussions/").json()["results"]
    assert len(threads) == (2 if caller in SEES_HIDDEN else 1)
    thread = api.get(f"/api/v1/cards/{slug}/discussions/{api_world['thread'].pk}/").json()
    assert thread["thread"]["comment_count"] == (2 if caller in SEES_HIDDEN else 1)
    assert len(thread["comments"]) == thread["thread"]["comment_count"]


def test_a_held_suggestions_author_sees_it_with_its_private_key(client, api_world):
    api = ApiClient(client)
    held = api_world["held"]
    assert api.get(f"/api/v1/suggestions/{held.pk}/").status_code == 404
    assert api.get(f"/api/v1/suggestions/{held.pk}/", token="wrong").status_code == 404
    shown = api.get(f"/api/v1/suggestions/{held.pk}/", token="held-private-key")
    assert shown.status_code == 200 and shown.json()["held"] is True


def test_a_signed_in_author_sees_their_own_held_suggestion_with_any_token(client, api_world):
    api_world["visible"].held = True
    api_world["visible"].save(update_fields=["held"])
    api = ApiClient(client, api_world["tokens"]["read"])
    assert api.get(f"/api/v1/suggestions/{api_world['visible'].pk}/").status_code == 200
    listed = {row["id"] for row in api.get("/api/v1/suggestions/").json()["results"]}
    assert api_world["visible"].pk in listed and api_world["held"].pk not in listed


def test_a_session_cookie_counts_for_nothing_on_the_api(client, api_world):
    """Only tokens speak for someone: a moderator's session sees what anonymous callers see."""
    client.force_login(api_world["moderator"])
    api = ApiClient(client)
    assert api.get(f"/api/v1/suggestions/{api_world['held'].pk}/").status_code == 404
    response = api.post("/api/v1/suggestions/", _new_suggestion(api_world))
    assert response.status_code == 201 and response.json()["author"]["registered"] is False


def test_a_token_whose_owner_was_deactivated_opens_nothing(client, api_world):
    api_world["author"].is_active = False
    api_world["author"].save()
    response = ApiClient(client, api_world["tokens"]["read"]).get("/api/v1/cards/")
    assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_token"


def test_a_demoted_moderators_moderate_token_no_longer_shows_held_suggestions(client, api_world):
    api = ApiClient(client, api_world["tokens"]["moderator"])
    assert api.get(f"/api/v1/suggestions/{api_world['held'].pk}/").status_code == 200
    api_world["moderator"].groups.clear()
    assert api.get(f"/api/v1/suggestions/{api_world['held'].pk}/").status_code == 404
