"""Edit, then accept, on a stale or conflicting suggestion: the box starts from the merge into the CURRENT
text with conflicts marked, markers are refused, and the moderator confirms a diff against the current
version, so no change accepted since the suggestion was written is ever dropped unseen."""

import itertools
import re

import hypothesis
import pytest
from django.db import transaction
from hypothesis import strategies as st

from modelcards.cardfile import parse_card
from modelcards.diffing import merge3, unresolved_markers
from modelcards.models import CardVersion, Suggestion
from modelcards.workflow import (
    CardMoved,
    NoChange,
    StaleReview,
    UnresolvedConflict,
    accept_suggestion,
    create_card,
    prepare_acceptance,
    review_edited_text,
    submit_suggestion,
    text_fingerprint,
    version_fingerprint,
)
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

# Version 2 (the first suggestion, accepted) changes the line both suggestions change, and another one.
FIRST = SAMPLE_README.replace("Summarising notes.", "Summarising meeting notes.").replace(
    "It is only a sample.", "It is only a sample, never evaluated."
)
SECOND = SAMPLE_README.replace("Summarising notes.", "Summarising field notes.").replace(
    "# Sample Model", "# Sample Model (2024)"
)
RESOLVED_LINE = "Summarising field and meeting notes.\n"


def keep_side(text: str, picks) -> str:
    """What a moderator does in the box: in each marked conflict keep one side ("current" or
    "suggestion") and delete the marker lines, touching nothing else."""
    picks = iter(picks)
    out, side, kept = [], None, None
    for line in text.splitlines(keepends=True):
        if side is None and line.startswith("<<<<<<< "):
            side, kept = "current", next(picks)
        elif side == "current" and line.rstrip("\r\n") == "=======":
            side = "suggestion"
        elif side == "suggestion" and line.startswith(">>>>>>> "):
            side = None
        elif side is None or side == kept:
            out.append(line)
    assert side is None, "an unterminated conflict in the pre-filled text"
    return "".join(out)


@pytest.fixture
def story(card, make_user, moderator):
    """Two suggestions change the same line of version 1; the first is accepted as version 2."""
    author = make_user("author")
    first = submit_suggestion(card=card, text=FIRST, summary="Meeting notes", base_version=1, author=author)
    second = submit_suggestion(card=card, text=SECOND, summary="Field notes", base_version=1, author=author)
    accept_suggestion(first, reviewer=moderator)
    card.refresh_from_db()
    return card, second


def seen(client, suggestion) -> dict:
    form = client.get(f"/suggestions/{suggestion.pk}/").context["decision_form"]
    return {name: form.initial[name] for name in ("seen_fingerprint", "seen_version")}


def post(client, suggestion, **data):
    return client.post(f"/suggestions/{suggestion.pk}/accept/", data)


def changed_lines(diff) -> tuple[list[str], list[str]]:
    """The removed and the added lines of a TextDiff, whole."""
    rows = [row for hunk in diff.hunks for row in hunk.rows if row.kind != "equal"]
    removed = ["".join(seg.text for seg in row.old) for row in rows if row.old]
    added = ["".join(seg.text for seg in row.new) for row in rows if row.new]
    return removed, added


# The three-way merge as a person edits it ---------------------------------------------------------


def test_marked_conflicts_resolve_to_either_side_by_deleting_marker_lines():
    base, ours, theirs = "a\nb\nc\n", "a\nB1\nc\n", "a\nB2\nc\n"
    merge = merge3(base, ours, theirs)
    marked = merge.marked("current card (version 2)", "suggestion #7")
    assert marked == ("a\n<<<<<<< current card (version 2)\nB1\n=======\nB2\n>>>>>>> suggestion #7\nc\n")
    assert keep_side(marked, ["current"]) == merge.resolve(["B1\n"]) == ours
    assert keep_side(marked, ["suggestion"]) == merge.resolve(["B2\n"]) == theirs


