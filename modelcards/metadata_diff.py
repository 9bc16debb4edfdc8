"""Two versions of a card's metadata compared key by key and list item by list item, as short lines.

Plain data in, plain data out: values arrive as the YAML reader gives them (any nesting, any key type)
and leave as short strings that templates escape. A person reading a diff asks "which tag was added,
which score changed"; a whole top-level value shown twice answers neither, so the comparison goes down
to the scalar that differs and names where it sits.

How lists are compared, on purpose kept simple:
- Items are matched, not lined up by position: an item added in the middle is one "added" line, and
  an item that only moved is never shown as removed and added. When the kept items come in another
  order, the list gets one "reordered" line.
- An equal item matches an equal item (duplicates pair in turn). A mapping otherwise matches the
  mapping with the same label on the other side: a model-index result by its task and dataset, any
  other mapping by its `name`, else `type`, else `id`; what differs inside a matched pair is listed
  at its own path. Mappings without a label pair in turn; anything left is added or removed whole.
- In a path, a matched item is named by its label where that label is unique in both lists, else by
  its position in the newer list: `model-index[gpt2].results[text-generation on HellaSwag]
  .metrics[Accuracy].value`.

The work is a few passes over both values (each list item is read once per list that holds it, and
the card format caps nesting at 10 levels), the lines kept are capped (the rest only counted), and
every shown value and path is cut short, so neither the time nor the page grows without bound.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections import Counter, defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import islice, pairwise

__all__ = ["MAX_METADATA_CHANGES", "MetadataChange", "MetadataDiff", "diff_metadata"]

# Lines listed; beyond them a diff only counts (a changed model-index can touch thousands of values).
MAX_METADATA_CHANGES = 100
# A value or a path is shown up to about this many characters, then cut with "…".
MAX_SHOWN_CHARS = 160
MAX_PATH_CHARS = 240
_MAX_LABEL_CHARS = 80
# Below this depth, differing values are shown whole instead of compared further. The card format
# allows 10 levels, so real metadata never reaches it; it keeps odd input from exhausting the stack.
_MAX_DEPTH = 24

_ABSENT = object()


@dataclass(frozen=True, slots=True)
class MetadataChange:
    """One difference at `path`: "added", "removed", "changed" (old -> new) or "reordered" (a list).

    An item added to or removed from a list has the list's path; `old` and `new` are the values as
    short text, "" on the side that has none.
    """

    path: str
    kind: str
    old: str = ""
    new: str = ""


@dataclass(frozen=True, slots=True)
class MetadataGroup:
    """Consecutive changes at one path, so that a list's additions read together under its name."""

    path: str
    changes: tuple[MetadataChange, ...]


@dataclass(frozen=True, slots=True)
class MetadataDiff:
    """The first changes found, in document order, and how many more there are (`more`).

    `readable` is False when one side's metadata could not be read at all, so nothing was compared.
    """

    changes: tuple[MetadataChange, ...] = ()
    more: int = 0
    readable: bool = True

    def __bool__(self) -> bool:
        return bool(self.changes)

    @property
    def total(self) -> int:
        return len(self.changes) + self.more

    @property
    def groups(self) -> tuple[MetadataGroup, ...]:
        groups: list[MetadataGroup] = []
        for change in self.changes:
            if groups and groups[-1].path == change.path:
                groups[-1] = MetadataGroup(change.path, (*groups[-1].changes, change))
            else:
                groups.append(MetadataGroup(change.path, (change,)))
        return tuple(groups)


def diff_metadata(old, new, *, limit: int = MAX_METADATA_CHANGES) -> MetadataDiff:
    """What changed from metadata `old` to `new` (mappings; None counts as empty), key by key.

    Keys come in the new order, then keys removed in the old order; a scalar that changed, even only
    in type (1, 1.0, true and "1" all differ), is one "changed" line at its full path.
    """
    found = _Found(limit)
    _compare(found, {} if old is None else old, {} if new is None else new, (), 0)
    return MetadataDiff(tuple(found.changes), found.more)


# --------------------------------------------------------------------------------------
# The comparison


class _Found:
    """Collects changes: the first `limit` are written out, the rest only counted."""

    def __init__(self, limit: int):
        self.limit = limit
        self.changes: list[MetadataChange] = []
        self.more = 0

    def add(self, path: tuple, kind: str, old=_ABSENT, new=_ABSENT) -> None:
        if len(self.changes) >= self.limit:
            self.more += 1
            return
        self.changes.append(
            MetadataChange(
                _path_text(path),
                kind,
                "" if old is _ABSENT else _shown(old),
                "" if new is _ABSENT else _shown(new),
            )
        )


def _is_list(value) -> bool:
    return isinstance(value, list | tuple)


