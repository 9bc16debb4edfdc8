"""The dump format: what each line of each file holds, and how it is written and read back.

A dump is a folder of four files:

- ``cards.jsonl.gz``: one JSON object a line for each card as it is now, by slug: ``slug``, ``title``,
  ``version`` (the current version's number), ``created_at``, ``updated_at``, ``readme`` (the
  README.md, byte for byte once encoded as UTF-8), ``summary`` (the plain-language summary, or null),
  ``license``, ``pipeline_tag``, ``metadata`` (the front matter as JSON), ``openness`` (what
  ``/cards/<slug>/openness.json`` serves: the MOF class and its progress, flags, licence lineage,
  completeness, each claim's sources and who asserted it) and ``claim_provenance`` (the site's own
  record of who asserted each claim, in which version and when);
- ``history.jsonl.gz``: one line for every version of every card, by slug then number: ``slug``,
  ``number``, ``kind`` (created, imported, edited, suggestion, reverted, marked, resolved, mot-import),
  ``author`` (the name shown on the history page: an account's username, or the name an anonymous
  author gave, "" for none), ``author_account`` (whether that name is an account's), ``moderator``
  (who approved it, or null), ``summary``, ``merge_note``, ``created_at`` and ``text``; a version
  whose parts the moderators hid from the public has them empty and names them in ``hidden``
  (``text``, ``summary``, ``author``), and loading keeps them hidden (a hidden text is loaded as the
  text before it);
- ``SHA256SUMS``: the SHA-256 of the two data files, as ``sha256sum -c SHA256SUMS`` checks them;
- ``manifest.json``: the format and its version, when the dump was made, the site, the counts, and
  each data file's size, checksum and number of lines.

Times are UTC in ISO 8601 with microseconds. Keys are sorted and nothing but the text says when the
dump was made except the manifest's ``created_at``, so dumping the same site twice gives the same
bytes (gzip is written without a file name or time). Lines end with ``\\n`` alone; a line break inside
a text is escaped by JSON, so every line is one record.
"""

import gzip
import json
from datetime import UTC, datetime

FORMAT = "model-card-commons-dump"
FORMAT_VERSION = 1
CARDS_FILE = "cards.jsonl.gz"
HISTORY_FILE = "history.jsonl.gz"
SUMS_FILE = "SHA256SUMS"
MANIFEST_FILE = "manifest.json"
DATA_FILES = (CARDS_FILE, HISTORY_FILE)
FILES = (CARDS_FILE, HISTORY_FILE, SUMS_FILE, MANIFEST_FILE)

# What the loader needs from each line, and the JSON types it must have.
CARD_FIELDS = {
    "slug": str,
    "version": int,
    "readme": str,
    "created_at": str,
    "updated_at": str,
    "claim_provenance": dict,
}
VERSION_FIELDS = {
    "slug": str,
    "number": int,
    "kind": str,
    "author": str,
    "author_account": bool,
    "moderator": (str, type(None)),
    "summary": str,
    "merge_note": str,
    "created_at": str,
    "text": str,
}


class DumpError(Exception):
    """A dump that cannot be written or loaded, with a message for the person running the command."""


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_timestamp(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} names no time zone")
    return moment


def encode(record: dict) -> bytes:
    """One line: compact JSON with sorted keys, so the same data always gives the same bytes."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def read_records(path, fields: dict):
    """(line number, record) for each line of a gzip-compressed JSON Lines file, checked against `fields`."""
    name = path.name
    try:
        with gzip.open(path, "rb") as lines:
            for number, line in enumerate(lines, start=1):
                try:
                    record = json.loads(line)
                except ValueError as exc:
                    raise DumpError(f"{name} line {number}: not a JSON object ({exc}).") from None
                if problem := _shape_problem(record, fields):
                    raise DumpError(f"{name} line {number}: {problem}.")
                yield number, record
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise DumpError(f"{name} cannot be read as gzip: {exc}.") from None


def _shape_problem(record, fields: dict) -> str:
    if not isinstance(record, dict):
        return "not a JSON object"
    for key, kind in fields.items():
        if key not in record:
            return f"'{key}' is missing"
        value = record[key]
        if isinstance(value, bool) and kind is int:
            return f"'{key}' must be a number"
        if not isinstance(value, kind):
            return f"'{key}' has the wrong type ({type(value).__name__})"
    for key in ("created_at", "updated_at"):
        if key in fields:
            try:
                parse_timestamp(record[key])
            except ValueError:
                return f"'{key}' is not a time with its zone: {record[key]!r}"
    return ""
