"""The editor's checklist of recommended sections, read from the same rules as the card page's list.

Both lists come from `openness.completeness.check`, so the editor and the card's "N sections missing
or empty" always name the same sections in the same words and count them alike.
"""

from dataclasses import dataclass

from .openness.completeness import RULES, check

STATUS_LABELS = {"done": "written", "unfinished": "needs text", "missing": "missing"}


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str  # the section's name, as the card page's list gives it
    heading: str  # what the "Add" button writes
    hint: str
    status: str  # "done", "unfinished" (the heading is there, the text is not) or "missing"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def checklist(text: str) -> list[ChecklistItem]:
    """Each recommended section with its state in `text`, a whole README.md, in the checklist's order."""
    items = []
    for result in check(text).items:
        rule = result.rule
        status = "done" if result.filled else ("unfinished" if result.present else "missing")
        items.append(ChecklistItem(rule.key, rule.label, rule.heading, rule.hint, status))
    return items


def insert_section(text: str, key: str) -> str:
    """`text` with the recommended section `key` added at its end: its heading and, as an HTML comment
    readers never see, its hint. An unknown key leaves the text as it is."""
    rule = RULES.get(key)
    if rule is None:
        return text
    if text and not text.endswith("\n"):
        text += "\n"
    if text and not text.endswith("\n\n"):
        text += "\n"
    return f"{text}## {rule.heading}\n\n<!-- {rule.hint} -->\n"
