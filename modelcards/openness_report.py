"""What pages and exports say about a card's openness and completeness.

The class, flags, lineage and completeness come from the fields stored when the card was saved;
the component table is read from the card's already-parsed metadata, which is cheap. Everything
returned is plain data: templates escape it, and only absolute http(s) links are passed on.

The YAML export follows the Model Openness Tool's model files (github.com/lfai/model_openness_tool,
models/*.yml and schema/mof_schema.json): `framework`, then `release` with all seventeen
components, each with `name`, `description`, `location`, `license_name` and `license_path`, using
the tool's "Component not included" and "License not specified" for what is absent. Two fields of
our own, `availability` and `evidence`, ride along; the schema allows extra fields. Licence
identifiers are the Hub's, which for most open licences are SPDX ids in lower case.
"""

from dataclasses import dataclass

from django.urls import reverse

from . import openness
from .completeness import CHECKLIST, RULES, SectionRule
from .vocabularies import get_licence, licence_type_label

MOF_VERSION = {"name": "Model Openness Framework", "version": "1.0", "date": "2024-12-15"}
NOT_INCLUDED = "Component not included"
NOT_SPECIFIED = "License not specified"

# The tool's `type` for a release, from the card's Hub task.
_RELEASE_TYPES = {
    "text-generation": "language",
    "text2text-generation": "language",
    "fill-mask": "language",
    "text-classification": "language",
    "token-classification": "language",
    "question-answering": "language",
    "summarization": "language",
    "translation": "language",
    "feature-extraction": "language",
    "automatic-speech-recognition": "audio",
    "text-to-speech": "audio",
    "text-to-audio": "audio",
    "audio-classification": "audio",
    "text-to-image": "image",
    "image-to-image": "image",
    "unconditional-image-generation": "image",
    "image-classification": "vision",
    "object-detection": "vision",
    "image-segmentation": "vision",
    "text-to-video": "video",
    "image-text-to-text": "multimodal",
    "visual-question-answering": "multimodal",
}


@dataclass(frozen=True)
class FlagNote:
    code: str
    label: str
    explanation: str


@dataclass(frozen=True)
class MissingSection:
    key: str
    label: str
    present: bool  # the heading is there but says nothing yet
    suggest_url: str


@dataclass(frozen=True)
class OpennessReport:
    assessment: openness.Assessment
    mof_class: int
    class_name: str
    conditional: bool
    flags: tuple[FlagNote, ...]
    lineage: tuple[dict, ...]
    data_information: str
    completeness: int
    missing_sections: tuple[MissingSection, ...]

    @property
    def next_class_name(self) -> str:
        return openness.CLASS_NAMES.get(self.assessment.next_class, "")

    @property
    def counted(self) -> int:
        return sum(status.counts for status in self.assessment.components)


def _licence_phrase(identifier: str) -> str:
    licence = get_licence(identifier)
    if licence is None:
        return f"'{identifier}', a licence of its own" if identifier else "no licence"
    return f"{identifier} ({licence_type_label(licence.type).lower()})"


def flag_notes(card) -> tuple[FlagNote, ...]:
    """Each stored flag with a sentence saying why it applies to this card in particular."""
    notes = []
    metadata = card.metadata
    for code in card.openness_flags:
        if code not in openness.FLAGS:
            continue
        label, explanation = openness.FLAGS[code]
        if code == openness.OPEN_SOURCE_CLAIM:
            weights = _licence_phrase(openness.weights_licence_id(metadata))
            explanation = (
                f"The card calls the model open source, but its weights are under {weights}, "
                "terms that open source does not allow."
            )
        elif code == openness.LICENCE_MISMATCH:
            recorded = openness.assess(metadata).status("final_parameters").licence_id
            explanation = (
                f"The card's licence is {card.license}, but its openness record gives {recorded} for "
                "the weights, so readers cannot tell which one applies."
            )
        elif code == openness.LICENCE_LINEAGE:
            stricter = [entry for entry in card.licence_lineage if entry.get("stricter")]
            if stricter:
                base = stricter[0]
                explanation = (
                    f"The card declares {_licence_phrase(card.license)}, more permissive than "
                    f"{_licence_phrase(base['license'])} on its base model {base['slug']}, whose terms "
                    "a fine-tuned model normally stays bound by."
                )
        notes.append(FlagNote(code, label, explanation))
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


