"""What keeps every page fast at the largest input the site accepts, one expensive shape at a time.

Speed itself is measured by `python -m bench.worst_case` (part of `make bench`), never by a timed test.
These tests check what guarantees it: text that would take too long to show is refused when it is
submitted, with the limit in the message; whatever is accepted stays within the rendering budget; a
diff or blame too large to show comes in a bounded form, with both texts to download; work is done
once per content and then served from the cache, refusals included; and previews count against a
rate limit by their size. The shapes are the bench's own, grown to the largest size the form accepts.
"""

import functools
import random
import re
from difflib import SequenceMatcher

import pytest
from django.core.cache import cache

from bench.worst_case import SHAPES, largest_accepted
from modelcards import diffing, rendering
from modelcards.cardfile import parse_card
from modelcards.diffing import MAX_DIFF_ROWS, diff_texts
from modelcards.history import BLAME_PAGE_LINES
from modelcards.models import Suggestion
from modelcards.rendering import MAX_RENDER_WORK, render_work
from modelcards.views.review import MAX_CONFLICTS_SHOWN
from modelcards.workflow import accept_suggestion, create_card, submit_suggestion, update_card
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

SHAPE = {shape.name: shape for shape in SHAPES}


@functools.cache
def largest(name: str) -> int:
    return largest_accepted(SHAPE[name])


def body_of(text: str) -> str:
    return parse_card(text).body


def suggest(client, slug: str, text: str, **extra):
    data = {"text": text, "summary": "Worst case", "base_version": 1, "author_name": "Ada", **extra}
    return client.post(f"/cards/{slug}/suggest/", data)


@pytest.fixture
def spy(monkeypatch):
    """Count the calls of a module's function while still running it: spy(module, "name") -> calls."""

    def watch(module, name):
        calls = []
        original = getattr(module, name)

        def counted(*args, **kwargs):
            calls.append(args)
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
        return calls

    return watch


# --------------------------------------------------------------------------------------
# Shapes bounded by the rendering budget: refused past it, with the limit named


@pytest.mark.parametrize("name", ["paragraphs", "list_items", "links", "autolinks", "table"])
def test_the_largest_accepted_shape_is_within_the_rendering_budget_and_one_more_piece_is_refused(
    client, make_card, name
):
    shape, count = SHAPE[name], largest(name)
    assert render_work(body_of(shape.text(count))).units <= MAX_RENDER_WORK
    make_card("target", shape.before_text(count))

    refused = suggest(client, "target", shape.text(count + 1))
    assert refused.status_code == 400
    assert f"units of rendering work, and the limit is {MAX_RENDER_WORK:,}" in refused.content.decode()
    assert not Suggestion.objects.exists()

    assert suggest(client, "target", shape.text(count)).status_code == 302
    assert Suggestion.objects.get().text == shape.text(count)


def test_long_lines_stop_at_the_line_limit_and_each_render_is_paid_once(client, make_card, moderator, spy):
    shape, count = SHAPE["long_lines"], largest("long_lines")
    text = shape.text(count)
    assert len(text.encode()) > 0.95 * 512 * 1024  # as large as a card may be, in lines as long as allowed
    card = make_card("target", shape.before_text(count))
    refused = suggest(client, "target", text.replace("word ", "word x", 1))  # one character more
    assert refused.status_code == 400 and "characters long; the limit is 20,000" in refused.content.decode()

    suggestion = submit_suggestion(
        card=card, text=text, summary="Long lines", base_version=1, author=None, author_name="Ada"
    )
    accept_suggestion(suggestion, reviewer=moderator)
    renders = spy(rendering, "_render")
    for _ in range(2):
        assert client.get("/cards/target/v/2/").status_code == 200
    assert len(renders) == 1  # the version's body, under the page's own title: rendered once for every view
    for _ in range(2):  # the suggestion's preview keeps the card's own title: one render more, paid once
        assert client.get(f"/suggestions/{suggestion.pk}/").status_code == 200
    assert len(renders) == 2


# --------------------------------------------------------------------------------------
# A card filed in reverse order: every line changes, so its diff and blame are bounded


@pytest.fixture
def reversed_card(moderator):
    """The largest accepted card filed in reverse order, as version 2, and the suggestion that made it."""
    shape, count = SHAPE["reversed"], largest("reversed")
    card = create_card(slug="reversed", card_file=parse_card(shape.before_text(count)), user=None)
    suggestion = submit_suggestion(
        card=card,
        text=shape.text(count),
        summary="Reverse it",
        base_version=1,
        author=None,
        author_name="Ada",
    )
    accept_suggestion(suggestion, reviewer=moderator)
    card.refresh_from_db()
    return card, suggestion


