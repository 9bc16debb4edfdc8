"""Hiding and suppressing parts of a version (issue 15 item 4): what readers, moderators and oversight
members each see on every page, feed, export and API answer, and who may change it."""

import gzip
import json

import pytest
from django.core import mail

from modelcards.cardfile import parse_card
from modelcards.dumps.publishing import published_dumps, withdraw_made_before
from modelcards.dumps.writing import every_version, version_record
from modelcards.governance import visibility
from modelcards.mail_texts import render as render_mail
from modelcards.models import CardVersion, Visibility, VisibilityChange
from modelcards.workflow import accept_suggestion, submit_suggestion, text_fingerprint, update_card
from tests.api_contract import ApiClient
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

SECRET_LINE = "Personal data of someone: 555-0199."
KEPT_LINE = "A line that stays."
SECRET_SUMMARY = "Added the phone number of Bob"
V2 = SAMPLE_README + f"\n{SECRET_LINE}\n\n{KEPT_LINE}\n"
V3 = SAMPLE_README + f"\n{KEPT_LINE}\n"


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def oversight(make_user):
    return make_user("overseer", oversight=True)


@pytest.fixture
def reader(make_user):
    return make_user("reader")


@pytest.fixture
def site(make_card, edit_card, alice):
    """v1 by nobody; v2 by alice adds a secret line and a kept one; v3 takes the secret line out."""
    card = make_card()
    edit_card(card, V2, user=alice, summary=SECRET_SUMMARY)
    edit_card(card, V3, summary="Took the phone number out")
    card.refresh_from_db()
    return card


def v(card, number) -> CardVersion:
    return CardVersion.objects.select_related("card").get(card=card, number=number)


def hide(card, number, *parts, level=Visibility.HIDDEN, actor, reason="Personal data"):
    return visibility.change_visibility(v(card, number), parts=parts, level=level, reason=reason, actor=actor)


def as_(client, user):
    if user is not None:
        client.force_login(user)
    return client


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# --------------------------------------------------------------------------------------
# The rules


def test_a_reason_is_required_and_nothing_is_logged_without_one(site, moderator):
    with pytest.raises(visibility.VisibilityError, match="reason"):
        hide(site, 2, "text", actor=moderator, reason="   ")
    assert not VisibilityChange.objects.exists()
    assert v(site, 2).text_visibility == Visibility.VISIBLE


def test_the_current_versions_text_cannot_be_hidden_but_its_summary_can(site, moderator):
    with pytest.raises(visibility.VisibilityError, match="current version"):
        hide(site, 3, "text", actor=moderator)
    hide(site, 3, "summary", actor=moderator)
    assert v(site, 3).summary_visibility == Visibility.HIDDEN


def test_moderators_hide_but_only_oversight_suppresses_or_touches_what_is_suppressed(
    site, moderator, oversight, reader
):
    with pytest.raises(visibility.VisibilityDenied):
        hide(site, 2, "text", actor=reader)
    with pytest.raises(visibility.VisibilityDenied, match="oversight"):
        hide(site, 2, "text", level=Visibility.SUPPRESSED, actor=moderator)
    hide(site, 2, "text", level=Visibility.SUPPRESSED, actor=oversight)
    with pytest.raises(visibility.VisibilityDenied, match="suppressed"):
        hide(site, 2, "text", level=Visibility.VISIBLE, actor=moderator)
    hide(site, 2, "text", level=Visibility.HIDDEN, actor=oversight)
    assert v(site, 2).text_visibility == Visibility.HIDDEN


def test_each_changed_part_is_logged_with_its_levels_reason_and_actor(site, moderator):
    rows = hide(site, 2, "text", "summary", actor=moderator, reason="Phone number")
    assert sorted((r.part, r.before, r.after, r.reason, r.actor) for r in rows) == [
        ("summary", 0, 1, "Phone number", moderator),
        ("text", 0, 1, "Phone number", moderator),
    ]
    assert hide(site, 2, "text", actor=moderator) == []  # already hidden: nothing to log


