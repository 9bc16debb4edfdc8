"""The Hub's metadata rules: what the Hub refuses on push is refused, located; what it accepts is
accepted, with warnings shown in the editor, on the review page and in import_cards' output."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from modelcards.cardfile import CardFileError, card_warnings, parse_card
from modelcards.models import ModelCard, Suggestion
from modelcards.templatetags import card_warnings as card_warnings_tag
from modelcards.workflow import submit_suggestion
from tests.conftest import SAMPLE_README


def card(front_matter: str) -> str:
    return f"---\n{front_matter}---\n# Model\n\nText.\n"


def result(dataset: str = "", metric: str = "", extra: str = "") -> str:
    """A card with one model-index result; `dataset` and `metric` add lines (indented to fit)."""
    return card(
        "license: mit\n"
        "model-index:\n"
        "- name: my-model\n"
        "  results:\n"
        "  - task:\n"
        "      type: text-generation\n"
        "    dataset:\n"
        "      type: ai2_arc\n"
        "      name: AI2 ARC\n"
        f"{dataset}"
        "    metrics:\n"
        "    - type: accuracy\n"
        "      value: 0.61\n"
        f"{metric}"
        f"{extra}"
    )


def refusals(text: str) -> list[tuple[str, int | None, str]]:
    with pytest.raises(CardFileError) as caught:
        parse_card(text)
    return [(problem.field, problem.line, problem.message) for problem in caught.value.problems]


# What the Hub refuses on push is refused here, with the key path and the line ---------------------

REFUSED = [
    pytest.param(
        result(dataset="      config: 2019\n"),
        "model-index[0].results[0].dataset.config",
        11,
        "must be text, not a number",
        id="dataset config a number",
    ),
    pytest.param(
        result(dataset="      config:\n"),
        "model-index[0].results[0].dataset.config",
        11,
        "is empty, which the Hub refuses",
        id="dataset config left empty (Trainer's `config: null`)",
    ),
    pytest.param(
        result(dataset="      split: [test]\n"),
        "model-index[0].results[0].dataset.split",
        11,
        "must be text, not a list",
        id="dataset split a list",
    ),
    pytest.param(
        result(dataset="      revision: 5503434\n"),
        "model-index[0].results[0].dataset.revision",
        11,
        "must be text, not a number",
        id="dataset revision a number",
    ),
    pytest.param(
        result().replace("      name: AI2 ARC\n", '      name: ""\n'),
        "model-index[0].results[0].dataset.name",
        10,
        "is required and must be text",
        id="dataset name empty",
    ),
    pytest.param(
        result(metric="      name: 3\n"),
        "model-index[0].results[0].metrics[0].name",
        14,
        "must be text, not a number",
        id="metric name a number",
    ),
    pytest.param(
        result(metric="      config: null\n"),
        "model-index[0].results[0].metrics[0].config",
        14,
        "is empty, which the Hub refuses",
        id="metric config null",
    ),
    pytest.param(
        result(metric="      verified: 'yes'\n"),
        "model-index[0].results[0].metrics[0].verified",
        14,
        "must be true or false, not text",
        id="metric verified not a flag",
    ),
    pytest.param(
        result(metric="      verifyToken: 12\n"),
        "model-index[0].results[0].metrics[0].verifyToken",
        14,
        "must be text, not a number",
        id="metric verifyToken a number",
    ),
    pytest.param(
        result(extra="    source:\n      name: Open LLM Leaderboard\n"),
        "model-index[0].results[0].source.url",
        14,
        "is required and must be text",
        id="source without a url",
    ),
    pytest.param(
        result(extra="    source: https://example.org\n"),
        "model-index[0].results[0].source",
        14,
        "must be a source with a url, not text",
        id="source not a mapping",
    ),
    pytest.param(
        card("license: mit\nlanguage:\n- en\n- zh-CN\n"),
        "language[1]",
        5,
        "must only contain lowercase characters",
        id="language with capitals",
    ),
    pytest.param(
        card('license: mit\nbase_model: ""\n'),
        "base_model",
        3,
        "is empty, which the Hub refuses",
        id="base_model empty",
    ),
    pytest.param(
        card("license: mit\nbase_model: /home/me/checkpoints/llama\n"),
        "base_model",
        3,
        "the Hub refuses local paths",
        id="base_model a local path",
    ),
    pytest.param(
        card("license: mit\ndatasets:\n- librispeech_asr\n- librispeech 960h\n"),
        "datasets[1]",
        5,
        "names written in words",
        id="dataset named in words",
    ),
    pytest.param(
        card("license: mit\nwidget: Once upon a time\n"),
        "widget",
        3,
        "must be a list of examples",
        id="widget not a list",
    ),
    pytest.param(
        card("license: mit\nco2_eq_emissions:\n  source: code carbon\n"),
        "co2_eq_emissions.emissions",
        3,
        "is required",
        id="co2 without emissions",
    ),
    pytest.param(
        card("license: mit\nco2_eq_emissions:\n  emissions: a lot\n"),
        "co2_eq_emissions.emissions",
        4,
        "must be a number of grams, not text",
        id="co2 emissions not a number",
    ),
    pytest.param(
        card("license: mit\nnew_version: 2\n"),
        "new_version",
        3,
        "must be text, not a number",
        id="new_version a number",
    ),
    pytest.param(
        card("license: mit\nextra_gated_fields: [Name, Country]\n"),
        "extra_gated_fields",
        3,
        "must be a mapping of field names",
        id="gated fields not a mapping",
    ),
    pytest.param(
        card("license: other\nlicense_name: 3\nlicense_link: LICENSE\n"),
        "license_name",
        3,
        "must be text, not a number",
        id="license_name a number",
    ),
]


@pytest.mark.parametrize(("text", "field", "line", "message"), REFUSED)
def test_what_the_hub_refuses_is_refused_with_a_located_message(text, field, line, message):
    found = refusals(text)
    assert [(problem[0], problem[1]) for problem in found] == [(field, line)]
    assert message in found[0][2]


def test_a_metric_needs_a_value_key():
    text = result().replace("      value: 0.61\n", "")
    assert refusals(text) == [
        (
            "model-index[0].results[0].metrics[0].value",
            12,
            "is required: the metric's result, such as 0.93",
        )
    ]


def test_every_refusal_in_a_model_index_is_listed_at_once():
    text = result(dataset="      config: null\n      split: 1\n      revision: []\n")
    assert [(field, line) for field, line, _message in refusals(text)] == [
        ("model-index[0].results[0].dataset.config", 11),
        ("model-index[0].results[0].dataset.split", 12),
        ("model-index[0].results[0].dataset.revision", 13),
    ]


# What the Hub accepts is accepted; some of it with a warning ---------------------------------------

WARNED = [
    pytest.param(
        card("license: other\n"),
        [("license_name", 2), ("license_link", 2)],
        "the Hub accepts license 'other' without it",
        id="license other alone",
    ),
    pytest.param(
        card("license: other\nlicense_name: llama3\n"),
        [("license_link", 2)],
        "readers cannot tell which licence applies",
        id="license other without a link",
    ),
    pytest.param(
        result(metric="      name: Accuracy\n").replace("value: 0.61", "value:"),
        [("model-index[0].results[0].metrics[0].value", 13)],
        "the Hub accepts a metric without a value",
        id="metric value empty",
    ),
    pytest.param(
        card("license: mit\nlanguage: english\n"),
        [("language", 3)],
        "is not an ISO 639-1, 639-2 or 639-3 code",
        id="language written in words",
    ),
    pytest.param(
        card("license: mit\nbase_model: https://huggingface.co/org/model\n"),
        [("base_model", 3)],
        "does not look like a Hub model id",
        id="base_model a URL",
    ),
    pytest.param(
        result(dataset="      args: [en, '20220301']\n"),
        [("model-index[0].results[0].dataset.args", 11)],
        "may refuse this",
        id="dataset args a list",
    ),
    pytest.param(
        card("license: mit\nbase_model: org/base\nbase_model_relation: distilled\n"),
        [("base_model_relation", 4)],
        "is not one of 'adapter', 'merge', 'quantized', 'finetune'",
        id="unknown base model relation",
    ),
    pytest.param(
        card("license: mit\nwidget:\n- Once upon a time\n"),
        [("widget[0]", 4)],
        "a mapping such as `text: ...`",
        id="widget example not a mapping",
    ),
    pytest.param(
        card("license: mit\nreleased: 2024-13-45\n"),
        [("released", 3)],
        "'2024-13-45' is written like a date but names no real day or time, so it is kept as text",
        id="a date YAML cannot build",
    ),
]


@pytest.mark.parametrize(("text", "located", "message"), WARNED)
def test_what_the_hub_accepts_is_accepted_some_with_a_located_warning(text, located, message):
    warnings = parse_card(text).warnings
    assert [(warning.field, warning.line) for warning in warnings] == located
    assert all(warning.severity == "warning" for warning in warnings)
    assert message in warnings[0].message


def test_warnings_come_with_errors_when_a_card_is_refused_for_something_else():
    with pytest.raises(CardFileError) as caught:
        parse_card(card("license: other\nwidget: 3\n"))
    assert [problem.field for problem in caught.value.problems] == ["widget"]
    assert [warning.field for warning in caught.value.warnings] == ["license_name", "license_link"]
    assert [warning.field for warning in card_warnings(card("license: other\nwidget: 3\n"))] == [
        "license_name",
        "license_link",
    ]


ACCEPTED = [
    pytest.param(
        result(
            dataset="      config: ARC-Challenge\n      split: test\n      revision: 5503434d\n"
            "      args:\n        num_few_shot: 25\n",
            metric="      name: normalized accuracy\n      verified: false\n      verifyToken: eyJhbGciOi\n",
            extra="    source:\n      url: https://huggingface.co/spaces/open-llm-leaderboard/open_llm_leaderboard\n"
            "      name: Open LLM Leaderboard\n",
        ),
        id="an Open LLM Leaderboard result, numbers among its args",
    ),
    pytest.param(result(dataset="      args: 'config: hi, split: test'\n"), id="args as text"),
    pytest.param(
        result().replace("    dataset:\n      type: ai2_arc\n      name: AI2 ARC\n", ""), id="no dataset"
    ),
    pytest.param(card("license: mit\nlanguage: [en, fr, code, multilingual, tum]\n"), id="language codes"),
    pytest.param(card("license: mit\nlanguage:\n"), id="a top-level key left empty"),
    pytest.param(card("license: mit\nbase_model: [mistralai/Mistral-7B-v0.1, gpt2]\n"), id="base models"),
    pytest.param(card("license: mit\nco2_eq_emissions: 1.2345\n"), id="co2 as grams"),
    pytest.param(card("license: mit\nco2_eq_emissions:\n  emissions: 1e3\n  source: paper\n"), id="co2 map"),
    pytest.param(
        card("license: mit\nreleased: 2024-01-02\nchecked: '2024-13-45'\n"), id="real or quoted date"
    ),
    pytest.param(card("license: mit\nwidget:\n- text: Hello\n  example_title: Greeting\n"), id="widget"),
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_what_the_hub_accepts_is_accepted_without_warnings(text):
    assert parse_card(text).warnings == ()


# A date YAML cannot build --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written", ["2024-13-45", "2024-02-30", "2023-02-29T10:00:00Z", "2024-01-01 25:00:00", "0000-01-01"]
)
def test_a_date_yaml_cannot_build_stays_the_text_written_with_a_warning(written):
    text = card(f"license: mit\nreleased: {written}\ndates:\n- {written}\n{written}: key\n")
    parsed = parse_card(text)
    assert parsed.metadata["released"] == written and parsed.metadata["dates"] == [written]
    assert parsed.metadata[written] == "key"
    assert [(warning.field, warning.line) for warning in parsed.warnings] == [
        ("released", 3),
        ("dates[0]", 5),
        (written, 6),
    ]


def test_a_date_yaml_cannot_build_is_warned_about_in_flow_style_too():
    parsed = parse_card(card("license: mit\ndates: [2024-13-45, '2024-13-46', 2024-12-31]\n"))
    assert parsed.metadata["dates"] == ["2024-13-45", "2024-13-46", "2024-12-31"]
    assert [(warning.field, warning.line) for warning in parsed.warnings] == [("dates[0]", 3)]


@pytest.mark.django_db
def test_a_bad_date_is_shown_as_the_text_written_never_as_a_date(client, make_card):
    text = result().replace("value: 0.61", "value: 2024-13-45")
    made = make_card(slug="dated", text=text)
    assert made.metadata["model-index"][0]["results"][0]["metrics"][0]["value"] == "2024-13-45"
    page = client.get("/cards/dated/").content.decode()
    assert "<td>2024-13-45</td>" in page
    assert "2025-02-14" not in page  # what JavaScript's Date makes of it
    assert client.get("/cards/dated.md").content.decode() == text
    assert '"value": "2024-13-45"' in client.get("/cards/dated.json").content.decode()


# Warnings are shown: import_cards, the editor, the review page -------------------------------------

# Shaped like a real Hub card whose licence is custom: `license: other` and nothing more, gating
# fields, and evaluation results as the Open LLM Leaderboard writes them.
REAL_SHAPED_CARD = """---
language:
- en
license: other
library_name: transformers
tags:
- facebook
- meta
- llama
pipeline_tag: text-generation
extra_gated_prompt: You agree to the licence below.
extra_gated_fields:
  First Name: text
  Country: country
  I accept the terms: checkbox
