"""Where a Markdown body's headings are, found exactly as Python-Markdown would build them.

Section numbers in "suggest an edit" links come from the rendered `<h2>`s, so the source must be cut
into sections by the same rules; CommonMark's differ in places, noted below.
"""

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|\Z)")


# Markdown headings, as Python-Markdown finds them ----------------------------------------------
#
# The site renders bodies with Python-Markdown, and section numbers must match the `<h2>`s it
# produces, so this follows its block rules rather than CommonMark's where they differ: an ATX
# heading starts in column 0 (`##Title` counts, ` ## Title` does not); a setext heading is only the
# first line of a block; a fence opens in column 0 and only counts when an identical fence closes
# it; a block-level HTML tag or comment at a line start makes raw HTML up to its closing tag; a
# table runs to the end of its block. Lists and quotes are followed one level down, which covers
# real cards; a setext underline inside a list nested in a quote (and the like) is not.

_FENCE_OPEN = re.compile(
    r"(?P<fence>`{3,}|~{3,})[ ]*(?:\{[^\n]*\}|\.?[\w#.+-]*[ ]*(?:hl_lines=(?P<q>[\"']).*?(?P=q)[ ]*)?)"
)
_FENCE_CLOSE = re.compile(r"(`{3,}|~{3,})[ ]*")
_SETEXT_UNDERLINE = re.compile(r"(?:=+|-+)[ ]*")
_THEMATIC_BREAK = re.compile(r"[ ]{0,3}(?:(?:-[ ]{0,2}){3,}|(?:_[ ]{0,2}){3,}|(?:\*[ ]{0,2}){3,})[ ]*")
_QUOTE_START = re.compile(r"[ ]{0,3}>")
_LIST_ITEM = re.compile(r"[ ]{0,3}(?:[*+-]|[0-9]+\.)[ ]+")
_QUOTE_MARKERS = re.compile(r"(?:[ ]{0,3}>[ ]?)*")
_HTML_TOKEN = re.compile(
    r"""(?P<comment><!--)
      | </(?P<close>[A-Za-z][A-Za-z0-9-]*)\s*>
      | <(?P<open>[A-Za-z][A-Za-z0-9-]*)
        (?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*(?P<selfclosing>/?)>""",
    re.VERBOSE,
)
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body canvas center colgroup dd details div dl dt fieldset "
    "figcaption figure footer form group h1 h2 h3 h4 h5 h6 header hgroup hr html iframe legend li "
    "main map math menu nav noscript object ol option output p pre progress script section style "
    "summary table tbody td textarea tfoot th thead tr ul video".split()
)
_RAW_TEXT_TAGS = frozenset({"script", "style"})


@dataclass(frozen=True)
class RawHeading:
    level: int
    text: str
    start: int


@lru_cache(maxsize=8)
def find_headings(text: str, start: int) -> tuple[RawHeading, ...]:
    """Every heading of the Markdown in `text[start:]`, with the offset of its first line.

    Remembered for the last few texts: saving a card asks for its title, sections and outline, which
    all scan the same text.
    """
    offsets, lines = [], []
    position = start
    while position < len(text):
        match = _LINE.match(text, position)
        content = match.group(1).replace("\x02", "").replace("\x03", "").expandtabs(4)
        offsets.append(position)
        lines.append(content if content.strip(" ") else "")
        position = match.end()
    return tuple(_BlockScanner(*_set_aside_code_and_html(lines, offsets)).headings())


def _set_aside_code_and_html(lines: list[str], offsets: list[int]):
    """What Python-Markdown takes out of the text before it parses blocks: fenced code first, then
    raw HTML blocks and comments. Returns the lines, their offsets, and for the first line of each
    such region the line after it. Text after a raw block's closing tag becomes a line of its own."""
    fence_ends = _fenced_blocks(lines)
    raw = _RawHtml(lines, fence_ends)
    kept_lines: list[str] = []
    kept_offsets: list[int] = []
    skips: dict[int, int] = {}
    i = 0
    while i < len(lines):
        indent = len(lines[i]) - len(lines[i].lstrip(" "))
        found = raw.block(i, indent) if lines[i] and indent <= 3 and i not in fence_ends else None
        last, tail = (fence_ends[i], "") if i in fence_ends else found or (None, "")
        if last is None:
            kept_lines.append(lines[i])
            kept_offsets.append(offsets[i])
            i += 1
            continue
        skips[len(kept_lines)] = len(kept_lines) + last + 1 - i
        kept_lines += lines[i : last + 1]
        kept_offsets += offsets[i : last + 1]
        if tail.strip(" "):
            kept_lines.append(tail)
            kept_offsets.append(offsets[last])
        i = last + 1
    return kept_lines, kept_offsets, skips


