"""The API's history of a card: versions, the README.md at any of them, history rows, diffs (bounded
as the site's are), each with validators, at a cost that does not grow with the history."""

import pytest
from django.core.cache import cache

from modelcards import diffing
from modelcards.history import compare_versions
from tests.api_contract import ApiClient, token_for
from tests.conftest import SAMPLE_README
from tests.factories import add_versions, text_of_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    return ApiClient(client)


def test_versions_list_newest_first_with_where_to_read_each(api, card, edit_card):
    edit_card(card, SAMPLE_README + "\nTwo.\n")
    rows = api.get("/api/v1/cards/sample/versions/").json()["results"]
    assert [row["number"] for row in rows] == [2, 1]
    assert rows[0]["readme"] == "/api/v1/cards/sample/versions/2/README.md"
    assert rows[0]["size_delta"] == len(b"\nTwo.\n")


def test_a_versions_walk_pages_by_cursor_and_survives_new_versions(api, card, edit_card):
    add_versions(card, 7)
    card.refresh_from_db()
    seen, cursor, added = [], None, False
    for _page in range(20):  # a cursor that does not move on would otherwise loop for ever
        body = api.get(
            "/api/v1/cards/sample/versions/", limit=3, **({"cursor": cursor} if cursor else {})
        ).json()
        seen += [row["number"] for row in body["results"]]
        if not added:
            edit_card(card, text_of_version(SAMPLE_README, 7) + "Eight.\n")
            added = True
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [7, 6, 5, 4, 3, 2, 1]


def test_history_names_who_wrote_and_who_accepted_and_why(api, card, make_user, moderator):
    from modelcards.workflow import accept_suggestion, submit_suggestion, text_fingerprint

    author = make_user("writer")
    suggestion = submit_suggestion(
        card=card, text=SAMPLE_README + "\nBetter.\n", summary="Improve", base_version=1, author=author
    )
    accept_suggestion(
        suggestion, reviewer=moderator, seen_fingerprint=text_fingerprint(suggestion.text), seen_version=1
    )
    newest = api.get("/api/v1/cards/sample/history/").json()["results"][0]
    assert newest["kind"] == "suggestion" and newest["summary"] == "Improve"
    assert newest["author"] == {"name": "writer", "registered": True, "profile": "/users/writer/"}
    assert newest["moderator"]["name"] == "mod"
    assert newest["suggestion"] == suggestion.pk


def test_a_version_shows_its_metadata_and_openness_as_they_were(api, card, edit_card):
    edit_card(card, SAMPLE_README.replace("license: apache-2.0", "license: mit"))
    old = api.get("/api/v1/cards/sample/versions/1/").json()
    new = api.get("/api/v1/cards/sample/versions/2/").json()
    assert old["metadata"]["license"] == "apache-2.0" and new["metadata"]["license"] == "mit"
    assert old["current"] is False and new["current"] is True
    assert old["next"] == 2 and old["previous"] is None
    assert old["openness"]["licence_type"] == "permissive"


def test_the_readme_at_a_version_is_that_versions_file(api, card, edit_card):
    edit_card(card, SAMPLE_README + "\nTwo.\n")
    assert api.get("/api/v1/cards/sample/versions/1/README.md").content == SAMPLE_README.encode()
    assert (
        api.get("/api/v1/cards/sample/versions/2/README.md").content == (SAMPLE_README + "\nTwo.\n").encode()
    )


@pytest.mark.parametrize(
    "path", ["versions/3/", "versions/0/", "versions/99999999999999999999/README.md", "diff/1/3/"]
)
def test_a_version_the_card_does_not_have_is_a_404(api, card, edit_card, path):
    edit_card(card, SAMPLE_README + "\nTwo.\n")
    response = api.get(f"/api/v1/cards/sample/{path}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_a_diff_has_the_metadata_changes_and_the_lines_of_the_site_diff(api, card, edit_card):
    changed = SAMPLE_README.replace("- demo\n", "- demo\n- asr-audit\n") + "\nAdded line.\n"
    edit_card(card, changed)
    body = api.get("/api/v1/cards/sample/diff/1/2/").json()
    assert body["identical"] is False
    assert {"path": "tags", "kind": "added", "old": "", "new": "asr-audit"} in body["metadata"]["changes"]
    assert body["front_matter"]["added"] == 1
    rows = [row for hunk in body["body"]["hunks"] for row in hunk["rows"] if row["kind"] == "insert"]
    assert any(row["new"][0]["text"] == "Added line." for row in rows)
    # Line numbers are the whole README.md's, as on the site's diff page.
    site = compare_versions(card, *card.versions.order_by("number"), unified=False)
    assert [h["new_start"] for h in body["body"]["hunks"]] == [h.new_start for h in site.body.hunks]
    backwards = api.get("/api/v1/cards/sample/diff/2/1/").json()
    assert backwards["body"]["removed"] == body["body"]["added"]
    same = api.get("/api/v1/cards/sample/diff/2/2/").json()
    assert same["identical"] is True and same["body"]["hunks"] == []


def test_a_diff_too_large_to_show_says_so_with_its_counts(api, card, edit_card, monkeypatch):
    monkeypatch.setattr(diffing, "MAX_DIFF_ROWS", 3)
    edit_card(card, SAMPLE_README + "".join(f"\nline {n}\n" for n in range(10)))
    monkeypatch.setattr(
        "modelcards.history.diff_texts", lambda *a, **k: diffing.diff_texts(*a, **{**k, "max_rows": 3})
    )
    body = api.get("/api/v1/cards/sample/diff/1/2/").json()["body"]
    assert body["too_large"] is True and body["hunks"] == [] and body["added"] == 20


def _queries(api, path, django_assert_max_num_queries, budget):
    cache.clear()
    with django_assert_max_num_queries(budget) as captured:
        assert api.get(path).status_code == 200, path
    return len(captured)


PATHS = [
    "/api/v1/cards/sample/versions/",
    "/api/v1/cards/sample/history/",
    "/api/v1/cards/sample/versions/1/",
    "/api/v1/cards/sample/versions/1/README.md",
    "/api/v1/cards/sample/diff/1/2/",
]


def test_every_history_endpoint_costs_the_same_at_2_and_30_versions(
    client, card, edit_card, make_card, user, django_assert_max_num_queries
):
    api = ApiClient(client, token_for(user))
    short = make_card("short")
    edit_card(short, SAMPLE_README + "\nTwo.\n")
    add_versions(card, 30)
    api.get("/api/v1/")  # a token's use is recorded at most every few minutes: not in what is counted
    for path in PATHS:
        few = _queries(api, path.replace("/sample/", "/short/"), django_assert_max_num_queries, 6)
        many = _queries(api, path, django_assert_max_num_queries, 6)
        assert few == many, path
