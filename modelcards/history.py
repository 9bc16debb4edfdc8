"""Reading a card's past: pages of versions, old states, cached diffs, blame and recent activity.

Nothing here writes. Old states come from django-reversion's stored data, and every function costs
a fixed number of queries however long a card's history grows, so history pages stay cheap forever.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Q
from django.urls import reverse
from reversion.errors import RevertError
from reversion.models import Version

from . import permissions
from .diffing import TextDiff, diff_texts, lines_before, unified_lines
from .governance import visibility
from .metadata_diff import MetadataDiff, diff_metadata
from .models import Activity, CardVersion, ModelCard
from .unreadable import UnreadableVersion

HISTORY_PAGE_SIZE = 50
# Blame shows a card this many lines at a time: a row per line, so a page stays small however long
# the card (a 512 KB card can have 90,000 lines).
BLAME_PAGE_LINES = 2_000
CHANGES_PAGE_SIZE = 50
FEED_SIZE = 50
# Versions never change, so a diff between two of them is valid for ever; the timeout only
# bounds how long an unvisited diff occupies the cache.
DIFF_CACHE_SECONDS = 7 * 24 * 3600
# Bump when the shape of `Comparison` (or of the diffing data inside it) changes, so that a deploy
# never unpickles a cached diff of the old shape.
DIFF_CACHE_FORMAT = 3


def version_url(slug: str, number: int) -> str:
    return reverse("modelcards:version_detail", args=[slug, number])


def change_url(slug: str, number: int) -> str:
    """What a version changed: its diff with the previous version, or the version itself for v1."""
    if number > 1:
        return reverse("modelcards:diff", args=[slug, number - 1, number])
    return version_url(slug, number)


# --------------------------------------------------------------------------------------
# Versions and their stored states


def versions_by_number(card: ModelCard, numbers) -> dict[int, CardVersion]:
    """The named versions of `card` with their people, in one query; missing numbers are left out."""
    rows = card.versions.with_people().filter(number__in=set(numbers))
    return {version.number: version for version in rows}


def stored_states(card: ModelCard, versions) -> dict[int, dict]:
    """The card's fields at each of `versions` (number -> field dict), read in one query from reversion.

    Reading `Version.field_dict` never touches the card row, so showing an old version can never
    change the current one.
    """
    numbers = {version.revision_id: version.number for version in versions}
    rows = Version.objects.filter(
        revision_id__in=numbers,
        content_type=ContentType.objects.get_for_model(ModelCard),
        object_id=str(card.pk),
    )
    states = {}
    for row in rows:
        try:
            states[numbers[row.revision_id]] = row.field_dict
        except RevertError as exc:  # damaged stored data: a clear page, not a 500 (modelcards/unreadable.py)
            raise UnreadableVersion(card.pk, numbers[row.revision_id]) from exc
    return states


def body_of(state: dict) -> str:
    return state["text"][state["body_start"] :]


@dataclass(frozen=True)
class VersionPage:
    """One page of a card's history, newest first, with the keyset cursors of its neighbours."""

    versions: list[CardVersion]
    newer_after: int | None  # pass as ?after= to see the newer page, None when this is the newest
    older_before: int | None  # pass as ?before= to see the older page, None when this is the oldest


def version_page(
    card: ModelCard, *, before: int | None = None, after: int | None = None, size: int = HISTORY_PAGE_SIZE
) -> VersionPage:
    """A page of versions below `before` or above `after` (newest page by default).

    Keyset pagination: each page is one indexed range query on (card, number), never an OFFSET
    or a COUNT over the whole history. Numbers run 1..card.version_number, so whether a page has
    neighbours in the direction it did not travel is known without a query.
    """
    rows = card.versions.with_people()
    if after is not None:
        chunk = list(rows.filter(number__gt=after).order_by("number")[: size + 1])
        has_newer = len(chunk) > size
        versions = chunk[:size][::-1]
        has_older = bool(versions) and versions[-1].number > 1
    else:
        if before is not None:
            rows = rows.filter(number__lt=before)
        chunk = list(rows.order_by("-number")[: size + 1])
        has_older = len(chunk) > size
        versions = chunk[:size]
        has_newer = bool(versions) and versions[0].number < card.version_number
    return VersionPage(
        versions=versions,
        newer_after=versions[0].number if has_newer else None,
        older_before=versions[-1].number if has_older else None,
    )


# --------------------------------------------------------------------------------------
# Diffs between any two versions


