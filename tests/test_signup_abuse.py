"""Sign-up abuse (issue 15 item 8): accounts per address, quotas per address, and who the link hold and
the limits treat as an anonymous visitor (unverified and new accounts)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.models import User
from modelcards import limits
from modelcards.models import CardProtection, Suggestion
from tests.api_contract import ApiClient, token_for
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Rate-limit counters live in the cache; start and leave each test with none."""
    cache.clear()
    yield
    cache.clear()


def _sign_up(address: str, name: str):
    data = {"username": name, "email": f"{name}@example.org", "password1": "a-long-pass-123"}
    return Client(REMOTE_ADDR=address).post("/accounts/signup/", {**data, "password2": data["password1"]})


def _hash(address: str) -> str:
    return limits.ip_hash(RequestFactory().get("/", REMOTE_ADDR=address))


def _aged(user, days: float):
    user.date_joined = timezone.now() - timedelta(days=days)
    user.save(update_fields=["date_joined"])
    return user


def _suggest(client, n: int, *, links: int = 0):
    extra = "".join(f"\n[l{i}](https://spam{i}.example)\n" for i in range(links))
    data = {"text": SAMPLE_README + f"\nEdit {n}.\n{extra}", "summary": f"Edit {n}", "base_version": 1}
    return client.post("/cards/sample/suggest/", data)


def _signed_in(user, address="198.51.100.1") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


# Sign-up per address ------------------------------------------------------------------------------


def test_one_address_makes_only_the_configured_number_of_accounts_then_hears_when_to_come_back(settings):
    settings.SIGNUP_PER_ADDRESS, settings.SIGNUP_WINDOW_HOURS = 3, 24
    assert [_sign_up("198.51.100.1", f"bulk{n}").status_code for n in range(3)] == [302, 302, 302]
    refused = _sign_up("198.51.100.1", "bulk3")
    assert refused.status_code == 429
    assert "Too many accounts were made from your network lately; try again in 24 hours" in (
        refused.content.decode()
    )
    assert not User.objects.filter(username="bulk3").exists()
    assert _sign_up("198.51.100.2", "neighbour").status_code == 302  # another address is not affected


def test_the_sign_up_limit_counts_stored_address_hashes_so_it_ends_with_its_window(settings):
    settings.SIGNUP_PER_ADDRESS, settings.SIGNUP_WINDOW_HOURS = 1, 24
    assert _sign_up("198.51.100.1", "first").status_code == 302
    first = User.objects.get(username="first")
    assert first.signup_ip_hash == _hash("198.51.100.1")
    cache.clear()  # the limit does not live in the cache: clearing it (or another server) changes nothing
    assert _sign_up("198.51.100.1", "second").status_code == 429
    _aged(first, days=1.1)
    assert _sign_up("198.51.100.1", "second").status_code == 302


# Suggestion limits per address, across accounts ---------------------------------------------------------


def test_many_accounts_at_one_address_share_one_suggestion_quota(card, make_user, settings):
    settings.MODELCARDS_RATE_LIMITS = {"suggest": "5/h"}
    settings.MODELCARDS_ADDRESS_RATE_LIMITS = {"suggest": "3/h"}
    first, second = _signed_in(make_user("first")), _signed_in(make_user("second"))
    assert [_suggest(first, 1).status_code, _suggest(first, 2).status_code] == [302, 302]
    assert _suggest(second, 3).status_code == 302
    refused = _suggest(second, 4)
    assert refused.status_code == 429 and "many suggestions in a short time" in refused.content.decode()
    assert _suggest(_signed_in(make_user("elsewhere"), "198.51.100.9"), 5).status_code == 302
    assert Suggestion.objects.count() == 4


def test_the_api_counts_suggestions_against_the_address_too(card, make_user, settings):
    settings.MODELCARDS_RATE_LIMITS = {"suggest": "5/h"}
    settings.MODELCARDS_ADDRESS_RATE_LIMITS = {"suggest": "2/h"}
    for n, name in enumerate(("tool1", "tool2", "tool3")):
        api = ApiClient(Client(REMOTE_ADDR="198.51.100.1"), token_for(make_user(name), "suggest"))
        body = {"card": "sample", "base_version": 1, "text": SAMPLE_README + f"\n{n}\n", "summary": "s"}
        response = api.post("/api/v1/suggestions/", body)
        assert response.status_code == (201 if n < 2 else 429)


