"""Marking a claim disputed or "citation needed", and resolving the marker: card, version and talk.

Setting or removing a marker is a new version of the card (the marker is in its YAML), made by the
person who marked or resolved it, so history shows both; the discussion is a talk thread opened with
the reason, and a resolution's note closes it.
"""

import hashlib
import json

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from . import permissions
from .cardfile import CardFileError, parse_card, set_metadata_values
from .models import CardVersion, Comment, ModelCard, TalkThread
from .openness.disputes import KINDS, claim_label, markers, present_claims, with_marker, without_marker
from .openness.record import NAMESPACE
from .workflow import WorkflowError, write_version


class MarkerChanged(WorkflowError):
    """The marker a moderator looked at is no longer where it was (someone resolved or edited first)."""


def _save(locked: ModelCard, namespace, *, summary: str, user, kind: str) -> CardVersion:
    try:
        text = set_metadata_values(locked.text, {NAMESPACE: namespace})
        card_file = parse_card(text)
    except (ValueError, CardFileError) as exc:
        raise WorkflowError(f"The card's metadata cannot take a marker here: {exc}") from None
    return write_version(locked, card_file, kind=kind, summary=summary, author=user, card_is_locked=True)


def mark_claim(card: ModelCard, *, user: AbstractBaseUser, claim: str, kind: str, reason: str) -> CardVersion:
    """Mark one of the card's current claims, opening a talk thread with the reason."""
    reason = " ".join(reason.split())
    if kind not in KINDS:
        raise WorkflowError("Choose whether the claim is disputed or needs a citation.")
    if not reason:
        raise WorkflowError("Say what is wrong with the claim, or what needs a source.")
    with transaction.atomic():
        locked = ModelCard.objects.select_for_update().get(pk=card.pk)
        if claim not in present_claims(locked.metadata):
            raise WorkflowError("The card no longer makes that claim; reload the page to see its claims now.")
        label = claim_label(claim)
        thread = TalkThread.objects.create(card=locked, title=f"{KINDS[kind]}: {label}"[:200], author=user)
        Comment.objects.create(thread=thread, author=user, body=reason)
        namespace = with_marker(
            locked.metadata, claim=claim, kind=kind, reason=reason, by=user.get_username(), thread=thread.pk
        )
        summary = f"Marked {label}: {KINDS[kind].lower()}: {reason}"
        version = _save(locked, namespace, summary=summary, user=user, kind=CardVersion.Kind.MARKED)
    card.refresh_from_db()
    return version


def resolve_marker(
    card: ModelCard, *, moderator: AbstractBaseUser, index: int, seen: str, note: str
) -> CardVersion:
    """Remove marker `index` with a moderator's note; `seen` is the marker's fingerprint as shown."""
    if not permissions.can_review(moderator):
        raise WorkflowError("Only moderators resolve markers.")
    note = " ".join(note.split())
    if not note:
        raise WorkflowError("Say how the marker was resolved: what was checked, or what changed.")
    with transaction.atomic():
        locked = ModelCard.objects.select_for_update().get(pk=card.pk)
        found = {marker.index: marker for marker in markers(locked.metadata)}
        marker = found.get(index)
        if marker is None or marker_fingerprint(marker) != seen:
            raise MarkerChanged(
                "That marker changed or was resolved since you loaded the page; here it is now."
            )
        state = "" if marker.claim_present else " (claim removed)"
        summary = f"Resolved {marker.kind_label.lower()} marker on {marker.label}{state}: {note}"
        version = _save(
            locked,
            without_marker(locked.metadata, index),
            summary=summary,
            user=moderator,
            kind=CardVersion.Kind.RESOLVED,
        )
        if marker.thread:
            thread = TalkThread.objects.filter(pk=marker.thread, card=locked).first()
            if thread is not None:
                Comment.objects.create(thread=thread, author=moderator, body=f"Resolved: {note}")
                thread.closed = True
                thread.save(update_fields=["closed"])
    card.refresh_from_db()
    return version


def marker_fingerprint(marker) -> str:
    """Names one marker as a moderator saw it: any change to it, or another marker in its place, differs."""
    seen = [marker.index, marker.claim, marker.kind, marker.reason, marker.by, marker.opened, marker.thread]
    return hashlib.sha256(json.dumps(seen, ensure_ascii=False).encode("utf-8")).hexdigest()[:20]
