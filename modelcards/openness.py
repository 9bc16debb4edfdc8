"""A card's openness record, the Model Openness Framework class it reaches, and its open-washing flags.

The record lives in the card's own YAML metadata under one namespaced key, so the README.md stays a
valid Hub card (the Hub ignores keys it does not know):

    modelcardcommons:
      openness:
        data_information: what is known about the training data, and what cannot be shared
        components:
          final_parameters: {availability: open, license: apache-2.0, link: https://..., evidence: https://...}

Rules, taken from the Model Openness Framework (White et al., arXiv 2403.13784, LF AI & Data) as its
reference implementation, the Model Openness Tool (github.com/lfai/model_openness_tool), encodes them:

- Seventeen components, each of one content type: code, data or document. Each class requires some of
  them; the classes are cumulative, so Class II needs everything Class III needs, and Class I
  everything Class II needs. Three components are optional (sample outputs, supporting libraries,
  model metadata) and never decide a class.
- A required component counts when it is released in full (availability `open`) under an open
  licence (`Licence.is_open` in vocabularies). A licence suits the component when its `kind` in
  licenses.json matches the content type (code licences for code, data licences for data, content
  licences for documents); an open licence of another kind still counts, but only conditionally,
  and a class reached with any conditional component is shown as conditional. This generalises
  the tool's conditional pass for weights released under a code licence such as Apache-2.0.
- A released component that names no licence of its own falls under the card's top-level `license`,
  as the tool applies a release's distribution licence to every component without one; the page
  says when a licence was assumed this way.
- A component that is partial, closed, unknown, unrecorded, unlicensed or under a licence that is
  not open does not count, whatever its availability.

Flags are computed from this card alone; the licence-lineage flag needs the base model's card and
is computed by `lineage.py`.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .vocabularies import LICENCES, Licence, get_licence
from .wording import describe_kind, did_you_mean

NAMESPACE = "modelcardcommons"
RECORD = "openness"
MAX_DATA_INFORMATION = 5000

AVAILABILITIES = ("open", "partial", "closed", "unknown")
_RECORD_KEYS = ("data_information", "components")
_COMPONENT_KEYS = ("availability", "license", "link", "evidence")
_LICENCE_KIND = {"code": "code", "data": "data", "document": "content"}


@dataclass(frozen=True)
class Component:
    """One MOF component: its key in the record, the framework's name, content type and first class."""

    key: str
    name: str
    content_type: str
    mof_class: int
    required: bool
    description: str


COMPONENTS: tuple[Component, ...] = (
    # Class III, Open Model
    Component("model_architecture", "Model architecture", "code", 3, True, "Code defining the network."),
    Component(
        "final_parameters", "Model parameters (Final)", "data", 3, True, "The released trained weights."
    ),
    Component(
        "technical_report",
        "Technical report",
        "document",
        3,
        True,
        "How to use the model, and what it can do.",
    ),
    Component(
        "evaluation_results", "Evaluation results", "document", 3, True, "Scores the producer reports."
    ),
    Component("model_card", "Model card", "document", 3, True, "Intended use, performance and limits."),
    Component("data_card", "Data card", "document", 3, True, "Where the data came from and how it was made."),
    Component(
        "sample_outputs", "Sample model outputs", "document", 3, False, "Examples of what it produces."
    ),
    # Class II, Open Tooling
    Component("training_code", "Training code", "code", 2, True, "Code that trained the model."),
    Component("inference_code", "Inference code", "code", 2, True, "Code that runs the model."),
    Component("evaluation_code", "Evaluation code", "code", 2, True, "Code that produced the scores."),
    Component("evaluation_data", "Evaluation data", "data", 2, True, "The data the model was scored on."),
    Component(
        "supporting_libraries",
        "Supporting libraries and tools",
        "code",
        2,
        False,
        "Libraries and tools used along the way.",
    ),
    # Class I, Open Science
    Component("research_paper", "Research paper", "document", 1, True, "The paper describing the work."),
    Component("training_datasets", "Datasets", "data", 1, True, "The data the model was trained on."),
    Component(
        "data_preprocessing_code",
        "Data preprocessing code",
        "code",
        1,
        True,
        "Code that cleaned, filtered and mixed the data.",
    ),
    Component(
        "intermediate_parameters",
        "Model parameters (Intermediate)",
        "data",
        1,
        True,
        "Checkpoints saved during training.",
    ),
    Component(
        "model_metadata", "Model metadata", "data", 1, False, "Training configuration and optimiser states."
    ),
)
COMPONENTS_BY_KEY = {component.key: component for component in COMPONENTS}

CLASS_NAMES = {1: "Class I, Open Science", 2: "Class II, Open Tooling", 3: "Class III, Open Model"}
CLASS_NUMERALS = {1: "I", 2: "II", 3: "III"}