def test_an_unverified_account_shares_the_anonymous_quota_of_its_address(card, make_user, settings):
    settings.MODELCARDS_RATE_LIMITS = {"suggest": "2/h"}
    settings.MODELCARDS_ADDRESS_RATE_LIMITS = {}
    assert _suggest(Client(REMOTE_ADDR="198.51.100.1"), 1).status_code == 302
    unverified = _signed_in(make_user("fresh", verified=False))
    assert _suggest(unverified, 2).status_code == 302
    assert _suggest(unverified, 3).status_code == 429
    assert _suggest(_signed_in(make_user("verified")), 4).status_code == 302  # its own quota


def test_a_blocked_address_also_stops_its_unverified_accounts(card, make_user, moderator):
    from modelcards.models import Block

    Block.objects.create(ip_hash=_hash("198.51.100.1"), reason="spam", created_by=moderator)
    assert _suggest(_signed_in(make_user("fresh", verified=False)), 1).status_code == 403
    assert _suggest(_signed_in(_aged(make_user("old"), 30)), 2).status_code == 302


# The link hold -------------------------------------------------------------------------------------------


@pytest.fixture
def link_hold(settings):
    settings.MODELCARDS_HOLD_LINKS_OVER = 3
    settings.LINK_HOLD_ACCOUNT_DAYS = 7


def test_an_unverified_account_is_held_for_links_like_an_anonymous_visitor(card, make_user, link_hold):
    client = _signed_in(_aged(make_user("fresh", verified=False), days=30))
    data = {
        "text": SAMPLE_README + "".join(f"\nhttps://spam{i}.example\n" for i in range(5)),
        "base_version": 1,
    }
    response = client.post("/cards/sample/suggest/", {**data, "summary": "links"}, follow=True)
    assert response.status_code == 200
    assert "held until a moderator looks at it" in response.content.decode()
    assert Suggestion.objects.get().held


def test_a_new_account_keeps_the_link_hold_until_it_is_old_enough(card, make_user, link_hold):
    newcomer = _aged(make_user("newcomer"), days=6)
    _suggest(_signed_in(newcomer), 1, links=5)
    _aged(newcomer, days=7.01)
    _suggest(_signed_in(newcomer), 2, links=5)
    assert list(Suggestion.objects.order_by("pk").values_list("held", flat=True)) == [True, False]


def test_moderators_are_never_held_whatever_their_age(card, moderator, link_hold):
    _suggest(_signed_in(moderator), 1, links=5)
    assert not Suggestion.objects.get().held


def test_the_api_holds_a_new_accounts_links_too(card, make_user, link_hold):
    links = "".join(f"\n[l{i}](https://spam{i}.example)\n" for i in range(5))
    body = {"card": "sample", "base_version": 1, "text": SAMPLE_README + links, "summary": "links"}
    new = ApiClient(Client(), token_for(make_user("new"), "suggest"))
    old = ApiClient(Client(), token_for(_aged(make_user("old"), 30), "suggest"))
    assert new.post("/api/v1/suggestions/", body).json()["held"] is True
    assert old.post("/api/v1/suggestions/", body).json()["held"] is False


# Semi-protection ---------------------------------------------------------------------------------------


def test_semi_protection_refuses_an_old_account_whose_email_is_unverified(
    card, make_user, moderator, settings
):
    settings.PROTECTION_MIN_ACCOUNT_DAYS = 4
    CardProtection.objects.create(card=card, level="semi", reason="Vandalism", created_by=moderator)
    unverified = _signed_in(_aged(make_user("old-unverified", verified=False), days=30))
    refused = unverified.get("/cards/sample/suggest/")
    assert refused.status_code == 403
    assert "with a verified email address and at least 4 days old" in refused.content.decode()
    assert (
        _signed_in(_aged(make_user("old-verified"), days=30)).get("/cards/sample/suggest/").status_code == 200
    )


def test_where_only_accounts_may_suggest_an_unverified_one_is_asked_to_verify_first(
    card, make_user, edit_card, settings
):
    settings.MODELCARDS_REQUIRE_ACCOUNT_TO_SUGGEST = True
    unverified = make_user("fresh", verified=False)
    refused = _signed_in(unverified).get("/cards/sample/suggest/")
    assert refused.status_code == 403 and "accounts with a verified email address" in refused.content.decode()
    edit_card(card, SAMPLE_README + "\nA second version.\n")
    assert _signed_in(unverified).get("/cards/sample/undo/2/").status_code == 403
    api = ApiClient(Client(), token_for(unverified, "suggest"))
    body = {"card": "sample", "base_version": 1, "text": SAMPLE_README + "\nx\n", "summary": "s"}
    answer = api.post("/api/v1/suggestions/", body)
    assert answer.status_code == 403 and "verified email address" in answer.json()["error"]["message"]
    assert _signed_in(make_user("verified")).get("/cards/sample/suggest/").status_code == 200
