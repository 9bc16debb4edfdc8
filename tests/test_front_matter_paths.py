"""Every way a README.md gets in refuses (or accepts) a front matter the same way, with the same reason.

The ways in: the import command, the import page (upload and paste), the suggestion forms (an edit
and a new card), a moderator's direct edit, and the workflow itself. The refusals are the table in
tests/test_cardfile.py, one case per class of problem; each must be refused by every way in with a
message naming its line, and must store nothing. What is accepted must mean the same thing on the
card's JSON view and come back byte for byte from the export.
"""

import html
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from modelcards.cardfile import parse_card
from modelcards.models import CardVersion, ModelCard, Suggestion
from modelcards.workflow import InvalidText, submit_suggestion
from tests.test_cardfile import COERCION_CARD, REFUSALS

pytestmark = pytest.mark.django_db

CASES = [pytest.param(text, line, words, id=name) for name, text, line, words in REFUSALS]
# A lone surrogate cannot be written as UTF-8: files and uploads holding one are refused as invalid
# UTF-8, and a browser can never send one in a form field.
SURROGATE = "\ud83d"


def _stored_nothing(before_cards: int, before_versions: int) -> None:
    assert ModelCard.objects.count() == before_cards
    assert CardVersion.objects.count() == before_versions
    assert not Suggestion.objects.exists()


def _page_says(response, line: int, words: str) -> None:
    page = html.unescape(response.content.decode())
    assert response.status_code == 400, response.status_code
    assert f"line {line}:" in page and words in page, (line, words)


@pytest.fixture
def counts(card):
    return ModelCard.objects.count(), CardVersion.objects.count()


@pytest.mark.parametrize(("text", "line", "words"), CASES)
def test_the_import_command_refuses_it(tmp_path, counts, text, line, words):
    path = tmp_path / "refused.md"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_cards", str(path), stdout=out, stderr=io.StringIO())
    if SURROGATE in text:
        assert "refused: " in out.getvalue() and "not valid UTF-8" in out.getvalue()
    else:
        assert f"refused: line {line}:" in out.getvalue() and words in out.getvalue(), out.getvalue()
    _stored_nothing(*counts)


@pytest.mark.parametrize(("text", "line", "words"), CASES)
def test_the_import_page_refuses_it_uploaded(client, moderator, counts, text, line, words):
    client.force_login(moderator)
    upload = SimpleUploadedFile("refused.md", text.encode("utf-8", "surrogatepass"))
    response = client.post("/cards/import/", {"slug": "refused", "file": upload})
    if SURROGATE in text:
        assert response.status_code == 400 and "not valid UTF-8" in response.content.decode()
    else:
        _page_says(response, line, words)
    _stored_nothing(*counts)


def _form_cases():
    return [case for case in CASES if SURROGATE not in case.values[0]]


@pytest.mark.parametrize(("text", "line", "words"), _form_cases())
def test_the_import_page_refuses_it_pasted(client, moderator, counts, text, line, words):
    client.force_login(moderator)
    _page_says(client.post("/cards/import/", {"slug": "refused", "text": text}), line, words)
    _stored_nothing(*counts)


@pytest.mark.parametrize(("text", "line", "words"), _form_cases())
def test_the_suggestion_form_refuses_it(client, counts, text, line, words):
    response = client.post("/cards/sample/suggest/", {"text": text, "summary": "s", "base_version": 1})
    _page_says(response, line, words)
    _stored_nothing(*counts)


@pytest.mark.parametrize(("text", "line", "words"), _form_cases())
def test_the_new_card_suggestion_form_refuses_it(client, counts, text, line, words):
    data = {"slug": "refused", "text": text, "summary": "s", "base_version": 0}
    _page_says(client.post("/cards/new/suggest/", data), line, words)
    _stored_nothing(*counts)


@pytest.mark.parametrize(("text", "line", "words"), _form_cases())
def test_a_direct_edit_refuses_it(client, moderator, counts, text, line, words):
    client.force_login(moderator)
    data = {"text": text, "summary": "s", "base_version": 1}
    _page_says(client.post("/cards/sample/edit/", data), line, words)
    _stored_nothing(*counts)


