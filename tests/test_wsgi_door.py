"""Stored pages answered at the WSGI door (config/wsgi.py), before Django's request handling runs."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from modelcards.pagecache import CACHE_HEADER
from modelcards.pagehold import RENEWAL_UID, PageHold, held
from modelcards.wsgi_door import StoredPageDoor

pytestmark = pytest.mark.django_db


class Spy:
    """The Django application behind the door, counting the requests that reached it."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        """As Django's test client does: the test's database connection, inside the test's transaction,
        must outlive the request (a real server closes old connections at each request's end)."""
        self.calls += 1
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            content = b"".join(response)
            response.close()
            return [content]
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def _call(door, path="/cards/sample/", **environ):
    base = RequestFactory()._base_environ(**{"PATH_INFO": path, "REQUEST_METHOD": "GET", **environ})
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(door(base, start_response))
    return answer["status"], answer["headers"], body


@pytest.fixture
def door():
    return StoredPageDoor(Spy())


@pytest.fixture
def clock(monkeypatch):
    """The process's hold, on a clock the test moves."""
    clock = Clock()
    monkeypatch.setattr(held, "clock", clock)
    return clock


@pytest.fixture
def another_process():
    """Changes made meanwhile reach this process only through the shared cache, as another server's do."""
    from config import generations

    generations.renewed.disconnect(dispatch_uid=RENEWAL_UID)
    yield
    generations.renewed.connect(held.clear, dispatch_uid=RENEWAL_UID)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_stored_page_is_answered_whole_without_reaching_django(client, card, door):
    made = client.get("/cards/sample/")
    assert made[CACHE_HEADER] == "miss"
    status, headers, body = _call(door)
    assert (status, door.application.calls) == ("200 OK", 0)
    assert body == made.content
    assert headers.pop(CACHE_HEADER) == "hit"
    assert headers == {name: value for name, value in made.items() if name != CACHE_HEADER}
    assert "Content-Security-Policy" in headers and headers["Content-Length"] == str(len(body))


def test_a_page_not_yet_stored_is_made_by_the_stack_and_then_answered_at_the_door(card, door):
    status, headers, first = _call(door)
    assert (status, headers[CACHE_HEADER], door.application.calls) == ("200 OK", "miss", 1)
    status, headers, again = _call(door)
    assert (headers[CACHE_HEADER], door.application.calls, again) == ("hit", 1, first)


def test_a_change_to_the_card_is_seen_at_the_door_at_once(client, card, door, edit_card):
    client.get("/cards/sample/")
    edit_card(card, card.text.replace("It is only a sample.", "Changed at the door."))
    status, headers, body = _call(door)
    assert door.application.calls == 1 and b"Changed at the door." in body


@pytest.mark.parametrize(
    "environ",
    [
        {"HTTP_COOKIE": "sessionid=abc"},  # a session: the person may be signed in
        {"HTTP_COOKIE": "messages=abc"},  # a message waiting for the visitor
        {"REQUEST_METHOD": "HEAD"},
        {"REQUEST_METHOD": "POST"},
        {"QUERY_STRING": "utm_source=x"},  # unknown parameters get a fresh page
        {"HTTP_HOST": "evil.example"},  # refused by the stack with its 400
    ],
)
def test_anything_but_a_plain_anonymous_read_passes_the_door(client, card, door, environ):
    client.get("/cards/sample/")
    _call(door, **environ)
    assert door.application.calls == 1


def test_an_https_redirect_still_comes_first(client, card, settings):
    client.get("/cards/sample/")
    settings.SECURE_SSL_REDIRECT = True
    status, headers, body = _call(StoredPageDoor(Spy()))
    assert status.startswith("301") and headers["Location"] == "https://testserver/cards/sample/"


def test_pages_outside_the_cache_and_a_broken_cache_pass_the_door(client, card, door, monkeypatch):
    from config import generations

    _call(door, "/cards/sample/suggest/")
    assert door.application.calls == 1
    client.get("/cards/sample/")

    def unreachable(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(generations, "fetch", unreachable)
    status, headers, body = _call(door)
    assert door.application.calls == 2 and status == "200 OK" and CACHE_HEADER not in headers


def test_a_busy_page_is_answered_from_the_process_memory_for_a_second(client, card, door, clock, monkeypatch):
    from config import generations

    client.get("/cards/sample/")
    _status, _headers, first = _call(door)
    trips = []
    fetch = generations.fetch
    monkeypatch.setattr(generations, "fetch", lambda *args: trips.append(args) or fetch(*args))
    for _ in range(3):
        status, headers, body = _call(door)
        assert (status, headers[CACHE_HEADER], body) == ("200 OK", "hit", first)
    assert trips == [] and door.application.calls == 0
    clock.now += 1.01
    _call(door)
    assert len(trips) == 1 and door.application.calls == 0


def test_a_change_made_by_another_process_reaches_the_door_once_its_hold_lapses(
    client, card, door, clock, edit_card, request
):
    client.get("/cards/sample/")
    _call(door)
    request.getfixturevalue("another_process")  # the edit happens in another server process
    edit_card(card, card.text.replace("It is only a sample.", "Changed elsewhere."))
    clock.now += 0.5
    assert b"Changed elsewhere." not in _call(door)[2]
    clock.now += 0.6
    assert b"Changed elsewhere." in _call(door)[2]


def test_with_no_hold_every_read_asks_the_shared_cache(client, card, settings, monkeypatch):
    from config import generations

    settings.MODELCARDS_PAGE_HOLD_SECONDS = 0
    door = StoredPageDoor(Spy())
    client.get("/cards/sample/")
    trips = []
    fetch = generations.fetch
    monkeypatch.setattr(generations, "fetch", lambda *args: trips.append(args) or fetch(*args))
    for _ in range(3):
        assert _call(door)[1][CACHE_HEADER] == "hit"
    assert len(trips) == 3


def test_the_hold_keeps_within_its_budget_dropping_the_least_recently_used():
    hold = PageHold(seconds=1, budget=400, clock=Clock())
    for name in "abcd":
        hold.put(name, (b"x" * 100, {}), 100)
    hold.get("a")  # read: now the most recently used
    hold.put("e", (b"x" * 100, {}), 100)
    assert [name for name in "abcde" if hold.get(name)] == ["a", "c", "d", "e"]
    hold.put("big", (b"x" * 101, {}), 101)  # over a quarter of the budget: never held
    assert hold.get("big") is None


def test_a_kept_api_answer_is_answered_whole_without_reaching_django(client, card, door):
    client.get("/api/v1/cards/sample/")
    made = client.get("/api/v1/cards/sample/")  # kept now: answered as the door answers it
    status, headers, body = _call(door, "/api/v1/cards/sample/")
    assert (status, door.application.calls, body) == ("200 OK", 0, made.content)
    assert headers.pop("Content-Length") == str(len(body))
    assert headers == dict(made.items())
    assert headers["Access-Control-Allow-Origin"] == "*" and headers["ETag"] == made["ETag"]


def test_an_api_answer_not_yet_kept_costs_one_trip_to_the_cache_and_is_then_kept(card, door, monkeypatch):
    from config import generations

    trips = []
    fetch = generations.fetch
    monkeypatch.setattr(generations, "fetch", lambda *args: trips.append(args[0]) or fetch(*args))
    status, _headers, first = _call(door, "/api/v1/cards/sample/")
    assert (status, door.application.calls) == ("200 OK", 1)
    api_trips = [key for key in trips if "api-door" in key]
    assert len(api_trips) == 1  # looked up at the door; the stack kept its answer under those tokens
    assert _call(door, "/api/v1/cards/sample/")[2] == first and door.application.calls == 1


def test_an_edit_is_seen_by_the_api_at_the_door_at_once(client, card, door, edit_card):
    client.get("/api/v1/cards/sample/")
    _call(door, "/api/v1/cards/sample/")
    edit_card(card, card.text.replace("It is only a sample.", "Changed for the API."))
    status, _headers, body = _call(door, "/api/v1/cards/sample/")
    assert door.application.calls == 1 and b'"version":2,' in body


@pytest.mark.parametrize(
    "environ",
    [
        {"HTTP_AUTHORIZATION": "Bearer mcc_nothing"},  # a token is checked on every request
        {"REQUEST_METHOD": "HEAD"},
        {"PATH_INFO": "/api/v1/suggestions/"},  # not kept for everyone
    ],
)
def test_api_requests_with_a_token_or_not_kept_for_everyone_pass_the_door(client, card, door, environ):
    client.get("/api/v1/cards/sample/")
    client.get("/api/v1/suggestions/")
    _call(door, "/api/v1/cards/sample/", **environ)
    assert door.application.calls == 1