# What a component's status means for the class.
MET = "met"
CONDITIONAL = "conditional"
NOT_OPEN = "not-open"
UNLICENSED = "unlicensed"
PARTIAL = "partial"
UNAVAILABLE = "unavailable"
VERDICT_LABELS = {
    MET: "Counts",
    CONDITIONAL: "Counts conditionally: open licence of another kind",
    NOT_OPEN: "Licence is not open",
    UNLICENSED: "No licence recorded",
    PARTIAL: "Only partly released",
    UNAVAILABLE: "Not released",
}

# Open-washing flags: code -> (short label, one-sentence explanation).
OPEN_SOURCE_CLAIM = "open-source-claim"
OPEN_WEIGHTS_ONLY = "open-weights-only"
LICENCE_MISMATCH = "licence-mismatch"
LICENCE_LINEAGE = "licence-lineage"
FLAGS: dict[str, tuple[str, str]] = {
    OPEN_SOURCE_CLAIM: (
        "Called open source",
        "The card calls the model open source, but its weights come under a licence that restricts "
        "use or is the producer's own, which open source does not allow.",
    ),
    OPEN_WEIGHTS_ONLY: (
        "Open weights only",
        "The weights can be downloaded, but neither the training data nor the training code has been "
        "released, so the model cannot be studied or rebuilt.",
    ),
    LICENCE_MISMATCH: (
        "Licence mismatch",
        "The licence at the top of the card is not the licence the openness record gives for the "
        "weights, so readers cannot tell which one applies.",
    ),
    LICENCE_LINEAGE: (
        "Looser than its base model",
        "The card declares a more permissive licence than a model it was fine-tuned from, although a "
        "derivative normally stays bound by its base model's terms.",
    ),
}

_OPEN_SOURCE = re.compile(r"\bopen[ _-]?sourced?\b", re.IGNORECASE)
# "not open source", "is not an open-source licence", "non-open-source": the phrase is negated.
_NEGATED = re.compile(r"\b(?:not|no|never|nor|non|isn't|aren't|wasn't)\W+(?:\w+\W+){0,2}\Z", re.IGNORECASE)
_NOT_OPEN_SOURCE_TYPES = frozenset({"use-restricted", "non-commercial", "proprietary"})


# Reading the record ---------------------------------------------------------------------------


def record_of(metadata: dict) -> dict | None:
    """The openness mapping from parsed metadata, or None when the card has none."""
    namespace = metadata.get(NAMESPACE) if isinstance(metadata, dict) else None
    record = namespace.get(RECORD) if isinstance(namespace, dict) else None
    return record if isinstance(record, dict) else None


def data_information(metadata: dict) -> str:
    value = (record_of(metadata) or {}).get("data_information")
    return value.strip() if isinstance(value, str) else ""


def _entries(metadata: dict) -> dict:
    components = (record_of(metadata) or {}).get("components")
    return components if isinstance(components, dict) else {}


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _url(value) -> str:
    """Only absolute http(s) links are ever shown; validation refuses the rest when a card is saved."""
    value = _text(value)
    return value if _is_http_url(value) else ""


# Assessing it ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentStatus:
    """One component as a card records it, and whether it counts towards a class."""

    component: Component
    recorded: bool
    availability: str
    licence_id: str
    inherited: bool  # the licence is the card's top-level one, the component giving none of its own
    link: str
    evidence: str
    verdict: str

    @property
    def counts(self) -> bool:
        return self.verdict in (MET, CONDITIONAL)

    @property
    def licence(self) -> Licence | None:
        return get_licence(self.licence_id)

    @property
    def licence_type(self) -> str:
        licence = self.licence
        return licence.type if licence else ("unknown" if self.licence_id else "")

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    @property
    def needed_for(self) -> str:
        component = self.component
        return f"Class {CLASS_NUMERALS[component.mof_class]}" if component.required else "Optional"


def licence_suits(licence: Licence, content_type: str) -> bool:
    """Whether an open licence is of the kind the framework asks for this content type."""
    return licence.suits_every_kind or licence.kind == _LICENCE_KIND[content_type]


