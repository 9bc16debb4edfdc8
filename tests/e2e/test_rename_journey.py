"""A moderator renames a card; the old address, its history and a watcher's inbox all lead to the new one."""

import re

import pytest

from modelcards.models import Watch

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def test_moderator_renames_a_card_and_the_old_address_leads_to_the_new_one(
    page, log_in, axe_violations, watch, card, make_user, moderator
):
    watch.allow("status of 400")  # the refused name: the form sent back with its problem is a 400 page
    reader = make_user("reader")
    Watch.objects.create(card=card, user=reader)
    log_in(moderator, next_url="/cards/sample/")
    page.get_by_role("link", name="Rename", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rename Sample Model")
    form_problems = axe_violations()

    # A reserved name is refused with the reason, and nothing changes.
    page.get_by_label(re.compile("^New slug")).fill("con")
    page.get_by_label(re.compile("^Reason")).fill("Upstream renamed the model")
    page.get_by_role("button", name="Rename the card").click()
    expect(page.locator("#id_new_slug-problems")).to_contain_text("Windows reserves the name")

    page.get_by_label(re.compile("^New slug")).fill("sample-v2")
    page.get_by_role("button", name="Rename the card").click()
    expect(page).to_have_url(re.compile("/cards/sample-v2/$"))
    expect(page.locator(".messages")).to_contain_text("the old address now leads here")

    page.goto("/cards/sample/history/?before=5")
    expect(page).to_have_url(re.compile("/cards/sample-v2/history/\\?before=5$"))
    page.goto("/cards/sample-v2/history/")
    expect(page.get_by_role("region", name="Renames")).to_contain_text(
        "Renamed from “sample” to “sample-v2”: Upstream renamed the model"
    )

    log_in(reader, next_url="/inbox/")
    page.get_by_role("button", name="mod renamed Sample Model").click()
    expect(page).to_have_url(re.compile("/cards/sample-v2/$"))
    assert form_problems == []
