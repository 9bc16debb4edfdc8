"""Card search: PostgreSQL's full-text search with ranking, and plain word matching elsewhere."""

import pytest
from django.db import connection

from modelcards.models import ModelCard
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db


def _card_text(title: str, body: str, tags: str = "demo") -> str:
    return f"---\nlicense: mit\ntags:\n- {tags}\n---\n# {title}\n\n{body}\n"


@pytest.fixture
def cards(make_card):
    make_card("in-title", _card_text("Zebra Detector", "Finds animals in photographs."))
    make_card("in-text", _card_text("Animal Finder", "Trained on zebra photographs among others."))
    make_card("elsewhere", _card_text("Speech Model", "Transcribes speech."))


def _slugs(query: str) -> list[str]:
    return list(ModelCard.objects.search(query).values_list("slug", flat=True))


def test_every_word_must_match(cards):
    assert set(_slugs("zebra")) == {"in-title", "in-text"}
    assert _slugs("zebra photographs transcribes") == []
    assert _slugs("speech") == ["elsewhere"]


def test_the_card_list_shows_matches_best_first_on_postgresql(client, cards):
    if connection.vendor != "postgresql":
        pytest.skip("ranking is PostgreSQL's; SQLite lists matches newest first")
    html = client.get("/cards/", {"q": "zebra"}).content.decode()
    assert html.index("Zebra Detector") < html.index("Animal Finder")  # a title outranks the text
    assert _slugs("zebras") == _slugs("zebra")  # English stemming
    assert _slugs('"zebra detector"') == ["in-title"]  # phrases, as people type them in search boxes


def test_the_postgresql_search_can_use_its_gin_index(cards):
    if connection.vendor != "postgresql":
        pytest.skip("the index is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows would otherwise be scanned whole
        plan = ModelCard.objects.search("zebra").explain()
    assert "modelcard_search" in plan


def test_sqlite_matches_parts_of_words(cards):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL matches whole (stemmed) words")
    assert set(_slugs("zeb")) == {"in-title", "in-text"}


def test_a_query_of_only_spaces_finds_everything(make_card):
    make_card("sample", SAMPLE_README)
    assert _slugs("   ") == ["sample"]


def test_ranking_reads_titles_and_tags_not_every_matching_cards_text(cards):
    """Ranking recomputes its document per match: over the whole text a common word took 22 s at
    100,000 cards. Matching still uses the whole text, through the index."""
    if connection.vendor != "postgresql":
        pytest.skip("ranking is PostgreSQL's")
    sql = str(ModelCard.objects.search("zebra").query)
    ranking = sql.split("ts_rank(", 1)[1].split(") AS", 1)[0]
    assert '"text"' not in ranking and '"title"' in ranking
    assert _slugs("zebra")[0] == "in-title"
