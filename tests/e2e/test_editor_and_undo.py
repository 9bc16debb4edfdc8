"""Journeys: a guided edit of a card with a hundred languages, and undoing one version from history."""

import itertools
import re
import string

from playwright.sync_api import expect

from modelcards.models import ModelCard, Suggestion
from tests.conftest import SAMPLE_README

CODES = ["".join(pair) for pair in itertools.product(string.ascii_lowercase, repeat=2)][:100]
MANY_LANGUAGES = SAMPLE_README.replace(
    "language:\n- en\n- fr\n", "language:\n" + "".join(f"- {code}\n" for code in CODES)
)


def _body_top(page) -> float:
    return page.get_by_label("Text (Markdown)").bounding_box()["y"]


def test_a_hundred_languages_keep_to_their_own_box_and_the_preview_says_what_changed(page, make_card):
    make_card(slug="few")
    make_card(slug="many", text=MANY_LANGUAGES)
    page.goto("/cards/few/suggest/")
    expect(page.locator("form[data-editor-ready]")).to_be_attached()
    few_top = _body_top(page)

    page.goto("/cards/many/suggest/")
    expect(page.locator("form[data-editor-ready]")).to_be_attached()
    languages = page.locator('[data-field="language"] .tokens')
    expect(languages.locator(".token")).to_have_count(100)
    assert languages.bounding_box()["height"] < 160
    assert _body_top(page) - few_top < 120  # the text is where it is for a card with two languages

    # The last language can still be reached and removed; the preview lists what that does.
    languages.get_by_role("button", name=f"Remove {CODES[-1]}").click()
    page.get_by_label("Licence", exact=True).fill("mit")
    preview = page.locator("[data-preview-metadata]")
    expect(preview).to_contain_text(re.compile(r"language.*removed.*" + CODES[-1], re.DOTALL))
    expect(preview).to_contain_text(re.compile(r"license.*apache-2\.0.*mit", re.DOTALL))


def test_a_reader_undoes_one_version_from_the_history_as_a_suggestion(page, log_in, card, edit_card, user):
    edit_card(card, SAMPLE_README.replace("Summarising notes.", "Summarising meeting notes."))
    edit_card(card, card.text.replace("It is only a sample.", "It is a sample, nothing more."))
    log_in(user, next_url="/cards/sample/history/")
    page.get_by_role("link", name="undo version 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Undo version 2 of Sample Model")
    expect(page.locator(".diff")).to_contain_text("Summarising meeting notes.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message-success")).to_be_visible()
    suggestion = Suggestion.objects.get()
    assert "Summarising notes." in suggestion.text and "nothing more" in suggestion.text
    assert ModelCard.objects.get().version_number == 3


def test_a_moderator_resolves_a_conflicting_undo_in_the_editor(
    page, watch, log_in, card, edit_card, moderator
):
    watch.allow("status of 400")  # the text sent back with its markers still in
    edit_card(card, SAMPLE_README.replace("Summarising notes.", "Summarising long notes."))
    edit_card(card, SAMPLE_README.replace("Summarising notes.", "Summarising very long notes."))
    log_in(moderator, next_url="/cards/sample/undo/2/")
    text = page.get_by_label("README.md with the undo applied")
    expect(text).to_have_value(re.compile("<<<<<<< current card"))
    page.get_by_role("button", name="Publish the undo").click()
    expect(page.locator("#id_text-problems")).to_contain_text("conflict markers are still in the text")
    resolved = SAMPLE_README.replace("Summarising notes.", "Summarising notes, long or short.")
    page.get_by_label("README.md with the undo applied").fill(resolved)
    page.get_by_role("button", name="Publish the undo").click()
    expect(page.locator(".message-success")).to_contain_text("Version 4 undoes version 2")
    assert ModelCard.objects.get().text == resolved
