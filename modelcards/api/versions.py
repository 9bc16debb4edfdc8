"""Endpoints for a card's past: its versions, the README.md at any of them, diffs and history.

Versions never change once written, so each answer is kept until the card changes (a new version
adds to the lists) and every page of a list is one indexed range query, however long the history.
"""

from ninja import Query, Router

from .. import history as card_history
from ..diffing import MAX_DIFF_ROWS, TextDiff
from ..governance import visibility
from ..models import CardVersion, ModelCard, PartialAcceptance, Suggestion
from . import paths
from .cards import card_or_404, card_scopes_or_404
from .conditional import as_json, as_markdown, shared
from .errors import ApiError
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, Ordering, envelope, page_of
from .params import PAGING, only_params
from .people import person
from .responses import READ_ERRORS, reading
from .schemas.versions import Diff, History, VersionDetail, VersionList

router = Router(tags=["versions"])

NEWEST_FIRST = Ordering("number", (("number", True, "int"),))
CARD_FIELDS = ("pk", "slug", "title", "version_number")
LIMIT = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
CURSOR = Query(None, description="From `next_cursor` of the previous page.")


def _card(slug: str) -> ModelCard:
    return card_or_404(ModelCard.objects.only(*CARD_FIELDS), slug)


def _versions(card: ModelCard, *numbers: int) -> dict[int, CardVersion]:
    # Checked before the query: a number past the database's integer range is an error there, not a miss.
    for number in numbers:
        if not 1 <= number <= card.version_number:
            raise ApiError(
                404, "not_found", f"{card.slug} has versions 1 to {card.version_number}, not {number}."
            )
    return card_history.versions_by_number(card, numbers)


@router.get("/cards/{slug}/versions/", response=reading(VersionList), url_name="version_list")
def list_versions(request, slug: str, cursor: str | None = CURSOR, limit: int = LIMIT):
    """The card's versions, newest first: what a tool walks to fetch the README.md at each."""
    only_params(request, PAGING)

    def make():
        card = _card(slug)
        rows = card.versions.only("card", "number", "created_at", "size", "size_delta")
        page = page_of(rows, NEWEST_FIRST, cursor=cursor, limit=limit)
        results = [
            {
                "number": version.number,
                "created_at": version.created_at.isoformat(),
                "size": version.size,
                "size_delta": version.size_delta,
                "url": paths.version(card.slug, version.number),
                "readme": paths.version_readme(card.slug, version.number),
            }
            for version in page.rows
        ]
        # Versions never change: a page changes only when a new version joins it, at its top.
        newest = page.rows[0].created_at if page.rows else None
        return as_json(envelope(request, page, results), last_modified=newest)

    return shared(request, card_scopes_or_404(slug), f"versions:{slug}:{cursor}:{limit}", make)


@router.get("/cards/{slug}/history/", response=reading(History), url_name="history")
def get_history(request, slug: str, cursor: str | None = CURSOR, limit: int = LIMIT):
    """The card's history page: each version with its author, moderator, summary and kind."""
    only_params(request, PAGING)

    def make():
        card = _card(slug)
        page = page_of(card.versions.with_people(), NEWEST_FIRST, cursor=cursor, limit=limit)
        sources = _suggestions_behind(page.rows)
        results = [history_entry(card, version, sources.get(version.pk)) for version in page.rows]
        newest = page.rows[0].created_at if page.rows else None
        return as_json(envelope(request, page, results), last_modified=newest)

    return shared(request, card_scopes_or_404(slug), f"history:{slug}:{cursor}:{limit}", make)


def _suggestions_behind(versions) -> dict[int, int]:
    """Version pk -> the suggestion it came from, whole or in part: two queries for any page."""
    pks = [version.pk for version in versions]
    found = dict(Suggestion.objects.filter(version__in=pks).values_list("version_id", "pk"))
    found.update(PartialAcceptance.objects.filter(version__in=pks).values_list("version_id", "suggestion_id"))
    return found


def history_entry(card: ModelCard, version: CardVersion, suggestion: int | None) -> dict:
    """A version as the API shows it: always at the public level, so parts the moderators hid are null
    and named in `hidden` (issue 15 item 4), whoever's token asks."""
    hidden = visibility.withheld(version)
    return {
        "number": version.number,
        "kind": version.kind,
        "kind_label": version.get_kind_display(),
        "author": person(version.author, version.author_name)
        if (version.author_id or version.author_name) and "author" not in hidden
        else None,
        "moderator": person(version.moderator) if version.moderator_id else None,
        "summary": None if "summary" in hidden else version.summary,
        "hidden": hidden,
        "merge_note": version.merge_note,
        "created_at": version.created_at.isoformat(),
        "size": version.size,
        "size_delta": version.size_delta,
        "suggestion": suggestion,
        "url": paths.version(card.slug, version.number),
    }


