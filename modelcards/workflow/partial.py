"""Accepting part of a suggestion: the hunks a moderator ticks become a version; the rest is kept.

Hunks are those of the suggestion's diff against its base version, as the review page shows them.
The ticked ones are applied to the base, then merged three ways into the CURRENT text, so changes made
since are kept; a ticked hunk that conflicts with them is refused by number, never dropped. What was
not ticked either stays pending, as the suggestion's next revision, or is declined with a note and
kept as the declined part.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from .. import notifications, permissions
from ..diffing import TextDiff, cached_diff_texts, merge3
from ..models import Activity, CardVersion, PartialAcceptance, Suggestion, SuggestionRevision
from .acceptance import text_fingerprint
from .cards import _copy_fields, checked_card_file, record_activity, text_at_version, write_version
from .errors import NoChange, StaleReview, WorkflowError
from .guards import ensure_pending, lock_for_decision, refuse_upstream_markers
from .revisions import record_revision


class PartConflict(WorkflowError):
    """A ticked hunk touches lines changed since the suggestion's base version."""


def hunks_fingerprint(suggestion: Suggestion) -> str:
    """Names the diff whose hunks a moderator ticked: the suggestion's text and the version it is on."""
    return text_fingerprint(f"{suggestion.base_version}\n{suggestion.text}")


def hunk_numbers(diff: TextDiff) -> range:
    """The numbers a review page gives the hunks of `diff`, from 1; none when it has no separate parts."""
    if diff.too_large or len(diff.hunks) < 2:
        return range(0)
    return range(1, len(diff.hunks) + 1)


def apply_hunks(old: str, new: str, diff: TextDiff, numbers: Iterable[int]) -> str:
    """`old` with only the hunks `numbers` (from 1) of `diff` = diff_texts(old, new) taken from `new`.

    Each hunk spans its context lines on both sides, which are equal, so pieces are joined only where
    the texts agree and no line can fuse with its neighbour.
    """
    chosen = set(numbers)
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out: list[str] = []
    at = 0
    for number, hunk in enumerate(diff.hunks, 1):
        if number not in chosen:
            continue
        old_from = hunk.old_start - 1 if hunk.old_len else hunk.old_start
        new_from = hunk.new_start - 1 if hunk.new_len else hunk.new_start
        out += old_lines[at:old_from]
        out += new_lines[new_from : new_from + hunk.new_len]
        at = old_from + hunk.old_len
    out += old_lines[at:]
    return "".join(out)


@dataclass(frozen=True)
class PartAccepted:
    """What a partial acceptance did: the version published and where the rest went."""

    version: CardVersion
    partial: PartialAcceptance
    remainder: SuggestionRevision | None  # the new pending revision, when the rest stays pending
    rebased: bool  # the pending rest now reads against the new version (else against its old base)
    nothing_left: bool = False  # the rest was already in the card: the suggestion is wholly accepted


def _ticked(hunks: Iterable, count: int) -> list[int]:
    try:
        chosen = sorted({int(h) for h in hunks})
    except (TypeError, ValueError):
        raise WorkflowError("Changes are ticked by number; reload the page and tick them again.") from None
    if not chosen:
        raise WorkflowError("Tick at least one change to accept.")
    if chosen[0] < 1 or chosen[-1] > count:
        raise WorkflowError(f"This suggestion has changes 1 to {count}; reload the page and tick them again.")
    if len(chosen) == count:
        raise WorkflowError("You ticked every change: accept the whole suggestion instead.")
    return chosen


def _conflicting(base: str, current: str, suggested: str, diff: TextDiff, chosen: list[int]) -> list[int]:
    """The ticked hunks that, each on its own, conflict with the changes made since the base."""
    return [n for n in chosen if merge3(base, current, apply_hunks(base, suggested, diff, [n])).conflicted]


