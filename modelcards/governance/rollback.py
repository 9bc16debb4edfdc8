"""A moderator's rollback: every consecutive latest version by one author taken out in one action.

The run starts at the card's latest version and goes back while the versions have the same author;
the text of the last version before the run is published as a new version, attributed to the
moderator, of kind "reverted", with a summary naming what was rolled back. History is never
rewritten: the rolled-back versions stay, as with every revert.

Who counts as the same author: an account is one author, whoever approved its versions. Anonymous
versions carry only the name their writer typed, so they count as one author only when the names are
exactly the same and not blank; an unnamed anonymous version (or one whose account was deleted) is a
run of its own, because nothing says two of them came from the same person.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from .. import permissions
from ..models import CardVersion, ModelCard
from ..workflow import WorkflowError
from ..workflow.cards import _copy_fields, republish
from . import visibility

# Versions read per query while looking for the start of a run; a run longer than this costs more
# queries, one per chunk, never one per version.
RUN_CHUNK = 100


class CannotRollBack(WorkflowError):
    """The card as it stands has no rollback to offer."""


class NothingToRollBackTo(CannotRollBack):
    """Every version of the card is by the latest version's author: no other author's text to go back to."""


class TargetHidden(CannotRollBack):
    """The version before the run has its text hidden: rolling back to it would publish it again."""


class CardChanged(WorkflowError):
    """The card has a newer version than the one the moderator confirmed the rollback for."""


def same_author(a: CardVersion, b: CardVersion) -> bool:
    """Whether two versions are by one author (see the module's docstring for anonymous versions)."""
    if a.author_id or b.author_id:
        return a.author_id == b.author_id
    return bool(a.author_name) and a.author_name == b.author_name


@dataclass(frozen=True)
class Rollback:
    """The run of latest versions by one author (newest first) and the version before it."""

    card: ModelCard
    run: list[CardVersion]
    target: CardVersion

    @property
    def current_version(self) -> int:
        return self.run[0].number

    @property
    def first(self) -> int:
        return self.run[-1].number

    @property
    def author_display(self) -> str:
        return self.run[0].author_display

    @property
    def numbers_label(self) -> str:
        """ "version 9" or "versions 7-9"."""
        if self.first == self.current_version:
            return f"version {self.first}"
        return f"versions {self.first}-{self.current_version}"

    @property
    def summary(self) -> str:
        """The new version's public summary: a hidden author's name is not repeated in it."""
        author = visibility.author_shown(self.run[0])
        return f"Rollback of {self.numbers_label} by {author} to version {self.target.number}"


def prepare_rollback(card: ModelCard) -> Rollback:
    """The rollback of the card as it is now; nothing is saved.

    Raises NothingToRollBackTo when the run reaches version 1, and TargetHidden when the version before
    the run has its text hidden (as MediaWiki refuses a rollback to a revision whose text is deleted).
    """
    versions = card.versions.with_people().order_by("-number")
    run: list[CardVersion] = []
    below = card.version_number + 1
    while True:
        chunk = list(versions.filter(number__lt=below)[:RUN_CHUNK])
        for version in chunk:
            if run and not same_author(run[0], version):
                if not visibility.shows(version, "text"):
                    raise TargetHidden(
                        f"The text of version {version.number}, the last before "
                        f"{visibility.author_shown(run[0])}'s "
                        "versions, is hidden: rolling back to it would publish it again. Restore another "
                        "version or edit the card instead."
                    )
                return Rollback(card=card, run=run, target=version)
            run.append(version)
        if len(chunk) < RUN_CHUNK:
            break
        below = chunk[-1].number
    if not run:
        raise NothingToRollBackTo("This card has no versions.")
    raise NothingToRollBackTo(
        f"Every version of this card ({len(run)}) is by {visibility.author_shown(run[0])}: there is no "
        "earlier version by someone else to roll back to. Edit the card, or restore a version from its "
        "history."
    )


def rollback_card(card: ModelCard, *, expected_version: int, moderator: AbstractBaseUser) -> CardVersion:
    """Publish the text of the version before the latest author's run as the card's next version.

    `expected_version` is the card's version when the moderator was shown what the rollback takes out;
    if the card has moved on since, CardChanged is raised and nothing is saved, so a rollback never
    takes out a version its moderator did not see.
    """
    if not permissions.can_review(moderator):
        raise PermissionDenied("Only moderators can roll back a card.")
    with transaction.atomic():
        locked = ModelCard.objects.select_for_update().get(pk=card.pk)
        if locked.version_number != expected_version:
            raise CardChanged(
                f"The card changed while you looked: it is now at version {locked.version_number}, "
                f"not {expected_version}. Nothing was rolled back; look at the rollback again."
            )
        plan = prepare_rollback(locked)
        version = republish(locked, plan.target.number, summary=plan.summary, moderator=moderator)
    _copy_fields(locked, card)
    return version
