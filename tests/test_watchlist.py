"""The watchlist: what changed on watched cards, watches that end by themselves, the private feed,
and watching a card when suggesting an edit to it."""

import re
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from modelcards import watch_state
from modelcards.models import Notification, Watch
from modelcards.notifications import watchlist

pytestmark = pytest.mark.django_db

CARD = "/cards/sample/"


def _page(client, url="/watchlist/") -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _watch_button(html: str) -> str:
    return re.search(r'<button type="submit" class="secondary">(\w+)</button></form>', html).group(1)


def _feed_url(html: str) -> str:
    return re.search(r'id="feed-url" type="text" readonly value="http://testserver([^"]+)"', html).group(1)


@pytest.fixture
def watcher(make_user):
    return make_user("watcher")


@pytest.fixture
def watched(card, watcher):
    return Watch.objects.create(user=watcher, card=card)


# The page


@pytest.mark.parametrize("url", ["/watchlist/", "/watchlist/cards/sample/"])
def test_anonymous_visitors_are_sent_to_log_in(client, card, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(f"/accounts/login/?next={url}")


def test_the_watchlist_shows_new_versions_of_watched_cards_newest_first(
    client, card, make_card, edit_card, watched, watcher, moderator
):
    other = make_card(slug="other")
    edit_card(card, card.text + "\nFirst addition.\n", user=moderator, summary="Add a first line")
    edit_card(card, card.text + "\nSecond addition.\n", user=moderator, summary="Add a second line")
    edit_card(other, other.text + "\nUnwatched.\n", summary="Change to an unwatched card")
    client.force_login(watcher)
    page = _page(client)
    assert page.index("Add a second line") < page.index("Add a first line") < page.index("Created for a test")
    assert "Change to an unwatched card" not in page
    assert 'href="/cards/sample/diff/2/3/"' in page and 'href="/cards/sample/v/3/"' in page
    assert ">mod</td>" in page


def test_unwatching_from_the_watchlist_removes_the_card_and_its_changes(client, card, watched, watcher):
    client.force_login(watcher)
    assert 'id="watch-sample"' in _page(client)
    response = client.post(
        "/watchlist/cards/sample/", {"action": "unwatch", "back": "watchlist"}, follow=True
    )
    assert response.redirect_chain == [("/watchlist/", 302)]
    page = response.content.decode()
    assert "You no longer watch Sample Model." in page
    assert 'id="watch-sample"' not in page and "You watch no cards." in page
    assert not Watch.objects.exists()


def test_the_unwatch_link_after_suggesting_leads_to_a_page_with_a_stop_button(client, card, watched, watcher):
    client.force_login(watcher)
    page = _page(client, "/watchlist/cards/sample/")
    assert "You are watching this card until you stop" in page and "Stop watching" in page
    client.post("/watchlist/cards/sample/", {"action": "unwatch"})
    assert "You are not watching this card." in _page(client, "/watchlist/cards/sample/")


@pytest.mark.parametrize(
    ("duration", "days"), [("week", 7), ("month", 30), ("quarter", 91), ("forever", None)]
)
def test_a_watch_can_be_given_an_end_and_changed_on_the_watchlist(
    client, card, watched, watcher, duration, days
):
    client.force_login(watcher)
    response = client.post(
        "/watchlist/cards/sample/", {"action": "watch", "duration": duration, "back": "watchlist"}
    )
    assert response.status_code == 302 and response["Location"] == "/watchlist/"
    watched.refresh_from_db()
    if days is None:
        assert watched.expires_at is None
        assert "you stop" in _page(client)
    else:
        assert abs(watched.expires_at - (timezone.now() + timedelta(days=days))) < timedelta(minutes=1)
        assert f'<time datetime="{watched.expires_at:%Y-%m-%d}' in _page(client)


def test_watching_from_the_card_page_takes_a_duration(client, card, watcher):
    client.force_login(watcher)
    client.post("/cards/sample/watch/", {"watch": "1", "duration": "week"})
    watch = Watch.objects.get()
    assert watch.expires_at is not None and watch.expires_at > timezone.now() + timedelta(days=6)


@pytest.mark.parametrize(
    ("url", "data", "status"),
    [
        ("/watchlist/cards/sample/", {"action": "watch", "duration": "fortnight"}, 400),
        ("/watchlist/cards/sample/", {"action": "watch"}, 400),
        ("/watchlist/cards/sample/", {"action": "explode"}, 400),
        ("/watchlist/cards/no-such-card/", {"action": "unwatch"}, 404),
        ("/cards/sample/watch/", {"watch": "1", "duration": "x" * 5000}, 400),
        ("/watchlist/feed/", {}, 302),
    ],
)
def test_bad_watch_requests_are_refused_clearly(client, card, watched, watcher, url, data, status):
    client.force_login(watcher)
    response = client.post(url, data)
    assert response.status_code == status
    if status == 400 and url.startswith("/watchlist/"):
        assert "Choose how long to watch the card" in response.content.decode()
    watched.refresh_from_db()
    assert watched.expires_at is None  # nothing changed


# Expiry


def test_an_expired_watch_counts_for_nothing(client, card, edit_card, watched, watcher, moderator):
    Watch.objects.filter(pk=watched.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    mail.outbox.clear()
    edit_card(card, card.text + "\nMore.\n", user=moderator)
    assert mail.outbox == []
    assert not Notification.objects.filter(user=watcher).exists()
    client.force_login(watcher)
    page = _page(client)
    assert "You watch no cards." in page and "No versions yet" in page
    assert _watch_button(_page(client, CARD)) == "Watch"


def test_the_card_pages_button_turns_back_to_watch_when_a_watch_ends_though_it_is_cached(
    client, card, watched, watcher, monkeypatch
):
    Watch.objects.filter(pk=watched.pk).update(expires_at=timezone.now() + timedelta(hours=1))
    client.force_login(watcher)
    assert _watch_button(_page(client, CARD)) == "Unwatch"
    later = time.time() + 2 * 3600
    monkeypatch.setattr(watch_state.time, "time", lambda: later)
    assert _watch_button(_page(client, CARD)) == "Watch"


def test_watching_again_renews_an_expired_watch(client, card, watched, watcher):
    Watch.objects.filter(pk=watched.pk).update(expires_at=timezone.now() - timedelta(days=1))
    client.force_login(watcher)
    client.post("/cards/sample/watch/", {"watch": "1"})
    watched.refresh_from_db()
    assert watched.expires_at is None


def test_the_cleanup_command_deletes_only_expired_watches(card, make_card, make_user):
    now = timezone.now()
    other = make_card(slug="other")
    ended = Watch.objects.create(user=make_user("a"), card=card, expires_at=now - timedelta(minutes=1))
    running = Watch.objects.create(user=make_user("b"), card=card, expires_at=now + timedelta(days=1))
    forever = Watch.objects.create(user=make_user("c"), card=other)
    out = StringIO()
    call_command("prune_expired_watches", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 expired watch."
    assert set(Watch.objects.values_list("pk", flat=True)) == {running.pk, forever.pk}
    assert not Watch.objects.filter(pk=ended.pk).exists()


# The private feed


def test_the_feed_lists_the_owners_watched_changes_at_a_secret_address(
    client, card, make_card, edit_card, watched, watcher, moderator
):
    other = make_card(slug="other")
    edit_card(card, card.text + "\nMore.\n", user=moderator, summary="Add a line")
    edit_card(other, other.text + "\nMore.\n", summary="Unwatched change")
    client.force_login(watcher)
    assert "Make a private feed link" in _page(client)
    page = client.post("/watchlist/feed/", follow=True).content.decode()
    url = _feed_url(page)
    client.logout()  # feed readers have no session
    feed = client.get(url)
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    assert feed["Cache-Control"] == "private, no-store"
    body = feed.content.decode()
    assert "Sample Model: version 2" in body and "Add a line" in body and "/cards/sample/diff/1/2/" in body
    assert "Unwatched change" not in body


def test_a_new_feed_link_revokes_the_old_one(client, card, watched, watcher):
    client.force_login(watcher)
    first = _feed_url(client.post("/watchlist/feed/", follow=True).content.decode())
    response = client.post("/watchlist/feed/", follow=True)
    second = _feed_url(response.content.decode())
    assert "the old one no longer works" in response.content.decode()
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_a_wrong_or_anothers_token_opens_nothing(client, card, watched, watcher, make_user):
    token = watchlist.new_feed_key(watcher).token
    assert client.get(f"/watchlist/feed/{token[:-1]}x/").status_code == 404
    assert client.get(f"/watchlist/feed/{'a' * 500}/").status_code == 404
    stranger = make_user("stranger")
    client.force_login(stranger)
    assert token not in _page(client)  # each person's page shows only their own address
    watcher.is_active = False
    watcher.save()
    assert client.get(f"/watchlist/feed/{token}/").status_code == 404


# Cost


def _query_count(client, url="/watchlist/") -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_watchlist_costs_the_same_queries_with_one_watch_or_fifty(
    client, card, make_card, edit_card, watched, watcher, django_assert_max_num_queries
):
    watchlist.new_feed_key(watcher)
    client.force_login(watcher)
    _page(client)
    one = _query_count(client)
    for number in range(50):
        extra = make_card(slug=f"card-{number}")
        Watch.objects.create(user=watcher, card=extra)
        edit_card(extra, extra.text + "\nMore.\n")
    _page(client)  # the header's inbox count is made afresh once after the new versions' entries
    with django_assert_max_num_queries(one):
        page = _page(client)
    assert page.count('<tr id="watch-') == 50  # a page of watches; the rest on the next


# Watching when suggesting


def _suggest(client, card, **extra):
    data = {
        "text": card.text.replace("It is only a sample.", "It is a sample."),
        "summary": "Shorter",
        "base_version": 1,
        "website": "",
        **extra,
    }
    return client.post("/cards/sample/suggest/", data, follow=True)


def test_the_suggest_form_offers_to_watch_ticked_for_signed_in_people_only(client, card, watcher):
    box = re.compile(r'<input type="checkbox" name="watch"[^>]*>')
    assert not box.search(_page(client, "/cards/sample/suggest/"))
    client.force_login(watcher)
    page = _page(client, "/cards/sample/suggest/")
    assert "Watch this card (you&#x27;ll be told about changes and about the review)" in page
    assert "checked" in box.search(page).group(0)
    assert not box.search(_page(client, "/cards/new/suggest/"))


def test_suggesting_with_the_box_ticked_watches_and_says_so_with_a_way_out(client, card, watcher):
    client.force_login(watcher)
    page = _suggest(client, card, watch="on").content.decode()
    assert "You are now watching Sample Model" in page
    assert 'href="/watchlist/cards/sample/">Stop watching or choose for how long</a>' in page
    assert watchlist.watch_of(watcher, card) is not None


def test_suggesting_with_the_box_unticked_leaves_the_card_unwatched(client, card, watcher):
    client.force_login(watcher)
    page = _suggest(client, card).content.decode()
    assert "waiting for a moderator" in page and "You are now watching" not in page
    assert not Watch.objects.exists()


def test_unticking_the_box_never_ends_a_watch_chosen_before(client, card, watcher):
    ends = timezone.now() + timedelta(days=3)
    Watch.objects.create(user=watcher, card=card, expires_at=ends)
    client.force_login(watcher)
    _suggest(client, card)
    assert Watch.objects.get().expires_at == ends


def test_the_box_renews_an_expired_watch(client, card, watcher):
    Watch.objects.create(user=watcher, card=card, expires_at=timezone.now() - timedelta(days=1))
    client.force_login(watcher)
    _suggest(client, card, watch="on")
    assert Watch.objects.get().expires_at is None


def test_an_unticked_box_stays_unticked_across_a_mode_switch(client, card, watcher):
    client.force_login(watcher)
    response = client.post(
        "/cards/sample/suggest/",
        {"mode": "raw", "text": card.text, "summary": "s", "base_version": 1, "switch_mode": "guided"},
    )
    box = re.search(r'<input type="checkbox" name="watch"[^>]*>', response.content.decode()).group(0)
    assert "checked" not in box
