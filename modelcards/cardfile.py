"""A model card's README.md: its YAML front matter checked against the Hub's rules, and its `##` sections."""

import bisect
import math
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import yaml
from django.conf import settings

from .headings import find_headings, plain_text
from .hidden_characters import contains_hidden, describe, hidden_problems
from .openness.checks import namespace_problems
from .rendering import MarkdownRefused, check_renderable
from .vocabularies import LICENCES, PIPELINE_TAGS
from .wording import describe_kind, did_you_mean

# Limits on the front matter. A card's metadata is a few dozen keys; these only stop pathological
# input. Lists are generous because multilingual cards list hundreds of language codes (NLLB cards
# about 200, massively multilingual speech models over 1,000); nesting allows model-index's deepest
# real shape (metric args) with room to spare. PyYAML's pure-Python reader takes seconds on a
# front matter of hundreds of kilobytes, so the front matter has a size limit of its own.
MAX_FRONT_MATTER_BYTES = 128 * 1024
MAX_LIST_ITEMS = 2000
MAX_DEPTH = 10  # nested lists and mappings, the top-level mapping counting as 1
MAX_PROBLEMS = 100
MAX_SAFE_INTEGER = 2**53 - 1  # larger integers lose precision in JSON readers such as JavaScript

_BOM = "\ufeff"
_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|\Z)")
_LINE_END = re.compile(r"\r\n|\r|\n")
_OPENING_DELIMITER = re.compile(r"---(?:\r\n|\r|\n|\Z)")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a card, located by metadata path and line of the whole README.md."""

    field: str
    message: str
    line: int | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.field}: {self.message}"


class CardFileError(ValueError):
    """A README.md that cannot be saved; `problems` lists every error found, not just the first."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | tuple = ()):
        self.problems = list(problems)
        self.warnings = list(warnings)
        super().__init__("; ".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class CardFile:
    """A parsed README.md. `text` is kept exactly as given; `body` is always a suffix of it."""

    text: str
    metadata: dict
    body: str
    body_offset_line: int
    warnings: tuple[Problem, ...] = ()

    @property
    def body_start(self) -> int:
        return len(self.text) - len(self.body)

    @property
    def title(self) -> str | None:
        """The body's first non-empty level-1 heading as plain text (no emphasis, links or code
        marks), found as the renderer finds headings; None when there is none."""
        for heading in find_headings(self.text, self.body_start):
            if heading.level == 1 and (title := plain_text(heading.text)):
                return title
        return None


@dataclass(frozen=True)
class Section:
    """A `##` section of the body: its heading line up to the next level-1 or level-2 heading."""

    index: int
    title: str
    start: int
    end: int


class UnknownSection(KeyError, IndexError):
    """No section has that number; a KeyError and an IndexError so either kind of caller catches it."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF. Only for text typed into a browser form: files keep their line ends."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_card(text: str) -> CardFile:
    """Parse a README.md and check it as the Hub would, raising CardFileError with every error found.

    The text is never rewritten: what is stored is exactly what was given, and `metadata` is a
    JSON-safe reading of the front matter in which nothing changes meaning (`no` stays the string
    "no", `1.10` stays "1.10", dates stay their ISO text). Warnings do not stop the card being saved.
    """
    problems = _storage_problems(text)
    if problems:
        raise CardFileError(problems)
    lines = _LineNumbers(text)
    front = _front_matter(text)
    if front is None:
        body_start = 1 if text.startswith(_BOM) else 0
        return _finish(text, {}, body_start, 1, [], _metadata_problems({}, _Locations(lines, None)))
    if not front.closed:
        message = (
            "front matter opened on line 1 but never closed: end the metadata with a line of exactly "
            "`---`, or if the `---` is meant as a horizontal rule put some text before it"
        )
        raise CardFileError([Problem("front matter", message, 1)])
    size = len(text[front.yaml_start : front.closing_start].encode("utf-8"))
    if size > MAX_FRONT_MATTER_BYTES:
        message = f"the metadata is {size:,} bytes; it may be at most {MAX_FRONT_MATTER_BYTES:,} bytes"
        raise CardFileError([Problem("front matter", message, 1)])
    locations = _Locations(lines, root_line=1, offset=front.yaml_start)
    metadata, loaded = _load_front_matter(text, front, locations)
    checked = _metadata_problems(metadata, locations) if metadata is not None else []
    body_line = lines.line_of(front.closing_start) + 1
    return _finish(text, metadata or {}, front.body_start, body_line, loaded, checked)


def split_sections(text: str) -> list[Section]:
    """The body's `##` sections in document order, numbered from 1, as Python-Markdown renders `<h2>`s.

    Headings inside fenced code, indented code, raw HTML blocks and HTML comments do not count,
    and the front matter is never part of a section. Offsets are into the whole text.
    """
    headings = [heading for heading in find_headings(text, _body_start(text)) if heading.level <= 2]
    sections: list[Section] = []
    for position, heading in enumerate(headings):
        if heading.level == 2:
            end = headings[position + 1].start if position + 1 < len(headings) else len(text)
            sections.append(Section(len(sections) + 1, plain_text(heading.text), heading.start, end))
    return sections


@dataclass(frozen=True)
class Heading:
    """A heading of the body at any level, its title as plain text, and the offset of its first line."""

    level: int
    title: str
    start: int


def outline(text: str) -> list[Heading]:
    """Every heading of the body (levels 1 to 6) in document order, found as the renderer finds them."""
    return [Heading(h.level, plain_text(h.text), h.start) for h in find_headings(text, _body_start(text))]


def replace_section(text: str, index: int, new_section: str) -> str:
    """The text with section `index` (from 1) replaced by `new_section`; everything else byte for byte.

    A new section lacking a final line end gets one in the file's own style when another heading
    follows (so it stays on a line of its own) or when the old section had one (form fields drop
    it, and the file should not lose its last newline). An empty `new_section` removes the section.
    """
    sections = split_sections(text)
    if isinstance(index, bool) or not isinstance(index, int) or not 1 <= index <= len(sections):
        raise UnknownSection(f"there is no section {index!r}; this card has {len(sections)} sections")
    section = sections[index - 1]
    needs_line_end = section.end < len(text) or text.endswith(("\n", "\r"), 0, section.end)
    if new_section and needs_line_end and not new_section.endswith(("\n", "\r")):
        new_section += _line_end_before(text, section.end)
    return text[: section.start] + new_section + text[section.end :]


# Whole-text checks ------------------------------------------------------------------------------


def is_storable(text: str) -> bool:
    """Whether PostgreSQL text can hold `text`: no NUL, no unpaired surrogate (as undecodable bytes
    in a command-line argument become)."""
    return _UNSTORABLE.search(text) is None


def _storage_problems(text: str) -> list[Problem]:
    """Too big to store, or holding characters PostgreSQL text (and valid UTF-8) cannot hold."""
    problems = []
    size = len(text.encode("utf-8", "surrogatepass"))
    limit = settings.MODELCARDS_MAX_CARD_BYTES
    if size > limit:
        problems.append(Problem("text", f"the card is {size:,} bytes; a card may be at most {limit:,} bytes"))
    found: dict[str, list[int]] = {}
    for match in _UNSTORABLE.finditer(text):
        found.setdefault("nul" if match.group() == "\x00" else "surrogate", []).append(match.start())
    if found:
        lines = _LineNumbers(text)
        for kind, offsets in found.items():
            what = (
                "a NUL character (U+0000), which cannot be stored"
                if kind == "nul"
                else f"an unpaired surrogate (U+{ord(text[offsets[0]]):04X}), which is not valid Unicode"
            )
            count = f" ({len(offsets)} in all, the first on this line)" if len(offsets) > 1 else ""
            problems.append(Problem("text", f"contains {what}; remove it{count}", lines.line_of(offsets[0])))
    return problems


class _LineNumbers:
    """1-based line numbers for offsets, counting CRLF, a lone CR and LF each as one line end."""

    def __init__(self, text: str):
        self.starts = [0] + [match.end() for match in _LINE_END.finditer(text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


@dataclass(frozen=True)
class _FrontMatter:
    yaml_start: int
    closing_start: int
    body_start: int
    closed: bool


def _front_matter(text: str) -> _FrontMatter | None:
    """The Hub's rule: a first line of exactly `---` (after an optional BOM) opens the metadata, and
    the next line of exactly `---` closes it. Anything else at the top means there is none."""
    opening = _OPENING_DELIMITER.match(text, 1 if text.startswith(_BOM) else 0)
    if opening is None:
        return None
    position = opening.end()
    while position < len(text):
        line = _LINE.match(text, position)
        if line.group(1) == "---":
            return _FrontMatter(opening.end(), position, line.end(), closed=True)
        position = line.end()
    return _FrontMatter(opening.end(), len(text), len(text), closed=False)


def _body_start(text: str) -> int:
    front = _front_matter(text)
    if front is not None and front.closed:
        return front.body_start
    return 1 if text.startswith(_BOM) else 0


def _finish(text, metadata, body_start, body_line, loaded, checked) -> CardFile:
    found = loaded + checked
    errors = [problem for problem in found if problem.severity == "error"]
    warnings = [problem for problem in found if problem.severity != "error"]
    if errors:
        raise CardFileError(_in_order(errors), _in_order(warnings))
    return CardFile(text, metadata, text[body_start:], body_line, tuple(_in_order(warnings)))


def _in_order(problems: list[Problem]) -> list[Problem]:
    ordered = sorted(problems, key=lambda problem: (problem.line is None, problem.line or 0))
    if len(ordered) > MAX_PROBLEMS:
        extra = len(ordered) - MAX_PROBLEMS
        ordered = ordered[:MAX_PROBLEMS] + [Problem("text", f"and {extra:,} more problems not listed")]
    return ordered


def _line_end_before(text: str, offset: int) -> str:
    if text.endswith("\r\n", 0, offset):
        return "\r\n"
    if text.endswith("\r", 0, offset):
        return "\r"
    return "\n"


# YAML -------------------------------------------------------------------------------------------

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_DECIMAL_INT = re.compile(r"0|-?[1-9][0-9]*")
_FLOAT_SHAPE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NON_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")


def _plain_scalar_tag(value: str) -> str:
    """YAML 1.2's core schema, narrowed so that a number is only a number when JSON would write it
    back the same way: `yes`, `0777`, `0x1F`, `1:20`, `2023-01-01`, `1.10` and `1e3` all stay text."""
    if value in _NULLS:
        return _NULL
    if value in _BOOLEANS:
        return _BOOL
    if _DECIMAL_INT.fullmatch(value):
        return _INT
    if _NON_FINITE.fullmatch(value):
        return _FLOAT
    if _FLOAT_SHAPE.fullmatch(value):
        number = float(value)
        if not math.isfinite(number) or repr(number) == value:
            return _FLOAT
    return _STR


def _construct_float(loader, node) -> float:
    return float(node.value.replace(".", "", 1) if _NON_FINITE.fullmatch(node.value) else node.value)


_TOO_DEEP = f"nesting is too deep; lists and mappings may nest at most {MAX_DEPTH} deep"


class _TooDeep(yaml.MarkedYAMLError):
    """Raised by the scanner itself, before deep flow nesting can cost quadratic time."""


class _CardSchema(yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """How a card's YAML becomes values: plain scalars tagged as `_plain_scalar_tag` says."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0]:
            return _plain_scalar_tag(value)
        return super().resolve(kind, value, implicit)


class _CardLoader(
    yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _CardSchema
):
    """PyYAML's pure-Python SafeLoader on the card schema, refusing with a located problem the YAML
    features a card has no use for: anchors, aliases, explicit tags and deep nesting."""

    def __init__(self, stream: str, locate):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _CardSchema.__init__(self)
        self.locate = locate
        self.problems: list[Problem] = []
        self.depth = 0

    def refuse(self, mark, message: str) -> None:
        self.problems.append(Problem("front matter", message, self.locate(mark.index)))

    def fetch_flow_collection_start(self, TokenClass):  # noqa: N803 - PyYAML's name
        # Refuse deep `[[[...` while scanning: PyYAML's scanner slows quadratically with flow depth.
        if self.flow_level >= MAX_DEPTH:
            raise _TooDeep(None, None, _TOO_DEEP, self.get_mark())
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self.get_event()
            self.refuse(event.start_mark, f"aliases (*{event.anchor}) are not allowed; write the value out")
            return yaml.ScalarNode(_NULL, "", event.start_mark, event.end_mark)
        if event.anchor is not None:
            self.refuse(event.start_mark, f"anchors (&{event.anchor}) are not allowed; write values out")
        opens = isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent))
        if opens and self.depth >= MAX_DEPTH:
            self.refuse(event.start_mark, _TOO_DEEP)
            self._skip_collection()
            return yaml.ScalarNode(_NULL, "", event.start_mark, event.end_mark)
        self.depth += opens
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= opens
        if event.tag is not None:
            shown = event.tag.replace("tag:yaml.org,2002:", "!!", 1)
            self.refuse(event.start_mark, f"explicit tags such as '{shown}' are not allowed; remove the tag")
            node.tag = {yaml.ScalarNode: _STR, yaml.SequenceNode: _SEQ}.get(type(node), _MAP)
        return node

    def _skip_collection(self) -> None:
        depth = 0
        while True:
            event = self.get_event()
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
                if depth == 0:
                    return


