"""Markers on claims: "disputed" or "citation needed", as Wikipedia's editors tag a sentence.

A marker lives in the card's YAML under `modelcardcommons: disputes:`, so it is part of the version
that set it: history shows who marked and who resolved it, and the README.md export carries it under
our namespaced key (the Hub's keys are never touched). Each marker names its claim, a reason, who set
it, when, and the talk thread where it is discussed. A marker whose claim an edit has since removed
is kept and shown as "claim removed", until a moderator resolves it.
"""

import datetime
import re
from dataclasses import dataclass

from ..wording import describe_kind
from .claims import result_rows
from .mof import COMPONENTS_BY_KEY
from .record import CARD_CLAIMS, DEFAULT_KEYS, DISPUTES, NAMESPACE, default_licences, namespace_of, record_of

DISPUTED = "disputed"
CITATION_NEEDED = "citation-needed"
KINDS = {DISPUTED: "Disputed", CITATION_NEEDED: "Citation needed"}
MAX_MARKERS = 100
MAX_REASON = 500
_KEYS = ("claim", "kind", "reason", "by", "opened", "thread")
_CLAIM = re.compile(r"\A(?:license|datasets|eval_results|licenses\.[a-z]+|components\.[a-z_]+)\Z")


def claim_label(claim: str) -> str:
    """A reader's name for a claim key: "components.final_parameters" -> "Model parameters (Final)"."""
    if claim in CARD_CLAIMS:
        return CARD_CLAIMS[claim]
    kind, _, key = claim.partition(".")
    if kind == "components" and key in COMPONENTS_BY_KEY:
        return f"{COMPONENTS_BY_KEY[key].name} (openness record)"
    if kind == "licenses" and key in DEFAULT_KEYS:
        return f"Default {key} licence (openness record)"
    return claim


def claim_choices(metadata) -> list[tuple[str, str]]:
    """The claims this card makes now, which a marker may name."""
    return [(claim, claim_label(claim)) for claim in present_claims(metadata)]


def present_claims(metadata) -> list[str]:
    found = []
    if isinstance(metadata, dict):
        if metadata.get("license") not in (None, ""):
            found.append("license")
        if metadata.get("datasets") not in (None, "", []):
            found.append("datasets")
        if result_rows(metadata):
            found.append("eval_results")
    found += [f"licenses.{key}" for key in default_licences(metadata)]
    components = (record_of(metadata) or {}).get("components")
    if isinstance(components, dict):
        found += [f"components.{key}" for key in COMPONENTS_BY_KEY if key in components]
    return found


@dataclass(frozen=True)
class Marker:
    index: int  # position in the list: how a moderator names the marker to resolve
    claim: str
    kind: str
    reason: str
    by: str
    opened: str
    thread: int | None
    claim_present: bool

    @property
    def label(self) -> str:
        return claim_label(self.claim)

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


def markers(metadata) -> tuple[Marker, ...]:
    """The markers a card carries, each with whether its claim is still there."""
    entries = namespace_of(metadata).get(DISPUTES)
    if not isinstance(entries, list):
        return ()
    present = set(present_claims(metadata))
    found = []
    for index, entry in enumerate(entries[:MAX_MARKERS]):
        if not isinstance(entry, dict) or not isinstance(entry.get("claim"), str):
            continue
        thread = entry.get("thread")
        found.append(
            Marker(
                index=index,
                claim=entry["claim"],
                kind=str(entry.get("kind") or DISPUTED),
                reason=str(entry.get("reason") or ""),
                by=str(entry.get("by") or ""),
                opened=str(entry.get("opened") or ""),
                thread=thread if isinstance(thread, int) and not isinstance(thread, bool) else None,
                claim_present=entry["claim"] in present,
            )
        )
    return tuple(found)


def markers_by_claim(metadata) -> dict[str, list[Marker]]:
    grouped: dict[str, list[Marker]] = {}
    for marker in markers(metadata):
        grouped.setdefault(marker.claim, []).append(marker)
    return grouped


def with_marker(metadata: dict, *, claim: str, kind: str, reason: str, by: str, thread: int | None) -> dict:
    """The `modelcardcommons` mapping with one more marker."""
    namespace = dict(namespace_of(metadata))
    entries = list(namespace.get(DISPUTES) or [])
    entry = {
        "claim": claim,
        "kind": kind,
        "reason": reason,
        "by": by,
        "opened": datetime.date.today().isoformat(),
    }
    if thread is not None:
        entry["thread"] = thread
    entries.append(entry)
    namespace[DISPUTES] = entries
    return namespace


def without_marker(metadata: dict, index: int) -> dict | None:
    """The `modelcardcommons` mapping with marker `index` removed (None when nothing is left)."""
    namespace = dict(namespace_of(metadata))
    entries = list(namespace.get(DISPUTES) or [])
    del entries[index]
    if entries:
        namespace[DISPUTES] = entries
    else:
        namespace.pop(DISPUTES, None)
    return namespace or None


def dispute_problems(entries) -> list[tuple[tuple, str, str]]:
    """Problems with the markers list, as (metadata path, message, severity) for cardfile."""
    path = (NAMESPACE, DISPUTES)
    if not isinstance(entries, list):
        return [(path, f"must be a list of markers, not {describe_kind(entries)}", "error")]
    if len(entries) > MAX_MARKERS:
        return [(path, f"lists {len(entries):,} markers; at most {MAX_MARKERS}", "error")]
    problems = []
    for index, entry in enumerate(entries):
        where = path + (index,)
        if not isinstance(entry, dict):
            problems.append(
                (where, f"must be a mapping with `claim:` and `reason:`, not {describe_kind(entry)}", "error")
            )
            continue
        for key in entry:
            if key not in _KEYS:
                problems.append((where + (key,), f"is not a marker field; use {', '.join(_KEYS)}", "error"))
        claim = entry.get("claim")
        if not isinstance(claim, str) or not _CLAIM.match(claim):
            problems.append(
                (
                    where + ("claim",),
                    "must name a claim such as `license` or `components.final_parameters`",
                    "error",
                )
            )
        if entry.get("kind", DISPUTED) not in KINDS:
            problems.append((where + ("kind",), f"must be one of {', '.join(KINDS)}", "error"))
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            problems.append(
                (where + ("reason",), "is required: say what is wrong or what needs a source", "error")
            )
        elif len(reason) > MAX_REASON:
            problems.append(
                (where + ("reason",), f"is {len(reason):,} characters; at most {MAX_REASON}", "error")
            )
        for key in ("by", "opened"):
            value = entry.get(key)
            if value is not None and not isinstance(value, (str, datetime.date)):
                problems.append((where + (key,), f"must be text, not {describe_kind(value)}", "error"))
        thread = entry.get("thread")
        if thread is not None and (not isinstance(thread, int) or isinstance(thread, bool) or thread < 1):
            problems.append((where + ("thread",), "must be the number of a talk thread", "error"))
    return problems