# --------------------------------------------------------------------------------------
# The form and the log


def test_only_moderators_reach_the_form_and_the_log(site, client, reader):
    for url in ("/cards/sample/v/2/visibility/", "/hidden/log/", "/cards/sample/visibility-log/"):
        assert client.get(url).status_code == 302  # to the log-in page
    client.force_login(reader)
    for url in ("/cards/sample/v/2/visibility/", "/hidden/log/", "/cards/sample/visibility-log/"):
        assert client.get(url).status_code == 403
    response = client.post(
        "/cards/sample/v/2/visibility/", {"part": "text", "level": "hidden", "reason": "x"}
    )
    assert response.status_code == 403
    assert v(site, 2).text_visibility == Visibility.VISIBLE


def test_the_form_hides_and_refuses_bad_input_with_a_message(site, client, moderator):
    client.force_login(moderator)
    url = "/cards/sample/v/2/visibility/"
    assert "Suppressed (oversight only)" not in page(client, url).split("<form")[1]
    for data, status, words in [
        ({"part": "text", "level": "hidden", "reason": ""}, 400, "Give a reason"),
        ({"part": "colour", "level": "hidden", "reason": "x"}, 400, "no part"),
        ({"part": "text", "level": "gone", "reason": "x"}, 400, "Choose visible"),
        ({"level": "hidden", "reason": "x"}, 400, "at least one part"),
        ({"part": "text", "level": "suppressed", "reason": "x"}, 403, "oversight"),
    ]:
        response = client.post(url, data)
        assert response.status_code == status, data
        assert words in response.content.decode()
    response = client.post(url, {"part": ["text", "author"], "level": "hidden", "reason": "Request #12"})
    assert response.status_code == 302
    version = v(site, 2)
    assert (version.text_visibility, version.author_visibility) == (Visibility.HIDDEN, Visibility.HIDDEN)
    response = client.post(
        "/cards/sample/v/3/visibility/", {"part": "text", "level": "hidden", "reason": "x"}
    )
    assert response.status_code == 400 and "current version" in response.content.decode()


def test_the_log_shows_moderators_hide_rows_and_oversight_every_row(site, client, moderator, oversight):
    hide(site, 2, "summary", actor=moderator, reason="Defamation claim")
    hide(site, 2, "text", level=Visibility.SUPPRESSED, actor=oversight, reason="Court order 7")
    for url in ("/hidden/log/", "/cards/sample/visibility-log/"):
        as_moderator = page(as_(client, moderator), url)
        assert "Defamation claim" in as_moderator and "Court order 7" not in as_moderator
        as_oversight = page(as_(client, oversight), url)
        assert "Defamation claim" in as_oversight and "Court order 7" in as_oversight


# --------------------------------------------------------------------------------------
# What each viewer sees


@pytest.fixture
def hidden(site, moderator):
    hide(site, 2, "text", "summary", "author", actor=moderator)
    return site


def test_the_version_page_leaves_hidden_parts_out_for_readers_and_marks_them_for_moderators(
    hidden, client, reader, moderator
):
    for viewer in (None, reader):
        html = page(as_(client, viewer), "/cards/sample/v/2/")
        assert SECRET_LINE not in html and SECRET_SUMMARY not in html and "alice" not in html
        assert "(author hidden)" in html and "text of this version was hidden" in html
        client.logout()
    html = page(as_(client, moderator), "/cards/sample/v/2/")
    assert SECRET_LINE in html and SECRET_SUMMARY in html and "alice" in html
    assert "badge-hidden" in html and "/cards/sample/v/2/visibility/" in html


def test_suppressed_parts_are_gone_for_moderators_and_shown_to_oversight(site, client, moderator, oversight):
    hide(site, 2, "text", "author", level=Visibility.SUPPRESSED, actor=oversight)
    html = page(as_(client, moderator), "/cards/sample/v/2/")
    assert SECRET_LINE not in html and "alice" not in html
    assert as_(client, moderator).get("/cards/sample/v/2.md").status_code == 410
    history = page(client, "/cards/sample/history/")
    assert "alice" not in history and "(text hidden)" in history
    html = page(as_(client, oversight), "/cards/sample/v/2/")
    assert SECRET_LINE in html and "alice" in html and "suppressed" in html