def test_a_conflict_at_the_end_without_a_final_line_break_still_gets_marker_lines_of_its_own():
    marked = merge3("a\nb", "a\nx", "a\ny").marked("ours", "theirs")
    assert marked == "a\n<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\n"
    assert merge3("a\r\nb\r\n", "a\r\nx\r\n", "a\r\ny\r\n").marked("o", "t") == (
        "a\r\n<<<<<<< o\r\nx\r\n=======\r\ny\r\n>>>>>>> t\r\n"
    )


def test_labels_stay_on_their_marker_line():
    marked = merge3("b\n", "x\n", "y\n").marked("current\ncard", "sugg\r\nestion")
    assert marked.splitlines()[0] == "<<<<<<< current card"
    assert marked.splitlines()[-1] == ">>>>>>> sugg estion"


def test_leftover_markers_are_found_but_marker_shaped_lines_the_card_already_has_are_not():
    card = "Title\n=======\n\nText.\n"
    assert unresolved_markers(card + "More.\n", sources=[card]) == []
    left = card + "<<<<<<< current card\nA\n=======\nB\n>>>>>>> suggestion\n"
    assert unresolved_markers(left, sources=[card]) == [
        (5, "<<<<<<< current card"),
        (7, "======="),
        (9, ">>>>>>> suggestion"),
    ]
    assert unresolved_markers("<<<<<<<\n", sources=[]) == [(1, "<<<<<<<")]
    assert unresolved_markers("<<<<<<<< eight is not a marker\n") == []


# What the review page shows ---------------------------------------------------------------------------


def test_the_edit_box_starts_from_the_merge_into_the_current_text_with_the_conflict_marked(
    client, story, moderator
):
    card, second = story
    client.force_login(moderator)
    page = client.get(f"/suggestions/{second.pk}/")
    acceptance = page.context["acceptance"]
    assert acceptance.conflicted and len(acceptance.merge.conflicts) == 1
    box = page.context["edited_text"]
    assert box != second.text
    # Version 2's change outside the conflict is kept, the suggestion's own clean change is merged in...
    assert "It is only a sample, never evaluated.\n" in box
    assert "# Sample Model (2024)\n" in box
    # ...and the conflict is marked, saying which side is which.
    assert (
        "<<<<<<< current card (version 2)\nSummarising meeting notes.\n=======\n"
        f"Summarising field notes.\n>>>>>>> suggestion #{second.pk} (based on version 1)\n"
    ) in box
    html = page.content.decode()
    assert "&lt;&lt;&lt;&lt;&lt;&lt;&lt; current card (version 2)" in html
    assert 'aria-describedby="id_edited_text-help"' in html and 'id="id_edited_text-help"' in html


def test_how_the_card_would_look_shows_the_merge_into_the_current_text_with_the_conflict_marked(
    client, story, moderator
):
    card, second = story
    client.force_login(moderator)
    rendered = client.get(f"/suggestions/{second.pk}/").context["rendered"].html
    assert "never evaluated" in rendered  # version 2's change, which the old preview dropped
    assert "Sample Model (2024)" in rendered  # the suggestion's clean change
    assert "Conflict 1 of 1, not yet resolved." in rendered
    assert "Summarising meeting notes." in rendered and "Summarising field notes." in rendered
    assert "&lt;&lt;&lt;&lt;&lt;&lt;&lt;" not in rendered and "=======" not in rendered


def test_a_conflict_inside_the_front_matter_is_left_out_of_the_preview_like_the_metadata(
    card, make_user, moderator
):
    author = make_user("author")
    mit = SAMPLE_README.replace("apache-2.0", "mit")
    first = submit_suggestion(card=card, text=mit, summary="MIT", base_version=1, author=author)
    second = submit_suggestion(
        card=card,
        text=SAMPLE_README.replace("apache-2.0", "cc-by-4.0").replace("only a sample", "only a demo"),
        summary="CC",
        base_version=1,
        author=author,
    )
    accept_suggestion(first, reviewer=moderator)
    card.refresh_from_db()
    acceptance = prepare_acceptance(second, card)
    assert acceptance.conflicted
    assert acceptance.preview_body.startswith("# Sample Model\n")
    assert "It is only a demo." in acceptance.preview_body and "Conflict" not in acceptance.preview_body
    assert "<<<<<<< current card (version 2)\nlicense: mit\n=======\n" in acceptance.edit_text


