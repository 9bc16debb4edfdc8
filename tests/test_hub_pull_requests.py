"""Proposing back: a moderator's click sends the card to the stand-in Hub as a pull request, through the
real client; what was sent, the refusals, and the pull request's state on the card."""

import base64
import json

import pytest

from modelcards.hub.pull_requests import refresh_pull_request
from modelcards.hub.sync import check_link
from modelcards.models import CardVersion, HubLink
from modelcards.workflow import accept_suggestion, submit_suggestion
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

REPO = "acme/sample-model"
WRITE_TOKEN = "hf_write_token"
V2 = SAMPLE_README.replace("Summarising notes.", "Summarising notes and minutes.")
V3 = V2.replace("It is only a sample.", "It is only a sample, for tests.")
PROPOSE = "/cards/sample/hub/propose/"


@pytest.fixture
def linked(hub, make_card, make_user, moderator, settings):
    """A card imported from the stand-in at commit `base`, then two suggestions by two people accepted."""
    base = hub.add_repo(REPO, SAMPLE_README)
    card = make_card(text=SAMPLE_README)
    CardVersion.objects.filter(card=card, number=1).update(upstream_repo=REPO, upstream_commit=base)
    link = HubLink.objects.create(card=card, repo_id=REPO, upstream_commit=base, upstream_text=SAMPLE_README)
    for name, text, summary in (("alice", V2, "Minutes too"), ("bob", V3, "Say what it is for")):
        card.refresh_from_db()
        suggestion = submit_suggestion(
            card=card, text=text, summary=summary, base_version=card.version_number, author=make_user(name)
        )
        accept_suggestion(suggestion, reviewer=moderator)
    hub.tokens[WRITE_TOKEN] = "write"
    settings.HUB_TOKEN = WRITE_TOKEN
    link.refresh_from_db()
    return link


def sent_commit(hub):
    (request,) = hub.requests(method="POST", path="/commit/")
    lines = [json.loads(line) for line in request.body.decode().splitlines() if line.strip()]
    header = next(line["value"] for line in lines if line["key"] == "header")
    files = {
        line["value"]["path"]: base64.b64decode(line["value"]["content"]).decode()
        for line in lines
        if line["key"] == "file"
    }
    return request, header, files


