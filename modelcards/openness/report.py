"""What pages and exports say about a card's openness, its claims and their evidence.

The class, flags, lineage and completeness come from the fields stored when the card was saved; the
component table is read from the card's already-parsed metadata, which is cheap. Everything returned
is plain data: templates escape it, and only absolute http(s) links are passed on.
"""

from dataclasses import dataclass

from django.urls import reverse

from . import claims, disputes
from .assessment import Assessment, ComponentStatus, assess
from .completeness import CHECKLIST, RULES, SectionRule
from .crosswalk import FRAMEWORK, mot_release
from .flags import FLAGS, LICENCE_LINEAGE, LICENCE_MISMATCH, OPEN_SOURCE_CLAIM
from .licences import read_licence
from .mof import CLASS_NAMES, COMPONENTS_BY_KEY
from .record import card_claim_evidence, data_information


@dataclass(frozen=True)
class FlagNote:
    code: str
    label: str
    explanation: str
    sentence: str = ""
    components: tuple[str, ...] = ()  # names of what the flag rests on


@dataclass(frozen=True)
class MissingSection:
    key: str
    label: str
    present: bool  # the heading is there but says nothing yet
    suggest_url: str


@dataclass(frozen=True)
class ComponentRow:
    """One row of the component table: the claim, whether it counts, and what backs it."""

    status: ComponentStatus
    asserted: str
    checked: str
    markers: tuple


@dataclass(frozen=True)
class OpennessReport:
    assessment: Assessment
    mof_class: int
    class_name: str
    conditional: bool
    flags: tuple[FlagNote, ...]
    lineage: tuple[dict, ...]
    data_information: str
    completeness: int
    missing_sections: tuple[MissingSection, ...]
    rows: tuple[ComponentRow, ...] = ()
    markers: tuple = ()

    @property
    def next_class_name(self) -> str:
        return CLASS_NAMES.get(self.assessment.next_class, "")

    @property
    def counted(self) -> int:
        return sum(status.counts for status in self.assessment.components)

    @property
    def progress(self) -> list[tuple[str, int]]:
        """(class name, percent) from Class III to Class I, as the tool's badges show them."""
        return [(CLASS_NAMES[c], round(self.assessment.evaluation.progress(c))) for c in (3, 2, 1)]

    @property
    def open_markers(self) -> int:
        return len(self.markers)


def _licence_phrase(identifier: str) -> str:
    reading = read_licence(identifier or "")
    if not identifier:
        return "no licence"
    if not reading.recognised:
        return f"'{identifier}', a licence of its own"
    return f"{reading.canonical} ({reading.type_label.lower()})"


def _component_names(keys) -> tuple[str, ...]:
    names = []
    for key in keys:
        names.append("the card's licence" if key == "license" else COMPONENTS_BY_KEY[key].name)
    return tuple(names)


def flag_notes(card, assessment: Assessment) -> tuple[FlagNote, ...]:
    """Each stored flag with a sentence saying why it applies to this card in particular."""
    weights = assessment.status("final_parameters").claim.licence
    details = {entry.get("code"): entry for entry in card.flag_details if isinstance(entry, dict)}
    notes = []
    for code in card.openness_flags:
        if code not in FLAGS:
            continue
        label, explanation = FLAGS[code]
        detail = details.get(code, {})
        keys = [key for key in detail.get("components", []) if key == "license" or key in COMPONENTS_BY_KEY]
        if code == OPEN_SOURCE_CLAIM:
            explanation = (
                "The card calls the model open source, but its weights are under "
                f"{_licence_phrase(weights.canonical if weights else card.license)}, terms that open source "
                "does not allow."
            )
        elif code == LICENCE_MISMATCH:
            explanation = (
                f"The card's licence is {card.license}, but its openness record gives "
                f"{weights.canonical if weights else 'none'} for the weights, so readers cannot tell which "
                "one applies."
            )
        elif code == LICENCE_LINEAGE:
            stricter = [entry for entry in card.licence_lineage if entry.get("stricter")]
            keys = ["license"]
            if stricter:
                base = stricter[0]
                explanation = (
                    f"The card declares {_licence_phrase(card.license)}, more permissive than "
                    f"{_licence_phrase(base['license'])} on its base model {base['slug']}, whose terms "
                    "a fine-tuned model normally stays bound by."
                )
        notes.append(
            FlagNote(code, label, explanation, str(detail.get("sentence") or ""), _component_names(keys))
        )
    return tuple(notes)


def missing_sections(card) -> tuple[MissingSection, ...]:
    """The stored missing sections with a "suggest this section" link each: the section itself when
    the heading is there but empty, else the whole card with the heading added at the end."""
    suggest = reverse("modelcards:suggest", args=[card.slug])
    found = []
    for entry in card.missing_sections:
        rule = RULES.get(entry.get("key"))
        if rule is None:
            continue
        if entry.get("section"):
            url = f"{suggest}?section={int(entry['section'])}"
        elif entry.get("present"):
            url = suggest
        else:
            url = f"{suggest}?add={rule.key}"
        found.append(MissingSection(rule.key, rule.label, bool(entry.get("present")), url))
    return tuple(found)


def _rows(card, assessment: Assessment) -> tuple[ComponentRow, ...]:
    provenance = card.claim_provenance if isinstance(card.claim_provenance, dict) else {}
    by_claim = disputes.markers_by_claim(card.metadata)
    rows = []
    for status in assessment.components:
        key = status.claim.claim_key
        asserted = provenance.get(key) if status.claim.recorded else None
        checked = status.claim.checked
        rows.append(ComponentRow(status, claims.describe(asserted), checked, tuple(by_claim.get(key, ()))))
    return tuple(rows)