def _compare(found: _Found, old, new, path: tuple, depth: int) -> None:
    if depth < _MAX_DEPTH and isinstance(old, Mapping) and isinstance(new, Mapping):
        _compare_mappings(found, old, new, path, depth)
    elif depth < _MAX_DEPTH and _is_list(old) and _is_list(new):
        _compare_lists(found, old, new, path, depth)
    elif not _same(old, new):
        found.add(path, "changed", old, new)


def _same(a, b) -> bool:
    """Equal and of the same type: YAML's 1, 1.0 and true are different values to a reader."""
    if isinstance(a, Mapping | list | tuple) or isinstance(b, Mapping | list | tuple):
        return type(a) is type(b) and _canonical(a) == _canonical(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return repr(a) == repr(b)  # NaN equals NaN here, and -0.0 is written differently from 0.0
    return a == b


def _key_id(key) -> tuple:
    # Python treats 1, 1.0 and True as one dict key; written in YAML they are three different keys.
    return (type(key).__name__, key)


def _compare_mappings(found: _Found, old: Mapping, new: Mapping, path: tuple, depth: int) -> None:
    old_keys = {_key_id(key): key for key in old}
    new_ids = set()
    for key, value in new.items():
        key_id = _key_id(key)
        new_ids.add(key_id)
        if key_id not in old_keys:
            found.add((*path, ("key", key)), "added", new=value)
        else:
            _compare(found, old[old_keys[key_id]], value, (*path, ("key", key)), depth + 1)
    for key_id, key in old_keys.items():
        if key_id not in new_ids:
            found.add((*path, ("key", key)), "removed", old=old[key])


def _compare_lists(found: _Found, old, new, path: tuple, depth: int) -> None:
    pairs, removed, added = _match_items(old, new)
    for index in removed:
        found.add(path, "removed", old=old[index])
    for index in added:
        found.add(path, "added", new=new[index])
    in_old_order = [j for _, j, _ in sorted(pairs)]
    if any(later < earlier for earlier, later in pairwise(in_old_order)):
        found.add(path, "reordered")
    inner = [(i, j) for i, j, equal in pairs if not equal]
    if not inner:
        return
    old_labels = Counter(_label(item) for item in old)
    new_labels = Counter(_label(item) for item in new)
    for i, j in sorted(inner, key=lambda pair: pair[1]):
        label = _label(new[j])
        named = label is not None and label == _label(old[i]) and old_labels[label] == new_labels[label] == 1
        step = ("item", label) if named else ("index", j)
        _compare(found, old[i], new[j], (*path, step), depth + 1)


def _match_items(old, new) -> tuple[list[tuple[int, int, bool]], list[int], list[int]]:
    """Pairs (old index, new index, equal?) and the old and new items left unpaired, each in order."""
    pairs: list[tuple[int, int, bool]] = []
    by_value: defaultdict[str, deque[int]] = defaultdict(deque)
    for i, item in enumerate(old):
        by_value[_canonical(item)].append(i)
    left_new = []
    for j, item in enumerate(new):
        waiting = by_value.get(_canonical(item))
        if waiting:
            pairs.append((waiting.popleft(), j, True))
        else:
            left_new.append(j)
    left_old = sorted(i for waiting in by_value.values() for i in waiting)
    # Then mappings by label, and the unlabelled containers of one kind in turn.
    for kind in ("label", "container"):
        waiting_old: defaultdict[object, deque[int]] = defaultdict(deque)
        for i in left_old:
            if (key := _pairing_key(old[i], kind)) is not None:
                waiting_old[key].append(i)
        still_new, taken = [], set()
        for j in left_new:
            key = _pairing_key(new[j], kind)
            if key is not None and waiting_old.get(key):
                i = waiting_old[key].popleft()
                pairs.append((i, j, False))
                taken.add(i)
            else:
                still_new.append(j)
        left_old = [i for i in left_old if i not in taken]
        left_new = still_new
    return pairs, left_old, left_new


def _pairing_key(item, kind: str):
    label = _label(item)
    if kind == "label":
        return label
    if label is None and isinstance(item, Mapping):
        return "mapping"
    return "list" if label is None and _is_list(item) else None


# --------------------------------------------------------------------------------------
# Labels: what a person calls a list item


def _text_of(value, keys: tuple[str, ...]) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, Mapping):
        for key in keys:
            if isinstance(value.get(key), str) and value[key].strip():
                return value[key].strip()
    return None


def _label(item) -> str | None:
    """A model-index result's task and dataset, another mapping's name, type or id; None for the rest."""
    if not isinstance(item, Mapping):
        return None
    if "task" in item or "dataset" in item:
        task = _text_of(item.get("task"), ("type", "name"))
        dataset = _text_of(item.get("dataset"), ("name", "type"))
        if dataset and isinstance(item.get("dataset"), Mapping):
            details = [
                item["dataset"][key]
                for key in ("config", "split")
                if isinstance(item["dataset"].get(key), str) and item["dataset"][key].strip()
            ]
            if details:
                dataset += f" ({', '.join(details)})"
        return " on ".join(part for part in (task, dataset) if part) or None
    return _text_of(item, ("name", "type", "id"))


