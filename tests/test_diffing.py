"""Line and word diffs and the three-way merge in modelcards.diffing (metadata: test_metadata_diff.py)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelcards.diffing import (
    Row,
    Segment,
    diff_texts,
    merge3,
    unified_lines,
)

QUICK = settings(max_examples=200, deadline=None)


def lines(*items):
    return "".join(f"{item}\n" for item in items)


def all_rows(diff):
    return [row for hunk in diff.hunks for row in hunk.rows]


def side_text(segments):
    return "".join(segment.text for segment in segments)


def changed_words(segments):
    return [segment.text for segment in segments if segment.changed]


def mirror(row):
    kind = {"delete": "insert", "insert": "delete"}.get(row.kind, row.kind)
    return Row(kind, row.new_no, row.old_no, row.new, row.old)


# --------------------------------------------------------------------------------------
# Text diffs


def test_changed_word_is_highlighted_on_an_edited_line():
    diff = diff_texts(
        lines("# Card", "Accuracy is 0.91 on the test set."),
        lines("# Card", "Accuracy is 0.93 on the test set."),
    )

    (row,) = [row for row in all_rows(diff) if row.kind != "equal"]
    assert row.kind == "replace"
    assert (row.old_no, row.new_no) == (2, 2)
    assert changed_words(row.old) == ["91"]
    assert changed_words(row.new) == ["93"]
    assert side_text(row.old) == "Accuracy is 0.91 on the test set."
    assert side_text(row.new) == "Accuracy is 0.93 on the test set."
    assert (diff.added, diff.removed) == (1, 1)


def test_neighbouring_changed_words_are_highlighted_as_one_stretch():
    diff = diff_texts("the quick brown fox\n", "the slow red fox\n")

    (row,) = all_rows(diff)
    assert changed_words(row.old) == ["quick brown"]
    assert changed_words(row.new) == ["slow red"]


def test_inserted_and_deleted_lines_get_rows_with_their_own_line_numbers():
    diff = diff_texts(lines("a", "b", "c", "d"), lines("a", "c", "d", "e"))

    assert [(row.kind, row.old_no, row.new_no) for row in all_rows(diff)] == [
        ("equal", 1, 1),
        ("delete", 2, None),
        ("equal", 3, 2),
        ("equal", 4, 3),
        ("insert", None, 4),
    ]
    deleted, inserted = all_rows(diff)[1], all_rows(diff)[4]
    assert deleted.old == (Segment("b", False),) and deleted.new == ()
    assert inserted.new == (Segment("e", False),) and inserted.old == ()
    assert (diff.added, diff.removed) == (1, 1)


def test_unrelated_replacement_lines_are_a_deletion_and_an_insertion():
    diff = diff_texts(lines("keep", "The model was trained on web text."), lines("keep", "| license | mit |"))

    assert [row.kind for row in all_rows(diff)] == ["equal", "delete", "insert"]


def test_edited_lines_are_paired_with_their_closest_replacement():
    old = lines("x", "Trained on 10B tokens of English.", "Evaluated on GLUE.", "y")
    new = lines(
        "x",
        "A brand new opening paragraph here.",
        "Trained on 12B tokens of English.",
        "Evaluated on SuperGLUE.",
        "y",
    )

    rows = [row for row in all_rows(diff_texts(old, new)) if row.kind != "equal"]

    assert [(row.kind, row.old_no, row.new_no) for row in rows] == [
        ("insert", None, 2),
        ("replace", 2, 3),
        ("replace", 3, 4),
    ]
    assert changed_words(rows[1].new) == ["12B"]


def test_long_unchanged_stretches_are_collapsed_and_counted():
    old = lines(*[f"line {n}" for n in range(1, 31)])
    new = old.replace("line 10\n", "line ten\n").replace("line 25\n", "line twenty-five\n")

    diff = diff_texts(old, new, context=2)

    assert [(h.old_start, h.old_len, h.new_start, h.new_len) for h in diff.hunks] == [
        (8, 5, 8, 5),
        (23, 5, 23, 5),
    ]
    assert [hunk.skipped_before for hunk in diff.hunks] == [7, 10]
    assert diff.skipped_after == 3
    assert diff.hunks[0].header == "@@ -8,5 +8,5 @@"
    assert [row.old_no for row in diff.hunks[0].rows] == [8, 9, 10, 11, 12]


def test_a_short_unchanged_stretch_between_changes_stays_in_one_hunk():
    old = lines(*[f"line {n}" for n in range(1, 13)])
    new = old.replace("line 3\n", "line three\n").replace("line 8\n", "line eight\n")

    diff = diff_texts(old, new, context=2)

    assert len(diff.hunks) == 1
    assert diff.hunks[0].skipped_before == 0
    assert [row.old_no for row in diff.hunks[0].rows] == list(range(1, 11))
    assert diff.skipped_after == 2


def test_zero_context_shows_only_changed_rows():
    old = lines("a", "line b", "c", "line d")
    diff = diff_texts(old, lines("a", "line B", "c", "line D"), context=0)

    assert [[row.kind for row in hunk.rows] for hunk in diff.hunks] == [["replace"], ["replace"]]
    assert [hunk.skipped_before for hunk in diff.hunks] == [1, 1]
    assert diff.skipped_after == 0


def test_insertion_at_the_top_has_a_zero_start_on_the_old_side():
    diff = diff_texts(lines("a", "b"), lines("new", "a", "b"), context=0)

    assert diff.hunks[0].header == "@@ -0,0 +1,1 @@"


def test_diff_in_reverse_mirrors_the_forward_diff():
    old = lines("# Card", "intro", "Trained on 10B tokens.", "old only", "shared", "end")
    new = lines("# Card", "intro", "Trained on 12B tokens.", "shared", "brand new", "end")

    forward, backward = diff_texts(old, new), diff_texts(new, old)

    assert [mirror(row) for row in all_rows(forward)] == all_rows(backward)
    assert (forward.added, forward.removed) == (backward.removed, backward.added)
    assert [(h.old_start, h.old_len) for h in forward.hunks] == [
        (h.new_start, h.new_len) for h in backward.hunks
    ]


def test_identical_texts_have_no_hunks():
    text = lines(*[f"line {n}" for n in range(10)])

    diff = diff_texts(text, text)

    assert diff.identical
    assert diff.hunks == ()
    assert (diff.added, diff.removed, diff.skipped_after) == (0, 0, 10)
    assert diff_texts("", "").identical


def test_line_ending_style_alone_is_not_shown_as_a_change():
    assert diff_texts("a\r\nb\r\n", "a\nb").identical


def test_text_that_looks_like_markup_is_returned_as_plain_text():
    diff = diff_texts("<b>bold</b>\n", "<b>bolder</b>\n")

    (row,) = all_rows(diff)
    assert side_text(row.new) == "<b>bolder</b>"
    assert changed_words(row.new) == ["bolder"]


def test_an_empty_line_has_one_empty_segment_and_a_missing_line_has_none():
    diff = diff_texts("a\n", "a\n\n")

    (row,) = [row for row in all_rows(diff) if row.kind == "insert"]
    assert row.new == (Segment("", False),)
    assert row.old == ()


def test_unified_lines_list_removals_before_additions_after_a_hunk_header():
    diff = diff_texts(lines("a", "one", "two", "z"), lines("a", "one!", "two!", "z"))

    listing = unified_lines(diff)

    assert [(marker, row and (row.old_no, row.new_no)) for marker, row in listing] == [
        ("@@ -1,4 +1,4 @@", None),
        (" ", (1, 1)),
        ("-", (2, None)),
        ("-", (3, None)),
        ("+", (None, 2)),
        ("+", (None, 3)),
        (" ", (4, 4)),
    ]
    assert changed_words(listing[2][1].old) == ["!"] or changed_words(listing[4][1].new) == ["!"]


def test_negative_context_is_rejected():
    with pytest.raises(ValueError):
        diff_texts("a", "b", context=-1)


def test_a_huge_replaced_block_is_still_paired_and_highlighted():
    old = lines(*[f"row {n} value {n}" for n in range(300)])
    new = lines(*[f"row {n} value {n + 1}" for n in range(300)])

    rows = all_rows(diff_texts(old, new))

    assert len(rows) == 300
    assert all(row.kind == "replace" for row in rows)
    assert changed_words(rows[5].new) == ["6"]


CARD_LINES = st.lists(
    st.sampled_from(["", "a", "b", "a b", "b, c", "# Title", "x y z", "| k | v |"]), max_size=25
)


@QUICK
@given(old=CARD_LINES, new=CARD_LINES)
def test_rows_rebuild_both_texts_when_nothing_is_collapsed(old, new):
    diff = diff_texts(lines(*old), lines(*new), context=len(old) + len(new) + 1)

    rows = all_rows(diff)
    assert diff.identical == (old == new)
    if old != new:
        assert [side_text(row.old) for row in rows if row.old_no is not None] == old
        assert [side_text(row.new) for row in rows if row.new_no is not None] == new
        assert [row.old_no for row in rows if row.old_no is not None] == list(range(1, len(old) + 1))
        assert [row.new_no for row in rows if row.new_no is not None] == list(range(1, len(new) + 1))
    assert diff.removed == sum(1 for row in rows if row.kind in ("delete", "replace"))
    assert diff.added == sum(1 for row in rows if row.kind in ("insert", "replace"))


@QUICK
@given(old=CARD_LINES, new=CARD_LINES, context=st.integers(0, 4))
def test_collapsed_counts_add_up_to_every_line(old, new, context):
    diff = diff_texts(lines(*old), lines(*new), context=context)

    shown_old = sum(1 for hunk in diff.hunks for row in hunk.rows if row.old_no is not None)
    hidden = sum(hunk.skipped_before for hunk in diff.hunks) + diff.skipped_after
    assert shown_old + hidden == len(old)
    for hunk in diff.hunks:
        assert any(row.kind != "equal" for row in hunk.rows)
        assert hunk.old_len == sum(1 for row in hunk.rows if row.old_no is not None)
        assert hunk.new_len == sum(1 for row in hunk.rows if row.new_no is not None)


@QUICK
@given(old=CARD_LINES, new=CARD_LINES)
def test_reversing_a_diff_swaps_added_and_removed(old, new):
    forward = diff_texts(lines(*old), lines(*new))
    backward = diff_texts(lines(*new), lines(*old))

    assert (forward.added, forward.removed) == (backward.removed, backward.added)


# --------------------------------------------------------------------------------------
# Three-way merge

BASE = lines("# Card", "intro", "## Training", "10B tokens", "## Evaluation", "GLUE", "## License", "mit")


def test_edits_to_different_lines_merge_cleanly():
    ours = BASE.replace("intro", "A better intro")
    theirs = BASE.replace("GLUE", "SuperGLUE")

    result = merge3(BASE, ours, theirs)

    assert not result.conflicted
    assert result.text == BASE.replace("intro", "A better intro").replace("GLUE", "SuperGLUE")
    assert [region.kind for region in result.regions] == ["clean"]


def test_edits_to_the_same_line_conflict():
    result = merge3(BASE, BASE.replace("10B", "12B"), BASE.replace("10B", "11B"))

    assert result.conflicted
    (conflict,) = result.conflicts
    assert conflict.base == ("10B tokens\n",)
    assert conflict.ours == ("12B tokens\n",)
    assert conflict.theirs == ("11B tokens\n",)
    assert [region.kind for region in result.regions] == ["clean", "conflict", "clean"]
    assert result.regions[0].lines == ("# Card\n", "intro\n", "## Training\n")


def test_the_same_edit_on_both_sides_is_taken_once():
    edited = BASE.replace("mit", "apache-2.0")

    assert merge3(BASE, edited, edited).text == edited


def test_deleting_a_line_the_other_side_edited_conflicts():
    result = merge3(BASE, BASE.replace("GLUE\n", ""), BASE.replace("GLUE", "SuperGLUE"))

    (conflict,) = result.conflicts
    assert conflict.ours == ()
    assert conflict.theirs == ("SuperGLUE\n",)


def test_edits_to_adjacent_lines_conflict():
    result = merge3(BASE, BASE.replace("## Evaluation", "## Evals"), BASE.replace("GLUE", "SuperGLUE"))

    assert result.conflicted


def test_different_insertions_at_the_same_place_conflict():
    result = merge3("a\nb\n", "a\nours\nb\n", "a\ntheirs\nb\n")

    (conflict,) = result.conflicts
    assert (conflict.base, conflict.ours, conflict.theirs) == ((), ("ours\n",), ("theirs\n",))


def test_edits_at_the_start_and_the_end_of_the_file_merge_cleanly():
    ours = "# A better title\n" + BASE.removeprefix("# Card\n")
    theirs = BASE + "## Contact\n"

    assert (
        merge3(BASE, ours, theirs).text
        == "# A better title\n" + BASE.removeprefix("# Card\n") + "## Contact\n"
    )
    assert merge3(BASE, theirs, ours).text == merge3(BASE, ours, theirs).text


def test_a_missing_final_newline_survives_the_merge():
    base = "a\nb\nc\nd"
    ours = "A\nb\nc\nd"
    theirs = "a\nb\nc\nD"

    assert merge3(base, ours, theirs).text == "A\nb\nc\nD"
    assert merge3(base, "A\nb\nc\nd\n", base).text == "A\nb\nc\nd\n"
    assert merge3("a\nb\n", "a\nb\n", "a\nb").text == "a\nb"


def test_line_endings_are_kept_byte_for_byte():
    base = "a\r\nb\r\nc\r\nd\r\n"
    ours = "A\r\nb\r\nc\r\nd\r\n"
    theirs = "a\r\nb\r\nc\r\nD\n"

    assert merge3(base, ours, theirs).text == "A\r\nb\r\nc\r\nD\n"


def test_merging_into_an_empty_base():
    assert merge3("", "", "new card\n").text == "new card\n"
    assert merge3("", "one\n", "two\n").conflicted


def test_a_conflicted_merge_has_no_text():
    result = merge3("a\n", "b\n", "c\n")

    with pytest.raises(ValueError):
        assert result.text


def test_resolve_puts_each_choice_in_place_of_its_conflict():
    base = lines("a", "b", "c", "d", "e")
    result = merge3(base, lines("a", "B1", "c", "d", "E1"), lines("a", "B2", "c", "d", "E2"))

    assert len(result.conflicts) == 2
    assert result.resolve(["B1\n", "E1\nE2\n"]) == lines("a", "B1", "c", "d", "E1", "E2")
    assert result.resolve(["", "e\n"]) == lines("a", "c", "d", "e")


def test_resolve_adds_a_line_break_to_a_choice_typed_without_one():
    result = merge3("a\r\nb\r\nc\r\n", "a\r\nX\r\nc\r\n", "a\r\nY\r\nc\r\n")

    assert result.resolve(["Z"]) == "a\r\nZ\r\nc\r\n"
    assert merge3("a\nb", "a\nX", "a\nY").resolve(["Z"]) == "a\nZ"


def test_resolve_needs_one_choice_per_conflict():
    result = merge3("a\n", "b\n", "c\n")

    with pytest.raises(ValueError):
        result.resolve([])
    with pytest.raises(ValueError):
        result.resolve(["b\n", "c\n"])
    with pytest.raises(TypeError):
        result.resolve("b\n")
    assert merge3("a\n", "b\n", "a\n").resolve([]) == "b\n"


# Texts built from a few repeated lines, with and without final newlines, so that the
# matcher meets duplicates and ambiguous alignments.
TEXTS = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "\n", "a b\n", "a\r\n", "d"]), max_size=15).map(
    "".join
)


@QUICK
@given(base=TEXTS, other=TEXTS)
def test_a_change_on_one_side_only_is_taken_as_it_is(base, other):
    assert merge3(base, base, other).text == other
    assert merge3(base, other, base).text == other


@QUICK
@given(base=TEXTS, other=TEXTS)
def test_the_same_change_on_both_sides_is_taken_as_it_is(base, other):
    assert merge3(base, other, other).text == other


@st.composite
def disjoint_edits(draw):
    """A base of distinct lines, and two edits of separate stretches with a kept line between."""
    size = draw(st.integers(1, 20))
    base = [f"base {n}\n" for n in range(size)]
    first_start = draw(st.integers(0, size - 1))
    first_end = draw(st.integers(first_start, size - 1))
    second_start = draw(st.integers(first_end + 1, size))
    second_end = draw(st.integers(second_start, size))
    first = draw(st.lists(st.sampled_from(["ours a\n", "ours b\n", "shared\n"]), max_size=3))
    second = draw(st.lists(st.sampled_from(["theirs a\n", "theirs b\n", "shared\n"]), max_size=3))
    return base, (first_start, first_end, first), (second_start, second_end, second), draw(st.booleans())


@QUICK
@given(case=disjoint_edits())
def test_edits_to_separate_stretches_merge_cleanly_with_both_edits(case):
    base, (start1, end1, first), (start2, end2, second), swap = case
    one = base[:start1] + first + base[end1:]
    two = base[:start2] + second + base[end2:]
    if swap:
        one, two = two, one

    result = merge3("".join(base), "".join(one), "".join(two))

    assert not result.conflicted
    assert result.text == "".join(base[:start1] + first + base[end1:start2] + second + base[end2:])


@st.composite
def tagged_edits(draw):
    """A base of distinct lines and two random edits that only ever add lines of their own."""
    base = [f"base {n}\n" for n in range(draw(st.integers(0, 12)))]

    def edit(tag):
        out = []
        for position in range(len(base) + 1):
            out += [f"{tag} {position} {k}\n" for k in range(draw(st.integers(0, 1)))]
            if position < len(base) and draw(st.booleans()):
                out.append(base[position])
        return out

    return base, edit("ours"), edit("theirs")


@QUICK
@given(case=tagged_edits())
def test_no_line_added_on_either_side_is_ever_lost(case):
    base, ours, theirs = case
    result = merge3("".join(base), "".join(ours), "".join(theirs))

    both = result.resolve(["".join(c.ours + c.theirs) for c in result.conflicts])
    added = [line for line in ours + theirs if not line.startswith("base")]
    assert sorted(line for line in both.splitlines(keepends=True) if not line.startswith("base")) == sorted(
        added
    )
    kept_by_both = [line for line in base if line in ours and line in theirs]
    assert [line for line in both.splitlines(keepends=True) if line in kept_by_both] == kept_by_both


@QUICK
@given(base=TEXTS, ours=TEXTS, theirs=TEXTS)
def test_merging_is_symmetric_and_conflicts_are_genuine(base, ours, theirs):
    result = merge3(base, ours, theirs)
    swapped = merge3(base, theirs, ours)

    assert [region.kind for region in result.regions] == [region.kind for region in swapped.regions]
    for region, other in zip(result.regions, swapped.regions, strict=True):
        assert (region.lines, region.base, region.ours, region.theirs) == (
            other.lines,
            other.base,
            other.theirs,
            other.ours,
        )
        if region.kind == "conflict":
            assert region.ours != region.theirs
            assert region.base not in (region.ours, region.theirs)
    if not result.conflicted:
        assert result.resolve([]) == result.text
    # Keeping "ours" in every conflict gives back ours when theirs made no change of its own.
    keep_ours = result.resolve(["".join(c.ours) for c in result.conflicts])
    if theirs == base:
        assert keep_ours == ours
    # Whatever is chosen, the merge only ever assembles lines that one of the inputs has.
    known = {line for text in (base, ours, theirs) for line in text.splitlines(keepends=True)}
    assert set(keep_ours.splitlines(keepends=True)) <= known


def test_cached_diff_and_merge_are_computed_once_per_distinct_texts(monkeypatch):
    from django.core.cache import cache

    from modelcards import diffing

    cache.clear()
    calls = []
    real_diff, real_merge = diffing.diff_texts, diffing.merge3
    monkeypatch.setattr(diffing, "diff_texts", lambda *a: calls.append("diff") or real_diff(*a))
    monkeypatch.setattr(diffing, "merge3", lambda *a: calls.append("merge") or real_merge(*a))
    first = diffing.cached_diff_texts("a\nb\n", "a\nc\n")
    assert diffing.cached_diff_texts("a\nb\n", "a\nc\n") == first
    diffing.cached_diff_texts("a\nb\n", "a\nd\n")
    diffing.cached_merge3("a\n", "b\n", "a\n")
    diffing.cached_merge3("a\n", "b\n", "a\n")
    assert calls == ["diff", "diff", "merge"]
    cache.clear()
