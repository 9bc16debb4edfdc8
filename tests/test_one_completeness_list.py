"""The card page's "N sections missing or empty" and the editor's checklist: one list, read alike."""

import html
import re
from pathlib import Path

import pytest
from django.urls import reverse

from modelcards.openness.completeness import CHECKLIST
from tests.conftest import SAMPLE_README
from tests.test_completeness import HUB_TEMPLATE_UNFILLED, fill

pytestmark = pytest.mark.django_db

DEMO_CARDS = Path(__file__).resolve().parent.parent / "modelcards" / "demo_cards"

TEXTS = {
    "sample": SAMPLE_README,
    "hub-template": HUB_TEMPLATE_UNFILLED,
    "hub-template-filled": fill(HUB_TEMPLATE_UNFILLED),
    "bare": "---\nlicense: mit\n---\n# Bare\n\nNothing but a line.\n",
    **{folder.name: (folder / "README.md").read_text(encoding="utf-8") for folder in DEMO_CARDS.iterdir()},
}


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def card_page_missing(client, slug) -> tuple[int | None, list[str]]:
    """The card page's count and its list of sections missing or empty, as a reader sees them."""
    page = client.get(reverse("modelcards:card_detail", args=[slug])).content.decode()
    found = re.search(r'<details class="missing-sections">(.*?)</details>', page, re.DOTALL)
    if found is None:
        return 0, []
    count = int(re.search(r"<summary>(\d+) sections? missing or empty</summary>", found[1])[1])
    labels = [
        _text(item).split(" (heading with no text yet)")[0].split(" · ")[0]
        for item in re.findall(r"<li>(.*?)</li>", found[1], re.DOTALL)
    ]
    return count, labels


def editor_missing(client, slug) -> tuple[int, list[str]]:
    """The editor's count and the checklist's sections not yet written, as a contributor sees them."""
    page = client.get(reverse("modelcards:suggest", args=[slug])).content.decode()
    count = re.search(r"data-checklist-count[^>]*>(.*?)</p>", page, re.DOTALL)[1]
    items = re.findall(r'<li class="check check-(\w+)" data-check="[^"]+">(.*?)</li>', page, re.DOTALL)
    labels = [
        _text(re.search(r'<span class="check-heading">(.*?)</span>', body)[1])
        for status, body in items
        if status != "done"
    ]
    number = 0 if "Every recommended section is written" in count else int(count.split()[0])
    return number, labels


@pytest.mark.parametrize("slug", sorted(TEXTS))
def test_the_card_page_and_the_editor_name_the_same_missing_sections(client, make_card, slug):
    make_card(slug=slug, text=TEXTS[slug])
    assert card_page_missing(client, slug) == editor_missing(client, slug)


def test_the_lists_differ_between_cards_so_the_comparison_means_something(client, make_card):
    slugs = ("hub-template-filled", "sample", "bare")
    for slug in slugs:
        make_card(slug=slug, text=TEXTS[slug])
    counts = [editor_missing(client, slug)[0] for slug in slugs]
    assert counts[-1] == len(CHECKLIST)
    assert counts == sorted(set(counts)), counts


def test_the_editor_checklist_follows_the_live_preview_with_the_same_names(client, card):
    data = client.post("/preview/", {"mode": "raw", "text": SAMPLE_README + "\n## Factors\n\nAge.\n"}).json()
    states = {item["key"]: item["status"] for item in data["checklist"]}
    assert list(states) == [rule.key for rule in CHECKLIST]
    assert states["factors"] == "done" and states["citation"] == "missing"