def test_the_version_readme_is_refused_with_410_unless_the_viewer_may_see_it(hidden, client, moderator):
    response = client.get("/cards/sample/v/2.md")
    assert response.status_code == 410 and SECRET_LINE not in response.content.decode()
    assert "hidden" in response.content.decode()
    assert SECRET_LINE in as_(client, moderator).get("/cards/sample/v/2.md").content.decode()


def test_a_diff_with_a_hidden_side_says_so_and_a_diff_across_it_still_works(hidden, client, moderator):
    for url in ("/cards/sample/diff/1/2/", "/cards/sample/diff/2/3/", "/cards/sample/diff/2/3/?view=unified"):
        html = page(client, url)
        assert SECRET_LINE not in html and "Text hidden" in html and "alice" not in html
    across = page(client, "/cards/sample/diff/1/3/")
    assert KEPT_LINE in across and "Text hidden" not in across
    html = page(as_(client, moderator), "/cards/sample/diff/1/2/")
    assert SECRET_LINE in html and "The public does not see this diff" in html
    # The compare form lands on the same diff.
    client.logout()
    assert client.get("/cards/sample/compare/", {"a": 1, "b": 2}).url == "/cards/sample/diff/1/2/"


def test_a_diff_computed_before_hiding_is_not_served_from_the_diff_cache(site, client, moderator):
    assert SECRET_LINE in page(client, "/cards/sample/diff/1/2/")
    hide(site, 2, "text", actor=moderator)
    assert SECRET_LINE not in page(client, "/cards/sample/diff/1/2/")


def test_history_and_blame_show_hidden_authors_and_summaries_as_hidden(hidden, client, reader, moderator):
    for viewer in (None, reader):
        as_(client, viewer)
        history = page(client, "/cards/sample/history/")
        assert SECRET_SUMMARY not in history and "alice" not in history
        assert "(summary hidden)" in history and "(author hidden)" in history
        blame = page(client, "/cards/sample/blame/")
        assert KEPT_LINE in blame  # the line is in the current text: it stays
        assert "alice" not in blame and "(author hidden)" in blame
        client.logout()
    as_(client, moderator)
    history = page(client, "/cards/sample/history/")
    assert SECRET_SUMMARY in history and "alice" in history and "hide…" in history
    assert "alice" in page(client, "/cards/sample/blame/")


def test_recent_changes_and_the_feeds_leave_out_hidden_summaries_and_authors(
    hidden, client, reader, moderator, alice
):
    from modelcards.models import Watch
    from modelcards.notifications import watchlist

    for viewer in (None, reader):
        html = page(as_(client, viewer), "/changes/")
        assert SECRET_SUMMARY not in html and ">alice<" not in html and "(summary hidden)" in html
        client.logout()
    assert SECRET_SUMMARY in page(as_(client, moderator), "/changes/")
    client.logout()
    for url in ("/changes/feed/", "/cards/sample/feed/"):
        feed = page(client, url)
        assert SECRET_SUMMARY not in feed and "<name>alice</name>" not in feed
        assert "(summary hidden)" in feed
    Watch.objects.create(user=moderator, card=hidden)
    key = watchlist.new_feed_key(moderator)
    feed = page(client, f"/watchlist/feed/{key.token}/")
    assert SECRET_SUMMARY not in feed and "<name>alice</name>" not in feed
    watching = page(as_(client, moderator), "/watchlist/")
    assert SECRET_SUMMARY in watching and "badge-hidden" in watching


def test_undo_and_restore_of_a_hidden_text_are_refused_to_readers(hidden, client, reader):
    for url in ("/cards/sample/undo/2/", "/cards/sample/undo/3/", "/cards/sample/restore/2/"):
        response = as_(client, reader).get(url)
        assert response.status_code == 410 and SECRET_LINE not in response.content.decode()


