"""Line and word diffs of card text, and a three-way merge of suggestions.

Everything here is plain data: templates render it with autoescaping, so no HTML is built here.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from difflib import SequenceMatcher
from itertools import chain

from .metadata_diff import MetadataDiff, diff_metadata

__all__ = [
    "MAX_DIFF_ROWS",
    "Hunk",
    "MergeRegion",
    "MergeResult",
    "ReadmeDiff",
    "Row",
    "Segment",
    "TextDiff",
    "diff_texts",
    "lines_before",
    "merge3",
    "unified_lines",
    "unresolved_markers",
]

# A replace block is paired by best alignment only while it is small; beyond this many
# old x new candidate pairs, lines are paired by position (the cost must stay linear).
_MAX_ALIGNMENT_CELLS = 400
# Two lines are shown as one edited line (with word highlights) only when at least this
# share of their words agree; otherwise they are a deletion and an insertion.
_PAIRING_THRESHOLD = 0.5
# Word-level matching is quadratic in the worst case, so the differing middle of a line
# (after its common start and end are set aside) is only analysed up to this many tokens.
_MAX_WORD_TOKENS = 500
# A gap without lines unique to both sides falls back to difflib; above this size difflib
# must be allowed to ignore very common lines or it turns quadratic.
_MAX_PLAIN_MATCH_CELLS = 40_000
# Stretches with at most this many lines on both sides together get a minimal diff, as
# long as it needs no more than this many inserted and deleted lines.
_MAX_MINIMAL_LINES = 400
_MAX_MINIMAL_EDITS = 40
# What one matching may spend, in steps of about a line counted (difflib's candidate pairs cost
# _STEPS_PER_CANDIDATE each): some 0.1 s here. An ordinary edit of the largest card uses a few
# hundred thousand; crafted texts of repeated lines would otherwise cost difflib many seconds.
_MAX_MATCHING_STEPS = 1_500_000
_STEPS_PER_CANDIDATE = 10

# A diff is shown in full up to this many rows; beyond it, pages say how many lines changed and offer
# both texts to download. Building and showing rows is what costs (word highlights, the template), so
# this bounds a diff's page whatever the texts.
MAX_DIFF_ROWS = 3_000

# Git's conflict markers, so that a moderator editing a merge sees what every merge tool shows.
CONFLICT_START, CONFLICT_SEPARATOR, CONFLICT_END = "<<<<<<<", "=======", ">>>>>>>"
_MARKER_LINE = re.compile(r"(?:<{7}|={7}|>{7}|\|{7})(?:[ \t].*)?")

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_WORD_CHARACTER = re.compile(r"\w")


# --------------------------------------------------------------------------------------
# Data shapes


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of one line; ``changed`` marks words that differ from the paired line."""

    text: str
    changed: bool


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a side-by-side diff.

    ``kind`` is "equal", "delete", "insert" or "replace" (an old line paired with the new
    line that replaced it). A side without a line has number ``None`` and no segments; an
    empty line that exists has a single empty segment.
    """

    kind: str
    old_no: int | None
    new_no: int | None
    old: tuple[Segment, ...]
    new: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Hunk:
    """A run of changed rows with their context; ``skipped_before`` equal lines precede it unseen.

    Starts are 1-based line numbers; for an empty side the start is the number of the line
    after which the change sits (0 at the top), as in unified diffs.
    """

    old_start: int
    old_len: int
    new_start: int
    new_len: int
    rows: tuple[Row, ...]
    skipped_before: int

    @property
    def header(self) -> str:
        """The unified-diff header line, e.g. ``@@ -12,7 +12,8 @@``."""
        return f"@@ -{self.old_start},{self.old_len} +{self.new_start},{self.new_len} @@"

    @property
    def unified(self) -> tuple[tuple[str, Row], ...]:
        """The rows in unified order: marker " ", "-" or "+" with a one-sided row.

        Within each change, every removed line comes before every added line. An edited
        line becomes a "delete" row and an "insert" row that keep their word highlights.
        """
        out: list[tuple[str, Row]] = []
        removed: list[tuple[str, Row]] = []
        added: list[tuple[str, Row]] = []
        for row in self.rows:
            if row.kind == "equal":
                out += removed + added
                removed, added = [], []
                out.append((" ", row))
                continue
            if row.old_no is not None:
                removed.append(("-", Row("delete", row.old_no, None, row.old, ())))
            if row.new_no is not None:
                added.append(("+", Row("insert", None, row.new_no, (), row.new)))
        out += removed + added
        return tuple(out)


@dataclass(frozen=True, slots=True)
class TextDiff:
    """The hunks of a line diff, the changed-line counts, and the equal lines hidden after the last hunk.

    An edited line counts once in ``added`` and once in ``removed``. A diff that would show more
    than its row limit has no hunks and ``too_large`` set: pages say how much changed instead.
    """

    hunks: tuple[Hunk, ...]
    added: int
    removed: int
    skipped_after: int
    too_large: bool = False
    row_limit: int = 0  # the rows a too-large diff would have needed more than

    @property
    def identical(self) -> bool:
        """True when no line differs (line-ending style aside)."""
        return not (self.added or self.removed)


@dataclass(frozen=True, slots=True)
class ReadmeDiff(TextDiff):
    """A line diff of two README.md files that also carries both front matters, so that a page showing
    the diff can compare the metadata key by key (`metadata`); callers that only need lines pay nothing.
    """

    old_front_matter: str = ""
    new_front_matter: str = ""

    @property
    def metadata(self) -> MetadataDiff:
        """The metadata compared item by item, worked out once per pair of front matters."""
        return _cached("metadatadiff", _metadata_diff, self.old_front_matter, self.new_front_matter)


@dataclass(frozen=True, slots=True)
class MergeRegion:
    """A stretch of a three-way merge.

    A "clean" region holds the merged ``lines``; a "conflict" region holds the three
    competing versions of the same stretch in ``base``, ``ours`` and ``theirs``. Lines keep
    their line endings.
    """

    kind: str
    lines: tuple[str, ...] = ()
    base: tuple[str, ...] = ()
    ours: tuple[str, ...] = ()
    theirs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MergeResult:
    """The regions of a three-way merge, in text order."""

    regions: tuple[MergeRegion, ...]

    @property
    def conflicted(self) -> bool:
        """True when at least one region needs a human decision."""
        return any(region.kind == "conflict" for region in self.regions)

    @property
    def conflicts(self) -> tuple[MergeRegion, ...]:
        """The conflict regions, in the order ``resolve`` expects choices for them."""
        return tuple(region for region in self.regions if region.kind == "conflict")

    @property
    def text(self) -> str:
        """The merged text; a conflicted merge has none, so asking for it raises ValueError."""
        if self.conflicted:
            raise ValueError("a conflicted merge has no text until its conflicts are resolved")
        return "".join(line for region in self.regions for line in region.lines)

    def resolve(self, choices: Sequence[str]) -> str:
        """The final text, with each conflict replaced by the matching choice, in order.

        There must be exactly one choice per conflict. A choice that does not end with a line
        break gets one (in the conflict's own style) when more text follows, so that the
        choice never fuses with the next line.
        """
        if isinstance(choices, str):
            raise TypeError("choices must be a sequence of strings, one per conflict")
        conflicts = self.conflicts
        if len(choices) != len(conflicts):
            raise ValueError(f"expected {len(conflicts)} choice(s), got {len(choices)}")
        parts: list[tuple[str, MergeRegion | None]] = []
        remaining = iter(choices)
        for region in self.regions:
            if region.kind == "clean":
                parts.append(("".join(region.lines), None))
                continue
            choice = next(remaining)
            if not isinstance(choice, str):
                raise TypeError("each choice must be a string")
            parts.append((choice, region))
        text = []
        for index, (part, conflict) in enumerate(parts):
            more_follows = any(later for later, _ in parts[index + 1 :])
            if conflict is not None and part and more_follows and not _ends_with_line_break(part):
                part += _line_ending_of(conflict)
            text.append(part)
        return "".join(text)

    def marked(self, ours_label: str, theirs_label: str) -> str:
        """The merged text with each conflict written out between git-style markers, for a person to edit.

        Each side keeps its exact lines; a side whose last line has no line break gets one, so that the
        marker after it stands on a line of its own. Labels are kept to one line.
        """
        ours_label, theirs_label = (" ".join(label.split()) for label in (ours_label, theirs_label))
        parts: list[str] = []
        for region in self.regions:
            if region.kind == "clean":
                parts.extend(region.lines)
                continue
            end = _line_ending_of(region)
            parts.append(f"{CONFLICT_START} {ours_label}{end}")
            parts.extend(_closed_lines(region.ours, end))
            parts.append(CONFLICT_SEPARATOR + end)
            parts.extend(_closed_lines(region.theirs, end))
            parts.append(f"{CONFLICT_END} {theirs_label}{end}")
        return "".join(parts)


# --------------------------------------------------------------------------------------
# Line matching shared by the diff and the merge


def _as_ids(*texts: Sequence[str]) -> tuple[list[int], ...]:
    """Replace each distinct line by a small integer so that matching compares ints."""
    # Built with dict and map rather than a Python loop: a card can have 90,000 lines.
    ids = {line: number for number, line in enumerate(dict.fromkeys(chain(*texts)))}
    return tuple(list(map(ids.__getitem__, lines)) for lines in texts)


def _unique_anchors(
    a: list[int], b: list[int], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Lines occurring exactly once in each range, kept in the longest order-preserving chain."""
    a_part, b_part = a[alo:ahi], b[blo:bhi]
    once = {line for line, count in Counter(a_part).items() if count == 1}
    once.intersection_update(line for line, count in Counter(b_part).items() if count == 1)
    if not once:
        return []
    where_in_b = {line: j for j, line in enumerate(b_part, blo) if line in once}
    pairs = [(i, where_in_b[line]) for i, line in enumerate(a_part, alo) if line in once]
    # Patience sorting: tails[k] is the pair ending the best chain of length k + 1.
    tails: list[int] = []
    tail_js: list[int] = []
    previous = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        position = bisect_left(tail_js, j)
        if position:
            previous[index] = tails[position - 1]
        if position == len(tails):
            tails.append(index)
            tail_js.append(j)
        else:
            tails[position] = index
            tail_js[position] = j
    chain = []
    index = tails[-1]
    while index != -1:
        chain.append(pairs[index])
        index = previous[index]
    chain.reverse()
    return chain


def _shortest_edit(
    a: list[int], b: list[int], alo: int, ahi: int, blo: int, bhi: int, max_edits: int
) -> list[tuple[int, int]] | None:
    """The matched line pairs of a minimal edit script (Myers' greedy search), or None.

    The search gives up (None) once more than ``max_edits`` insertions and deletions would
    be needed, because its cost grows with the square of that number.
    """
    n, m = ahi - alo, bhi - blo
    # Cheap bound first: a line with no equal on the other side can never be matched.
    in_a, in_b = set(a[alo:ahi]), set(b[blo:bhi])
    matchable = min(sum(1 for x in a[alo:ahi] if x in in_b), sum(1 for y in b[blo:bhi] if y in in_a))
    if n + m - 2 * matchable > max_edits:
        return None
    limit = min(max_edits, n + m)
    offset = limit + 1
    # furthest[k + offset]: how far along ``a`` the best path on diagonal k (= x - y) reached.
    furthest = [0] * (2 * limit + 3)
    history = []
    for edits in range(limit + 1):
        history.append(furthest[:])
        for k in range(-edits, edits + 1, 2):
            if k == -edits or (k != edits and furthest[k - 1 + offset] < furthest[k + 1 + offset]):
                x = furthest[k + 1 + offset]
            else:
                x = furthest[k - 1 + offset] + 1
            y = x - k
            while x < n and y < m and a[alo + x] == b[blo + y]:
                x += 1
                y += 1
            furthest[k + offset] = x
            if x >= n and y >= m:
                return _trace_back(history, n, m, offset, alo, blo)
    return None


def _trace_back(history, x: int, y: int, offset: int, alo: int, blo: int) -> list[tuple[int, int]]:
    """Walk the recorded search back from the end, collecting the diagonal (matching) steps."""
    pairs = []
    for edits in range(len(history) - 1, -1, -1):
        furthest = history[edits]
        k = x - y
        if k == -edits or (k != edits and furthest[k - 1 + offset] < furthest[k + 1 + offset]):
            previous_k = k + 1
        else:
            previous_k = k - 1
        previous_x = furthest[previous_k + offset]
        previous_y = previous_x - previous_k
        while x > previous_x and y > previous_y:
            x -= 1
            y -= 1
            pairs.append((alo + x, blo + y))
        x, y = previous_x, previous_y
    pairs.reverse()
    return pairs


def _single_line_match(a: list[int], b: list[int], alo: int, ahi: int, blo: int, bhi: int):
    """A minimal match when one side of the stretch is a single line: that line, if the other side has it."""
    try:
        if ahi - alo == 1:
            return [(alo, b.index(a[alo], blo, bhi), 1)]
        return [(a.index(b[blo], alo, ahi), blo, 1)]
    except ValueError:
        return []


def _candidate_pairs(a: list[int], b: list[int], *, autojunk: bool) -> int:
    """How many (line of a, equal line of b) pairs difflib would consider: what its search costs."""
    b_counts = Counter(b)
    if autojunk and len(b) >= 200:
        popular = len(b) // 100 + 1  # difflib ignores lines this common
        b_counts = Counter({line: count for line, count in b_counts.items() if count <= popular})
    return sum(count * b_counts[line] for line, count in Counter(a).items() if line in b_counts)


def _matching_blocks(a: list[int], b: list[int]) -> list[tuple[int, int, int]]:
    """Equal runs ``(i, j, size)`` in order, ending with ``(len(a), len(b), 0)`` like difflib.

    Small stretches get a minimal diff. On long ones, lines unique to both sides anchor the
    match first (patience diff), which keeps the cost near linear and stops common lines
    (blank lines, table rules) from pairing up oddly; stretches that are neither small nor
    anchored fall back to difflib. The whole search spends at most _MAX_MATCHING_STEPS: a
    stretch it cannot afford stays unmatched, which shows it as replaced (and makes a merge
    call it a conflict) rather than letting crafted text make the diff slow.
    """
    blocks: list[tuple[int, int, int]] = []
    budget = _MAX_MATCHING_STEPS
    pending = [(0, len(a), 0, len(b))]
    while pending:
        alo, ahi, blo, bhi = pending.pop()
        start_a, start_b = alo, blo
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            alo += 1
            blo += 1
        if alo > start_a:
            blocks.append((start_a, start_b, alo - start_a))
        end_a = ahi
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi -= 1
            bhi -= 1
        if ahi < end_a:
            blocks.append((ahi, bhi, end_a - ahi))
        if alo == ahi or blo == bhi:
            continue
        if ahi - alo == 1 or bhi - blo == 1:
            blocks.extend(_single_line_match(a, b, alo, ahi, blo, bhi))
            continue
        size = ahi - alo + bhi - blo
        if budget < size:
            continue
        if size <= _MAX_MINIMAL_LINES:
            budget -= size + min(size, _MAX_MINIMAL_EDITS) ** 2
            pairs = _shortest_edit(a, b, alo, ahi, blo, bhi, _MAX_MINIMAL_EDITS)
            if pairs is not None:
                blocks.extend((i, j, 1) for i, j in pairs)
                continue
        budget -= 2 * size
        anchors = _unique_anchors(a, b, alo, ahi, blo, bhi)
        if anchors:
            i0, j0 = alo, blo
            for i, j in anchors:
                blocks.append((i, j, 1))
                pending.append((i0, i, j0, j))
                i0, j0 = i + 1, j + 1
            pending.append((i0, ahi, j0, bhi))
            continue
        small = (ahi - alo) * (bhi - blo) <= _MAX_PLAIN_MATCH_CELLS
        cost = _STEPS_PER_CANDIDATE * _candidate_pairs(a[alo:ahi], b[blo:bhi], autojunk=not small)
        if cost > budget:
            continue
        budget -= cost
        matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=not small)
        blocks.extend((alo + i, blo + j, size) for i, j, size in matcher.get_matching_blocks() if size)
    blocks.sort()
    merged: list[tuple[int, int, int]] = []
    for i, j, size in blocks:
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            last_i, last_j, last_size = merged[-1]
            merged[-1] = (last_i, last_j, last_size + size)
        else:
            merged.append((i, j, size))
    merged.append((len(a), len(b), 0))
    return merged


