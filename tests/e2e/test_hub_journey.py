"""The Hub and the commons in step: a linked card's README changes on the (stand-in) Hub, the job files
it as a suggestion, a moderator accepts it, proposes the card back, and sees the pull request's state.

The moderator links the card through "Import from the Hub" (import by repository id); the job is run
the way the worker runs it, as the task `sync_hub`.
"""

import pytest
from playwright.sync_api import expect

from modelcards.hub.tasks import sync_hub
from modelcards.models import ModelCard, Suggestion
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db(transaction=True)

REPO = "acme/sample-model"
COMMUNITY = SAMPLE_README.replace("Summarising notes.", "Summarising notes and minutes.")
UPSTREAM = SAMPLE_README.replace("It is only a sample.", "It is only a sample, say its authors.")


def test_an_upstream_change_is_reviewed_accepted_and_proposed_back(
    page, log_in, moderator, make_user, edit_card, hub, settings, axe_violations
):
    first = hub.add_repo(REPO, SAMPLE_README)
    log_in(moderator, next_url="/cards/import/")
    page.get_by_role("link", name="import from the Hugging Face Hub").click()
    page.get_by_label("Hub repository").fill(REPO)
    page.get_by_role("button", name="Import from the Hub").click()
    expect(page.locator(".hub-status")).to_contain_text(f"From the Hub: {REPO} at {first[:7]}")
    card = ModelCard.objects.get(hub_link__repo_id=REPO)

    edit_card(card, COMMUNITY, user=make_user("alice"), summary="Minutes too")
    commit = hub.set_readme(REPO, UPSTREAM)
    sync_hub.enqueue()  # the periodic job: one check per linked card
    suggestion = Suggestion.objects.get(card=card, upstream_commit=commit)
    page.goto(f"/suggestions/{suggestion.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Update from the Hub, commit {commit[:7]}")
    assert axe_violations() == []
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Accepted: it is now version 3 of the card.")

    page.goto(f"/cards/{card.slug}/")
    expect(page.locator(".card-page")).to_contain_text("say its authors.")
    expect(page.locator(".card-page")).to_contain_text("Summarising notes and minutes.")

    hub.tokens["hf_write_token"] = "write"
    settings.HUB_TOKEN = "hf_write_token"
    page.get_by_role("link", name="Propose to the Hub").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose Sample Model to the Hub")
    expect(page.locator(".pr-description")).to_contain_text("by alice: Minutes too")
    expect(page.locator(".pr-description")).to_contain_text("Contributors: alice")
    assert axe_violations() == []
    page.get_by_role("button", name="Open the pull request").click()
    page.wait_for_url(f"**/cards/{card.slug}/")
    expect(page.get_by_role("status").first).to_contain_text("Pull request #1 is open on the Hub")
    expect(page.locator(".hub-status")).to_contain_text("Pull request #1: open")
    (pull_request,) = hub.pull_requests(REPO)
    assert "Summarising notes and minutes." in hub.readme(REPO, pull_request.branch)

    hub.merge_pr(REPO, 1)
    sync_hub.enqueue()  # the next run refreshes the pull request's state
    page.reload()
    expect(page.locator(".hub-status")).to_contain_text("Pull request #1: merged")
    assert axe_violations() == []
