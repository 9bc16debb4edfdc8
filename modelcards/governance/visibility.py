"""Hiding and suppressing parts of a version (issue 15 item 4): who sees what, and the one way to change it.

Each version has three parts that can be withheld: its text, its summary and its author's name.
A part is VISIBLE to everyone, HIDDEN (moderators and oversight still see it, marked) or SUPPRESSED
(oversight alone sees it). The public API, feeds, exports, dumps and mail always read at the public
level; pages read at the viewer's level (`viewer_level`), and pages kept for many viewers are kept per
level, so a moderator's copy never reaches a reader.

Pages and API answers are kept until their card changes (config/generations.py), so a change here
renews the card's scopes and the site's: the next reader gets a page made without the hidden part.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from config import generations

from .. import permissions
from ..models import CardVersion, ModelCard, Notification, Suggestion, Visibility, VisibilityChange

PARTS = tuple(VisibilityChange.Part.values)  # "text", "summary", "author"
FIELD = {part: f"{part}_visibility" for part in PARTS}
PUBLIC = Visibility.VISIBLE
REASON_MAX = VisibilityChange._meta.get_field("reason").max_length
HIDDEN_AUTHOR = "(author hidden)"


class VisibilityError(Exception):
    """A change the rules refuse: the message says why, for the person who asked."""


class VisibilityDenied(VisibilityError):
    """The person may not make this change at all (a moderator touching the suppressed level)."""


# --------------------------------------------------------------------------------------
# Who sees what


def viewer_level(user) -> int:
    """The highest level `user` may see: the public VISIBLE, moderators HIDDEN, oversight SUPPRESSED."""
    if permissions.can_suppress(user):
        return Visibility.SUPPRESSED
    if permissions.can_hide(user):
        return Visibility.HIDDEN
    return Visibility.VISIBLE


def level_of(version: CardVersion, part: str) -> int:
    return getattr(version, FIELD[part])


def shows(version: CardVersion, part: str, level: int = PUBLIC) -> bool:
    """Whether a viewer at `level` sees `part` of `version`."""
    return level_of(version, part) <= level


def text_withheld(card: ModelCard, number: int) -> bool:
    """Whether version `number`'s text is hidden or suppressed: no action may publish it again (revert,
    rollback, an undo back to it), whoever asks. One query."""
    return card.versions.filter(number=number, text_visibility__gt=PUBLIC).exists()


def withheld(version: CardVersion, level: int = PUBLIC) -> list[str]:
    """The parts of `version` a viewer at `level` does not see, in PARTS order."""
    return [part for part in PARTS if not shows(version, part, level)]


def mask(versions: Iterable[CardVersion | None], level: int = PUBLIC) -> None:
    """Prepare loaded versions for a viewer at `level`, in memory only (never saved).

    Sets `withheld` (parts not shown: templates write "hidden" there) and `marked` (part -> "hidden"
    or "suppressed", for parts shown to this viewer only because of their role: templates mark them),
    and blanks the withheld summary and author on the instance, so that a template or feed that
    forgets to ask still leaks nothing.
    """
    for version in versions:
        if version is None or hasattr(version, "withheld"):
            continue
        version.withheld = withheld(version, level)
        version.marked = {
            part: "suppressed" if level_of(version, part) == Visibility.SUPPRESSED else "hidden"
            for part in PARTS
            if level_of(version, part) != PUBLIC and part not in version.withheld
        }
        if "summary" in version.withheld:
            version.summary = ""
        if "author" in version.withheld:
            version.author = None
            version.author_name = HIDDEN_AUTHOR


def author_shown(version: CardVersion) -> str:
    """The author's name for public plain text (feeds, mail, dumps): "(author hidden)" when withheld."""
    return HIDDEN_AUTHOR if not shows(version, "author") else version.author_display


def summary_shown(version: CardVersion) -> str:
    return "(summary hidden)" if not shows(version, "summary") else version.summary


def suggestion_withheld(suggestion: Suggestion, level: int = PUBLIC) -> list[str]:
    """The parts of the version an accepted suggestion produced that a viewer at `level` does not see:
    the suggestion's proposed text is that version's text, and its author is that version's author."""
    version = suggestion.version if suggestion.version_id else None
    return withheld(version, level) if version is not None else []