# --------------------------------------------------------------------------------------
# Values and paths as short text


def _canonical(value) -> str:
    """One string per distinct value, types included and mapping order ignored, built without recursion
    so that no nesting can exhaust the stack."""
    out: list[str] = []
    stack: list = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is _Mark or kind is str:
            out.append(item if kind is _Mark else repr(item))
        elif kind is dict or (kind is not list and isinstance(item, Mapping)):
            entries = sorted(
                (repr(key) if type(key) is str else _canonical_key(key), child) for key, child in item.items()
            )
            out.append("{")
            stack.append(_Mark("}"))
            for key, child in reversed(entries):
                stack += [_Mark(","), child, _Mark(key + ":")]
        elif kind is list or kind is tuple:
            out.append("[")
            stack.append(_Mark("]"))
            for child in reversed(item):
                stack += [_Mark(","), child]
        elif kind is int:
            out.append(f"int:{item:x}")  # Python refuses to write out an integer of over 4,300 digits
        else:
            out.append(f"{kind.__name__}:{item!r}")
    return "".join(out)


def _canonical_key(key) -> str:
    return f"{type(key).__name__}:{key!r}" if not isinstance(key, tuple) else _canonical(key)


class _Mark(str):
    """Punctuation pushed on `_canonical`'s stack, told apart from string values by its type."""


# A string is shown bare when nobody could read it as anything else; otherwise quoted, as in YAML.
_PLAIN = re.compile(r"[^\s\"'`\[\]{},#&*!|>%@?:\-]|[-?:](?=[^\s])")
_AWKWARD = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\"\[\]{},]|: | #|\s$")
_NOT_A_STRING = re.compile(
    r"(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o[0-7_]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
    r"|~|null|Null|NULL|y|Y|n|N|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)"
)


def _scalar_text(value) -> str:
    if isinstance(value, str):
        if _PLAIN.match(value) and not _AWKWARD.search(value) and not _NOT_A_STRING.fullmatch(value):
            return value
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        return repr(value) if math.isfinite(value) else ("-.inf" if value < 0 else ".inf")
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # over Python's 4,300-digit limit for writing integers out
            return f"(an integer of {value.bit_length():,} bits)"
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(value, limit: int = MAX_SHOWN_CHARS) -> str:
    """`value` in YAML's flow style (`[en, fr]`, `{type: wer, value: 2.1}`), cut at about `limit`."""
    out: list[str] = []
    size = 0
    stack: list = [value]
    while stack and size <= limit:
        item = stack.pop()
        if type(item) is _Mark:
            piece = str(item)
        elif isinstance(item, Mapping):
            piece = "{"
            stack.append(_Mark("}"))
            # Only the first few entries can be shown; reading more would cost without showing anything.
            entries = list(islice(item.items(), limit))
            for number, (key, child) in reversed(list(enumerate(entries))):
                stack += [child, _Mark(_cut(_scalar_text(key), limit) + ": ")]
                if number:
                    stack.append(_Mark(", "))
        elif _is_list(item):
            piece = "["
            stack.append(_Mark("]"))
            children = list(islice(item, limit))
            for number, child in reversed(list(enumerate(children))):
                stack.append(child)
                if number:
                    stack.append(_Mark(", "))
        else:
            piece = _cut(_scalar_text(item), limit + 1)
        out.append(piece)
        size += len(piece)
    return _cut("".join(out), limit) if not stack else "".join(out)[: limit - 1] + "…"


_AWKWARD_IN_LABEL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\"\[\]]")


def _label_text(label: str) -> str:
    """A label as written in a path: quoted when it could pass for a position or holds a bracket."""
    if _NOT_A_STRING.fullmatch(label) or _AWKWARD_IN_LABEL.search(label):
        return json.dumps(label, ensure_ascii=False)
    return label


def _path_text(path: tuple) -> str:
    """`model-index[gpt2].results[0].metrics[Accuracy].value`: keys after dots, list items in brackets."""
    parts = []
    for kind, value in path:
        if kind == "key":
            text = _scalar_text(value)
            if isinstance(value, str) and text == value and ("." in text or "[" in text):
                text = json.dumps(value, ensure_ascii=False)  # a dot or bracket would read as a step
            text = _cut(text, _MAX_LABEL_CHARS)
            parts.append(text if not parts else "." + text)
        elif kind == "index":
            parts.append(f"[{value}]")
        else:
            parts.append(f"[{_cut(_label_text(value), _MAX_LABEL_CHARS)}]")
    text = "".join(parts) or "(all metadata)"
    if len(text) > MAX_PATH_CHARS:
        text = text[: MAX_PATH_CHARS // 3] + "…" + text[-(MAX_PATH_CHARS - MAX_PATH_CHARS // 3 - 1) :]
    return text
