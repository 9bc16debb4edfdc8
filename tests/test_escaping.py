"""Text shown outside Markdown is escaped everywhere, and Markdown reaches pages by one sanitised path.

Pages are built from a card, a suggestion and a thread whose every field is hostile, then parsed:
nothing active may appear (see tests/html_checks.py), and the hostile text must still be shown, as text.
"""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from modelcards.cardfile import parse_card
from modelcards.models import Suggestion, TalkThread
from modelcards.workflow import create_card, update_card
from tests.html_checks import active_content, page_text

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent

HOSTILE_CARD = r"""---
license: other
license_name: "<script>alert(1)</script><img src=x onerror=alert(2)>"
license_link: "https://example.org/\"><script>alert(3)</script>"
language:
- "<svg onload=alert(4)>"
tags:
- "<b onmouseover=alert(5)>tag</b>"
datasets:
- "\"><script>alert(6)</script>"
base_model: "javascript:alert(7)"
library_name: "<iframe src=javascript:alert(8)>"
model-index:
- name: "<script>alert(10)</script>"
  results:
  - task:
      type: "<img src=x onerror=alert(11)>"
    dataset:
      type: d
      name: "<style>*{display:none}</style>"
    metrics:
    - type: m
      value: "<a href=javascript:alert(12)>x</a>"
---
# \<script>alert("title")\</script> & "Co"

Body <script>alert(13)</script> with <img src=x onerror=alert(14)> and [a link](javascript:alert(15)).

## \<img src=x onerror=alert(16)> section
"""
HOSTILE_TITLE = '<script>alert("title")</script> & "Co"'
HOSTILE_SUMMARY = '<script>alert(20)</script> "quoted" & <b>bold</b>'
HOSTILE_NAME = "<img src=x onerror=alert(21)>"


@pytest.fixture
def hostile(make_user, moderator):
    author = make_user("eve")
    card = create_card(
        slug="hostile", card_file=parse_card(HOSTILE_CARD), user=author, summary=HOSTILE_SUMMARY
    )
    changed = HOSTILE_CARD.replace("alert(5)>tag", "alert(50)>tag").replace(
        "alert(1)</script>", "alert(9)</script>"
    )
    update_card(card, card_file=parse_card(changed), user=author, summary=HOSTILE_SUMMARY)
    suggestion = Suggestion.objects.create(
        card=card,
        base_version=2,
        text=changed + "\nMore.\n",
        summary=HOSTILE_SUMMARY,
        author_name=HOSTILE_NAME,
        ip_hash="x",
        access_token="token",
    )
    registered = Suggestion.objects.create(
        card=card, base_version=2, text=changed + "\nAlso.\n", summary=HOSTILE_SUMMARY, author=author
    )
    thread = TalkThread.objects.create(card=card, title=HOSTILE_SUMMARY, author=author)
    thread.comments.create(
        author=author, body="<script>alert(22)</script> *and* <img src=x onerror=alert(23)>"
    )
    return {"card": card, "suggestion": suggestion, "registered": registered, "thread": thread}


def _pages(hostile):
    thread = hostile["thread"]
    return [
        "/",
        "/cards/",
        "/cards/?q=alert",
        "/cards/?tag=%3Cb+onmouseover%3Dalert(5)%3Etag%3C%2Fb%3E",
        "/cards/?q=%3Cscript%3Ealert(30)%3C/script%3E",
        "/cards/hostile/",
        "/cards/hostile/v/1/",
        "/cards/hostile/v/2/",
        "/cards/hostile/diff/1/2/",
        "/cards/hostile/diff/1/2/?view=unified",
        "/cards/hostile/history/",
        "/cards/hostile/blame/",
        "/cards/hostile/suggest/",
        "/cards/hostile/edit/",
        "/cards/hostile/talk/",
        f"/cards/hostile/talk/{thread.pk}/",
        "/changes/",
        "/changes/?kind=%3Cscript%3Ealert(31)%3C/script%3E",
        "/suggestions/",
        "/suggestions/?status=all",
        f"/suggestions/{hostile['suggestion'].pk}/",
        f"/suggestions/{hostile['registered'].pk}/",
        "/users/eve/",
    ]


def test_pages_built_from_hostile_fields_hold_nothing_active(client, hostile, moderator):
    client.force_login(moderator)
    for url in _pages(hostile):
        response = client.get(url)
        assert response.status_code in (200, 400), url
        page = response.content.decode()
        assert active_content(page) == [], url


