"""Abuse: login throttling, rate limits, honeypots, blocks, held suggestions, and no stored IP addresses."""

import logging

import pytest
from django.apps import apps
from django.core import mail, serializers
from django.core.cache import cache
from django.test import Client

from modelcards import limits
from modelcards.models import Comment, Suggestion, TalkThread
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Rate-limit counters live in the cache; start and leave each test with none."""
    cache.clear()
    yield
    cache.clear()


def login(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# Login throttling (django-axes) ----------------------------------------------------------------


def test_repeated_failed_logins_lock_that_account_from_that_client(user, settings):
    client = Client(REMOTE_ADDR="198.51.100.1")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "reader", "wrong").status_code == 200
    assert login(client, "reader", "wrong").status_code == 429
    locked = login(client, "reader", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert not logged_in(client)
    # Neither another client nor another account of the same client is locked out by it.
    elsewhere = Client(REMOTE_ADDR="198.51.100.2")
    assert login(elsewhere, "reader", PASSWORD).status_code == 302 and logged_in(elsewhere)


def test_a_spoofed_forwarded_for_header_does_not_escape_the_lockout(user, settings):
    settings.MODELCARDS_TRUSTED_PROXY_COUNT = 0
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(
            Client(REMOTE_ADDR="198.51.100.1"), "reader", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}"
        )
    spoofing = Client(REMOTE_ADDR="198.51.100.1")
    response = login(spoofing, "reader", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429 and not logged_in(spoofing)


def test_behind_a_configured_proxy_the_forwarded_client_is_the_one_locked(user, settings):
    settings.MODELCARDS_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(**proxy), "reader", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.5")
    # Prepending a fake address does not help: the proxy appends the real one, and that is what counts.
    attacker = Client(**proxy)
    response = login(attacker, "reader", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.9, 203.0.113.5")
    assert response.status_code == 429
    neighbour = Client(**proxy)
    assert login(neighbour, "reader", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302


def test_the_login_throttle_records_only_keyed_hashes_of_addresses(user, settings):
    from axes.models import AccessAttempt

    login(Client(REMOTE_ADDR="198.51.100.77"), "reader", "wrong")
    (attempt,) = AccessAttempt.objects.all()
    assert attempt.ip_address.startswith("fd") and "198.51.100.77" not in attempt.ip_address


# Rate limits per account and per anonymous IP hash --------------------------------------------


def suggest(client, n, slug="sample"):
    data = {"text": SAMPLE_README + f"\nEdit {n}.\n", "summary": f"Edit {n}", "base_version": 1}
    return client.post(f"/cards/{slug}/suggest/", data)


def test_suggestions_are_limited_per_account_not_per_address(card, make_user, settings):
    settings.MODELCARDS_RATE_LIMITS = {"suggest": "2/h", "comment": "2/h"}
    first, second = Client(REMOTE_ADDR="198.51.100.1"), Client(REMOTE_ADDR="198.51.100.1")
    first.force_login(make_user("first"))
    second.force_login(make_user("second"))
    assert [suggest(first, n).status_code for n in range(3)] == [302, 302, 429]
    assert "Edit 2." in suggest(first, 2).content.decode()  # the text is kept in the form
    assert suggest(second, 9).status_code == 302
    assert Suggestion.objects.count() == 3


def test_anonymous_suggestions_are_limited_per_address_hash_not_per_session(card, settings):
    settings.MODELCARDS_RATE_LIMITS = {"suggest": "2/h", "comment": "2/h"}
    assert suggest(Client(REMOTE_ADDR="198.51.100.1"), 0).status_code == 302
    assert suggest(Client(REMOTE_ADDR="198.51.100.1"), 1).status_code == 302
    assert suggest(Client(REMOTE_ADDR="198.51.100.1"), 2).status_code == 429  # new cookies do not help
    assert suggest(Client(REMOTE_ADDR="198.51.100.2"), 3).status_code == 302


def test_comments_and_talk_posts_are_rate_limited(client, card, user, settings):
    settings.MODELCARDS_RATE_LIMITS = {"suggest": "10/h", "comment": "2/h"}
    suggestion = Suggestion.objects.create(card=card, base_version=1, text=SAMPLE_README + "x", summary="s")
    client.force_login(user)
    url = f"/suggestions/{suggestion.pk}/comment/"
    assert [client.post(url, {"body": f"c{n}"}).status_code for n in range(3)] == [302, 302, 429]
    assert client.post("/cards/sample/talk/", {"title": "t", "body": "b"}).status_code == 429
    assert Comment.objects.count() == 2 and not TalkThread.objects.exists()


# Honeypots ---------------------------------------------------------------------------------------


def test_honeypots_on_the_anonymous_forms_refuse_bots_and_keep_the_text(client, card):
    bot = {"website": "http://spam.example"}
    response = client.post(
        "/cards/sample/suggest/",
        {"text": SAMPLE_README + "\nBuy.\n", "summary": "s", "base_version": 1, **bot},
    )
    assert response.status_code == 400 and "Buy." in response.content.decode()
    response = client.post(
        "/cards/new/suggest/", {"slug": "spam", "text": "# Spam\n", "summary": "s", "base_version": 0, **bot}
    )
    assert response.status_code == 400
    signup = {
        "username": "bot",
        "email": "bot@example.org",
        "password1": "Xy7!long-pass",
        "password2": "Xy7!long-pass",
    }
    assert client.post("/accounts/signup/", {**signup, **bot}).status_code == 400
    assert not Suggestion.objects.exists()
    assert client.post("/accounts/signup/", signup).status_code == 302  # the same form, honeypot empty


def test_honeypot_fields_are_hidden_by_the_stylesheet(client):
    page = client.get("/accounts/signup/").content.decode()
    assert 'class="honeypot"' in page
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/site.css")).read()
    assert ".field:has(.honeypot)" in css and "display: none" in css


# Blocks ------------------------------------------------------------------------------------------


def test_a_blocked_account_can_neither_suggest_nor_comment_nor_post(client, card, user, moderator):
    suggestion = Suggestion.objects.create(
        card=card, base_version=1, text=SAMPLE_README + "x", summary="s", author=user
    )
    client.force_login(moderator)
    assert client.post(f"/suggestions/{suggestion.pk}/block/", {"reason": "spam"}).status_code == 302
    client.force_login(user)
    assert client.get("/cards/sample/suggest/").status_code == 403
    assert client.post(f"/suggestions/{suggestion.pk}/comment/", {"body": "hi"}).status_code == 403
    assert client.post("/cards/sample/talk/", {"title": "t", "body": "b"}).status_code == 403
    assert not Comment.objects.exists()


def test_a_blocked_address_hash_cannot_suggest_but_its_neighbours_can(card, moderator):
    assert suggest(Client(REMOTE_ADDR="198.51.100.1"), 0).status_code == 302
    reviewer = Client()
    reviewer.force_login(moderator)
    suggestion = Suggestion.objects.get()
    assert reviewer.post(f"/suggestions/{suggestion.pk}/block/", {"reason": "spam"}).status_code == 302
    assert Client(REMOTE_ADDR="198.51.100.1").get("/cards/new/suggest/").status_code == 403
    assert suggest(Client(REMOTE_ADDR="198.51.100.1"), 1).status_code == 403
    assert suggest(Client(REMOTE_ADDR="198.51.100.2"), 2).status_code == 302


def test_a_link_heavy_anonymous_suggestion_is_held_with_a_notice(client, card, moderator, settings):
    settings.MODELCARDS_HOLD_LINKS_OVER = 3
    links = "".join(f"\n[l{i}](https://spam{i}.example)\n" for i in range(5))
    data = {"text": SAMPLE_README + links, "summary": "links", "base_version": 1}
    response = client.post("/cards/sample/suggest/", data, follow=True)
    assert response.status_code == 200
    assert "held until a moderator looks at it" in response.content.decode()
    suggestion = Suggestion.objects.get()
    assert suggestion.held and suggestion.is_pending
    client.force_login(moderator)
    assert suggestion in client.get("/suggestions/").context["suggestions"]


# No IP address anywhere --------------------------------------------------------------------------

REAL_ADDRESS = "203.0.113.77"
PROXY_ADDRESS = "10.9.8.7"


def _everything_stored() -> str:
    return "".join(serializers.serialize("json", model._default_manager.all()) for model in apps.get_models())


def test_anonymous_addresses_appear_in_no_page_feed_export_mail_log_or_table(
    card, user, moderator, make_user, settings, caplog, django_capture_on_commit_callbacks
):
    settings.MODELCARDS_TRUSTED_PROXY_COUNT = 1
    caplog.set_level(logging.INFO)
    watcher = Client()
    watcher.force_login(make_user("watcher"))
    watcher.post("/cards/sample/watch/", {"watch": "1"})
    visitor = Client(REMOTE_ADDR=PROXY_ADDRESS, HTTP_X_FORWARDED_FOR=REAL_ADDRESS)
    with django_capture_on_commit_callbacks(execute=True):
        response = suggest(visitor, 1)
        login(visitor, "reader", "wrong")
        login(visitor, "nobody", "wrong")
    private_link = response["Location"]
    suggestion = Suggestion.objects.get()
    assert suggestion.ip_hash == limits.ip_hash(visitor.get("/").wsgi_request)
    reviewer = Client()
    reviewer.force_login(moderator)
    form = reviewer.get(f"/suggestions/{suggestion.pk}/").context["decision_form"]
    with django_capture_on_commit_callbacks(execute=True):
        reviewer.post(f"/suggestions/{suggestion.pk}/accept/", dict(form.initial))
        reviewer.post(f"/suggestions/{suggestion.pk}/block/", {"reason": "testing"})
    assert len(mail.outbox) >= 2

    seen = []
    for client in (visitor, reviewer):
        for url in [
            private_link,
            f"/suggestions/{suggestion.pk}/",
            "/suggestions/?status=all",
            "/changes/",
            "/changes/feed/",
            "/cards/sample/feed/",
            "/cards/sample/",
            "/cards/sample.json",
            "/cards/sample.md",
            "/cards/sample/v/2.md",
            "/cards/sample/history/",
            "/cards/sample/diff/1/2/",
            "/users/reader/",
        ]:
            seen.append(client.get(url).content.decode())
    seen += [f"{m.subject}\n{m.body}\n{m.extra_headers}" for m in mail.outbox]
    seen.append("\n".join(record.getMessage() for record in caplog.records))
    seen.append(_everything_stored())
    for address in (REAL_ADDRESS, PROXY_ADDRESS):
        assert not any(address in text for text in seen), address
