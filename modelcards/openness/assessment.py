"""One card's openness read whole: its record's claims, the class they reach, and its flags."""

from dataclasses import dataclass

from . import mof
from .flags import Flag, card_flags
from .licences import read_licence
from .record import ComponentClaim, component_claims, record_of, released_licences

# What a component's standing means, in words a reader can act on.
MET = "met"
CONDITIONAL = "conditional"
NOT_OPEN = "not-open"
UNRECOGNISED = "unrecognised"
UNLICENSED = "unlicensed"
PARTIAL = "partial"
UNAVAILABLE = "unavailable"
VERDICT_LABELS = {
    MET: "Counts",
    CONDITIONAL: "Counts conditionally: open licence not written for this kind of component",
    NOT_OPEN: "Licence is not open",
    UNRECOGNISED: "Unrecognised licence: counts as not open",
    UNLICENSED: "No licence",
    PARTIAL: "Only partly released",
    UNAVAILABLE: "Not released",
}


@dataclass(frozen=True)
class ComponentStatus:
    """One component's claim and whether it counts towards a class."""

    claim: ComponentClaim
    verdict: str

    @property
    def component(self) -> mof.Component:
        return self.claim.component

    @property
    def counts(self) -> bool:
        return self.verdict in (MET, CONDITIONAL)

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    @property
    def needed_for(self) -> str:
        component = self.component
        return f"Class {mof.CLASS_NUMERALS[component.mof_class]}" if component.required else "Optional"


@dataclass(frozen=True)
class Assessment:
    has_record: bool
    components: tuple[ComponentStatus, ...]
    evaluation: mof.Evaluation
    flags: tuple[Flag, ...]

    @property
    def mof_class(self) -> int:
        return self.evaluation.mof_class

    @property
    def conditional(self) -> bool:
        return self.evaluation.conditional

    @property
    def next_class(self) -> int | None:
        return self.evaluation.next_class

    @property
    def missing_for_next(self) -> tuple[mof.Needed, ...]:
        next_class = self.next_class
        return self.evaluation.needed_for(next_class) if next_class else ()

    @property
    def progress(self) -> dict[int, float]:
        return {mof_class: self.evaluation.progress(mof_class) for mof_class in (1, 2, 3)}

    @property
    def not_type_appropriate(self) -> tuple[ComponentStatus, ...]:
        keys = set(self.evaluation.not_type_appropriate)
        return tuple(status for status in self.components if status.component.key in keys)

    def status(self, key: str) -> ComponentStatus:
        return next(status for status in self.components if status.component.key == key)


def _verdict(claim: ComponentClaim) -> str:
    if claim.availability == "partial":
        return PARTIAL
    if not claim.released:
        return UNAVAILABLE
    reading = claim.licence
    if reading is None or reading.unlicensed or not reading.text:
        return UNLICENSED
    if not reading.recognised:
        return UNRECOGNISED
    if not reading.is_open:
        return NOT_OPEN
    return MET if reading.suits(claim.component.content_type) else CONDITIONAL


def assess(metadata: dict, body: str = "") -> Assessment:
    """The class, what the next class still needs, and the flags one card earns on its own."""
    claims = component_claims(metadata)
    has_record = record_of(metadata) is not None
    return Assessment(
        has_record=has_record,
        components=tuple(ComponentStatus(claim, _verdict(claim)) for claim in claims),
        evaluation=mof.evaluate(released_licences(claims)),
        flags=card_flags(metadata, body, claims, has_record=has_record),
    )


def licence_type_of(identifier) -> str:
    """The type of a card's top-level licence, for filtering; "unknown" when missing or unrecognised."""
    reading = read_licence(identifier if isinstance(identifier, str) else "")
    return reading.type if reading.recognised and not reading.unlicensed else "unknown"
