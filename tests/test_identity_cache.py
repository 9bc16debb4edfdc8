"""Signed-in people's accounts, rights and watch buttons come from the cache, and change at once."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from modelcards.workflow import submit_suggestion
from tests.conftest import moderators_group

pytestmark = pytest.mark.django_db

CARD = "/cards/sample/"


def _html(client, url=CARD) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _queries(client, url=CARD) -> list[str]:
    """The page's queries but the session's (in the database here; in Redis, like the rest, in production)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries if "django_session" not in query["sql"]]


def test_a_signed_in_card_page_reads_nothing_from_the_database_once_cached(client, card, user):
    client.force_login(user)
    _html(client)
    assert _queries(client) == []


def test_a_moderator_still_sees_the_live_queue_count(client, card, moderator, make_user):
    client.force_login(moderator)
    _html(client)
    queries = _queries(client)
    # The queue count is live; the account and its rights are not read again.
    assert len(queries) == 1 and "modelcards_suggestion" in queries[0]
    assert not any("auth_permission" in sql or "accounts_user" in sql for sql in queries)


def test_removing_a_moderator_from_the_group_takes_their_rights_at_once(client, card, moderator):
    client.force_login(moderator)
    assert "Edit directly" in _html(client)
    assert client.get("/cards/sample/edit/").status_code == 200
    moderator.groups.remove(moderators_group())
    assert "Edit directly" not in _html(client)
    assert client.get("/cards/sample/edit/").status_code == 403


def test_adding_someone_to_the_moderators_group_gives_them_rights_at_once(client, card, user):
    client.force_login(user)
    assert "Edit directly" not in _html(client)
    moderators_group().user_set.add(user)  # from the group's side, as the admin's group page does
    assert "Edit directly" in _html(client)


def test_taking_the_permission_from_the_group_applies_to_every_member_at_once(client, card, moderator):
    client.force_login(moderator)
    assert "Edit directly" in _html(client)
    moderators_group().permissions.remove(
        Permission.objects.get(codename="review_suggestion", content_type__app_label="modelcards")
    )
    assert "Edit directly" not in _html(client)


def test_a_permission_given_to_the_user_directly_counts_at_once(client, card, user):
    client.force_login(user)
    _html(client)
    user.user_permissions.add(
        Permission.objects.get(codename="review_suggestion", content_type__app_label="modelcards")
    )
    assert "Edit directly" in _html(client)


def test_a_deactivated_account_is_signed_out_on_its_next_request(client, card, user):
    client.force_login(user)
    assert ">reader<" in _html(client)
    user.is_active = False
    user.save()
    html = _html(client)
    assert ">reader<" not in html and "Log in" in html


def test_a_deleted_account_is_signed_out_on_its_next_request(client, card, user):
    client.force_login(user)
    _html(client)
    user.delete()
    assert "Log in" in _html(client)


def test_changing_the_password_elsewhere_signs_out_other_sessions(client, card, user):
    client.force_login(user)
    assert ">reader<" in _html(client)
    user.set_password("a-new-password-9")
    user.save()
    assert "Log in" in _html(client)


def test_staff_status_given_in_the_admin_counts_at_once(client, card, user):
    client.force_login(user)
    _html(client)
    user.is_staff = True
    user.save()
    assert "Edit directly" in _html(client)


