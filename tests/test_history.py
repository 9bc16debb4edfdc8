"""History you can trust: version list, old versions, diffs, revert, blame, recent changes, feeds, cost."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modelcards import history
from modelcards.models import Activity, CardVersion, ModelCard
from modelcards.workflow import accept_suggestion, edit_card_directly, revert_card, submit_suggestion
from tests.conftest import SAMPLE_README
from tests.factories import add_versions, text_of_version

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Diffs are cached in the locmem cache, which outlives a test's database rollback."""
    cache.clear()
    yield
    cache.clear()


def _changed(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


V2 = _changed(
    _changed(SAMPLE_README, "used by the tests.", "used by the unit tests."),
    "- demo\n",
    "- demo\n- english\n",
)
V3 = _changed(
    _changed(V2, "license: apache-2.0", "license: mit"),
    "only a sample.",
    "only a sample, not for production use.",
)
V4 = V3 + "\n## Evaluation\n\nNone yet.\n"


@pytest.fixture
def storied(make_user, make_card, moderator):
    """A card whose six versions came through every path: created, suggested, edited, anonymous, reverts."""
    alice, bob = make_user("alice"), make_user("bob")
    card = make_card(user=alice)  # v1 by alice
    suggestion = submit_suggestion(
        card=card, text=V2, summary="Say what the tests are", base_version=1, author=bob
    )
    accept_suggestion(suggestion, reviewer=moderator)  # v2 by bob, approved by mod
    edit_card_directly(card, text=V3, summary="Licence is MIT", base_version=2, editor=moderator)  # v3
    card.refresh_from_db()  # the edit saved a locked copy of the card
    anonymous = submit_suggestion(
        card=card,
        text=V4,
        summary="Add an evaluation section",
        base_version=3,
        author=None,
        author_name="Carol",
    )
    accept_suggestion(anonymous, reviewer=moderator)  # v4 by Carol, approved by mod
    revert_card(card, to_version=2, reviewer=moderator, reason="Unsourced licence change")  # v5
    revert_card(card, to_version=4, reviewer=moderator, reason="The licence change was right")  # v6
    card.refresh_from_db()
    return card


def test_history_lists_every_version_with_author_approver_summary_and_size_change(client, storied):
    page = client.get("/cards/sample/history/")
    assert page.status_code == 200
    versions = page.context["page"].versions
    assert [v.number for v in versions] == [6, 5, 4, 3, 2, 1]
    authors = ["mod", "mod", "Carol (unregistered)", "mod", "bob", "alice"]
    assert [v.author_display for v in versions] == authors
    assert [v.moderator.username if v.moderator else None for v in versions] == [
        "mod", "mod", "mod", None, "mod", None,
    ]  # fmt: skip
    assert versions[0].summary == "Reverted to version 4: The licence change was right"
    assert versions[1].summary == "Reverted to version 2: Unsourced licence change"
    assert versions[4].summary == "Say what the tests are"
    sizes = {v.number: v.size for v in versions}
    assert sizes[1] == len(SAMPLE_README.encode()) and sizes[4] == len(V4.encode())
    assert all(v.size_delta == v.size - sizes.get(v.number - 1, 0) for v in versions)
    html = page.content.decode()
    assert f'<span class="size-down">(−{sizes[4] - sizes[2]:,})</span>' in html
    assert f'<span class="size-up">(+{sizes[4] - sizes[2]:,})</span>' in html
    assert 'href="/cards/sample/diff/5/6/"' in html and 'href="/cards/sample/v/1/"' in html
    assert 'action="/cards/sample/compare/"' in html
    assert html.count('type="radio" name="a"') == 6 and html.count('type="radio" name="b"') == 6
    assert 'type="application/atom+xml"' in html and 'href="/cards/sample/feed/"' in html


def test_compare_form_redirects_to_the_diff_older_version_first(client, storied):
    response = client.get("/cards/sample/compare/", {"a": "5", "b": "2"})
    assert response.status_code == 302 and response["Location"] == "/cards/sample/diff/2/5/"


def test_comparing_one_version_shows_what_it_changed(client, storied):
    for query in ({"a": "3"}, {"b": "3"}, {"a": "3", "b": "3"}):
        response = client.get("/cards/sample/compare/", query)
        assert response.status_code == 302 and response["Location"] == "/cards/sample/diff/2/3/"


def test_comparing_the_first_or_only_version_explains_instead_of_refusing(client, storied):
    response = client.get("/cards/sample/compare/", {"a": "1"})
    assert response.status_code == 200
    assert "the card's first version: nothing came before it" in response.content.decode()


def test_a_card_with_one_version_says_there_is_nothing_to_compare_yet(client, make_card):
    make_card("single")
    response = client.get("/cards/single/compare/", {"b": "1"})
    assert response.status_code == 200
    assert "This card has one version so far" in response.content.decode()


def test_any_two_versions_diff_in_both_orders_with_word_highlights_and_metadata_keys(client, storied):
    forward = client.get("/cards/sample/diff/1/3/")
    backward = client.get("/cards/sample/diff/3/1/")
    assert forward.status_code == backward.status_code == 200
    body_forward = forward.content.decode().split('id="body-diff-heading"')[1]
    body_backward = backward.content.decode().split('id="body-diff-heading"')[1]
    assert re.search(r"<ins>[^<]*unit[^<]*</ins>", body_forward)
    assert re.search(r"<del>[^<]*unit[^<]*</del>", body_backward)
    assert re.search(r"<ins>[^<]*production[^<]*</ins>", body_forward)
    changes = {(c.path, c.kind): c for c in forward.context["comparison"].metadata.changes}
    assert (changes["license", "changed"].old, changes["license", "changed"].new) == ("apache-2.0", "mit")
    assert changes["tags", "added"].new == "english"
    html = forward.content.decode()
    assert html.index('id="meta-diff-heading"') < html.index('id="body-diff-heading"')
    reverse_changes = {(c.path, c.kind): c for c in backward.context["comparison"].metadata.changes}
    assert (reverse_changes["license", "changed"].old, reverse_changes["license", "changed"].new) == (
        "mit", "apache-2.0",
    )  # fmt: skip
    assert reverse_changes["tags", "removed"].old == "english"


def test_metadata_keys_added_and_removed_are_named(client, make_card, moderator):
    card = make_card()
    edit_card_directly(
        card,
        text=_changed(SAMPLE_README, "library_name: transformers\n", "base_model: gpt2\n"),
        summary="Swap keys",
        base_version=1,
        editor=moderator,
    )
    metadata = client.get("/cards/sample/diff/1/2/").context["comparison"].metadata
    kinds = {c.path: c.kind for c in metadata.changes}
    assert kinds == {"base_model": "added", "library_name": "removed"}


def test_unified_view_lists_hunks_with_word_highlights(client, storied):
    html = client.get("/cards/sample/diff/3/4/", {"view": "unified"}).content.decode()
    assert 'class="diff unified"' in html and "@@ " in html
    assert re.search(r"<span class=\"sign\" aria-hidden=\"true\">\+</span>.*None yet\.", html)
    html = client.get("/cards/sample/diff/2/3/", {"view": "unified"}).content.decode()
    assert re.search(r"<ins>[^<]*production[^<]*</ins>", html)


def test_a_diff_is_computed_once_then_served_from_the_cache(client, storied):
    client.get("/cards/sample/diff/1/6/")
    with CaptureQueriesContext(connection) as cached:
        assert client.get("/cards/sample/diff/1/6/").status_code == 200
    assert not any("reversion_version" in query["sql"] for query in cached.captured_queries)


def test_diff_of_a_version_with_itself_says_there_is_no_difference(client, storied):
    page = client.get("/cards/sample/diff/3/3/")
    assert page.status_code == 200
    assert "there is no difference" in page.content.decode()


def test_old_version_renders_as_it_was_without_writing_and_exports_byte_exact(client, storied):
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/cards/sample/v/1/")
    assert page.status_code == 200
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
    html = page.content.decode()
    assert "old version" in html and "version 1 of 6" in html
    assert "alice" in html
    assert "apache-2.0" in html.split('class="meta-panel"')[1]  # the panel as it was then
    assert "used by the tests." in html and "not for production" not in html
    assert "http://testserver/cards/sample/v/1/" in html  # the citation's permanent address
    assert 'href="/cards/sample/v/2/"' in html and 'href="/cards/sample/"' in html
    export = client.get("/cards/sample/v/1.md")
    assert export.status_code == 200 and export.content == SAMPLE_README.encode("utf-8")
    assert client.get("/cards/sample/v/3.md").content == V3.encode("utf-8")
    storied.refresh_from_db()
    assert storied.version_number == 6 and storied.text == V4


def test_current_version_page_says_it_is_current(client, storied):
    html = client.get("/cards/sample/v/6/").content.decode()
    assert "current version" in html and "old version" not in html


def test_moderator_reverts_through_the_version_page_and_reverts_the_revert(client, storied, moderator):
    client.force_login(moderator)
    assert 'action="/cards/sample/revert/1/"' in client.get("/cards/sample/v/1/").content.decode()
    response = client.post("/cards/sample/revert/1/", {"reason": "Back to the original"})
    assert response.status_code == 302 and response["Location"] == "/cards/sample/history/"
    card = ModelCard.objects.get(slug="sample")
    assert card.version_number == 7 and card.text == SAMPLE_README
    newest = card.versions.get(number=7)
    assert newest.kind == CardVersion.Kind.REVERTED and newest.moderator == moderator
    assert newest.summary == "Reverted to version 1: Back to the original"
    response = client.post("/cards/sample/revert/6/", {"reason": "That was a mistake"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.version_number == 8 and card.text == V4
    assert list(card.versions.values_list("number", flat=True)) == [8, 7, 6, 5, 4, 3, 2, 1]


@pytest.mark.parametrize(
    ("who", "n", "data", "expected"),
    [
        ("anonymous", 1, {"reason": "x"}, 302),
        ("reader", 1, {"reason": "x"}, 403),
        ("mod", 1, {"reason": "  "}, 400),
        ("mod", 6, {"reason": "already current"}, 409),
        ("mod", 999, {"reason": "no such version"}, 404),
    ],
)
def test_revert_is_refused_clearly(client, storied, make_user, moderator, who, n, data, expected):
    if who == "reader":
        client.force_login(make_user("reader"))
    elif who == "mod":
        client.force_login(moderator)
    response = client.post(f"/cards/sample/revert/{n}/", data)
    assert response.status_code == expected
    if expected == 302:
        assert "/accounts/login/" in response["Location"]
    if expected in (400, 409):
        assert 'class="message message-error"' in response.content.decode()
    assert ModelCard.objects.get(slug="sample").version_number == 6


def test_blame_attributes_each_line_to_the_version_that_last_changed_it(client, storied):
    lines = {line.text: line for line in history.blame(storied)}
    assert lines["# Sample Model"].version.number == 1
    assert lines["# Sample Model"].version.author_display == "alice"
    assert lines["A small model used by the unit tests."].version.number == 2
    assert lines["A small model used by the unit tests."].version.author_display == "bob"
    assert lines["- english"].version.number == 2
    # Changed in v3, undone by the revert in v5, restored by the revert of the revert in v6.
    assert lines["license: mit"].version.number == 6
    assert lines["None yet."].version.number == 6
    page = client.get("/cards/sample/blame/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/cards/sample/diff/1/2/">v2</a>' in html
    assert 'href="/cards/sample/v/1/">v1</a>' in html
    assert html.count('class="blame-text"') == len(V4.splitlines())


def test_blame_escapes_the_text_it_shows(client, make_card, moderator):
    card = make_card()
    edit_card_directly(
        card,
        text=SAMPLE_README + "\nUse `<script>alert(1)</script>` with care.\n",
        summary="Add a warning",
        base_version=1,
        editor=moderator,
    )
    html = client.get("/cards/sample/blame/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_recent_changes_lists_filters_and_links_each_row(client, storied, make_card):
    make_card("other")
    page = client.get("/changes/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/cards/sample/diff/5/6/"' in html
    assert 'href="/cards/other/v/1/"' in html
    assert re.search(r'href="/suggestions/\d+/"', html)
    only_sample = client.get("/changes/", {"card": "sample", "kind": "version"})
    rows = [activity for activity, _url, _subject in only_sample.context["entries"]]
    assert len(rows) == 6
    assert all(a.kind == "version" and a.card.slug == "sample" for a in rows)
    suggestions = client.get("/changes/", {"kind": "suggestion"}).context["entries"]
    assert len(suggestions) == 2
    assert client.get("/changes/", {"kind": "nonsense"}).status_code == 400


def test_recent_changes_pages_by_keyset_without_gaps_or_repeats(client, card):
    Activity.objects.bulk_create(
        [
            Activity(kind="version", card=card, summary=f"Row {i}", created_at=card.created_at)
            for i in range(120)
        ]
    )
    seen, before = [], None
    for _ in range(5):
        page = client.get("/changes/", {"before": before} if before else {})
        seen += [activity.pk for activity, _url, _subject in page.context["entries"]]
        before = page.context["older"]
        if before is None:
            break
    assert len(seen) == len(set(seen)) == Activity.objects.count() == 121
    assert seen == list(Activity.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))


def test_held_suggestions_stay_out_of_recent_changes_and_feeds(client, card, moderator):
    submit_suggestion(
        card=card,
        text=SAMPLE_README + "\nhttps://spam.example\n",
        summary="Secret spam",
        base_version=1,
        author=None,
        author_name="spammer",
        held=True,
    )
    assert "Secret spam" not in client.get("/changes/").content.decode()
    assert b"Secret spam" not in client.get("/changes/feed/").content
    client.force_login(moderator)
    assert "Secret spam" in client.get("/changes/").content.decode()


def _entries(response):
    root = ET.fromstring(response.content)  # noqa: S314 (our own feed, made in this test)
    assert root.tag == f"{ATOM}feed"
    return root, root.findall(f"{ATOM}entry")


def test_site_and_card_feeds_are_atom_with_an_entry_per_change_linking_to_it(client, storied, make_card):
    make_card("other")
    response = client.get("/changes/feed/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    root, entries = _entries(response)
    visible = Activity.objects.count()
    assert len(entries) == visible
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == "http://testserver/changes/"
    ids = [entry.find(f"{ATOM}id").text for entry in entries]
    assert len(set(ids)) == len(ids)
    links = [entry.find(f"{ATOM}link").get("href") for entry in entries]
    assert links[0] == "http://testserver/cards/other/v/1/"
    assert "http://testserver/cards/sample/diff/5/6/" in links
    assert any(re.fullmatch(r"http://testserver/suggestions/\d+/", link) for link in links)
    newest_sample = entries[1]
    assert newest_sample.find(f"{ATOM}summary").text == "Reverted to version 4: The licence change was right"
    assert newest_sample.find(f"{ATOM}author/{ATOM}name").text == "mod"
    _root, card_entries = _entries(client.get("/cards/sample/feed/"))
    assert len(card_entries) == Activity.objects.filter(card__slug="sample").count()
    assert all("/cards/other/" not in e.find(f"{ATOM}link").get("href") for e in card_entries)
    assert client.get("/cards/missing/feed/").status_code == 404


def test_feed_summaries_stay_plain_text(client, card, user):
    submit_suggestion(
        card=card,
        text=SAMPLE_README + "\nMore.\n",
        summary="Fix <b>bold</b> claims",
        base_version=1,
        author=user,
    )
    _root, entries = _entries(client.get("/changes/feed/"))
    # The summary is HTML-typed, so the markup arrives as escaped text, not as tags.
    assert entries[0].find(f"{ATOM}summary").text == "Fix &lt;b&gt;bold&lt;/b&gt; claims"


def test_pages_advertise_the_site_feed_and_the_card_feed(client, card):
    html = client.get("/cards/sample/").content.decode()
    assert 'type="application/atom+xml"' in html
    assert 'href="/changes/feed/"' in html and 'href="/cards/sample/feed/"' in html
    assert 'href="/cards/sample/history/"' in html and 'href="/cards/sample/blame/"' in html


def test_profile_links_each_version_to_its_page_and_diff(client, storied):
    html = client.get("/users/bob/").content.decode()
    assert 'href="/cards/sample/v/2/"' in html and 'href="/cards/sample/diff/1/2/"' in html
    html = client.get("/users/mod/").content.decode()
    assert 'href="/cards/sample/v/6/"' in html and 'href="/cards/sample/diff/5/6/"' in html


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/cards/missing/history/", 404),
        ("/cards/missing/v/1/", 404),
        ("/cards/missing/v/1.md", 404),
        ("/cards/missing/diff/1/2/", 404),
        ("/cards/missing/blame/", 404),
        ("/cards/missing/compare/?a=1&b=2", 404),
        ("/cards/sample/v/0/", 404),
        ("/cards/sample/v/999/", 404),
        ("/cards/sample/v/999.md", 404),
        ("/cards/sample/v/-1/", 404),
        ("/cards/sample/v/abc/", 404),
        ("/cards/sample/diff/1/999/", 404),
        ("/cards/sample/diff/0/1/", 404),
        ("/cards/sample/diff/x/1/", 404),
        ("/cards/sample/diff/1/1/", 200),
        ("/cards/sample/compare/?a=x&b=1", 400),
        ("/cards/sample/compare/?a=1", 200),  # one version: explained, not refused
        ("/cards/sample/compare/?a=0&b=1", 400),
        ("/cards/sample/compare/?a=%C2%B2&b=1", 400),
        ("/cards/sample/history/?before=-3", 400),
        ("/cards/sample/history/?after=abc", 400),
        ("/changes/?before=x", 400),
        ("/changes/?before=99999", 200),
    ],
)
def test_bad_input_gives_a_clear_404_or_400_never_a_500(client, card, url, status):
    response = client.get(url)
    assert response.status_code == status
    if status == 400:
        assert 'class="message message-error"' in response.content.decode()


def test_history_keyset_pagination_walks_every_version_once_in_both_directions(client, card):
    add_versions(card, 120)
    first = client.get("/cards/sample/history/")
    assert [v.number for v in first.context["page"].versions] == list(range(120, 70, -1))
    assert first.context["page"].newer_after is None
    assert 'href="?before=71"' in first.content.decode()
    second = client.get("/cards/sample/history/", {"before": 71})
    assert [v.number for v in second.context["page"].versions] == list(range(70, 20, -1))
    last = client.get("/cards/sample/history/", {"before": 21})
    assert [v.number for v in last.context["page"].versions] == list(range(20, 0, -1))
    assert last.context["page"].older_before is None
    assert 'href="?after=20"' in last.content.decode()
    back = client.get("/cards/sample/history/", {"after": 20})
    assert [v.number for v in back.context["page"].versions] == list(range(70, 20, -1))
    assert back.context["page"].newer_after == 70


def _count(client, url) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _assert_same_cost(client, pairs, django_assert_num_queries) -> None:
    """Each big page costs exactly the queries of its small counterpart, rendered afresh (no cache)."""
    for small_url, big_url in pairs:
        _count(client, small_url)  # warm process-wide caches (content types) before counting
        expected = _count(client, small_url)
        cache.clear()
        with django_assert_num_queries(expected):
            response = client.get(big_url)
        assert response.status_code == 200, big_url


def test_pages_cost_the_same_queries_with_1_or_10000_versions(
    client, make_card, moderator, django_assert_num_queries
):
    single = make_card("single")
    pair = add_versions(make_card("pair"), 2)
    big = add_versions(make_card("big"), 10_000)
    assert big.version_number == 10_000 and single.version_number == 1
    # Suggestions written against version 1, so the moderator's page merges them with the current text.
    on_pair, on_big = (
        submit_suggestion(
            card=card, text=card.text + "\nA new line.\n", summary="Add", base_version=1, author=None
        )
        for card in (pair, big)
    )
    # One more after them, so that both pages have a next suggestion in the queue to link to.
    submit_suggestion(card=single, text=single.text + "\nLast.\n", summary="Add", base_version=1, author=None)
    pages = [
        ("/cards/single/", "/cards/big/"),
        ("/cards/single.md", "/cards/big.md"),
        ("/cards/single.json", "/cards/big.json"),
        ("/cards/single/history/", "/cards/big/history/"),
        ("/cards/single/history/?before=2", "/cards/big/history/?before=5000"),
        ("/cards/single/v/1/", "/cards/big/v/5000/"),
        ("/cards/single/v/1.md", "/cards/big/v/5000.md"),
        ("/cards/single/diff/1/1/", "/cards/big/diff/5000/5000/"),
        (f"/cards/{pair.slug}/diff/1/2/", "/cards/big/diff/4000/10000/"),
        ("/cards/single/blame/", "/cards/big/blame/"),
        ("/cards/single/feed/", "/cards/big/feed/"),
        (f"/suggestions/{on_pair.pk}/", f"/suggestions/{on_big.pk}/"),
    ]
    _assert_same_cost(client, pages, django_assert_num_queries)
    client.force_login(moderator)  # signed in: every page rendered for the person, the review form too
    _assert_same_cost(client, pages, django_assert_num_queries)
    client.logout()
    # The big card's pages show what they should.
    history_page = client.get("/cards/big/history/?before=5000").context["page"]
    assert [v.number for v in history_page.versions] == list(range(4999, 4949, -1))
    diff_html = client.get("/cards/big/diff/9999/10000/").content.decode()
    assert re.search(r"<ins>[^<]*10000[^<]*</ins>", diff_html)
    blame_lines = history.blame(big)
    assert blame_lines[-1].text == "Change number 10000." and blame_lines[-1].version.number == 10_000
    assert client.get("/cards/big/v/777.md").content == text_of_version(SAMPLE_README, 777).encode()


def test_recent_changes_and_feeds_cost_the_same_queries_with_1_or_10000_entries(
    client, make_card, django_assert_num_queries
):
    quiet, busy = make_card("quiet"), make_card("busy")
    rows = [Activity(kind="version", card=busy, summary=f"Row {i}") for i in range(10_000)]
    Activity.objects.bulk_create(rows, batch_size=2000)
    oldest_busy = Activity.objects.filter(card=busy).order_by("pk").values_list("pk", flat=True)[5000]
    pages = [
        ("/changes/?card=quiet", "/changes/?card=busy"),
        ("/changes/?card=quiet&kind=version", "/changes/?card=busy&kind=version"),
        (f"/changes/?before={Activity.objects.get(card=quiet).pk + 1}", f"/changes/?before={oldest_busy}"),
        ("/cards/quiet/feed/", "/cards/busy/feed/"),
    ]
    _assert_same_cost(client, pages, django_assert_num_queries)


def _many_cards(count: int) -> None:
    """`count` more cards, each with a pending suggestion and a line of activity, made in bulk."""
    from modelcards.cardfile import parse_card
    from modelcards.models import Suggestion

    card_file = parse_card(SAMPLE_README)
    cards = []
    for number in range(count):
        card = ModelCard(slug=f"bulk-{number}", version_number=1)
        card.apply_card_file(card_file)
        cards.append(card)
    cards = ModelCard.objects.bulk_create(cards)
    Suggestion.objects.bulk_create(
        Suggestion(card=card, base_version=1, text=SAMPLE_README + "x", summary="Bulk") for card in cards
    )
    Activity.objects.bulk_create(Activity(kind="version", card=card, summary="Bulk") for card in cards)


def test_list_pages_cost_the_same_queries_with_1_or_1000_cards(
    client, card, moderator, django_assert_num_queries
):
    submit_suggestion(card=card, text=V2, summary="Improve", base_version=1, author=None, author_name="A")
    pages = [
        "/",
        "/cards/",
        "/cards/?q=sample",
        "/cards/?license=apache-2.0&tag=demo",
        "/changes/",
        "/suggestions/",
        "/suggestions/?status=all",
        "/suggestions/?card=sample",
    ]
    counts = {"anonymous": [_count(client, url) for url in pages]}
    client.force_login(moderator)
    counts["moderator"] = [_count(client, url) for url in pages]
    counts["moderator"] = [_count(client, url) for url in pages]  # warm, then count again
    client.logout()
    _many_cards(999)
    assert ModelCard.objects.count() == 1000
    for url, expected in zip(pages, counts["anonymous"], strict=True):
        cache.clear()
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200, url
    client.force_login(moderator)
    for url, expected in zip(pages, counts["moderator"], strict=True):
        cache.clear()
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200, url
    assert len(client.get("/cards/").context["cards"]) == 25
    assert len(client.get("/suggestions/").context["suggestions"]) == 50