def test_a_fence_inside_a_conflict_cannot_close_the_preview_block(card, make_user, moderator):
    author = make_user("author")
    ours = SAMPLE_README.replace("It is only a sample.", "~~~~~\nIt is only a sample.\n~~~~~")
    theirs = SAMPLE_README.replace("It is only a sample.", "It is a sample.")
    accept_suggestion(
        submit_suggestion(card=card, text=ours, summary="Fence", base_version=1, author=author),
        reviewer=moderator,
    )
    second = submit_suggestion(card=card, text=theirs, summary="Other", base_version=1, author=author)
    card.refresh_from_db()
    body = prepare_acceptance(second, card).preview_body
    assert "\n~~~~~~\n~~~~~\nIt is only a sample.\n~~~~~\n~~~~~~\n" in body


# The story, through the views ---------------------------------------------------------------------


def test_edit_then_accept_on_a_conflicted_suggestion_keeps_every_change_accepted_since(
    client, story, moderator
):
    card, second = story
    client.force_login(moderator)
    binding = seen(client, second)
    box = client.get(f"/suggestions/{second.pk}/").context["edited_text"]
    edited = re.sub(r"<<<<<<< .*?>>>>>>> [^\n]*\n", RESOLVED_LINE, box, flags=re.DOTALL)

    # Posting the edited text saves nothing: it shows the text against the CURRENT version.
    check = post(client, second, **binding, mode="edit", edited_text=edited, note="Merged both.")
    assert check.status_code == 200
    assert check.templates[0].name == "modelcards/review_edited.html"
    removed, added = changed_lines(check.context["edited"].diff)
    # Only the heading and the resolved line change; version 2's other change is not removed.
    assert removed == ["# Sample Model", "Summarising meeting notes."]
    assert added == ["# Sample Model (2024)", "Summarising field and meeting notes."]
    html = check.content.decode()
    assert "Accept as version 3" in html
    assert f'name="seen_current" value="{version_fingerprint(card)}"' in html
    assert card.versions.count() == 2

    confirm = post(
        client,
        second,
        mode="confirm",
        edited_text=edited,
        note="Merged both.",
        seen_fingerprint=binding["seen_fingerprint"],
        seen_version=2,
        seen_current=check.context["edited"].current_fingerprint,
    )
    assert confirm.status_code == 302
    card.refresh_from_db()
    assert card.version_number == 3
    assert card.text == FIRST.replace("Summarising meeting notes.\n", RESOLVED_LINE).replace(
        "# Sample Model\n", "# Sample Model (2024)\n"
    )
    second.refresh_from_db()
    assert (second.status, second.version.number, second.note) == ("accepted", 3, "Merged both.")
    assert second.version.merge_note.startswith("Edited or resolved by the moderator")


def test_a_text_with_markers_left_is_refused_and_shown_again_as_typed(client, story, moderator):
    card, second = story
    client.force_login(moderator)
    box = client.get(f"/suggestions/{second.pk}/").context["edited_text"]
    typed = box.replace("# Sample Model (2024)", "# Sample Model (typed by the moderator)")
    for mode in ("edit", "confirm"):
        response = post(
            client,
            second,
            **seen(client, second),
            mode=mode,
            edited_text=typed,
            seen_current=version_fingerprint(card),
        )
        assert response.status_code == 400
        assert response.context["edited_text"] == typed and response.context["edit_open"]
        html = response.content.decode()
        assert "conflict markers are still in the text (lines 32, 34 and 36)" in html
        assert '<details id="edit-then-accept" open>' in html
        assert "Sample Model (typed by the moderator)" in html
    assert card.versions.count() == 2 and Suggestion.objects.get(pk=second.pk).is_pending