_CardSchema.add_constructor(_NULL, lambda loader, node: None)
_CardSchema.add_constructor(_BOOL, lambda loader, node: _BOOLEANS[node.value])
_CardSchema.add_constructor(_INT, lambda loader, node: int(node.value))
_CardSchema.add_constructor(_FLOAT, _construct_float)
_CardSchema.add_constructor(_STR, lambda loader, node: node.value)


if yaml.__with_libyaml__:

    class _FastCardLoader(yaml.cyaml.CParser, _CardSchema):
        """libyaml's parser on the card schema: about ten times faster than `_CardLoader`.

        It has none of `_CardLoader`'s refusals, so it only reads front matter that
        `_plainly_written` has found free of what they refuse; any other text, or any error, goes to
        `_CardLoader`, whose located messages people see. Both build the same nodes with the same
        marks (a plain scalar's style aside: "" here, None there), so the checks after composing read
        both alike.
        """

        def __init__(self, stream: str):
            yaml.cyaml.CParser.__init__(self, stream)
            _CardSchema.__init__(self)


_NOT_FOR_LIBYAML = re.compile("[\t\x85\ufeff\u2028\u2029]|" + yaml.reader.Reader.NON_PRINTABLE.pattern)


def _fast_compose(source: str):
    """The root node composed by libyaml, or None when `_CardLoader` must read `source` instead."""
    if not yaml.__with_libyaml__:
        return None
    # Characters the two libraries treat differently go to the reference: libyaml accepts a few that
    # PyYAML's reader refuses, takes tabs as spaces where PyYAML refuses them, and reads byte order
    # marks and the Unicode line breaks its own way.
    if _NOT_FOR_LIBYAML.search(source):
        return None
    try:
        if not _plainly_written(source):
            return None
        loader = _FastCardLoader(source)
        return loader, loader.get_single_node()
    except yaml.YAMLError:
        return None