def _opcodes(blocks: Iterable[tuple[int, int, int]]) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes from matching blocks."""
    codes = []
    i = j = 0
    for block_i, block_j, size in blocks:
        if i < block_i and j < block_j:
            codes.append(("replace", i, block_i, j, block_j))
        elif i < block_i:
            codes.append(("delete", i, block_i, j, j))
        elif j < block_j:
            codes.append(("insert", i, i, j, block_j))
        if size:
            codes.append(("equal", block_i, block_i + size, block_j, block_j + size))
        i, j = block_i + size, block_j + size
    return codes


# --------------------------------------------------------------------------------------
# Word highlights and line pairing


def _tokens(line: str) -> list[str]:
    return _TOKEN.findall(line)


def _whole(line: str, changed: bool) -> tuple[Segment, ...]:
    return (Segment(line, changed),)


def _build_segments(pieces: list[tuple[str, bool]]) -> tuple[Segment, ...]:
    """Join pieces into segments, absorbing a space or punctuation stranded between two changes."""
    merged: list[list] = []
    for text, changed in pieces:
        if not text:
            continue
        if merged and merged[-1][1] == changed:
            merged[-1][0] += text
        else:
            merged.append([text, changed])
    for index in range(1, len(merged) - 1):
        text, changed = merged[index]
        if not changed and merged[index - 1][1] and merged[index + 1][1] and not _WORD_CHARACTER.search(text):
            merged[index][1] = True
    result: list[Segment] = []
    for text, changed in merged:
        if result and result[-1].changed == changed:
            result[-1] = Segment(result[-1].text + text, changed)
        else:
            result.append(Segment(text, changed))
    return tuple(result) or (Segment("", False),)


def _word_segments(
    old: str, new: str, old_tokens: list[str], new_tokens: list[str]
) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """Segments for both sides of an edited line, marking the words that differ."""
    if old == new:
        return _whole(old, False), _whole(new, False)
    start = 0
    limit = min(len(old_tokens), len(new_tokens))
    while start < limit and old_tokens[start] == new_tokens[start]:
        start += 1
    old_end, new_end = len(old_tokens), len(new_tokens)
    while old_end > start and new_end > start and old_tokens[old_end - 1] == new_tokens[new_end - 1]:
        old_end -= 1
        new_end -= 1
    old_middle, new_middle = old_tokens[start:old_end], new_tokens[start:new_end]
    old_pieces = [("".join(old_tokens[:start]), False)]
    new_pieces = [("".join(new_tokens[:start]), False)]
    if len(old_middle) > _MAX_WORD_TOKENS or len(new_middle) > _MAX_WORD_TOKENS:
        old_pieces.append(("".join(old_middle), True))
        new_pieces.append(("".join(new_middle), True))
    else:
        matcher = SequenceMatcher(None, old_middle, new_middle, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            old_pieces.append(("".join(old_middle[i1:i2]), tag != "equal"))
            new_pieces.append(("".join(new_middle[j1:j2]), tag != "equal"))
    old_pieces.append(("".join(old_tokens[old_end:]), False))
    new_pieces.append(("".join(new_tokens[new_end:]), False))
    return _build_segments(old_pieces), _build_segments(new_pieces)


def _similarity(old_words: Counter, new_words: Counter, old: str, new: str) -> float:
    """Share of words (not spaces) two lines have in common, from 0 to 1."""
    total = sum(old_words.values()) + sum(new_words.values())
    if not total:
        return 1.0 if old == new or (not old.strip() and not new.strip()) else 0.0
    return 2 * sum((old_words & new_words).values()) / total


def _pairing(sims, m: int, n: int) -> list[tuple[int | None, int | None]]:
    """Order-preserving pairing of old and new lines with the largest total similarity."""
    if m * n > _MAX_ALIGNMENT_CELLS:
        steps: list[tuple[int | None, int | None]] = []
        for k in range(min(m, n)):
            if sims(k, k) >= _PAIRING_THRESHOLD:
                steps.append((k, k))
            else:
                steps += [(k, None), (None, k)]
        steps += [(k, None) for k in range(n, m)] + [(None, k) for k in range(m, n)]
        return steps
    table = {(i, j): sims(i, j) for i in range(m) for j in range(n)}
    # best[i][j]: the best total for old[i:] against new[j:].
    best = [[0.0] * (n + 1) for _ in range(m + 1)]
    for i in range(m - 1, -1, -1):
        for j in range(n - 1, -1, -1):
            score = max(best[i + 1][j], best[i][j + 1])
            if table[i, j] >= _PAIRING_THRESHOLD:
                score = max(score, table[i, j] + best[i + 1][j + 1])
            best[i][j] = score
    steps = []
    i = j = 0
    while i < m and j < n:
        if table[i, j] >= _PAIRING_THRESHOLD and best[i][j] == table[i, j] + best[i + 1][j + 1]:
            steps.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            steps.append((i, None))
            i += 1
        else:
            steps.append((None, j))
            j += 1
    steps += [(k, None) for k in range(i, m)] + [(None, k) for k in range(j, n)]
    return steps


def _replace_rows(old: list[str], new: list[str], old_offset: int, new_offset: int) -> list[Row]:
    """Rows for a block of old lines replaced by new ones: close pairs first, the rest one-sided."""
    old_tokens = [_tokens(line) for line in old]
    new_tokens = [_tokens(line) for line in new]
    old_words = [Counter(t for t in tokens if not t.isspace()) for tokens in old_tokens]
    new_words = [Counter(t for t in tokens if not t.isspace()) for tokens in new_tokens]

    def sims(i: int, j: int) -> float:
        return _similarity(old_words[i], new_words[j], old[i], new[j])

    rows: list[Row] = []
    deletes: list[Row] = []
    inserts: list[Row] = []
    for i, j in _pairing(sims, len(old), len(new)):
        if i is not None and j is not None:
            rows += deletes + inserts
            deletes, inserts = [], []
            old_segments, new_segments = _word_segments(old[i], new[j], old_tokens[i], new_tokens[j])
            rows.append(Row("replace", old_offset + i + 1, new_offset + j + 1, old_segments, new_segments))
        elif i is not None:
            deletes.append(Row("delete", old_offset + i + 1, None, _whole(old[i], False), ()))
        else:
            inserts.append(Row("insert", None, new_offset + j + 1, (), _whole(new[j], False)))
    return rows + deletes + inserts


# --------------------------------------------------------------------------------------
# Text diff


def diff_texts(
    old: str,
    new: str,
    *,
    context: int = 3,
    max_rows: int = MAX_DIFF_ROWS,
    first_lines: tuple[int, int] = (1, 1),
) -> TextDiff:
    """Line diff of two texts with word highlights on edited lines.

    Edited lines are paired with the most similar replacement line; unpaired lines are plain
    deletions and insertions. Runs of equal lines longer than ``2 * context`` are collapsed,
    keeping ``context`` lines around each change. Line endings are not compared: a text and
    its CRLF copy are identical here (the merge keeps them exactly). A diff that would show
    more than ``max_rows`` rows (changed lines and their context) is not built: it comes back
    ``too_large``, with its counts and no hunks, so its cost and size stay bounded.

    Lines are numbered from ``first_lines`` (old, new): a part of a file, such as a card's body, is
    numbered as in the whole file, so that every page shows the numbers a reader's editor shows.
    """
    if context < 0:
        raise ValueError("context must not be negative")
    diff = _diff_texts(old, new, context, max_rows)
    if first_lines != (1, 1):
        diff = _renumbered(diff, first_lines[0] - 1, first_lines[1] - 1)
    return diff


def _diff_texts(old: str, new: str, context: int, max_rows: int) -> TextDiff:
    old_lines, new_lines = old.splitlines(), new.splitlines()
    codes = _opcodes(_matching_blocks(*_as_ids(old_lines, new_lines)))
    removed = sum(i2 - i1 for tag, i1, i2, _, _ in codes if tag != "equal")
    added = sum(j2 - j1 for tag, _, _, j1, j2 in codes if tag != "equal")
    if not removed and not added:
        return TextDiff(hunks=(), added=0, removed=0, skipped_after=len(old_lines))
    if _rows_shown(codes, context) > max_rows:
        return TextDiff(
            hunks=(), added=added, removed=removed, skipped_after=0, too_large=True, row_limit=max_rows
        )

    # Cut the opcodes into hunks: each hunk is a list of opcodes trimmed to what is shown.
    groups: list[tuple[int, list[tuple[str, int, int, int, int]]]] = []
    current: list[tuple[str, int, int, int, int]] = []
    skipped = 0
    for position, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag != "equal":
            current.append((tag, i1, i2, j1, j2))
            continue
        size = i2 - i1
        first, last = position == 0, position == len(codes) - 1
        if first:
            keep = min(size, context)
            skipped = size - keep
            if keep:
                current.append((tag, i2 - keep, i2, j2 - keep, j2))
        elif last:
            keep = min(size, context)
            if keep:
                current.append((tag, i1, i1 + keep, j1, j1 + keep))
            groups.append((skipped, current))
            return _assemble(groups, old_lines, new_lines, added, removed, size - keep)
        elif size > 2 * context:
            if context:
                current.append((tag, i1, i1 + context, j1, j1 + context))
            groups.append((skipped, current))
            skipped = size - 2 * context
            current = [(tag, i2 - context, i2, j2 - context, j2)] if context else []
        else:
            current.append((tag, i1, i2, j1, j2))
    groups.append((skipped, current))
    return _assemble(groups, old_lines, new_lines, added, removed, 0)


def _renumbered(diff: TextDiff, old_by: int, new_by: int) -> TextDiff:
    """The same diff with every old line number moved by `old_by` and every new one by `new_by`."""

    def moved(row: Row) -> Row:
        return replace(
            row,
            old_no=None if row.old_no is None else row.old_no + old_by,
            new_no=None if row.new_no is None else row.new_no + new_by,
        )

    hunks = tuple(
        replace(
            hunk,
            old_start=hunk.old_start + old_by,
            new_start=hunk.new_start + new_by,
            rows=tuple(moved(row) for row in hunk.rows),
        )
        for hunk in diff.hunks
    )
    return replace(diff, hunks=hunks)


def lines_before(text: str, offset: int) -> int:
    """How many whole lines (as the diff splits lines) come before `offset`: where a part starting
    there begins, less one."""
    head = text[:offset]
    lines = head.splitlines(keepends=True)
    if lines and lines[-1].splitlines() == [lines[-1]]:
        return len(lines) - 1  # the part starts inside a line (after a byte-order mark, say)
    return len(lines)


def _rows_shown(codes: list[tuple[str, int, int, int, int]], context: int) -> int:
    """At most how many rows the diff shows: changed lines (an edited line may take one row for
    both sides, counted here as two) and the equal lines kept around them."""
    rows = 0
    for position, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag != "equal":
            rows += (i2 - i1) + (j2 - j1)
        elif position in (0, len(codes) - 1):
            rows += min(i2 - i1, context)
        else:
            rows += min(i2 - i1, 2 * context)
    return rows


def _assemble(groups, old_lines, new_lines, added: int, removed: int, skipped_after: int) -> TextDiff:
    """Build rows (only for what is shown) and hunks from the grouped opcodes."""
    hunks = []
    for skipped_before, group in groups:
        rows: list[Row] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for offset in range(i2 - i1):
                    segments = _whole(old_lines[i1 + offset], False)
                    rows.append(Row("equal", i1 + offset + 1, j1 + offset + 1, segments, segments))
            elif tag == "delete":
                rows += [Row("delete", i + 1, None, _whole(old_lines[i], False), ()) for i in range(i1, i2)]
            elif tag == "insert":
                rows += [Row("insert", None, j + 1, (), _whole(new_lines[j], False)) for j in range(j1, j2)]
            else:
                rows += _replace_rows(old_lines[i1:i2], new_lines[j1:j2], i1, j1)
        old_first, old_last = group[0][1], group[-1][2]
        new_first, new_last = group[0][3], group[-1][4]
        old_len, new_len = old_last - old_first, new_last - new_first
        hunks.append(
            Hunk(
                old_start=old_first + 1 if old_len else old_first,
                old_len=old_len,
                new_start=new_first + 1 if new_len else new_first,
                new_len=new_len,
                rows=tuple(rows),
                skipped_before=skipped_before,
            )
        )
    return TextDiff(hunks=tuple(hunks), added=added, removed=removed, skipped_after=skipped_after)


def unified_lines(diff: TextDiff) -> list[tuple[str, Row | None]]:
    """The whole diff as one unified listing of ``(marker, row)`` pairs.

    Each hunk starts with ``(hunk.header, None)``; its lines follow as ``(" ", row)`` for
    context, ``("-", row)`` for removed and ``("+", row)`` for added lines, removals before
    additions within a change (see ``Hunk.unified``). Hidden equal lines are counted on the
    hunks (``skipped_before``) and the diff (``skipped_after``).
    """
    listing: list[tuple[str, Row | None]] = []
    for hunk in diff.hunks:
        listing.append((hunk.header, None))
        listing.extend(hunk.unified)
    return listing


# --------------------------------------------------------------------------------------
# Three-way merge


def _line_ending(line: str) -> str:
    """The line break that ends ``line`` ("" when it has none)."""
    return line[len(line.splitlines()[0]) :] if line else ""


def _ends_with_line_break(text: str) -> bool:
    return bool(_line_ending(text.splitlines(keepends=True)[-1]))


def _line_ending_of(region: MergeRegion) -> str:
    """The line break a conflict's own lines use, so a typed resolution matches the file."""
    for lines in (region.ours, region.theirs, region.base):
        for line in reversed(lines):
            if ending := _line_ending(line):
                return ending
    return "\n"


