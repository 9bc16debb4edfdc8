"""The API's cards: the list with the site's search and filters, cursor pages that survive inserts,
one card as the card page shows it, its README.md, validators and 304s, and constant query counts."""

import re

import pytest
from django.core.cache import cache

from modelcards.openness.report import openness_document
from tests.api_contract import ApiClient
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db


def _text(
    title: str, *, license="apache-2.0", tags=("demo",), task="text-generation", body="Some text."
) -> str:
    tag_lines = "".join(f"- {tag}\n" for tag in tags)
    return f"---\nlicense: {license}\npipeline_tag: {task}\ntags:\n{tag_lines}---\n# {title}\n\n{body}\n"


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def catalogue(make_card):
    make_card("alpha", _text("Alpha", tags=("speech", "demo")))
    make_card("beta", _text("Beta", license="mit", task="automatic-speech-recognition"))
    make_card("gamma", _text("Gamma", license="llama2", body="An open source model, they say."))
    return ["alpha", "beta", "gamma"]


def _slugs(api, **params):
    return [row["slug"] for row in api.get("/api/v1/cards/", **params).json()["results"]]


def test_the_list_filters_as_the_card_list_page_does(api, client, catalogue):
    def page_slugs(**params):
        html = client.get("/cards/", params).content.decode()
        return sorted(set(re.findall(r'href="/cards/([a-z]+)/"', html)) & set(catalogue))

    for params in (
        {},
        {"license": "mit"},
        {"pipeline_tag": "automatic-speech-recognition"},
        {"tag": "SPEECH"},
        {"licence_type": "permissive"},
        {"mof": "0"},
        {"flagged": "1"},
        {"q": "gamma"},
        {"q": "beta", "license": "apache-2.0"},
    ):
        assert sorted(_slugs(api, **params)) == page_slugs(**params), params


def test_the_list_says_what_each_card_is_without_its_text(api, catalogue):
    row = next(r for r in api.get("/api/v1/cards/").json()["results"] if r["slug"] == "beta")
    assert row["license"] == "mit" and row["pipeline_tag"] == "automatic-speech-recognition"
    assert row["url"] == "/api/v1/cards/beta/" and row["html_url"] == "/cards/beta/"
    assert row["version"] == 1 and row["mof_class_name"] == "No MOF class"


def test_newest_change_first_by_default_and_alphabetical_on_request(api, catalogue, edit_card):
    from modelcards.models import ModelCard

    edit_card(ModelCard.objects.get(slug="alpha"), _text("Alpha", tags=("speech", "demo"), body="Changed."))
    assert _slugs(api)[0] == "alpha"
    assert _slugs(api, sort="slug") == ["alpha", "beta", "gamma"]


def _walk(api, *, inserts=(), **params):
    """Every slug met walking the list page by page, running each of `inserts` after a page."""
    seen, cursor, pending = [], None, list(inserts)
    for _page in range(50):  # a cursor that does not move on would otherwise loop for ever
        extra = {"cursor": cursor} if cursor else {}
        body = api.get("/api/v1/cards/", limit=2, **params, **extra).json()
        seen += [row["slug"] for row in body["results"]]
        cursor = body["next_cursor"]
        if body["next"]:
            assert body["next"].startswith("/api/v1/cards/?") and f"cursor={cursor}" in body["next"]
        if pending:
            pending.pop(0)()
        if not cursor:
            return seen
    raise AssertionError(f"the walk did not end: {seen[:20]}")


@pytest.mark.parametrize("sort", ["updated", "slug"])
def test_a_walk_meets_every_card_once_though_cards_are_added_meanwhile(api, make_card, sort):
    for number in range(7):
        make_card(f"card-{number}", _text(f"Card {number}"))
    inserts = [lambda n=n: make_card(f"new-{n}", _text(f"New {n}")) for n in range(3)]
    seen = _walk(api, inserts=inserts, sort=sort)
    old = {f"card-{number}" for number in range(7)}
    assert len(seen) == len(set(seen)), "a card came twice"
    assert old <= set(seen), "a card that was there all along was skipped"
    if sort == "slug":  # new cards after the cursor are met on the way
        assert {"new-1", "new-2"} <= set(seen)


def test_a_search_is_paged_by_its_own_order(api, make_card):
    for number in range(5):
        make_card(f"speech-{number}", _text(f"Speech model {number}", tags=("speech",)))
    make_card("other", _text("Other"))
    seen = _walk(api, q="speech")
    assert sorted(seen) == [f"speech-{number}" for number in range(5)]


def test_a_cursor_from_another_order_is_refused(api, catalogue):
    cursor = api.get("/api/v1/cards/", limit=1).json()["next_cursor"]
    refused = api.get("/api/v1/cards/", limit=1, sort="slug", cursor=cursor)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_cursor"


