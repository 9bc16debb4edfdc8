"""Field watches (issue 16 item 4): one field followed on every card, through the real workflow to the
inbox and to each watch's private feed."""

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modelcards.cardfile import parse_card
from modelcards.governance import visibility
from modelcards.models import CardVersion, FieldWatch, Notification, Visibility
from modelcards.notifications import field_watches
from modelcards.openness.mof import COMPONENTS
from modelcards.workflow import accept_suggestion, submit_suggestion, text_fingerprint, update_card
from tests.conftest import SAMPLE_README
from tests.test_accessible_markup import problems_of

pytestmark = pytest.mark.django_db

MIT = SAMPLE_README.replace("license: apache-2.0", "license: mit")
WITH_BASE = SAMPLE_README.replace("pipeline_tag:", "base_model: meta-llama/Llama-2-7b-hf\npipeline_tag:")


def _released(mof_class: int) -> dict:
    """Every component a class needs (and those of the classes below it), openly licensed."""
    licences = {"code": "apache-2.0", "data": "cdla-permissive-2.0", "document": "cc-by-4.0"}
    return {
        c.key: {"availability": "open", "license": licences[c.content_type]}
        for c in COMPONENTS
        if c.required and c.mof_class >= mof_class
    }


def _openness_card(mof_class: int, body: str = "A model.\n") -> str:
    meta = {"license": "apache-2.0", "modelcardcommons": {"openness": {"components": _released(mof_class)}}}
    return "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n# Open Model\n\n" + body


@pytest.fixture
def watcher(make_user):
    return make_user("watcher")


@pytest.fixture
def editor(make_user):
    return make_user("editor")


def watch(user, *fields):
    return [field_watches.watch_field(user, field)[0] for field in fields]


def edit(card, text, *, user=None, summary="Edited in a test"):
    return update_card(card, card_file=parse_card(text), user=user, summary=summary)


def entries(user):
    return list(Notification.objects.filter(user=user, kind=Notification.Kind.FIELD).order_by("pk"))