def _status(component: Component, entry, card_licence_id: str) -> ComponentStatus:
    entry = entry if isinstance(entry, dict) else None
    availability = _text(entry.get("availability")) if entry else ""
    availability = availability if availability in AVAILABILITIES else "unknown"
    own_licence_id = _text(entry.get("license")) if entry else ""
    inherited = availability == "open" and not own_licence_id and bool(card_licence_id)
    licence_id = card_licence_id if inherited else own_licence_id
    licence = get_licence(licence_id)
    if availability == "partial":
        verdict = PARTIAL
    elif availability != "open":
        verdict = UNAVAILABLE
    elif not licence_id:
        verdict = UNLICENSED
    elif licence is None or not licence.is_open:
        verdict = NOT_OPEN
    else:
        verdict = MET if licence_suits(licence, component.content_type) else CONDITIONAL
    return ComponentStatus(
        component=component,
        recorded=entry is not None,
        availability=availability,
        licence_id=licence_id,
        inherited=inherited,
        link=_url(entry.get("link")) if entry else "",
        evidence=_url(entry.get("evidence")) if entry else "",
        verdict=verdict,
    )


@dataclass(frozen=True)
class Assessment:
    """What the record says, read against the framework's classes, plus this card's own flags."""

    has_record: bool
    components: tuple[ComponentStatus, ...]
    mof_class: int  # 1, 2 or 3 for Class I, II or III; 0 when no class is reached
    conditional: bool
    next_class: int | None
    missing_for_next: tuple[ComponentStatus, ...]
    flags: tuple[str, ...]

    def status(self, key: str) -> ComponentStatus:
        return next(status for status in self.components if status.component.key == key)


def assess(metadata: dict, body: str = "") -> Assessment:
    """The class, what the next class still needs, and the flags one card earns on its own."""
    entries = _entries(metadata)
    card_licence_id = _text(metadata.get("license"))
    statuses = tuple(
        _status(component, entries.get(component.key), card_licence_id) for component in COMPONENTS
    )
    reached, conditional = 0, False
    for mof_class in (3, 2, 1):
        required = [s for s in statuses if s.component.mof_class == mof_class and s.component.required]
        if not all(status.counts for status in required):
            break
        reached = mof_class
        conditional = conditional or any(status.verdict == CONDITIONAL for status in required)
    next_class = {0: 3, 3: 2, 2: 1}.get(reached)
    missing = tuple(
        status
        for status in statuses
        if status.component.mof_class == next_class and status.component.required and not status.counts
    )
    has_record = record_of(metadata) is not None
    return Assessment(
        has_record=has_record,
        components=statuses,
        mof_class=reached,
        conditional=conditional,
        next_class=next_class,
        missing_for_next=missing,
        flags=_flags(metadata, body, statuses if has_record else None),
    )


def weights_licence_id(metadata: dict) -> str:
    """The weights' licence as the record gives it, else the card's top-level `license`."""
    entry = _entries(metadata).get("final_parameters")
    recorded = _text(entry.get("license")) if isinstance(entry, dict) else ""
    return recorded or _text(metadata.get("license"))


def claims_open_source(metadata: dict, body: str) -> bool:
    """A heuristic: any mention of "open source" in the tags or text that is not negated nearby."""
    tags = metadata.get("tags")
    tags = tags if isinstance(tags, list) else [tags]
    if any(isinstance(tag, str) and _OPEN_SOURCE.fullmatch(tag.strip()) for tag in tags):
        return True
    return any(
        not _NEGATED.search(body, max(0, match.start() - 40), match.start())
        for match in _OPEN_SOURCE.finditer(body)
    )


def _flags(metadata: dict, body: str, statuses: tuple[ComponentStatus, ...] | None) -> tuple[str, ...]:
    flags = []
    weights_id = weights_licence_id(metadata)
    weights = get_licence(weights_id)
    restricted = weights_id == "other" or (weights is not None and weights.type in _NOT_OPEN_SOURCE_TYPES)
    if restricted and claims_open_source(metadata, body):
        flags.append(OPEN_SOURCE_CLAIM)
    if statuses is not None:
        by_key = {status.component.key: status for status in statuses}
        released = ("open", "partial")
        if by_key["final_parameters"].availability == "open" and not (
            by_key["training_code"].availability in released
            or by_key["training_datasets"].availability in released
        ):
            flags.append(OPEN_WEIGHTS_ONLY)
        top = _text(metadata.get("license"))
        recorded = by_key["final_parameters"].licence_id
        if top and recorded and top != recorded:
            flags.append(LICENCE_MISMATCH)
    return tuple(flags)


def licence_type_of(identifier) -> str:
    """The type of a card's top-level licence, for filtering; "unknown" when missing or unrecognised."""
    licence = get_licence(identifier if isinstance(identifier, str) else None)
    return licence.type if licence else "unknown"


# Checking it when a card is saved -------------------------------------------------------------


