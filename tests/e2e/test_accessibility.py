"""axe-core on the main pages, as a reader and as a moderator: no serious or critical violations."""

from modelcards.workflow import submit_suggestion
from tests.conftest import SAMPLE_README

READER_PAGES = (
    "/",
    "/cards/",
    "/cards/?q=sample",
    "/cards/sample/",
    "/cards/sample/history/",
    "/cards/sample/v/1/",
    "/cards/sample/diff/1/2/",
    "/cards/sample/suggest/",
    "/cards/sample/suggest/?section=2",
    "/cards/new/suggest/",
    "/suggestions/",
    "/accounts/login/",
)


def test_main_pages_have_no_serious_accessibility_violations(
    page, axe_violations, log_in, make_card, edit_card, make_user, moderator
):
    card = make_card()
    edit_card(card, SAMPLE_README.replace("Summarising notes.", "Summarising meeting notes."))
    stale = submit_suggestion(
        card=card,
        text=SAMPLE_README.replace("It is only a sample.", "It is a sample from the suggestion."),
        summary="Conflicting change",
        base_version=1,
        author=make_user("author"),
    )
    edit_card(card, SAMPLE_README.replace("It is only a sample.", "It is a sample edited meanwhile."))

    found = {}
    for path in READER_PAGES:
        page.goto(path)
        found[path] = axe_violations()
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/cards/sample/", "/cards/sample/suggest/"):
        page.goto(path)
        found[f"{path} (phone width)"] = axe_violations()
    page.set_viewport_size({"width": 1280, "height": 900})

    log_in(moderator, next_url=f"/suggestions/{stale.pk}/")
    found["review screen with conflicts"] = axe_violations()
    page.goto("/cards/sample/edit/")
    found["direct edit"] = axe_violations()
    page.get_by_role("button", name="Raw README.md").click()
    found["direct edit, raw mode"] = axe_violations()

    serious = {where: problems for where, problems in found.items() if problems}
    assert not serious, "\n".join(f"{where}: {problem}" for where, ps in serious.items() for problem in ps)
