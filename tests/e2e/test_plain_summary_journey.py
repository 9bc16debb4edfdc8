"""A contributor writes a card's plain-language summary in the guided editor; readers see it first."""

import pytest

from modelcards.cardfile import parse_card
from modelcards.models import Suggestion
from modelcards.workflow import accept_suggestion
from tests.conftest import SAMPLE_README

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

SUMMARY = "Writes English text from a prompt. It was trained on web pages, so it repeats their mistakes."


def test_contributor_writes_a_summary_with_the_hint_and_readers_see_it_first(
    page, log_in, make_card, user, moderator, axe_violations
):
    make_card()
    page.goto("/cards/sample/")
    expect(page.locator(".plain-summary")).to_contain_text("no plain-language summary yet")
    assert axe_violations() == []
    page.get_by_role("link", name="Suggest one").click()
    page.wait_for_url("**/cards/sample/suggest/#id_meta-plain_summary")
    log_in(user, next_url="/cards/sample/suggest/")
    expect(page.locator("form[data-editor-ready]")).to_be_attached()

    field = page.get_by_label("Plain-language summary")
    hint = page.locator("[data-summary-hint]")
    expect(hint).to_have_text("0 of 600 characters")
    field.fill("x" * 610)
    expect(hint).to_contain_text("610 of 600 characters: 10 too many")
    expect(hint).to_have_class("help summary-hint over-limit")
    expect(page.locator('[data-field-problems="plain_summary"]')).to_contain_text("at most 600 characters")
    field.fill(SUMMARY)
    expect(hint).to_have_text(
        "93 of 600 characters · 2 sentences, 9 words each on average · 24% long words (7+ letters) · "
        "readability (LIX) 32: easy"
    )
    expect(page.locator('[data-field-problems="plain_summary"]')).to_be_hidden()
    assert axe_violations() == []

    page.get_by_label("Summary of what changed and why").fill("Add a plain-language summary")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message-success")).to_be_visible()
    suggestion = Suggestion.objects.get()
    assert parse_card(suggestion.text).metadata["modelcardcommons"] == {"summary": SUMMARY}
    assert suggestion.text.endswith(SAMPLE_README[SAMPLE_README.index("---\n# Sample") :])

    accept_suggestion(suggestion, reviewer=moderator)
    page.goto("/cards/sample/")
    expect(page.locator(".plain-summary-text")).to_have_text(SUMMARY)
    assert axe_violations() == []