def _plainly_written(source: str) -> bool:
    """Block style only, with no anchor, alias, explicit tag or nesting past MAX_DEPTH: one flat pass
    over libyaml's events."""
    parser = yaml.cyaml.CParser(source)
    depth = 0
    try:
        while (event := parser.get_event()) is not None and not isinstance(event, yaml.StreamEndEvent):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                return False
            if getattr(event, "tag", None) is not None:
                return False
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if event.flow_style:  # `[a, b]`, `{a: b}`: the two read some plain scalars differently
                    return False
                depth += 1
                if depth > MAX_DEPTH:
                    return False
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    finally:
        parser.dispose()
    return True


class _Locations:
    """Lines of metadata paths, so a problem found in the parsed data can point into the file."""

    def __init__(self, lines: _LineNumbers, root_line: int | None, offset: int = 0):
        self.lines = lines
        self.offset = offset
        self.by_path: dict[tuple, int | None] = {(): root_line}

    def line_of_index(self, index: int) -> int:
        return self.lines.line_of(self.offset + index)

    def line(self, path: tuple) -> int | None:
        while path not in self.by_path:
            path = path[:-1]
        return self.by_path[path]


def _load_front_matter(text: str, front: _FrontMatter, locations: _Locations):
    """The metadata (None when it cannot be read at all) and the YAML-level problems (errors, and
    warnings about dates that are not dates)."""
    source = text[front.yaml_start : front.closing_start]
    if (fast := _fast_compose(source)) is not None:
        loader, root = fast
        if root is None:
            return {}, []
        if isinstance(root, yaml.MappingNode):
            problems = _check_nodes(root, (), locations)
            return loader.construct_document(root), problems
    try:
        loader = _CardLoader(source, locations.line_of_index)
    except yaml.reader.ReaderError as exc:  # raised at once: the reader checks every character first
        line = locations.line_of_index(exc.position)
        message = f"the character U+{exc.character:04X} is not allowed in YAML; remove it"
        return None, [Problem("front matter", message, line)]
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return None, loader.problems + [_yaml_error_problem(exc, locations)]
    if root is None:
        return {}, loader.problems
    if not isinstance(root, yaml.MappingNode):
        kind = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
        message = f"the metadata must be a mapping of `key: value` lines, not {kind}"
        line = locations.line_of_index(root.start_mark.index)
        return None, loader.problems + [Problem("front matter", message, line)]
    problems = loader.problems + _check_nodes(root, (), locations)
    metadata = loader.construct_document(root)
    loader.dispose()
    return metadata, problems


