"""Markup that assistive technology relies on, checked on the pages people fill in and read: help
text reachable from its field, lists where lists may be, no empty column headers."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


class _Markup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.described_by: list[str] = []
        self.open: list[str] = []
        self.problems: list[str] = []
        self.header_text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        self.described_by += (attributes.get("aria-describedby") or "").split()
        if tag == "ul" and "p" in self.open:
            self.problems.append("<ul> inside <p>")
        if tag == "ul" and attributes.get("role"):
            self.problems.append(f"<ul role={attributes['role']}> loses its list semantics")
        if tag == "th":
            self.header_text = []
        if tag not in ("br", "input", "img", "meta", "link", "hr", "wbr", "source"):
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag == "th" and self.header_text is not None:
            if not "".join(self.header_text).strip():
                self.problems.append("an empty <th>")
            self.header_text = None
        if tag in self.open:
            while self.open and self.open.pop() != tag:
                pass

    def handle_data(self, data):
        if self.header_text is not None:
            self.header_text.append(data)


def problems_of(html: str) -> list[str]:
    parser = _Markup()
    parser.feed(html)
    missing = [
        f"aria-describedby={target} names no element"
        for target in parser.described_by
        if target not in parser.ids
    ]
    return parser.problems + missing


@pytest.mark.parametrize(
    "page",
    [
        "accounts:signup",
        "accounts:login",
        "accounts:password_reset",
        "modelcards:suggest",
        "modelcards:diff",
        "modelcards:mark_claim",
        "modelcards:card_detail",
        "modelcards:history",
    ],
)
def test_pages_people_fill_in_and_read_have_sound_markup(client, card, edit_card, page):
    from tests.conftest import SAMPLE_README

    edit_card(card, SAMPLE_README + "\nOne more line.\n")
    kwargs = {
        "modelcards:suggest": {"slug": card.slug},
        "modelcards:diff": {"slug": card.slug, "a": 1, "b": 2},
        "modelcards:mark_claim": {"slug": card.slug},
        "modelcards:card_detail": {"slug": card.slug},
        "modelcards:history": {"slug": card.slug},
    }.get(page, {})
    response = client.get(reverse(page, kwargs=kwargs))
    assert response.status_code == 200
    assert problems_of(response.content.decode()) == []


def test_a_form_with_errors_keeps_its_help_and_error_lists_sound(client):
    response = client.post(reverse("accounts:signup"), {"username": "", "password1": "x", "password2": "y"})
    html = response.content.decode()
    assert "_helptext" in html
    assert problems_of(html) == []


def test_the_review_queue_count_says_how_many_so_an_empty_one_can_look_quiet(client, card, moderator):
    client.force_login(moderator)
    html = client.get(reverse("modelcards:card_list")).content.decode()
    assert 'class="count" data-count="0"' in html