def test_a_reversed_card_shows_its_diff_as_a_count_with_both_versions_to_download(client, reversed_card, spy):
    card, _ = reversed_card
    lines = len(card.text.splitlines())
    assert lines > 80_000
    builds = spy(diffing, "_assemble")
    for url in ("/cards/reversed/diff/1/2/", "/cards/reversed/diff/1/2/?view=unified"):
        html = client.get(url).content.decode()
        assert "Diff too large to show" in html
        assert f"a page shows at most {MAX_DIFF_ROWS:,} lines of a diff" in html
        assert 'href="/cards/reversed/v/1.md"' in html and 'href="/cards/reversed/v/2.md"' in html
        assert 'class="diff-delete"' not in html and 'class="diff-insert"' not in html
        assert len(html) < 100_000
    assert builds == []  # no row was ever built
    assert client.get("/cards/reversed/v/1.md").content.decode() == SHAPE["reversed"].before_text(
        largest("reversed")
    )


def test_a_reversed_cards_blame_comes_a_page_of_lines_at_a_time(client, reversed_card):
    card, _ = reversed_card
    total = len(card.text.splitlines())
    first = client.get("/cards/reversed/blame/").content.decode()
    assert first.count('class="blame-text"') == BLAME_PAGE_LINES
    assert f'href="?from={BLAME_PAGE_LINES + 1}"' in first
    last_from = (total - 1) // BLAME_PAGE_LINES * BLAME_PAGE_LINES + 1
    last = client.get(f"/cards/reversed/blame/?from={last_from}").content.decode()
    assert last.count('class="blame-text"') == total - last_from + 1
    assert 'rel="next"' not in last and f'href="?from={last_from - BLAME_PAGE_LINES}"' in last
    assert client.get(f"/cards/reversed/blame/?from={total + 1}").status_code == 404
    assert client.get("/cards/reversed/blame/?from=x").status_code == 400


def test_a_reversed_suggestion_is_diffed_once_and_offers_both_texts(client, moderator, spy):
    shape, count = SHAPE["reversed"], largest("reversed")
    card = create_card(slug="reversed", card_file=parse_card(shape.before_text(count)), user=None)
    suggestion = submit_suggestion(
        card=card,
        text=shape.text(count),
        summary="Reverse it",
        base_version=1,
        author=None,
        author_name="Ada",
    )
    diffs = spy(diffing, "diff_texts")
    client.force_login(moderator)
    for _ in range(2):
        html = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
        assert "Diff too large to show" in html
        assert 'href="/cards/reversed/v/1.md"' in html and f'href="/suggestions/{suggestion.pk}.md"' in html
    assert len(diffs) == 1  # the second view read it from the cache
    assert client.get(f"/suggestions/{suggestion.pk}.md").content.decode() == shape.text(count)


# --------------------------------------------------------------------------------------
# Work done once per content, refusals included


def test_text_stored_before_the_limits_is_refused_on_its_pages_after_one_check(client, card, spy):
    over = SHAPE["paragraphs"].text(largest("paragraphs") + 500)  # as if filed before the budget existed
    suggestion = Suggestion.objects.create(card=card, base_version=1, text=over, summary="Old")
    checks, renders = spy(rendering, "render_work"), spy(rendering, "_render")
    for _ in range(3):
        html = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
        assert f"the limit is {MAX_RENDER_WORK:,}" in html
    assert len(checks) == 1 and renders == []


def test_a_render_that_runs_out_of_time_is_refused_once_and_the_refusal_kept(monkeypatch, spy):
    renders = spy(rendering, "_render")
    monkeypatch.setattr(rendering, "RENDER_SECONDS", -1.0)
    for _ in range(2):
        with pytest.raises(rendering.MarkdownRefused, match="takes too long to render"):
            rendering.render_markdown("## A card\n\nthat runs out of time\n")
    assert len(renders) == 1
    monkeypatch.setattr(rendering, "RENDER_SECONDS", 2.0)
    with pytest.raises(rendering.MarkdownRefused):  # paid once: kept even once time would suffice
        rendering.render_markdown("## A card\n\nthat runs out of time\n")
    cache.clear()
    assert rendering.render_markdown("## A card\n\nthat runs out of time\n").html


# --------------------------------------------------------------------------------------
# Diffs: the search and the rows are bounded whatever the texts


def test_crafted_repeated_lines_cannot_make_the_line_matching_search_expensive(monkeypatch):
    rng = random.Random(17)
    old = [f"line {rng.randrange(100)}" for _ in range(50_000)]
    new = old[:]
    rng.shuffle(new)
    searched = []

    class Counted(SequenceMatcher):
        def __init__(self, junk, a, b, autojunk=True):
            searched.append(diffing._candidate_pairs(a, b, autojunk=autojunk))
            super().__init__(junk, a, b, autojunk=autojunk)

    monkeypatch.setattr(diffing, "SequenceMatcher", Counted)
    a, b = diffing._as_ids(old, new)
    blocks = diffing._matching_blocks(a, b)
    assert sum(searched) * diffing._STEPS_PER_CANDIDATE <= diffing._MAX_MATCHING_STEPS
    # Still a true match: equal runs, in order, never overlapping.
    position_a = position_b = 0
    for i, j, size in blocks:
        assert i >= position_a and j >= position_b and a[i : i + size] == b[j : j + size]
        position_a, position_b = i + size, j + size
    diff = diff_texts("\n".join(old), "\n".join(new))
    assert diff.too_large and not diff.hunks and not diff.identical


