"""The openness record a card carries in its YAML, read and checked.

The record lives under one namespaced key, so the README.md stays a valid Hub card (the Hub ignores
keys it does not know). Everything is optional:

    modelcardcommons:
      openness:
        licenses:                # defaults, as the Model Openness Tool's release.license
          distribution: Apache-2.0
          code: MIT              # or {license: MIT, license_link: https://...}
        data_information: what is known about the training data, and what cannot be shared
        components:
          final_parameters:
            availability: open   # open (the default), partial, closed or unknown
            license: Apache-2.0  # any text: an SPDX id or expression, a Hub id, `unlicensed`, a name
            link: https://...    # where the component is
            license_link: https://...
            evidence: [https://..., https://...]
            checked: 2026-11-30  # when someone last checked the claim against its sources
      evidence:                  # sources for the card's own claims, outside the record
        license: {sources: [https://...], checked: 2026-11-30}
      disputes:                  # markers people set; see disputes.py
        - {claim: components.final_parameters, kind: disputed, reason: ..., by: alice, opened: 2026-12-01}
      summary: >-                # the reviewed plain-language summary shown first on the card page
        Predicts ... for ...; right about 9 times in 10 on ...; fails on ...

The summary is plain text (shown escaped, line breaks kept, no Markdown) of at most
MAX_SUMMARY_CHARS characters: what the model predicts, about whom, how well, and where it fails.

A released component's licence is its own `license`, else the record's default for its content
type, else `distribution`, else the card's top-level `license` (the tool's resolution order, with
the card's licence as the last default). `license: unlicensed` (or an empty text) says there is
none, and stops the defaults from applying. No licence text ever makes a card unsaveable: text that
names no licence is kept as written, warned about, and does not count as open.
"""

import datetime
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..wording import describe_kind, did_you_mean
from .licences import CONTENT_TYPES, UNLICENSED, LicenceReading, read_licence
from .mof import COMPONENTS, COMPONENTS_BY_KEY, Component

NAMESPACE = "modelcardcommons"
RECORD = "openness"
EVIDENCE = "evidence"
DISPUTES = "disputes"
SUMMARY = "summary"
NAMESPACE_KEYS = (RECORD, EVIDENCE, DISPUTES, SUMMARY)
# A few sentences a reader takes in at a glance; anything longer belongs in the card's sections.
MAX_SUMMARY_CHARS = 600
MAX_DATA_INFORMATION = 5000
MAX_SOURCES = 20
MAX_LICENCE_TEXT = 300

AVAILABILITIES = ("open", "partial", "closed", "unknown")
DEFAULT_KEYS = ("distribution",) + CONTENT_TYPES
_RECORD_KEYS = ("licenses", "data_information", "components")
COMPONENT_KEYS = ("availability", "license", "link", "license_link", "evidence", "checked")
CARD_CLAIMS = {
    "license": "The card's licence",
    "datasets": "Training datasets named in the metadata",
    "eval_results": "Evaluation results (model-index)",
}
_EVIDENCE_KEYS = ("sources", "checked")


def namespace_of(metadata) -> dict:
    namespace = metadata.get(NAMESPACE) if isinstance(metadata, dict) else None
    return namespace if isinstance(namespace, dict) else {}


def record_of(metadata) -> dict | None:
    """The openness mapping from parsed metadata, or None when the card has none."""
    record = namespace_of(metadata).get(RECORD)
    return record if isinstance(record, dict) else None


def summary_of(metadata) -> str:
    """The plain-language summary as written, without surrounding blank space; "" when there is none."""
    value = namespace_of(metadata).get(SUMMARY)
    return value.strip() if isinstance(value, str) else ""


def data_information(metadata) -> str:
    value = (record_of(metadata) or {}).get("data_information")
    return value.strip() if isinstance(value, str) else ""


def _text(value) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def _url(value) -> str:
    """Only absolute http(s) links are ever shown; validation refuses the rest when a card is saved."""
    value = _text(value)
    return value if is_http_url(value) else ""


def _urls(value) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    return tuple(dict.fromkeys(url for url in (_url(item) for item in values[:MAX_SOURCES]) if url))


def _date(value) -> str:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()[:10]
    text = _text(value)
    return text if _ISO_DATE.fullmatch(text) and _valid_date(text) else ""


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _valid_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