def test_a_profile_does_not_tie_a_hidden_author_to_the_version(hidden, client, moderator):
    html = page(client, "/users/alice/")
    assert SECRET_SUMMARY not in html and "/cards/sample/v/2/" not in html
    html = page(as_(client, moderator), "/users/alice/")
    assert "/cards/sample/v/2/" in html


def test_the_api_shows_hidden_parts_as_null_and_refuses_a_hidden_text(hidden, client, moderator):
    api = ApiClient(client)
    rows = {row["number"]: row for row in api.get("/api/v1/cards/sample/history/").json()["results"]}
    assert rows[2]["author"] is None and rows[2]["summary"] is None
    assert rows[2]["hidden"] == ["text", "summary", "author"] and rows[3]["hidden"] == []
    detail = api.get("/api/v1/cards/sample/versions/2/").json()
    assert detail["metadata"] is None and detail["title"] is None and detail["openness"] is None
    assert api.get("/api/v1/cards/sample/versions/2/README.md").status_code == 410
    assert api.get("/api/v1/cards/sample/diff/1/2/").status_code == 410
    across = api.get("/api/v1/cards/sample/diff/1/3/").json()
    assert KEPT_LINE in json.dumps(across) and SECRET_LINE not in json.dumps(across)
    # The API is public whoever asks: a moderator's session sees the same.
    client.force_login(moderator)
    assert api.get("/api/v1/cards/sample/versions/2/README.md").status_code == 410


def test_a_suggestion_that_became_a_hidden_version_hides_its_text_and_author(
    card, client, make_user, moderator
):
    author = make_user("writer")
    suggestion = submit_suggestion(card=card, text=V2, summary=SECRET_SUMMARY, base_version=1, author=author)
    accept_suggestion(
        suggestion, reviewer=moderator, seen_fingerprint=text_fingerprint(suggestion.text), seen_version=1
    )
    update_card(card, card_file=parse_card(SAMPLE_README), user=None, summary="Out")
    version = suggestion.version
    visibility.change_visibility(version, parts=["author"], level=1, reason="Asked", actor=moderator)
    html = page(client, f"/suggestions/{suggestion.pk}/")
    assert "writer" not in html and "(author hidden)" in html
    visibility.change_visibility(version, parts=["text"], level=1, reason="Asked", actor=moderator)
    for url in (
        f"/suggestions/{suggestion.pk}/",
        f"/suggestions/{suggestion.pk}.md",
        f"/suggestions/{suggestion.pk}/revisions/1/",
    ):
        response = client.get(url)
        assert response.status_code == 410 and SECRET_LINE not in response.content.decode()
    body = ApiClient(client).get(f"/api/v1/suggestions/{suggestion.pk}/").json()
    assert body["text"] is None and body["author"] is None and body["hidden"] == ["text", "author"]
    listed = ApiClient(client).get("/api/v1/suggestions/", card="sample", status="all").json()["results"]
    assert listed[0]["author"] is None
    assert SECRET_LINE in page(as_(client, moderator), f"/suggestions/{suggestion.pk}/")


def test_dumps_leave_hidden_parts_out_and_older_dumps_are_withdrawn(hidden, settings, tmp_path):
    records = {r["number"]: r for r in (version_record(row) for row in every_version())}
    assert records[2]["text"] == "" and records[2]["summary"] == "" and records[2]["author"] == ""
    assert records[2]["hidden"] == ["text", "summary", "author"]
    assert "hidden" not in records[3] and records[3]["text"] == V3
    settings.MODELCARDS_DUMPS_DIR = tmp_path
    from modelcards.dumps.publishing import publish_dump

    publish_dump()
    assert len(published_dumps()) == 1
    from django.utils import timezone

    assert withdraw_made_before(timezone.now()) and published_dumps() == []


