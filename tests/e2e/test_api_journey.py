"""The API's pages in a browser: its docs page under the site's Content-Security-Policy, and making,
using and revoking a personal token on one's profile page."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_docs_page_lists_the_endpoints_without_csp_violations(page, card):
    page.goto("/api/v1/docs/")
    expect(page.get_by_text("/api/v1/cards/{slug}/").first).to_be_visible()
    expect(page.get_by_text("Model Card Commons API").first).to_be_visible()


def test_a_person_makes_a_token_uses_it_and_revokes_it(page, log_in, make_user, card, axe_violations):
    person = make_user("toolmaker")
    log_in(person, next_url="/users/toolmaker/")
    assert axe_violations() == []
    page.get_by_label("Name").fill("leaderboard sync")
    page.get_by_label("Scope").select_option("suggest")
    page.get_by_role("button", name="Make the token").click()
    secret = page.get_by_label("Token").input_value()
    assert axe_violations() == []
    assert secret.startswith("mcc_")
    answer = page.request.get(
        "/api/v1/suggestions/?status=all", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 200
    page.get_by_role("link", name="Back to your tokens").click()
    expect(page.locator("#api-tokens td", has_text="leaderboard sync")).to_be_visible()
    page.get_by_role("button", name="Revoke leaderboard sync").click()
    expect(page.get_by_text("no longer opens the API")).to_be_visible()
    refused = page.request.get("/api/v1/cards/", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status == 401 and refused.json()["error"]["code"] == "token_revoked"
