"""The Model Openness Framework's classes, computed as the Model Openness Tool computes them.

The rules mirror the tool's evaluator (lfai/model_openness_tool, web/modules/mof/src/
ModelEvaluator.php at commit 8b5d30e), rule for rule:

- Seventeen components, each of one content type (code, data or document); each class requires some
  and the classes are cumulative: Class II needs everything Class III needs, Class I everything
  Class II needs. Three components are optional and never decide a class.
- A component counts ("included") when it is released and its licence is open (`licences.Licence.
  is_open`); an open licence not written for the component's content type still counts, and the
  component is listed as "not type-appropriate", which makes the result conditional.
- A released component with no licence is "unlicensed"; one under a licence that is not open (or
  text naming no licence) is "invalid"; one not released is "missing".
- The technical report may be left out when a research paper is released: the paper then stands in
  for it in Classes III and II, and in Class I only the paper is needed.
- Progress for a class is the share of the components it needs that count, and is 0 unless every
  higher class is met; a class is reached when its progress is 100.

`evaluate` takes what the openness record says of each component (released or not, and its licence
reading) and returns plain values; it knows nothing of cards or requests.
"""

from dataclasses import dataclass

from .licences import LicenceReading


@dataclass(frozen=True)
class Component:
    """One MOF component: its key in our record, the tool's id and name, content type and class."""

    key: str
    mot_id: int
    name: str
    content_type: str
    mof_class: int
    required: bool
    description: str


COMPONENTS: tuple[Component, ...] = (
    # Class III, Open Model
    Component("model_architecture", 9, "Model architecture", "code", 3, True, "Code defining the network."),
    Component("final_parameters", 10, "Model parameters (Final)", "data", 3, True, "The trained weights."),
    Component(
        "technical_report", 11, "Technical report", "document", 3, True, "How to use it and what it can do."
    ),
    Component("evaluation_results", 12, "Evaluation results", "document", 3, True, "Scores reported."),
    Component("model_card", 13, "Model card", "document", 3, True, "Intended use, performance and limits."),
    Component(
        "data_card", 14, "Data card", "document", 3, True, "Where the data came from, how it was made."
    ),
    Component("sample_outputs", 20, "Sample model outputs", "document", 3, False, "Examples it produced."),
    # Class II, Open Tooling
    Component("training_code", 7, "Training code", "code", 2, True, "Code that trained the model."),
    Component("inference_code", 8, "Inference code", "code", 2, True, "Code that runs the model."),
    Component("evaluation_code", 18, "Evaluation code", "code", 2, True, "Code that produced the scores."),
    Component("evaluation_data", 19, "Evaluation data", "data", 2, True, "The data it was scored on."),
    Component(
        "supporting_libraries",
        22,
        "Supporting libraries and tools",
        "code",
        2,
        False,
        "Libraries and tools used along the way.",
    ),
    # Class I, Open Science
    Component("research_paper", 21, "Research paper", "document", 1, True, "The paper describing the work."),
    Component("training_datasets", 15, "Datasets", "data", 1, True, "The data it was trained on."),
    Component(
        "data_preprocessing_code",
        16,
        "Data preprocessing code",
        "code",
        1,
        True,
        "Code that cleaned, filtered and mixed the data.",
    ),
    Component(
        "intermediate_parameters",
        24,
        "Model parameters (Intermediate)",
        "data",
        1,
        True,
        "Checkpoints saved during training.",
    ),
    Component(
        "model_metadata", 17, "Model metadata", "data", 1, False, "Training configuration, optimiser states."
    ),
)
COMPONENTS_BY_KEY = {component.key: component for component in COMPONENTS}
COMPONENTS_BY_NAME = {component.name: component for component in COMPONENTS}
TECHNICAL_REPORT = "technical_report"
RESEARCH_PAPER = "research_paper"

CLASS_NAMES = {1: "Class I, Open Science", 2: "Class II, Open Tooling", 3: "Class III, Open Model"}
CLASS_NUMERALS = {1: "I", 2: "II", 3: "III"}

# A component's standing at one class, in the tool's words.
INCLUDED = "included"
MISSING = "missing"
INVALID = "invalid"
UNLICENSED = "unlicensed"
OPTIONAL = "optional"


def _required(mof_class: int) -> list[str]:
    return [c.key for c in COMPONENTS if c.mof_class == mof_class and c.required]


def _optional(mof_class: int) -> list[str]:
    return [c.key for c in COMPONENTS if c.mof_class == mof_class and not c.required]


@dataclass(frozen=True)
class Needed:
    """What a class still needs: one component, or a choice of two (technical report or paper)."""

    keys: tuple[str, ...]
    status: str  # missing, unlicensed or invalid: why it does not count yet

    @property
    def status_label(self) -> str:
        return {MISSING: "not released", UNLICENSED: "no licence", INVALID: "licence not open"}[self.status]

    @property
    def names(self) -> str:
        return " or ".join(COMPONENTS_BY_KEY[key].name.lower() for key in self.keys).capitalize()


