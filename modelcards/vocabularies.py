"""The Hugging Face Hub's licence identifiers and task tags, read once from the files in data/."""

import json
from dataclasses import dataclass
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data"

# Display order: the open types first, most to least permissive, then the closed ones.
LICENCE_TYPES: tuple[str, ...] = (
    "permissive",
    "copyleft",
    "open-data",
    "open-documentation",
    "use-restricted",
    "non-commercial",
    "proprietary",
    "unknown",
)

_OPEN_TYPES = frozenset({"permissive", "copyleft", "open-data", "open-documentation"})
_KINDS = frozenset({"code", "data", "content"})

_TYPE_LABELS = {
    "permissive": "Permissive",
    "copyleft": "Copyleft",
    "open-data": "Open data",
    "open-documentation": "Open documentation",
    "use-restricted": "Use-restricted (RAIL)",
    "non-commercial": "Non-commercial",
    "proprietary": "Proprietary",
    "unknown": "Unknown",
}


@dataclass(frozen=True)
class Licence:
    """One licence identifier a card may put in its `license:` field, with what its terms allow."""

    id: str
    name: str
    type: str
    osi_approved: bool
    kind: str | None
    suits_every_kind: bool = False  # written for code, data and documents alike (OpenMDW)

    @property
    def is_open(self) -> bool:
        """Open in the Model Openness Framework's sense: use, study, change and share for any purpose."""
        return self.type in _OPEN_TYPES


def _read(filename: str) -> dict:
    return json.loads((_DATA / filename).read_text(encoding="utf-8"))


def _load_licences() -> dict[str, Licence]:
    """Check the table while reading it, so a bad edit to the JSON fails at start-up, not on a page."""
    licences: dict[str, Licence] = {}
    for row in _read("licenses.json")["licenses"]:
        licence = Licence(
            id=row["id"],
            name=row["name"],
            type=row["type"],
            osi_approved=bool(row["osi_approved"]),
            kind=row["kind"],
            suits_every_kind=bool(row.get("suits_every_kind", False)),
        )
        if licence.id in licences:
            raise ValueError(f"licenses.json lists {licence.id!r} twice")
        if licence.type not in LICENCE_TYPES:
            raise ValueError(f"licenses.json gives {licence.id!r} an unknown type {licence.type!r}")
        if licence.kind is not None and licence.kind not in _KINDS:
            raise ValueError(f"licenses.json gives {licence.id!r} an unknown kind {licence.kind!r}")
        licences[licence.id] = licence
    return licences


LICENCES: dict[str, Licence] = _load_licences()

PIPELINE_TAGS: dict[str, str] = {task["id"]: task["name"] for task in _read("pipeline_tags.json")["tasks"]}


def get_licence(identifier: str | None) -> Licence | None:
    """The Hub matches licence ids exactly, so we do too: `Apache-2.0` is not a Hub id."""
    if not identifier:
        return None
    return LICENCES.get(identifier)


def licence_type_label(type_: str) -> str:
    """A reader-facing name for a licence type; an unexpected value is shown as it is."""
    return _TYPE_LABELS.get(type_, type_)
