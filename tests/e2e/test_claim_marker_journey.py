"""A reader marks a card's licence disputed and discusses it; a moderator resolves the marker."""

import re

import pytest

from modelcards.cardfile import parse_card
from modelcards.models import CardVersion, ModelCard, TalkThread
from tests.conftest import SAMPLE_README
from tests.e2e.conftest import TEST_PASSWORD

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

REASON = "The weights' LICENSE file on the Hub says MIT, not Apache-2.0."
NOTE = "Checked the repository: the weights are Apache-2.0; the MIT file covers the code."


def readme_of(page) -> str:
    """The card's README.md export, fetched as a script or a mirror would fetch it."""
    response = page.request.get("/cards/sample.md")
    assert response.ok
    return response.text()


def test_reader_marks_the_licence_disputed_and_a_moderator_resolves_it(
    page, watch, log_in, axe_violations, browser, live_server, make_card, user, moderator
):
    make_card()
    log_in(user, next_url="/cards/sample/")
    page.get_by_role("link", name="mark a claim disputed or needing a source").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Disputed claims and missing sources: Sample Model"
    )
    expect(page.get_by_text("No claim on this card is marked.")).to_be_visible()
    assert axe_violations() == []

    page.get_by_label("Claim").select_option(label="The card's licence")
    page.get_by_label("Disputed", exact=True).check()
    page.get_by_label("Reason").fill(REASON)
    page.get_by_role("button", name="Mark the claim").click()

    expect(page).to_have_url(re.compile("/cards/sample/$"))
    expect(page.locator(".message-success")).to_contain_text("Marked.")
    markers = page.locator(".claim-markers")
    expect(markers).to_contain_text("1 claim marked:")
    expect(markers).to_contain_text(f"Disputed The card's licence: {REASON}")
    expect(page.locator(".meta-panel .badge-marker")).to_have_text("Disputed")
    before = readme_of(page)
    assert before.startswith(
        SAMPLE_README.split("---\n# Sample Model")[0] + "modelcardcommons:\n  disputes:\n"
    )
    (marker,) = parse_card(before).metadata["modelcardcommons"]["disputes"]
    assert (marker["claim"], marker["kind"], marker["reason"], marker["by"]) == (
        "license",
        "disputed",
        REASON,
        user.get_username(),
    )

    # The reader opens the panel's reasons, follows the marker to its discussion and adds to it.
    page.locator(".openness-why > summary").click()
    markers.get_by_role("link", name="discussion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Disputed: The card's licence")
    expect(page.locator("#comments")).to_contain_text(REASON)
    page.get_by_label("Comment (Markdown)").fill("The **LICENSE** file was changed on 2 December.")
    page.get_by_role("button", name="Reply").click()
    expect(page.locator("#comments strong")).to_have_text("LICENSE")

    # A moderator, in a browser of their own.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    try:
        tab = context.new_page()
        tab.on("console", watch.console)
        tab.on("pageerror", watch.page_error)
        tab.goto("/accounts/login/?next=/cards/sample/claims/")
        tab.get_by_label("Username").fill(moderator.get_username())
        tab.get_by_label("Password").fill(TEST_PASSWORD)
        tab.get_by_role("button", name="Log in").click()
        tab.wait_for_url("**/cards/sample/claims/")
        marker = tab.locator(".marker-list li")
        expect(marker).to_have_count(1)
        expect(marker).to_contain_text(REASON)
        tab.get_by_label("Resolution note").fill(NOTE)
        tab.get_by_role("button", name="Resolve this marker").click()
        expect(tab.locator(".message-success")).to_contain_text("Resolved.")
        expect(tab.get_by_text("No claim on this card is marked.")).to_be_visible()
        tab.goto("/cards/sample/")
        expect(tab.locator(".claim-markers")).to_have_count(0)
        expect(tab.locator(".badge-marker")).to_have_count(0)
    finally:
        context.close()

    assert readme_of(page) == SAMPLE_README
    page.goto("/cards/sample/history/")
    rows = page.locator(".history-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text(re.compile(r"marker resolved", re.IGNORECASE))
    expect(rows.nth(0)).to_contain_text(NOTE)
    expect(rows.nth(0)).to_contain_text(moderator.get_username())
    expect(rows.nth(1)).to_contain_text(re.compile(r"claim marked", re.IGNORECASE))
    expect(rows.nth(1)).to_contain_text(user.get_username())
    assert axe_violations() == []

    # The discussion is closed with the moderator's note.
    page.goto(f"/cards/sample/talk/{TalkThread.objects.get().pk}/")
    expect(page.locator("#comments article").last).to_contain_text(f"Resolved: {NOTE}")
    expect(page.get_by_text("This thread is closed.")).to_be_visible()
    assert list(CardVersion.objects.order_by("number").values_list("kind", flat=True)) == [
        "created",
        "marked",
        "resolved",
    ]
    assert ModelCard.objects.get().text == SAMPLE_README
