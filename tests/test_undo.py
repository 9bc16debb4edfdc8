"""History's "undo" and "restore this version": what each role is shown and what each gets."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from modelcards.models import CardVersion, ModelCard, Suggestion
from tests.conftest import SAMPLE_README
from tests.factories import add_versions

pytestmark = pytest.mark.django_db

USES = "Summarising notes."
LIMITS = "It is only a sample."


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def three_versions(card, edit_card, alice, make_user):
    """v2 by alice rewrites the Uses line; v3 by bob rewrites the Limitations line."""
    v2 = SAMPLE_README.replace(USES, "Summarising long meeting notes.")
    edit_card(card, v2, user=alice, summary="Say what is summarised")
    v3 = v2.replace(LIMITS, "It is a sample, nothing more.")
    edit_card(card, v3, user=make_user("bob"), summary="Plainer limits")
    return card


def test_history_rows_offer_undo_except_for_version_1_and_restore_except_for_the_current(
    client, three_versions
):
    html = client.get(reverse("modelcards:history", args=["sample"])).content.decode()
    for number in (2, 3):
        assert f'href="/cards/sample/undo/{number}/"' in html
    assert 'href="/cards/sample/undo/1/"' not in html
    for number in (1, 2):
        assert f'href="/cards/sample/restore/{number}/"' in html
    assert 'href="/cards/sample/restore/3/"' not in html


def test_undo_takes_out_one_change_and_keeps_the_later_ones(client, three_versions):
    page = client.get(reverse("modelcards:undo", args=["sample", 2]))
    assert page.status_code == 200
    undo = page.context["undo"]
    assert USES in undo.text and "nothing more" in undo.text  # v2 undone, v3 kept
    html = page.content.decode()
    assert "Undo version 2 by alice" in html
    assert "What undoing changes in the current card" in html


def test_a_moderator_publishes_an_undo_as_a_version_credited_to_them(client, three_versions, moderator):
    client.force_login(moderator)
    url = reverse("modelcards:undo", args=["sample", 2])
    form = client.get(url).context["form"]
    response = client.post(url, {**form.initial, "save": "1"})
    assert response.status_code == 302
    card = ModelCard.objects.get(slug="sample")
    assert card.version_number == 4
    assert USES in card.text and "nothing more" in card.text
    version = card.versions.get(number=4)
    assert version.summary == "Undo version 2 by alice"
    assert version.author == moderator and version.kind == CardVersion.Kind.EDITED


def test_anyone_else_files_the_undo_as_a_suggestion(client, three_versions, user):
    client.force_login(user)
    url = reverse("modelcards:undo", args=["sample", 2])
    form = client.get(url).context["form"]
    response = client.post(url, {**form.initial, "submit": "1"})
    suggestion = Suggestion.objects.get()
    assert response.status_code == 302 and response["Location"] == suggestion.get_absolute_url()
    assert suggestion.author == user and suggestion.base_version == 3
    assert suggestion.summary == "Undo version 2 by alice"
    assert USES in suggestion.text and "nothing more" in suggestion.text
    assert ModelCard.objects.get(slug="sample").version_number == 3  # nothing published


def test_an_anonymous_undo_gets_the_private_link_like_any_anonymous_suggestion(client, three_versions):
    url = reverse("modelcards:undo", args=["sample", 2])
    form = client.get(url).context["form"]
    response = client.post(url, {**form.initial, "author_name": "Pat", "submit": "1"})
    suggestion = Suggestion.objects.get()
    assert response.status_code == 302 and f"token={suggestion.access_token}" in response["Location"]
    assert suggestion.author is None and suggestion.author_name == "Pat"


@pytest.fixture
def conflicting(card, edit_card, alice, make_user):
    """v2 by alice rewrites the Uses line, and v3 by bob rewrites the same line again."""
    edit_card(card, SAMPLE_README.replace(USES, "Summarising long notes."), user=alice)
    edit_card(card, SAMPLE_README.replace(USES, "Summarising very long notes."), user=make_user("bob"))
    return card


def test_an_undo_that_conflicts_opens_an_editor_with_the_conflict_marked(client, conflicting, moderator):
    client.force_login(moderator)
    page = client.get(reverse("modelcards:undo", args=["sample", 2]))
    assert page.status_code == 200 and page.context["undo"].conflicted
    text = page.context["form"]["text"].value()
    assert "<<<<<<< current card (version 3)\nSummarising very long notes.\n=======\n" in text
    assert f"{USES}\n>>>>>>> before version 2\n" in text
    html = page.content.decode()
    assert "<textarea" in html and "delete the three marker lines" in html


def test_conflict_markers_left_in_are_refused_and_the_text_kept(client, conflicting, moderator):
    client.force_login(moderator)
    url = reverse("modelcards:undo", args=["sample", 2])
    form = client.get(url).context["form"]
    response = client.post(url, {**form.initial, "save": "1"})
    assert response.status_code == 400
    assert "conflict markers are still in the text" in response.content.decode()
    assert response.context["form"]["text"].value() == form.initial["text"]
    assert ModelCard.objects.get(slug="sample").version_number == 3


def test_a_resolved_conflict_is_published_and_can_be_compared_first(client, conflicting, moderator):
    client.force_login(moderator)
    url = reverse("modelcards:undo", args=["sample", 2])
    initial = client.get(url).context["form"].initial
    resolved = SAMPLE_README.replace(USES, "Summarising notes, long or short.")
    preview = client.post(url, {**initial, "text": resolved, "preview": "1"})
    assert preview.status_code == 200 and preview.context["preview_diff"].added == 1
    assert client.post(url, {**initial, "text": resolved, "save": "1"}).status_code == 302
    assert ModelCard.objects.get(slug="sample").text == resolved


def test_version_1_cannot_be_undone_and_unknown_versions_are_not_found(client, three_versions):
    response = client.get(reverse("modelcards:undo", args=["sample", 1]))
    assert response.status_code == 400 and "nothing before it" in response.content.decode()
    assert client.get(reverse("modelcards:undo", args=["sample", 9])).status_code == 404
    assert client.get(reverse("modelcards:restore", args=["sample", 9])).status_code == 404


def test_an_undo_already_undone_says_there_is_nothing_to_undo(client, card, edit_card, moderator):
    edit_card(card, SAMPLE_README.replace(USES, "Changed."))
    edit_card(card, SAMPLE_README)  # undone by hand
    page = client.get(reverse("modelcards:undo", args=["sample", 2]))
    assert page.status_code == 200
    assert "there is nothing to undo" in page.content.decode()
    assert "<form" not in page.content.decode().split("<main", 1)[1]


def test_restore_for_a_reader_files_the_old_text_as_a_suggestion(client, three_versions, user):
    client.force_login(user)
    url = reverse("modelcards:restore", args=["sample", 1])
    page = client.get(url)
    assert "What restoring changes in the current card" in page.content.decode()
    response = client.post(url, {**page.context["form"].initial, "submit": "1"})
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.text == SAMPLE_README and suggestion.base_version == 3
    assert suggestion.summary == "Restore version 1"


def test_restore_for_a_moderator_is_the_revert_form(client, three_versions, moderator):
    client.force_login(moderator)
    html = client.get(reverse("modelcards:restore", args=["sample", 1])).content.decode()
    assert f'action="{reverse("modelcards:revert", args=["sample", 1])}"' in html
    assert 'name="reason"' in html


def test_undo_and_restore_keep_to_the_suggestion_rate_limit(client, three_versions, user, settings):
    settings.MODELCARDS_RATE_LIMITS = {**settings.MODELCARDS_RATE_LIMITS, "suggest": "1/h"}
    client.force_login(user)
    restore = reverse("modelcards:restore", args=["sample", 1])
    initial = client.get(restore).context["form"].initial
    assert client.post(restore, {**initial, "submit": "1"}).status_code == 302
    undo = reverse("modelcards:undo", args=["sample", 2])
    refused = client.post(undo, {**client.get(undo).context["form"].initial, "submit": "1"})
    assert refused.status_code == 429
    assert "many suggestions in a short time" in refused.content.decode()
    assert Suggestion.objects.count() == 1


def test_an_anonymous_restore_adding_many_links_is_held(client, card, edit_card, settings):
    settings.MODELCARDS_HOLD_LINKS_OVER = 2
    links = "".join(f"See https://example.org/{n}.\n" for n in range(5))
    edit_card(card, SAMPLE_README + links)
    edit_card(card, SAMPLE_README)
    url = reverse("modelcards:restore", args=["sample", 2])
    client.post(url, {**client.get(url).context["form"].initial, "submit": "1"})
    assert Suggestion.objects.get().held


def test_when_an_account_is_required_the_undo_page_sends_anonymous_visitors_to_log_in(
    client, three_versions, settings
):
    settings.MODELCARDS_REQUIRE_ACCOUNT_TO_SUGGEST = True
    response = client.get(reverse("modelcards:undo", args=["sample", 2]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_history_undo_and_restore_cost_no_more_queries_for_a_long_history(
    client, make_card, moderator, django_assert_max_num_queries
):
    add_versions(make_card(slug="short"), 3)
    add_versions(make_card(slug="long"), 30)
    make_card(slug="new")
    client.force_login(moderator)
    for name, short, long in (
        ("modelcards:history", ["new"], ["long"]),  # 1 version, no links, against 30 rows of them
        ("modelcards:undo", ["short", 3], ["long", 30]),
        ("modelcards:restore", ["short", 2], ["long", 2]),
    ):
        budget = _queries(client, reverse(name, args=short))
        with django_assert_max_num_queries(budget):
            assert client.get(reverse(name, args=long)).status_code == 200