def mask_comments(comments, suggestion: Suggestion) -> None:
    """The suggestion's author's own comments lose their name too, when the author of the version it
    became is withheld (`views.visibility.suggestion_refusal` noted who that was). In memory only."""
    author_id, author_name = getattr(suggestion, "withheld_author", (None, None))
    if author_id is None and not author_name:
        return
    for comment in comments:
        if (author_id is not None and comment.author_id == author_id) or (
            comment.author_id is None and author_name and comment.author_name == author_name
        ):
            comment.author = None
            comment.author_name = ""
            comment.author_withheld = True


def with_activity_visibility(rows):
    """Recent-changes rows annotated, in the same query, with the visibility of the version each is
    about (directly, or through the suggestion that became it), for `mask_activity`."""

    def either(field):
        return Coalesce(F(f"version__{field}"), F(f"suggestion__version__{field}"))

    return rows.annotate(
        shown_summary_level=Coalesce(either("summary_visibility"), Value(PUBLIC)),
        shown_author_level=Coalesce(either("author_visibility"), Value(PUBLIC)),
        version_author_id=either("author"),
        version_author_name=either("author_name"),
    )


def mask_activity(rows, level: int = PUBLIC) -> list:
    """Recent-changes rows (annotated by `with_activity_visibility`) prepared for a viewer at `level`.

    A row tied to a version loses its summary when that version's summary is withheld, and its actor
    when the actor is that version's author and the author's name is withheld. Sets `withheld` on
    each row, as `mask` does on versions. No query.
    """
    rows = list(rows)
    for row in rows:
        row.withheld = []
        if row.shown_summary_level > level and row.summary:
            row.summary = ""
            row.withheld.append("summary")
        by_author = (row.actor_id or None) == row.version_author_id and (
            row.actor_id is not None or row.actor_name == (row.version_author_name or "")
        )
        if row.shown_author_level > level and by_author:
            row.actor = None
            row.actor_name = ""
            row.withheld.append("author")
    return rows


# --------------------------------------------------------------------------------------
# The log


def visible_log(user):
    """Log rows `user` may read: moderators the hide/unhide rows, oversight every row; None for others."""
    level = viewer_level(user)
    if level == PUBLIC:
        return None
    rows = VisibilityChange.objects.select_related("version__card", "actor")
    if level < Visibility.SUPPRESSED:
        rows = rows.exclude(before=Visibility.SUPPRESSED).exclude(after=Visibility.SUPPRESSED)
    return rows.order_by("-created_at", "-pk")


# --------------------------------------------------------------------------------------
# Changing it


def check_change(version: CardVersion, *, parts: Iterable[str], level: int, actor) -> list[str]:
    """The parts that would change, or a VisibilityError saying why the change is refused."""
    parts = list(dict.fromkeys(parts))
    if not parts:
        raise VisibilityError(
            "Choose at least one part to change: the text, the summary or the author's name."
        )
    unknown = [part for part in parts if part not in PARTS]
    if unknown:
        raise VisibilityError(f"There is no part of a version called “{unknown[0][:30]}”.")
    if level not in Visibility.values:
        raise VisibilityError("Choose visible, hidden or suppressed.")
    if not permissions.can_hide(actor):
        raise VisibilityDenied("Only moderators can hide parts of a version.")
    may_suppress = permissions.can_suppress(actor)
    if level == Visibility.SUPPRESSED and not may_suppress:
        raise VisibilityDenied("Only oversight members can suppress parts of a version.")
    if not may_suppress and any(level_of(version, part) == Visibility.SUPPRESSED for part in parts):
        raise VisibilityDenied("This part was suppressed by oversight: only oversight members can change it.")
    if "text" in parts and level != Visibility.VISIBLE and version.number == version.card.version_number:
        raise VisibilityError(
            "The text of the current version is what the card shows, so it cannot be hidden. "
            "Undo the change or edit the card first, then hide this version's text."
        )
    return [part for part in parts if level_of(version, part) != level]


