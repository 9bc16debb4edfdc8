"""Filing suggestions through the API under the suggestion form's rules, and reading them back."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from modelcards.models import Block, Suggestion, Watch
from tests.api_contract import SUGGESTED, ApiClient, token_for
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

URL = "/api/v1/suggestions/"


def _body(**overrides):
    return {
        "card": "sample",
        "base_version": 1,
        "text": SAMPLE_README + SUGGESTED,
        "summary": "Add a sentence",
        **overrides,
    }


def _anonymous(address="198.51.100.1"):
    return ApiClient(Client(REMOTE_ADDR=address))


def _fields(response):
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


def test_an_anonymous_suggestion_is_filed_and_its_private_key_shown_once(card):
    api = _anonymous()
    created = api.post(URL, _body(author_name="Ada"))
    assert created.status_code == 201
    body = created.json()
    assert created["Location"] == body["url"] == f"/api/v1/suggestions/{body['id']}/"
    suggestion = Suggestion.objects.get()
    assert body["access_token"] == suggestion.access_token and body["author"]["name"] == "Ada"
    assert body["status"] == "pending" and body["text"] == SAMPLE_README + SUGGESTED
    assert "access_token" not in api.get(body["url"]).json()
    assert suggestion.ip_hash and "198.51.100.1" not in suggestion.ip_hash


def test_a_token_files_under_its_accounts_name_and_watches_the_card_unless_asked_not_to(card, user):
    api = ApiClient(Client(), token_for(user, "suggest"))
    body = api.post(URL, _body()).json()
    assert body["author"] == {"name": "reader", "registered": True, "profile": "/users/reader/"}
    assert body["access_token"] is None
    assert Watch.objects.filter(user=user, card=card).exists()
    Watch.objects.all().delete()
    api.post(URL, _body(text=SAMPLE_README + "\nOther.\n", watch=False))
    assert not Watch.objects.exists()


def test_a_section_suggestion_is_applied_to_the_text_it_was_based_on(card):
    from modelcards.cardfile import split_sections

    uses = next(section.index for section in split_sections(SAMPLE_README) if section.title == "Uses")
    body = _anonymous().post(URL, _body(section=uses, text="## Uses\n\nSummarising long notes.\n\n")).json()
    assert "Summarising long notes." in body["text"] and "## Limitations" in body["text"]
    assert "Summarising notes." not in body["text"]
    assert body["section"] == uses


def test_a_new_card_can_be_suggested(card):
    text = "---\nlicense: mit\n---\n# Brand new\n\nA model.\n"
    body = _anonymous().post(URL, {"new_card_slug": "brand-new", "text": text, "summary": "New card"}).json()
    assert body["card"] is None and body["new_card_slug"] == "brand-new"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"card": "no-such-card"}, "card"),
        ({"base_version": 2}, "base_version"),
        ({"section": 40, "text": "## X\n"}, "section"),
        ({"summary": "two\nlines"}, "summary"),
        ({"summary": ""}, "summary"),
        ({"summary": "x" * 301}, "summary"),
        ({"author_name": "A\u202eB"}, "author_name"),
        ({"text": SAMPLE_README.replace("license: apache-2.0", "license: [a, b]")}, "text"),
        ({"text": SAMPLE_README + "\nHidden \u202e override.\n"}, "text"),
        ({"text": SAMPLE_README + "\nA NUL \x00 here.\n"}, "text"),
    ],
)
def test_the_suggestion_forms_checks_refuse_with_the_field_named(card, overrides, field):
    response = _anonymous().post(URL, _body(**overrides))
    assert field in _fields(response), response.json()
    assert not Suggestion.objects.exists()


def test_a_text_over_the_card_size_limit_is_refused_like_the_form_does(card, settings):
    settings.MODELCARDS_MAX_CARD_BYTES = 2_000
    fields = _fields(_anonymous().post(URL, _body(text=SAMPLE_README + "x" * 3_000)))
    form = Client().post("/cards/sample/suggest/", {**_body(text=SAMPLE_README + "x" * 3_000)})
    assert fields["text"] == [str(e) for e in form.context["form"].errors["text"]]


def test_a_new_card_needs_a_free_and_allowed_slug(card):
    text = "---\nlicense: mit\n---\n# X\n"
    taken = _anonymous().post(URL, {"new_card_slug": "sample", "text": text, "summary": "s"})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "conflict"
    assert "new_card_slug" in _fields(
        _anonymous().post(URL, {"new_card_slug": "con", "text": text, "summary": "s"})
    )


def test_the_cards_own_text_is_a_conflict_not_a_suggestion(card):
    response = _anonymous().post(URL, _body(text=SAMPLE_README))
    assert response.status_code == 409 and response.json()["error"]["code"] == "no_change"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"card": "sample", "new_card_slug": "x", "text": "t", "summary": "s"}, "body"),
        ({"card": "sample", "text": "t", "summary": "s"}, "body"),
        ({"new_card_slug": "x", "base_version": 1, "text": "t", "summary": "s"}, "body"),
        ({**_body(), "watch": True}, "watch"),
    ],
)
def test_a_body_that_names_the_wrong_things_is_refused(card, body, field):
    assert field in _fields(_anonymous().post(URL, body))


def test_a_token_suggestion_takes_no_author_name(card, user):
    api = ApiClient(Client(), token_for(user, "suggest"))
    assert "author_name" in _fields(api.post(URL, _body(author_name="Someone else")))


def test_where_the_site_asks_for_an_account_anonymous_filing_needs_a_token(card, user, settings):
    settings.MODELCARDS_REQUIRE_ACCOUNT_TO_SUGGEST = True
    refused = _anonymous().post(URL, _body())
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "authentication_required"
    assert ApiClient(Client(), token_for(user, "suggest")).post(URL, _body()).status_code == 201


def test_blocked_accounts_and_addresses_cannot_file(card, user, moderator):
    Block.objects.create(user=user, reason="spam", created_by=moderator)
    refused = ApiClient(Client(), token_for(user, "suggest")).post(URL, _body())
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "blocked"
    filed = _anonymous("198.51.100.9").post(URL, _body())
    Block.objects.create(
        ip_hash=Suggestion.objects.get(pk=filed.json()["id"]).ip_hash, reason="x", created_by=moderator
    )
    assert _anonymous("198.51.100.9").post(URL, _body(text=SAMPLE_README + "\nAgain.\n")).status_code == 403
    assert _anonymous("198.51.100.10").post(URL, _body(text=SAMPLE_README + "\nAgain.\n")).status_code == 201


def test_the_rate_limit_is_the_forms_and_says_when_to_come_back(card, settings):
    settings.MODELCARDS_RATE_LIMITS = {"suggest": "2/h", "comment": "2/h", "preview": "240/m"}
    assert (
        Client(REMOTE_ADDR="198.51.100.1")
        .post("/cards/sample/suggest/", _body(text=SAMPLE_README + "\n1\n"))
        .status_code
        == 302
    )
    assert _anonymous().post(URL, _body(text=SAMPLE_README + "\n2\n")).status_code == 201
    refused = _anonymous().post(URL, _body(text=SAMPLE_README + "\n3\n"))
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
    assert _anonymous("198.51.100.2").post(URL, _body(text=SAMPLE_README + "\n4\n")).status_code == 201


def test_a_link_heavy_anonymous_suggestion_is_held_as_on_the_site(card, user, settings):
    settings.MODELCARDS_HOLD_LINKS_OVER = 3
    links = "".join(f"\n[l{i}](https://spam{i}.example)\n" for i in range(5))
    body = _anonymous().post(URL, _body(text=SAMPLE_README + links)).json()
    assert body["held"] is True
    assert _anonymous().get(f"{URL}{body['id']}/").status_code == 404
    assert _anonymous().get(f"{URL}{body['id']}/", token=body["access_token"]).status_code == 200
    # An account past its first LINK_HOLD_ACCOUNT_DAYS (tests/test_signup_abuse.py has the new ones).
    user.date_joined -= timedelta(days=settings.LINK_HOLD_ACCOUNT_DAYS + 1)
    user.save(update_fields=["date_joined"])
    with_account = ApiClient(Client(), token_for(user, "suggest")).post(
        URL, _body(text=SAMPLE_README + links)
    )
    assert with_account.json()["held"] is False


def test_the_list_filters_by_card_and_status(card, make_card):
    other = make_card("other")
    Suggestion.objects.create(
        card=card, base_version=1, text="a", summary="a", status="rejected", decided_at=timezone.now()
    )
    Suggestion.objects.create(card=other, base_version=1, text="b", summary="b")
    api = _anonymous()
    assert [r["summary"] for r in api.get(URL).json()["results"]] == ["b"]
    assert [r["summary"] for r in api.get(URL, card="sample", status="all").json()["results"]] == ["a"]
    assert [r["summary"] for r in api.get(URL, status="rejected").json()["results"]] == ["a"]
    assert api.get(URL, status="decided").status_code == 400


def test_the_list_is_paged_newest_first_and_new_suggestions_never_repeat_a_row(card):
    for n in range(5):
        Suggestion.objects.create(card=card, base_version=1, text=f"{n}", summary=f"s{n}")
    api = _anonymous()
    first = api.get(URL, limit=2).json()
    Suggestion.objects.create(card=card, base_version=1, text="new", summary="new")
    rest = []
    cursor = first["next_cursor"]
    for _page in range(20):
        if not cursor:
            break
        page = api.get(URL, limit=2, cursor=cursor).json()
        rest += [r["summary"] for r in page["results"]]
        cursor = page["next_cursor"]
    assert [r["summary"] for r in first["results"]] + rest == ["s4", "s3", "s2", "s1", "s0"]


def test_a_suggestions_etag_changes_when_it_is_decided(card, moderator):
    from modelcards.workflow import reject_suggestion

    suggestion = Suggestion.objects.create(card=card, base_version=1, text="a", summary="a")
    api = _anonymous()
    etag = api.get(f"{URL}{suggestion.pk}/")["ETag"]
    assert api.get(f"{URL}{suggestion.pk}/", headers={"If-None-Match": etag}).status_code == 304
    reject_suggestion(suggestion, reviewer=moderator, note="No source.")
    decided = api.get(f"{URL}{suggestion.pk}/", headers={"If-None-Match": etag})
    assert decided.status_code == 200 and decided.json()["status"] == "rejected"
    assert decided.json()["note"] == "No source."
