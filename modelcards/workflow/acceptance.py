"""What accepting a suggestion would publish, shown to the moderator before they decide.

A suggestion made against an older version is merged three ways with the current text, never applied
blindly; the conflict screen shows each conflicting region as base, current and suggested text, like
a merge tool. An edited text is always compared with the CURRENT version before it is published.
"""

import hashlib
import re
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied

from .. import permissions
from ..cardfile import replace_body
from ..diffing import MergeRegion, MergeResult, TextDiff, cached_diff_texts, cached_merge3, unresolved_markers
from ..models import ModelCard, Suggestion
from .cards import checked_card_file, text_at_version
from .errors import NoChange, UnresolvedConflict
from .guards import ensure_pending, refuse_upstream_markers


def _refuse_unresolved_markers(text: str, *, sources: tuple[str, ...]) -> None:
    if markers := unresolved_markers(text, sources=sources):
        raise UnresolvedConflict(markers)


def text_fingerprint(text: str) -> str:
    """Short hash of a text, posted back by review forms to prove which text the moderator saw."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def version_fingerprint(card: ModelCard | None) -> str:
    """Names the card's current version, so that a confirmation is refused once the card has moved on."""
    if card is None:
        return text_fingerprint("0\n")
    return text_fingerprint(f"{card.version_number}\n{card.text}")


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
    base_version: int = 0
    revision_number: int = 1

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

    @property
    def conflict_regions(self) -> list["ConflictRegion"]:
        """Each conflict as a merge tool lays it out: base, current and suggested text side by side."""
        if not self.conflicted:
            return []
        return [ConflictRegion(number, region) for number, region in enumerate(self.merge.conflicts, 1)]

    def _shown_conflict(self, number: int, total: int, region: MergeRegion) -> str:
        return (
            f"\n**Conflict {number} of {total}, not yet resolved. {self.current_label.capitalize()}:**\n\n"
            f"{_as_code(region.ours)}\n**{self.suggestion_label.capitalize()}:**\n\n{_as_code(region.theirs)}\n"
        )


@dataclass(frozen=True)
class ConflictRegion:
    """One conflict of the merge, numbered from 1, with the text its "write it myself" box starts from."""

    number: int
    region: MergeRegion

    @property
    def base(self) -> str:
        return "".join(self.region.base)

    @property
    def current(self) -> str:
        return "".join(self.region.ours)

    @property
    def suggested(self) -> str:
        return "".join(self.region.theirs)

    @property
    def manual_start(self) -> str:
        """Both texts, the current one first, as "use both" in a merge tool: combining them is the usual
        reason to write a conflict by hand, and deleting is quicker than retyping. A side that removed
        the lines adds nothing."""
        parts = [
            text if text.endswith(("\n", "\r")) else text + "\n"
            for text in (self.current, self.suggested)
            if text
        ]
        return "".join(parts)


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
    revision = f" revision {suggestion.revision_number}" if suggestion.revision_number > 1 else ""
    based = f"based on version {suggestion.base_version}"
    labels = {
        "suggested_text": suggestion.text,
        "current_fingerprint": version_fingerprint(card),
        "current_label": f"current card (version {card.version_number})",
        "suggestion_label": f"suggestion #{suggestion.pk}{revision} ({based})",
        "base_version": suggestion.base_version,
        "revision_number": suggestion.revision_number,
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
    ensure_pending(suggestion)
    card = ModelCard.objects.get(pk=suggestion.card_id) if suggestion.card_id else None
    current_text = card.text if card else ""
    _refuse_unresolved_markers(text, sources=(current_text, suggestion.text))
    if suggestion.upstream_commit:  # the sync's markers are in suggestion.text, yet still unresolved
        refuse_upstream_markers(text, current_text=current_text)
    checked_card_file(text)
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
