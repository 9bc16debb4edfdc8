"""The plain-language summary: stored under `modelcardcommons.summary`, shown first on the card page,
exported with the README.md, edited through suggestions in the guided editor with a length limit
and a readability hint."""

import json
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from modelcards.cardfile import parse_card, parse_or_problems
from modelcards.models import ModelCard, Suggestion
from modelcards.openness.record import MAX_SUMMARY_CHARS
from modelcards.readability import hint, measure
from modelcards.workflow import accept_suggestion
from tests.conftest import SAMPLE_README
from tests.test_editor import guided_post

pytestmark = pytest.mark.django_db

SUMMARY = (
    "Writes English text from a prompt. Trained on web pages, so it repeats their biases. "
    "Scores 71% on HellaSwag; it makes up facts & <sources>."
)
WITH_SUMMARY = SAMPLE_README.replace(
    "library_name: transformers\n",
    f"library_name: transformers\nmodelcardcommons:\n  summary: '{SUMMARY}'\n",
)


def test_the_summary_is_shown_first_on_the_card_page_escaped(client, make_card):
    make_card(text=WITH_SUMMARY.replace("<sources>", "<script>alert(1)</script> **bold**"))
    html = client.get("/cards/sample/").content.decode()
    assert "Plain-language summary" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **bold**" in html and "<script>alert" not in html
    shown = html.index("Writes English text from a prompt.")
    assert html.index("<h1>") < shown < html.index("openness-panel") and shown < html.index("card-body")
    assert "what the model predicts, about whom, how well, and where it fails" in html


def test_a_card_without_a_summary_invites_one_through_the_suggest_editor(client, card):
    html = client.get("/cards/sample/").content.decode()
    assert "no plain-language summary yet" in html
    assert 'href="/cards/sample/suggest/#id_meta-plain_summary">Suggest one</a>' in html


def test_the_summary_travels_with_the_readme_and_json_exports_byte_for_byte(client, tmp_path):
    folder = tmp_path / "in" / "summarised"
    folder.mkdir(parents=True)
    (folder / "README.md").write_bytes(WITH_SUMMARY.encode())
    call_command("import_cards", str(tmp_path / "in"), stdout=StringIO(), stderr=StringIO())
    assert client.get("/cards/summarised.md").content == WITH_SUMMARY.encode()
    assert client.get("/cards/summarised.json").json()["metadata"]["modelcardcommons"]["summary"] == SUMMARY
    call_command("export_cards", "--out", str(tmp_path / "out"), stdout=StringIO(), stderr=StringIO())
    assert (tmp_path / "out" / "summarised" / "README.md").read_bytes() == WITH_SUMMARY.encode()


def test_a_summary_over_the_limit_is_refused_everywhere_with_the_limit_named():
    too_long = "word " * 130
    text = SAMPLE_README.replace(
        "library_name: transformers\n", f"library_name: x\nmodelcardcommons:\n  summary: {too_long}\n"
    )
    card_file, problems = parse_or_problems(text)
    assert card_file is None
    assert any(f"at most {MAX_SUMMARY_CHARS} characters" in problem for problem in problems)
    wrong_type = SAMPLE_README.replace(
        "library_name: transformers\n", "modelcardcommons:\n  summary: [a, b]\n"
    )
    assert "modelcardcommons.summary: must be text" in " ".join(parse_or_problems(wrong_type)[1])


def test_suggesting_an_over_long_summary_in_the_guided_editor_is_refused_beside_the_field(client, card):
    response = client.post(
        "/cards/sample/suggest/", guided_post(**{"meta-plain_summary": "x" * 601, "submit": "1"})
    )
    assert response.status_code == 400
    problems = " ".join(response.context["editor"].field_problems["plain_summary"])
    assert "is 601 characters; a plain-language summary may have at most 600 characters" in problems
    assert response.context["editor"].guided_form["plain_summary"].value() == "x" * 601  # kept to shorten
    assert "601 of 600 characters: 1 too many" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_suggesting_an_over_long_summary_in_raw_mode_is_refused_with_the_limit(client, card):
    text = SAMPLE_README.replace(
        "library_name: transformers\n", f"modelcardcommons:\n  summary: {'y' * 700}\n"
    )
    response = client.post(
        "/cards/sample/suggest/",
        {"mode": "raw", "text": text, "summary": "s", "base_version": 1, "submit": "1"},
    )
    assert response.status_code == 400
    assert "at most 600 characters" in response.content.decode()


def test_the_guided_editor_has_a_summary_field_with_its_limit_and_a_readability_hint(client, make_card):
    make_card(text=WITH_SUMMARY)
    html = client.get("/cards/sample/suggest/").content.decode()
    assert 'name="meta-plain_summary"' in html and 'data-summary-limit="600"' in html
    assert 'aria-describedby="id_meta-plain_summary_helptext id_meta-plain_summary_hint"' in html
    assert f'id="id_meta-plain_summary_hint" data-summary-hint>{hint(SUMMARY, limit=600)}' in html.replace(
        "&#x27;", "'"
    )
    assert html.index('name="meta-plain_summary"') < html.index('name="meta-license"')


