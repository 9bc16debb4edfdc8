"""The journeys people take through the site, in a real browser: reading, suggesting, reviewing."""

import re

import pytest

from modelcards.models import CardVersion, ModelCard, Suggestion, Watch
from modelcards.workflow import submit_suggestion
from tests.conftest import SAMPLE_README

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

LIMITATIONS = "## Limitations\n\nIt is only a sample.\n"


@pytest.fixture
def sample(make_card, edit_card):
    """The sample card at version 2, so there is an old version to read and revert to."""
    card = make_card()
    edit_card(card, SAMPLE_README.replace("Summarising notes.", "Summarising meeting notes."))
    card.refresh_from_db()
    return card


def test_reader_searches_opens_a_card_and_downloads_an_old_version(page, sample):
    response = page.goto("/")
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy

    page.get_by_label("Search cards").first.fill("sample")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Sample Model").click()
    expect(page.locator(".card-head h1")).to_have_text("Sample Model")

    page.get_by_role("link", name="History", exact=True).click()
    page.get_by_role("link", name="v1", exact=True).click()
    expect(page.get_by_role("note")).to_contain_text("old version")
    expect(page.locator(".card-body")).to_contain_text("Summarising notes.")

    with page.expect_download() as download:
        page.get_by_role("link", name="README.md of this version").click()
    assert download.value.suggested_filename == "README.md"
    assert open(download.value.path(), encoding="utf-8").read() == SAMPLE_README


def test_anonymous_visitor_suggests_a_section_edit_with_the_live_preview(page, sample):
    page.goto("/cards/sample/")
    page.get_by_role("link", name="Suggest an edit to the section Limitations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suggest an edit to “Limitations”")
    expect(page.locator("form[data-editor-ready]")).to_be_attached()  # the deferred script has run

    text = page.get_by_label("Section text (Markdown)")
    expect(text).to_have_value(LIMITATIONS)
    text.fill("## Limitations\n\nIt is only a sample and **was never evaluated** on real data.\n")
    expect(page.locator("[data-preview] strong")).to_have_text("was never evaluated")

    page.get_by_label("Summary of what changed and why").fill("Say it was never evaluated")
    page.get_by_label("Your name (optional)").fill("Ada")
    page.get_by_role("button", name="Submit for review").click()

    expect(page.locator(".message-success")).to_contain_text("waiting for a moderator")
    suggestion = Suggestion.objects.get()
    assert suggestion.author is None and suggestion.author_name == "Ada"
    assert suggestion.text == sample.text.replace(
        "It is only a sample.\n", "It is only a sample and **was never evaluated** on real data.\n"
    )


def test_registered_user_edits_in_guided_mode_and_untouched_metadata_stays_byte_for_byte(
    page, log_in, sample, user
):
    log_in(user, next_url="/cards/sample/suggest/")
    expect(page.locator("form[data-editor-ready]")).to_be_attached()
    expect(page.get_by_role("button", name="Guided")).to_have_attribute("aria-pressed", "true")

    page.get_by_label("Licence", exact=True).fill("mit")
    languages = page.get_by_label("Languages")
    languages.fill("de")
    languages.press("Enter")
    page.get_by_role("button", name="Remove demo").click()
    body = page.get_by_label("Text (Markdown)")
    body.press("End")
    body.press("Control+End")
    body.press_sequentially("\nTested by hand.\n")
    expect(page.locator("[data-preview]")).to_contain_text("Tested by hand.")

    # Raw mode shows the composed file; switching back keeps every field.
    page.get_by_role("button", name="Raw README.md").click()
    raw = page.get_by_label(re.compile("^README.md"))
    expect(raw).to_have_value(re.compile("license: mit\n"))
    page.get_by_role("button", name="Guided").click()
    expect(page.get_by_label("Licence", exact=True)).to_have_value("mit")

    # Recommended sections: add one from the checklist.
    checklist = page.locator(".checklist")
    checklist.get_by_role("button", name="Add the Model Details section").click()
    expect(body).to_have_value(re.compile(r"## Model Details\n\n<!-- .+ -->\n$"))
    body.press_sequentially("A sample model made for the tests.")
    expect(checklist.locator('[data-check="model_details"]')).to_contain_text("written")

    page.get_by_label("Summary of what changed and why").fill("MIT licence, German, no demo tag")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message-success")).to_be_visible()

    stored = Suggestion.objects.get(author=user).text
    expected = (
        sample.text.replace("license: apache-2.0\n", "license: mit\n")
        .replace("language:\n- en\n- fr\n", "language:\n- en\n- fr\n- de\n")
        .replace("tags:\n- text-generation\n- demo\n", "tags:\n- text-generation\n")
        .replace(
            "It is only a sample.\n",
            "It is only a sample.\n\nTested by hand.\n\n"
            "## Model Details\n\nA sample model made for the tests.\n",
        )
    )
    assert stored == expected


