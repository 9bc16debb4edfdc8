"""axe-core on every page the journeys visit, as a reader, as a suggestion's author and as a moderator:
no serious or critical violations."""

import pytest

from modelcards.claim_markers import mark_claim
from modelcards.models import TalkThread
from modelcards.workflow import submit_suggestion
from tests.conftest import SAMPLE_README

# Pages every visitor may open, once the world below exists ({suggestion}, {thread} filled in).
EVERYONE = (
    "/",
    "/cards/",
    "/cards/?q=sample",
    "/cards/sample/",
    "/cards/sample/history/",
    "/cards/sample/v/1/",
    "/cards/sample/v/3/",
    "/cards/sample/diff/1/2/",
    "/cards/sample/diff/1/3/?view=unified",
    "/cards/sample/compare/?a=1",
    "/cards/sample/blame/",
    "/cards/sample/undo/2/",
    "/cards/sample/undo/3/",
    "/cards/sample/restore/1/",
    "/cards/sample/suggest/",
    "/cards/sample/suggest/?section=2",
    "/cards/new/suggest/",
    "/cards/sample/talk/",
    "/cards/sample/talk/{thread}/",
    "/cards/sample/claims/",
    "/suggestions/",
    "/suggestions/{suggestion}/",
    "/changes/",
    "/wanted/",
    "/users/author/",
)
SIGNED_OUT = ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/")
MODERATOR = ("/cards/sample/edit/", "/cards/import/", "/cards/import-mof/", "/inbox/", "/watchlist/")
PHONE = ("/cards/sample/", "/cards/sample/suggest/", "/cards/sample/history/", "/cards/sample/undo/3/")


@pytest.fixture
def world(make_card, edit_card, make_user, moderator):
    """A card with three versions (the third conflicting with an undo of the second), a suggestion
    that conflicts with a later change, a discussion with a comment and a disputed claim."""
    card = make_card()
    author = make_user("author")
    edit_card(card, SAMPLE_README.replace("Summarising notes.", "Summarising meeting notes."), user=author)
    stale = submit_suggestion(
        card=card,
        text=SAMPLE_README.replace("It is only a sample.", "It is a sample from the suggestion."),
        summary="Conflicting change",
        base_version=1,
        author=author,
    )
    edit_card(
        card,
        SAMPLE_README.replace("Summarising notes.", "Summarising long meeting notes.").replace(
            "It is only a sample.", "It is a sample edited meanwhile."
        ),
    )
    anonymous = submit_suggestion(
        card=card,
        text=card.text.replace("It is a sample edited meanwhile.", "It is a sample, said anonymously."),
        summary="From someone without an account",
        base_version=3,
        author=None,
        author_name="Pat",
    )
    thread = TalkThread.objects.create(card=card, title="Where is the training data?", author=author)
    thread.comments.create(author=author, body="The card says nothing about it.")
    mark_claim(card, claim="license", kind="disputed", reason="The weights say otherwise.", user=author)  # v4
    return {
        "suggestion": stale.pk,
        "thread": thread.pk,
        "author": author,
        "anonymous": anonymous.pk,
        "token": anonymous.access_token,
    }


def _check(page, axe_violations, found: dict, role: str, paths, world) -> None:
    for path in paths:
        response = page.goto(path.format(**world))
        assert response.ok, f"{role}: {path} answered {response.status}"
        found[f"{role}: {path}"] = axe_violations()


def _report(found: dict) -> str:
    return "\n".join(f"{where}: {problem}" for where, problems in found.items() for problem in problems)


def test_every_page_the_journeys_visit_has_no_serious_accessibility_violations(
    page, axe_violations, log_in, world, moderator
):
    found = {}
    _check(page, axe_violations, found, "reader", EVERYONE + SIGNED_OUT, world)
    _check(
        page, axe_violations, found, "anonymous author", ("/suggestions/{anonymous}/?token={token}",), world
    )
    page.set_viewport_size({"width": 390, "height": 844})
    _check(page, axe_violations, found, "reader at phone width", PHONE, world)
    page.set_viewport_size({"width": 1280, "height": 900})

    log_in(world["author"], next_url=f"/suggestions/{world['suggestion']}/")
    found["author: own suggestion"] = axe_violations()
    page.goto("/accounts/password/change/")
    found["author: password change"] = axe_violations()
    page.get_by_role("button", name="Log out").click()

    log_in(moderator, next_url=f"/suggestions/{world['suggestion']}/")
    found["moderator: review screen with conflicts"] = axe_violations()
    _check(page, axe_violations, found, "moderator", EVERYONE + MODERATOR, world)
    page.goto("/cards/sample/edit/")
    page.get_by_role("button", name="Raw README.md").click()
    found["moderator: direct edit, raw mode"] = axe_violations()

    serious = {where: problems for where, problems in found.items() if problems}
    assert not serious, _report(serious)
