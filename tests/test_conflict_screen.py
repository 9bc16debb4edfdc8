"""The conflict screen lays out each conflicting region as a merge tool does: the base text, the current
card and the suggestion, each labelled with its version, then a choice per region or a text of one's own."""

import html
import re

import pytest

from modelcards.workflow import accept_suggestion, revise_suggestion, submit_suggestion
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

FIRST = SAMPLE_README.replace("Summarising notes.", "Summarising meeting notes.")
SECOND = SAMPLE_README.replace("Summarising notes.", "Summarising field notes.")


@pytest.fixture
def conflicted(card, make_user, moderator):
    author = make_user("author")
    first = submit_suggestion(card=card, text=FIRST, summary="Meeting", base_version=1, author=author)
    second = submit_suggestion(card=card, text=SECOND, summary="Field", base_version=1, author=author)
    accept_suggestion(first, reviewer=moderator)
    return second


def columns(page: str) -> list[tuple[str, str]]:
    """(heading, text) of each column of the first conflict."""
    fieldset = page[page.index('<fieldset class="conflict"') : page.index("</fieldset>")]
    found = re.findall(r"<h3>(.*?)</h3><pre>(.*?)</pre>", fieldset, re.DOTALL)
    return [(html.unescape(heading), html.unescape(text)) for heading, text in found]


def test_each_conflict_shows_base_current_and_suggested_text_with_their_versions(
    client, conflicted, moderator
):
    client.force_login(moderator)
    page = client.get(f"/suggestions/{conflicted.pk}/").content.decode()
    assert columns(page) == [
        ("Base: version 1", "Summarising notes.\n"),
        ("Current card: version 2", "Summarising meeting notes.\n"),
        (f"Suggestion #{conflicted.pk}", "Summarising field notes.\n"),
    ]


def test_the_write_it_myself_box_starts_with_both_texts_current_first(client, conflicted, moderator):
    client.force_login(moderator)
    page = client.get(f"/suggestions/{conflicted.pk}/").content.decode()
    box = re.search(r'<textarea id="conflict-0-text"[^>]*>\n(.*?)</textarea>', page, re.DOTALL).group(1)
    assert html.unescape(box) == "Summarising meeting notes.\nSummarising field notes.\n"
    assert "Starts with both texts, the current one first" in page


def test_a_revised_suggestion_is_labelled_with_its_revision(client, conflicted, moderator):
    revise_suggestion(
        conflicted,
        text=SECOND.replace("field notes", "field notes, weekly"),
        summary="Weekly",
        user=conflicted.author,
    )
    client.force_login(moderator)
    page = client.get(f"/suggestions/{conflicted.pk}/").content.decode()
    assert columns(page)[2] == (
        f"Suggestion #{conflicted.pk}, revision 2",
        "Summarising field notes, weekly.\n",
    )
    edit_box = html.unescape(page[page.index('id="id_edited_text"') :])
    assert f">>>>>>> suggestion #{conflicted.pk} revision 2 (based on version 1)" in edit_box


def test_a_region_one_side_removed_shows_nothing_for_it(client, card, make_user, moderator):
    author = make_user("author")
    first = submit_suggestion(card=card, text=FIRST, summary="Meeting", base_version=1, author=author)
    cut = submit_suggestion(
        card=card,
        text=SAMPLE_README.replace("Summarising notes.\n", ""),
        summary="Cut",
        base_version=1,
        author=author,
    )
    accept_suggestion(first, reviewer=moderator)
    client.force_login(moderator)
    page = client.get(f"/suggestions/{cut.pk}/").content.decode()
    assert columns(page)[2] == (f"Suggestion #{cut.pk}", "(nothing)")
    box = re.search(r'<textarea id="conflict-0-text"[^>]*>\n(.*?)</textarea>', page, re.DOTALL).group(1)
    assert html.unescape(box) == "Summarising meeting notes.\n"


def test_writing_it_myself_from_the_prefilled_box_publishes_what_was_kept(client, conflicted, moderator):
    client.force_login(moderator)
    form = client.get(f"/suggestions/{conflicted.pk}/").context["decision_form"]
    response = client.post(
        f"/suggestions/{conflicted.pk}/accept/",
        {
            **form.initial,
            "mode": "resolve",
            "conflict_0": "manual",
            "conflict_0_text": "Summarising field and meeting notes.\n",
        },
    )
    assert response.status_code == 302
    conflicted.card.refresh_from_db()
    assert "Summarising field and meeting notes.\n" in conflicted.card.text