def report_for(card) -> OpennessReport:
    return OpennessReport(
        assessment=openness.assess(card.metadata, card.body),
        mof_class=card.mof_class,
        class_name=card.mof_class_name,
        conditional=card.mof_conditional,
        flags=flag_notes(card),
        lineage=tuple(card.licence_lineage),
        data_information=openness.data_information(card.metadata),
        completeness=card.completeness,
        missing_sections=missing_sections(card),
    )


def openness_document(card) -> dict:
    """The JSON export: the record as given, what the site derives from it, and the completeness."""
    assessment = openness.assess(card.metadata, card.body)
    return {
        "slug": card.slug,
        "title": card.title,
        "version": card.version_number,
        "card_url": card.get_absolute_url(),
        "license": card.license,
        "licence_type": card.licence_type,
        "mof": {
            "framework": MOF_VERSION,
            "class": card.mof_class or None,
            "class_name": card.mof_class_name,
            "conditional": card.mof_conditional,
            "next_class": assessment.next_class,
            "missing_for_next_class": [status.component.key for status in assessment.missing_for_next],
        },
        "flags": [
            {"code": note.code, "label": note.label, "explanation": note.explanation}
            for note in flag_notes(card)
        ],
        "licence_lineage": card.licence_lineage,
        "completeness": {
            "percent": card.completeness,
            "missing_sections": [
                {"key": section.key, "label": section.label, "present": section.present}
                for section in missing_sections(card)
            ],
        },
        "openness": {
            "data_information": openness.data_information(card.metadata),
            "components": {status.component.key: _component_json(status) for status in assessment.components},
        },
    }


def _component_json(status: openness.ComponentStatus) -> dict:
    component = status.component
    return {
        "name": component.name,
        "content_type": component.content_type,
        "required_from_class": component.mof_class if component.required else None,
        "recorded": status.recorded,
        "availability": status.availability,
        "license": status.licence_id or None,
        "license_from_card": status.inherited,
        "licence_type": status.licence_type or None,
        "link": status.link or None,
        "evidence": status.evidence or None,
        "verdict": status.verdict,
        "counts": status.counts,
    }


def mof_release(card) -> dict:
    """The openness record as a Model Openness Tool model file."""
    metadata = card.metadata
    assessment = openness.assess(metadata, card.body)
    entries = (openness.record_of(metadata) or {}).get("components")
    entries = entries if isinstance(entries, dict) else {}
    components = []
    for status in assessment.components:
        entry = entries.get(status.component.key)
        own = entry.get("license") if isinstance(entry, dict) else None
        own = own if isinstance(own, str) else ""
        if status.availability in ("open", "partial"):
            licence_name = own or NOT_SPECIFIED
        else:
            licence_name = NOT_INCLUDED
        components.append(
            {
                "name": status.component.name,
                "description": status.component.description,
                "location": status.link,
                "license_name": licence_name,
                "license_path": "",
                "availability": status.availability,
                "evidence": status.evidence,
            }
        )
    base_models = metadata.get("base_model")
    origin = base_models[0] if isinstance(base_models, list) and base_models else base_models
    licence_link = metadata.get("license_link") if card.license == "other" else ""
    return {
        "framework": MOF_VERSION,
        "release": {
            "name": card.title,
            "version": "",
            "date": card.updated_at.date().isoformat(),
            "type": _RELEASE_TYPES.get(card.pipeline_tag, ""),
            "architecture": "",
            "origin": origin if isinstance(origin, str) else "",
            "producer": "",
            "contact": "",
            "license": {
                "distribution": {
                    "name": card.license,
                    "path": licence_link if isinstance(licence_link, str) else "",
                }
            },
            "components": components,
        },
    }


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