def change_visibility(version: CardVersion, *, parts: Iterable[str], level: int, reason: str, actor) -> list:
    """Set `parts` of `version` to `level`, writing one log row per part that changes, all at once.

    Rules: a reason is required; moderators hide and unhide, oversight alone suppresses or touches
    what is suppressed; the current version's text cannot be hidden (the card shows it: undo or edit
    first). Published dumps made before the change are withdrawn, and cached pages and API answers
    of the card (and the site-wide lists) are renewed once the change commits.
    Returns the log rows written (none when nothing changes).
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise VisibilityError("Give a reason: it is kept in the log with the change.")
    if len(reason) > REASON_MAX:
        raise VisibilityError(f"Keep the reason under {REASON_MAX} characters.")
    with transaction.atomic():
        # The card first, as every workflow locks it: its current version cannot move meanwhile.
        card = (
            ModelCard.objects.select_for_update()
            .only("pk", "slug", "version_number", "claim_provenance")
            .get(pk=version.card_id)
        )
        version = CardVersion.objects.select_for_update().get(pk=version.pk)
        version.card = card
        changing = check_change(version, parts=parts, level=level, actor=actor)
        if not changing:
            return []
        now = timezone.now()
        rows = [
            VisibilityChange(
                version=version,
                part=part,
                before=level_of(version, part),
                after=level,
                reason=reason,
                actor=actor,
                created_at=now,
            )
            for part in changing
        ]
        for part in changing:
            setattr(version, FIELD[part], level)
        version.save(update_fields=[FIELD[part] for part in changing])
        VisibilityChange.objects.bulk_create(rows)
        _rewrite_inbox(version, changing)
        if "author" in changing:
            _rewrite_claim_credits(card, version)
        if level != Visibility.VISIBLE:
            _withdraw_dumps_after_commit(now)
        _invalidate(card.slug)
    return rows


def _rewrite_inbox(version: CardVersion, changing: list[str]) -> None:
    """Inbox entries about the version keep a copy of its summary and author: follow the new levels.
    (Mail already sent cannot be recalled; mail still queued is written when sent, from the rows.)"""
    from ..notifications.inbox import _excerpt, _scope

    entries = Notification.objects.filter(version=version, kind=Notification.Kind.VERSION)
    if "summary" in changing:
        entries.update(excerpt=_excerpt(version.summary) if shows(version, "summary") else "")
    if "author" in changing:
        shown = shows(version, "author")
        entries.update(
            actor_id=version.author_id if shown else None, actor_name=version.author_name if shown else ""
        )
    recipients = list(entries.values_list("user_id", flat=True))
    if recipients:
        generations.invalidate_on_commit([_scope(pk) for pk in recipients])
    from ..notifications.field_watches import follow_visibility  # it reads this module's rules

    follow_visibility(version, changing)


def _rewrite_claim_credits(card: ModelCard, version: CardVersion) -> None:
    """The card's record of who asserted each openness claim names the author of the version that made
    it (card page, openness.json, dumps, API): follow the author's public level there too."""
    provenance = card.claim_provenance if isinstance(card.claim_provenance, dict) else {}
    if shows(version, "author"):
        name = version.author.get_username() if version.author_id else version.author_name
    else:
        name = HIDDEN_AUTHOR
    changed = False
    for entry in provenance.values():
        if isinstance(entry, dict) and entry.get("version") == version.number and entry.get("by") != name:
            entry["by"] = name
            changed = True
    if changed:
        card.save(update_fields=["claim_provenance"])


def _invalidate(slug: str) -> None:
    # Imported here: pagecache imports the models and the inbox, and is the web layer's.
    from ..pagecache import CATALOGUE, SITE, card_scope

    # The card's pages and API answers, the site's lists and feeds, and profiles (the catalogue).
    generations.invalidate_on_commit([card_scope(slug), SITE, CATALOGUE])


def _withdraw_dumps_after_commit(hidden_at) -> None:
    from ..dumps.publishing import withdraw_made_before

    transaction.on_commit(lambda: withdraw_made_before(hidden_at))