class _BlockScanner:
    """Walks lines as Python-Markdown's block parser splits them into blocks, noting headings.

    A block is a run of lines that blank lines, fenced code and raw HTML separate. Within one, a
    column-0 `#` line or a thematic break ends what came before; a `>` line starts a quote that
    runs to the block's end; a block starting with a list item is a list to its end. An indented
    block after a list belongs to its last item and is read again, dedented, as Markdown.
    """

    def __init__(self, lines: list[str], offsets: list[int], skips: dict[int, int]):
        self.lines = lines
        self.offsets = offsets
        self.skips = skips  # fenced code and raw HTML, only ever found at the top level
        self.found: list[RawHeading] = []

    def after_separator(self, i: int) -> int | None:
        """When line `i` separates blocks (blank, fenced code, raw HTML), the line after it."""
        return i + 1 if not self.lines[i] else self.skips.get(i)

    def block_end(self, i: int) -> int:
        while i < len(self.lines) and self.after_separator(i) is None:
            i += 1
        return i

    def add(self, level: int, text: str, i: int) -> None:
        self.found.append(RawHeading(level, text, self.offsets[i]))

    def underline(self, i: int, *, quoted: bool = False) -> str | None:
        """`=` or `-` when line `i` of the current block is a setext underline, else None. Inside a
        quote or list, a thematic break outside it or a `#` line splits the block first."""
        if i >= len(self.lines) or self.after_separator(i) is not None:
            return None
        line = self.lines[i]
        if quoted and (line.startswith("#") or _THEMATIC_BREAK.fullmatch(line)):
            return None
        line = _unquoted(line) if quoted else line
        return line[0] if _SETEXT_UNDERLINE.fullmatch(line) else None

    def headings(self) -> list[RawHeading]:
        lines = self.lines
        block_start, in_code, in_quote, in_list, list_open = True, False, False, False, False
        fresh = True  # no `#` line split this block yet, so a table starting here takes every line
        quote_start = False
        i = 0
        while i < len(lines):
            after = self.after_separator(i)
            if after is not None:
                list_open = list_open and not lines[i]  # code or HTML in between ends the list
                i, block_start, in_code, in_quote, in_list, fresh = after, True, False, False, False, True
                continue
            line = lines[i]
            if line.startswith("    ") and block_start and list_open:
                end = self.block_end(i)
                dedented = [row[4:] if row.startswith("    ") else row for row in lines[i:end]]
                self.found += _BlockScanner(dedented, self.offsets[i:end], {}).headings()
                i = end
                continue
            if line.startswith("    ") and (block_start or in_code) and not in_quote:
                i, block_start, in_code, list_open = i + 1, False, True, False
                continue
            if in_code:  # the first unindented line after indented code starts a new block
                block_start, in_code = True, False
            following = lines[i + 1] if i + 1 < len(lines) else ""
            if block_start and _is_table_start(line, following):  # the rest of the block is its rows
                while i < len(lines) and self.after_separator(i) is None:
                    if lines[i].startswith("#") and not fresh:
                        break
                    i += 1
                list_open = False
                continue
            if line.startswith("#"):
                self.add(*_atx_heading(line), i)
                i, block_start, in_quote, in_list, list_open, fresh = i + 1, True, False, False, False, True
                continue
            if block_start and (mark := self.underline(i + 1)):  # even `> quote` or `- item`
                self.add(1 if mark == "=" else 2, line.strip(), i)
                i, block_start, list_open, fresh = i + 2, True, False, False
                continue
            if _THEMATIC_BREAK.fullmatch(line):
                i, block_start, in_quote, in_list, list_open, fresh = i + 1, True, False, False, False, False
                continue
            if block_start:
                in_list = list_open = bool(_LIST_ITEM.match(line))
            block_start = False
            item = _LIST_ITEM.match(line) if in_list else None
            if item:
                i = self.list_item(i, line[item.end() :])
                continue
            if not in_quote and _QUOTE_START.match(line):
                in_quote, quote_start = True, True
            if in_quote:
                i, quote_start = self.quote_line(i, quote_start)
            else:
                i += 1
        return self.found

    def list_item(self, i: int, content: str) -> int:
        """Read the first line of a list item, which starts a block of its own; returns the next line."""
        if content.startswith("#"):
            self.add(*_atx_heading(content), i)
        elif mark := self.underline(i + 1, quoted=True):
            self.add(1 if mark == "=" else 2, content.strip(), i)
            return i + 2
        return i + 1

    def quote_line(self, i: int, quote_start: bool) -> tuple[int, bool]:
        """Read line `i` of a block quote; lines without `>` belong to it lazily. Returns the next
        line and whether it starts a block inside the quote."""
        content = _unquoted(self.lines[i])
        if quote_start and content.startswith("    "):  # indented code inside the quote
            return i + 1, True
        if content.startswith("#"):
            self.add(*_atx_heading(content), i)
            return i + 1, True
        if quote_start and content and (mark := self.underline(i + 1, quoted=True)):
            self.add(1 if mark == "=" else 2, content.strip(), i)
            return i + 2, True
        return i + 1, not content or bool(_THEMATIC_BREAK.fullmatch(content))


def _unquoted(line: str) -> str:
    return line[_QUOTE_MARKERS.match(line).end() :]


def _atx_heading(content: str) -> tuple[int, str]:
    level = min(len(content) - len(content.lstrip("#")), 6)
    return level, content[level:].rstrip("#").strip()