# Reading it ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentClaim:
    """What the record says of one component, with the licence that applies to it resolved."""

    component: Component
    recorded: bool
    availability: str  # "" when the record does not mention the component
    licence: LicenceReading | None  # the licence that applies, when released; None when none does
    licence_from: str  # "component", a content type, "distribution", "card" or ""
    link: str
    licence_link: str
    evidence: tuple[str, ...]
    checked: str

    @property
    def released(self) -> bool:
        return self.availability == "open"

    @property
    def claim_key(self) -> str:
        return f"components.{self.component.key}"


def default_licences(metadata) -> dict[str, tuple[str, str]]:
    """The record's licence defaults: distribution/code/data/document -> (licence text, link)."""
    defaults = (record_of(metadata) or {}).get("licenses")
    found = {}
    for key in DEFAULT_KEYS:
        value = defaults.get(key) if isinstance(defaults, dict) else None
        if isinstance(value, dict):
            text, link = _text(value.get("license")), _url(value.get("license_link"))
        else:
            text, link = _text(value), ""
        if text:
            found[key] = (text, link)
    return found


def component_claims(metadata) -> tuple[ComponentClaim, ...]:
    """Every framework component as the record gives it, in the framework's order."""
    record = record_of(metadata) or {}
    entries = record.get("components")
    entries = entries if isinstance(entries, dict) else {}
    defaults = default_licences(metadata)
    card_licence = _text(metadata.get("license")) if isinstance(metadata, dict) else ""
    claims = []
    for component in COMPONENTS:
        entry = entries.get(component.key)
        entry = entry if isinstance(entry, dict) else None
        availability = _text(entry.get("availability")) if entry else ""
        if entry is not None and availability not in AVAILABILITIES:
            availability = "open" if not availability else "unknown"
        licence, licence_from, licence_link = None, "", ""
        if availability == "open":
            licence, licence_from, licence_link = _resolve(entry, component, defaults, card_licence)
        claims.append(
            ComponentClaim(
                component=component,
                recorded=entry is not None,
                availability=availability,
                licence=licence,
                licence_from=licence_from,
                link=_url(entry.get("link")) if entry else "",
                licence_link=_url(entry.get("license_link")) if entry else licence_link,
                evidence=_urls(entry.get("evidence")) if entry else (),
                checked=_date(entry.get("checked")) if entry else "",
            )
        )
    return tuple(claims)


def _resolve(entry: dict, component: Component, defaults: dict, card_licence: str):
    """(reading, where it came from, link): the tool's order, then the card's own licence."""
    if "license" in entry and entry["license"] is not None:
        own = _text(entry["license"])
        return read_licence(own or UNLICENSED), "component", ""
    for key in (component.content_type, "distribution"):
        if key in defaults:
            text, link = defaults[key]
            return read_licence(text), key, link
    if card_licence:
        return read_licence(card_licence), "card", ""
    return read_licence(UNLICENSED), "", ""


def released_licences(claims) -> dict:
    """Component key -> licence reading, for the released components: what mof.evaluate takes."""
    return {claim.component.key: claim.licence for claim in claims if claim.released}


@dataclass(frozen=True)
class CardClaimEvidence:
    claim: str
    sources: tuple[str, ...]
    checked: str


def card_claim_evidence(metadata) -> dict[str, CardClaimEvidence]:
    """Sources given for the card's own claims (licence, datasets, evaluation results)."""
    evidence = namespace_of(metadata).get(EVIDENCE)
    found = {}
    for claim in CARD_CLAIMS:
        entry = evidence.get(claim) if isinstance(evidence, dict) else None
        if isinstance(entry, dict):
            found[claim] = CardClaimEvidence(claim, _urls(entry.get("sources")), _date(entry.get("checked")))
    return found


# Checking it when a card is saved --------------------------------------------------------------


