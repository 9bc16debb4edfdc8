"""A stored version that cannot be read back (reversion's RevertError): a clear 410, never a 500."""

import json

import pytest
from django.urls import reverse
from reversion.models import Version

from modelcards.api import paths
from modelcards.models import ModelCard
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

GONE = 410


def corrupt(card, number: int, how: str) -> None:
    version = card.versions.get(number=number)
    row = Version.objects.get(revision_id=version.revision_id, object_id=str(card.pk))
    if how == "not json":
        row.serialized_data = '[{"model": "modelcards.modelcard", "fields": {'
    else:  # a field holding a value of the wrong type
        data = json.loads(row.serialized_data)
        data[0]["fields"]["body_start"] = "not a number"
        row.serialized_data = json.dumps(data)
    row.save(update_fields=["serialized_data"])


@pytest.fixture(params=["not json", "wrong type"])
def damaged(request, card, edit_card, moderator):
    """v2 of three is damaged."""
    edit_card(card, SAMPLE_README.replace("Summarising notes.", "Second."), user=moderator)
    edit_card(card, SAMPLE_README.replace("Summarising notes.", "Third."), user=moderator)
    corrupt(card, 2, request.param)
    return card


def assert_clear_page(response, card, number=2):
    assert response.status_code == GONE
    page = response.content.decode()
    assert f"Version {number} of {card.title} cannot be read" in page
    assert card.get_absolute_url() in page and reverse("modelcards:history", args=[card.slug]) in page


def test_every_page_reading_the_version_answers_the_clear_page(client, damaged, moderator):
    slug = damaged.slug
    for url in (
        reverse("modelcards:version_detail", args=[slug, 2]),
        reverse("modelcards:version_markdown", args=[slug, 2]),
        reverse("modelcards:diff", args=[slug, 1, 2]),
        reverse("modelcards:diff", args=[slug, 2, 3]),
        reverse("modelcards:restore", args=[slug, 2]),
        reverse("modelcards:undo", args=[slug, 2]),
        reverse("modelcards:undo", args=[slug, 3]),  # reads version 2 as the text to go back to
    ):
        assert_clear_page(client.get(url), damaged)
    compare = client.get(reverse("modelcards:compare", args=[slug]), {"a": 1, "b": 2}, follow=True)
    assert_clear_page(compare, damaged)
    client.force_login(moderator)
    for url in (
        reverse("modelcards:version_detail", args=[slug, 2]),
        reverse("modelcards:undo", args=[slug, 2]),
    ):
        assert_clear_page(client.get(url), damaged)
    revert = client.post(reverse("modelcards:revert", args=[slug, 2]), {"reason": "back"})
    assert_clear_page(revert, damaged)
    assert ModelCard.objects.get(pk=damaged.pk).version_number == 3  # nothing was written


def test_the_card_its_history_and_other_versions_still_work(client, damaged):
    slug = damaged.slug
    assert client.get(damaged.get_absolute_url()).status_code == 200
    assert client.get(reverse("modelcards:card_markdown", args=[slug])).status_code == 200
    assert client.get(reverse("modelcards:history", args=[slug])).status_code == 200
    assert client.get(reverse("modelcards:version_detail", args=[slug, 3])).status_code == 200
    assert client.get(reverse("modelcards:diff", args=[slug, 1, 3])).status_code == 200


def test_the_api_answers_its_error_shape_with_the_same_status(client, damaged):
    for url in (
        paths.version(damaged.slug, 2),
        paths.version_readme(damaged.slug, 2),
        f"{paths.ROOT}cards/{damaged.slug}/diff/1/2/",
    ):
        response = client.get(url)
        assert response.status_code == GONE, url
        error = response.json()["error"]
        assert error["code"] == "version_unreadable"
        assert f"Version 2 of card “{damaged.slug}” cannot be read back" in error["message"]
    assert client.get(paths.version(damaged.slug, 3)).status_code == 200


def test_a_rollback_to_the_damaged_version_is_refused_clearly(client, damaged, make_user, moderator):
    from modelcards.cardfile import parse_card
    from modelcards.workflow.cards import update_card

    damaged.refresh_from_db()
    update_card(damaged, card_file=parse_card(SAMPLE_README), user=make_user("eve"), summary="vandal")
    client.force_login(moderator)
    # v3 and v2 are by the moderator, v4 by eve: the rollback goes back to v3, which reads fine
    response = client.post(reverse("modelcards:rollback", args=[damaged.slug]), {"expected_version": "4"})
    assert response.status_code == 302


def test_a_watchers_mail_about_the_next_version_still_goes_without_the_diff(damaged):
    from modelcards.mail_texts import render

    _subject, body = render(f"new_version:{damaged.versions.get(number=3).pk}")
    assert "Version 2 can no longer be read back from the history, so no diff is shown." in body
