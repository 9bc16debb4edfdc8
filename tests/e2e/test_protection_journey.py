"""A moderator fully protects a card; a signed-in person sees the notice and is refused, told why."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_protected_card_refuses_a_suggestion_naming_the_protection(
    page, log_in, make_user, moderator, card, watch, axe_violations
):
    watch.allow("status of 403")
    log_in(moderator, next_url="/cards/sample/")
    page.get_by_role("link", name="Protect").click()
    assert axe_violations() == []
    page.get_by_label("Full: only moderators may suggest").check()
    page.get_by_label("Reason").fill("Edit war over the licence")
    page.get_by_label("For how long").select_option("1w")
    page.get_by_role("button", name="Protect").click()
    page.wait_for_url("**/cards/sample/")
    expect(page.get_by_role("note")).to_contain_text("Fully protected by mod")

    page.context.clear_cookies()
    log_in(make_user("reader2"), next_url="/cards/sample/")
    notice = page.get_by_role("note")
    expect(notice).to_contain_text("Edit war over the licence")
    expect(notice).to_contain_text("only moderators may suggest edits")
    page.locator(".actions").get_by_role("link", name="Suggest an edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sample Model is protected")
    expect(page.get_by_role("alert")).to_contain_text("fully protected until")
    expect(page.get_by_role("alert")).to_contain_text("Edit war over the licence")
    expect(page.locator("textarea")).to_have_count(0)
    assert axe_violations() == []
