"""Undoing one version's change, and restoring an old version, as new changes to the current card.

Undo is MediaWiki's: it takes out just what version N changed and keeps everything written after it,
by merging three ways with version N as the base, the current text as ours and version N-1 as theirs.
Where a later version edited the same lines, the merge conflicts and a person decides; nothing is
dropped. Both are ordinary edits afterwards: a moderator's is published through
`workflow.edit_card_directly`, anyone else's is filed as a suggestion like any other.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from .. import history
from ..diffing import MergeResult, TextDiff, cached_diff_texts, cached_merge3, unresolved_markers
from ..models import CardVersion, ModelCard, Suggestion
from ..workflow import UnresolvedConflict, WorkflowError, edit_card_directly


class NoSuchVersion(WorkflowError):
    """The card has no version with that number."""


class NothingBefore(WorkflowError):
    """Version 1 created the card: there is no earlier text to go back to."""


def _versions_and_texts(card: ModelCard, numbers: tuple[int, ...]) -> tuple[dict, dict]:
    if not all(1 <= number <= card.version_number for number in numbers):
        raise NoSuchVersion("This card has no such version.")
    versions = history.versions_by_number(card, numbers)
    states = history.stored_states(card, versions.values())
    if len(states) != len(numbers):
        raise NoSuchVersion("This card has no such version.")
    return versions, {number: state["text"] for number, state in states.items()}


@dataclass(frozen=True)
class Undo:
    """What undoing version `version.number` would make of the card at `current_version`."""

    version: CardVersion
    current_version: int
    current_text: str
    changed_text: str  # version N's text, the merge's base
    earlier_text: str  # version N-1's text, what the undone lines go back to
    merge: MergeResult

    @property
    def number(self) -> int:
        return self.version.number

    @property
    def summary(self) -> str:
        """The edit summary an undo is published or filed with: which version, and whose change."""
        return f"Undo version {self.number} by {self.version.author_display}"

    @property
    def conflicted(self) -> bool:
        return self.merge.conflicted

    @property
    def text(self) -> str:
        """The text to publish or suggest: the clean merge, or the merge with each conflict marked."""
        if self.merge.conflicted:
            return self.merge.marked(
                f"current card (version {self.current_version})", f"before version {self.number}"
            )
        return self.merge.text

    @property
    def nothing_to_undo(self) -> bool:
        """Version N's change is no longer in the current text (undone already, or rewritten since)."""
        return not self.merge.conflicted and self.merge.text == self.current_text

    @property
    def diff(self) -> TextDiff | None:
        """The undo against the current text; None while conflicts are unresolved."""
        return None if self.merge.conflicted else cached_diff_texts(self.current_text, self.merge.text)

    def leftover_markers(self, text: str) -> list[tuple[int, str]]:
        """Conflict markers still in an edited `text`, beyond those the merged texts hold themselves."""
        return unresolved_markers(text, sources=(self.current_text, self.changed_text, self.earlier_text))


def prepare_undo(card: ModelCard, number: int) -> Undo:
    """The undo of version `number` against the card as it is now; nothing is saved.

    A fixed number of queries however long the history: the two versions and their stored texts.
    """
    if number == 1:
        raise NothingBefore(
            "Version 1 created the card, so there is nothing before it to go back to. "
            "Suggest an edit instead."
        )
    versions, texts = _versions_and_texts(card, (number - 1, number))
    changed, earlier = texts[number], texts[number - 1]
    return Undo(
        version=versions[number],
        current_version=card.version_number,
        current_text=card.text,
        changed_text=changed,
        earlier_text=earlier,
        merge=cached_merge3(changed, card.text, earlier),
    )


def publish_undo(
    card: ModelCard, undo: Undo, *, text: str, summary: str, base_version: int, editor: AbstractBaseUser
) -> CardVersion | Suggestion:
    """A moderator's undo (its conflicts resolved in `text`) as the card's next version.

    Text still holding conflict markers is refused, so markers are never published. If the card moved
    on after `base_version`, the edit is merged with the newer changes, or kept as the moderator's
    pending suggestion where they conflict, as every direct edit is.
    """
    if markers := undo.leftover_markers(text):
        raise UnresolvedConflict(markers)
    return edit_card_directly(
        card, text=text, summary=summary or undo.summary, base_version=base_version, editor=editor
    )


@dataclass(frozen=True)
class Restore:
    """Version `version.number`'s text as a change to the current card."""

    version: CardVersion
    current_version: int
    current_text: str
    text: str

    @property
    def number(self) -> int:
        return self.version.number

    @property
    def summary(self) -> str:
        return f"Restore version {self.number}"

    @property
    def unchanged(self) -> bool:
        return self.text == self.current_text

    @property
    def diff(self) -> TextDiff:
        return cached_diff_texts(self.current_text, self.text)


def prepare_restore(card: ModelCard, number: int) -> Restore:
    """What restoring version `number` would change in the current text; nothing is saved."""
    versions, texts = _versions_and_texts(card, (number,))
    return Restore(versions[number], card.version_number, card.text, texts[number])