def _table_cells(row: str) -> list[str]:
    row = row.strip(" ")
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
    return re.split(r"(?<!\\)\|", row)


def _is_table_start(header: str, separator: str) -> bool:
    """Python-Markdown's tables: a header row, then a row of only `|:- ` with as many cells."""
    cells = _table_cells(header)
    if len(cells) < 2 and not (header.strip(" ").startswith("|") or header.strip(" ").endswith("|")):
        return False
    divider = _table_cells(separator)
    return bool(separator) and len(divider) == len(cells) and set("".join(divider)) <= set("|:- ")


def _fenced_blocks(lines: list[str]) -> dict[int, int]:
    """Opening line -> closing line of each fenced code block. A fence with no identical closing
    fence is not code at all, as in Python-Markdown."""
    closers: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        if _FENCE_CLOSE.fullmatch(line):
            closers.setdefault(line.rstrip(" "), []).append(number)
    blocks: dict[int, int] = {}
    i = 0
    while i < len(lines):
        opening = _FENCE_OPEN.fullmatch(lines[i])
        if opening:
            candidates = closers.get(opening.group("fence"), [])
            position = bisect.bisect_right(candidates, i)
            if position < len(candidates):
                blocks[i] = candidates[position]
                i = candidates[position]
        i += 1
    return blocks


class _RawHtml:
    """Where a raw HTML block or comment that starts on a line ends, ignoring fenced code."""

    def __init__(self, lines: list[str], fence_ends: dict[int, int]):
        hidden = set()
        for opening, closing in fence_ends.items():
            hidden.update(range(opening, closing + 1))
        self.visible = ["" if number in hidden else line for number, line in enumerate(lines)]
        self.flat = "\n".join(self.visible)
        self.starts = []
        position = 0
        for line in self.visible:
            self.starts.append(position)
            position += len(line) + 1
        self.last_comment_close = self.flat.rfind("-->")

    def block(self, number: int, indent: int) -> tuple[int, str] | None:
        """For a raw block starting on line `number`: its last line and any text after its end there."""
        end = self._end(self.starts[number] + indent)
        if end is None:
            return None
        last = bisect.bisect_right(self.starts, end) - 1
        return last, self.flat[end + 1 : self.starts[last] + len(self.visible[last])]

    def _end(self, position: int) -> int | None:
        """Offset of the last character of the raw block starting at `position`, if one does."""
        if self.flat.startswith("<!--", position):
            if position + 4 > self.last_comment_close:
                return None  # an unclosed comment is text
            return self.flat.index("-->", position + 4) + 2
        opening = _HTML_TOKEN.match(self.flat, position)
        if opening is None or (opening.group("open") or "").lower() not in _BLOCK_TAGS:
            return None
        return self._close_of(opening)

    def _close_of(self, opening) -> int:
        """Offset of the end of the raw block `opening` starts: where its tags balance, or the end."""
        stack: list[str] = []
        open_counts: dict[str, int] = {}  # how many of each name are on the stack, to test membership fast
        token = opening
        while token is not None:
            resume = token.end()
            if token.group("comment"):
                close = self.flat.find("-->", resume) if resume <= self.last_comment_close else -1
                resume = close + 3 if close >= 0 else token.start() + 1  # an unclosed comment is text
            elif token.group("close"):
                name = token.group("close").lower()
                while open_counts.get(name):  # close it and whatever was left open inside it
                    popped = stack.pop()
                    open_counts[popped] -= 1
                    if popped == name:
                        break
            elif not token.group("selfclosing") and (name := token.group("open").lower()) != "hr":
                if name in _RAW_TEXT_TAGS:  # no tags inside: skip to its end tag
                    ending = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(self.flat, resume)
                    if ending is None:
                        return len(self.flat)
                    resume = ending.end()
                else:
                    stack.append(name)
                    open_counts[name] = open_counts.get(name, 0) + 1
            if not stack:
                return resume - 1
            token = _HTML_TOKEN.search(self.flat, resume)
        return len(self.flat)


_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>])")
_INLINE_MARKUP = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: their alt text
    (re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])"), r"\1"),  # links: their text
    (re.compile(r"<[^>]*>"), ""),  # inline HTML tags
    (re.compile(r"`+"), ""),
    (re.compile(r"\*+|~~|(?<!\w)_+|_+(?!\w)"), ""),
    (re.compile(r"\s+"), " "),
]


def plain_text(markdown: str) -> str:
    """A heading's text without Markdown emphasis, links, code marks or tags."""
    escaped: list[str] = []  # `\*` is a literal star: set it aside while the markup goes

    def set_aside(match) -> str:
        escaped.append(match.group(1))
        return f"\x00{len(escaped) - 1}\x00"

    markdown = _ESCAPE.sub(set_aside, markdown)
    for pattern, replacement in _INLINE_MARKUP:
        markdown = pattern.sub(replacement, markdown)
    return re.sub("\x00([0-9]+)\x00", lambda match: escaped[int(match.group(1))], markdown).strip()