extra_gated_button_content: Submit
model-index:
- name: Some-Llama-8B-Instruct
  results:
  - task:
      type: text-generation
      name: Text Generation
    dataset:
      name: AI2 Reasoning Challenge (25-Shot)
      type: ai2_arc
      config: ARC-Challenge
      split: test
      args:
        num_few_shot: 25
    metrics:
    - type: acc_norm
      value: 60.75
      name: normalized accuracy
    source:
      url: https://huggingface.co/spaces/open-llm-leaderboard/open_llm_leaderboard
      name: Open LLM Leaderboard
---

## Model Details

Some Llama, fine-tuned.
"""


def run_import(*args) -> str:
    out = io.StringIO()
    call_command("import_cards", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_a_real_card_with_licence_other_alone_imports_and_says_its_warnings(tmp_path):
    folder = tmp_path / "some-llama"
    folder.mkdir()
    (folder / "README.md").write_text(REAL_SHAPED_CARD, encoding="utf-8")
    (tmp_path / "plain.md").write_text(SAMPLE_README, encoding="utf-8")
    lines = run_import(str(tmp_path)).splitlines()
    assert sorted(lines) == [
        "plain: created",
        "some-llama: created (2 warnings: line 4: license_name: is not given: the Hub accepts license "
        "'other' without it, but readers cannot tell which licence applies; add a short name for the "
        "licence, such as 'llama3'; line 4: license_link: is not given: the Hub accepts license 'other' "
        "without it, but readers cannot tell which licence applies; add an http(s) URL of the licence "
        "text, or a repository file such as LICENSE.md)",
    ]
    imported = ModelCard.objects.get(slug="some-llama")
    assert imported.text == REAL_SHAPED_CARD and imported.license == "other"
    again = run_import(str(folder / "README.md"))
    assert again.startswith("some-llama: unchanged (2 warnings: line 4: license_name: ")


@pytest.mark.django_db
def test_import_says_one_warning_in_the_singular_and_a_refusal_without_warnings(tmp_path):
    (tmp_path / "one.md").write_text(card("license: other\nlicense_name: acme\n"), encoding="utf-8")
    (tmp_path / "bad.md").write_text(card("license: other\nwidget: 3\n"), encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_cards", str(tmp_path), stdout=out, stderr=io.StringIO())
    assert sorted(out.getvalue().splitlines()) == [
        "bad: refused: line 3: widget: must be a list of examples, not a number",
        "one: created (1 warning: line 2: license_link: is not given: the Hub accepts license 'other' "
        "without it, but readers cannot tell which licence applies; add an http(s) URL of the licence "
        "text, or a repository file such as LICENSE.md)",
    ]


OTHER_ALONE = SAMPLE_README.replace("license: apache-2.0", "license: other")


@pytest.mark.django_db
def test_the_editor_shows_warnings_after_a_preview_not_before(client, card, user):
    client.force_login(user)
    assert "data-metadata-warnings" not in client.get("/cards/sample/suggest/").content.decode()
    data = {"mode": "raw", "text": OTHER_ALONE, "base_version": 1, "summary": "Licence", "preview": "1"}
    page = client.post("/cards/sample/suggest/", data).content.decode()
    assert "data-metadata-warnings" in page and "2 metadata warnings" in page
    assert "Line 2: <code>license_name</code> is not given" in page
    assert "Line 2: <code>license_link</code> is not given" in page


@pytest.mark.django_db
def test_the_editor_shows_warnings_beside_the_errors_of_a_refused_submission(client, card, user):
    client.force_login(user)
    text = OTHER_ALONE.replace("library_name: transformers", "library_name: [transformers]")
    data = {"mode": "raw", "text": text, "base_version": 1, "summary": "Licence", "submit": "1"}
    response = client.post("/cards/sample/suggest/", data)
    assert response.status_code == 400 and not Suggestion.objects.exists()
    page = response.content.decode()
    assert "library_name: must be text such as" in page
    assert "2 metadata warnings" in page and "<code>license_link</code>" in page


@pytest.mark.django_db
def test_a_moderators_direct_edit_shows_warnings_after_a_preview(client, card, moderator):
    client.force_login(moderator)
    data = {"mode": "raw", "text": OTHER_ALONE, "base_version": 1, "summary": "Licence", "preview": "1"}
    page = client.post("/cards/sample/edit/", data).content.decode()
    assert "2 metadata warnings" in page


@pytest.mark.django_db
def test_the_review_page_shows_a_suggestions_warnings_found_once(client, card, user, moderator, monkeypatch):
    suggestion = submit_suggestion(
        card=card, text=OTHER_ALONE, summary="Custom licence", base_version=1, author=user
    )
    calls = []
    original = card_warnings_tag.card_warnings
    monkeypatch.setattr(card_warnings_tag, "card_warnings", lambda text: calls.append(1) or original(text))
    client.force_login(moderator)
    for _view in range(2):
        page = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
        assert "2 metadata warnings" in page
        assert "Line 2: <code>license_name</code> is not given" in page
    assert len(calls) == 1  # cached by content
    client.logout()
    client.force_login(user)
    assert "2 metadata warnings" in client.get(f"/suggestions/{suggestion.pk}/").content.decode()


@pytest.mark.django_db
def test_a_suggestion_without_warnings_shows_none(client, card, user, moderator):
    text = SAMPLE_README + "\nMore.\n"
    suggestion = submit_suggestion(card=card, text=text, summary="More", base_version=1, author=user)
    client.force_login(moderator)
    assert "data-metadata-warnings" not in client.get(f"/suggestions/{suggestion.pk}/").content.decode()
