"""What the workflow refuses, as exceptions a view turns into a message and a 4xx (never a 500)."""

from django.core.exceptions import PermissionDenied

from ..diffing import MergeResult
from ..models import InvalidTransition


class WorkflowError(Exception):
    """A change the card's current state does not allow; views show the message (4xx, never 500)."""


class CardExists(WorkflowError):
    pass


class NoChange(WorkflowError):
    pass


class StaleReview(WorkflowError):
    """The card or the suggestion changed after the moderator looked; they must look again."""


class CardMoved(StaleReview):
    """The card changed after the moderator compared their text with it; they must compare again."""


class AlreadyDecided(InvalidTransition):
    """Someone decided the suggestion first; the message tells the other person who, when and how."""


class MergeConflict(WorkflowError):
    def __init__(self, merge: MergeResult):
        super().__init__(
            f"The suggestion conflicts with changes made since it was written "
            f"({len(merge.conflicts)} conflicting region(s)); resolve them before accepting."
        )
        self.merge = merge


class InvalidText(WorkflowError):
    def __init__(self, problems: list[str]):
        super().__init__("The resulting text has problems: " + "; ".join(problems))
        self.problems = problems


class UnresolvedConflict(InvalidText):
    """An edited text still holds conflict markers: publishing it would publish the markers."""

    def __init__(self, markers: list[tuple[int, str]]):
        numbers = [str(number) for number, _ in markers]
        where = numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"
        super().__init__(
            [
                f"conflict markers are still in the text (line{'s' if len(numbers) > 1 else ''} {where}). "
                "In each conflict keep the text you want, then delete the <<<<<<<, ======= and >>>>>>> lines"
            ]
        )
        self.markers = markers


class CardProtected(WorkflowError, PermissionDenied):
    """The card's protection does not let this person suggest; the message names it (a 403)."""

    def __init__(self, protection):
        from ..governance.protection import describe

        super().__init__(describe(protection))
        self.protection = protection
