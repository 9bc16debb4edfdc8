"""How complete a card's text is, against Mitchell et al.'s model card sections and the Hub's template.

The checklist merges the nine sections of "Model Cards for Model Reporting" (Mitchell et al., 2019,
arXiv 1810.03993) with the sections the Hugging Face Hub's card template does not mark optional
(huggingface_hub's modelcard_template.md), plus its Technical Specifications and Citation. Where the
two name the same thing (Mitchell's "Ethical considerations" is the Hub's "Bias, Risks, and
Limitations"; "Quantitative analyses" is its "Results") they are one item, so no section counts
twice.

A section is found by its heading at any level, compared after normalising case, punctuation,
numbering and "[optional]" against a short list of the names cards use for it. It is filled when
its text, without the headings inside it, template hints (HTML comments), HTML tags, the
template's `[More Information Needed]` placeholders and boilerplate, and bare labels such as
`**Developed by:**`, still holds a word. The percentage is filled items over all items.
"""

import re
from dataclasses import dataclass

from ..cardfile import outline

MITCHELL = "Mitchell et al.'s Model Cards for Model Reporting"
HUB = "the Hub's card template"


@dataclass(frozen=True)
class SectionRule:
    key: str
    label: str
    heading: str  # what "suggest this section" adds when the card has no such heading
    hint: str  # one line on what the section holds, for the editor's checklist
    sources: tuple[str, ...]
    names: frozenset[str]


def _rule(
    key: str, label: str, heading: str, hint: str, sources: tuple[str, ...], *names: str
) -> SectionRule:
    return SectionRule(key, label, heading, hint, sources, frozenset(names))


CHECKLIST: tuple[SectionRule, ...] = (
    _rule(
        "model_details",
        "Model details",
        "Model Details",
        "What the model is, who made it, its type, languages, licence and the model it comes from.",
        (MITCHELL, HUB),
        "model details",
        "model description",
        "model summary",
        "model overview",
        "model information",
    ),
    _rule(
        "intended_use",
        "Intended use",
        "Uses",
        "What the model is for and who should use it, directly or built into something else.",
        (MITCHELL, HUB),
        "uses",
        "intended use",
        "intended uses",
        "direct use",
        "primary intended uses",
        "intended use cases",
        "use cases",
    ),
    _rule(
        "ethical_considerations",
        "Ethical considerations (bias, risks and limitations)",
        "Bias, Risks, and Limitations",
        "Known biases, risks and harms, and who could be affected by them.",
        (MITCHELL, HUB),
        "ethical considerations",
        "ethics",
        "bias risks and limitations",
        "bias risks limitations",
        "risks and limitations",
        "bias and limitations",
        "limitations and bias",
        "limitations and biases",
        "bias",
        "biases",
        "risks",
    ),
    _rule(
        "caveats_recommendations",
        "Caveats and recommendations",
        "Recommendations",
        "What users should keep in mind or do because of those limits.",
        (MITCHELL, HUB),
        "caveats and recommendations",
        "recommendations",
        "caveats",
        "limitations",
        "known limitations",
    ),
    _rule(
        "how_to_get_started",
        "How to get started",
        "How to Get Started with the Model",
        "A short code example that loads the model and runs it once.",
        (HUB,),
        "how to get started with the model",
        "how to get started",
        "getting started",
        "get started",
        "quick start",
        "quickstart",
        "usage",
        "how to use",
        "example usage",
    ),
    _rule(
        "training_details",
        "Training details",
        "Training Details",
        "How the model was trained: procedure, preprocessing and hyperparameters.",
        (HUB,),
        "training details",
        "training procedure",
        "training",
        "training setup",
        "pretraining",
    ),
    _rule(
        "training_data",
        "Training data",
        "Training Data",
        "The data the model was trained on, with a link to its dataset card.",
        (MITCHELL, HUB),
        "training data",
        "training dataset",
        "training datasets",
        "pretraining data",
        "training corpus",
    ),
    _rule(
        "evaluation",
        "Evaluation",
        "Evaluation",
        "How the model was tested and what came out.",
        (HUB,),
        "evaluation",
        "evaluations",
        "evaluation results",
        "benchmarks",
        "performance",
    ),
    _rule(
        "evaluation_data",
        "Evaluation data",
        "Evaluation Data",
        "The data the model was tested on, with a link to its dataset card.",
        (MITCHELL, HUB),
        "evaluation data",
        "evaluation dataset",
        "evaluation datasets",
        "testing data",
        "test data",
    ),
    _rule(
        "factors",
        "Factors",
        "Factors",
        "The groups, settings or conditions the results are broken down by.",
        (MITCHELL, HUB),
        "factors",
        "relevant factors",
        "evaluation factors",
        "testing factors",
    ),
    _rule(
        "metrics",
        "Metrics",
        "Metrics",
        "The measures used, and why they were chosen.",
        (MITCHELL, HUB),
        "metrics",
        "evaluation metrics",
        "testing metrics",
        "model performance measures",
        "performance measures",
    ),
    _rule(
        "quantitative_analyses",
        "Quantitative analyses (results)",
        "Results",
        "The numbers, overall and for each factor.",
        (MITCHELL, HUB),
        "quantitative analyses",
        "quantitative analysis",
        "results",
        "evaluation results",
        "benchmark results",
    ),
    _rule(
        "environmental_impact",
        "Environmental impact",
        "Environmental Impact",
        "Hardware, hours used, cloud region and estimated carbon emitted.",
        (HUB,),
        "environmental impact",
        "carbon emissions",
        "carbon footprint",
        "co2 emissions",
    ),
    _rule(
        "technical_specifications",
        "Technical specifications",
        "Technical Specifications",
        "The architecture, training objective and compute infrastructure.",
        (HUB,),
        "technical specifications",
        "technical specs",
        "model architecture and objective",
        "model architecture",
        "architecture",
        "compute infrastructure",
    ),
    _rule(
        "citation",
        "Citation",
        "Citation",
        "A BibTeX entry for the paper or the model, if there is one.",
        (HUB,),
        "citation",
        "citations",
        "how to cite",
        "cite",
        "bibtex",
        "citation information",
        "references",
    ),
    _rule(
        "model_card_contact",
        "Model card contact",
        "Model Card Contact",
        "Where to send questions and corrections about this card.",
        (HUB,),
        "model card contact",
        "contact",
        "contacts",
        "contact information",
    ),
)
RULES = {rule.key: rule for rule in CHECKLIST}

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_PLACEHOLDERS = (
    re.compile(r"\[\s*more information needed\s*\]", re.IGNORECASE),
    re.compile(r"more information needed(?: for further recommendations)?\.?", re.IGNORECASE),
    re.compile(r"\[optional\]", re.IGNORECASE),
    # The template's stock sentences, which say nothing about this model.
    re.compile(
        r"users\s+\(both\s+direct\s+and\s+downstream\)\s+should\s+be\s+made\s+aware\s+of\s+the\s+risks,"
        r"\s+biases\s+and\s+limitations\s+of\s+the\s+model\.?",
        re.IGNORECASE,
    ),
    re.compile(r"use the code below to get started with the model\.?", re.IGNORECASE),
    re.compile(r"<summary>\s*click to expand\s*</summary>", re.IGNORECASE),
    re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"),  # bare HTML tags such as <details>
    re.compile(
        r"carbon\s+emissions\s+can\s+be\s+estimated\s+using\s+the\s.*?\(2019\)\]\([^)]*\)\.?",
        re.IGNORECASE | re.DOTALL,
    ),
)
_LABEL = re.compile(r"^\s*(?:[-*+]|\d+[.)])?\s*(?:\*\*|__)?[^:*_\n]{1,60}:(?:\*\*|__)?")
_SETEXT_UNDERLINE = re.compile(r"[ ]{0,3}(?:=+|-+)[ ]*")
_WORD = re.compile(r"\w")