def _yaml_error_problem(exc: yaml.MarkedYAMLError, locations: _Locations) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = locations.line_of_index(mark.index) if mark else None
    if isinstance(exc, _TooDeep):
        return Problem("front matter", exc.problem, line)
    detail = exc.problem or exc.context or "the YAML cannot be read"
    if exc.context and exc.problem:
        context_line = locations.line_of_index(exc.context_mark.index) if exc.context_mark else None
        elsewhere = context_line is not None and context_line != line
        detail += f" ({exc.context}" + (f" that starts on line {context_line})" if elsewhere else ")")
    return Problem("front matter", f"invalid YAML: {detail}", line)


# A quoted YAML string can spell what the raw-text check refuses (`"\0"`, `"\ud800"`).
_UNSTORABLE_ESCAPE = (
    "holds an escape for a NUL character or an unpaired surrogate (such as \\0 or \\ud800), which "
    "cannot be stored; remove it"
)


# PyYAML, which huggingface_hub reads cards with, builds a date or time from every plain scalar shaped
# like one and fails on one naming no real day (`2024-13-45`); other readers roll it over into another
# date. The card schema never builds dates, so such a scalar stays the text written, with a warning.
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_TIMESTAMP_SHAPE = next(
    pattern for tag, pattern in yaml.resolver.Resolver.yaml_implicit_resolvers["2"] if tag == _TIMESTAMP
)
_PYYAML_DATES = yaml.constructor.SafeConstructor()


def _is_impossible_date(node: yaml.ScalarNode) -> bool:
    """A plain scalar PyYAML takes for a date or time but cannot build one from, such as `2024-13-45`."""
    if node.style or not _TIMESTAMP_SHAPE.match(node.value):  # quoted and block scalars are text anywhere
        return False
    try:
        _PYYAML_DATES.construct_yaml_timestamp(yaml.ScalarNode(_TIMESTAMP, node.value))
    except (ValueError, OverflowError):
        return True
    return False


def _impossible_date_warning(where: tuple, node: yaml.ScalarNode, locations: _Locations) -> Problem:
    message = (
        f"'{node.value}' is written like a date but names no real day or time, so it is kept as text; "
        "YAML readers disagree on such a value (PyYAML, which huggingface_hub uses, cannot load the "
        "card at all): write the date meant, or put the text in quotes"
    )
    line = locations.line_of_index(node.start_mark.index)
    return Problem(_path_text(where) or "front matter", message, line, "warning")


def _check_nodes(node, path: tuple, locations: _Locations) -> list[Problem]:
    """Refuse what JSON or the Hub cannot take, recording each path's line on the way.

    Refused scalars are turned into text and refused keys dropped, so the rest can still be
    read and checked: the card is refused anyway, and the person sees every problem at once.
    A scalar that only looks like a date is kept as text with a warning.
    """
    problems: list[Problem] = []

    def refuse(where: tuple, message: str, line: int) -> None:
        problems.append(Problem(_path_text(where) or "front matter", message, line))

    if isinstance(node, yaml.MappingNode):
        first_lines: dict[str, int] = {}
        kept = []
        for key_node, value_node in node.value:
            line = locations.line_of_index(key_node.start_mark.index)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                shown = (
                    f"'{key_node.value}'" if isinstance(key_node, yaml.ScalarNode) else "a list or mapping"
                )
                refuse(path, f"keys must be text; {shown} is not (put the key in quotes)", line)
                continue
            key = key_node.value
            if _UNSTORABLE.search(key):
                refuse(path, f"a key {_UNSTORABLE_ESCAPE}", line)
                continue
            if key == "<<" and not key_node.style:  # plain: None from PyYAML, "" from libyaml
                refuse(path, "merge keys (<<) are not allowed; write the keys out in full", line)
                continue
            if key in first_lines:
                first = first_lines[key]
                refuse(path + (key,), f"duplicate key (first given on line {first}); keep only one", line)
            else:
                first_lines[key] = line
                locations.by_path[path + (key,)] = line
            if _is_impossible_date(key_node):
                problems.append(_impossible_date_warning(path + (key,), key_node, locations))
            kept.append((key_node, value_node))
            problems += _check_nodes(value_node, path + (key,), locations)
        node.value = kept
    elif isinstance(node, yaml.SequenceNode):
        if len(node.value) > MAX_LIST_ITEMS:
            line = locations.line_of_index(node.start_mark.index)
            refuse(path, f"has {len(node.value):,} items; a list may have at most {MAX_LIST_ITEMS:,}", line)
        for position, item in enumerate(node.value):
            locations.by_path[path + (position,)] = locations.line_of_index(item.start_mark.index)
            problems += _check_nodes(item, path + (position,), locations)
    elif isinstance(node, yaml.ScalarNode) and _UNSTORABLE.search(node.value):
        refuse(path, f"the value {_UNSTORABLE_ESCAPE}", locations.line_of_index(node.start_mark.index))
        node.value = _UNSTORABLE.sub("\ufffd", node.value)  # so later messages can show the rest
        node.tag = _STR
    elif node.tag in (_INT, _FLOAT):
        line = locations.line_of_index(node.start_mark.index)
        digits = node.value.lstrip("+-")
        if node.tag == _INT and (len(digits) > 16 or int(digits) > MAX_SAFE_INTEGER):
            refuse(path, f"{node.value} is too large a number to keep exactly; put it in quotes", line)
            node.tag = _STR
        elif node.tag == _FLOAT and not math.isfinite(_construct_float(None, node)):
            refuse(path, f"'{node.value}' is not a finite number; use a number or quoted text", line)
            node.tag = _STR
    elif node.tag == _STR and _is_impossible_date(node):
        problems.append(_impossible_date_warning(path, node, locations))
    return problems


