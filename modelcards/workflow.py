"""Changes to cards that span several models: cards, versions, suggestions, watches and mail.

Every change to a card's text goes through `write_version`, so each one is numbered, attributed and
recorded in history the same way whether it came from an import, a direct edit, a suggestion or a
revert. Suggestions made against an older version are merged three ways, never applied blindly.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass

import reversion
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import notifications, permissions
from .cardfile import CardFile, CardFileError, parse_card, parse_or_problems, replace_body
from .diffing import (
    MergeRegion,
    MergeResult,
    TextDiff,
    cached_diff_texts,
    cached_merge3,
    carry_line_origins,
    merge3,
    unresolved_markers,
)
from .models import Activity, CardVersion, InvalidTransition, ModelCard, Suggestion, Watch
from .openness import claims, family


class WorkflowError(Exception):
    """A change the card's current state does not allow; views show the message (4xx, never 500)."""


class CardExists(WorkflowError):
    pass


class NoChange(WorkflowError):
    pass


def _real_user(user):
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    return user


def write_version(
    card: ModelCard,
    card_file: CardFile,
    *,
    kind: str,
    summary: str,
    author: AbstractBaseUser | None = None,
    author_name: str = "",
    moderator: AbstractBaseUser | None = None,
    merge_note: str = "",
    card_is_locked: bool = False,
) -> CardVersion:
    """Save `card_file` as the card's next version.

    The card row is locked while the number is taken, so two writers can never share a number,
    and the card, its revision and its version meta commit or roll back together. A caller that has
    already read `card` with select_for_update in the current transaction says so with
    `card_is_locked`, sparing a second read of the row; it must then let any error from here end its
    transaction, as no savepoint is taken (a caught NoChange would leave it unusable).
    """
    author = _real_user(author)
    moderator = _real_user(moderator)
    with transaction.atomic(savepoint=not card_is_locked):
        locked = card if card_is_locked else ModelCard.objects.select_for_update().get(pk=card.pk)
        if locked.version_number and locked.text == card_file.text:
            raise NoChange("The text is the same as the current version; nothing was saved.")
        old_size = locked.size if locked.version_number else 0
        old_text = locked.text if locked.version_number else ""
        old_base_models = locked.base_models_index if locked.version_number else ""
        if locked.version_number or locked.text != card_file.text:
            locked.apply_card_file(card_file)  # a new card's row already holds this file (create_card)
        locked.version_number += 1
        locked.line_versions = carry_line_origins(
            old_text, locked.text, locked.line_versions, locked.version_number
        )
        locked.record_claims(
            by=author.get_username() if author else author_name,
            source=_claim_source(kind, author),
            at=timezone.localdate().isoformat(),
        )
        with reversion.create_revision(atomic=False):
            locked.save()
            reversion.set_user(author or moderator)
            reversion.set_comment(summary)
            reversion.add_meta(
                CardVersion,
                card=locked,
                number=locked.version_number,
                kind=kind,
                author=author,
                author_name="" if author else author_name,
                moderator=moderator,
                summary=summary[:300],
                merge_note=merge_note[:200],
                size=locked.size,
                size_delta=locked.size - old_size,
            )
        version = locked.versions.get(number=locked.version_number)
        Activity.objects.create(
            kind=Activity.Kind.VERSION,
            card=locked,
            version=version,
            actor=moderator or author,
            actor_name="" if (moderator or author) else author_name,
            summary=summary[:300],
        )
        notifications.new_version(version)  # queued in this transaction (modelcards/outbox.py)
        # A new licence or base model changes the lineage flags of this card and of its descendants.
        locked.sync_base_model_links(old_base_models)
        for changed in family.refresh_family(locked):
            if changed.pk == locked.pk:
                for name in family.LINEAGE_FIELDS:
                    setattr(locked, name, getattr(changed, name))
    _copy_fields(locked, card)
    return version


def _claim_source(kind: str, author) -> str:
    """Whom a version's new claims are credited to: the imported card, a tool record, or a person."""
    if kind == CardVersion.Kind.IMPORTED:
        return claims.SOURCE_IMPORT
    if kind == CardVersion.Kind.MOT_IMPORT:
        return claims.SOURCE_MOT
    return claims.SOURCE_ACCOUNT if author else claims.SOURCE_ANONYMOUS