def openness_problems(metadata: dict) -> list[tuple[tuple, str, str]]:
    """Problems with the namespaced record, as (metadata path, message, severity) for cardfile.

    Errors block saving. A released component with no licence, on a card with no licence either, is
    only a warning: knowing that something was released is worth recording before its licence is.
    """
    if NAMESPACE not in metadata:
        return []
    problems: list[tuple[tuple, str, str]] = []

    def error(path: tuple, message: str, severity: str = "error") -> None:
        problems.append((path, message, severity))

    namespace = metadata[NAMESPACE]
    if not isinstance(namespace, dict):
        error(
            (NAMESPACE,),
            f"must be a mapping of this site's keys, such as `{RECORD}:`, not {describe_kind(namespace)}",
        )
        return problems
    for key in namespace:
        if key != RECORD:
            error((NAMESPACE, key), f"is not a key this site knows{did_you_mean(key, [RECORD], n=1)}")
    if RECORD not in namespace:
        return problems
    record = namespace[RECORD]
    path = (NAMESPACE, RECORD)
    if not isinstance(record, dict):
        error(
            path, f"must be a mapping with `components:` and `data_information:`, not {describe_kind(record)}"
        )
        return problems
    for key in record:
        if key not in _RECORD_KEYS:
            error(path + (key,), f"is not part of the openness record{did_you_mean(key, _RECORD_KEYS, n=1)}")
    information = record.get("data_information")
    if information is not None and not isinstance(information, str):
        error(path + ("data_information",), f"must be text, not {describe_kind(information)}")
    elif isinstance(information, str) and len(information) > MAX_DATA_INFORMATION:
        error(
            path + ("data_information",),
            f"is {len(information):,} characters; keep it under {MAX_DATA_INFORMATION:,} and link to details",
        )
    components = record.get("components")
    if components is None:
        return problems
    if not isinstance(components, dict):
        error(
            path + ("components",),
            f"must be a mapping of component names to details, not {describe_kind(components)}",
        )
        return problems
    for key, entry in components.items():
        where = path + ("components", key)
        if key not in COMPONENTS_BY_KEY:
            normalised = re.sub(r"[^a-z0-9]+", "_", str(key).lower()).strip("_")
            names = {c.name.lower(): c.key for c in COMPONENTS}
            hint = names.get(str(key).lower()) or (normalised if normalised in COMPONENTS_BY_KEY else "")
            hint = f"; did you mean '{hint}'?" if hint else did_you_mean(normalised, COMPONENTS_BY_KEY, n=1)
            error(where, f"is not a Model Openness Framework component{hint}")
            continue
        problems += _component_problems(entry, where, card_licensed=bool(_text(metadata.get("license"))))
    return problems


def _component_problems(entry, where: tuple, *, card_licensed: bool) -> list[tuple[tuple, str, str]]:
    if not isinstance(entry, dict):
        expected = "must be a mapping with `availability:` and, if released, `license:`"
        return [(where, f"{expected}, not {describe_kind(entry)}", "error")]
    problems = []
    for key in entry:
        if key not in _COMPONENT_KEYS:
            problems.append(
                (
                    where + (key,),
                    f"is not a component field{did_you_mean(key, _COMPONENT_KEYS, n=1)}",
                    "error",
                )
            )
    availability = entry.get("availability")
    choices = ", ".join(AVAILABILITIES)
    if availability is None:
        problems.append((where + ("availability",), f"is required: one of {choices}", "error"))
    elif availability not in AVAILABILITIES:
        shown = f"'{availability}'" if isinstance(availability, str) else describe_kind(availability)
        hint = did_you_mean(availability, AVAILABILITIES, n=1) if isinstance(availability, str) else ""
        problems.append((where + ("availability",), f"{shown} is not one of {choices}{hint}", "error"))
    licence = entry.get("license")
    if licence is not None:
        if not isinstance(licence, str):
            problems.append(
                (
                    where + ("license",),
                    f"must be one licence identifier, not {describe_kind(licence)}",
                    "error",
                )
            )
        elif licence not in LICENCES:
            hint = (
                did_you_mean(licence, LICENCES, n=1) or "; use a Hub licence identifier such as 'apache-2.0'"
            )
            problems.append(
                (
                    where + ("license",),
                    f"'{licence}' is not a licence identifier the Hub accepts{hint}",
                    "error",
                )
            )
    elif availability == "open" and not card_licensed:
        message = "no licence given here or at the top of the card, so this component cannot count"
        problems.append((where + ("license",), message, "warning"))
    for key in ("link", "evidence"):
        value = entry.get(key)
        if value is not None and not (isinstance(value, str) and _is_http_url(value)):
            shown = f"'{value}'" if isinstance(value, str) else describe_kind(value)
            problems.append((where + (key,), f"{shown} is not an absolute http(s) URL", "error"))
    return problems


_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")


def _is_http_url(value: str) -> bool:
    if not value or _SPACE_OR_CONTROL.search(value):
        return False
    parts = urlsplit(value)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
