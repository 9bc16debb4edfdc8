"""A contributor hears of the review in their inbox and follows the card on their watchlist."""

import re

import pytest

from modelcards.models import Suggestion
from modelcards.workflow import accept_suggestion, comment_on_suggestion

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def test_author_sees_a_reply_and_the_decision_in_the_inbox_and_the_change_on_the_watchlist(
    page, log_in, axe_violations, card, make_user, moderator
):
    alice = make_user("alice")
    log_in(alice, next_url="/cards/sample/suggest/")
    expect(page.locator("form[data-editor-ready]")).to_be_attached()
    expect(
        page.get_by_label("Watch this card (you'll be told about changes and about the review)")
    ).to_be_checked()
    page.get_by_role("button", name="Raw README.md").click()
    page.get_by_label(re.compile("^README.md")).fill(
        card.text.replace("It is only a sample.", "It is only a sample, never evaluated.")
    )
    page.get_by_label("Summary of what changed and why").fill("Say it was never evaluated")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messages")).to_contain_text("You are now watching Sample Model")
    expect(page.get_by_role("link", name="Stop watching or choose for how long")).to_be_visible()
    inbox_link = page.get_by_role("link", name=re.compile("^Inbox"))
    expect(inbox_link).to_have_accessible_name("Inbox")  # nothing unread yet

    # The moderator answers and decides (their screens have journeys of their own).
    suggestion = Suggestion.objects.get(author=alice)
    comment_on_suggestion(suggestion, body="Thanks @alice, the paper agrees.", user=moderator)
    accept_suggestion(suggestion, reviewer=moderator, note="Good catch.")

    page.goto("/cards/sample/")
    expect(inbox_link).to_have_accessible_name("Inbox 2 unread")
    inbox_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    entries = page.locator(".inbox-entry.unread")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text("mod accepted your suggestion on Sample Model")
    expect(entries.nth(0)).to_contain_text("Good catch.")
    expect(entries.nth(1)).to_contain_text("mod mentioned you in a suggestion on Sample Model")
    inbox_problems = axe_violations()

    page.get_by_role("button", name="mod mentioned you in a suggestion on Sample Model").click()
    expect(page).to_have_url(re.compile(f"/suggestions/{suggestion.pk}/#comments$"))
    expect(page.locator("#comments")).to_contain_text("the paper agrees")
    expect(inbox_link).to_have_accessible_name("Inbox 1 unread")

    page.goto("/watchlist/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Watchlist")
    change = page.locator("tbody tr").filter(has_text="Say it was never evaluated")
    expect(change).to_contain_text("v2")
    expect(change).to_contain_text("alice")
    watchlist_problems = axe_violations()
    page.get_by_role("button", name="Make a private feed link").click()
    expect(page.get_by_label("Your private feed address (Atom)")).to_have_value(
        re.compile(r"/watchlist/feed/[\w-]{40,}/$")
    )
    change.get_by_role("link", name=re.compile("^diff")).click()
    expect(page).to_have_url(re.compile("/cards/sample/diff/1/2/$"))
    expect(page.locator("table.diff ins").first).to_contain_text("never evaluated")

    page.goto("/watchlist/cards/sample/")
    watch_problems = axe_violations()
    page.get_by_role("button", name="Stop watching").click()
    expect(page.locator(".messages")).to_contain_text("You no longer watch Sample Model.")

    found = {
        "/inbox/": inbox_problems,
        "/watchlist/": watchlist_problems,
        "/watchlist/cards/…": watch_problems,
    }
    serious = [f"{where}: {problem}" for where, problems in found.items() for problem in problems]
    assert not serious, "\n".join(serious)