def normalise_heading(title: str) -> str:
    """`1. Bias, Risks & Limitations [optional]` -> `bias risks and limitations`."""
    title = re.sub(r"\[[^\]]*\]|\((?:optional)\)", " ", title.lower()).replace("&", " and ")
    title = re.sub(r"[^a-z0-9]+", " ", title)
    return re.sub(r"^(?:\d+ )+", "", title.strip())


def has_content(text: str) -> bool:
    """True when text holds something beyond template hints, placeholders and empty labels."""
    text = _COMMENT.sub(" ", text)
    for placeholder in _PLACEHOLDERS:
        text = placeholder.sub(" ", text)
    return any(_WORD.search(_LABEL.sub("", line, count=1)) for line in text.splitlines())


@dataclass(frozen=True)
class ItemResult:
    rule: SectionRule
    present: bool
    filled: bool
    section: int | None  # the `##` section to edit when the heading is there but empty


@dataclass(frozen=True)
class Completeness:
    items: tuple[ItemResult, ...]

    @property
    def percent(self) -> int:
        filled = sum(item.filled for item in self.items)
        return round(100 * filled / len(self.items))

    @property
    def missing(self) -> tuple[ItemResult, ...]:
        return tuple(item for item in self.items if not item.filled)


def check(text: str) -> Completeness:
    """Which checklist sections the card has, and which of them say something."""
    headings = outline(text)
    own_text, section_of = [], []
    current_section, count = None, 0
    for position, heading in enumerate(headings):
        end = headings[position + 1].start if position + 1 < len(headings) else len(text)
        lines = text[heading.start : end].splitlines()[1:]
        if lines and _SETEXT_UNDERLINE.fullmatch(lines[0]):
            lines = lines[1:]
        own_text.append("\n".join(lines))
        if heading.level == 1:
            current_section = None
        elif heading.level == 2:
            count += 1
            current_section = count
        section_of.append(current_section)

    def filled(position: int) -> bool:
        level = headings[position].level
        for inner in range(position, len(headings)):
            if inner > position and headings[inner].level <= level:
                break
            if has_content(own_text[inner]):
                return True
        return False

    names = [normalise_heading(heading.title) for heading in headings]
    items = []
    for rule in CHECKLIST:
        found = [position for position, name in enumerate(names) if name in rule.names]
        is_filled = any(filled(p) for p in found)
        section = None if is_filled or not found else section_of[found[0]]
        items.append(ItemResult(rule, bool(found), is_filled, section))
    return Completeness(tuple(items))


def card_fields(text: str) -> dict:
    """The stored summary: the percentage, and each missing item with where to add it."""
    result = check(text)
    return {
        "completeness": result.percent,
        "missing_sections": [
            {"key": item.rule.key, "present": item.present, "section": item.section}
            for item in result.missing
        ],
    }


def with_added_heading(text: str, key: str) -> str:
    """The text with the item's heading appended as a new `##` section, ready to be filled in."""
    rule = RULES[key]
    separator = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
    return f"{text}{separator}## {rule.heading}\n\n"
