"""The sections the Hugging Face model card template recommends, and which of them a card still lacks."""

import re
from dataclasses import dataclass

from .cardfile import split_sections

PLACEHOLDER = "[More Information Needed]"


@dataclass(frozen=True)
class Recommended:
    """A recommended `##` section: what to call it, a one-line hint, and the titles that count as it."""

    key: str
    heading: str
    hint: str
    matches: re.Pattern


# In the template's order. A card's own heading counts for the first entry whose pattern it matches,
# so "How to use" is taken by getting-started before "uses" can claim it.
RECOMMENDED: tuple[Recommended, ...] = tuple(
    Recommended(key, heading, hint, re.compile(pattern, re.IGNORECASE))
    for key, heading, hint, pattern in (
        (
            "details",
            "Model Details",
            "What the model is, who made it, its type, languages, licence and the model it comes from.",
            r"\bmodel (details|description|summary|overview)\b|^(overview|about|description)\b",
        ),
        (
            "get-started",
            "How to Get Started with the Model",
            "A short code example that loads the model and runs it once.",
            r"get(ting)? started|how to use|quick ?start|usage example",
        ),
        (
            "uses",
            "Uses",
            "What the model is for, who should use it, and uses that are out of scope.",
            r"\buses?\b|\busage\b|intended|out[- ]of[- ]scope|\bapplications?\b",
        ),
        (
            "bias",
            "Bias, Risks, and Limitations",
            "Known biases, risks and technical limits, and what users should do about them.",
            r"\bbias|\brisks?\b|limitation|ethic|safety",
        ),
        (
            "training",
            "Training Details",
            "The training data (link its dataset card), preprocessing and hyperparameters.",
            r"\btrain",
        ),
        (
            "evaluation",
            "Evaluation",
            "Testing data, metrics and results, with the factors they were broken down by.",
            r"evaluat|\bresults?\b|benchmark|performance",
        ),
        (
            "environment",
            "Environmental Impact",
            "Hardware, hours used, cloud region and estimated carbon emitted.",
            r"environment|carbon|co2|emission|energy",
        ),
        (
            "citation",
            "Citation",
            "A BibTeX entry for the paper or the model, if there is one.",
            r"citation|\bcite\b|bibtex",
        ),
        (
            "contact",
            "Model Card Contact",
            "Where to send questions and corrections about this card.",
            r"contact",
        ),
    )
)

_BY_KEY = {item.key: item for item in RECOMMENDED}
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_UNDERLINE = re.compile(r"[ ]{0,3}-+[ ]*")


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    heading: str
    hint: str
    status: str  # "done", "unfinished" (empty or still a placeholder) or "missing"

    @property
    def status_label(self) -> str:
        return {"done": "written", "unfinished": "needs text", "missing": "missing"}[self.status]


def checklist(text: str) -> list[ChecklistItem]:
    """Each recommended section with its state in `text`, a whole README.md."""
    found: dict[str, str] = {}
    for section in split_sections(text):
        for item in RECOMMENDED:
            if item.key not in found and item.matches.search(section.title):
                found[item.key] = _state(text[section.start : section.end])
                break
    return [
        ChecklistItem(item.key, item.heading, item.hint, found.get(item.key, "missing"))
        for item in RECOMMENDED
    ]


def _state(section_text: str) -> str:
    lines = section_text.splitlines()[1:]  # the heading line
    if lines and _UNDERLINE.fullmatch(lines[0]):
        lines = lines[1:]
    content = _COMMENT.sub("", "\n".join(lines)).strip()
    return "unfinished" if not content or PLACEHOLDER in content else "done"


def insert_section(text: str, key: str) -> str:
    """`text` with the recommended section `key` added at its end: its heading and, as an HTML comment
    readers never see, its hint. An unknown key leaves the text as it is."""
    item = _BY_KEY.get(key)
    if item is None:
        return text
    if text and not text.endswith("\n"):
        text += "\n"
    if text and not text.endswith("\n\n"):
        text += "\n"
    return f"{text}## {item.heading}\n\n<!-- {item.hint} -->\n"