def record_problems(record, metadata: dict) -> list:
    problems: list[tuple[tuple, str, str]] = []
    path = (NAMESPACE, RECORD)
    if not isinstance(record, dict):
        shape = "`components:`, `licenses:` and `data_information:`"
        return [(path, f"must be a mapping with {shape}, not {describe_kind(record)}", "error")]
    for key in record:
        if key not in _RECORD_KEYS:
            message = f"is not part of the openness record{did_you_mean(key, _RECORD_KEYS, n=1)}"
            problems.append((path + (key,), message, "error"))
    information = record.get("data_information")
    if information is not None and not isinstance(information, str):
        problems.append(
            (path + ("data_information",), f"must be text, not {describe_kind(information)}", "error")
        )
    elif isinstance(information, str) and len(information) > MAX_DATA_INFORMATION:
        message = (
            f"is {len(information):,} characters; keep it under {MAX_DATA_INFORMATION:,} and link to details"
        )
        problems.append((path + ("data_information",), message, "error"))
    problems += _defaults_problems(record.get("licenses"), path + ("licenses",))
    components = record.get("components")
    if components is None:
        return problems
    if not isinstance(components, dict):
        message = f"must be a mapping of component names to details, not {describe_kind(components)}"
        return problems + [(path + ("components",), message, "error")]
    licensed = bool(_text(metadata.get("license"))) or bool(default_licences(metadata))
    for key, entry in components.items():
        where = path + ("components", key)
        if key not in COMPONENTS_BY_KEY:
            problems.append(
                (where, f"is not a Model Openness Framework component{_component_hint(key)}", "error")
            )
            continue
        problems += component_problems(entry, where, licensed=licensed)
    return problems


def _component_hint(key) -> str:
    normalised = re.sub(r"[^a-z0-9]+", "_", str(key).lower()).strip("_")
    names = {c.name.lower(): c.key for c in COMPONENTS}
    hint = names.get(str(key).lower()) or (normalised if normalised in COMPONENTS_BY_KEY else "")
    return f"; did you mean '{hint}'?" if hint else did_you_mean(normalised, COMPONENTS_BY_KEY, n=1)


def _defaults_problems(defaults, path: tuple) -> list:
    if defaults is None:
        return []
    if not isinstance(defaults, dict):
        message = f"must be a mapping such as `distribution: Apache-2.0`, not {describe_kind(defaults)}"
        return [(path, message, "error")]
    problems = []
    for key, value in defaults.items():
        where = path + (key,)
        if key not in DEFAULT_KEYS:
            problems.append((where, f"is not a licence default; use {', '.join(DEFAULT_KEYS)}", "error"))
            continue
        if isinstance(value, dict):
            for inner in value:
                if inner not in ("license", "license_link"):
                    problems.append((where + (inner,), "is not `license` or `license_link`", "error"))
            problems += _licence_problems(value.get("license"), where + ("license",))
            problems += _link_problems(value.get("license_link"), where + ("license_link",))
        else:
            problems += _licence_problems(value, where)
    return problems


def component_problems(entry, where: tuple, *, licensed: bool) -> list[tuple[tuple, str, str]]:
    """Problems with one component's entry."""
    if not isinstance(entry, dict):
        expected = "must be a mapping with `availability:` and, if released, `license:`"
        return [(where, f"{expected}, not {describe_kind(entry)}", "error")]
    problems = []
    for key in entry:
        if key not in COMPONENT_KEYS:
            message = f"is not a component field{did_you_mean(key, COMPONENT_KEYS, n=1)}"
            problems.append((where + (key,), message, "error"))
    availability = entry.get("availability")
    choices = ", ".join(AVAILABILITIES)
    if availability is not None and availability not in AVAILABILITIES:
        shown = f"'{availability}'" if isinstance(availability, str) else describe_kind(availability)
        hint = did_you_mean(availability, AVAILABILITIES, n=1) if isinstance(availability, str) else ""
        problems.append((where + ("availability",), f"{shown} is not one of {choices}{hint}", "error"))
    if "license" in entry and entry["license"] is not None:
        problems += _licence_problems(entry["license"], where + ("license",))
    elif availability in (None, "open") and not licensed:
        message = (
            "no licence given here, in the record's defaults or at the top of the card, so it cannot count"
        )
        problems.append((where + ("license",), message, "warning"))
    for key in ("link", "license_link"):
        problems += _link_problems(entry.get(key), where + (key,))
    problems += _sources_problems(entry.get("evidence"), where + ("evidence",))
    problems += _checked_problems(entry.get("checked"), where + ("checked",))
    return problems