def _closed_lines(lines: Sequence[str], end: str) -> list[str]:
    if lines and not _line_ending(lines[-1]):
        return [*lines[:-1], lines[-1] + end]
    return list(lines)


def _marker_lines(text: str) -> list[tuple[int, str]]:
    return [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if _MARKER_LINE.fullmatch(line)
    ]


def unresolved_markers(text: str, *, sources: Iterable[str] = ()) -> list[tuple[int, str]]:
    """Lines of `text` that are conflict markers left behind, as ``(line number, line)``.

    A marker-shaped line counts only beyond the number of times any of `sources` (the texts that
    were merged) already has it, so a card that really contains such a line (a setext heading
    underlined with exactly seven ``=``) can still be edited; the lines reported are those inside a
    ``<<<<<<<`` ... ``>>>>>>>`` block first.
    """
    found = _marker_lines(text)
    if not found:
        return []
    allowed: Counter = Counter()
    for source in sources:
        allowed |= Counter(line for _, line in _marker_lines(source))
    excess = Counter(line for _, line in found) - allowed
    inside, opened = set(), None
    for index, (_, line) in enumerate(found):
        if line.startswith(CONFLICT_START):
            opened = index
        elif line.startswith(CONFLICT_END) and opened is not None:
            inside.update(number for number, _ in found[opened : index + 1])
            opened = None
    left = []
    for number, line in sorted(found, key=lambda item: (item[0] not in inside, item[0])):
        if excess[line]:
            excess[line] -= 1
            left.append((number, line))
    return sorted(left)