@dataclass(frozen=True)
class Evaluation:
    """The tool's evaluation: per class, which components count and why the others do not."""

    by_class: dict  # class -> {status: [component keys]}
    not_type_appropriate: tuple[str, ...]

    def status(self, mof_class: int, key: str) -> str | None:
        for status in (INCLUDED, INVALID, UNLICENSED):
            if key in self.by_class[mof_class][status]:
                return status
        return None

    def progress(self, mof_class: int) -> float:
        """Percent of the class's components that count, 0 unless every higher class is met."""
        total = included = 0
        level = 3
        while level >= mof_class:
            total += len(_required(level))
            included = len(self.by_class[level][INCLUDED])
            if included < total:
                break
            level -= 1
        if level > mof_class:
            return 0.0
        if (
            mof_class == 1
            and self.status(1, TECHNICAL_REPORT) != INCLUDED
            and self.status(1, RESEARCH_PAPER) == INCLUDED
        ):
            total -= 1
        return min(100.0, included / total * 100)

    @property
    def mof_class(self) -> int:
        """1, 2 or 3 for Class I, II or III (I is the most open); 0 when no class is reached."""
        reached = 0
        for mof_class in (3, 2, 1):
            if self.progress(mof_class) == 100.0:
                reached = mof_class
        return reached

    @property
    def total_progress(self) -> float:
        return sum(self.progress(mof_class) for mof_class in (1, 2, 3)) / 3

    @property
    def conditional(self) -> bool:
        """Some released component counts only under an open licence not written for its type."""
        return bool(self.not_type_appropriate)

    @property
    def next_class(self) -> int | None:
        return {0: 3, 3: 2, 2: 1}.get(self.mof_class)

    def needed_for(self, mof_class: int) -> tuple[Needed, ...]:
        """What `mof_class` still needs, the report and the paper offered as alternatives."""
        needed = []
        statuses = self.by_class[mof_class]
        for level in (3, 2, 1):
            if level < mof_class:
                break
            for key in _required(level):
                if key in (TECHNICAL_REPORT, RESEARCH_PAPER):
                    continue
                if key not in statuses[INCLUDED]:
                    needed.append(Needed((key,), self._why(mof_class, key)))
        report = self.status(3, TECHNICAL_REPORT) == INCLUDED
        paper = self.status(1, RESEARCH_PAPER) == INCLUDED
        if mof_class == 1:
            if not paper:
                needed.append(Needed((RESEARCH_PAPER,), self._why(1, RESEARCH_PAPER)))
        elif not (report or paper):
            needed.append(Needed((TECHNICAL_REPORT, RESEARCH_PAPER), self._why(3, TECHNICAL_REPORT)))
        order = {c.key: index for index, c in enumerate(COMPONENTS)}
        return tuple(sorted(needed, key=lambda item: order[item.keys[0]]))

    def _why(self, mof_class: int, key: str) -> str:
        return self.status(mof_class, key) or MISSING


def evaluate(released: dict[str, LicenceReading]) -> Evaluation:
    """The tool's evaluation of a record: `released` maps each released component's key to the
    reading of the licence that applies to it (already resolved through the record's defaults)."""
    by_class: dict[int, dict[str, list[str]]] = {}
    not_type_appropriate: list[str] = []
    required: list[str] = []
    optional: list[str] = []
    for mof_class in (3, 2, 1):
        statuses = {INCLUDED: [], MISSING: [], INVALID: [], UNLICENSED: [], OPTIONAL: []}
        by_class[mof_class] = statuses
        required += _required(mof_class)
        optional += _optional(mof_class)
        for keys, counted in ((required, INCLUDED), (optional, OPTIONAL)):
            for key in keys:
                reading = released.get(key)
                if reading is None:
                    if counted == INCLUDED:
                        statuses[MISSING].append(key)
                    continue
                content_type = COMPONENTS_BY_KEY[key].content_type
                if reading.is_open:
                    statuses[counted].append(key)
                    if not reading.suits(content_type) and key not in not_type_appropriate:
                        not_type_appropriate.append(key)
                elif reading.unlicensed or not reading.text:
                    statuses[UNLICENSED].append(key)
                else:
                    statuses[INVALID].append(key)
    _let_paper_stand_in_for_report(by_class)
    return Evaluation(by_class=by_class, not_type_appropriate=tuple(not_type_appropriate))


def _let_paper_stand_in_for_report(by_class: dict) -> None:
    """Without an open technical report, a released paper takes its place in Classes III and II."""
    if TECHNICAL_REPORT in by_class[3][INCLUDED]:
        return
    paper = next(
        (s for s in (INCLUDED, INVALID, UNLICENSED) if RESEARCH_PAPER in by_class[1][s]),
        None,
    )
    if paper is None:
        return
    for mof_class in (1, 2, 3):
        missing = by_class[mof_class][MISSING]
        if TECHNICAL_REPORT in missing:
            missing.remove(TECHNICAL_REPORT)
    for mof_class in (2, 3):
        by_class[mof_class][paper].append(RESEARCH_PAPER)
