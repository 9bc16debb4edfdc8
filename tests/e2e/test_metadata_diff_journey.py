"""A moderator reviews a suggestion that adds a tag and changes a score, accepts it, and finds the same
metadata lines and line numbers in the card's history, with no serious accessibility violation."""

from playwright.sync_api import expect

from modelcards.workflow import submit_suggestion
from tests.conftest import SAMPLE_README

SUGGESTED = (
    SAMPLE_README.replace("- demo\n", "- asr-audit\n- demo\n")
    .replace("value: 0.71", "value: 0.72")
    .replace("It is only a sample.", "It is only a sample, for tests.")
)
SCORE = "model-index[sample-model].results[text-generation on HellaSwag].metrics[Accuracy].value"


def _expect_tag_added_and_score_changed(page):
    changes = page.get_by_role("list", name="Metadata changes")
    tags = changes.get_by_role("listitem").filter(has=page.locator("code.meta-path", has_text="tags"))
    expect(tags.locator(".meta-sign")).to_have_text("+")
    expect(tags.locator("ins")).to_have_text("asr-audit")
    score = changes.get_by_role("listitem").filter(has=page.get_by_text(SCORE, exact=True))
    expect(score.locator("del")).to_contain_text("0.71")
    expect(score.locator("ins")).to_have_text("0.72")


def test_a_moderator_sees_the_metadata_changes_before_accepting_and_again_in_history(
    page, log_in, axe_violations, card, make_user, moderator
):
    suggestion = submit_suggestion(
        card=card,
        text=SUGGESTED,
        summary="Audit tag and a new score",
        base_version=1,
        author=make_user("ada"),
    )
    log_in(moderator, next_url=f"/suggestions/{suggestion.pk}/")
    _expect_tag_added_and_score_changed(page)
    review_row = page.locator("tr.diff-replace").filter(has_text="for tests").first
    review_numbers = review_row.locator("td.ln").all_inner_texts()
    assert axe_violations() == []

    page.get_by_role("button", name="Accept", exact=True).click()
    page.goto("/cards/sample/diff/1/2/")
    _expect_tag_added_and_score_changed(page)
    history_row = page.locator("tr.diff-replace").filter(has_text="for tests").first
    assert history_row.locator("td.ln").all_inner_texts() == review_numbers == ["36", "37"]
    assert axe_violations() == []