def test_rights_are_renewed_when_the_transaction_commits_not_before(
    client, card, moderator, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.undo()  # the real, on-commit renewal that conftest replaces
    client.force_login(moderator)
    assert "Edit directly" in _html(client)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        moderator.groups.remove(moderators_group())
    assert "Edit directly" in _html(client)  # not committed yet: the old rights still hold
    for callback in callbacks:
        callback()
    assert "Edit directly" not in _html(client)


def test_without_a_shared_cache_every_request_reads_the_account(client, card, user, settings):
    settings.ACCOUNTS_CACHE_SIGNED_IN_USERS = False
    client.force_login(user)
    _html(client)
    assert any("accounts_user" in sql for sql in _queries(client))


def test_a_broken_cache_falls_back_to_the_database(client, card, user, monkeypatch):
    from config import generations

    client.force_login(user)

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(generations, "fetch", broken)
    assert ">reader<" in _html(client)


# The watch button


def _watch_button(html: str) -> str:
    return re.search(r'<button type="submit" class="secondary">(\w+)</button></form>', html).group(1)


def test_watching_and_unwatching_flip_the_button_at_once(client, card, user):
    client.force_login(user)
    assert _watch_button(_html(client)) == "Watch"
    client.post("/cards/sample/watch/", {"watch": "1"})
    assert _watch_button(_html(client)) == "Unwatch"
    client.post("/cards/sample/watch/", {"watch": "0"})
    assert _watch_button(_html(client)) == "Watch"


def test_one_persons_watch_never_shows_on_anothers_page(client, card, user, make_user):
    client.force_login(user)
    client.post("/cards/sample/watch/", {"watch": "1"})
    assert _watch_button(_html(client)) == "Unwatch"
    client.force_login(make_user("other"))
    assert _watch_button(_html(client)) == "Watch"


def test_suggesting_an_edit_watches_the_card_and_the_button_says_so(client, card, user):
    client.force_login(user)
    assert _watch_button(_html(client)) == "Watch"
    text = card.text.replace("It is only a sample.", "It is a sample.")
    response = client.post(
        "/cards/sample/suggest/",
        {"text": text, "summary": "Shorter", "base_version": 1, "website": "", "watch": "on"},  # ticked
    )
    assert response.status_code == 302
    assert _watch_button(_html(client)) == "Unwatch"


# Signed-in pages kept per role, with holes for the person's own values


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)


@pytest.mark.parametrize(
    "url", [CARD, "/cards/sample/history/", "/cards/sample/diff/1/2/", "/cards/sample/blame/"]
)
@pytest.mark.parametrize("who", ["reader", "moderator"])
def test_a_signed_in_page_with_its_holes_filled_is_the_page_rendered_in_full(
    client, card, edit_card, user, moderator, settings, url, who
):
    edit_card(card, card.text.replace("It is only a sample.", "It is a sample, edited."))
    client.force_login(user if who == "reader" else moderator)
    kept = [_html(client, url), _html(client, url)]  # made with holes, then served from the cache
    settings.MODELCARDS_PAGE_CACHE = False
    full = _html(client, url)
    assert _without_tokens(kept[0]) == _without_tokens(kept[1]) == _without_tokens(full)
    assert "mcchole" not in kept[1]


def test_each_person_gets_their_own_name_token_and_queue_count_in_a_shared_page(
    client, card, moderator, make_user, make_card
):
    other_card = make_card(slug="other")
    other = make_user("mod2", moderator=True)
    client.force_login(moderator)
    first = _html(client)
    assert '<a class="nav-user" href="/users/mod/" title="mod">mod</a>' in first
    assert '<span class="count" data-count="0" title="pending review">0</span>' in first
    # A suggestion on another card leaves this card's kept page valid; the count is still live.
    submit_suggestion(
        card=other_card,
        text=other_card.text + "\nMore.\n",
        summary="More",
        base_version=1,
        author=None,
        author_name="A",
    )
    browser = Client(enforce_csrf_checks=True)  # the token poured into the page must be this browser's
    browser.force_login(other)
    second = _html(browser)
    assert '<a class="nav-user" href="/users/mod2/" title="mod2">mod2</a>' in second and ">mod<" not in second
    assert '<span class="count" data-count="1" title="pending review">1</span>' in second
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', second).group(1)
    watch = "/cards/sample/watch/"
    assert browser.post(watch, {"watch": "1", "csrfmiddlewaretoken": "x" * 64}).status_code == 403
    assert browser.post(watch, {"watch": "1", "csrfmiddlewaretoken": token}).status_code == 302