def feed(client, watch_row) -> str:
    response = client.get(f"/watchlist/fields/feed/{watch_row.feed_token}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert response["Cache-Control"] == "private, no-store"
    return response.content.decode()


def _page(client, url="/watchlist/fields/") -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# The changes that reach watchers


def test_a_licence_change_on_any_card_reaches_the_licence_watchers_inbox_and_feed(
    client, make_card, watcher, editor, moderator
):
    card = make_card("other-model")
    (licence,) = watch(watcher, "license")
    suggestion = submit_suggestion(card=card, text=MIT, summary="Relicensed", base_version=1, author=editor)
    accept_suggestion(suggestion, reviewer=moderator, seen_fingerprint=text_fingerprint(MIT), seen_version=1)
    (entry,) = entries(watcher)
    assert entry.event == f"field:license:{suggestion.version.pk}" and entry.place == "license"
    assert entry.excerpt == "apache-2.0 → mit"
    assert entry.headline == "Sample Model: license changed in version 2 by editor"
    assert entry.target_url() == "/cards/other-model/diff/1/2/"

    client.force_login(watcher)
    inbox = _page(client, "/inbox/")
    assert "Sample Model: license changed in version 2 by editor" in inbox and "apache-2.0 → mit" in inbox
    opened = client.post(f"/inbox/{entry.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == "/cards/other-model/diff/1/2/"

    client.logout()  # feed readers have no session
    body = feed(client, licence)
    assert "Sample Model: license apache-2.0 → mit" in body
    assert "/cards/other-model/diff/1/2/" in body and "Relicensed" in body and "<name>editor</name>" in body


def test_a_base_model_change_reaches_base_model_watchers_and_their_feed(client, card, watcher, editor):
    base, licence = watch(watcher, "base_model", "license")
    edit(card, WITH_BASE, user=editor, summary="Name the base model")
    (entry,) = entries(watcher)
    assert entry.place == "base_model" and entry.excerpt == "(none) → meta-llama/Llama-2-7b-hf"
    edit(card, WITH_BASE.replace("Llama-2-7b-hf", "Llama-2-13b-hf"), user=editor, summary="Bigger base")
    newest = entries(watcher)[-1]
    assert newest.excerpt == "meta-llama/Llama-2-7b-hf → meta-llama/Llama-2-13b-hf"
    body = feed(client, base)
    assert body.index("Llama-2-13b-hf") < body.index("Name the base model")  # newest first
    assert "/cards/sample/diff/2/3/" in body and "/cards/sample/diff/1/2/" in body
    assert "<entry>" not in feed(client, licence)  # each watch's feed has its own field only


def test_a_mof_class_drop_reaches_its_watchers_and_a_rise_does_not(make_card, watcher, editor):
    card = make_card("open-model", _openness_card(1))
    assert card.mof_class == 1
    watch(watcher, "mof_class_drop")
    edit(card, _openness_card(3), user=editor, summary="Training data closed")
    card.refresh_from_db()
    assert card.mof_class == 3
    (entry,) = entries(watcher)
    assert entry.place == "mof_class_drop"
    assert entry.excerpt == "Class I, Open Science → Class III, Open Model"
    assert entry.headline == "Open Model: its MOF class dropped in version 2 by editor"
    edit(card, _openness_card(1), user=editor, summary="Data released again")
    assert len(entries(watcher)) == 1  # a rise is no drop
    edit(card, _openness_card(1).replace("availability: open", "availability: closed"), user=editor)
    card.refresh_from_db()
    assert card.mof_class == 0
    assert entries(watcher)[-1].excerpt == "Class I, Open Science → No MOF class"


def test_an_edit_that_leaves_the_watched_field_alone_tells_nobody(card, watcher, editor):
    watch(watcher, "license", "base_model", "mof_class_drop")
    edit(card, SAMPLE_README.replace("It is only a sample.", "Still a sample."), user=editor)
    edit(card, SAMPLE_README.replace("- demo", "- other"), user=editor)  # tags, not watched
    assert entries(watcher) == []


def test_a_new_card_is_no_change_of_a_field(make_card, watcher):
    watch(watcher, "license", "mof_class_drop")
    make_card("new-one", MIT)
    make_card("open-one", _openness_card(1))
    assert entries(watcher) == []


def test_nobody_is_told_of_their_own_change(card, watcher, editor, moderator):
    watch(watcher, "license")
    watch(moderator, "license")
    edit(card, MIT, user=watcher)  # the watcher's own edit
    assert entries(watcher) == [] and len(entries(moderator)) == 1
    suggestion = submit_suggestion(
        card=card, text=SAMPLE_README, summary="Back to Apache", base_version=2, author=editor
    )
    accept_suggestion(
        suggestion, reviewer=moderator, seen_fingerprint=text_fingerprint(SAMPLE_README), seen_version=2
    )
    # The accepting moderator made the change happen: only the watcher hears of it.
    assert len(entries(moderator)) == 1 and [e.excerpt for e in entries(watcher)] == ["mit → apache-2.0"]


def test_each_watched_field_a_version_changes_is_one_entry_and_written_once(card, watcher, editor):
    watch(watcher, "license", "base_model")
    version = edit(card, WITH_BASE.replace("license: apache-2.0", "license: mit"), user=editor)
    assert sorted(e.place for e in entries(watcher)) == ["base_model", "license"]
    field_watches.notify_field_changes(version, {"license": "apache-2.0"}, {"license": "mit"}, 0, 0)
    assert len(entries(watcher)) == 2


def test_an_inactive_account_hears_nothing(card, watcher, editor):
    watch(watcher, "license")
    watcher.is_active = False
    watcher.save(update_fields=["is_active"])
    edit(card, MIT, user=editor)
    assert entries(watcher) == []


def test_values_are_kept_short(card, watcher, editor):
    watch(watcher, "license_link")
    long_link = "https://example.org/" + "a" * 400
    edit(
        card,
        SAMPLE_README.replace(
            "license: apache-2.0", f"license: other\nlicense_name: x\nlicense_link: {long_link}"
        ),
        user=editor,
    )
    (entry,) = entries(watcher)
    old, new = entry.excerpt.split(" → ")
    assert old == "(none)" and len(new) == field_watches.VALUE_CHARS and new.endswith("…")


def test_notifying_costs_the_same_queries_for_one_watcher_as_for_many(make_card, make_user, editor):
    def queries_to_relicense(slug, watchers):
        card = make_card(slug)
        for number in range(watchers):
            watch(make_user(f"{slug}-{number}"), "license", "base_model")
        with CaptureQueriesContext(connection) as captured:
            edit(card, WITH_BASE.replace("license: apache-2.0", "license: mit"), user=editor)
        assert Notification.objects.filter(card=card, kind=Notification.Kind.FIELD).count() == 2 * watchers
        FieldWatch.objects.all().delete()
        return len(captured)

    assert queries_to_relicense("one", 1) == queries_to_relicense("many", 12)


def test_notifying_itself_is_two_queries(card, watcher, editor, django_assert_num_queries):
    watch(watcher, "license")
    version = edit(card, SAMPLE_README.replace("It is only a sample.", "Changed."), user=editor)
    version = CardVersion.objects.select_related("card").get(pk=version.pk)
    with django_assert_num_queries(2):
        field_watches.notify_field_changes(version, {"license": "apache-2.0"}, {"license": "gpl-3.0"}, 0, 0)
    with django_assert_num_queries(0):
        field_watches.notify_field_changes(version, {"license": "mit"}, {"license": "mit"}, 1, 1)


# Hidden parts of a version (issue 15 item 4)


def test_a_hidden_summary_and_author_stay_out_of_the_inbox_and_the_feed(
    client, card, watcher, editor, moderator
):
    (licence,) = watch(watcher, "license")
    version = edit(card, MIT, user=editor, summary="Secret reason")
    edit(card, MIT.replace("It is only a sample.", "Later."), user=moderator, summary="Later")
    visibility.change_visibility(
        CardVersion.objects.get(pk=version.pk),
        parts=["summary", "author"],
        level=Visibility.HIDDEN,
        reason="Asked",
        actor=moderator,
    )
    (entry,) = entries(watcher)
    assert "editor" not in entry.headline and entry.excerpt == "apache-2.0 → mit"
    body = feed(client, licence)
    assert "Secret reason" not in body and "editor" not in body
    assert "(summary hidden)" in body and "(author hidden)" in body


def test_values_read_from_a_hidden_text_are_withheld_until_it_is_shown_again(
    card, client, watcher, editor, moderator
):
    (licence,) = watch(watcher, "license")
    second = edit(card, MIT, user=editor)
    edit(card, SAMPLE_README, user=editor)  # v3: back to apache, its "before" is v2's text
    edit(card, SAMPLE_README.replace("It is only a sample.", "Later."), user=editor)
    assert [e.excerpt for e in entries(watcher)] == ["apache-2.0 → mit", "mit → apache-2.0"]
    second = CardVersion.objects.get(pk=second.pk)
    visibility.change_visibility(
        second, parts=["text"], level=Visibility.HIDDEN, reason="Asked", actor=moderator
    )
    assert [e.excerpt for e in entries(watcher)] == ["", ""]
    body = feed(client, licence)
    assert "apache-2.0 → mit" not in body and "mit → apache-2.0" not in body
    assert body.count("(values hidden)") == 2
    second = CardVersion.objects.get(pk=second.pk)
    visibility.change_visibility(
        second, parts=["text"], level=Visibility.VISIBLE, reason="Fine", actor=moderator
    )
    assert [e.excerpt for e in entries(watcher)] == ["apache-2.0 → mit", "mit → apache-2.0"]


# Watching, the page and the feed


def test_anonymous_visitors_are_sent_to_log_in(client, card):
    response = client.get("/watchlist/fields/")
    assert response.status_code == 302 and response["Location"].startswith(
        "/accounts/login/?next=/watchlist/fields/"
    )
    for url in (
        "/watchlist/fields/",
        "/watchlist/fields/license/unwatch/",
        "/watchlist/fields/license/feed-link/",
    ):
        response = client.post(url, {"field": "license"})
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert not FieldWatch.objects.exists()


def test_a_field_is_watched_from_a_list_and_shown_with_its_feed_address(client, watcher):
    client.force_login(watcher)
    page = _page(client)
    assert '<option value="license">license</option>' in page
    assert '<option value="mof_class_drop">MOF class drops</option>' in page
    assert "You watch no fields yet." in page
    response = client.post("/watchlist/fields/", {"field": "license"}, follow=True)
    assert response.redirect_chain == [("/watchlist/fields/#field-license", 302)]
    page = response.content.decode()
    token = FieldWatch.objects.get(user=watcher, field="license").feed_token
    assert "You are watching license on every card." in page
    assert f'value="http://testserver/watchlist/fields/feed/{token}/"' in page
    again = client.post("/watchlist/fields/", {"field": "license"}, follow=True)
    assert "You already watch license." in again.content.decode()
    assert FieldWatch.objects.filter(user=watcher).count() == 1
    assert "field watches" in _page(client, "/watchlist/")


def test_an_unknown_field_is_refused_with_a_message(client, watcher):
    client.force_login(watcher)
    response = client.post("/watchlist/fields/", {"field": "favourite_colour<b>"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "“favourite_colour&lt;b&gt;” is not a field you can watch. Choose one of: license," in page
    with pytest.raises(field_watches.FieldWatchError, match="not a field you can watch"):
        field_watches.watch_field(watcher, "modelcardcommons")
    assert not FieldWatch.objects.exists()


def test_stopping_a_watch_stops_its_entries_and_its_feed(client, card, watcher, editor):
    (licence,) = watch(watcher, "license")
    client.force_login(watcher)
    response = client.post("/watchlist/fields/license/unwatch/", follow=True)
    assert "You no longer watch license." in response.content.decode()
    assert not FieldWatch.objects.exists()
    assert client.get(f"/watchlist/fields/feed/{licence.feed_token}/").status_code == 404
    edit(card, MIT, user=editor)
    assert entries(watcher) == []
    assert client.post("/watchlist/fields/license/unwatch/").status_code == 404


def test_someone_elses_watch_cannot_be_stopped_or_renewed(client, watcher, make_user):
    (licence,) = watch(watcher, "license")
    client.force_login(make_user("stranger"))
    assert client.post("/watchlist/fields/license/unwatch/").status_code == 404
    assert client.post("/watchlist/fields/license/feed-link/").status_code == 404
    assert FieldWatch.objects.get().feed_token == licence.feed_token


def test_a_wrong_feed_token_is_a_404(client, watcher):
    (licence,) = watch(watcher, "license")
    assert client.get(f"/watchlist/fields/feed/{licence.feed_token[:-1]}x/").status_code == 404
    assert client.get(f"/watchlist/fields/feed/{'a' * 500}/").status_code == 404
    assert client.get(f"/watchlist/feed/{licence.feed_token}/").status_code == 404  # not a watchlist key
    watcher.is_active = False
    watcher.save(update_fields=["is_active"])
    assert client.get(f"/watchlist/fields/feed/{licence.feed_token}/").status_code == 404


def test_a_new_feed_link_revokes_the_old_one(client, watcher):
    licence, base = watch(watcher, "license", "base_model")
    client.force_login(watcher)
    response = client.post("/watchlist/fields/license/feed-link/", follow=True)
    assert response.redirect_chain == [("/watchlist/fields/#field-license", 302)]
    assert "the old one no longer works" in response.content.decode()
    renewed = FieldWatch.objects.get(pk=licence.pk).feed_token
    assert renewed != licence.feed_token
    assert client.get(f"/watchlist/fields/feed/{licence.feed_token}/").status_code == 404
    assert client.get(f"/watchlist/fields/feed/{renewed}/").status_code == 200
    assert FieldWatch.objects.get(pk=base.pk).feed_token == base.feed_token  # the other watch keeps its own


def test_a_feed_lists_the_changes_since_its_watch_began(client, card, watcher, editor):
    edit(card, MIT, user=editor, summary="Before the watch")
    (licence,) = watch(watcher, "license")
    edit(card, SAMPLE_README, user=editor, summary="After the watch")
    body = feed(client, licence)
    assert "After the watch" in body and "Before the watch" not in body


def test_reading_a_feed_costs_the_same_however_many_entries(
    client, card, watcher, editor, django_assert_num_queries
):
    (licence,) = watch(watcher, "license")
    for number in range(6):
        edit(card, MIT if number % 2 == 0 else SAMPLE_README, user=editor, summary=f"Change {number}")
    with CaptureQueriesContext(connection) as few:
        feed(client, licence)
    for number in range(6, 12):
        edit(card, MIT if number % 2 == 0 else SAMPLE_README, user=editor, summary=f"Change {number}")
    with CaptureQueriesContext(connection) as many:
        body = feed(client, licence)
    assert body.count("<entry>") == 12 and len(many) == len(few) <= 3


def test_the_page_is_well_formed_with_watches_and_with_a_refusal(client, watcher):
    watch(watcher, "license", "mof_class_drop")
    client.force_login(watcher)
    assert problems_of(_page(client)) == []
    refused = client.post("/watchlist/fields/", {"field": "nope"}).content.decode()
    assert problems_of(refused) == [] and 'aria-describedby="field-error"' in refused
