"""Searching cards: PostgreSQL's full-text search with ranking, or word matching on other databases.

On PostgreSQL the search document is an expression over the card's columns rather than a stored
column, so nothing has to be kept in step on every write; migration 0003 builds a GIN index on this
very expression (`search_document()`), and PostgreSQL uses it only while the two stay identical.
"""

from django.db import connections
from django.db.models import Q, TextField, Value
from django.db.models.functions import Replace

# English stemming: "evaluations" finds "evaluation"; the config must be named for the index to apply.
SEARCH_CONFIG = "english"
MAX_WORDS = 10


def search_document():
    """Title first, then tags, then the whole README.md text, weighted in that order for ranking."""
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector(
            Replace("tags_index", Value("|"), Value(" "), output_field=TextField()),
            weight="B",
            config=SEARCH_CONFIG,
        )
        + SearchVector("text", weight="C", config=SEARCH_CONFIG)
    )


def ranking_document():
    """Title and tags only: ranking recomputes its document for every match, and over the whole text
    that took 22 s for a common word at 100,000 cards; matching still uses the full document's index."""
    from django.contrib.postgres.search import SearchVector

    return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        Replace("tags_index", Value("|"), Value(" "), output_field=TextField()),
        weight="B",
        config=SEARCH_CONFIG,
    )


def search_cards(cards, query: str):
    """`cards` matching every word of `query`: those whose title or tags match first, then the rest."""
    words = query.split()[:MAX_WORDS]
    if not words:
        return cards
    if connections[cards.db].vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        wanted = SearchQuery(" ".join(words), search_type="websearch", config=SEARCH_CONFIG)
        return (
            cards.annotate(search_document=search_document(), rank=SearchRank(ranking_document(), wanted))
            .filter(search_document=wanted)
            .order_by("-rank", "slug")
        )
    for word in words:
        cards = cards.filter(
            Q(title__icontains=word) | Q(tags_index__icontains=word) | Q(text__icontains=word)
        )
    return cards.order_by("-updated_at", "slug")


# The card list's filters, by query parameter; the HTML list and the API both read them from here.
CARD_FILTERS = ("license", "pipeline_tag", "tag", "mof", "licence_type", "flagged")
MAX_QUERY_CHARS = 200


def filter_cards(cards, params):
    """`cards` narrowed by the card list's search and filters, read from `params` (a mapping of query
    parameters, as the list page takes them), in the list's order: best match first for a search,
    else the most recently changed first."""
    if licence := params.get("license", "").strip():
        cards = cards.filter(license=licence)
    if task := params.get("pipeline_tag", "").strip():
        cards = cards.filter(pipeline_tag=task)
    if tag := params.get("tag", "").strip():
        cards = cards.with_tag(tag)
    cards = cards.with_openness(
        mof_class=params.get("mof", ""),
        licence_type=params.get("licence_type", "").strip(),
        flagged=params.get("flagged") == "1",
    )
    if query := params.get("q", "").strip()[:MAX_QUERY_CHARS]:
        return cards.search(query)  # best match first
    return cards.order_by("-updated_at", "slug")