def test_the_preview_without_javascript_shows_the_hint_for_the_typed_summary(client, card):
    typed = "Sorts e-mail into spam or not. It misses one spam in ten."
    response = client.post(
        "/cards/sample/suggest/", guided_post(**{"meta-plain_summary": typed, "preview": "1"})
    )
    assert response.status_code == 200
    assert "57 of 600 characters · 2 sentences, 6 words each on average" in response.content.decode()


def test_a_summary_suggested_in_the_guided_editor_is_accepted_and_exported_byte_for_byte(
    client, card, user, moderator
):
    client.force_login(user)
    typed = "Sorts e-mail into spam or not.\r\nIt misses one spam in ten."
    data = guided_post(**{"meta-plain_summary": typed, "submit": "1"})
    assert client.post("/cards/sample/suggest/", data).status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.text.startswith(
        SAMPLE_README[: SAMPLE_README.index("model-index")]
    )  # the rest untouched
    assert suggestion.text.endswith(SAMPLE_README[SAMPLE_README.index("---\n# Sample") :])
    accept_suggestion(suggestion, reviewer=moderator)
    card = ModelCard.objects.get()
    assert (
        card.metadata["modelcardcommons"]["summary"]
        == "Sorts e-mail into spam or not.\nIt misses one spam in ten."
    )
    assert client.get("/cards/sample.md").content == suggestion.text.encode()
    assert parse_card(card.text).text == card.text
    # Editing another field keeps the summary's lines as they are, and the form shows it again.
    client.force_login(moderator)
    page = client.get("/cards/sample/suggest/")
    assert (
        page.context["editor"].guided_form["plain_summary"].value()
        == card.metadata["modelcardcommons"]["summary"]
    )
    again = guided_post(
        text=card.text,
        **{"meta-plain_summary": card.metadata["modelcardcommons"]["summary"], "license": "mit"},
    )
    preview = json.loads(client.post("/preview/", again).content)
    assert preview["text"] == card.text.replace("license: apache-2.0", "license: mit")


def test_clearing_the_summary_removes_the_key_and_a_client_without_the_field_keeps_it(client, make_card):
    make_card(text=WITH_SUMMARY)
    card_text = ModelCard.objects.get().text
    cleared = json.loads(
        client.post("/preview/", guided_post(text=card_text, **{"meta-plain_summary": ""})).content
    )
    assert "modelcardcommons" not in cleared["text"] and cleared["guided"]["plain_summary"] == ""
    untouched = json.loads(client.post("/preview/", guided_post(text=card_text)).content)
    assert untouched["text"] == card_text


def test_the_live_preview_places_the_summarys_problems_on_its_field(client, card):
    data = json.loads(client.post("/preview/", guided_post(**{"meta-plain_summary": "z" * 650})).content)
    problem = next(p for p in data["problems"] if "600 characters" in p["message"])
    assert problem["field"] == "plain_summary" and problem["severity"] == "error"


def test_the_summary_does_not_count_in_completeness(make_card):
    assert make_card(slug="with", text=WITH_SUMMARY).completeness == make_card(slug="without").completeness


def test_readability_figures():
    found = measure("Short words here. Extraordinarily lengthy vocabulary appears!")
    assert (found.words, found.sentences, found.long_words) == (7, 2, 4)
    assert (found.words_per_sentence, found.long_word_percent, found.lix) == (4, 57, 61)
    assert found.band == "very hard"
    assert hint("", limit=600) == "0 of 600 characters"


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the editor's script")
def test_the_editor_script_and_the_server_give_the_same_hint(tmp_path):
    texts = [
        "",
        "Predicts the next word.",
        "Classifies chest X-rays of adults. Right 9 times in 10! Fails on children's scans?\n\nDon't use it.",
        "中文模型 🤗 测试。还有。",
        "a" * 700,
        "Über façade – “quotes” — state-of-the-art multilingual  ...  end",
        "One\r\ntwo three.\r\n\r\nFour",
    ]
    source = (Path(__file__).resolve().parent.parent / "static" / "js" / "editor.js").read_text()
    start, end = source.index("  var WORD ="), source.index("  function showSummaryHint")
    script = tmp_path / "hint.js"
    call = "function (t) { return summaryFigures(t, 600).text; }"
    printed = f"\nconsole.log(JSON.stringify({json.dumps(texts)}.map({call})));\n"
    script.write_text(source[start:end] + printed)
    result = subprocess.run(["node", str(script)], capture_output=True, text=True, check=True)  # noqa: S603, S607
    assert json.loads(result.stdout) == [hint(text, limit=600) for text in texts]