def test_hostile_fields_are_shown_as_text_not_dropped(client, hostile, moderator):
    client.force_login(moderator)
    card_page = page_text(client.get("/cards/hostile/").content.decode())
    assert HOSTILE_TITLE in card_page
    assert "<script>alert(9)</script><img src=x onerror=alert(2)>" in card_page  # licence name
    assert "<b onmouseover=alert(50)>tag</b>" in card_page  # tag
    assert "<img src=x onerror=alert(11)>" in card_page  # results table
    diff_page = page_text(client.get("/cards/hostile/diff/1/2/").content.decode())
    assert "alert(50)" in diff_page and "alert(9)" in diff_page  # the metadata diff shows the values
    suggestion_page = page_text(client.get(f"/suggestions/{hostile['suggestion'].pk}/").content.decode())
    assert HOSTILE_SUMMARY in suggestion_page and HOSTILE_NAME in suggestion_page
    thread_page = page_text(client.get(f"/cards/hostile/talk/{hostile['thread'].pk}/").content.decode())
    assert HOSTILE_SUMMARY in thread_page
    assert "<em>and</em>" in client.get(f"/cards/hostile/talk/{hostile['thread'].pk}/").content.decode()


def test_feeds_carry_hostile_text_as_text(client, hostile):
    for url in ("/changes/feed/", "/cards/hostile/feed/"):
        response = client.get(url)
        assert response.status_code == 200
        root = ET.fromstring(response.content)  # noqa: S314 - our own feed; must be well-formed XML
        ns = {"atom": "http://www.w3.org/2005/Atom"}
        titles = [entry.findtext("atom:title", namespaces=ns) for entry in root.findall("atom:entry", ns)]
        summaries = [
            entry.findtext("atom:summary", namespaces=ns) for entry in root.findall("atom:entry", ns)
        ]
        assert any(HOSTILE_TITLE in title for title in titles)
        # type="html" summaries hold escaped markup, which readers show as text.
        assert all("<script>" not in summary for summary in summaries if summary)
        assert any("&lt;script&gt;alert(20)" in summary for summary in summaries if summary)


def test_machine_readable_exports_are_served_as_data_not_pages(client, hostile):
    json_response = client.get("/cards/hostile.json")
    assert json_response["Content-Type"] == "application/json"
    assert json_response.json()["title"] == HOSTILE_TITLE
    markdown = client.get("/cards/hostile.md")
    assert markdown["Content-Type"].startswith("text/markdown")
    assert markdown["X-Content-Type-Options"] == "nosniff"
    for response in (json_response, markdown):
        assert re.fullmatch(
            r'attachment; filename="[A-Za-z0-9._-]+"',
            response.get("Content-Disposition", 'attachment; filename="x"'),
        )


# The codebase: one sanitised path, nothing inline in templates ----------------------------------

TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
TEMPLATES = sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html"))
SOURCES = sorted(
    path
    for path in ROOT.glob("*/**/*.py")
    if ".venv" not in path.parts and "tests" not in path.parts and "migrations" not in path.parts
)


def test_the_template_scan_finds_the_templates():
    assert len(TEMPLATES) > 20
    assert any(path.name == "card_detail.html" for path in TEMPLATES)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_templates_hold_no_inline_script_or_style_and_never_turn_escaping_off(path):
    source = path.read_text()
    for tag in re.findall(r"<script\b[^>]*>", source, re.IGNORECASE):
        assert re.search(r"\bsrc=", tag) or "application/json" in tag, f"inline script: {tag}"
    assert not re.search(r"<style\b", source, re.IGNORECASE), "a <style> element"
    assert not re.search(r"\sstyle\s*=", source, re.IGNORECASE), "a style= attribute"
    assert not re.search(r"\son[a-z]+\s*=", source, re.IGNORECASE), "an event-handler attribute"
    assert "javascript:" not in source.lower()
    assert not re.search(r"\|\s*safe\b", source), "|safe"
    assert not re.search(r"\|\s*escapejs\b", source), "|escapejs: use json_script for data in pages"
    assert not re.search(r"\{%\s*autoescape\s+off", source), "autoescape off"


def test_mark_safe_is_only_called_by_the_renderer():
    callers = [
        str(path.relative_to(ROOT))
        for path in SOURCES
        if re.search(r"\bmark_safe\s*\(|\bSafeString\s*\(|\bSafeData\b", path.read_text())
    ]
    assert callers == ["modelcards/rendering.py"]


def test_templates_render_user_markdown_only_through_the_renderer():
    """Rendered HTML reaches templates as `.html` of a RenderedMarkdown or through the |markdown filter."""
    for path in SOURCES:
        source = path.read_text()
        if path.name == "rendering.py":
            continue
        assert not re.search(r"\bimport markdown\b|\bfrom markdown\b|\bimport bleach\b", source), path