def _path_text(path: tuple) -> str:
    """`("model-index", 0, "results", 1, "task")` as `model-index[0].results[1].task`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# The Hub's metadata rules -----------------------------------------------------------------------
#
# What the Hub refuses on push is an error here. What it accepts but leaves a reader guessing, and what
# it may refuse by rules it does not publish (its ISO 639 lists, its pattern for repository ids), is a
# warning. The rules come from the spec (hub-docs modelcard.md), the Hub's schema as huggingface.js
# types it (packages/hub/src/types/api/api-model.ts: ApiModelMetadata, ApiModelIndex), huggingface_hub's
# reader (repocard_data.py) and the Hub's own refusal messages; README.md "Metadata rules" lists them
# with the deliberate differences. The Hub's messages are the Joi validator's: a string field refuses
# null and "" ("must be a string"), an `any` field (a metric's value) takes null. A top-level key left
# empty is accepted, as on the Hub; inside model-index an empty value is refused.

# Bump whenever a change to these rules or the YAML checks changes the problems found in some text:
# warnings cached for pages (templatetags/card_warnings.py) carry it in their key.
RULES_VERSION = "1"

_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
_SPECIAL_LANGUAGES = frozenset({"code", "multilingual"})
_HUB_ID = re.compile(r"(?:[A-Za-z0-9_.-]+/)?[A-Za-z0-9_.-]{1,96}")
_LOCAL_PATH = re.compile(r"[/~]|\.\.?/|[A-Za-z]:[\\/]")
_BASE_MODEL_RELATIONS = ("adapter", "merge", "quantized", "finetune")
_TEXT_KEYS = (
    "new_version",
    "thumbnail",
    "extra_gated_prompt",
    "extra_gated_heading",
    "extra_gated_description",
    "extra_gated_button_content",
)
_CO2_TEXT_KEYS = ("source", "training_type", "geographical_location", "hardware_used")


class _Report:
    def __init__(self, locations: _Locations):
        self.locations = locations
        self.problems: list[Problem] = []

    def add(self, path: tuple, message: str, severity: str = "error", *, near: tuple | None = None) -> None:
        """Report at `path`, located at `near` when the path itself is missing from the file."""
        line = self.locations.line(path if near is None or path in self.locations.by_path else near)
        self.problems.append(Problem(_path_text(path), message, line, severity))


def _metadata_problems(metadata: dict, locations: _Locations) -> list[Problem]:
    """The Hub's rules for the keys it knows; any other key is the card's own business."""
    report = _Report(locations)
    _check_licence(metadata, report)
    _check_pipeline_tag(metadata, report)
    for key in ("tags", "metrics", "language_bcp47"):
        _check_text_or_list(metadata, key, report)
    _check_languages(metadata, report)
    _check_hub_ids(metadata, "datasets", "dataset", report)
    _check_hub_ids(metadata, "base_model", "model", report)
    _check_other_keys(metadata, report)
    if "model-index" in metadata:
        _check_model_index(metadata["model-index"], report)
    for path, message, severity in namespace_problems(metadata):
        report.add(path, message, severity)
    return report.problems


def _check_licence(metadata: dict, report: _Report) -> None:
    licence = metadata.get("license")
    if licence is None or licence == "":
        message = "no licence given; add a `license:` line so people know how they may use the model"
        report.add(("license",), message, "warning")
    elif not isinstance(licence, str):
        report.add(
            ("license",), f"must be one licence identifier such as 'apache-2.0', not {describe_kind(licence)}"
        )
    elif licence not in LICENCES:
        hint = did_you_mean(licence, LICENCES) or (
            "; use an id from https://huggingface.co/docs/hub/repositories-licenses, "
            "or 'other' with license_name and license_link"
        )
        report.add(("license",), f"'{licence}' is not a licence identifier the Hub accepts{hint}")
    elif licence == "other":
        wanted = {
            "license_name": "a short name for the licence, such as 'llama3'",
            "license_link": "an http(s) URL of the licence text, or a repository file such as LICENSE.md",
        }
        for key, what in wanted.items():
            if metadata.get(key) is None or metadata.get(key) == "":
                message = (
                    "is not given: the Hub accepts license 'other' without it, but readers cannot tell "
                    f"which licence applies; add {what}"
                )
                report.add((key,), message, "warning", near=("license",))
        link = metadata.get("license_link")
        if isinstance(link, str) and link and not _is_licence_link(link):
            message = f"'{link}' is not an http(s) URL or a relative path such as LICENSE.md"
            report.add(("license_link",), message)
    for key in ("license_name", "license_link"):
        value = metadata.get(key)
        if value is not None and not isinstance(value, str):
            report.add((key,), f"must be text, not {describe_kind(value)}")


def _is_licence_link(link: str) -> bool:
    """An absolute http(s) URL, or a relative path such as `LICENSE.md` (never `javascript:` or `//host`)."""
    if not link or any(character.isspace() or ord(character) < 32 for character in link):
        return False
    parts = urlsplit(link)
    if parts.scheme:
        return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    return not link.startswith(("//", "\\"))


def _check_pipeline_tag(metadata: dict, report: _Report) -> None:
    pipeline_tag = metadata.get("pipeline_tag")
    if pipeline_tag is None:
        return
    if not isinstance(pipeline_tag, str):
        report.add(
            ("pipeline_tag",),
            f"must be one task id such as 'text-generation', not {describe_kind(pipeline_tag)}",
        )
    elif pipeline_tag not in PIPELINE_TAGS:
        message = f"'{pipeline_tag}' is not a pipeline tag the Hub knows" + did_you_mean(
            pipeline_tag, PIPELINE_TAGS
        )
        report.add(("pipeline_tag",), message, "warning")


def _check_text_or_list(metadata: dict, key: str, report: _Report) -> None:
    value = metadata.get(key)
    if value is None or isinstance(value, str):
        return
    if not isinstance(value, list):
        report.add((key,), f"must be text or a list of text, not {describe_kind(value)}")
        return
    for position, item in enumerate(value):
        if not isinstance(item, str):
            report.add((key, position), f"must be text, not {describe_kind(item)}")


def _texts_at(metadata: dict, key: str):
    """(path, text) for a key holding one text or a list of texts; other values are checked elsewhere."""
    value = metadata.get(key)
    if isinstance(value, str):
        yield (key,), value
    elif isinstance(value, list):
        yield from (((key, position), item) for position, item in enumerate(value) if isinstance(item, str))


def _check_languages(metadata: dict, report: _Report) -> None:
    _check_text_or_list(metadata, "language", report)
    for where, code in _texts_at(metadata, "language"):
        if code != code.lower():
            report.add(
                where,
                f"'{code}' must only contain lowercase characters, as the Hub requires: give the ISO 639 "
                f"code (such as '{re.split(r'[-_]', code, maxsplit=1)[0].lower()}') and put a regional "
                "tag under language_bcp47",
            )
        elif not (_LANGUAGE_CODE.fullmatch(code) or code in _SPECIAL_LANGUAGES):
            message = (
                f"'{code}' is not an ISO 639-1, 639-2 or 639-3 code (two or three letters), 'code' or "
                "'multilingual'; the Hub refuses language values that are not"
            )
            report.add(where, message, "warning")


def _check_hub_ids(metadata: dict, key: str, kind: str, report: _Report) -> None:
    """datasets and base_model name Hub repositories: the Hub refuses an empty name, a local path and a
    name written in words, and may refuse anything else that is not `name` or `namespace/name`."""
    _check_text_or_list(metadata, key, report)
    example = f"'org/{kind}-name'"
    for where, value in _texts_at(metadata, key):
        if value == "":
            report.add(
                where, f"is empty, which the Hub refuses: give a {kind} id such as {example}, or leave it out"
            )
        elif _LOCAL_PATH.match(value) or "\\" in value or any(character.isspace() for character in value):
            message = (
                f"'{value}' is not a Hub {kind} id: the Hub refuses local paths and names written in words; "
                f"use an id such as {example}, or leave it out"
            )
            report.add(where, message)
        elif not _is_hub_id(value):
            message = f"'{value}' does not look like a Hub {kind} id such as {example}; the Hub may refuse it"
            report.add(where, message, "warning")


def _is_hub_id(value: str) -> bool:
    """`name` or `namespace/name` as huggingface_hub's validate_repo_id checks repository ids."""
    if not _HUB_ID.fullmatch(value) or "--" in value or ".." in value:
        return False
    return not any(part[:1] in "-." or part[-1:] in "-." for part in value.split("/"))