def test_mail_not_yet_sent_leaves_out_what_was_hidden_since(site, moderator):
    event = f"new_version:{v(site, 2).pk}"
    hide(site, 2, "summary", "author", actor=moderator)
    subject, body = render_mail(event)
    assert SECRET_SUMMARY not in body and "alice" not in body and "(author hidden)" in body
    hide(site, 1, "text", actor=moderator)  # the diff in the mail about v2 shows v1's lines
    assert SECRET_LINE not in render_mail(event)[1] and "hidden" in render_mail(event)[1]
    assert mail.outbox == []


def test_an_inbox_entry_loses_the_hidden_summary_and_gets_it_back_on_unhide(site, moderator, reader):
    from modelcards.models import Notification

    entry = Notification.objects.create(
        user=reader, kind=Notification.Kind.VERSION, event="x", version=v(site, 2), excerpt=SECRET_SUMMARY
    )
    hide(site, 2, "summary", actor=moderator)
    entry.refresh_from_db()
    assert entry.excerpt == ""
    hide(site, 2, "summary", level=Visibility.VISIBLE, actor=moderator)
    entry.refresh_from_db()
    assert entry.excerpt == SECRET_SUMMARY


# --------------------------------------------------------------------------------------
# Caches, unhiding, and cost


def test_a_cached_anonymous_page_stops_showing_the_part_right_after_hiding(site, client, moderator):
    urls = ["/cards/sample/v/2/", "/cards/sample/history/", "/changes/", "/cards/sample/feed/"]
    for url in urls:
        client.get(url)
        assert client.get(url).headers.get("X-Page-Cache") == "hit", url
    api = ApiClient(client)
    api.get("/api/v1/cards/sample/history/")
    hide(site, 2, "text", "summary", actor=moderator)
    for url in urls:
        html = page(client, url)
        assert SECRET_SUMMARY not in html and SECRET_LINE not in html, url
    assert api.get("/api/v1/cards/sample/history/").json()["results"][1]["summary"] is None


def test_a_moderators_cached_page_never_reaches_a_reader(site, client, moderator, reader):
    hide(site, 2, "summary", actor=moderator)
    assert SECRET_SUMMARY in page(as_(client, moderator), "/cards/sample/history/")
    assert SECRET_SUMMARY in page(client, "/cards/sample/diff/1/2/")
    assert SECRET_SUMMARY not in page(as_(client, reader), "/cards/sample/history/")
    assert SECRET_SUMMARY not in page(client, "/cards/sample/diff/1/2/")


def test_unhiding_brings_every_part_back(hidden, client, moderator):
    hide(hidden, 2, "text", "summary", "author", level=Visibility.VISIBLE, actor=moderator, reason="Cleared")
    html = page(client, "/cards/sample/v/2/")
    assert SECRET_LINE in html and SECRET_SUMMARY in html and "alice" in html
    assert client.get("/cards/sample/v/2.md").status_code == 200
    assert SECRET_LINE in page(client, "/cards/sample/diff/1/2/")