def test_moderator_accepts_one_suggestion_and_rejects_the_next_from_the_review_screen(
    page, log_in, sample, make_user, moderator
):
    author = make_user("author")
    first = submit_suggestion(
        card=sample,
        text=sample.text.replace("It is only a sample.", "It is only a sample, never evaluated."),
        summary="Mention evaluation",
        base_version=2,
        author=author,
    )
    second = submit_suggestion(
        card=sample, text=sample.text + "\nSpam.\n", summary="Add spam", base_version=2, author=author
    )
    log_in(moderator, next_url="/suggestions/")
    page.get_by_role("link", name="Mention evaluation").click()

    expect(page.locator("table.diff ins")).to_contain_text("never evaluated")
    expect(page.get_by_role("heading", name="How the card would look")).to_be_visible()
    expect(page.get_by_role("heading", name="Discussion")).to_be_visible()

    # Keyboard only: from the note, Tab reaches Accept and Enter presses it.
    page.get_by_label("Note to the author (optional)").first.fill("Thanks!")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Accept", exact=True)).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(".message-success")).to_contain_text("now version 3")
    expect(page).to_have_url(re.compile(f"/suggestions/{second.pk}/$"))
    page.get_by_label("Why is it rejected?").fill("Not about the model.")
    page.get_by_role("button", name="Reject").click()
    expect(page.locator(".message-success")).to_contain_text("Rejected")
    expect(page).to_have_url(re.compile("/suggestions/$"))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("accepted", "rejected")
    assert second.note == "Not about the model."
    assert ModelCard.objects.get().text == first.text


def test_stale_conflicting_suggestion_is_resolved_in_the_conflict_editor(
    page, log_in, sample, make_user, moderator, edit_card
):
    author = make_user("author")
    suggestion = submit_suggestion(
        card=sample,
        text=sample.text.replace("Summarising meeting notes.", "Summarising notes in French.").replace(
            "It is only a sample.", "It is a sample from the suggestion."
        ),
        summary="Two changes",
        base_version=2,
        author=author,
    )
    edit_card(
        sample,
        sample.text.replace("Summarising meeting notes.", "Summarising minutes.").replace(
            "It is only a sample.", "It is a sample edited meanwhile."
        ),
    )
    log_in(moderator, next_url=f"/suggestions/{suggestion.pk}/")

    accept = page.get_by_role("button", name="Accept with these resolutions")
    conflicts = page.locator("fieldset.conflict")
    expect(conflicts).to_have_count(2)
    expect(accept).to_be_disabled()
    conflicts.nth(0).get_by_label("Take the suggestion").check()
    expect(accept).to_be_disabled()
    conflicts.nth(1).get_by_label("Write it myself", exact=True).check()
    manual = conflicts.nth(1).get_by_label("Your text for conflict 2")
    manual.fill("")
    expect(accept).to_be_disabled()
    manual.fill("It is a sample, merged by hand.\n")
    expect(accept).to_be_enabled()
    accept.click()

    expect(page.locator(".message-success")).to_contain_text("now version 4")
    assert ModelCard.objects.get().text == SAMPLE_README.replace(
        "Summarising notes.", "Summarising notes in French."
    ).replace("It is only a sample.", "It is a sample, merged by hand.")


def test_moderator_reverts_to_an_old_version(page, log_in, sample, moderator):
    log_in(moderator, next_url="/cards/sample/v/1/")
    page.get_by_label("Reason").fill("The meeting notes claim was unsourced")
    page.get_by_role("button", name="Revert to version 1").click()
    expect(page.locator(".messages")).to_contain_text("3")
    latest = CardVersion.objects.get(card=sample, number=3)
    assert ModelCard.objects.get().text == SAMPLE_README
    assert latest.moderator == moderator


def test_user_watches_a_card(page, log_in, sample, user):
    log_in(user, next_url="/cards/sample/")
    page.get_by_role("button", name="Watch").click()
    expect(page.locator(".message-success")).to_contain_text("emailed about changes")
    expect(page.get_by_role("button", name="Unwatch")).to_be_visible()
    assert Watch.objects.filter(user=user, card=sample).exists()


def test_draft_survives_a_reload_and_a_refused_submission(page, watch, sample):
    watch.allow(r"status of 400")  # the form sent back with its problems is a 400 page
    page.goto("/cards/sample/suggest/")
    body = page.get_by_label("Text (Markdown)")
    body.press("Control+End")
    body.press_sequentially("\nA sentence nobody should lose.\n")

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.reload()
    assert dialogs == ["beforeunload"]
    expect(page.locator("[data-draft-notice]")).to_be_visible()
    expect(body).to_have_value(re.compile("A sentence nobody should lose."))

    # No summary: the server refuses, and the page it sends back still holds the text.
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".has-errors").first).to_be_visible()
    expect(body).to_have_value(re.compile("A sentence nobody should lose."))
    page.get_by_label("Summary of what changed and why").fill("Add a sentence")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message-success")).to_be_visible()

    # Saved, so the draft is gone: the editor opens on the card's text again.
    page.goto("/cards/sample/suggest/")
    expect(page.locator("[data-draft-notice]")).to_be_hidden()
    expect(body).not_to_have_value(re.compile("A sentence nobody should lose."))
    assert "A sentence nobody should lose." in Suggestion.objects.get().text


def test_the_editor_works_without_javascript(browser, live_server, sample):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/cards/sample/suggest/")
        page.get_by_label("Licence", exact=True).fill("mit")
        summary = page.get_by_label("Summary of what changed and why")
        summary.fill("Relicence under MIT")
        summary.press("Enter")  # the default button previews; nothing is filed yet
        expect(page.get_by_role("heading", name="Your changes")).to_be_visible()
        assert not Suggestion.objects.exists()

        page.get_by_role("button", name="Raw README.md").click()
        expect(page.get_by_label(re.compile("^README.md"))).to_have_value(re.compile("license: mit\n"))
        page.get_by_role("button", name="Add the Citation section").click()
        page.get_by_role("button", name="Submit for review").click()
        expect(page.locator(".message-success")).to_be_visible()
        assert (
            Suggestion.objects.get().text
            == sample.text.replace("license: apache-2.0", "license: mit")
            + "\n## Citation\n\n<!-- A BibTeX entry for the paper or the model, if there is one. -->\n"
        )
    finally:
        context.close()