@pytest.mark.parametrize(("text", "line", "words"), CASES)
def test_the_workflow_refuses_it_whatever_its_caller(card, counts, text, line, words):
    with pytest.raises(InvalidText) as refused:
        submit_suggestion(card=card, text=text, summary="s", base_version=1, author=None)
    assert any(problem.startswith(f"line {line}:") and words in problem for problem in refused.value.problems)
    _stored_nothing(*counts)


# What is accepted keeps its meaning everywhere ----------------------------------------------------

ACCEPTED = {
    "coerced values": COERCION_CARD + "# Coercions\n",
    "byte-order mark": "\ufeff---\nlicense: mit\nreleased: 2023-01-01\nlanguage: no\n---\n# With a BOM\n",
    "front matter not at the top": "\n---\nlicense: mit\n---\n# Not metadata\n",
    "horizontal rule first": "# Title\n\n---\n\nlicense: mit\n\n---\n",
}


def _strict_json(response) -> dict:
    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(response.content, parse_constant=refuse)


def _accept_through(client, way: str, text: str, moderator, tmp_path) -> str:
    """Put `text` in through `way`; return the slug of the card that now holds it."""
    if way == "command":
        path = tmp_path / "accepted.md"
        path.write_bytes(text.encode("utf-8"))
        call_command("import_cards", str(path), stdout=io.StringIO(), stderr=io.StringIO())
        return "accepted"
    client.force_login(moderator)
    if way == "upload":
        upload = SimpleUploadedFile("accepted.md", text.encode("utf-8"))
        assert client.post("/cards/import/", {"slug": "accepted", "file": upload}).status_code == 302
        return "accepted"
    if way == "paste":
        assert client.post("/cards/import/", {"slug": "accepted", "text": text}).status_code == 302
        return "accepted"
    if way == "direct edit":
        data = {"text": text, "summary": "s", "base_version": 1}
        assert client.post("/cards/sample/edit/", data).status_code == 302
        return "sample"
    if way == "suggestion":
        client.logout()
        data = {"text": text, "summary": "s", "base_version": 1}
        assert client.post("/cards/sample/suggest/", data).status_code == 302
        slug = "sample"
    else:  # a suggested new card
        client.logout()
        data = {"slug": "accepted", "text": text, "summary": "s", "base_version": 0}
        assert client.post("/cards/new/suggest/", data).status_code == 302
        slug = "accepted"
    suggestion = Suggestion.objects.get()
    client.force_login(moderator)
    form = client.get(f"/suggestions/{suggestion.pk}/").context["decision_form"]
    decision = {name: form.initial[name] for name in ("seen_fingerprint", "seen_version")}
    assert client.post(f"/suggestions/{suggestion.pk}/accept/", decision).status_code == 302
    return slug


WAYS = ["command", "upload", "paste", "direct edit", "suggestion", "new card"]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_accepted_metadata_means_the_same_on_the_json_view_and_exports_byte_for_byte(
    client, card, moderator, tmp_path, way, name
):
    text = ACCEPTED[name]
    slug = _accept_through(client, way, text, moderator, tmp_path)
    client.logout()
    data = _strict_json(client.get(f"/cards/{slug}.json"))
    expected = parse_card(text)
    assert data["metadata"] == expected.metadata
    assert data["readme"] == text and data["body"] == expected.body
    assert client.get(f"/cards/{slug}.md").content == text.encode("utf-8")
    if name == "coerced values":
        meta = data["metadata"]
        assert (meta["date"], meta["language"], meta["version"], meta["permissions"]) == (
            "2023-01-01",
            "no",
            "1.10",
            "0777",
        )
        assert meta["switches"] == ["yes", "No", "on", "OFF", "y", "n"]
    if name == "byte-order mark":
        assert data["metadata"] == {"license": "mit", "released": "2023-01-01", "language": "no"}
        assert data["body"] == "# With a BOM\n"
    if name in ("front matter not at the top", "horizontal rule first"):
        assert data["metadata"] == {}