def test_recent_changes_cost_the_same_queries_however_many_rows_are_hidden(
    site, client, moderator, edit_card, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(moderator)
    with CaptureQueriesContext(connection) as few:
        page(client, "/changes/?kind=version")
    for number in range(4, 14):
        edit_card(site, V3 + f"\nMore {number}.\n", summary=f"Edit {number}")
    for number in range(3, 13):
        hide(site, number, "summary", actor=moderator)
    with django_assert_max_num_queries(len(few)):
        page(client, "/changes/?kind=version")


def test_the_openness_claims_a_hidden_author_asserted_no_longer_name_them(
    card, client, edit_card, alice, moderator
):
    edit_card(card, SAMPLE_README.replace("license: apache-2.0", "license: mit"), user=alice, summary="MIT")
    edit_card(card, SAMPLE_README.replace("license: apache-2.0", "license: mit") + "\nMore.\n")
    card.refresh_from_db()
    assert card.claim_provenance["license"]["by"] == "alice"
    assert "alice" in page(client, "/cards/sample/openness.json")
    hide(card, 2, "author", actor=moderator)
    card.refresh_from_db()
    assert card.claim_provenance["license"]["by"] == "(author hidden)"
    for url in ("/cards/sample/openness.json", "/cards/sample/"):
        assert "alice" not in page(client, url), url
    hide(card, 2, "author", level=Visibility.VISIBLE, actor=moderator)
    card.refresh_from_db()
    assert card.claim_provenance["license"]["by"] == "alice"


def test_the_suggestion_list_does_not_name_the_hidden_author_of_an_accepted_suggestion(
    card, client, make_user, moderator
):
    suggestion = submit_suggestion(
        card=card, text=V2, summary="Fine", base_version=1, author=make_user("writer")
    )
    accept_suggestion(
        suggestion, reviewer=moderator, seen_fingerprint=text_fingerprint(suggestion.text), seen_version=1
    )
    assert "writer" in page(client, "/suggestions/?status=accepted")
    visibility.change_visibility(
        suggestion.version, parts=["author"], level=1, reason="Asked", actor=moderator
    )
    html = page(client, "/suggestions/?status=accepted")
    assert "writer" not in html and "(author hidden)" in html


def test_a_moderator_cannot_revert_to_a_hidden_text_without_unhiding_it(hidden, client, moderator):
    client.force_login(moderator)
    response = client.post("/cards/sample/revert/2/", {"reason": "Bring it back"})
    assert response.status_code == 409 and "unhide it" in response.content.decode()
    assert hidden.versions.count() == 3


def test_a_dump_with_hidden_parts_loads_and_they_stay_hidden(hidden, moderator, tmp_path):
    from django.contrib.auth import get_user_model
    from reversion.models import Revision

    from modelcards.dumps.loading import load_dump
    from modelcards.dumps.writing import write_dump
    from modelcards.models import Activity, ModelCard

    write_dump(tmp_path / "dump")
    with gzip.open(tmp_path / "dump" / "history.jsonl.gz", "rt", encoding="utf-8") as lines:
        written = lines.read()
    assert SECRET_SUMMARY not in written and SECRET_LINE not in written
    assert '"hidden":["text","summary","author"]' in written
    ModelCard.objects.all().delete()
    Revision.objects.all().delete()
    Activity.objects.all().delete()
    get_user_model().objects.all().delete()
    load_dump(tmp_path / "dump")
    loaded = v(ModelCard.objects.get(slug="sample"), 2)
    assert (loaded.text_visibility, loaded.summary_visibility, loaded.author_visibility) == (1, 1, 1)
    assert SECRET_LINE not in loaded.stored_fields()["text"] and loaded.summary == ""


def test_a_moderator_cannot_undo_back_to_a_hidden_text_but_may_undo_the_hidden_version(
    hidden, client, moderator
):
    client.force_login(moderator)
    response = client.get("/cards/sample/undo/3/")  # would bring back version 2's hidden lines
    assert response.status_code == 409 and "unhide it before undoing version 3" in response.content.decode()
    assert client.get("/cards/sample/undo/2/").status_code == 200  # takes the hidden lines out


def test_the_hidden_authors_own_comments_on_the_suggestion_lose_their_name_too(
    card, client, make_user, moderator
):
    from modelcards.workflow import comment_on_suggestion

    author = make_user("writer")
    suggestion = submit_suggestion(card=card, text=V2, summary="Phone", base_version=1, author=author)
    comment_on_suggestion(suggestion, body="I am the one who added it.", user=author)
    comment_on_suggestion(suggestion, body="A moderator's question.", user=moderator)
    accept_suggestion(
        suggestion, reviewer=moderator, seen_fingerprint=text_fingerprint(suggestion.text), seen_version=1
    )
    assert "writer" in page(client, f"/suggestions/{suggestion.pk}/")
    visibility.change_visibility(
        suggestion.version, parts=["author"], level=1, reason="Asked", actor=moderator
    )
    html = page(client, f"/suggestions/{suggestion.pk}/")
    assert "I am the one who added it." in html and "writer" not in html
    assert html.count("(author hidden)") >= 2 and ">mod</a>" in html