def report_for(card) -> OpennessReport:
    assessment = assess(card.metadata, card.body)
    return OpennessReport(
        assessment=assessment,
        mof_class=card.mof_class,
        class_name=card.mof_class_name,
        conditional=card.mof_conditional,
        flags=flag_notes(card, assessment),
        lineage=tuple(card.licence_lineage),
        data_information=data_information(card.metadata),
        completeness=card.completeness,
        missing_sections=missing_sections(card),
        rows=_rows(card, assessment),
        markers=disputes.markers(card.metadata),
    )


def _claim_json(claim_key: str, card, *, sources=(), checked: str = "") -> dict:
    provenance = card.claim_provenance if isinstance(card.claim_provenance, dict) else {}
    asserted = provenance.get(claim_key) or {}
    return {
        "sources": list(sources),
        "asserted_by": asserted.get("by") or None,
        "asserted_from": asserted.get("source") or None,
        "asserted_in_version": asserted.get("version"),
        "asserted_at": asserted.get("at") or None,
        "last_checked": checked or None,
    }


def openness_document(card) -> dict:
    """The JSON export: the record as given, what the site derives from it, and each claim's evidence."""
    metadata = card.metadata
    assessment = assess(metadata, card.body)
    evidence = card_claim_evidence(metadata)
    thread_url = reverse("modelcards:talk", args=[card.slug])
    return {
        "slug": card.slug,
        "title": card.title,
        "version": card.version_number,
        "card_url": card.get_absolute_url(),
        "license": card.license,
        "licence_type": card.licence_type,
        "mof": {
            "framework": FRAMEWORK,
            "class": card.mof_class,
            "class_name": card.mof_class_name,
            "conditional": card.mof_conditional,
            "not_type_appropriate": [s.component.key for s in assessment.not_type_appropriate],
            "progress": {str(c): assessment.evaluation.progress(c) for c in (1, 2, 3)},
            "next_class": assessment.next_class,
            "missing_for_next_class": [
                {"components": list(needed.keys), "label": needed.names, "status": needed.status}
                for needed in assessment.missing_for_next
            ],
        },
        "flags": [
            {
                "code": note.code,
                "label": note.label,
                "explanation": note.explanation,
                "sentence": note.sentence or None,
                "relies_on": list(note.components),
            }
            for note in flag_notes(card, assessment)
        ],
        "licence_lineage": card.licence_lineage,
        "completeness": {
            "percent": card.completeness,
            "missing_sections": [
                {"key": section.key, "label": section.label, "present": section.present}
                for section in missing_sections(card)
            ],
        },
        "claims": {
            claim: _claim_json(
                claim,
                card,
                sources=evidence[claim].sources if claim in evidence else (),
                checked=evidence[claim].checked if claim in evidence else "",
            )
            for claim in ("license", "datasets")
            if claim in (card.claim_provenance or {})
        },
        "eval_results": [
            {
                **{k: row[k] for k in ("model", "task", "dataset", "config", "split", "metric", "value")},
                "verified": row["verified"],
                "source": {"name": row["source_name"] or None, "url": row["source_url"] or None},
                "self_reported": (card.claim_provenance or {}).get(claims.result_key(row), {}).get("source")
                == claims.SOURCE_IMPORT,
                **_claim_json(claims.result_key(row), card),
            }
            for row in claims.result_rows(metadata)
        ],
        "disputes": [
            {
                "claim": marker.claim,
                "claim_label": marker.label,
                "claim_present": marker.claim_present,
                "kind": marker.kind,
                "reason": marker.reason,
                "by": marker.by,
                "opened": marker.opened,
                "discussion": f"{thread_url}{marker.thread}/" if marker.thread else None,
            }
            for marker in disputes.markers(metadata)
        ],
        "openness": {
            "data_information": data_information(metadata),
            "components": {
                status.component.key: _component_json(status, card) for status in assessment.components
            },
        },
    }


def _component_json(status: ComponentStatus, card) -> dict:
    component, claim = status.component, status.claim
    reading = claim.licence
    return {
        "name": component.name,
        "content_type": component.content_type,
        "required_from_class": component.mof_class if component.required else None,
        "recorded": claim.recorded,
        "availability": claim.availability or None,
        "license": reading.canonical if reading else None,
        "license_as_written": reading.text if reading and reading.text != reading.canonical else None,
        "license_recognised": reading.recognised if reading else None,
        "license_suggestion": (reading.suggestion or None) if reading else None,
        "license_from": claim.licence_from or None,
        "licence_type": reading.type if reading and reading.recognised else None,
        "link": claim.link or None,
        "license_link": claim.licence_link or None,
        "verdict": status.verdict,
        "counts": status.counts,
        "evidence": _claim_json(claim.claim_key, card, sources=claim.evidence, checked=claim.checked)
        if claim.recorded
        else None,
    }


def card_mot_release(card) -> dict:
    """The openness record as a Model Openness Tool model file."""
    return mot_release(
        card.metadata,
        name=card.title,
        date=card.updated_at.date().isoformat(),
        pipeline_tag=card.pipeline_tag,
    )


@dataclass(frozen=True)
class WantedGroup:
    rule: SectionRule
    cards: tuple  # (card, MissingSection) pairs
    more: int


def wanted_groups(cards, *, per_group: int) -> tuple[WantedGroup, ...]:
    """Cards grouped by each checklist section they lack, most incomplete first within a group."""
    by_key: dict[str, list] = {rule.key: [] for rule in CHECKLIST}
    for card in cards:
        for section in missing_sections(card):
            by_key[section.key].append((card, section))
    return tuple(
        WantedGroup(rule, tuple(by_key[rule.key][:per_group]), max(0, len(by_key[rule.key]) - per_group))
        for rule in CHECKLIST
        if by_key[rule.key]
    )