def _copy_fields(source, target) -> None:
    """`target` as `source` was saved, without reading the row back (refresh_from_db, one query fewer).

    Related objects cached on `target` are dropped, as refresh_from_db drops them, so they are read
    afresh if asked for.
    """
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
        if field.is_relation and field.is_cached(target):
            field.delete_cached_value(target)


def create_card(
    *,
    slug: str,
    card_file: CardFile,
    user: AbstractBaseUser | None,
    summary: str = "",
    kind: str = CardVersion.Kind.CREATED,
    author_name: str = "",
    moderator: AbstractBaseUser | None = None,
) -> ModelCard:
    """Create a card and its version 1, written by `user`; a slug already taken is refused."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                card = ModelCard(slug=slug)
                card.apply_card_file(card_file)
                card.save()
        except IntegrityError as exc:
            raise CardExists(f"A card with the slug '{slug}' already exists.") from exc
        write_version(
            card,
            card_file,
            kind=kind,
            summary=summary or "Created the card",
            author=user,
            author_name=author_name,
            moderator=moderator,
        )
    return card


def update_card(
    card: ModelCard,
    *,
    card_file: CardFile,
    user: AbstractBaseUser | None,
    summary: str,
    kind: str = CardVersion.Kind.EDITED,
) -> CardVersion:
    """A direct change by `user` (an import or a moderator's edit) becomes the next version at once."""
    return write_version(card, card_file, kind=kind, summary=summary, author=user)


def import_card(*, slug: str, card_file: CardFile, user: AbstractBaseUser | None, summary: str) -> str:
    """Create or update a card from a README.md; an unchanged text makes no new version.

    Returns "created", "updated" or "unchanged".
    """
    card = ModelCard.objects.filter(slug=slug).only("pk", "text", "version_number").first()
    if card is None:
        try:
            create_card(
                slug=slug, card_file=card_file, user=user, summary=summary, kind=CardVersion.Kind.IMPORTED
            )
            return "created"
        except CardExists:  # created by someone else a moment ago: treat it as an update
            card = ModelCard.objects.get(slug=slug)
    if card.text == card_file.text:
        return "unchanged"
    try:
        update_card(card, card_file=card_file, user=user, summary=summary, kind=CardVersion.Kind.IMPORTED)
    except NoChange:
        return "unchanged"
    return "updated"


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


def _refuse_unresolved_markers(text: str, *, sources: tuple[str, ...]) -> None:
    if markers := unresolved_markers(text, sources=sources):
        raise UnresolvedConflict(markers)


def _record_decision(suggestion: Suggestion, kind: str, *, actor, summary: str = "") -> None:
    Activity.objects.create(
        kind=kind,
        card_id=suggestion.card_id,
        suggestion=suggestion,
        actor=actor,
        actor_name="" if actor else suggestion.author_name,
        summary=(summary or suggestion.summary)[:300],
    )


def text_fingerprint(text: str) -> str:
    """Short hash of a text, posted back by review forms to prove which text the moderator saw."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def version_fingerprint(card: ModelCard | None) -> str:
    """Names the card's current version, so that a confirmation is refused once the card has moved on."""
    if card is None:
        return text_fingerprint("0\n")
    return text_fingerprint(f"{card.version_number}\n{card.text}")


def text_at_version(card: ModelCard, number: int) -> str:
    if number == card.version_number:
        return card.text
    return CardVersion.objects.get(card=card, number=number).stored_fields()["text"]


@dataclass(frozen=True)
class Acceptance:
    """What accepting a suggestion would publish, as shown to the moderator before they decide."""

    current_version: int
    base_text: str
    current_text: str
    merge: MergeResult | None  # None when the card has not changed since the suggestion was made
    suggested_text: str = ""
    current_fingerprint: str = ""
    current_label: str = "current card"
    suggestion_label: str = "suggestion"

    @property
    def stale(self) -> bool:
        return self.merge is not None

    @property
    def conflicted(self) -> bool:
        return self.merge is not None and self.merge.conflicted

    @property
    def result_text(self) -> str | None:
        """The text accepting would publish, or None while conflicts are unresolved."""
        if self.merge is None:
            return None
        return None if self.merge.conflicted else self.merge.text

    @property
    def edit_text(self) -> str:
        """Where "edit, then accept" starts: the suggestion merged into the CURRENT text, never its
        old base (which would quietly undo every change accepted since), conflicts marked git-style."""
        if self.merge is None:
            return self.suggested_text
        if self.merge.conflicted:
            return self.merge.marked(self.current_label, self.suggestion_label)
        return self.merge.text

    @property
    def preview_body(self) -> str:
        """The Markdown body of "how the card would look": the merge into the current text, with each
        conflict shown as both competing texts instead of markers (a `=======` line is a heading)."""
        if not self.conflicted:
            return _body(self.result_text or self.suggested_text)
        # Named after the texts, so the rendered preview is cached like any other and no card holds it.
        placeholder = f"mcc-conflict-{text_fingerprint(self.current_text + self.suggested_text)}-"
        pieces = []
        for region in self.merge.regions:
            if region.kind == "clean":
                pieces.extend(region.lines)
            else:
                pieces.append(f"{placeholder}{len(pieces)}\n")
        body = _body("".join(pieces))  # a conflict in the front matter is not shown, like the metadata
        conflicts = [piece for piece in pieces if piece.startswith(placeholder)]
        for number, (piece, region) in enumerate(zip(conflicts, self.merge.conflicts, strict=True), 1):
            body = body.replace(piece, self._shown_conflict(number, len(conflicts), region))
        return body

    def _shown_conflict(self, number: int, total: int, region: MergeRegion) -> str:
        return (
            f"\n**Conflict {number} of {total}, not yet resolved. {self.current_label.capitalize()}:**\n\n"
            f"{_as_code(region.ours)}\n**{self.suggestion_label.capitalize()}:**\n\n{_as_code(region.theirs)}\n"
        )


def _as_code(lines: tuple[str, ...]) -> str:
    """One side of a conflict as a literal block, its fence longer than any run of tildes inside it."""
    text = "".join(lines).rstrip("\r\n")
    if not text.strip():
        return "*(nothing)*\n"
    fence = "~" * max(3, 1 + max((len(run) for run in re.findall("~+", text)), default=0))
    return f"{fence}\n{text}\n{fence}\n"


def _body(text: str) -> str:
    return text[len(replace_body(text, "")) :]


def prepare_acceptance(suggestion: Suggestion, card: ModelCard | None = None) -> Acceptance:
    card = card or suggestion.card
    if card is None:
        return Acceptance(
            0, "", "", None, suggested_text=suggestion.text, current_fingerprint=version_fingerprint(None)
        )
    labels = {
        "suggested_text": suggestion.text,
        "current_fingerprint": version_fingerprint(card),
        "current_label": f"current card (version {card.version_number})",
        "suggestion_label": f"suggestion #{suggestion.pk} (based on version {suggestion.base_version})",
    }
    if card.version_number == suggestion.base_version:
        return Acceptance(card.version_number, card.text, card.text, None, **labels)
    base_text = text_at_version(card, suggestion.base_version)
    merge = cached_merge3(base_text, card.text, suggestion.text)
    return Acceptance(card.version_number, base_text, card.text, merge, **labels)


@dataclass(frozen=True)
class EditedText:
    """A moderator's edited text compared with the card as it is now, waiting for their confirmation."""

    text: str
    current_version: int
    current_fingerprint: str
    diff: TextDiff
    card_moved: bool  # the card changed after the moderator's edit box was filled


def review_edited_text(
    suggestion: Suggestion, text: str, *, reviewer: AbstractBaseUser, seen_version: int | None = None
) -> EditedText:
    """Check an edited text and compare it with the CURRENT version; nothing is saved.

    The comparison is always with the current text, never with the suggestion's base, so a change
    accepted since the suggestion was written can only be removed where this diff shows it removed.
    """
    if not permissions.can_review(reviewer):
        raise PermissionDenied("Only moderators can accept suggestions.")
    suggestion = Suggestion.objects.select_related("moderator", "version").get(pk=suggestion.pk)
    _ensure_pending(suggestion)
    card = ModelCard.objects.get(pk=suggestion.card_id) if suggestion.card_id else None
    current_text = card.text if card else ""
    _refuse_unresolved_markers(text, sources=(current_text, suggestion.text))
    _checked_card_file(text)
    if card is not None and text == card.text:
        raise NoChange("The edited text is the same as the current card; reject the suggestion instead.")
    current_version = card.version_number if card else 0
    return EditedText(
        text=text,
        current_version=current_version,
        current_fingerprint=version_fingerprint(card),
        diff=cached_diff_texts(current_text, text),
        card_moved=seen_version is not None and seen_version != current_version,
    )


def describe_decision(suggestion: Suggestion) -> str:
    """Who decided a suggestion, when and how, for whoever tries to decide it after them."""
    status = suggestion.get_status_display().lower()
    if suggestion.status == Suggestion.Status.WITHDRAWN:
        return "This suggestion was already withdrawn by its author."
    who = suggestion.moderator.get_username() if suggestion.moderator_id else "a moderator"
    told = f"This suggestion was already {status} by {who}"
    if suggestion.decided_at:
        when = timezone.localtime(suggestion.decided_at)
        told += f" at {when:%H:%M} {when.tzname()} on {when.day} {when:%b %Y}"
    if suggestion.version_id:
        told += f" as version {suggestion.version.number}"
    if suggestion.status == Suggestion.Status.REJECTED and suggestion.note:
        return f"{told}: {suggestion.note}"
    return told + "."


def _ensure_pending(suggestion: Suggestion) -> None:
    if not suggestion.is_pending:
        raise AlreadyDecided(describe_decision(suggestion))


def _lock_for_decision(suggestion: Suggestion, *, whole_card: bool = False):
    """Lock the card row, then the suggestion row: the one order every decision takes.

    A decision also writes an Activity row pointing at the card, which needs a share lock on the card,
    so a writer that locked the suggestion first would deadlock with one that locked the card first.
    """
    card = None
    if suggestion.card_id:
        cards = ModelCard.objects.select_for_update()
        card = cards.get(pk=suggestion.card_id) if whole_card else cards.only("pk").get(pk=suggestion.card_id)
    return card, Suggestion.objects.select_for_update().get(pk=suggestion.pk)


def _checked_card_file(text: str) -> CardFile:

    card_file, problems = parse_or_problems(text)
    if problems:
        raise InvalidText(problems)
    return card_file


def submit_suggestion(
    *,
    card: ModelCard | None,
    text: str,
    summary: str,
    base_version: int,
    author: AbstractBaseUser | None,
    author_name: str = "",
    ip_hash: str = "",
    section: int | None = None,
    new_slug: str = "",
    held: bool = False,
) -> Suggestion:
    """File a suggestion for review; it changes nothing readers see until a moderator accepts it."""
    author = _real_user(author)
    _checked_card_file(text)
    if card is not None:
        if base_version > card.version_number or base_version < 1:
            raise WorkflowError("The suggestion names a version of the card that does not exist.")
        if text == text_at_version(card, base_version):
            raise NoChange("The suggested text is the same as the card's text; change something first.")
    elif ModelCard.objects.filter(slug=new_slug).exists():
        raise CardExists(f"A card with the slug '{new_slug}' already exists; suggest an edit to it instead.")
    with transaction.atomic():
        suggestion = Suggestion.objects.create(
            card=card,
            new_slug="" if card else new_slug,
            base_version=base_version if card else 0,
            section=section,
            text=text,
            summary=summary,
            author=author,
            author_name="" if author else author_name,
            ip_hash="" if author else ip_hash,
            access_token="" if author else secrets.token_urlsafe(24),
            held=held,
        )
        if author and card:
            Watch.objects.get_or_create(user=author, card=card)
        _record_decision(suggestion, Activity.Kind.SUGGESTION, actor=author, summary=summary)
        notifications.suggestion_filed(suggestion)  # queued in this transaction (modelcards/outbox.py)
    return suggestion


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
    with transaction.atomic():
        card, locked = _lock_for_decision(suggestion, whole_card=True)
        _ensure_pending(locked)
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
        card_file = _checked_card_file(final_text)
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
            )
            locked.card = card  # the row just written, so nothing after this reads it again
        locked.mark_decided(Suggestion.Status.ACCEPTED, moderator=reviewer, note=note)
        locked.version = version
        locked.save(update_fields=Suggestion.DECISION_FIELDS)
        _record_decision(locked, Activity.Kind.ACCEPTED, actor=reviewer)
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
        _card, locked = _lock_for_decision(suggestion)
        _ensure_pending(locked)
        locked.mark_decided(Suggestion.Status.REJECTED, moderator=reviewer, note=note.strip())
        locked.save(update_fields=Suggestion.DECISION_FIELDS)
        _record_decision(locked, Activity.Kind.REJECTED, actor=reviewer)
        notifications.suggestion_decided(locked)  # queued in this transaction (modelcards/outbox.py)
    _copy_fields(locked, suggestion)
    return suggestion


