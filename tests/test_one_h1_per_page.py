"""Every page has exactly one <h1>, for every role: card text, old versions, previews and comments
written with `#` headings included."""

import re

import pytest
from django.urls import reverse

from modelcards.rendering import render_markdown
from tests import test_access
from tests.conftest import SAMPLE_README
from tests.test_access import MATRIX, ROLES, _kwargs

world = test_access.world  # the access matrix's objects, which its URL arguments name

pytestmark = pytest.mark.django_db

H1 = re.compile(r"<h1[\s>]")
HEADINGS = "# Raw <h1>heading</h1>\n\n<h1>Another raw one</h1>\n\n# Second title\n"


@pytest.fixture
def headings_world(world, edit_card):
    """The access matrix's objects with `#` headings and raw <h1>s in the card, comments, a suggestion."""
    card, author = world["card"], world["author"]
    edit_card(card, SAMPLE_README + "\n" + HEADINGS)
    world["suggestion"].text = card.text + "\n# Suggested heading\n"
    world["suggestion"].save(update_fields=["text"])
    world["thread"].comments.create(author=author, body="# A heading in a comment\n\nhello")
    world["suggestion"].comments.create(author=author, body="# Another heading\n\nhi")
    return world


EXTRA_PAGES = {  # pages whose interesting state the access matrix's arguments do not reach
    "diff of two versions": ("modelcards:diff", {"slug": "sample", "a": 1, "b": 2}),
    "version 2": ("modelcards:version_detail", {"slug": "sample", "n": 2}),
    "undo": ("modelcards:undo", {"slug": "sample", "n": 2}),
    "restore": ("modelcards:restore", {"slug": "sample", "n": 1}),
    "section editor": ("modelcards:suggest", {"slug": "sample"}),
}


def _pages(world):
    for name, (method, expected) in sorted(MATRIX.items()):
        if method == "get":
            yield name, reverse(name, kwargs=_kwargs(name, world)), expected
    for label, (name, kwargs) in EXTRA_PAGES.items():
        query = "?section=1" if label == "section editor" else ""
        yield label, reverse(name, kwargs=kwargs) + query, None


@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_exactly_one_h1(client, headings_world, make_user, role):
    world = headings_world
    if role != "anonymous":
        client.force_login(
            {
                "registered": lambda: make_user("someone"),
                "author": lambda: world["author"],
                "moderator": lambda: make_user("mod", moderator=True),
                "staff": lambda: make_user("boss", staff=True),
            }[role]()
        )
    wrong, seen = [], 0
    for label, url, _expected in _pages(world):
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        seen += 1
        count = len(H1.findall(response.content.decode()))
        if count != 1:
            wrong.append(f"{label} ({url}): {count} <h1>")
    assert seen > 20
    assert not wrong, "\n".join(wrong)


def test_the_card_page_shows_its_title_once_and_the_text_below_it(client, headings_world):
    html = client.get(reverse("modelcards:card_detail", args=["sample"])).content.decode()
    assert html.count(">Sample Model<") == 1  # the page's <h1>, not the text's `#` heading again
    assert '<h3 id="h-uses">Uses' in html  # `##` sections sit one level below
    assert "<h2>Another raw one</h2>" in html  # raw HTML headings too


def test_the_readme_export_keeps_the_headings_as_written(client, headings_world):
    exported = client.get(reverse("modelcards:card_markdown", args=["sample"])).content.decode()
    assert exported == headings_world["card"].text
    assert exported.count("\n# ") == 3 and "<h1>Another raw one</h1>" in exported


def test_rendered_card_text_never_makes_an_h1_and_keeps_its_section_links():
    text = "#\n\n# Title\n\nIntro.\n\n## Uses\n\n###### Deep\n\n<h1>raw</h1>\n\n# Later part\n"
    html = render_markdown(text, section_links=True, demote_headings=True, drop_title=True).html
    assert not H1.search(html) and "Title" not in html  # the first heading with text is the page's
    assert '<h3 id="h-uses">Uses <a class="section-edit" href="suggest/?section=1"' in html
    assert '<h6 id="h-deep">Deep</h6>' in html and "<h2>raw</h2>" in html
    assert '<h2 id="h-later-part">Later part</h2>' in html
    kept = render_markdown(text, demote_headings=True).html
    assert '<h2 id="h-title">Title</h2>' in kept  # previews keep the title, a level down