def _check_other_keys(metadata: dict, report: _Report) -> None:
    """The other keys whose type the Hub's documentation and schema agree on."""
    library_name = metadata.get("library_name")
    if library_name is not None and not isinstance(library_name, str):
        report.add(
            ("library_name",), f"must be text such as 'transformers', not {describe_kind(library_name)}"
        )
    for key in _TEXT_KEYS:
        value = metadata.get(key)
        if value is not None and not isinstance(value, str):
            report.add((key,), f"must be text, not {describe_kind(value)}")
    relation = metadata.get("base_model_relation")
    if relation is not None:
        if not isinstance(relation, str):
            report.add(("base_model_relation",), f"must be text, not {describe_kind(relation)}")
        elif relation not in _BASE_MODEL_RELATIONS:
            listed = ", ".join(f"'{name}'" for name in _BASE_MODEL_RELATIONS)
            report.add(("base_model_relation",), f"'{relation}' is not one of {listed}", "warning")
    gated_fields = metadata.get("extra_gated_fields")
    if gated_fields is not None and not isinstance(gated_fields, dict):
        report.add(
            ("extra_gated_fields",), f"must be a mapping of field names, not {describe_kind(gated_fields)}"
        )
    widget = metadata.get("widget")
    if widget is not None:
        if not isinstance(widget, list):
            report.add(("widget",), f"must be a list of examples, not {describe_kind(widget)}")
        else:
            for position, example in enumerate(widget):
                if not isinstance(example, dict):
                    message = (
                        f"is {describe_kind(example)}; the Hub's schema types a widget example as a mapping "
                        "such as `text: ...`, so it may refuse this"
                    )
                    report.add(("widget", position), message, "warning")
    _check_co2(metadata.get("co2_eq_emissions"), report)


def _is_number(value) -> bool:
    """A YAML number, or text a YAML 1.2 reader such as the Hub's takes for one (`1e3`)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, float)) or (
        isinstance(value, str) and bool(_YAML12_NUMBER.fullmatch(value))
    )


def _check_co2(co2, report: _Report) -> None:
    """co2_eq_emissions: grams as a number, or a mapping with `emissions` in grams and text details."""
    path = ("co2_eq_emissions",)
    if co2 is None or _is_number(co2):
        return
    if not isinstance(co2, dict):
        report.add(path, f"must be a number of grams or a mapping with emissions, not {describe_kind(co2)}")
        return
    emissions = co2.get("emissions")
    if emissions is None:
        report.add(path + ("emissions",), "is required: the emissions in grams of CO2, such as 1200")
    elif not _is_number(emissions):
        report.add(path + ("emissions",), f"must be a number of grams, not {describe_kind(emissions)}")
    for key in _CO2_TEXT_KEYS:
        if co2.get(key) is not None and not isinstance(co2[key], str):
            report.add(path + (key,), f"must be text, not {describe_kind(co2[key])}")


def _check_model_index(model_index, report: _Report) -> None:
    """model-index: a list of {name, results: [{task, dataset?, metrics, source?}]} as the Hub's spec says."""
    if not isinstance(model_index, list):
        report.add(
            ("model-index",),
            f"must be a list of models with name and results, not {describe_kind(model_index)}",
        )
        return
    for i, entry in enumerate(model_index):
        path = ("model-index", i)
        if not _require_mapping(entry, path, report, "a model with name and results"):
            continue
        _require_text(entry, path, "name", report, required=True)
        results = entry.get("results")
        if not isinstance(results, list):
            report.add(path + ("results",), f"must be a list of results, not {describe_kind(results)}")
            continue
        for j, result in enumerate(results):
            _check_result(result, path + ("results", j), report)