def _listed(numbers: list[int]) -> str:
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def accept_part(
    suggestion: Suggestion,
    *,
    reviewer: AbstractBaseUser,
    hunks: Iterable,
    remainder: str,
    note: str = "",
    seen_hunks: str | None = None,
    seen_version: int | None = None,
) -> PartAccepted:
    """Publish the ticked hunks of a pending suggestion as the card's next version, credited to its author.

    `remainder` says what becomes of the rest: "pending" keeps the suggestion open with a new revision
    holding exactly the hunks not ticked, against the new version (or, if they conflict with changes
    made since, against the old base, for the conflict screen); "declined" closes it as partly
    accepted, with `note` saying why. `seen_hunks` and `seen_version` bind the decision to the diff
    and the card version the moderator was shown.
    """
    if not permissions.can_review(reviewer):
        raise PermissionDenied("Only moderators can accept suggestions.")
    if remainder not in PartialAcceptance.Remainder.values:
        raise WorkflowError("Choose whether the changes you did not tick stay pending or are declined.")
    note = note.strip()
    if remainder == PartialAcceptance.Remainder.DECLINED and not note:
        raise WorkflowError("Say why the rest is declined: the note is shown to the author.")
    with transaction.atomic():
        card, locked = lock_for_decision(suggestion, whole_card=True)
        ensure_pending(locked)
        if card is None:
            raise WorkflowError("A suggested new card is accepted whole, or rejected.")
        if seen_hunks is not None and seen_hunks != hunks_fingerprint(locked):
            raise StaleReview(
                "The suggestion changed after you ticked its changes (it is now at revision "
                f"{locked.revision_number}); look at its diff again."
            )
        if seen_version is not None and seen_version != card.version_number:
            raise StaleReview(
                f"The card has changed since you opened the review (it is now at version "
                f"{card.version_number}); check the updated comparison and accept again."
            )
        base_text = text_at_version(card, locked.base_version)
        diff = cached_diff_texts(base_text, locked.text)
        count = len(hunk_numbers(diff))
        if not count:
            raise WorkflowError("This suggestion has no separate changes to choose from; decide on it whole.")
        chosen = _ticked(hunks, count)
        left = [n for n in range(1, count + 1) if n not in chosen]
        part_text = apply_hunks(base_text, locked.text, diff, chosen)
        left_text = apply_hunks(base_text, locked.text, diff, left)
        merge_note = ""
        final_text = part_text
        if card.version_number != locked.base_version:
            merge = merge3(base_text, card.text, part_text)
            if merge.conflicted:
                clashing = _conflicting(base_text, card.text, locked.text, diff, chosen) or chosen
                plural = "s" if len(clashing) > 1 else ""
                raise PartConflict(
                    f"Change{plural} {_listed(clashing)} conflict{'' if plural else 's'} with changes made "
                    f"since version {locked.base_version} (the card is now at version "
                    f"{card.version_number}). Untick {'them' if plural else 'it'} to accept the others, or "
                    "resolve the conflict on the whole suggestion's conflict screen."
                )
            final_text = merge.text
            merge_note = f"Merged with changes made since version {locked.base_version}."
        if locked.upstream_commit:
            # The sync's conflict markers (modelcards/hub/sync.py) are never published, ticked or not.
            refuse_upstream_markers(final_text, current_text=card.text)
        card_file = checked_card_file(final_text)
        if card_file.text == card.text:
            raise NoChange("The card already contains the ticked changes.")
        version = write_version(
            card,
            card_file,
            kind=CardVersion.Kind.SUGGESTION,
            summary=f"Part of suggestion #{locked.pk}: {locked.summary}",
            author=locked.author,
            author_name=locked.author_name,
            moderator=reviewer,
            merge_note=merge_note,
            card_is_locked=True,
        )
        partial = PartialAcceptance.objects.create(
            suggestion=locked,
            version=version,
            moderator=reviewer,
            revision_number=locked.revision_number,
            base_version=locked.base_version,
            accepted_hunks=chosen,
            left_hunks=left,
            left_text=left_text,
            remainder=remainder,
            note=note,
        )
        outcome = _dispose_of_rest(locked, partial, base_text=base_text, card=card, reviewer=reviewer)
    _copy_fields(locked, suggestion)
    return outcome


def _dispose_of_rest(
    locked: Suggestion, partial: PartialAcceptance, *, base_text: str, card, reviewer
) -> PartAccepted:
    """Decline the changes not ticked, or keep them pending as the suggestion's next revision."""
    version = partial.version
    numbers = partial.accepted_hunks
    said = f"change{'s' if len(numbers) > 1 else ''} {_listed(numbers)} as version {version.number}"
    if partial.remainder == PartialAcceptance.Remainder.DECLINED:
        locked.mark_decided(Suggestion.Status.PARTLY_ACCEPTED, moderator=reviewer, note=partial.note)
        locked.version = version
        locked.save(update_fields=Suggestion.DECISION_FIELDS)
        summary = f"Accepted {said}; declined the rest"
        record_activity(locked, Activity.Kind.PARTLY_ACCEPTED, actor=reviewer, summary=summary)
        notifications.suggestion_decided(locked)  # queued in this transaction
        return PartAccepted(version, partial, None, rebased=False)
    # The rest, merged into the new version: its diff against that version is the hunks not ticked.
    rest = merge3(base_text, card.text, locked.text)
    if not rest.conflicted and rest.text == card.text:
        locked.mark_decided(Suggestion.Status.ACCEPTED, moderator=reviewer, note=partial.note)
        locked.version = version
        locked.save(update_fields=Suggestion.DECISION_FIELDS)
        record_activity(locked, Activity.Kind.ACCEPTED, actor=reviewer)
        notifications.suggestion_decided(locked)
        return PartAccepted(version, partial, None, rebased=False, nothing_left=True)
    rebased = not rest.conflicted
    revision = record_revision(
        locked,
        text=rest.text if rebased else partial.left_text,
        summary=f"What was left after accepting {said}",
        base_version=version.number if rebased else locked.base_version,
        kind=SuggestionRevision.Kind.REMAINDER,
        author=reviewer,
    )
    summary = f"Accepted {said}; the rest stays pending"
    record_activity(locked, Activity.Kind.PARTLY_ACCEPTED, actor=reviewer, summary=summary)
    notifications.suggestion_decided(locked, Suggestion.Status.PARTLY_ACCEPTED, moderator_id=reviewer.pk)
    return PartAccepted(version, partial, revision, rebased=rebased)
