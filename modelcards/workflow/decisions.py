"""A moderator's decisions on a suggestion: accept, reject, or ask its author for changes.

Each decision locks the card row, then the suggestion row (`guards.lock_for_decision`), so two
moderators deciding at once produce one decision and a clear refusal for the other, never a deadlock.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from .. import notifications, permissions
from ..models import Activity, CardVersion, ChangeRequest, Suggestion
from .acceptance import _refuse_unresolved_markers, prepare_acceptance, text_fingerprint, version_fingerprint
from .cards import _copy_fields, checked_card_file, create_card, record_activity, write_version
from .errors import CardExists, CardMoved, MergeConflict, NoChange, StaleReview, WorkflowError
from .guards import ensure_open, ensure_pending, lock_for_decision, refuse_upstream_markers


def accept_suggestion(
    suggestion: Suggestion,
    *,
    reviewer: AbstractBaseUser,
    note: str = "",
    resolved_text: str | None = None,
    seen_fingerprint: str | None = None,
    seen_version: int | None = None,
    seen_current: str | None = None,
) -> CardVersion:
    """Publish a pending suggestion as the card's next version, credited to its author and `reviewer`.

    The card row is locked while the text is merged and written, so a double click or two moderators
    produce one version and a clear refusal for the other. If the card changed since the suggestion
    was made, its changes are merged three ways with the current text; a conflict needs
    `resolved_text` from the moderator. `seen_*` bind the decision to what the moderator was shown:
    a `resolved_text` is published only with `seen_current`, the `version_fingerprint` of the version
    it was compared with, so it can never drop a change the moderator was not shown as dropped.
    """
    if not permissions.can_review(reviewer):
        raise PermissionDenied("Only moderators can accept suggestions.")
    return _publish(
        suggestion,
        reviewer=reviewer,
        note=note,
        resolved_text=resolved_text,
        seen_fingerprint=seen_fingerprint,
        seen_version=seen_version,
        seen_current=seen_current,
    )


def _publish(
    suggestion: Suggestion,
    *,
    reviewer: AbstractBaseUser | None,
    note: str = "",
    resolved_text: str | None = None,
    seen_fingerprint: str | None = None,
    seen_version: int | None = None,
    seen_current: str | None = None,
    autoreviewed: bool = False,
) -> CardVersion:
    """Accepting, once it is settled who may: a moderator (`accept_suggestion`), or nobody for an
    autoreviewed suggestion (`workflow.suggestions`, which decides whether its author may skip review)."""
    with transaction.atomic():
        card, locked = lock_for_decision(suggestion, whole_card=True)
        ensure_pending(locked)
        if seen_fingerprint is not None and seen_fingerprint != text_fingerprint(locked.text):
            raise StaleReview("The suggestion's text is not the one you reviewed; look at it again.")
        if resolved_text is not None:
            # Checked before `seen_version`, so a moderator whose card moved on is shown the new diff.
            if seen_current is None:
                raise StaleReview("Compare the edited text with the current version before accepting it.")
            if seen_current != version_fingerprint(card):
                now = f" (it is now at version {card.version_number})" if card else ""
                raise CardMoved(
                    f"The card changed while you were checking your text{now}; "
                    "compare your text with it again before accepting."
                )
            _refuse_unresolved_markers(resolved_text, sources=(card.text if card else "", locked.text))
        if card is not None and seen_version is not None and seen_version != card.version_number:
            raise StaleReview(
                f"The card has changed since you opened the review (it is now at version "
                f"{card.version_number}); check the updated comparison and accept again."
            )
        merge_note = ""
        if resolved_text is not None:
            final_text = resolved_text
            merge_note = "Edited or resolved by the moderator before accepting."
        elif card is None:
            final_text = locked.text
        else:
            acceptance = prepare_acceptance(locked, card)
            if acceptance.conflicted:
                raise MergeConflict(acceptance.merge)
            if acceptance.stale:
                final_text = acceptance.result_text
                merge_note = f"Merged with changes made since version {locked.base_version}."
            else:
                final_text = locked.text
        if card is not None and locked.upstream_commit:
            # An upstream suggestion may carry the sync's conflict markers (modelcards/hub/sync.py).
            refuse_upstream_markers(final_text, current_text=card.text)
        card_file = checked_card_file(final_text)
        if card is None:
            try:
                card = create_card(
                    slug=locked.new_slug,
                    card_file=card_file,
                    user=locked.author,
                    author_name=locked.author_name,
                    moderator=reviewer,
                    summary=locked.summary,
                    kind=CardVersion.Kind.SUGGESTION,
                )
            except CardExists as exc:
                raise WorkflowError(f"{exc} Reject this suggestion or suggest it as an edit.") from exc
            version = card.versions.get(number=1)
            locked.card = card
        else:
            if card_file.text == card.text:
                raise NoChange(
                    "The card already contains this text; reject the suggestion with a note instead."
                )
            version = write_version(
                card,
                card_file,
                kind=CardVersion.Kind.SUGGESTION,
                summary=locked.summary,
                author=locked.author,
                author_name=locked.author_name,
                moderator=reviewer,
                merge_note=merge_note,
                card_is_locked=True,
                autoreviewed=autoreviewed,
            )
            locked.card = card  # the row just written, so nothing after this reads it again
            if locked.upstream_commit:  # the Hub commit it brings, for proposing back (modelcards/hub/)
                version.upstream_repo, version.upstream_commit = locked.upstream_repo, locked.upstream_commit
                version.save(update_fields=["upstream_repo", "upstream_commit"])
        locked.mark_decided(Suggestion.Status.ACCEPTED, moderator=reviewer, note=note)
        locked.version = version
        locked.save(update_fields=Suggestion.DECISION_FIELDS)
        record_activity(locked, Activity.Kind.ACCEPTED, actor=reviewer or locked.author)
        if not autoreviewed:  # an autoreviewed author sees the outcome at once, on the page they land on
            notifications.suggestion_decided(locked)  # queued in this transaction (modelcards/outbox.py)
    _copy_fields(locked, suggestion)
    return version


def reject_suggestion(suggestion: Suggestion, *, reviewer: AbstractBaseUser, note: str) -> Suggestion:
    """Close a suggestion without publishing it; the note tells the author why, and the text stays."""
    if not permissions.can_review(reviewer):
        raise PermissionDenied("Only moderators can reject suggestions.")
    if not note.strip():
        raise WorkflowError("Say why the suggestion is rejected: the note is shown to its author.")
    with transaction.atomic():
        _card, locked = lock_for_decision(suggestion)
        ensure_open(locked)  # a suggestion waiting for its author's changes can still be turned down
        locked.mark_decided(Suggestion.Status.REJECTED, moderator=reviewer, note=note.strip())
        locked.save(update_fields=Suggestion.DECISION_FIELDS)
        record_activity(locked, Activity.Kind.REJECTED, actor=reviewer)
        notifications.suggestion_decided(locked)  # queued in this transaction (modelcards/outbox.py)
    _copy_fields(locked, suggestion)
    return suggestion


def request_changes(
    suggestion: Suggestion, *, reviewer: AbstractBaseUser, note: str, seen_fingerprint: str | None = None
) -> ChangeRequest:
    """Hand a pending suggestion back to its author, with a note saying what should change.

    Nothing is decided: the author revises the same suggestion, which puts it back in the queue, or
    withdraws it. Meanwhile it cannot be accepted (that would skip the revision asked for) but can be
    rejected. `seen_fingerprint` binds the request to the text the moderator read.
    """
    if not permissions.can_review(reviewer):
        raise PermissionDenied("Only moderators can ask for changes.")
    note = note.strip()
    if not note:
        raise WorkflowError("Say what should change: the note is what the author sees.")
    with transaction.atomic():
        _card, locked = lock_for_decision(suggestion)
        ensure_pending(locked)
        if seen_fingerprint is not None and seen_fingerprint != text_fingerprint(locked.text):
            raise StaleReview(
                f"The suggestion was revised while you read it (it is now at revision "
                f"{locked.revision_number}); look at it again."
            )
        locked.mark_changes_requested(moderator=reviewer, note=note)
        locked.save(update_fields=["status", "moderator", "note", "updated_at"])
        request = ChangeRequest.objects.create(
            suggestion=locked, moderator=reviewer, note=note, revision_number=locked.revision_number
        )
        record_activity(locked, Activity.Kind.CHANGES_REQUESTED, actor=reviewer, summary=note)
        notifications.suggestion_decided(locked)  # the author hears of it like of any decision
    _copy_fields(locked, suggestion)
    return request