def test_a_confirmation_after_the_card_moved_on_shows_the_comparison_again(
    client, story, moderator, edit_card
):
    card, second = story
    client.force_login(moderator)
    binding = seen(client, second)
    box = client.get(f"/suggestions/{second.pk}/").context["edited_text"]
    edited = re.sub(r"<<<<<<< .*?>>>>>>> [^\n]*\n", RESOLVED_LINE, box, flags=re.DOTALL)
    check = post(client, second, **binding, mode="edit", edited_text=edited).context["edited"]

    edit_card(card, card.text.replace("## Uses", "## Intended uses"), user=moderator)  # version 3
    again = post(
        client,
        second,
        mode="confirm",
        edited_text=edited,
        seen_fingerprint=binding["seen_fingerprint"],
        seen_version=check.current_version,
        seen_current=check.current_fingerprint,
    )
    assert again.status_code == 409
    assert again.templates[0].name == "modelcards/review_edited.html"
    assert "changed while you were checking" in again.content.decode()
    shown = again.context["edited"]
    assert shown.current_version == 3 and shown.card_moved
    # The change made meanwhile would be undone by this text, and the new comparison says so.
    assert "## Intended uses" in changed_lines(shown.diff)[0]
    assert "Accept as version 4" in again.content.decode()
    assert CardVersion.objects.filter(card=card).count() == 3


def test_an_edit_posted_after_the_card_moved_is_compared_with_the_new_version_not_saved(
    client, story, moderator, edit_card
):
    card, second = story
    client.force_login(moderator)
    binding = seen(client, second)
    edit_card(card, card.text.replace("## Uses", "## Intended uses"), user=moderator)
    response = post(client, second, **binding, mode="edit", edited_text=FIRST + "\nMore.\n")
    assert response.status_code == 409
    assert response.context["edited"].current_version == 3
    assert "it is now at version 3" in response.content.decode()
    assert card.versions.count() == 3


@pytest.mark.parametrize(
    "forged", [{}, {"seen_current": ""}, {"seen_current": "0" * 32}], ids=["missing", "empty", "wrong"]
)
def test_an_edited_text_is_never_published_without_a_comparison_with_the_current_version(
    client, story, moderator, forged
):
    card, second = story
    client.force_login(moderator)
    data = {**seen(client, second), "mode": "confirm", "edited_text": SECOND, **forged}
    response = post(client, second, **data)
    assert response.status_code == 409
    assert card.versions.count() == 2 and Suggestion.objects.get(pk=second.pk).is_pending


def test_choosing_per_region_then_editing_fills_the_box_with_the_choices(client, story, moderator):
    card, second = story
    client.force_login(moderator)
    response = post(
        client, second, **seen(client, second), mode="resolve", conflict_0="suggestion", then="edit"
    )
    assert response.status_code == 200
    edited = response.context["edited"]
    assert edited.text == FIRST.replace("Summarising meeting notes.", "Summarising field notes.").replace(
        "# Sample Model\n", "# Sample Model (2024)\n"
    )
    assert card.versions.count() == 2


def test_a_stale_suggestion_that_merges_cleanly_is_edited_from_the_merge(client, card, make_user, moderator):
    author = make_user("author")
    first = submit_suggestion(card=card, text=FIRST, summary="First", base_version=1, author=author)
    other = SAMPLE_README.replace("## Uses", "## Intended uses")
    second = submit_suggestion(card=card, text=other, summary="Second", base_version=1, author=author)
    accept_suggestion(first, reviewer=moderator)
    client.force_login(moderator)
    page = client.get(f"/suggestions/{second.pk}/")
    assert page.context["edited_text"] == FIRST.replace("## Uses", "## Intended uses")
    assert "never evaluated" in page.context["rendered"].html