def _check_result(result, path: tuple, report: _Report) -> None:
    if not _require_mapping(result, path, report, "a result with task and metrics"):
        return
    task = result.get("task")
    if _require_mapping(task, path + ("task",), report, "a task with a type such as 'text-generation'"):
        _require_text(task, path + ("task",), "type", report, required=True)
        _require_text(task, path + ("task",), "name", report, required=False)
    if "dataset" in result:
        where = path + ("dataset",)
        dataset = result["dataset"]
        if _require_mapping(dataset, where, report, "a dataset with type and name"):
            for key in ("type", "name"):
                _require_text(dataset, where, key, report, required=True)
            for key in ("config", "split", "revision"):
                _require_text(dataset, where, key, report, required=False)
            _check_args(dataset, where, report)
    metrics = result.get("metrics")
    if not isinstance(metrics, list):
        report.add(
            path + ("metrics",),
            f"must be a list of metrics with type and value, not {describe_kind(metrics)}",
        )
    else:
        for k, metric in enumerate(metrics):
            _check_metric(metric, path + ("metrics", k), report)
    if "source" in result:
        where = path + ("source",)
        if _require_mapping(result["source"], where, report, "a source with a url"):
            _require_text(result["source"], where, "url", report, required=True)
            _require_text(result["source"], where, "name", report, required=False)


def _check_metric(metric, where: tuple, report: _Report) -> None:
    if not _require_mapping(metric, where, report, "a metric with type and value"):
        return
    _require_text(metric, where, "type", report, required=True)
    if "value" not in metric:
        report.add(where + ("value",), "is required: the metric's result, such as 0.93")
    elif metric["value"] is None:
        message = (
            "is empty: the Hub accepts a metric without a value, but readers see no result; "
            "give the result, such as 0.93"
        )
        report.add(where + ("value",), message, "warning")
    for key in ("name", "config", "verifyToken"):
        _require_text(metric, where, key, report, required=False)
    if "verified" in metric and not isinstance(metric["verified"], bool):
        report.add(where + ("verified",), f"must be true or false, not {describe_kind(metric['verified'])}")
    _check_args(metric, where, report)


def _check_args(mapping: dict, path: tuple, report: _Report) -> None:
    """`args` of a dataset or metric: text or a mapping. The Hub's typed schema says no more, and real
    cards it accepted hold numbers among the values (`num_few_shot: 25`), so nothing is refused here."""
    args = mapping.get("args")
    if args is not None and not isinstance(args, (str, dict)):
        message = (
            f"is {describe_kind(args)}; the Hub's schema types it as text or a mapping of argument "
            "names to values, so it may refuse this"
        )
        report.add(path + ("args",), message, "warning")


def _require_mapping(value, path: tuple, report: _Report, what: str) -> bool:
    if isinstance(value, dict):
        return True
    report.add(
        path, f"must be {what}, not {describe_kind(value)}" if value is not None else f"is required: {what}"
    )
    return False


def _require_text(mapping: dict, path: tuple, key: str, report: _Report, *, required: bool) -> None:
    """A text field inside model-index (or another mapping): given as null or "" it is refused, as the
    Hub refuses it ("must be a string", "is not allowed to be empty"); leave an optional one out."""
    if key not in mapping:
        if required:
            report.add(path + (key,), "is required and must be text")
        return
    value = mapping[key]
    if value is None or value == "":
        if required:
            report.add(path + (key,), "is required and must be text")
        else:
            report.add(
                path + (key,), "is empty, which the Hub refuses: give it as text, or leave the key out"
            )
    elif not isinstance(value, str):
        report.add(path + (key,), f"must be text, not {describe_kind(value)}")


# Key-level metadata edits, for the guided editor ------------------------------------------------
#
# The guided editor changes a card's metadata one key at a time. Re-serialising the whole YAML would
# reorder keys, drop comments and restyle values nobody touched, so an edit replaces only the lines
# of the keys it changes and leaves every other byte where it was.


def metadata_for_editing(text: str) -> dict | None:
    """The front matter as `parse_card` reads it, even when the Hub's rules would refuse the card.

    The editor fills its fields from this, so a card with a bad licence can still be fixed there.
    None when the YAML itself cannot be read (or is not a mapping); {} when there is no front matter.
    """
    front = _front_matter(text)
    if front is None:
        return {}
    if not front.closed:
        return None
    if (
        len(text[front.yaml_start : front.closing_start].encode("utf-8", "surrogatepass"))
        > MAX_FRONT_MATTER_BYTES
    ):
        return None
    locations = _Locations(_LineNumbers(text), root_line=1, offset=front.yaml_start)
    try:
        metadata, _problems = _load_front_matter(text, front, locations)
    except yaml.YAMLError:
        return None
    return metadata if isinstance(metadata, dict) else None


def replace_body(text: str, body: str) -> str:
    """The text with everything after the front matter replaced by `body`; the front matter kept as is."""
    return text[: _body_start(text)] + body


def set_metadata_values(text: str, changes: dict) -> str:
    """The text with each top-level key in `changes` set to its value, every other byte unchanged.

    A key already present has its lines (key, value and any lines its value runs over) replaced by
    ``yaml.safe_dump`` of that key alone; a new key is added just before the closing `---`, and a
    front matter is started when the card has none. A value of None removes the key. Comments and
    blank lines between keys stay, as do the other keys' order and spelling and the whole body.
    Raises ValueError when the front matter cannot be read as a YAML mapping.
    """
    if not changes:
        return text
    first_break = _LINE_END.search(text)
    line_end = first_break.group() if first_break else "\n"
    front = _front_matter(text)
    if front is None:
        added = "".join(
            _dumped_key(key, value, line_end) for key, value in changes.items() if value is not None
        )
        if not added:
            return text
        start = 1 if text.startswith(_BOM) else 0
        return text[:start] + "---" + line_end + added + "---" + line_end + text[start:]
    if not front.closed:
        raise ValueError("the front matter is never closed with a `---` line")
    yaml_text = text[front.yaml_start : front.closing_start]
    spans = _top_level_key_spans(yaml_text)
    pieces, position, done = [], 0, set()
    for key, start, end in spans:
        if key not in changes:
            continue
        pieces.append(yaml_text[position:start])
        if key not in done and changes[key] is not None:
            pieces.append(_dumped_key(key, changes[key], line_end))
        done.add(key)
        position = end
    pieces.append(yaml_text[position:])
    for key, value in changes.items():
        if key not in done and value is not None:
            pieces.append(_dumped_key(key, value, line_end))
    return text[: front.yaml_start] + "".join(pieces) + text[front.closing_start :]