def _licence_problems(value, where: tuple) -> list:
    if value is None:
        return []
    if isinstance(value, (dict, list)):
        message = (
            f"must be one licence, such as 'Apache-2.0' or 'Apache-2.0 OR MIT', not {describe_kind(value)}"
        )
        return [(where, message, "error")]
    text = _text(value)
    if not isinstance(value, str):
        return [(where, f"{describe_kind(value)} is read as the licence text '{text}'", "warning")]
    if len(text) > MAX_LICENCE_TEXT:
        message = (
            f"is {len(text):,} characters, too long to be a licence's name; it is kept as written and "
            f"does not count as open: name the licence in under {MAX_LICENCE_TEXT} and link its text"
        )
        return [(where, message, "warning")]
    if not text:
        return []
    reading = read_licence(text)
    if reading.recognised:
        return []
    hint = f"; did you mean '{reading.suggestion}'?" if reading.suggestion else ""
    message = (
        f"'{text}' is not a licence we recognise{hint} It is kept as written and does not count as open; "
        "use an SPDX id or expression, or `unlicensed`"
    )
    return [(where, message, "warning")]


def _link_problems(value, where: tuple) -> list:
    if value is None or (isinstance(value, str) and is_http_url(value)):
        return []
    shown = f"'{value}'" if isinstance(value, str) else describe_kind(value)
    return [(where, f"{shown} is not an absolute http(s) URL", "error")]


def _sources_problems(value, where: tuple) -> list:
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    if len(values) > MAX_SOURCES:
        return [(where, f"lists {len(values):,} sources; give at most {MAX_SOURCES}", "error")]
    problems = []
    for index, item in enumerate(values):
        inner = where + (index,) if isinstance(value, list) else where
        problems += _link_problems(item, inner) if item is not None else [(inner, "is empty", "error")]
    return problems


def _checked_problems(value, where: tuple) -> list:
    if value is None:
        return []
    checked = _date(value)
    if not checked:
        shown = f"'{value}'" if isinstance(value, str) else describe_kind(value)
        return [(where, f"{shown} is not a date written as YYYY-MM-DD", "error")]
    if checked > (datetime.date.today() + datetime.timedelta(days=1)).isoformat():
        return [(where, f"{checked} is in the future", "warning")]
    return []


def summary_problems(summary) -> list:
    """The summary must be text within MAX_SUMMARY_CHARS characters (counted without surrounding space)."""
    path = (NAMESPACE, SUMMARY)
    if summary is None:
        return []
    if not isinstance(summary, str):
        return [(path, f"must be text, a few plain sentences, not {describe_kind(summary)}", "error")]
    length = len(summary.strip())
    if length > MAX_SUMMARY_CHARS:
        message = (
            f"is {length:,} characters; a plain-language summary may have at most {MAX_SUMMARY_CHARS} "
            "characters: say what the model predicts, about whom, how well and where it fails, and leave "
            "the details to the card's sections"
        )
        return [(path, message, "error")]
    return []


def evidence_problems(evidence) -> list:
    path = (NAMESPACE, EVIDENCE)
    if not isinstance(evidence, dict):
        return [(path, f"must be a mapping of claims to sources, not {describe_kind(evidence)}", "error")]
    problems = []
    for claim, entry in evidence.items():
        where = path + (claim,)
        if claim not in CARD_CLAIMS:
            problems.append((where, f"is not a claim; use {', '.join(CARD_CLAIMS)}", "error"))
            continue
        if not isinstance(entry, dict):
            problems.append(
                (where, f"must be a mapping with `sources:`, not {describe_kind(entry)}", "error")
            )
            continue
        for key in entry:
            if key not in _EVIDENCE_KEYS:
                problems.append(
                    (
                        where + (key,),
                        f"is not `sources` or `checked`{did_you_mean(key, _EVIDENCE_KEYS, n=1)}",
                        "error",
                    )
                )
        problems += _sources_problems(entry.get("sources"), where + ("sources",))
        problems += _checked_problems(entry.get("checked"), where + ("checked",))
    return problems


_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")


def is_http_url(value: str) -> bool:
    if not value or len(value) > 2000 or _SPACE_OR_CONTROL.search(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