def test_edit_then_accept_on_a_current_suggestion_shows_its_diff_then_publishes(
    client, card, make_user, moderator
):
    suggestion = submit_suggestion(
        card=card, text=SECOND, summary="Field", base_version=1, author=make_user("author")
    )
    client.force_login(moderator)
    binding = seen(client, suggestion)
    assert client.get(f"/suggestions/{suggestion.pk}/").context["edited_text"] == SECOND
    edited = SECOND.replace("field notes", "field notes, checked")
    check = post(client, suggestion, **binding, mode="edit", edited_text=edited)
    assert check.status_code == 200 and check.context["edited"].diff.added == 2
    fields = {**binding, "seen_current": check.context["edited"].current_fingerprint}
    assert post(client, suggestion, **fields, mode="confirm", edited_text=edited).status_code == 302
    card.refresh_from_db()
    assert card.text == edited


def test_edit_then_accept_on_a_new_card_suggestion_compares_with_nothing_then_creates_it(
    client, make_user, moderator
):
    suggestion = submit_suggestion(
        card=None, text=SECOND, summary="New", base_version=0, author=make_user("author"), new_slug="fresh"
    )
    client.force_login(moderator)
    binding = seen(client, suggestion)
    edited = SECOND.replace("field notes", "field notes, checked")
    check = post(client, suggestion, **binding, mode="edit", edited_text=edited)
    assert check.status_code == 200 and "Accept and create the card" in check.content.decode()
    fields = {**binding, "seen_current": check.context["edited"].current_fingerprint}
    assert post(client, suggestion, **fields, mode="confirm", edited_text=edited).status_code == 302
    assert CardVersion.objects.get(card__slug="fresh", number=1).card.text == edited


def test_an_edited_text_equal_to_the_current_card_is_refused_with_the_text_kept(client, story, moderator):
    card, second = story
    client.force_login(moderator)
    response = post(client, second, **seen(client, second), mode="edit", edited_text=card.text)
    assert response.status_code == 400
    assert "same as the current card" in response.content.decode()
    assert response.context["edited_text"] == card.text


def test_the_workflow_refuses_an_edited_text_not_compared_with_the_current_version(story, moderator):
    card, second = story
    edited = keep_side(prepare_acceptance(second, card).edit_text, ["current"])
    fingerprint = text_fingerprint(second.text)
    with pytest.raises(StaleReview):
        accept_suggestion(second, reviewer=moderator, resolved_text=edited, seen_fingerprint=fingerprint)
    with pytest.raises(CardMoved):
        accept_suggestion(second, reviewer=moderator, resolved_text=edited, seen_current="0" * 32)
    with pytest.raises(UnresolvedConflict):
        accept_suggestion(
            second,
            reviewer=moderator,
            resolved_text=prepare_acceptance(second, card).edit_text,
            seen_current=version_fingerprint(card),
        )
    assert card.versions.count() == 2


# Random histories ---------------------------------------------------------------------------------

HEADER = "---\nlicense: mit\n---\n# Card\n\n"
EDITS = st.lists(
    st.tuples(st.sampled_from(["change", "add", "remove"]), st.integers(0, 50)), min_size=1, max_size=4
)


def as_text(lines) -> str:
    return HEADER + "".join(f"Line {line}.\n" for line in lines)


def as_lines(text: str) -> list[int]:
    return [int(line[5:-1]) for line in text[len(HEADER) :].splitlines()]


def edited(lines, edits, fresh) -> list[int]:
    lines = list(lines)
    for kind, at in edits:
        if kind == "add":
            lines.insert(at % (len(lines) + 1), next(fresh))
        elif lines and kind == "change":
            lines[at % len(lines)] = next(fresh)
        elif lines:
            del lines[at % len(lines)]
    return lines


@pytest.fixture
def property_people(make_user):
    return make_user("property-author"), make_user("property-mod", moderator=True)


