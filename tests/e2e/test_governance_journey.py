"""Issue 15's journey: a moderator protects a card during a dispute, a reader is refused and told why,
the moderator undoes a middle version that added someone's phone number, hides the versions that
held it, and a visitor finds it gone from the pages, the diff, the feed, the export and the search."""

import pytest
from playwright.sync_api import expect

from modelcards.models import CardVersion, Visibility, VisibilityChange
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "555-0199"
WITH_PHONE = SAMPLE_README.replace(
    "A small model used by the tests.", f"A small model used by the tests. Ask Bob on {SECRET} for access."
)
LATER = WITH_PHONE.replace("Summarising notes.", "Summarising meeting notes.")


def _hide(page, number: int, parts: list[str], reason: str) -> None:
    for part in parts:
        page.get_by_label(part, exact=True).check()
    page.get_by_label("Hidden from the public").check()
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Change visibility").click()
    expect(page.locator(".message-success")).to_contain_text(f"Version {number}: ")


def test_protect_refuse_undo_a_middle_version_and_hide_it_everywhere(
    page, log_in, make_user, moderator, card, edit_card, watch, axe_violations
):
    watch.allow("status of 403")
    watch.allow("status of 410")
    edit_card(card, WITH_PHONE, user=make_user("alice"), summary=f"Contact: Bob {SECRET}")
    edit_card(card, LATER, user=make_user("carol"), summary="Say what the notes are")

    # Before: the phone number is on the card, in search, in the feed.
    page.goto(f"/cards/?q={SECRET}")
    expect(page.locator(".card-list, main")).to_contain_text("Sample Model")
    assert SECRET in page.request.get("/cards/sample/feed/").text()

    # A moderator protects the card while the dispute lasts.
    log_in(moderator, next_url="/cards/sample/")
    page.get_by_role("link", name="Protect").click()
    page.get_by_label("Full: only moderators may suggest").check()
    page.get_by_label("Reason").fill("Personal data dispute")
    page.get_by_label("For how long").select_option("1w")
    page.get_by_role("button", name="Protect").click()
    page.wait_for_url("**/cards/sample/")

    # A reader is refused, and told why.
    page.context.clear_cookies()
    log_in(make_user("reader2"), next_url="/cards/sample/")
    page.locator(".actions").get_by_role("link", name="Suggest an edit").click()
    expect(page.get_by_role("alert")).to_contain_text("fully protected until")
    expect(page.get_by_role("alert")).to_contain_text("Personal data dispute")
    expect(page.locator("textarea")).to_have_count(0)

    # The moderator undoes version 2 (a middle version: carol's version 3 stays).
    page.context.clear_cookies()
    log_in(moderator, next_url="/cards/sample/history/")
    page.get_by_role("link", name="undo version 2").click()
    expect(page.locator(".diff")).to_contain_text(SECRET)
    page.get_by_role("button", name="Publish the undo").click()
    page.wait_for_url("**/cards/sample/")
    expect(page.locator("main")).to_contain_text("Summarising meeting notes.")
    expect(page.locator("main")).not_to_contain_text(SECRET)

    # It hides version 2's text and summary, and version 3's text (it still held the number).
    page.goto("/cards/sample/v/2/")
    page.get_by_role("link", name="Hide or show parts of this version").click()
    assert axe_violations() == []
    _hide(page, 2, ["Text", "Summary"], "Personal data of a third party")
    page.goto("/cards/sample/history/")
    page.get_by_role("link", name="hide… parts of version 3").click()
    _hide(page, 3, ["Text"], "Personal data of a third party")
    assert VisibilityChange.objects.count() == 3
    assert CardVersion.objects.get(number=2).text_visibility == Visibility.HIDDEN

    # A visitor finds the number nowhere: version page, diff, feed, export, search.
    page.context.clear_cookies()
    page.goto("/cards/sample/v/2/")
    expect(page.locator("main")).to_contain_text("hidden")
    expect(page.locator("main")).not_to_contain_text(SECRET)
    page.goto("/cards/sample/diff/1/2/")
    expect(page.locator("main")).to_contain_text("Text hidden")
    expect(page.locator("main")).not_to_contain_text(SECRET)
    page.goto("/cards/sample/diff/1/4/")  # across the hidden versions, what is visible still shows
    expect(page.locator(".diff")).to_contain_text("Summarising meeting notes.")
    feed = page.request.get("/cards/sample/feed/")
    assert feed.ok and SECRET not in feed.text() and "(summary hidden)" in feed.text()
    export = page.request.get("/cards/sample/v/2.md")
    assert export.status == 410 and SECRET not in export.text()
    assert SECRET not in page.request.get("/cards/sample.md").text()
    page.goto(f"/cards/?q={SECRET}")
    expect(page.locator("main")).to_contain_text("No cards match")
    history = page.request.get("/cards/sample/history/").text()
    assert SECRET not in history and "(summary hidden)" in history
