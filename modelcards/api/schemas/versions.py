"""A card's versions, its history, and the difference between two versions."""

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from .common import PageLinks, Person


class VersionRow(Schema):
    number: int
    created_at: datetime
    size: int = Field(description="Bytes of the README.md at this version.")
    size_delta: int
    url: str = Field(description="Path of the version in the API.")
    readme: str = Field(description="Path of the README.md at this version.")


class VersionList(PageLinks):
    results: list[VersionRow]


class HistoryEntry(Schema):
    number: int
    kind: str = Field(description="created, imported, edited, suggestion, reverted, marked, resolved, …")
    kind_label: str
    author: Person | None = Field(
        description="Who wrote the change; null for an import without one, or when the name is hidden."
    )
    moderator: Person | None = Field(description="Who accepted it, for accepted suggestions.")
    summary: str | None = Field(description="Why it was made; null when the moderators hid it.")
    hidden: list[str] = Field(
        description="Parts of this version the moderators hid: text, summary, author (null or absent here)."
    )
    merge_note: str
    created_at: datetime
    size: int
    size_delta: int
    suggestion: int | None = Field(description="The suggestion it came from, if any.")
    url: str


class History(PageLinks):
    results: list[HistoryEntry]


class VersionOpenness(Schema):
    mof_class: int
    mof_conditional: bool
    licence_type: str
    flags: list[str]
    completeness: int


class VersionDetail(HistoryEntry):
    title: str | None = Field(description="The card's title at this version; null when its text is hidden.")
    current: bool = Field(description="This is the card's current version.")
    metadata: dict[str, Any] | None = Field(
        description="The front matter at this version; null when its text is hidden."
    )
    openness: VersionOpenness | None = Field(
        description="The openness summary stored with this version; null when its text is hidden."
    )
    readme: str
    html_url: str
    previous: int | None
    next: int | None


class Segment(Schema):
    text: str
    changed: bool = Field(description="A word that differs from the paired line.")


class Row(Schema):
    kind: str = Field(description="equal, delete, insert or replace (an old line and the one replacing it).")
    old_no: int | None = Field(description="Line number in the older README.md, null for an added line.")
    new_no: int | None
    old: list[Segment]
    new: list[Segment]


class Hunk(Schema):
    header: str = Field(description="As in a unified diff: @@ -12,7 +12,8 @@")
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    skipped_before: int = Field(description="Equal lines before this hunk that are not shown.")
    rows: list[Row]


class TextDiff(Schema):
    added: int
    removed: int
    too_large: bool = Field(
        description="More rows than `row_limit` would be needed: no hunks, only the counts; fetch both "
        "README.md files to compare them yourself."
    )
    row_limit: int
    skipped_after: int
    hunks: list[Hunk]


class MetadataChange(Schema):
    path: str = Field(description="Where in the front matter, e.g. model-index[gpt2].results[…].value")
    kind: str = Field(description="added, removed, changed or reordered.")
    old: str
    new: str


class MetadataDiff(Schema):
    readable: bool
    changes: list[MetadataChange]
    more: int = Field(description="Further changes not listed (at most 100 are).")


class Diff(Schema):
    card: str
    old: int = Field(description="The version compared from.")
    new: int = Field(description="The version compared to.")
    identical: bool
    metadata: MetadataDiff
    front_matter: TextDiff | None = Field(description="The front matter's lines, when they differ.")
    body: TextDiff = Field(description="The Markdown body's lines; numbers are those of the whole README.md.")
    old_readme: str
    new_readme: str