@router.get(
    "/cards/{slug}/versions/{int:number}/", response=reading(VersionDetail), url_name="version_detail"
)
def get_version(request, slug: str, number: int):
    """One version: who made it and why, and the card's metadata and openness summary as they were."""
    only_params(request, ())

    def make():
        card = _card(slug)
        version = _versions(card, number)[number]
        entry = history_entry(card, version, _suggestions_behind([version]).get(version.pk))
        if "text" in entry["hidden"]:
            # Nothing read from a hidden text: its title and front matter are part of it.
            entry.update(title=None, metadata=None, openness=None)
        else:
            state = card_history.stored_states(card, [version])[number]
            entry.update(
                title=state.get("title", ""),
                metadata=state.get("metadata") or {},
                openness={
                    "mof_class": state.get("mof_class", 0),
                    "mof_conditional": state.get("mof_conditional", False),
                    "licence_type": state.get("licence_type", ""),
                    "flags": list(state.get("openness_flags") or []),
                    "completeness": state.get("completeness", 0),
                },
            )
        entry.update(
            current=number == card.version_number,
            readme=paths.version_readme(card.slug, number),
            html_url=version_html(card.slug, number),
            previous=number - 1 if number > 1 else None,
            next=number + 1 if number < card.version_number else None,
        )
        return as_json(entry, last_modified=version.created_at)

    return shared(request, card_scopes_or_404(slug), f"version:{slug}:{number}", make)


def _refuse_hidden_text(card: ModelCard, version: CardVersion) -> None:
    if not visibility.shows(version, "text"):
        raise ApiError(
            410, "text_hidden", f"The moderators hid the text of {card.slug} version {version.number}."
        )


def version_html(slug: str, number: int) -> str:
    return card_history.version_url(slug, number)


@router.get(
    "/cards/{slug}/versions/{int:number}/README.md",
    response=reading(None, *READ_ERRORS, 410),
    url_name="version_readme",
)
def get_version_readme(request, slug: str, number: int):
    """The README.md exactly as it was at this version."""
    only_params(request, ())

    def make():
        card = _card(slug)
        version = _versions(card, number)[number]
        _refuse_hidden_text(card, version)
        state = card_history.stored_states(card, [version])[number]
        return as_markdown(state["text"], last_modified=version.created_at)

    return shared(request, card_scopes_or_404(slug), f"version-readme:{slug}:{number}", make)


@router.get(
    "/cards/{slug}/diff/{int:old}/{int:new}/", response=reading(Diff, *READ_ERRORS, 410), url_name="diff"
)
def get_diff(request, slug: str, old: int, new: int):
    """What changed from version `old` to version `new` (either may be the later one): the metadata key
    by key, and the lines of the front matter and the body, as the site's diff page shows them. A diff
    needing more than 3,000 rows says so (`too_large`) with its counts and no rows."""
    only_params(request, ())

    def make():
        card = _card(slug)
        versions = _versions(card, old, new)
        for version in versions.values():
            _refuse_hidden_text(card, version)  # a version hidden between the two changes nothing
        body = {
            "card": card.slug,
            "old": old,
            "new": new,
            "identical": old == new,
            "metadata": {"readable": True, "changes": [], "more": 0},
            "front_matter": None,
            "body": text_diff(None),
            "old_readme": paths.version_readme(card.slug, old),
            "new_readme": paths.version_readme(card.slug, new),
        }
        if old != new:
            comparison = card_history.compare_versions(card, versions[old], versions[new], unified=False)
            metadata = comparison.metadata
            body.update(
                identical=comparison.body.identical and comparison.front_matter is None,
                metadata={
                    "readable": metadata.readable,
                    "changes": [
                        {"path": c.path, "kind": c.kind, "old": c.old, "new": c.new} for c in metadata.changes
                    ],
                    "more": metadata.more,
                },
                front_matter=text_diff(comparison.front_matter) if comparison.front_matter else None,
                body=text_diff(comparison.body),
            )
        last = max(versions[old].created_at, versions[new].created_at)
        return as_json(body, last_modified=last)

    return shared(request, card_scopes_or_404(slug), f"diff:{slug}:{old}:{new}", make)


def text_diff(diff: TextDiff | None) -> dict:
    if diff is None:
        return {
            "added": 0,
            "removed": 0,
            "too_large": False,
            "row_limit": MAX_DIFF_ROWS,
            "skipped_after": 0,
            "hunks": [],
        }
    return {
        "added": diff.added,
        "removed": diff.removed,
        "too_large": diff.too_large,
        "row_limit": diff.row_limit or MAX_DIFF_ROWS,
        "skipped_after": diff.skipped_after,
        "hunks": [
            {
                "header": hunk.header,
                "old_start": hunk.old_start,
                "old_len": hunk.old_len,
                "new_start": hunk.new_start,
                "new_len": hunk.new_len,
                "skipped_before": hunk.skipped_before,
                "rows": [
                    {
                        "kind": row.kind,
                        "old_no": row.old_no,
                        "new_no": row.new_no,
                        "old": [{"text": s.text, "changed": s.changed} for s in row.old],
                        "new": [{"text": s.text, "changed": s.changed} for s in row.new],
                    }
                    for row in hunk.rows
                ],
            }
            for hunk in diff.hunks
        ],
    }
