"""Whole pages for anonymous readers: served from the cache, fresh after every change, never personal."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from modelcards.pagecache import CACHE_HEADER, cache_site_page
from modelcards.workflow import accept_suggestion, reject_suggestion, submit_suggestion
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

CARD_PAGES = [
    "/cards/sample/",
    "/cards/sample.md",
    "/cards/sample.json",
    "/cards/sample/history/",
    "/cards/sample/v/1/",
    "/cards/sample/v/1.md",
    "/cards/sample/diff/1/1/",
    "/cards/sample/blame/",
    "/cards/sample/feed/",
]
SITE_PAGES = ["/", "/cards/", "/changes/", "/changes/feed/"]
EDITED = SAMPLE_README.replace("It is only a sample.", "It is only a sample, now edited.")


def _get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response


@pytest.mark.parametrize("url", CARD_PAGES + SITE_PAGES)
def test_anonymous_pages_are_served_from_the_cache_without_queries(client, card, url):
    assert _get(client, url)[CACHE_HEADER] == "miss"
    with CaptureQueriesContext(connection) as queries:
        again = _get(client, url)
    assert again[CACHE_HEADER] == "hit"
    assert len(queries) == 0
    assert again.content == client.get(url).content
    assert "Cookie" in again["Vary"]


def test_a_cached_export_keeps_its_type_and_download_name(client, card):
    _get(client, "/cards/sample.md")
    again = _get(client, "/cards/sample.md")
    assert again[CACHE_HEADER] == "hit"
    assert again["Content-Type"] == "text/markdown; charset=utf-8"
    assert again["Content-Disposition"] == 'attachment; filename="README.md"'
    assert again.content == SAMPLE_README.encode("utf-8")


def test_an_accepted_suggestion_shows_at_once_on_every_page_of_the_card(client, card, moderator):
    for url in CARD_PAGES + SITE_PAGES:
        _get(client, url)
    suggestion = submit_suggestion(
        card=card, text=EDITED, summary="Say it was edited", base_version=1, author=None, author_name="Ann"
    )
    assert "1 suggestion pending review" in _get(client, "/cards/sample/").content.decode()
    assert "Say it was edited" in _get(client, "/changes/").content.decode()
    accept_suggestion(suggestion, reviewer=moderator)
    assert "now edited" in _get(client, "/cards/sample/").content.decode()
    assert "pending review" not in _get(client, "/cards/sample/").content.decode()
    assert _get(client, "/cards/sample.md").content == EDITED.encode("utf-8")
    assert '"version": 2' in _get(client, "/cards/sample.json").content.decode()
    assert 'href="/cards/sample/v/2/"' in _get(client, "/cards/sample/history/").content.decode()
    assert "version 1 of 2" in _get(client, "/cards/sample/v/1/").content.decode()
    assert "Say it was edited" in _get(client, "/cards/sample/feed/").content.decode()
    assert "suggestion accepted" in _get(client, "/changes/feed/").content.decode().lower()
    assert _get(client, "/cards/sample/diff/1/2/").status_code == 200


def test_a_rejection_shows_at_once_on_the_card_and_in_recent_changes(client, card, moderator):
    suggestion = submit_suggestion(
        card=card, text=EDITED, summary="Try this", base_version=1, author=None, author_name="Ann"
    )
    assert "1 suggestion pending review" in _get(client, "/cards/sample/").content.decode()
    _get(client, "/changes/")
    reject_suggestion(suggestion, reviewer=moderator, note="No source given.")
    assert "pending review" not in _get(client, "/cards/sample/").content.decode()
    assert "Suggestion rejected" in _get(client, "/changes/").content.decode()


def test_a_new_card_shows_on_site_pages_and_turns_base_model_names_into_links(client, card, make_card):
    derived = SAMPLE_README.replace(
        "library_name: transformers", "library_name: transformers\nbase_model: base"
    )
    make_card("derived", derived)
    assert 'href="/cards/base/"' not in _get(client, "/cards/derived/").content.decode()
    home = _get(client, "/").content.decode()
    make_card("base", SAMPLE_README.replace("# Sample Model", "# Base Model"))
    assert "Base Model" in _get(client, "/").content.decode() and "Base Model" not in home
    assert "Base Model" in _get(client, "/cards/").content.decode()
    assert 'href="/cards/base/"' in _get(client, "/cards/derived/").content.decode()


def test_changes_to_one_card_leave_other_cards_pages_cached(client, card, make_card, moderator):
    make_card("other")
    _get(client, "/cards/other/")
    submit_suggestion(card=card, text=EDITED, summary="Edit", base_version=1, author=None, author_name="A")
    assert _get(client, "/cards/other/")[CACHE_HEADER] == "hit"
    assert _get(client, "/cards/sample/")[CACHE_HEADER] == "miss"


def test_signed_in_people_get_their_own_page_and_never_a_cached_one(client, card, user):
    assert _get(client, "/cards/sample/")[CACHE_HEADER] == "miss"
    client.force_login(user)
    personal = _get(client, "/cards/sample/")
    assert CACHE_HEADER not in personal
    assert "reader" in personal.content.decode() and "Watch" in personal.content.decode()
    client.logout()
    anonymous = _get(client, "/cards/sample/")
    assert anonymous[CACHE_HEADER] == "hit"
    assert (
        "reader" not in anonymous.content.decode() and "csrfmiddlewaretoken" not in anonymous.content.decode()
    )


def test_a_visitor_with_a_message_waiting_gets_it_on_a_fresh_page_that_is_not_kept(client, card):
    _get(client, "/cards/sample/")
    response = client.post(
        "/cards/sample/suggest/",
        {"text": EDITED, "summary": "Edit", "base_version": 1, "author_name": "Ann", "website": ""},
    )
    assert response.status_code == 302
    with_message = _get(client, "/cards/sample/")
    assert CACHE_HEADER not in with_message
    assert "Thank you: your suggestion is waiting" in with_message.content.decode()
    after = _get(client, "/cards/sample/")
    assert "Thank you" not in after.content.decode()
    assert "1 suggestion pending review" in after.content.decode()


def test_unknown_query_parameters_get_a_fresh_page_instead_of_a_cache_entry(client, card):
    assert CACHE_HEADER not in _get(client, "/cards/sample/?utm_source=x")
    assert CACHE_HEADER not in _get(client, "/cards/sample/?utm_source=x")
    assert _get(client, "/cards/sample/history/?before=2")[CACHE_HEADER] == "miss"


def test_each_host_has_its_own_copy_because_feeds_name_the_host(client, card):
    _get(client, "/changes/feed/", HTTP_HOST="localhost")
    other = _get(client, "/changes/feed/", HTTP_HOST="127.0.0.1")
    assert other[CACHE_HEADER] == "miss"
    assert b"http://127.0.0.1/" in other.content and b"http://localhost/" not in other.content


def test_head_requests_share_the_cached_page(client, card):
    _get(client, "/cards/sample/")
    assert client.head("/cards/sample/")[CACHE_HEADER] == "hit"


def test_errors_are_not_kept(client, card):
    assert client.get("/cards/sample/v/9/").status_code == 404
    assert CACHE_HEADER not in client.get("/cards/sample/v/9/")


def test_nothing_is_cached_when_the_page_cache_is_off(client, card, settings):
    settings.MODELCARDS_PAGE_CACHE = False
    _get(client, "/cards/sample/")
    assert CACHE_HEADER not in _get(client, "/cards/sample/")


def test_an_evicted_generation_gets_a_new_token_instead_of_reviving_old_pages(client, card):
    _get(client, "/cards/sample/")
    cache.delete("generation:card:sample")
    assert _get(client, "/cards/sample/")[CACHE_HEADER] == "miss"


def _anonymous_request(path="/form/"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_a_page_that_used_a_csrf_token_or_set_a_cookie_is_never_kept():
    @cache_site_page()
    def with_form(request):
        return HttpResponse(f"<input value='{get_token(request)}'>")

    @cache_site_page()
    def with_cookie(request):
        response = HttpResponse("hello")
        response.set_cookie("seen", "1")
        return response

    for view in (with_form, with_cookie):
        first, second = view(_anonymous_request()), view(_anonymous_request())
        assert CACHE_HEADER not in first and CACHE_HEADER not in second


def test_pages_are_invalidated_when_the_transaction_commits_not_before(
    client, card, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.undo()  # the real, on-commit invalidation that conftest replaces
    _get(client, "/cards/sample/")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit_suggestion(
            card=card, text=EDITED, summary="Edit", base_version=1, author=None, author_name="A"
        )
    assert _get(client, "/cards/sample/")[CACHE_HEADER] == "hit"  # not committed yet: still the old page
    for callback in callbacks:
        callback()
    fresh = _get(client, "/cards/sample/")
    assert fresh[CACHE_HEADER] == "miss" and "1 suggestion pending review" in fresh.content.decode()


# Shared parts: what every visitor sees alike, kept for signed-in people too.


def test_signed_in_pages_reuse_the_shared_parts_without_reading_the_history(client, card, user):
    client.force_login(user)
    for url in (
        "/cards/sample/",
        "/cards/sample/history/",
        "/cards/sample/diff/1/1/",
        "/cards/sample/blame/",
    ):
        _get(client, url)
        with CaptureQueriesContext(connection) as queries:
            _get(client, url)
        tables = " ".join(query["sql"] for query in queries.captured_queries)
        assert "modelcards_cardversion" not in tables and "reversion_version" not in tables, url


def test_shared_parts_carry_nothing_personal_whoever_made_them(client, card, moderator, user):
    client.force_login(moderator)
    as_moderator = _get(client, "/cards/sample/").content.decode()
    assert "Edit directly" in as_moderator and "mod" in as_moderator
    client.force_login(user)
    as_reader = _get(client, "/cards/sample/").content.decode()
    assert "Edit directly" not in as_reader and ">mod<" not in as_reader
    # The moderator's one form more is "Reviewed, still accurate" (issue 16 item 5), with its own token.
    token = 'name="csrfmiddlewaretoken"'
    assert as_reader.count(token) + 1 == as_moderator.count(token)
    client.logout()
    anonymous = _get(client, "/cards/sample/").content.decode()
    assert "Edit directly" not in anonymous and "csrfmiddlewaretoken" not in anonymous


def test_signed_in_people_see_a_change_at_once_too(client, card, user, moderator):
    client.force_login(user)
    _get(client, "/cards/sample/")
    _get(client, "/cards/sample/history/")
    suggestion = submit_suggestion(
        card=card, text=EDITED, summary="Say it was edited", base_version=1, author=None, author_name="Ann"
    )
    assert "1 suggestion pending review" in _get(client, "/cards/sample/").content.decode()
    accept_suggestion(suggestion, reviewer=moderator)
    assert "now edited" in _get(client, "/cards/sample/").content.decode()
    assert 'href="/cards/sample/v/2/"' in _get(client, "/cards/sample/history/").content.decode()


def test_deleting_an_account_takes_its_name_off_cached_history(client, card, make_user, moderator):
    author = make_user("leaving")
    suggestion = submit_suggestion(card=card, text=EDITED, summary="Edit", base_version=1, author=author)
    accept_suggestion(suggestion, reviewer=moderator)
    assert "leaving" in _get(client, "/cards/sample/history/").content.decode()
    author.delete()
    assert "leaving" not in _get(client, "/cards/sample/history/").content.decode()


# At the door: visitors without cookies get the stored response before the rest of the stack runs.


def test_a_page_served_at_the_door_is_the_whole_response_the_stack_made(client, card):
    made = _get(client, "/cards/sample/")
    served = _get(client, "/cards/sample/")
    assert (made[CACHE_HEADER], served[CACHE_HEADER]) == ("miss", "hit")
    assert served.content == made.content
    without_marker = {name: value for name, value in made.items() if name != CACHE_HEADER}
    assert {name: value for name, value in served.items() if name != CACHE_HEADER} == without_marker
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Vary"):
        assert served.has_header(header), header


def test_at_the_door_nothing_below_runs_neither_session_nor_database(client, card):
    _get(client, "/cards/sample/")
    with CaptureQueriesContext(connection) as queries:
        served = _get(client, "/cards/sample/")
    assert served[CACHE_HEADER] == "hit" and len(queries) == 0
    assert not hasattr(served.wsgi_request, "session")  # SessionMiddleware never saw the request


def test_a_visitor_with_an_anonymous_session_is_served_inside_the_stack(client, card):
    client.cookies["sessionid"] = "no-such-session"
    _get(client, "/cards/sample/")
    served = _get(client, "/cards/sample/")
    assert served[CACHE_HEADER] == "hit" and hasattr(served.wsgi_request, "session")


def test_pages_that_are_not_cached_pass_the_door_untouched(client, card):
    response = _get(client, "/cards/sample/suggest/")  # a form: its CSRF token is this visitor's own
    assert CACHE_HEADER not in response and "csrftoken" in response.cookies
    assert CACHE_HEADER not in _get(client, "/cards/sample/suggest/")


@pytest.mark.parametrize("session_cookie", [False, True])  # answered at the door, or inside the stack
def test_a_cache_that_cannot_be_read_serves_pages_uncached_instead_of_failing(
    client, card, monkeypatch, session_cookie
):
    from config import generations

    def unreachable(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(generations, "fetch", unreachable)
    if session_cookie:
        client.cookies["sessionid"] = "no-such-session"
    for url in ("/cards/sample/", "/cards/"):
        response = _get(client, url)
        assert CACHE_HEADER not in response
        assert "Sample Model" in response.content.decode()
