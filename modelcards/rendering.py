"""Markdown -> sanitised HTML for model cards: the one place in the codebase that calls mark_safe."""

from __future__ import annotations

import functools
import hashlib
import html
import logging
import re
import secrets
import time
import unicodedata
import urllib.parse
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from types import MappingProxyType

import bleach
import markdown
from bleach.html5lib_shim import Filter
from django.conf import settings
from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

logger = logging.getLogger(__name__)

# Bump whenever a change here changes the HTML produced for some text: cached renders carry it in their key.
RENDERER_VERSION = "4"
CACHE_TIMEOUT = 60 * 60 * 24 * 30
TOO_SLOW_CACHE_TIMEOUT = 60 * 60 * 24

# --- What the sanitiser lets through -----------------------------------------------------------------

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl", "dt",
        "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p",
        "pre", "q", "s", "samp", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "ul",
    }
)  # fmt: skip

_HEADING_ATTRIBUTES = frozenset({"id", "align"})
_CELL_ATTRIBUTES = frozenset({"align", "colspan", "rowspan"})
ALLOWED_ATTRIBUTES = MappingProxyType(
    {
        "a": frozenset({"href", "title", "class"}),
        "abbr": frozenset({"title"}),
        "code": frozenset({"class"}),
        "details": frozenset({"open"}),
        "div": frozenset({"class", "align"}),
        "h1": _HEADING_ATTRIBUTES,
        "h2": _HEADING_ATTRIBUTES,
        "h3": _HEADING_ATTRIBUTES,
        "h4": _HEADING_ATTRIBUTES,
        "h5": _HEADING_ATTRIBUTES,
        "h6": _HEADING_ATTRIBUTES,
        "img": frozenset({"src", "alt", "title", "width", "height", "align", "loading", "referrerpolicy"}),
        "li": frozenset({"id"}),
        "ol": frozenset({"start"}),
        "p": frozenset({"align"}),
        "sup": frozenset({"id"}),
        "td": _CELL_ATTRIBUTES,
        "th": _CELL_ATTRIBUTES,
    }
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
URL_ATTRIBUTES = frozenset({"href", "src"})

# Headings get Python-Markdown's slug behind this prefix, so no user-chosen id can shadow a DOM global
# (window.location, document.cookie, ...) or one of the page's own ids.
HEADING_ID_PREFIX = "h-"

_ALIGN = re.compile(r"left|center|right")
_SPAN = re.compile(r"[1-9][0-9]?")
_FOOTNOTE_ID = r":[^\"'<>&\x00-\x1f]{1,100}"
_HEADING_ID = re.compile(re.escape(HEADING_ID_PREFIX) + r"[\w-]*")
# Attribute values, when constrained, must match the whole pattern. Footnote ids and classes are the
# exact shapes Python-Markdown's footnotes extension writes.
ATTRIBUTE_VALUE_PATTERNS = MappingProxyType(
    {
        **{(f"h{level}", "id"): _HEADING_ID for level in range(1, 7)},
        **{(f"h{level}", "align"): _ALIGN for level in range(1, 7)},
        ("a", "class"): re.compile(r"footnote-ref|footnote-backref"),
        ("code", "class"): re.compile(r"language-[\w#+.-]{1,40}"),
        ("details", "open"): re.compile(r"(open)?"),
        ("div", "class"): re.compile(r"footnote"),
        ("div", "align"): _ALIGN,
        ("img", "width"): re.compile(r"[0-9]{1,4}%?"),
        ("img", "height"): re.compile(r"[0-9]{1,4}%?"),
        ("img", "align"): _ALIGN,
        ("img", "loading"): re.compile(r"lazy"),  # _ImageFilter sets both on every image anyway
        ("img", "referrerpolicy"): re.compile(r"no-referrer"),
        ("li", "id"): re.compile("fn" + _FOOTNOTE_ID),
        ("ol", "start"): re.compile(r"[0-9]{1,9}"),
        ("p", "align"): _ALIGN,
        ("sup", "id"): re.compile("fnref[0-9]{0,6}" + _FOOTNOTE_ID),
        ("td", "align"): _ALIGN,
        ("td", "colspan"): _SPAN,
        ("td", "rowspan"): _SPAN,
        ("th", "align"): _ALIGN,
        ("th", "colspan"): _SPAN,
        ("th", "rowspan"): _SPAN,
    }
)
LINK_REL = "nofollow ugc noopener"
# Each image from another site is a request the reader's browser makes to it. Past this many in one
# text, the rest are shown as links: a card cannot make a page fetch hundreds of images (or tell
# hundreds of hosts who reads it).
MAX_REMOTE_IMAGES = 20

# --- Limits that keep rendering fast -----------------------------------------------------------------

MAX_LINE_CHARS = 20_000
MAX_NESTING = 50  # lists and block quotes inside each other
MAX_HTML_NESTING = 100  # raw HTML elements left open inside each other
MAX_TABLE_CELLS = 20_000
MAX_FENCES = 1_000  # lines that open or close a fenced code block
MAX_FENCE_RESCAN = 5_000_000
MAX_HEADINGS = 2_000
MAX_BLOCKS = 30_000  # paragraphs, list items and other blocks
# Python-Markdown re-reads a block from the split point each time it finds a heading or a rule inside it,
# re-reads to the end of a paragraph for every unclosed "[", and re-reads to the next ">" for every
# unclosed "<tag". These budgets bound that re-reading, in characters; past them rendering turns slow.
MAX_BLOCK_RESCAN = 20_000_000
MAX_BRACKET_RESCAN = 3_000_000
MAX_TAG_RESCAN = 10_000_000
# Each inline element (emphasis, code, link, tag, entity, escape) makes Python-Markdown copy the rest of its
# paragraph: the budget for inline elements times paragraph length, summed over paragraphs.
MAX_INLINE_RESCAN = 2_000_000_000
MAX_INLINE_ELEMENTS = 50_000
MAX_LINE_RESCAN = 100_000_000  # the same, inline elements times line length, over lines of 2,000+
# What showing a text costs, in units of about one short paragraph's rendering (some 0.1 ms of CPU),
# measured by profiling each construct at scale: Python-Markdown and the sanitiser spend most on block
# structure, table cells, links and tags. A text may need at most MAX_RENDER_WORK units, so the largest
# accepted text of any shape renders in well under a second (`python -m bench.worst_case` checks it).
MAX_RENDER_WORK = 8_000
WORK_PER_BLOCK = 1.0  # a paragraph, quote or other blank-line-separated block
WORK_PER_BLOCK_LEVEL = 1.0  # for each quote or list a block or list item is in: each level parses it again
WORK_PER_LIST_ITEM = 2.0
WORK_PER_HEADING = 1.0  # on top of its block: ids, contents entry, section marker
WORK_PER_TABLE = 4.0
WORK_PER_TABLE_CELL = 2.0
WORK_PER_LINK = 2.5  # "[": a link, image or footnote mark, the costliest element to sanitise
WORK_PER_TAG = 1.5  # "<" starting an HTML tag, comment or autolink
WORK_PER_FORMATTING = 0.5  # any other inline mark: emphasis, code, entity, escape
WORK_PER_LINE_BREAK = 1.0  # a hard line break (two spaces at a line's end)
WORK_PER_FOOTNOTE = 4.0  # on top of its "[": Python-Markdown orders footnotes in quadratic time
WORK_PER_KB = 4.0
# CPU-time budget for one render, checked as Markdown and the sanitiser go: the safety net behind the
# checks above, for a shape they do not foresee (accepted text needs well under half of it). Its refusal
# is cached like the others, for a day, so even such a shape is paid once.
RENDER_SECONDS = 2.0


class MarkdownRefused(ValueError):
    """Raised with a user-facing message when text is too pathological to render safely."""


@dataclass(frozen=True)
class TocEntry:
    """A heading for the table of contents; the title is plain text, for the template to escape."""

    level: int
    id: str
    title: str


@dataclass(frozen=True)
class RenderedMarkdown:
    """Sanitised HTML, safe to put in a template, and the h1-h3 headings in order for a contents list."""

    html: SafeString
    toc: tuple[TocEntry, ...]


# --- Cheap pre-checks ---------------------------------------------------------------------------------

_BLANK_LINE = re.compile(r"(?<=\n)[ \t]*\n")
_NESTING_CANDIDATE = re.compile(rf"^[ \t>*+\-0-9.)]{{{MAX_NESTING + 1},}}", re.MULTILINE)
_CONTAINER_PREFIX = re.compile(r"(?:[ \t]*+(?:>|[*+-](?=[ \t]|$)|[0-9]{1,9}[.)](?=[ \t]|$)))*")
_CONTAINER_MARKER = re.compile(r">|[*+-]|[0-9]{1,9}[.)]")
_WHITESPACE_RUN = re.compile(r"[ \t]+")
_FENCE_OPENER = re.compile(r"(`{3,}|~{3,})[ ]*+(?:\{.*\}|\.?[\w#.+-]*[ ]*(?:hl_lines=(\"|').*?\2[ ]*)?)")
_HEADING_LINE = re.compile(r"^(?:#|(?<=[^\n]\n)[ ]{0,3}(?:=+|-+)[ \t]*$)", re.MULTILINE)
_LIST_ITEM_LINE = re.compile(r"^[ \t>]*(?:[*+-]|[0-9]{1,9}[.)])[ \t]", re.MULTILINE)
_FENCE_LINE = re.compile(r"^(?:```|~~~)[^\n]*", re.MULTILINE)
_LONG_LINE = re.compile(r"^[^\n]{2001,}", re.MULTILINE)
_INLINE_MARKUP = re.compile(r"[*_\[<&\\]|`+|  \n")
_BLOCK_SPLIT_LINE = re.compile(r"^(?:#|[ ]{0,3}(?:(?:[-*_][ \t]*){3,}|=+[ \t]*|-+[ \t]*)$)", re.MULTILINE)
_TABLE_SEPARATOR = re.compile(r"^[ \t>]*+(?=[^\n]*\|)(?=[^\n]*-)[ \t|:-]+$", re.MULTILINE)
_BRACKET = re.compile(r"[\[\]()]")
_ANGLE = re.compile(r"<!\[|<[A-Za-z/!?]|\]\]>|>")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
_TAG_START = re.compile(r"<[A-Za-z/!?]")
_FOOTNOTE_MARK = re.compile(r"\[\^")
# The sanitiser drops other tags before its parser builds anything, so only these can nest; the rest of
# ALLOWED_TAGS are void or closed by their next sibling.
_NESTING_TAGS = ALLOWED_TAGS - {"br", "hr", "img", "p", "li", "dt", "dd", "td", "th", "tr", "thead", "tbody"}


def check_renderable(text: str) -> None:
    """Refuse, with a message for the author, text too large or too convoluted to render quickly.

    Text renders when it has at most ``settings.MODELCARDS_MAX_CARD_BYTES`` of UTF-8, no line over
    MAX_LINE_CHARS, lists and quotes nested at most MAX_NESTING deep, allowed HTML tags left open at
    most MAX_HTML_NESTING deep, at most MAX_TABLE_CELLS table cells, MAX_FENCES fence lines,
    MAX_HEADINGS headings, MAX_BLOCKS paragraphs and list items and MAX_INLINE_ELEMENTS pieces of
    inline formatting, and stays within the re-reading budgets (MAX_*_RESCAN) that unclosed
    brackets, tags and fences and crowded blocks, paragraphs and lines cost Python-Markdown; and, all
    of these together, it needs at most MAX_RENDER_WORK units of rendering work (see `RenderWork`).
    Fenced code counts only towards size, line length and fences. Each check is linear in the text's
    size.
    """
    render_work(text)


def render_work(text: str) -> RenderWork:
    """What rendering `text` would cost, once check_renderable's checks pass (else MarkdownRefused)."""
    if not isinstance(text, str):
        raise TypeError(f"Markdown must be str, not {type(text).__name__}")
    _check_size(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    _check_line_lengths(lines)
    in_code = _check_fences(text)
    _check_nesting(text, lines, in_code)
    # Python-Markdown sets fenced code aside before anything else, so the other checks skip it.
    if in_code:
        text = "\n".join("" if number in in_code else line for number, line in enumerate(lines))
    block_starts = [0, *(match.end() for match in _BLANK_LINE.finditer(text))]
    _check_block_splits(text, block_starts)
    tables, cells = _check_tables(text, block_starts)
    blocks, list_items, headings = _check_block_count(text, block_starts)
    formatting = _check_inline_density(text, block_starts)
    _check_brackets(text, block_starts)
    _check_html(text)
    links, tags, line_breaks = text.count("["), len(_TAG_START.findall(text)), text.count("  \n")
    work = RenderWork(
        blocks=blocks,
        block_levels=sum(_nesting_depth(_line_at(text, start)) for start in block_starts)
        + sum(
            max(_nesting_depth(_line_at(text, item.start())) - 1, 0)
            for item in _LIST_ITEM_LINE.finditer(text)
        ),
        list_items=list_items,
        headings=headings,
        tables=tables,
        table_cells=cells,
        links=links,
        tags=tags,
        other_formatting=max(formatting - links - tags - line_breaks, 0),
        line_breaks=line_breaks,
        footnotes=len(_FOOTNOTE_MARK.findall(text)),
        size=len(text),
    )
    if work.units > MAX_RENDER_WORK:
        raise MarkdownRefused(
            f"The text is too large to show quickly: {work.described()} count {work.units:,.0f} units of "
            f"rendering work, and the limit is {MAX_RENDER_WORK:,}. Shorten it, or link to a long table "
            "or list kept elsewhere."
        )
    return work


@dataclass(frozen=True)
class RenderWork:
    """What a text holds that costs time to render, and the units of work it adds up to.

    A paragraph or other block counts 1 and a list item 2, each 1 more for every quote or list it is
    nested in; a heading 1 more than its block; a table 4 and each of its cells 2; a "[" (link,
    image or footnote mark) 2.5, and a footnote mark 4 more; a "<" starting an HTML tag or autolink
    1.5; a hard line break 1; any other inline mark 0.5; and every kilobyte 4 (see WORK_PER_*).
    """

    blocks: int = 0
    block_levels: int = 0
    list_items: int = 0
    headings: int = 0
    tables: int = 0
    table_cells: int = 0
    links: int = 0
    tags: int = 0
    other_formatting: int = 0
    line_breaks: int = 0
    footnotes: int = 0
    size: int = 0

    @property
    def units(self) -> float:
        return (
            self.blocks * WORK_PER_BLOCK
            + self.block_levels * WORK_PER_BLOCK_LEVEL
            + self.list_items * WORK_PER_LIST_ITEM
            + self.headings * WORK_PER_HEADING
            + self.tables * WORK_PER_TABLE
            + self.table_cells * WORK_PER_TABLE_CELL
            + self.links * WORK_PER_LINK
            + self.tags * WORK_PER_TAG
            + self.other_formatting * WORK_PER_FORMATTING
            + self.line_breaks * WORK_PER_LINE_BREAK
            + self.footnotes * WORK_PER_FOOTNOTE
            + self.size / 1024 * WORK_PER_KB
        )

    def described(self) -> str:
        """The parts that count, largest first, as a reader would name them."""
        parts = [
            (self.blocks * WORK_PER_BLOCK, f"{self.blocks:,} paragraphs and other blocks"),
            (
                self.block_levels * WORK_PER_BLOCK_LEVEL,
                f"{self.block_levels:,} levels of nested quotes and lists",
            ),
            (self.list_items * WORK_PER_LIST_ITEM, f"{self.list_items:,} list items"),
            (self.headings * WORK_PER_HEADING, f"{self.headings:,} headings"),
            (
                self.tables * WORK_PER_TABLE + self.table_cells * WORK_PER_TABLE_CELL,
                f"{self.table_cells:,} table cells",
            ),
            (self.links * WORK_PER_LINK, f"{self.links:,} links, images and footnote marks"),
            (self.tags * WORK_PER_TAG, f"{self.tags:,} HTML tags and autolinks"),
            (self.footnotes * WORK_PER_FOOTNOTE, f"{self.footnotes:,} footnote marks"),
            (self.line_breaks * WORK_PER_LINE_BREAK, f"{self.line_breaks:,} hard line breaks"),
            (self.other_formatting * WORK_PER_FORMATTING, f"{self.other_formatting:,} other marks"),
            (self.size / 1024 * WORK_PER_KB, f"{self.size / 1024:,.0f} KB of text"),
        ]
        named = [name for units, name in sorted(parts, key=lambda part: -part[0]) if units >= 1]
        return "its " + (", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0])


def _line_at(text: str, position: int) -> str:
    end = text.find("\n", position)
    return text[position:] if end < 0 else text[position:end]


def _line_number(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _check_size(text: str) -> None:
    limit = settings.MODELCARDS_MAX_CARD_BYTES
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise MarkdownRefused(f"The text is {size / 1024:,.0f} KB; the limit is {limit / 1024:,.0f} KB.")


def _check_line_lengths(lines: list[str]) -> None:
    if max(map(len, lines), default=0) <= MAX_LINE_CHARS:
        return
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_LINE_CHARS:
            raise MarkdownRefused(
                f"Line {number} is {len(line):,} characters long; the limit is {MAX_LINE_CHARS:,}. "
                "Break it into shorter lines."
            )


def _nesting_depth(line: str) -> int:
    """Quote and list markers starting the line, plus one level per four columns of indentation
    among them (indentation alone is code, not nesting)."""
    prefix = _CONTAINER_PREFIX.match(line).group()
    markers = len(_CONTAINER_MARKER.findall(prefix))
    if not markers:
        return 0
    return markers + sum(len(run.expandtabs(4)) // 4 for run in _WHITESPACE_RUN.findall(prefix))


def _check_nesting(text: str, lines: list[str], in_code: set[int]) -> None:
    candidates = []
    number, counted_to = 1, 0
    for match in _NESTING_CANDIDATE.finditer(text):
        number += text.count("\n", counted_to, match.start())
        counted_to = match.start()
        candidates.append(number)
    for number in candidates:
        if number - 1 in in_code:
            continue
        depth = _nesting_depth(lines[number - 1])
        if depth > MAX_NESTING:
            raise MarkdownRefused(
                f"The text nests lists or quotes {depth} levels deep (line {number}); "
                f"the limit is {MAX_NESTING}."
            )


def _check_block_splits(text: str, block_starts: list[int]) -> None:
    per_block: dict[int, int] = defaultdict(int)
    for match in _BLOCK_SPLIT_LINE.finditer(text):
        per_block[bisect_right(block_starts, match.start()) - 1] += 1
    for block, count in per_block.items():
        start = block_starts[block]
        end = block_starts[block + 1] if block + 1 < len(block_starts) else len(text)
        if count > 1 and count * (end - start) > MAX_BLOCK_RESCAN:
            raise MarkdownRefused(
                f"The block starting at line {_line_number(text, start)} holds {count} headings or rules "
                "with no blank lines between them; put a blank line before and after each heading and rule."
            )


def _check_tables(text: str, block_starts: list[int]) -> tuple[int, int]:
    """Refuse too many table cells; return the number of tables and of cells they show."""
    tables: dict[int, tuple[int, int]] = {}
    for match in _TABLE_SEPARATOR.finditer(text):
        block = bisect_right(block_starts, match.start()) - 1
        columns = match.group().strip(" \t>").strip("|").count("|") + 1
        first, widest = tables.get(block, (match.start(), 0))
        tables[block] = (first, max(widest, columns))
    cells = shown = 0
    for block, (first, columns) in tables.items():
        end = block_starts[block + 1] if block + 1 < len(block_starts) else len(text)
        cells += columns * (text.count("\n", first, end) + 2)
        # The header row above the separator and each row below it, not the blank lines after.
        shown += columns * (text[first:end].rstrip("\n").count("\n") + 1)
    if cells > MAX_TABLE_CELLS:
        raise MarkdownRefused(f"The tables have about {cells:,} cells; the limit is {MAX_TABLE_CELLS:,}.")
    return len(tables), shown


def _check_fences(text: str) -> set[int]:
    """Refuse too many fences, or unclosed ones; return the numbers (0-based) of fenced code lines.

    Fences pair up as Python-Markdown pairs them: an opening line, then the next line that is the
    same run of backticks or tildes alone. Its search re-reads everything after each line that
    starts with a fence but does not open a closed block, so those lines cost the rest of the text.
    """
    fences: list[tuple[int, int, str]] = []
    number = counted_to = 0
    for match in _FENCE_LINE.finditer(text):
        number += text.count("\n", counted_to, match.start())
        counted_to = match.start()
        fences.append((number, match.start(), match.group()))
    offset = len(text) + 1
    if len(fences) > MAX_FENCES:
        raise MarkdownRefused(f"The text has {len(fences):,} code fences; the limit is {MAX_FENCES:,}.")
    next_same: dict[int, int] = {}
    last_seen: dict[str, int] = {}
    for index in range(len(fences) - 1, -1, -1):
        line = fences[index][2]
        run = line[: len(line) - len(line.lstrip(line[0]))]
        if run in last_seen:
            next_same[index] = last_seen[run]
        last_seen[line.rstrip(" ")] = index
    in_code: set[int] = set()
    rescan = 0
    index = 0
    while index < len(fences):
        number, position, line = fences[index]
        closing = next_same.get(index)
        if closing is not None and _FENCE_OPENER.fullmatch(line):
            in_code.update(range(number, fences[closing][0] + 1))
            index = closing + 1
            continue
        rescan += offset - position
        index += 1
    if rescan > MAX_FENCE_RESCAN:
        raise MarkdownRefused(
            "The text has code fences (``` or ~~~) that are never closed; close each one with a line "
            "holding the same fence."
        )
    return in_code


def _check_block_count(text: str, block_starts: list[int]) -> tuple[int, int, int]:
    """The numbers of blocks, list items and headings, refused past their own limits."""
    headings = len(_HEADING_LINE.findall(text))
    if headings > MAX_HEADINGS:
        raise MarkdownRefused(f"The text has {headings:,} headings; the limit is {MAX_HEADINGS:,}.")
    list_items = len(_LIST_ITEM_LINE.findall(text))
    blocks = len(block_starts) + list_items
    if blocks > MAX_BLOCKS:
        raise MarkdownRefused(
            f"The text has about {blocks:,} paragraphs and list items; the limit is {MAX_BLOCKS:,}."
        )
    return len(block_starts), list_items, headings


def _check_inline_density(text: str, block_starts: list[int]) -> int:
    elements = len(_INLINE_MARKUP.findall(text))
    if elements > MAX_INLINE_ELEMENTS:
        raise MarkdownRefused(
            f"The text has about {elements:,} pieces of formatting (emphasis, code, links, tags, entities); "
            f"the limit is {MAX_INLINE_ELEMENTS:,}."
        )
    # Each element also makes the patterns re-read the rest of its line.
    line_rescan = 0
    for line in _LONG_LINE.finditer(text):
        line_rescan += len(_INLINE_MARKUP.findall(line.group())) * len(line.group())
        if line_rescan > MAX_LINE_RESCAN:
            raise MarkdownRefused(
                f"Line {_line_number(text, line.start())} is long and dense with formatting; break it into "
                "shorter lines."
            )
    # A block of n characters holds at most n inline elements, so only blocks longer than the square
    # root of the budget can exceed it; counting just those keeps the check linear.
    shortest_risky = int(MAX_INLINE_RESCAN**0.5)
    ends = [*block_starts[1:], len(text)]
    for start, end in zip(block_starts, ends, strict=True):
        if end - start <= shortest_risky:
            continue
        in_block = len(_INLINE_MARKUP.findall(text, start, end))
        if in_block * (end - start) > MAX_INLINE_RESCAN:
            raise MarkdownRefused(
                f"The paragraph starting at line {_line_number(text, start)} is {end - start:,} characters "
                f"long with {in_block:,} pieces of formatting; split it with blank lines."
            )
    return elements


def _check_brackets(text: str, block_starts: list[int]) -> None:
    """Estimate what unclosed "[" and "](" cost: each is re-read up to its partner or its block's end."""
    rescan = 0
    brackets: list[int] = []
    parens: list[tuple[int, bool]] = []
    boundaries = iter([*block_starts[1:], len(text) + 1])
    block_end = next(boundaries)
    for match in _BRACKET.finditer(text):
        position = match.start()
        if position >= block_end:
            rescan += _pending_cost(brackets, block_end) + _pending_cost(
                [start for start, is_link in parens if is_link], block_end
            )
            brackets.clear()
            parens.clear()
            while position >= block_end:
                block_end = next(boundaries)
        char = match.group()
        if _escaped(text, position):
            continue
        if char == "[":
            brackets.append(position)
        elif char == "]":
            if brackets:
                rescan += position - brackets.pop()
        elif char == "(":
            parens.append((position, position > 0 and text[position - 1] == "]"))
        elif parens:
            start, is_link = parens.pop()
            if is_link:
                rescan += position - start
        if rescan > MAX_BRACKET_RESCAN:
            raise MarkdownRefused(
                f"Near line {_line_number(text, position)} there are too many unclosed brackets ([ or ]( ) "
                "to render quickly; close them, or escape a bracket you mean literally as \\[."
            )
    end = len(text)
    rescan += _pending_cost(brackets, end) + _pending_cost([s for s, is_link in parens if is_link], end)
    if rescan > MAX_BRACKET_RESCAN:
        raise MarkdownRefused(
            "The text has too many unclosed brackets ([ or ]( ) to render quickly; close them, or escape "
            "a bracket you mean literally as \\[."
        )


def _escaped(text: str, position: int) -> bool:
    """Whether an odd run of backslashes, which Markdown reads as an escape, comes just before."""
    run = 0
    while position > run and text[position - run - 1] == "\\":
        run += 1
    return run % 2 == 1


def _pending_cost(starts: list[int], end: int) -> int:
    return len(starts) * end - sum(starts)


def _check_html(text: str) -> None:
    """Refuse raw HTML that leaves many tags unterminated or open: both make the parsers slow."""
    rescan = 0
    tags_pending = tags_pending_sum = 0
    sections_pending = sections_pending_sum = 0
    for match in _ANGLE.finditer(text):
        found, position = match.group(), match.start()
        if found in (">", "]]>"):
            rescan += tags_pending * position - tags_pending_sum
            tags_pending = tags_pending_sum = 0
            if found == "]]>":
                # A "<![CDATA[" costs about ten times as much per character re-read as a tag.
                rescan += 10 * (sections_pending * position - sections_pending_sum)
                sections_pending = sections_pending_sum = 0
        elif found == "<![":
            sections_pending += 1
            sections_pending_sum += position
        else:
            tags_pending += 1
            tags_pending_sum += position
    end = len(text)
    rescan += tags_pending * end - tags_pending_sum + 10 * (sections_pending * end - sections_pending_sum)
    if rescan > MAX_TAG_RESCAN:
        raise MarkdownRefused(
            "The text has too many unclosed '<' tags to render quickly; close each tag with '>', or write "
            "a literal '<' as &lt;."
        )

    open_by_name: dict[str, int] = defaultdict(int)
    depth = deepest = 0
    for match in _TAG.finditer(text):
        name = match.group(2).lower()
        if name not in _NESTING_TAGS:
            continue
        if match.group(1):
            if open_by_name[name]:
                open_by_name[name] -= 1
                depth -= 1
        else:
            open_by_name[name] += 1
            depth += 1
            deepest = max(deepest, depth)
    if deepest > MAX_HTML_NESTING:
        raise MarkdownRefused(
            f"The text leaves about {deepest} HTML tags open inside each other; the limit is "
            f"{MAX_HTML_NESTING}. Close the tags you open."
        )


# --- Rendering ----------------------------------------------------------------------------------------

SECTION_MARKER_ATTRIBUTE = "data-mcc-section"


def _heading_slug(value: str, separator: str) -> str:
    return HEADING_ID_PREFIX + slugify_unicode(value, separator)


class _SectionMarker(Treeprocessor):
    """Tag each <h2> Markdown produced, in document order, with an unguessable per-render marker.

    Raw HTML is still stashed away at this point, so a literal <h2> is never an element here. Footnote
    definitions are skipped: the footnotes extension moves them to the end of the document.
    """

    def __init__(self, md: markdown.Markdown, nonce: str | None):
        super().__init__(md)
        self.nonce = nonce
        self.heading_ids: list[str] = []

    def run(self, root):
        pending = list(reversed(root))
        while pending:
            element = pending.pop()
            if element.tag == "div" and element.get("class") == "footnote":
                continue
            if element.tag == "h2":
                self.heading_ids.append(element.get("id", ""))
                if self.nonce:
                    element.set(SECTION_MARKER_ATTRIBUTE, f"{self.nonce}-{len(self.heading_ids)}")
            pending.extend(reversed(element))


_PLACEHOLDER = re.compile("\x02[^\x03]*\x03")


class _TitleDropper(Treeprocessor):
    """Remove the text's title, its first level-1 heading with visible text (as `CardFile.title` finds
    it), for a page whose own <h1> already shows it. Runs before the contents list is made."""

    def run(self, root):
        pending = [(root, child) for child in reversed(root)]
        while pending:
            parent, element = pending.pop()
            if element.tag == "h1" and _PLACEHOLDER.sub("", "".join(element.itertext())).strip():
                parent.remove(element)
                return
            pending.extend((element, child) for child in reversed(element))


class _ModelCardExtension(Extension):
    """Our hooks into Python-Markdown: section markers, the title left to the page, deadline checks."""

    def __init__(self, nonce: str | None, deadline: _Deadline, *, drop_title: bool = False):
        super().__init__()
        self.nonce = nonce
        self.deadline = deadline
        self.drop_title = drop_title
        self.sections: _SectionMarker | None = None

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's hook name
        self.sections = _SectionMarker(md, self.nonce)
        # Priority 4 runs after the toc treeprocessor (5), so the headings already carry their ids.
        md.treeprocessors.register(self.sections, "modelcards_sections", 4)
        if self.drop_title:  # after the inline patterns (20), before the contents list (5)
            md.treeprocessors.register(_TitleDropper(md), "modelcards_drop_title", 6)
        md.parser.blockprocessors.register(_DeadlineBlockCheck(md.parser, self.deadline), "deadline", 1000)
        md.inlinePatterns.register(_DeadlineInlineCheck(self.deadline), "deadline", 1000)


def _is_safe_url(value: str) -> bool:
    """A URL is safe when, read the way a browser reads it, it is relative or uses an allowed scheme."""
    decoded = html.unescape(value)
    # Browsers drop ASCII tab and newline anywhere and control characters and spaces at the ends.
    squeezed = re.sub(r"[\x00-\x20\x7f-\x9f]+", "", decoded)
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", squeezed)
    return scheme is None or scheme.group(1).lower() in ALLOWED_PROTOCOLS


def _attribute_allowed(tag: str, name: str, value: str, *, section_marker: re.Pattern | None) -> bool:
    if section_marker is not None and tag == "h2" and name == SECTION_MARKER_ATTRIBUTE:
        return section_marker.fullmatch(value) is not None
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    if name in URL_ATTRIBUTES:
        return _is_safe_url(value)
    pattern = ATTRIBUTE_VALUE_PATTERNS.get((tag, name))
    return pattern is None or pattern.fullmatch(value) is not None


class _LinkRelFilter(Filter):
    """Give every surviving link rel="nofollow ugc noopener", replacing whatever rel it had.

    It sees every token on the way to the serialiser, so it also checks the render deadline now and then.
    """

    def __init__(self, source, *, deadline: _Deadline):
        super().__init__(source)
        self.deadline = deadline

    def __iter__(self):
        for count, token in enumerate(super().__iter__()):
            if count % 1000 == 0:
                self.deadline.check()
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                token["data"][(None, "rel")] = LINK_REL
            yield token


class _IdnHostFilter(Filter):
    """A link to an internationalised domain shows the host's ASCII (punycode) form after its text,
    e.g. "(xn--pypl-53dc.com)", and in its title: a look-alike host cannot pass for the real one."""

    def __iter__(self):
        open_links: list[str | None] = []
        for token in super().__iter__():
            kind, name = token["type"], token.get("name")
            if name == "a" and kind == "StartTag":
                host = _punycode_host(token["data"].get((None, "href"), ""))
                if host:
                    token["data"][(None, "title")] = f"Goes to {host}"
                open_links.append(host)
            yield token
            if name == "a" and kind == "EndTag" and open_links and (host := open_links.pop()):
                yield {"type": "Characters", "data": f" ({host})"}


def _punycode_host(url: str) -> str | None:
    """The ASCII form of the host `url` leads to, read as a browser reads it, when that host is
    internationalised (non-ASCII, or already punycode); None for other URLs."""
    squeezed = re.sub(r"[\x00-\x20\x7f-\x9f]+", "", html.unescape(url)).replace("\\", "/")
    try:
        host = urllib.parse.unquote(urllib.parse.urlsplit(squeezed).hostname or "")
    except ValueError:
        return None
    if host.isascii():
        return host if any(label.startswith("xn--") for label in host.split(".")) else None
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # labels IDNA 2003 refuses: encode each one as it stands
        labels = re.split(r"[.\u3002\uff0e\uff61]", unicodedata.normalize("NFKC", host).casefold())
        return ".".join(
            label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
            for label in labels
        )


class _ImageFilter(Filter):
    """Every image loads lazily and sends no Referer; past MAX_REMOTE_IMAGES images from other sites,
    each further one becomes a link to it (or, inside a link already, just its alt text)."""

    def __iter__(self):
        remote = 0
        open_links = 0
        for token in super().__iter__():
            kind, name = token["type"], token.get("name")
            if name == "a" and kind == "StartTag":
                open_links += 1
            elif name == "a" and kind == "EndTag":
                open_links = max(open_links - 1, 0)
            if name != "img" or kind not in ("StartTag", "EmptyTag"):
                yield token
                continue
            if _is_remote(token["data"].get((None, "src"), "")):
                remote += 1
                if remote > MAX_REMOTE_IMAGES:
                    yield from _image_as_link(token["data"], inside_link=open_links > 0)
                    continue
            token["data"][(None, "loading")] = "lazy"
            token["data"][(None, "referrerpolicy")] = "no-referrer"
            yield token


def _is_remote(url: str) -> bool:
    """Whether a browser would fetch `url` from another site: it names a scheme or starts with `//`.
    Read as a browser reads it (controls and spaces dropped, `\\` taken for `/`), erring towards remote."""
    squeezed = re.sub(r"[\x00-\x20\x7f-\x9f]+", "", url).replace("\\", "/")
    return squeezed.startswith("//") or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", squeezed) is not None


def _image_as_link(attributes: dict, *, inside_link: bool):
    label = (attributes.get((None, "alt")) or "").strip() or "image"
    if inside_link:
        yield {"type": "Characters", "data": label}
        return
    link = {
        (None, "href"): attributes[(None, "src")],
        (None, "rel"): LINK_REL,
        (None, "title"): f"Image not shown: a text shows at most {MAX_REMOTE_IMAGES} images from other sites",
    }
    yield {"type": "StartTag", "name": "a", "namespace": None, "data": link}
    yield {"type": "Characters", "data": label}
    yield {"type": "EndTag", "name": "a", "namespace": None}


class _TooSlow(Exception):
    pass


class _Deadline:
    """A budget of CPU time for one render, so that a busy server does not refuse ordinary text.

    The thread's CPU clock is slow to read, so it is only read once the cheap wall clock, which never
    runs behind it, says the budget may be spent; and on a busy machine, where the wall clock runs
    ahead, only again once as much wall time has passed as the budget has left.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.cpu_start = time.thread_time()
        self.next_look = time.monotonic() + seconds

    def check(self) -> None:
        now = time.monotonic()
        if now < self.next_look:
            return
        left = self.seconds - (time.thread_time() - self.cpu_start)
        if left < 0:
            raise _TooSlow
        self.next_look = now + left


class _DeadlineBlockCheck(BlockProcessor):
    """Checks the deadline each time Python-Markdown picks up a block; never handles one itself."""

    def __init__(self, parser, deadline: _Deadline):
        super().__init__(parser)
        self.deadline = deadline

    def test(self, parent, block) -> bool:
        self.deadline.check()
        return False

    def run(self, parent, blocks) -> bool:
        return False


class _DeadlineInlineCheck(InlineProcessor):
    """Checks the deadline each time Python-Markdown starts on a piece of inline text; matches nothing."""

    def __init__(self, deadline: _Deadline):
        super().__init__(r"(?!)")
        self.deadline = deadline

    def getCompiledRegExp(self):  # noqa: N802 - Python-Markdown's method name
        self.deadline.check()
        return super().getCompiledRegExp()


class _TimedMarkup(str):
    """Markup that html5lib reads in small pieces, checking a deadline before each piece.

    html5lib reads any source with a read() method as a stream; a str with one still passes bleach's
    type check. If a future bleach stops reading it this way, the deadline is merely not enforced.
    """

    _piece = 512

    def __new__(cls, value: str, deadline: _Deadline):
        instance = super().__new__(cls, value)
        instance._deadline = deadline
        instance._offset = 0
        return instance

    def read(self, size: int = -1) -> str:
        if size == 0:
            return ""
        self._deadline.check()
        piece = str.__getitem__(self, slice(self._offset, self._offset + self._piece))
        self._offset += len(piece)
        return piece


def _new_markdown(ours: _ModelCardExtension) -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["tables", "fenced_code", "footnotes", "toc", "sane_lists", ours],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "toc": {"marker": "", "toc_depth": 3, "slugify": _heading_slug},
        },
        output_format="html",
    )


def _toc_entries(tokens: list[dict]) -> list[TocEntry]:
    entries = []
    for token in tokens:
        entries.append(TocEntry(level=token["level"], id=token["id"], title=html.unescape(token["name"])))
        entries.extend(_toc_entries(token["children"]))
    return entries


_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")


def _demote_headings(sanitised: str) -> str:
    """Every heading one level down (<h6> stays <h6>), so text shown under a page's own <h1> never
    makes a second one. Exact on sanitised HTML: there a "<" is always the start of a tag."""
    return _HEADING_TAG.sub(lambda match: f"<{match[1]}h{min(int(match[2]) + 1, 6)}", sanitised)


_CONTROL_CHARACTERS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_H2_TAG = re.compile(r"<h2\b[^>]*>|</h2>")


def _add_section_links(sanitised: str, nonce: str, titles: list[str]) -> str:
    """End each marked <h2> with its edit link and drop the marker; unmarked <h2>s are left alone."""
    marker = re.compile(rf' {SECTION_MARKER_ATTRIBUTE}="{nonce}-([0-9]+)"')
    pieces = []
    copied = 0
    open_headings: list[int | None] = []
    for match in _H2_TAG.finditer(sanitised):
        tag = match.group()
        if tag != "</h2>":
            found = marker.search(tag)
            open_headings.append(int(found.group(1)) if found else None)
            if found:
                pieces.append(sanitised[copied : match.start() + found.start()])
                copied = match.start() + found.end()
            continue
        if not open_headings:
            continue
        number = open_headings.pop()
        if number is None:
            continue
        title = titles[number - 1] if number <= len(titles) else ""
        pieces.append(sanitised[copied : match.start()])
        pieces.append(
            f' <a class="section-edit" href="suggest/?section={number}" '
            f'aria-label="Suggest an edit to the section {escape(title)}">suggest an edit</a>'
        )
        copied = match.start()
    pieces.append(sanitised[copied:])
    return "".join(pieces)


def _render(text: str, section_links: bool, demote_headings: bool, drop_title: bool) -> RenderedMarkdown:
    nonce = secrets.token_hex(16) if section_links else None
    ours = _ModelCardExtension(nonce, _Deadline(RENDER_SECONDS), drop_title=drop_title)
    md = _new_markdown(ours)
    body = md.convert(text)
    toc = _toc_entries(md.toc_tokens)

    section_marker = re.compile(rf"{nonce}-[0-9]+") if nonce else None
    cleaner = bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=functools.partial(_attribute_allowed, section_marker=section_marker),
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[functools.partial(_LinkRelFilter, deadline=ours.deadline), _ImageFilter, _IdnHostFilter],
    )
    sanitised = cleaner.clean(_TimedMarkup(body, ours.deadline))
    if nonce:
        titles_by_id = {entry.id: entry.title for entry in toc}
        titles = [titles_by_id.get(heading_id, "") for heading_id in ours.sections.heading_ids]
        sanitised = _add_section_links(sanitised, nonce, titles)
    if demote_headings:
        sanitised = _demote_headings(sanitised)
    # The only mark_safe in the codebase: everything above came out of the sanitiser, and the section
    # links added after it are built from escaped text.
    return RenderedMarkdown(html=mark_safe(sanitised), toc=tuple(toc))  # noqa: S308


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _cache_key(text: str, *options: bool) -> str:
    # The size limit is in the key: raising it must not leave texts refused under the old one.
    version = f"{RENDERER_VERSION}-{settings.MODELCARDS_MAX_CARD_BYTES}"
    flags = "".join(str(int(option)) for option in options)
    return f"modelcards:markdown:{version}:{flags}:{_digest(text)}"


def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - a broken cache must not break pages; render afresh instead
        logger.warning("Markdown cache read failed", exc_info=True)
        return None


def _cache_set(key: str, value, timeout: int = CACHE_TIMEOUT) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:  # noqa: BLE001 - see _cache_get
        logger.warning("Markdown cache write failed", exc_info=True)


def renderable_problem(text: str) -> str | None:
    """Why `text` cannot be rendered (check_renderable's message), or None; checked once per content."""
    key = _cache_key(text, False).replace(":markdown:", ":renderable:", 1)
    cached = _cache_get(key)
    if isinstance(cached, str):
        return cached or None
    try:
        check_renderable(text)
    except MarkdownRefused as refusal:
        problem = str(refusal)
    else:
        problem = ""
    _cache_set(key, problem)
    return problem or None


def render_markdown(
    text: str, *, section_links: bool = False, demote_headings: bool = False, drop_title: bool = False
) -> RenderedMarkdown:
    """Render card Markdown to sanitised HTML plus a table of contents, or raise MarkdownRefused.

    The output only holds ALLOWED_TAGS with ALLOWED_ATTRIBUTES, links are http, https, mailto or
    relative, every link carries rel="nofollow ugc noopener", and heading ids start with
    HEADING_ID_PREFIX. Results, refusals included, are cached by content, options and RENDERER_VERSION,
    so each text costs its checks and its rendering once.

    With ``section_links`` each section heading gets, at its end, a link to
    ``suggest/?section=N``. Section headings are counted from 1 in document order: every level-2
    heading Python-Markdown makes from ``## Title`` (it also accepts ``##Title``, and needs the ``#``
    at the start of the line or of a quote or list item's content) or from a ``Title`` line underlined
    with ``-``, including those inside quotes and lists, which is what ``cardfile.split_sections``
    counts. Not counted: anything in fenced or indented code, raw HTML (a literal ``<h2>``, or Markdown
    inside an HTML block or comment), and headings inside footnote definitions.

    A page that has its own <h1> asks for ``demote_headings``: every heading of the text is shown one
    level down, raw HTML headings included, so the page keeps exactly one <h1>. A page whose <h1> is
    the card's title also asks for ``drop_title``: the text's first level-1 heading with visible text,
    from which the title was read, is left out rather than shown twice (and is not in the contents).

    Text that is too large or too convoluted, or that the libraries fail on, raises MarkdownRefused
    with a message for the author; no other exception escapes for a str argument.
    """
    if not isinstance(text, str):
        raise TypeError(f"Markdown must be str, not {type(text).__name__}")
    key = _cache_key(text, section_links, demote_headings, drop_title)
    cached = _cache_get(key)
    if isinstance(cached, RenderedMarkdown):
        return cached
    if isinstance(cached, str):
        raise MarkdownRefused(cached)

    # Every refusal is kept like a rendering, so text refused once costs a cache read after that.
    if problem := renderable_problem(text):
        _cache_set(key, problem)
        raise MarkdownRefused(problem)
    # Lone surrogates cannot be encoded in a response; make them visible replacement characters. Control
    # characters mean nothing in a card and only slow the parsers down.
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace").translate(_CONTROL_CHARACTERS)
    try:
        result = _render(text, section_links, demote_headings, drop_title)
    except _TooSlow:
        # Kept for a day, not for ever: whether a render runs out of time also depends on the machine.
        message = "The text takes too long to render; simplify its HTML or split it into smaller parts."
        _cache_set(key, message, TOO_SLOW_CACHE_TIMEOUT)
        raise MarkdownRefused(message) from None
    except RecursionError:
        message = "The text nests too deeply to render; flatten its lists, quotes or HTML."
        _cache_set(key, message)
        raise MarkdownRefused(message) from None
    except Exception:  # noqa: BLE001 - any library failure on odd input becomes a refusal, never a 500
        logger.exception("Markdown rendering failed")
        message = "The text could not be rendered; please simplify its formatting."
        _cache_set(key, message)
        raise MarkdownRefused(message) from None
    _cache_set(key, result)
    return result