def merge3(base: str, ours: str, theirs: str) -> MergeResult:
    """Three-way line merge of ``ours`` (the published text) and ``theirs`` (a suggestion on ``base``).

    A stretch changed on one side only takes that change; a stretch changed identically on
    both sides takes it once; stretches that both sides changed differently, including
    changes that merely touch, are conflicts. No change on either side is ever dropped, and
    every line keeps its exact line ending, including a missing final newline.
    """
    base_lines = base.splitlines(keepends=True)
    ours_lines = ours.splitlines(keepends=True)
    theirs_lines = theirs.splitlines(keepends=True)
    base_ids, ours_ids, theirs_ids = _as_ids(base_lines, ours_lines, theirs_lines)

    # Stable stretches: base lines that both sides kept, found by intersecting the runs of
    # each side's match against base. Whatever lies between them was changed by someone.
    with_ours = _matching_blocks(base_ids, ours_ids)
    with_theirs = _matching_blocks(base_ids, theirs_ids)
    stable = []
    x = y = 0
    while x < len(with_ours) and y < len(with_theirs):
        base_o, ours_at, size_o = with_ours[x]
        base_t, theirs_at, size_t = with_theirs[y]
        low, high = max(base_o, base_t), min(base_o + size_o, base_t + size_t)
        if low < high:
            stable.append((low, high, ours_at + low - base_o, theirs_at + low - base_t))
        if base_o + size_o < base_t + size_t:
            x += 1
        else:
            y += 1
    stable.append((len(base_lines), len(base_lines), len(ours_lines), len(theirs_lines)))

    regions: list[MergeRegion] = []
    clean: list[str] = []
    at_base = at_ours = at_theirs = 0
    for low, high, ours_at, theirs_at in stable:
        base_part = base_ids[at_base:low]
        ours_part = ours_ids[at_ours:ours_at]
        theirs_part = theirs_ids[at_theirs:theirs_at]
        if ours_part == base_part or ours_part == theirs_part:
            clean.extend(theirs_lines[at_theirs:theirs_at])
        elif theirs_part == base_part:
            clean.extend(ours_lines[at_ours:ours_at])
        else:
            if clean:
                regions.append(MergeRegion("clean", lines=tuple(clean)))
                clean = []
            regions.append(
                MergeRegion(
                    "conflict",
                    base=tuple(base_lines[at_base:low]),
                    ours=tuple(ours_lines[at_ours:ours_at]),
                    theirs=tuple(theirs_lines[at_theirs:theirs_at]),
                )
            )
        clean.extend(base_lines[low:high])
        at_base, at_ours, at_theirs = high, ours_at + high - low, theirs_at + high - low
    if clean:
        regions.append(MergeRegion("clean", lines=tuple(clean)))
    return MergeResult(regions=tuple(regions))