def withdraw_suggestion(suggestion: Suggestion) -> Suggestion:
    """The author takes back a pending suggestion; it stays visible with its status."""
    with transaction.atomic():
        _card, locked = _lock_for_decision(suggestion)
        _ensure_pending(locked)
        locked.mark_withdrawn()
        locked.save(update_fields=["status", "updated_at"])
        _record_decision(locked, Activity.Kind.WITHDRAWN, actor=locked.author)
    _copy_fields(locked, suggestion)
    return suggestion


def edit_card_directly(
    card: ModelCard, *, text: str, summary: str, base_version: int, editor: AbstractBaseUser
) -> CardVersion | Suggestion:
    """A moderator's edit becomes a version at once, merged with any change made since `base_version`.

    If the merge conflicts, the edit is kept as a pending suggestion by the editor, so it can be
    resolved on the review screen: nothing typed is lost and nobody's change is overwritten.
    """
    if not permissions.can_review(editor):
        raise PermissionDenied("Only moderators and staff can edit cards directly.")
    _checked_card_file(text)
    with transaction.atomic():
        locked = ModelCard.objects.select_for_update().get(pk=card.pk)
        if not 1 <= base_version <= locked.version_number:
            raise WorkflowError("The version this edit was based on does not exist; reload the card.")
        merge_note = ""
        final_text = text
        if base_version != locked.version_number:
            base_text = text_at_version(locked, base_version)
            merge = merge3(base_text, locked.text, text)
            if merge.conflicted:
                kept = Suggestion.objects.create(
                    card=locked, base_version=base_version, text=text, summary=summary, author=editor
                )
                _record_decision(kept, Activity.Kind.SUGGESTION, actor=editor)
                return kept
            final_text = merge.text
            merge_note = f"Merged with changes made since version {base_version}."
        version = write_version(
            locked,
            _checked_card_file(final_text),
            kind=CardVersion.Kind.EDITED,
            summary=summary,
            author=editor,
            merge_note=merge_note,
            card_is_locked=True,
        )
    _copy_fields(locked, card)
    return version


