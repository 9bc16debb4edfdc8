"""A suggestion's kept texts: its author's revisions, and what a partial acceptance left pending.

The suggestion always holds its latest text. The first revision is written out only when a second
one arrives, from the suggestion as it then stood, so a suggestion never revised stores its text
once; from then on every revision has its row, and none is ever changed or deleted.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from .. import notifications
from ..diffing import TextDiff, cached_diff_texts
from ..models import Activity, Suggestion, SuggestionRevision
from .cards import _copy_fields, _real_user, base_text, checked_card_file, record_activity
from .errors import AlreadyDecided, NoChange, StaleReview, WorkflowError
from .guards import describe_decision, lock_for_decision


class RevisionMoved(StaleReview):
    """The suggestion got a newer revision after its author opened the editor."""


def _filed_revision(suggestion: Suggestion) -> SuggestionRevision:
    """Revision 1 as filed, read off the suggestion itself (written out only once a second arrives)."""
    return SuggestionRevision(
        suggestion=suggestion,
        number=1,
        kind=SuggestionRevision.Kind.FILED,
        text=suggestion.text,
        summary=suggestion.summary,
        base_version=suggestion.base_version,
        author_id=suggestion.author_id,
        author_name=suggestion.author_name,
        created_at=suggestion.created_at,
    )


def record_revision(
    locked: Suggestion,
    *,
    text: str,
    summary: str,
    base_version: int,
    kind: str,
    author: AbstractBaseUser | None,
    author_name: str = "",
) -> SuggestionRevision:
    """Make `text` the suggestion's next revision, keeping every earlier one.

    The caller holds the suggestion's row lock (`guards.lock_for_decision`): the number is taken from
    the locked row, in this one place.
    """
    if locked.revision_number == 1:
        _filed_revision(locked).save()
    number = locked.mark_revised(text=text, base_version=base_version)
    revision = SuggestionRevision.objects.create(
        suggestion=locked,
        number=number,
        kind=kind,
        text=text,
        summary=summary[:300],
        base_version=base_version,
        author=author,
        author_name="" if author else author_name,
    )
    locked.save(update_fields=Suggestion.REVISION_FIELDS)
    return revision


def may_revise(suggestion: Suggestion, user, token: str = "") -> bool:
    """Only the author revises: signed in as the account that filed it, or holding the private link of
    an anonymous suggestion. A moderator who wants other words uses "edit, then accept" instead, so a
    revision is never put in its author's name by someone else."""
    if suggestion.author_id:
        return bool(user and user.is_authenticated and user.pk == suggestion.author_id)
    return suggestion.token_matches(token)


def revise_suggestion(
    suggestion: Suggestion,
    *,
    text: str,
    summary: str,
    user: AbstractBaseUser | None,
    token: str = "",
    seen_revision: int | None = None,
    held: bool = False,
) -> SuggestionRevision:
    """The author's new text for their open suggestion, kept as its next revision; it waits for review
    again (pending), whether or not a moderator asked for changes.

    The base version stays: a moderator's review merges the revision with whatever changed since, as
    for any stale suggestion. `seen_revision` is the revision the author's editor started from, so a
    revision made meanwhile (in another tab, or a moderator accepting part) is never overwritten.
    """
    if not may_revise(suggestion, user, token):
        raise PermissionDenied("Only the author of a suggestion can revise it.")
    summary = summary.strip()
    if not summary:
        raise WorkflowError("Say in a line what this revision changes.")
    checked_card_file(text)
    with transaction.atomic():
        _card, locked = lock_for_decision(suggestion)
        if not locked.is_open:
            raise AlreadyDecided(f"{describe_decision(locked)} It can no longer be revised.")
        if seen_revision is not None and seen_revision != locked.revision_number:
            raise RevisionMoved(
                f"The suggestion changed while you were editing it (it is now at revision "
                f"{locked.revision_number}); your text is kept below. Compare it with the current "
                "revision, then send it again."
            )
        if text == locked.text:
            raise NoChange("The text is the same as the current revision; change something first.")
        if locked.card_id and text == base_text(locked):
            raise NoChange(
                f"The text is the same as version {locked.base_version} of the card, so it would change "
                "nothing; withdraw the suggestion instead."
            )
        locked.held = locked.held or held
        author = _real_user(user)
        revision = record_revision(
            locked,
            text=text,
            summary=summary,
            base_version=locked.base_version,
            kind=SuggestionRevision.Kind.REVISED,
            author=author,
            author_name=locked.author_name,
        )
        record_activity(locked, Activity.Kind.REVISED, actor=author, summary=summary)
        notifications.suggestion_revised(locked, revision)  # in this transaction, like every notice
    _copy_fields(locked, suggestion)
    return revision


def revision_of(suggestion: Suggestion, number: int) -> SuggestionRevision:
    """Revision `number` of the suggestion (DoesNotExist if there is none). A suggestion never revised
    has its one revision in its own fields, returned unsaved."""
    if suggestion.revision_number == 1:
        if number != 1:
            raise SuggestionRevision.DoesNotExist
        return _filed_revision(suggestion)
    return SuggestionRevision.objects.select_related("author").get(suggestion=suggestion, number=number)


def revision_list(suggestion: Suggestion) -> list[SuggestionRevision]:
    """Every revision, oldest first, without their texts (one query, however many there are)."""
    if suggestion.revision_number == 1:
        return []
    return list(suggestion.revisions.select_related("author").defer("text"))


def change_since_previous(suggestion: Suggestion, number: int, text: str) -> TextDiff | None:
    """What revision `number` (whose text is `text`) changed in the one before it; None for the first."""
    if number == 1:
        return None
    previous = SuggestionRevision.objects.only("text").get(suggestion=suggestion, number=number - 1)
    return cached_diff_texts(previous.text, text)