def carry_line_origins(old: str, new: str, old_origins: Sequence[int], new_origin: int) -> list[int]:
    """Blame, one step: each line of `new` keeps its origin if unchanged from `old`, else `new_origin`.

    `old_origins` has one entry per line of `old` (the version that last changed it). Applying
    this at every write keeps a card's blame current at the cost of one diff per version.
    """
    old_lines, new_lines = old.splitlines(), new.splitlines()
    if len(old_origins) != len(old_lines):
        old_origins = [new_origin] * len(old_lines)
    origins = [new_origin] * len(new_lines)
    for i, j, size in _matching_blocks(*_as_ids(old_lines, new_lines)):
        origins[j : j + size] = old_origins[i : i + size]
    return origins


# --------------------------------------------------------------------------------------
# Cached by content, like rendered Markdown: a suggestion's page shows the same diffs and
# merge on every visit, so each distinct set of texts is computed once.

CACHE_FORMAT = "3"  # bump when the shape of ReadmeDiff, TextDiff or MergeResult changes
CACHE_SECONDS = 60 * 60 * 24 * 7


def _content_key(kind: str, *texts: str) -> str:
    digest = hashlib.sha256()
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big") + data)
    return f"modelcards:{kind}:{CACHE_FORMAT}:{digest.hexdigest()}"


