"""Re-review (issue 16 item 5): the due list, what counts as a review, "reviewed, still accurate",
reminders to maintainers and watchers, and the schedule."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from modelcards import reviews
from modelcards.cardfile import parse_card
from modelcards.mail_texts import render
from modelcards.models import (
    CardMaintainer,
    CardReview,
    ContributorTrust,
    ModelCard,
    Notification,
    OutboxMail,
    Watch,
)
from modelcards.workflow import edit_card_directly, submit_suggestion, update_card
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

EDITED = SAMPLE_README.replace("It is only a sample.", "It is only a sample, checked again.")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _age(card, days: int) -> None:
    """Make the card `days` old, never reviewed."""
    created = timezone.now() - timedelta(days=days)
    ModelCard.objects.filter(pk=card.pk).update(created_at=created, reviewed_at=None)
    card.refresh_from_db()


def _due_slugs(client) -> list[str]:
    response = client.get("/due-for-review/")
    assert response.status_code == 200
    return [card.slug for card in response.context["cards"]]


@pytest.fixture
def stale(make_card, settings):
    settings.REVIEW_DUE_DAYS = 180
    card = make_card("stale")
    _age(card, 200)
    return card


def _accept_fields(client, suggestion) -> dict:
    form = client.get(f"/suggestions/{suggestion.pk}/").context["decision_form"]
    return {key: form.initial[key] for key in ("seen_fingerprint", "seen_version")}


# The list and what counts as a review ---------------------------------------------------------


def test_a_card_unreviewed_for_n_days_is_due_and_a_fresh_one_is_not(client, stale, make_card):
    make_card("fresh")
    older = make_card("older")
    _age(older, 400)
    assert _due_slugs(client) == ["older", "stale"]  # longest waiting first
    page = client.get("/due-for-review/").content.decode()
    assert "never (created" in page and "Reviewed, still accurate" not in page  # no form for readers


def test_the_number_of_days_is_a_setting(client, stale, settings):
    settings.REVIEW_DUE_DAYS = 365
    assert _due_slugs(client) == []
    settings.REVIEW_DUE_DAYS = 30
    assert _due_slugs(client) == ["stale"]


def test_a_moderator_accepting_a_suggestion_takes_the_card_off_the_list(client, stale, moderator):
    suggestion = submit_suggestion(card=stale, text=EDITED, summary="Check", base_version=1, author=None)
    client.force_login(moderator)
    response = client.post(f"/suggestions/{suggestion.pk}/accept/", _accept_fields(client, suggestion))
    assert response.status_code == 302
    stale.refresh_from_db()
    assert stale.version_number == 2 and stale.reviewed_at is not None
    assert _due_slugs(client) == []


def test_a_moderators_direct_edit_counts_as_a_review(client, stale, moderator):
    edit_card_directly(stale, text=EDITED, summary="Checked", base_version=1, editor=moderator)
    assert _due_slugs(client) == []


def test_an_autoreviewed_version_or_an_import_does_not_count_as_a_review(client, stale, make_user):
    veteran = make_user("veteran")
    ContributorTrust.objects.create(user=veteran, trusted=True, reason="test")
    submit_suggestion(card=stale, text=EDITED, summary="By a trusted hand", base_version=1, author=veteran)
    stale.refresh_from_db()
    assert stale.version_number == 2 and stale.versions.get(number=2).autoreviewed
    update_card(stale, card_file=parse_card(EDITED + "\nImported.\n"), user=None, summary="Imported")
    stale.refresh_from_db()
    assert stale.version_number == 3 and stale.reviewed_at is None
    assert _due_slugs(client) == ["stale"]


# Recording a review ---------------------------------------------------------------------------


def test_a_recorded_review_shows_in_history_and_on_the_card_at_once_with_the_page_cache_on(
    client, stale, moderator, settings
):
    assert settings.MODELCARDS_PAGE_CACHE
    for url in ("/cards/stale/history/", "/cards/stale/"):  # cached for readers
        assert client.get(url)["X-Page-Cache"] == "miss"
        assert client.get(url)["X-Page-Cache"] == "hit"
    client.force_login(moderator)
    assert "Reviewed, still accurate" in client.get("/cards/stale/").content.decode()  # the form
    client.get("/cards/stale/history/")  # the moderator's kept copy, too
    response = client.post(
        "/cards/stale/reviewed/", {"note": "Checked the licence and links.", "seen_version": "1"}
    )
    assert response.status_code == 302 and response["Location"] == "/cards/stale/"
    review = CardReview.objects.get()
    assert (review.card, review.version_number, review.reviewer) == (stale, 1, moderator)
    stale.refresh_from_db()
    assert stale.version_number == 1 and stale.reviewed_at == review.created_at  # no new version
    expected = 'Reviewed, still accurate, by <a href="/users/mod/">mod</a>'
    moderator_history = client.get("/cards/stale/history/").content.decode()
    assert expected in moderator_history and "Checked the licence and links." in moderator_history
    client.logout()
    history = client.get("/cards/stale/history/")
    assert history["X-Page-Cache"] == "miss"
    assert (
        expected in history.content.decode() and "Checked the licence and links." in history.content.decode()
    )
    assert "last reviewed by a moderator" in client.get("/cards/stale/").content.decode()
    assert _due_slugs(client) == []


def test_reviews_sit_between_the_versions_they_were_made_at(client, stale, moderator, edit_card):
    reviews.record_review(stale, moderator=moderator, note="first look")
    edit_card(stale, EDITED)
    page = client.get("/cards/stale/history/").content.decode()
    assert (
        page.index('href="/cards/stale/v/2/"')
        < page.index("first look")
        < page.index('href="/cards/stale/v/1/"')
    )


def test_a_review_of_a_version_that_is_no_longer_current_is_refused(client, stale, moderator, edit_card):
    edit_card(stale, EDITED)
    client.force_login(moderator)
    response = client.post("/cards/stale/reviewed/", {"seen_version": "1", "from": "list"}, follow=True)
    assert response.redirect_chain[0][0] == "/due-for-review/"
    assert "has changed since you read it" in response.content.decode()
    assert not CardReview.objects.exists()


def test_a_note_must_be_one_short_line(client, stale, moderator):
    client.force_login(moderator)
    for note in ("a\u202eb", "x" * 301):
        response = client.post("/cards/stale/reviewed/", {"note": note}, follow=True)
        assert response.status_code == 200
    assert not CardReview.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "registered", "maintainer"])
def test_only_moderators_record_reviews(client, stale, make_user, who):
    if who != "anonymous":
        person = make_user(who)
        if who == "maintainer":
            CardMaintainer.objects.create(card=stale, user=person, note="test")
        client.force_login(person)
    response = client.post("/cards/stale/reviewed/", {"note": "fine"})
    if who == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403
    assert client.get("/cards/stale/reviewed/").status_code == 405
    assert not CardReview.objects.exists()
    with pytest.raises(PermissionDenied):
        reviews.record_review(stale, moderator=make_user(f"{who}-2"))


def test_moderators_review_from_the_list_and_return_to_it(client, stale, moderator):
    client.force_login(moderator)
    page = client.get("/due-for-review/").content.decode()
    assert 'action="/cards/stale/reviewed/"' in page and "not yet" in page
    response = client.post("/cards/stale/reviewed/", {"from": "list", "seen_version": "1"})
    assert response["Location"] == "/due-for-review/"
    assert _due_slugs(client) == []


# Reminders ------------------------------------------------------------------------------------


@pytest.fixture
def people(stale, make_user, moderator):
    now = timezone.now()
    made = {
        name: make_user(name, verified=name != "unverified")
        for name in ("maintainer", "revoked", "watcher", "expired", "unverified", "stranger")
    }
    CardMaintainer.objects.create(card=stale, user=made["maintainer"], note="t", verified_by=moderator)
    CardMaintainer.objects.create(
        card=stale, user=made["revoked"], note="t", verified_by=moderator, revoked_at=now
    )
    Watch.objects.create(card=stale, user=made["watcher"])
    Watch.objects.create(card=stale, user=made["unverified"])
    Watch.objects.create(card=stale, user=made["expired"], expires_at=now - timedelta(days=1))
    return made


def _reminded() -> list[str]:
    entries = Notification.objects.filter(kind=Notification.Kind.REVIEW_DUE)
    return sorted(entries.values_list("user__username", flat=True))


def test_reminders_reach_live_maintainers_and_watchers_once(client, stale, people, make_card):
    make_card("fresh")
    assert reviews.send_reminders() == 1
    assert reviews.send_reminders() == 0  # running again reminds nobody twice
    assert _reminded() == ["maintainer", "unverified", "watcher"]
    mails = OutboxMail.objects.filter(event__startswith="review_due:")
    assert sorted(mails.values_list("to", flat=True)) == ["maintainer@example.org", "watcher@example.org"]
    subject, body = render(mails.first().event)
    assert subject.endswith("stale is due for review") or "due for review" in subject
    assert "/cards/stale/" in body and "/due-for-review/" in body
    stale.refresh_from_db()
    assert stale.review_reminded_at is not None
    client.force_login(people["watcher"])
    inbox = client.get("/inbox/").content.decode()
    assert "is due for review" in inbox
    entry = Notification.objects.get(user=people["watcher"])
    assert client.post(f"/inbox/{entry.pk}/open/")["Location"] == "/cards/stale/"


def test_a_review_starts_a_new_period_that_is_reminded_about_again(stale, people, moderator):
    assert reviews.send_reminders() == 1
    reviews.record_review(stale, moderator=moderator)
    assert reviews.send_reminders() == 0  # not due any more
    later = timezone.now() + timedelta(days=181)
    assert [card.slug for card in reviews.due_cards(later)] == ["stale"]
    assert reviews.send_reminders(now=later) == 1
    assert Notification.objects.filter(user=people["watcher"]).count() == 2
    assert reviews.send_reminders(now=later) == 0


def test_reminders_go_in_batches_of_a_few_queries_however_many_people(
    make_card, make_user, settings, django_assert_num_queries
):
    settings.TASKS = DB_TASKS  # mail is queued for the worker, as on the site

    def due_card_with_watchers(slug, watchers):
        card = make_card(slug)
        _age(card, 400)
        for number in range(watchers):
            Watch.objects.create(card=card, user=make_user(f"{slug}-{number}"))

    due_card_with_watchers("one", 1)
    with CaptureQueriesContext(connection) as small:
        assert reviews.send_reminders(batch=10) == 1
    for number in range(8):
        due_card_with_watchers(f"many{number}", 5)
    with django_assert_num_queries(len(small)):
        assert reviews.send_reminders(batch=10) == 8
    assert Notification.objects.filter(kind=Notification.Kind.REVIEW_DUE).count() == 41
    for number in range(3):
        due_card_with_watchers(f"more{number}", 1)
    assert reviews.send_reminders(batch=2, max_batches=1) == 2  # bounded: the rest wait for the next run
    assert reviews.send_reminders(batch=2, max_batches=1) == 1


# Pages cost the same whatever the number of cards or reviews ----------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_due_list_costs_the_same_queries_with_more_cards(client, make_card, moderator, settings):
    settings.MODELCARDS_PAGE_CACHE = False
    for slug in ("a", "b"):
        _age(make_card(slug), 300)
    small = {"anonymous": _count(client, "/due-for-review/")}
    client.force_login(moderator)
    _count(client, "/due-for-review/")
    small["moderator"] = _count(client, "/due-for-review/")
    cards = ModelCard.objects.bulk_create(
        ModelCard(slug=f"bulk-{n}", title=f"Bulk {n}", text="x", version_number=1) for n in range(120)
    )
    ModelCard.objects.filter(pk__in=[card.pk for card in cards]).update(
        created_at=timezone.now() - timedelta(days=500)
    )
    assert _count(client, "/due-for-review/") == small["moderator"]
    response = client.get("/due-for-review/")
    assert len(response.context["cards"]) == 50
    seen, after = [], None
    while True:
        page = client.get("/due-for-review/" + (f"?after={after}" if after else ""))
        if after:
            assert _count(client, f"/due-for-review/?after={after}") == small["moderator"]
        seen += [card.slug for card in page.context["cards"]]
        after = page.context["next_after"]
        if after is None:
            break
    assert len(seen) == len(set(seen)) == 122 and seen[-2:] == ["a", "b"]  # oldest first, every card once
    client.logout()
    assert _count(client, "/due-for-review/") == small["anonymous"]
    assert client.get("/due-for-review/?after=x").status_code == 400


def test_history_costs_the_same_queries_with_many_reviews(client, make_card, moderator, settings, edit_card):
    settings.MODELCARDS_PAGE_CACHE = False
    quiet, busy = make_card("quiet"), make_card("busy")
    for card in (quiet, busy):
        edit_card(card, EDITED)
    for number in range(12):
        reviews.record_review(busy, moderator=moderator, note=f"look {number}")
    _count(client, "/cards/quiet/history/")
    assert _count(client, "/cards/busy/history/") == _count(client, "/cards/quiet/history/")
    assert client.get("/cards/busy/history/").content.decode().count("Reviewed, still accurate") == 12


# Scheduling -----------------------------------------------------------------------------------


def test_the_command_reminds_once_or_queues_a_repeating_task(stale, people, settings):
    out = StringIO()
    call_command("send_review_reminders", stdout=out)
    assert "of 1 card." in out.getvalue()
    result = reviews.send_review_reminders.enqueue()  # the tests' engine runs it at once
    assert result.return_value == 0
    with pytest.raises(CommandError, match="database task backend"):
        call_command("send_review_reminders", "--every-hours", "24")
    settings.TASKS = DB_TASKS
    out = StringIO()
    call_command("send_review_reminders", "--every-hours", "24", stdout=out)
    assert "every 24 h" in out.getvalue()
    call_command("send_review_reminders", "--every-hours", "24", stdout=out)
    assert "already waiting" in out.getvalue()
