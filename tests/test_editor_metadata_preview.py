"""The editor's preview says what an edit does to the metadata, with or without JavaScript."""

import html

import pytest

from modelcards.models import Suggestion
from tests.conftest import SAMPLE_README
from tests.test_editor import guided_post

pytestmark = pytest.mark.django_db


def _shown(fragment: str) -> str:
    return html.unescape(fragment)


def test_the_editor_names_the_card_it_edits_for_the_preview(client, card):
    page = client.get("/cards/sample/suggest/").content.decode()
    assert '<input type="hidden" name="editor_card" value="sample">' in page
    assert "no change yet" in page


def test_the_live_preview_lists_changed_metadata_keys_with_old_and_new_values(client, card):
    data = guided_post(license="mit", tags="text-generation, demo, asr-audit", editor_card="sample")
    payload = client.post("/preview/", data).json()
    shown = _shown(payload["metadata_html"])
    assert "<code>apache-2.0</code></del>" in shown and "<ins><code>mit</code></ins>" in shown
    assert "asr-audit" in shown and "language" not in shown  # untouched keys are not listed


def test_raw_mode_edits_are_compared_with_the_version_the_editor_started_from(client, card, edit_card):
    edit_card(card, SAMPLE_README.replace("library_name: transformers", "library_name: diffusers"))
    text = SAMPLE_README.replace("pipeline_tag: text-generation", "pipeline_tag: summarization")
    payload = client.post(
        "/preview/", {"mode": "raw", "text": text, "base_version": 1, "editor_card": "sample"}
    ).json()
    shown = _shown(payload["metadata_html"])
    assert "summarization" in shown and "diffusers" not in shown  # version 1, not the current card


def test_the_preview_button_without_javascript_shows_the_metadata_changes_too(client, card, user):
    client.force_login(user)
    data = guided_post(license="mit", editor_card="sample", preview="1")
    response = client.post("/cards/sample/suggest/", data)
    assert response.status_code == 200
    pane = response.content.decode().split('class="preview-metadata"', 1)[1].split("</div>", 1)[0]
    assert "<ins><code>mit</code></ins>" in _shown(pane)
    assert not Suggestion.objects.exists()


def test_a_new_card_or_a_section_has_no_metadata_comparison(client, card):
    new = client.post("/preview/", {"mode": "raw", "text": SAMPLE_README, "base_version": 0}).json()
    assert new["metadata_html"] == ""
    section = client.post(
        "/preview/", {"mode": "raw", "text": "## Uses\n", "section": "1", "editor_card": "sample"}
    ).json()
    assert section["metadata_html"] == ""


def test_a_preview_naming_no_such_card_or_version_compares_nothing_and_does_not_fail(client, card):
    for extra in (
        {"editor_card": "nope", "base_version": 1},
        {"editor_card": "sample", "base_version": 99},
        {"editor_card": "sample", "base_version": "x"},
    ):
        response = client.post("/preview/", {"mode": "raw", "text": SAMPLE_README, **extra})
        assert response.status_code == 200 and response.json()["metadata_html"] == ""