def test_a_diff_over_its_row_limit_keeps_its_counts_and_builds_no_rows():
    old = "".join(f"line {number}\n" for number in range(40))
    new = "".join(f"line {number}{' changed' if number % 2 else ''}\n" for number in range(40))
    shown = diff_texts(old, new)
    bounded = diff_texts(old, new, max_rows=30)
    assert not shown.too_large and shown.hunks
    assert bounded.too_large and bounded.hunks == () and bounded.row_limit == 30
    assert (bounded.added, bounded.removed) == (shown.added, shown.removed) == (20, 20)


def test_every_score_changed_and_reordered_in_the_largest_metadata_lists_a_bounded_diff_worked_out_once(
    client, moderator, spy
):
    from modelcards import history, metadata_diff  # this test's own: the metadata comparison

    shape, count = SHAPE["metadata"], largest("metadata")
    before = shape.text(count)
    head, results = before.split("  results:\n", 1)
    results, rest = results.split("---\n", 1)
    entries = results.split("  - task:\n")[1:]
    after = (
        head + "  results:\n" + "".join(f"  - task:\n{entry}" for entry in reversed(entries)) + "---\n" + rest
    )
    after = after.replace("value: 0.", "value: 1.")
    assert len(after) == len(before) and not parse_card(after).warnings
    card = create_card(slug="scores", card_file=parse_card(before), user=None)
    suggestion = submit_suggestion(
        card=card, text=after, summary="Every score", base_version=1, author=None, author_name="Ada"
    )
    compared = spy(history, "diff_metadata"), spy(diffing, "diff_metadata")
    more = count + 1 - metadata_diff.MAX_METADATA_CHANGES  # every value, and the new order
    client.force_login(moderator)
    for url in [f"/suggestions/{suggestion.pk}/"] * 2:
        html = client.get(url).content.decode()
        assert 0 < html.count('<code class="meta-path">') <= metadata_diff.MAX_METADATA_CHANGES
        assert f"and {more:,} more changes in the metadata" in html
    accept_suggestion(suggestion, reviewer=moderator)
    for url in ["/cards/scores/diff/1/2/"] * 2:
        html = client.get(url).content.decode()
        assert f"and {more:,} more changes in the metadata" in html
        assert len(html) < 100_000
    assert [len(calls) for calls in compared] == [1, 1]  # once for the history diff, once for the review page


def test_a_merge_with_more_conflicts_than_the_page_lays_out_is_resolved_as_marked_text(client, moderator):
    count = MAX_CONFLICTS_SHOWN + 20
    base = SAMPLE_README + "".join(f"\nKept {number}\n\nLine {number}.\n" for number in range(count))
    card = create_card(slug="busy", card_file=parse_card(base), user=None)
    suggestion = submit_suggestion(
        card=card,
        text=base.replace(".\n", " (suggested).\n"),
        summary="Every line",
        base_version=1,
        author=None,
        author_name="Ada",
    )
    since = base.replace(".\n", " (since).\n")
    update_card(card, card_file=parse_card(since), user=None, summary="Since")
    conflicts = len(diffing.merge3(base, since, suggestion.text).conflicts)
    assert conflicts > MAX_CONFLICTS_SHOWN
    client.force_login(moderator)
    html = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    assert f"conflicts with the current card in {conflicts} places" in html
    assert 'name="conflict_0"' not in html  # no form per conflict
    assert (
        html.count("&lt;&lt;&lt;&lt;&lt;&lt;&lt; current card (version 2)") >= conflicts
    )  # marked in the box
    assert "cannot be shown as it would look until they are resolved" in html


# --------------------------------------------------------------------------------------
# Previews are rate limited, by size


def test_previews_count_against_the_limit_by_size_and_the_preview_button_shares_it(client, card, settings):
    settings.MODELCARDS_RATE_LIMITS = {**settings.MODELCARDS_RATE_LIMITS, "preview": "20/m"}
    large = SAMPLE_README + "Padding.\n" * 30_000  # 270 KB: five previews' worth
    statuses = [client.post("/preview/", {"mode": "raw", "text": large}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    # The editor's Preview button renders the posted text too, so it counts against the same limit.
    response = suggest(client, "sample", SAMPLE_README + "\nMore.\n", preview="1")
    assert response.status_code == 429
    html = response.content.decode()
    assert "many previews from you in a short time" in html and "The preview is paused" in html
    assert response.context.get("preview_diff") is None


def test_small_previews_count_once_each(client, card, settings):
    settings.MODELCARDS_RATE_LIMITS = {**settings.MODELCARDS_RATE_LIMITS, "preview": "3/m"}
    statuses = [
        client.post("/preview/", {"mode": "raw", "text": SAMPLE_README}).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert re.search(r"Too many previews", client.post("/preview/", {"text": "x"}).json()["error"])