def watch_card(user: AbstractBaseUser, card: ModelCard, *, watching: bool) -> None:
    if watching:
        Watch.objects.get_or_create(user=user, card=card)
    else:
        Watch.objects.filter(user=user, card=card).delete()


def revert_card(card: ModelCard, *, to_version: int, reviewer: AbstractBaseUser, reason: str) -> CardVersion:
    """Restore an earlier version's text as a new version; history is never rewritten or deleted."""
    if not permissions.can_review(reviewer):
        raise PermissionDenied("Only moderators can revert cards.")
    if not reason.strip():
        raise WorkflowError("Give a reason for the revert; it is shown in the history.")
    with transaction.atomic():
        locked = ModelCard.objects.select_for_update().get(pk=card.pk)
        if not 1 <= to_version <= locked.version_number:
            raise WorkflowError(f"Version {to_version} does not exist.")
        if to_version == locked.version_number:
            raise NoChange(f"Version {to_version} is already the current version.")
        old_text = text_at_version(locked, to_version)
        if old_text == locked.text:
            raise NoChange(f"The current text is already the same as version {to_version}.")
        try:
            card_file = parse_card(old_text)
        except CardFileError as exc:
            raise InvalidText([str(problem) for problem in exc.problems]) from exc
        version = write_version(
            locked,
            card_file,
            kind=CardVersion.Kind.REVERTED,
            summary=f"Reverted to version {to_version}: {reason.strip()}",
            author=reviewer,
            moderator=reviewer,
            card_is_locked=True,
        )
    _copy_fields(locked, card)
    return version