@dataclass(frozen=True)
class Comparison:
    """What changed from one version to another: the metadata, the body, and the raw front matter.

    Line numbers are those of the whole README.md in both diffs, as on a suggestion's page.
    """

    metadata: MetadataDiff
    body: TextDiff
    unified: list | None  # unified_lines(body) when the unified view was asked for
    front_matter: TextDiff | None  # set only when the front matter text differs


def compare_versions(card: ModelCard, old: CardVersion, new: CardVersion, *, unified: bool) -> Comparison:
    """The difference from `old` to `new` (either may be the newer one), computed once then cached.

    Stored versions never change, so the cache key needs no version stamp and is never invalidated.
    """
    view = "unified" if unified else "split"
    key = f"modelcards:diff:{DIFF_CACHE_FORMAT}:{card.pk}:{old.number}:{new.number}:{view}"
    comparison = cache.get(key)
    if comparison is not None:
        return comparison
    states = stored_states(card, [old, new])
    before, after = states[old.number], states[new.number]
    first_lines = tuple(lines_before(state["text"], state["body_start"]) + 1 for state in (before, after))
    body = diff_texts(body_of(before), body_of(after), first_lines=first_lines)
    old_front, new_front = before["text"][: before["body_start"]], after["text"][: after["body_start"]]
    comparison = Comparison(
        metadata=diff_metadata(before["metadata"], after["metadata"]),
        body=body,
        unified=unified_lines(body) if unified else None,
        front_matter=diff_texts(old_front, new_front) if old_front != new_front else None,
    )
    cache.set(key, comparison, DIFF_CACHE_SECONDS)
    return comparison


# --------------------------------------------------------------------------------------
# Blame


@dataclass(frozen=True)
class BlameLine:
    number: int
    text: str
    version: CardVersion | None  # None only if the bookkeeping is missing for this line


def blame(card: ModelCard, *, first: int = 1, count: int | None = None) -> list[BlameLine]:
    """Each line of the current text (or `count` lines from line `first`) with the version that last
    changed it.

    The origins are kept up to date by the workflow at every write (`card.line_versions`), so this
    is one query for the versions named, whatever the length of the history.
    """
    lines = card.text.splitlines()
    origins = card.line_versions if len(card.line_versions) == len(lines) else [None] * len(lines)
    shown = range(first - 1, len(lines) if count is None else min(first - 1 + count, len(lines)))
    versions = versions_by_number(card, {origins[index] for index in shown if origins[index]})
    return [BlameLine(index + 1, lines[index], versions.get(origins[index])) for index in shown]


# --------------------------------------------------------------------------------------
# Recent activity


def visible_activity(user=None):
    """Activity `user` may see: held suggestions stay hidden from all but moderators and their authors.

    `user=None` is the public view, used by the feeds.
    """
    # Issue 15 item 4: with what is hidden of the version each row is about (visibility.mask_activity).
    rows = visibility.with_activity_visibility(Activity.objects.for_listing()).order_by("-created_at", "-pk")
    if user is not None and permissions.can_review(user):
        return rows
    shown = Q(suggestion__isnull=True) | Q(suggestion__held=False)
    if user is not None and user.is_authenticated:
        shown |= Q(suggestion__author=user)
    return rows.filter(shown)


def activity_page(rows, *, before: int | None, size: int = CHANGES_PAGE_SIZE):
    """A page of `rows` (newest first) older than activity `before`, and the cursor of the next page.

    The cursor is an activity id; its time is looked up so that the page follows the same
    (created_at, id) order as the index, with one small query instead of an OFFSET.
    """
    if before is not None:
        anchor = Activity.objects.filter(pk=before).values_list("created_at", flat=True).first()
        if anchor is None:
            return [], None
        rows = rows.filter(Q(created_at__lt=anchor) | Q(created_at=anchor, pk__lt=before))
    chunk = list(rows[: size + 1])
    page = chunk[:size]
    return page, page[-1].pk if len(chunk) > size else None


def activity_url(activity: Activity) -> str:
    """Where an activity row leads: the version's diff, else the suggestion, else the card."""
    if activity.version_id and activity.card_id:
        return change_url(activity.card.slug, activity.version.number)
    if activity.suggestion_id:
        return reverse("modelcards:suggestion_detail", args=[activity.suggestion_id])
    if activity.card_id:
        return activity.card.get_absolute_url()
    return reverse("modelcards:changes")


def activity_subject(activity: Activity) -> str:
    """The card an activity concerns, by title, or the slug proposed for a new card."""
    if activity.card_id:
        return activity.card.title or activity.card.slug
    if activity.suggestion_id:
        return f"new card {activity.suggestion.new_slug}"
    return "a card"