def _cached(kind: str, compute, *texts: str):
    from django.core.cache import cache  # imported here so the algorithms above need no Django

    key = _content_key(kind, *texts)
    result = cache.get(key)
    if result is None:
        result = compute(*texts)
        cache.set(key, result, CACHE_SECONDS)
    return result


def cached_diff_texts(old: str, new: str) -> ReadmeDiff:
    """`diff_texts(old, new)` of two README.md files, computed once per pair of texts."""
    return _cached("textdiff", _readme_diff, old, new)


def _readme_diff(old: str, new: str) -> ReadmeDiff:
    from .cardfile import replace_body  # the card format needs Django's settings; see _cached

    lines = diff_texts(old, new)
    return ReadmeDiff(
        **{field.name: getattr(lines, field.name) for field in fields(lines)},
        old_front_matter=replace_body(old, ""),  # everything before the body
        new_front_matter=replace_body(new, ""),
    )


def _metadata_diff(old_front_matter: str, new_front_matter: str) -> MetadataDiff:
    from .cardfile import metadata_for_editing

    old, new = metadata_for_editing(old_front_matter), metadata_for_editing(new_front_matter)
    if old is None or new is None:
        return MetadataDiff(readable=False)
    return diff_metadata(old, new)


def cached_merge3(base: str, ours: str, theirs: str) -> MergeResult:
    """`merge3(base, ours, theirs)` computed once per distinct triple of texts."""
    return _cached("merge3", merge3, base, ours, theirs)


# Conflict markers the Hub sync writes inside the front matter, commented so the YAML stays valid
# (modelcards/hub/sync.py); accepting a suggestion refuses them as it refuses git-style ones.
FRONT_MATTER_MARK = "# "
_COMMENTED_MARKER = re.compile(rf"^# ({CONFLICT_START}|{CONFLICT_SEPARATOR}|{CONFLICT_END})( |$)")


def upstream_markers(text: str, *, current_text: str) -> list[tuple[int, str]]:
    """Conflict markers left in an upstream suggestion's `text`: git-style ones not in the current card,
    and the commented ones `marked_text` writes in the front matter."""
    found = unresolved_markers(text, sources=(current_text,))
    commented = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if _COMMENTED_MARKER.match(line) and line not in current_text.splitlines()
    ]
    return sorted(set(found) | set(commented))