# Between top-level keys: blank lines and comments in the first column. (An indented `#` line may be
# the text of a block scalar, so it stays with its key.)
_COMMENT_OR_BLANK = re.compile(r"[ \t]*|#.*")


def _top_level_key_spans(yaml_text: str) -> list[tuple[str, int, int]]:
    """(key, start, end) offsets of each top-level key's lines, trailing comments and blanks left out.

    Composed by the card loader, which stops at MAX_DEPTH: PyYAML's own composer recurses once per
    level, so a few hundred nested `- ` would exhaust Python's stack.
    """
    try:
        loader = _CardLoader(yaml_text, lambda index: None)
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise ValueError(f"the front matter cannot be read: {exc}") from None
    if any(problem.message == _TOO_DEEP for problem in loader.problems):
        raise ValueError(f"the front matter's {_TOO_DEEP}")
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        raise ValueError("the front matter is not a mapping of `key: value` lines")
    line_starts = [0] + [match.end() for match in _LINE_END.finditer(yaml_text)]
    spans = []
    for key_node, value_node in root.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        first = bisect.bisect_right(line_starts, key_node.start_mark.index) - 1
        last = (
            bisect.bisect_right(line_starts, max(value_node.end_mark.index - 1, key_node.start_mark.index))
            - 1
        )
        while last > first and _COMMENT_OR_BLANK.fullmatch(_line_at(yaml_text, line_starts, last)):
            last -= 1
        end = line_starts[last + 1] if last + 1 < len(line_starts) else len(yaml_text)
        spans.append((key_node.value, line_starts[first], end))
    return spans


def _line_at(text: str, line_starts: list[int], number: int) -> str:
    end = line_starts[number + 1] if number + 1 < len(line_starts) else len(text)
    return text[line_starts[number] : end].rstrip("\r\n")


# Strings a YAML 1.2 reader (the Hub's) would take for numbers although PyYAML's 1.1 rules do not.
_YAML12_NUMBER = re.compile(
    r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+"
)


class _QuotingDumper(yaml.SafeDumper):
    """Quotes every string that some YAML reader would not read back as the same string."""


def _represent_text(dumper: yaml.SafeDumper, value: str):
    style = "'" if _YAML12_NUMBER.fullmatch(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_QuotingDumper.add_representer(str, _represent_text)


def _dumped_key(key: str, value, line_end: str) -> str:
    dumped = yaml.dump(
        {key: value},
        Dumper=_QuotingDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return dumped.replace("\n", line_end)


def as_list(value) -> list[str]:
    """Hub fields such as `tags` may be one string or a list of strings."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


def parse_or_problems(text: str) -> tuple[CardFile | None, list[str]]:
    """Parse and check a README.md that someone submits, returning either the card file or every
    problem as a message.

    Every way a card text arrives (suggestion, revision, direct edit, accepted or merged text, upload,
    paste, command-line import, Model Openness Tool import) comes through here, so this is where text
    holding a direction override or a control character (hidden_characters.REFUSED) is refused, each
    one located by line and column, whether written as itself or as an escape in a quoted YAML value.
    Texts already stored are read with `parse_card`, which does not refuse them.
    """
    if hidden := hidden_problems(text):
        return None, hidden
    try:
        card_file = parse_card(text)
    except CardFileError as exc:
        return None, [str(problem) for problem in exc.problems]
    if escaped := _escaped_hidden_problems(text):
        return None, escaped
    try:
        check_renderable(card_file.body)
    except MarkdownRefused as exc:
        return None, [str(exc)]
    return card_file, []


def _escaped_hidden_problems(text: str) -> list[str]:
    """Refused characters that the front matter spells as escapes (`"\\u202e"`, `"\\e"`), located at
    the quoted scalar holding them. Only for a text `parse_card` has read: its YAML composes."""
    front = _front_matter(text)
    if front is None or not front.closed:
        return []
    source = text[front.yaml_start : front.closing_start]
    if "\\" not in source:  # only a double-quoted scalar's escapes can spell them
        return []
    composer = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    try:
        root = yaml.compose(source, Loader=composer)
    except yaml.YAMLError:
        return []
    first_line = _LineNumbers(text).line_of(front.yaml_start)
    problems: list[str] = []

    def visit(node, path: tuple, what: str = "value") -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                visit(key_node, path, "key")
                visit(value_node, path + (getattr(key_node, "value", ""),))
        elif isinstance(node, yaml.SequenceNode):
            for position, item in enumerate(node.value):
                visit(item, path + (position,))
        elif isinstance(node, yaml.ScalarNode) and contains_hidden(node.value):
            character = next(ch for ch in node.value if contains_hidden(ch))
            line, column = first_line + node.start_mark.line, node.start_mark.column + 1
            problems.append(
                f"line {line}: {_path_text(path) or 'front matter'}: the quoted {what} at column {column} "
                f"spells {describe(character)} as an escape, which is not allowed; remove it"
            )

    visit(root, ())
    return problems


def card_warnings(text: str) -> tuple[Problem, ...]:
    """What `parse_card` warns about in a README.md, whether or not the card also has errors."""
    try:
        return parse_card(text).warnings
    except CardFileError as exc:
        return tuple(exc.warnings)