def test_the_confirmation_page_shows_the_diff_and_the_description_and_sends_nothing(
    client, hub, linked, moderator
):
    client.force_login(moderator)
    page = client.get(PROPOSE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Open the pull request" in html
    assert "version 2 by alice: Minutes too" in html and "version 3 by bob: Say what it is for" in html
    assert "for tests" in html and "On the Hub" in html  # the diff, word by word
    assert hub.requests(method="POST") == []


def test_a_moderators_click_opens_a_pull_request_with_the_card_on_top_of_the_upstream_commit(
    client, hub, linked, moderator
):
    client.force_login(moderator)
    response = client.post(PROPOSE, {"seen_version": 3})
    assert response.status_code == 302 and response.url == "/cards/sample/"

    request, header, files = sent_commit(hub)
    assert request.path == f"/api/models/{REPO}/commit/main"
    assert request.query["create_pr"] == ["1"]
    assert request.token == WRITE_TOKEN
    assert header["parentCommit"] == linked.upstream_commit
    assert files == {"README.md": V3}
    assert header["summary"] == "Update the model card from Model Card Commons (version 3)"
    description = header["description"]
    assert "version 2 by alice: Minutes too" in description
    assert "version 3 by bob: Say what it is for" in description
    assert "Contributors: alice, bob" in description
    assert "version 1" not in description  # the imported version came from the Hub
    assert "http://testserver/cards/sample/" in description or "/cards/sample/" in description

    (pull_request,) = hub.pull_requests(REPO)
    assert pull_request.status == "open"
    linked.refresh_from_db()
    assert (linked.pr_number, linked.pr_state, linked.proposed_version) == (1, "open", 3)
    assert linked.pr_url == f"{hub.url}/{REPO}/discussions/1"
    page = client.get("/cards/sample/").content.decode()
    assert "Pull request" in page and linked.pr_url in page and ">open<" in page


def test_a_second_proposal_waits_for_the_open_pull_request(client, hub, linked, moderator):
    client.force_login(moderator)
    client.post(PROPOSE, {"seen_version": 3})
    page = client.get(PROPOSE)
    assert page.status_code == 409
    assert "Pull request #1 on the Hub is still open" in page.content.decode()


def test_the_pull_request_state_is_refreshed_by_the_job(client, hub, linked, moderator):
    client.force_login(moderator)
    client.post(PROPOSE, {"seen_version": 3})
    hub.merge_pr(REPO, 1)
    assert refresh_pull_request(linked.pk) == "merged"
    linked.refresh_from_db()
    assert linked.pr_state == "merged" and linked.pr_checked_at is not None
    assert ">merged<" in client.get("/cards/sample/").content.decode()
    # The merge is an upstream change the card already has: the next check files nothing.
    assert check_link(linked.pk).kind == "in_step"
    # A decided pull request is not asked about again.
    hub.received.clear()
    refresh_pull_request(linked.pk)
    assert hub.received == []


def test_a_closed_pull_request_shows_closed(hub, linked, moderator, client):
    client.force_login(moderator)
    client.post(PROPOSE, {"seen_version": 3})
    hub.close_pr(REPO, 1)
    assert refresh_pull_request(linked.pk) == "closed"


def test_without_a_token_nothing_is_sent_and_the_moderator_is_told_why(
    client, hub, linked, moderator, settings
):
    settings.HUB_TOKEN = ""
    client.force_login(moderator)
    response = client.post(PROPOSE, {"seen_version": 3})
    assert response.status_code == 409
    assert "No Hub token is configured (HUB_TOKEN)" in response.content.decode()
    assert hub.requests(method="POST") == []
    linked.refresh_from_db()
    assert linked.pr_number is None


def test_a_token_without_write_rights_is_refused_with_a_clear_message(
    client, hub, linked, moderator, settings
):
    hub.tokens["hf_read_token"] = "read"
    settings.HUB_TOKEN = "hf_read_token"
    client.force_login(moderator)
    response = client.post(PROPOSE, {"seen_version": 3})
    assert response.status_code == 409
    assert "lacks the rights it needs" in response.content.decode()
    assert hub.pull_requests(REPO) == []
    linked.refresh_from_db()
    assert linked.pr_number is None and linked.proposed_version == 0


def test_an_unknown_token_is_refused_with_a_clear_message(client, hub, linked, moderator, settings):
    settings.HUB_TOKEN = "hf_nobody_knows"
    client.force_login(moderator)
    response = client.post(PROPOSE, {"seen_version": 3})
    assert "refused the configured token (HUB_TOKEN): it is invalid or expired" in response.content.decode()
    assert hub.pull_requests(REPO) == []


def test_people_who_are_not_moderators_get_403_and_nothing_is_sent(client, hub, linked, user):
    client.force_login(user)
    assert client.get(PROPOSE).status_code == 403
    assert client.post(PROPOSE, {"seen_version": 3}).status_code == 403
    assert hub.requests(method="POST") == []


def test_a_card_that_moved_after_the_moderator_looked_is_shown_again(
    client, hub, linked, moderator, edit_card
):
    client.force_login(moderator)
    edit_card(linked.card, V3 + "\nOne more line.\n")
    response = client.post(PROPOSE, {"seen_version": 3})
    assert response.status_code == 409
    assert "it is now at version 4" in response.content.decode()
    assert hub.requests(method="POST") == []


def test_a_card_in_step_with_the_hub_has_nothing_to_propose(client, hub, linked, moderator):
    HubLink.objects.filter(pk=linked.pk).update(upstream_text=V3)
    client.force_login(moderator)
    response = client.get(PROPOSE)
    assert response.status_code == 409
    assert "there is nothing to propose" in response.content.decode()


def test_an_unlinked_card_has_no_proposal(client, make_card, moderator):
    make_card(slug="loose")
    client.force_login(moderator)
    assert client.get("/cards/loose/hub/propose/").status_code == 404


def test_the_propose_link_shows_to_moderators_of_a_linked_card_only(client, linked, moderator, user):
    client.force_login(moderator)
    assert PROPOSE in client.get("/cards/sample/").content.decode()
    client.force_login(user)
    assert PROPOSE not in client.get("/cards/sample/").content.decode()


def test_an_accepted_upstream_change_is_not_named_but_the_community_edits_are(hub, linked, moderator):
    from modelcards.hub.pull_requests import prepare_proposal

    upstream = SAMPLE_README.replace("A small model used by the tests.", "A small model, as its authors say.")
    hub.set_readme(REPO, upstream)
    accept_suggestion(check_link(linked.pk).suggestion, reviewer=moderator)
    linked.card.refresh_from_db()
    proposal = prepare_proposal(linked.card)
    assert [version.number for version in proposal.versions] == [2, 3]
    assert proposal.contributors == ("alice", "bob")
    assert linked.card.version_number == 4 and "as its authors say" in linked.card.text


def test_a_hidden_author_and_summary_stay_out_of_the_public_description(hub, linked, moderator):
    from modelcards.governance import visibility
    from modelcards.hub.pull_requests import prepare_proposal

    version = linked.card.versions.get(number=2)
    visibility.change_visibility(
        version, parts=["author", "summary"], level=1, reason="Asked to be left out", actor=moderator
    )
    proposal = prepare_proposal(linked.card)
    assert proposal.contributors == ("bob",)
    assert "alice" not in proposal.description and "Minutes too" not in proposal.description
    assert "- version 2 by (author hidden): (summary hidden)" in proposal.description