def test_one_card_says_what_the_card_page_says_about_its_openness(api, make_card):
    text = open("modelcards/demo_cards/olmo-7b/README.md", encoding="utf-8").read()
    card = make_card("olmo-7b", text)
    body = api.get("/api/v1/cards/olmo-7b/").json()
    document = openness_document(card)
    for part in ("mof", "flags", "licence_lineage", "completeness", "claims", "eval_results", "disputes"):
        assert body["openness"][part] == document[part], part
    assert body["openness"]["mof"]["class"] == card.mof_class == 1
    assert body["metadata"] == card.metadata
    assert body["links"]["readme"] == "/api/v1/cards/olmo-7b/README.md"


def test_the_readme_is_the_stored_file_byte_for_byte(api, make_card):
    text = SAMPLE_README.replace("A small model", "Ünïcode model\r\n")
    make_card("bytes", text)
    response = api.get("/api/v1/cards/bytes/README.md")
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.content == text.encode("utf-8")


def test_a_conditional_get_of_an_unchanged_card_is_a_304(api, card, edit_card):
    first = api.get("/api/v1/cards/sample/")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert api.get("/api/v1/cards/sample/", headers={"If-None-Match": etag}).status_code == 304
    assert api.get("/api/v1/cards/sample/", headers={"If-Modified-Since": modified}).status_code == 304
    edit_card(card, SAMPLE_README + "\nChanged.\n")
    again = api.get("/api/v1/cards/sample/", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again["ETag"] != etag


@pytest.mark.parametrize(
    "path", ["/api/v1/cards/", "/api/v1/cards/sample/README.md", "/api/v1/cards/sample/versions/"]
)
def test_lists_and_files_carry_validators_too(api, card, path):
    first = api.get(path)
    assert first["ETag"] and first["Last-Modified"] and first["Cache-Control"] == "no-cache"
    assert api.get(path, headers={"If-None-Match": first["ETag"]}).status_code == 304
    assert api.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_new_card_changes_the_lists_validators(api, card, make_card):
    etag = api.get("/api/v1/cards/")["ETag"]
    make_card("another", _text("Another"))
    assert api.get("/api/v1/cards/", headers={"If-None-Match": etag}).status_code == 200


def test_head_answers_like_get_without_a_body(api, card):
    got, head = api.get("/api/v1/cards/sample/"), api.head("/api/v1/cards/sample/")
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == got["ETag"] and head["Content-Length"] == str(len(got.content))


def _first_request_queries(api, path, django_assert_max_num_queries, budget):
    cache.clear()  # the first visitor after a change pays the queries
    with django_assert_max_num_queries(budget) as captured:
        assert api.get(path).status_code == 200
    return len(captured)


def test_list_and_card_cost_the_same_queries_with_1_or_30_cards(
    api, make_card, django_assert_max_num_queries
):
    make_card("first", _text("First"))
    paths = ["/api/v1/cards/", "/api/v1/cards/?q=model&license=apache-2.0", "/api/v1/cards/first/"]
    small = {path: _first_request_queries(api, path, django_assert_max_num_queries, 3) for path in paths}
    for number in range(29):
        make_card(f"more-{number:02}", _text(f"Model {number}", tags=("demo", f"t{number}")))
    large = {path: _first_request_queries(api, path, django_assert_max_num_queries, 3) for path in paths}
    assert small == large


def test_a_token_costs_one_query_more_than_no_token(client, card, user, django_assert_max_num_queries):
    from tests.api_contract import token_for

    with_token = ApiClient(client, token_for(user))
    with_token.get("/api/v1/")  # its first use records itself (at most every few minutes)
    anonymous = _first_request_queries(ApiClient(client), "/api/v1/cards/", django_assert_max_num_queries, 3)
    assert (
        _first_request_queries(with_token, "/api/v1/cards/", django_assert_max_num_queries, 4)
        == anonymous + 1
    )


def test_a_repeated_anonymous_read_is_answered_from_the_cache_without_queries(
    client, card, user, django_assert_num_queries
):
    from tests.api_contract import token_for

    api = ApiClient(client)
    first = api.get("/api/v1/cards/sample/")
    with django_assert_num_queries(0):
        again = api.get("/api/v1/cards/sample/")
        assert api.get("/api/v1/cards/sample/", headers={"If-None-Match": first["ETag"]}).status_code == 304
    assert again.content == first.content and again["Access-Control-Allow-Origin"] == "*"
    # A token is checked every time, even where the answer is kept for everyone.
    secret = token_for(user, revoked=True)
    assert ApiClient(client, secret).get("/api/v1/cards/sample/").status_code == 401
