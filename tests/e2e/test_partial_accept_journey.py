"""A moderator accepts two of a suggestion's three changes; the third stays pending and visible."""

import re

import pytest

from modelcards.models import ModelCard, Suggestion
from modelcards.workflow import submit_suggestion

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

BASE = "---\nlicense: mit\n---\n# Partial\n\n" + "".join(f"Line {n}.\n" for n in range(1, 41))


def changed(text: str, *numbers: int) -> str:
    for n in numbers:
        text = text.replace(f"Line {n}.\n", f"Line {n}, edited.\n")
    return text


def test_accept_two_of_three_changes_and_leave_the_third_pending(
    page, log_in, axe_violations, make_card, make_user, moderator
):
    make_card(slug="partial", text=BASE)
    card = ModelCard.objects.get()
    author = make_user("author")
    suggestion = submit_suggestion(
        card=card, text=changed(BASE, 5, 20, 35), summary="Three edits", base_version=1, author=author
    )
    found = {}

    log_in(moderator, next_url=f"/suggestions/{suggestion.pk}/")
    part = page.locator("form#part-form[data-review-ready]")
    expect(part).to_be_attached()
    button = page.get_by_role("button", name="Accept the ticked changes")
    expect(button).to_be_disabled()
    found["review screen with changes to tick"] = axe_violations()
    page.get_by_label("Accept change 1 of 3").check()
    page.get_by_label("Accept change 3 of 3").check()
    expect(part).to_contain_text("2 of 3 changes ticked.")
    expect(button).to_be_enabled()
    expect(page.get_by_role("radio", name=re.compile("Leave them pending"))).to_be_checked()
    button.click()

    expect(page.locator(".message-success")).to_contain_text("Accepted the ticked changes as version 2")
    expect(page.locator(".message-success")).to_contain_text("The rest stays pending as revision 2")
    card.refresh_from_db()
    assert card.text == changed(BASE, 5, 35)
    page.reload()
    expect(page.locator(".facts")).to_contain_text("Pending")
    parts = page.locator("section[aria-labelledby=parts-heading]")
    expect(parts).to_contain_text("Changes 1 and 3 of revision 1 accepted by mod")
    expect(parts).to_contain_text("Not accepted: change 2, left pending as the next revision.")
    diff = page.locator("table.review-diff")
    expect(diff.locator("ins")).to_have_text([", edited"])  # only the change left, against version 2
    expect(page.get_by_role("heading", name="Changes against version 2 (revision 2)")).to_be_visible()
    found["review screen after a partial acceptance"] = axe_violations()

    page.goto("/cards/partial/history/")
    expect(page.locator("main")).to_contain_text(f"Part of suggestion #{suggestion.pk}: Three edits")
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.PENDING

    serious = {where: problems for where, problems in found.items() if problems}
    assert not serious, "\n".join(f"{where}: {p}" for where, ps in serious.items() for p in ps)