@hypothesis.settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture, hypothesis.HealthCheck.too_slow],
)
@hypothesis.given(
    size=st.integers(1, 8),
    history=st.lists(st.tuples(st.integers(0, 20), EDITS, st.lists(st.booleans(), max_size=4)), max_size=4),
    final_base=st.integers(0, 20),
    final_edits=EDITS,
    picks=st.lists(st.sampled_from(["current", "suggestion"]), min_size=1, max_size=6),
)
def test_edit_then_accept_keeps_every_line_added_since_the_base_outside_what_the_suggestion_changed(
    property_people, size, history, final_base, final_edits, picks
):
    author, moderator = property_people
    fresh = itertools.count(1000)
    with transaction.atomic():
        card = create_card(slug="prop", card_file=parse_card(as_text(range(size))), user=author)
        for base_pick, edits, sides in history:
            base = 1 + base_pick % card.version_number
            text = as_text(edited(as_lines(_text_of(card, base)), edits, fresh))
            try:
                suggestion = submit_suggestion(
                    card=card, text=text, summary="s", base_version=base, author=author
                )
                acceptance = prepare_acceptance(suggestion, card)
                resolved = None
                if acceptance.conflicted:
                    chosen = itertools.cycle(sides or [True])
                    resolved = acceptance.merge.resolve(
                        ["".join(r.ours if next(chosen) else r.theirs) for r in acceptance.merge.conflicts]
                    )
                accept_suggestion(
                    suggestion,
                    reviewer=moderator,
                    resolved_text=resolved,
                    seen_current=acceptance.current_fingerprint if resolved is not None else None,
                )
            except NoChange:
                pass
            card.refresh_from_db()
        hypothesis.assume(card.version_number > 1)

        base = 1 + final_base % (card.version_number - 1)  # older than the current version: stale
        base_lines = as_lines(_text_of(card, base))
        try:
            suggestion = submit_suggestion(
                card=card,
                text=as_text(edited(base_lines, final_edits, fresh)),
                summary="final",
                base_version=base,
                author=author,
            )
        except NoChange:
            hypothesis.reject()
        acceptance = prepare_acceptance(suggestion, card)
        hypothesis.event("conflicted" if acceptance.conflicted else "merged cleanly")
        conflicts = acceptance.merge.conflicts
        picks = [picks[index % len(picks)] for index in range(len(conflicts))]
        result = keep_side(acceptance.edit_text, picks)  # nothing outside the conflicts is touched
        try:
            checked = review_edited_text(
                suggestion, result, reviewer=moderator, seen_version=card.version_number
            )
        except NoChange:
            checked = None  # the merge changes nothing: the moderator would reject instead
        if checked is not None:
            assert not checked.card_moved
            accept_suggestion(
                suggestion,
                reviewer=moderator,
                resolved_text=checked.text,
                seen_fingerprint=text_fingerprint(suggestion.text),
                seen_version=checked.current_version,
                seen_current=checked.current_fingerprint,
            )
            card.refresh_from_db()
            assert card.text == result
        given_up = {  # lines of the current card in a conflict the moderator settled for the suggestion
            line
            for region, pick in zip(conflicts, picks, strict=True)
            if pick == "suggestion"
            for line in region.ours
        }
        turned_down = {  # lines of the suggestion in a conflict settled for the current card
            line
            for region, pick in zip(conflicts, picks, strict=True)
            if pick == "current"
            for line in region.theirs
        }
        current = acceptance.current_text.splitlines(keepends=True)
        suggested = suggestion.text.splitlines(keepends=True)
        base_set, kept = set(_text_of(card, base).splitlines(keepends=True)), set(result.splitlines(True))
        for line in current:
            if line not in base_set:
                assert line in kept or line in given_up, f"{line!r}, accepted after version {base}, was lost"
        for line in suggested:
            if line not in base_set:
                assert line in kept or line in turned_down, f"{line!r}, from the suggestion, was lost"
        assert not unresolved_markers(result)
        transaction.set_rollback(True)


def _text_of(card, number: int) -> str:
    if number == card.version_number:
        return card.text
    return CardVersion.objects.get(card=card, number=number).stored_fields()["text"]
