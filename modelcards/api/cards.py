"""Endpoints for cards: the list (the site's search and filters) and one card, as JSON or README.md."""

import re
from typing import Literal

from django.db.models import FloatField, Max
from django.db.models.functions import Cast
from ninja import Query, Router

from ..cardfile import as_list
from ..models import CARD_SLUG_PATTERN, ModelCard
from ..openness.report import openness_document
from ..pagecache import SITE, card_scopes
from ..search import filter_cards
from . import paths
from .conditional import as_json, as_markdown, shared
from .errors import ApiError
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, Ordering, envelope, page_of
from .params import PAGING, only_params
from .responses import reading
from .schemas.cards import CardDetail, CardList

router = Router(tags=["cards"])

_CARD_SLUG = re.compile(CARD_SLUG_PATTERN)
MAX_SLUG_CHARS = ModelCard._meta.get_field("slug").max_length

LIST_PARAMS = ("q", "license", "pipeline_tag", "tag", "mof", "licence_type", "flagged", "sort", *PAGING)
ROW_FIELDS = (
    "slug",
    "title",
    "license",
    "licence_type",
    "pipeline_tag",
    "version_number",
    "updated_at",
    "mof_class",
    "mof_conditional",
    "openness_flags",
    "completeness",
)
BY_CHANGE = Ordering("updated", (("updated_at", True, "datetime"), ("slug", False, "str")))
BY_SLUG = Ordering("slug", (("slug", False, "str"),))
BY_RANK = Ordering("rank", (("rank_key", True, "float"), ("slug", False, "str")))
# The parts of openness.json the card's own fields do not already say.
OPENNESS_PARTS = (
    "mof",
    "flags",
    "licence_lineage",
    "completeness",
    "claims",
    "eval_results",
    "disputes",
    "openness",
)


def card_or_404(queryset, slug: str) -> ModelCard:
    card = queryset.filter(slug=slug).first() if is_card_slug(slug) else None
    if card is None:
        raise ApiError(404, "not_found", f"There is no card “{slug[:100]}”.")
    return card


def is_card_slug(slug: str) -> bool:
    """Whether `slug` could name a card; anything else is a 404 before it reaches a cache key or a query."""
    return len(slug) <= MAX_SLUG_CHARS and _CARD_SLUG.fullmatch(slug) is not None


def card_scopes_or_404(slug: str) -> list[str]:
    if not is_card_slug(slug):
        raise ApiError(404, "not_found", f"There is no card “{slug[:100]}”.")
    return card_scopes(slug)


@router.get("/cards/", response=reading(CardList), url_name="card_list")
def list_cards(
    request,
    q: str = Query("", description="Words every card found mentions (title, tags or text)."),
    license: str = Query("", description="A licence id, as in the front matter (apache-2.0)."),
    pipeline_tag: str = Query("", description="A task, e.g. text-generation."),
    tag: str = Query("", description="A tag, any case."),
    mof: int | None = Query(None, ge=0, le=3, description="Model Openness Framework class; 0 for none."),
    licence_type: str = Query("", description="permissive, copyleft, use-restricted, … or unknown."),
    flagged: bool = Query(False, description="Only cards with an open-washing flag."),
    sort: Literal["updated", "slug"] | None = Query(
        None,
        description="updated: most recently changed first (the default without q); slug: alphabetical, the "
        "order for walking the whole catalogue, which no edit can reorder. With q, best match first.",
    ),
    cursor: str | None = Query(None, description="From `next_cursor` of the previous page."),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
):
    """Cards, as the site's card list finds and orders them, one page at a time."""
    only_params(request, LIST_PARAMS)
    filters = {
        "q": q,
        "license": license,
        "pipeline_tag": pipeline_tag,
        "tag": tag,
        "mof": "" if mof is None else str(mof),
        "licence_type": licence_type,
        "flagged": "1" if flagged else "",
    }

    def make():
        cards = filter_cards(ModelCard.objects.only(*ROW_FIELDS), filters)
        if sort == "slug":
            ordering = BY_SLUG
        elif "rank" in cards.query.annotations:  # PostgreSQL's ranked search
            # ts_rank is a `real`: read back as text it is rounded, and the cursor would not match it
            # again; as a double precision (an exact widening) it round-trips through JSON exactly.
            cards = cards.annotate(rank_key=Cast("rank", FloatField()))
            ordering = BY_RANK
        else:
            ordering = BY_CHANGE
        page = page_of(cards, ordering, cursor=cursor, limit=limit)
        # Any change to any card shows here first: an edit, a new card, a lineage refreshed by an edit.
        newest = ModelCard.objects.aggregate(newest=Max("updated_at"))["newest"]
        return as_json(envelope(request, page, [card_row(card) for card in page.rows]), last_modified=newest)

    name = "cards?" + "&".join(f"{key}={value}" for key, value in sorted(request.GET.items()))
    return shared(request, [SITE], name, make)


def card_row(card: ModelCard) -> dict:
    return {
        "slug": card.slug,
        "title": card.title,
        "license": card.license,
        "licence_type": card.licence_type,
        "pipeline_tag": card.pipeline_tag,
        "version": card.version_number,
        "updated_at": card.updated_at.isoformat(),
        "mof_class": card.mof_class,
        "mof_class_name": card.mof_class_name,
        "mof_conditional": card.mof_conditional,
        "flags": list(card.openness_flags),
        "completeness": card.completeness,
        "url": paths.card(card.slug),
        "html_url": card.get_absolute_url(),
    }


@router.get("/cards/{slug}/", response=reading(CardDetail), url_name="card_detail", by_alias=True)
def get_card(request, slug: str):
    """One card: its metadata, and its openness as the card page shows it (class, what the next class
    needs, flags, licence lineage, completeness, each claim with its evidence, open disputes)."""
    only_params(request, ())

    def make():
        card = card_or_404(ModelCard.objects.defer("line_versions"), slug)
        return as_json(card_document(card), last_modified=_card_changed_at(card))

    return shared(request, card_scopes_or_404(slug), f"card:{slug}", make)


def card_document(card: ModelCard) -> dict:
    document = openness_document(card)
    return {
        "slug": card.slug,
        "title": card.title,
        "version": card.version_number,
        "license": card.license,
        "licence_type": card.licence_type,
        "pipeline_tag": card.pipeline_tag,
        "tags": as_list(card.metadata.get("tags")),
        "size": card.size,
        "created_at": card.created_at.isoformat(),
        "updated_at": card.updated_at.isoformat(),
        "metadata": card.metadata,
        "openness": {part: document[part] for part in OPENNESS_PARTS},
        "links": {
            "html": card.get_absolute_url(),
            "readme": paths.card_readme(card.slug),
            "versions": paths.versions(card.slug),
            "history": paths.history(card.slug),
            "discussions": paths.discussions(card.slug),
            "suggestions": paths.suggestions_of(card.slug),
        },
    }


def _card_changed_at(card: ModelCard):
    """The card's last change, or its base models' if later: their licences are part of its lineage,
    which is refreshed without touching the card's own time."""
    bases = [entry.get("slug") for entry in card.licence_lineage if isinstance(entry, dict)]
    if not bases:
        return card.updated_at
    newest = ModelCard.objects.filter(slug__in=bases).aggregate(newest=Max("updated_at"))["newest"]
    return max(card.updated_at, newest) if newest else card.updated_at


@router.get(
    "/cards/{slug}/README.md",
    response=reading(None),
    url_name="card_readme",
)
def get_card_readme(request, slug: str):
    """The current README.md, byte for byte as the Hub reads it."""
    only_params(request, ())

    def make():
        card = card_or_404(ModelCard.objects.only("slug", "text", "updated_at"), slug)
        return as_markdown(card.text, last_modified=card.updated_at)

    return shared(request, card_scopes_or_404(slug), f"card-readme:{slug}", make)
