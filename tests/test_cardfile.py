"""README.md parsing: byte-exact text, safe and located YAML refusals, the Hub's rules, and sections."""

import json
from pathlib import Path

import hypothesis
import markdown
import pytest
import yaml
from hypothesis import strategies as st

from modelcards import cardfile
from modelcards.cardfile import (
    MAX_DEPTH,
    MAX_FRONT_MATTER_BYTES,
    MAX_LIST_ITEMS,
    CardFile,
    CardFileError,
    Problem,
    normalise_newlines,
    parse_card,
    replace_section,
    split_sections,
)
from modelcards.headings import find_headings  # the scanner behind both title and sections

DEMO_CARDS = sorted(
    (Path(__file__).resolve().parent.parent / "modelcards" / "demo_cards").glob("*/README.md")
)

HUB_CARD = """---
license: apache-2.0
language:
- en
- fr
- no
tags:
- text-generation
- llama
datasets:
- allenai/c4
- HuggingFaceFW/fineweb
metrics:
- accuracy
base_model: meta-llama/Llama-2-7b-hf
library_name: transformers
pipeline_tag: text-generation
co2_eq_emissions:
  emissions: 24.5
  source: "ML CO2 impact calculator"
  training_type: pre-training
  geographical_location: France
  hardware_used: 8 A100 GPUs
widget:
- text: "Once upon a time"
model-index:
- name: demo-7b
  results:
  - task:
      type: text-generation
      name: Text Generation
    dataset:
      type: hellaswag
      name: HellaSwag
      split: validation
      args:
        num_few_shot: 10
    metrics:
    - type: acc_norm
      value: 78.59
      name: normalized accuracy
    source:
      url: https://huggingface.co/spaces/open-llm-leaderboard/open_llm_leaderboard
      name: Open LLM Leaderboard
---

# Demo **7B**

A model card.

## Model details

Details.

## Uses

```python
## not a heading: a comment in code
print("hi")
```

## Evaluation

| Task | Score |
|------|-------|
| HellaSwag | 78.59 |
"""


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(CardFileError) as caught:
        parse_card(text)
    return caught.value.problems


# Byte-exact text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        HUB_CARD,
        HUB_CARD.replace("\n", "\r\n"),
        "\ufeff" + HUB_CARD,
        "\ufeff# Title only, no front matter\n",
        "---\nlicense: mit\n---\n# Trailing spaces   \n\ttabbed  \n\n\n",
        "---\nlicense: mit\n---\nno trailing newline",
        "---\r\nlicense: mit\r\n---\r\nold Mac line ends\rstay as they are\r",
        "",
    ],
)
def test_parsing_keeps_the_text_byte_for_byte(text):
    card = parse_card(text)
    assert card.text is text
    assert text.endswith(card.body)
    assert card.text.encode("utf-8") == text.encode("utf-8")


def test_crlf_file_read_from_disk_keeps_its_line_ends(tmp_path):
    path = tmp_path / "README.md"
    path.write_bytes(HUB_CARD.replace("\n", "\r\n").encode("utf-8"))
    text = path.read_bytes().decode("utf-8")
    card = parse_card(text)
    assert card.text.encode("utf-8") == path.read_bytes()
    assert card.metadata["license"] == "apache-2.0"
    assert card.body.startswith("\r\n# Demo")
    assert [section.title for section in split_sections(text)] == ["Model details", "Uses", "Evaluation"]


def test_front_matter_after_a_byte_order_mark_is_still_front_matter():
    text = "\ufeff---\nlicense: mit\n---\n# Title\n"
    card = parse_card(text)
    assert card.metadata == {"license": "mit"}
    assert card.text[0] == "\ufeff"
    assert card.body == "# Title\n"
    assert card.body_offset_line == 4


def test_a_card_without_front_matter_is_all_body():
    text = "# Just Markdown\n\n---\n\nlicense: mit\n"
    card = parse_card(text)
    assert card.metadata == {}
    assert card.body == text
    assert card.body_offset_line == 1


def test_front_matter_not_at_the_very_top_is_body_text():
    text = "\n---\nlicense: mit\n---\n"
    card = parse_card(text)
    assert card.metadata == {}
    assert card.body == text


def test_empty_front_matter_is_an_empty_mapping():
    card = parse_card("---\n---\n# Title\n")
    assert card.metadata == {}
    assert card.body == "# Title\n"
    assert card.body_offset_line == 3


def test_body_offset_line_counts_every_kind_of_line_end():
    card = parse_card("---\r\nlicense: mit\rtags: [a]\n---\nbody")
    assert card.body_offset_line == 5
    assert card.body == "body"


def test_normalise_newlines_turns_crlf_and_lone_cr_into_lf():
    assert normalise_newlines("a\r\nb\rc\n") == "a\nb\nc\n"


# A realistic card ------------------------------------------------------------------------------


def test_a_realistic_hub_card_parses_into_json_safe_metadata():
    card = parse_card(HUB_CARD)
    assert isinstance(card, CardFile)
    meta = card.metadata
    assert meta["license"] == "apache-2.0"
    assert meta["language"] == ["en", "fr", "no"]
    assert meta["tags"] == ["text-generation", "llama"]
    assert meta["co2_eq_emissions"]["emissions"] == 24.5
    assert meta["model-index"][0]["results"][0]["metrics"][0]["value"] == 78.59
    assert meta["model-index"][0]["results"][0]["dataset"]["args"] == {"num_few_shot": 10}
    assert meta["widget"] == [{"text": "Once upon a time"}]
    assert card.warnings == ()
    assert json.loads(json.dumps(meta, allow_nan=False)) == meta
    assert card.title == "Demo 7B"


@pytest.mark.parametrize("path", DEMO_CARDS, ids=lambda path: path.parent.name)
def test_every_demo_card_parses_without_errors(path):
    text = path.read_bytes().decode("utf-8")
    card = parse_card(text)
    assert card.title
    assert split_sections(text)
    json.dumps(card.metadata, allow_nan=False)


# Values YAML 1.1 would change ------------------------------------------------------------------

COERCION_CARD = """---
license: mit
language: no
also_norwegian: NO
switches: [yes, No, on, OFF, y, n]
date: 2023-01-01
timestamp: 2023-01-01T10:00:00Z
version: 1.10
exponent: 1e3
half: .5
permissions: 0777
hex: 0x1F
octal: 0o17
duration: 1:20
underscored: 1_000
plus: +12
float: 0.93
integer: 42
negative: -7
truth: true
falsehood: False
nothing: ~
empty:
quoted: "true"
---
"""


def test_values_keep_their_meaning_and_only_true_and_false_are_booleans():
    meta = parse_card(COERCION_CARD).metadata
    assert meta["language"] == "no"
    assert meta["also_norwegian"] == "NO"
    assert meta["switches"] == ["yes", "No", "on", "OFF", "y", "n"]
    assert meta["date"] == "2023-01-01"
    assert meta["timestamp"] == "2023-01-01T10:00:00Z"
    assert meta["version"] == "1.10"
    assert meta["exponent"] == "1e3"
    assert meta["half"] == ".5"
    assert meta["permissions"] == "0777"
    assert meta["hex"] == "0x1F"
    assert meta["octal"] == "0o17"
    assert meta["duration"] == "1:20"
    assert meta["underscored"] == "1_000"
    assert meta["plus"] == "+12"
    assert meta["float"] == 0.93
    assert meta["integer"] == 42 and meta["negative"] == -7
    assert meta["truth"] is True and meta["falsehood"] is False
    assert meta["nothing"] is None and meta["empty"] is None
    assert meta["quoted"] == "true"
    json.dumps(meta, allow_nan=False)


# Refusals, each with its line ------------------------------------------------------------------

REFUSALS = [
    ("invalid YAML", "---\nlicense: mit\ntags: [a, b\n---\n", 4, "invalid YAML"),
    ("bad indentation", "---\nlicense: mit\n  tags: x\n---\n", 3, "invalid YAML"),
    ("tab indentation", "---\nlicense: mit\ntags:\n\t- a\n---\n", 4, "invalid YAML"),
    ("two documents", "---\nlicense: mit\n...\n--- \nb: 1\n---\n", 4, "invalid YAML"),
    ("metadata is a list", "---\n- license\n- mit\n---\n", 2, "must be a mapping"),
    ("metadata is a scalar", "---\n\njust some words\n---\n", 3, "must be a mapping"),
    ("duplicate key", "---\nlicense: mit\ntags: [a]\nlicense: apache-2.0\n---\n", 4, "first given on line 2"),
    (
        "duplicate nested key",
        "---\nlicense: mit\nco2_eq_emissions:\n  emissions: 1\n  emissions: 2\n---\n",
        5,
        "duplicate key",
    ),
    ("anchor", "---\nlicense: mit\nbase: &common x\n---\n", 3, "anchors"),
    ("alias", "---\nlicense: mit\na: x\nb: *common\n---\n", 4, "aliases"),
    ("merge key", "---\nlicense: mit\nb:\n  <<: {x: 1}\n---\n", 4, "merge keys"),
    ("python object tag", "---\nlicense: mit\nx: !!python/object/apply:os.system [ls]\n---\n", 3, "!!python"),
    ("binary tag", "---\nlicense: mit\nx: !!binary aGk=\n---\n", 3, "'!!binary'"),
    ("set tag", "---\nlicense: mit\nx: !!set {a, b}\n---\n", 3, "'!!set'"),
    ("str tag", "---\nlicense: mit\nx: !!str 1\n---\n", 3, "'!!str'"),
    ("local tag", "---\nlicense: mit\nx: !foo bar\n---\n", 3, "'!foo'"),
    ("infinity", "---\nlicense: mit\nscore: .inf\n---\n", 3, "not a finite number"),
    ("negative infinity", "---\nlicense: mit\nscore: -.Inf\n---\n", 3, "not a finite number"),
    ("not a number", "---\nlicense: mit\nscore: .NaN\n---\n", 3, "not a finite number"),
    ("overflowing float", "---\nlicense: mit\nscore: 1e999\n---\n", 3, "not a finite number"),
    ("integer past 2**53", "---\nlicense: mit\nsteps: 9007199254740993\n---\n", 3, "too large"),
    ("integer with 5000 digits", "---\nlicense: mit\nsteps: " + "9" * 5000 + "\n---\n", 3, "too large"),
    ("integer key", "---\nlicense: mit\n2023: good year\n---\n", 3, "keys must be text"),
    ("boolean key", "---\nlicense: mit\ntrue: x\n---\n", 3, "keys must be text"),
    ("null key", "---\nlicense: mit\n~: x\n---\n", 3, "keys must be text"),
    ("list key", "---\nlicense: mit\n? [a, b]\n: x\n---\n", 3, "keys must be text"),
    (
        "deep block nesting",
        "---\nlicense: mit\n" + "".join("  " * n + f"k{n}:\n" for n in range(12)) + "---\n",
        13,  # k0's value is the second level, so the mapping at k10 is the eleventh
        "too deep",
    ),
    ("deep flow nesting", "---\nlicense: mit\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n", 3, "too deep"),
    ("long list", "---\nlicense: mit\ntags:\n" + "- t\n" * (MAX_LIST_ITEMS + 1) + "---\n", 4, "at most"),
    ("control character in YAML", "---\nlicense: mit\nname: a\x07b\n---\n", 3, "U+0007"),
    ("NUL in the body", "---\nlicense: mit\n---\n# Title\n\nsome\x00text\n", 6, "NUL"),
    ("lone surrogate", "# Title\n\ntext \ud83d here\n", 3, "unpaired surrogate"),
    (
        "unclosed front matter",
        "---\nlicense: mit\n# Title\n",
        1,
        "front matter opened on line 1 but never closed",
    ),
    ("only an opening line", "---", 1, "never closed"),
]


@pytest.mark.parametrize(
    ("text", "line", "words"), [case[1:] for case in REFUSALS], ids=[case[0] for case in REFUSALS]
)
def test_unsafe_or_unreadable_metadata_is_refused_at_its_line(text, line, words):
    problems = problems_of(text)
    assert any(problem.line == line and words in problem.message for problem in problems), problems
    assert all(problem.severity == "error" for problem in problems)


def test_refusal_lines_count_from_the_top_of_the_whole_file_after_a_bom_and_crlf():
    problems = problems_of("\ufeff---\r\nlicense: mit\r\n\r\nx: !!binary aGk=\r\n---\r\n")
    assert [(problem.line, problem.field) for problem in problems] == [(4, "front matter")]


def test_a_problem_reads_as_line_field_and_message():
    problem = problems_of("---\nlicense: foo\n---\n")[0]
    assert str(problem).startswith("line 2: license: 'foo' is not a licence identifier the Hub accepts")


def test_an_alias_is_never_expanded():
    bomb = "---\nlicense: mit\na: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n---\n"
    problems = problems_of(bomb)
    assert sum("aliases" in problem.message for problem in problems) == 6
    assert sum("anchors" in problem.message for problem in problems) == 2


def test_a_card_over_the_size_limit_is_refused_with_its_size(settings):
    settings.MODELCARDS_MAX_CARD_BYTES = 100
    problems = problems_of("# Title\n\n" + "é" * 60)
    assert problems == [Problem("text", "the card is 129 bytes; a card may be at most 100 bytes", None)]
    assert str(problems[0]) == "text: the card is 129 bytes; a card may be at most 100 bytes"


def test_a_front_matter_over_its_own_limit_is_refused_before_it_is_read():
    text = "---\nlicense: mit\ndescription: " + "x" * MAX_FRONT_MATTER_BYTES + "\n---\n"
    problems = problems_of(text)
    assert len(problems) == 1 and "the metadata is" in problems[0].message


def test_nesting_up_to_the_limit_is_accepted():
    nested = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)  # under the top-level mapping
    expected: list = []
    for _ in range(MAX_DEPTH - 2):
        expected = [expected]
    assert parse_card(f"---\nlicense: mit\nx: {nested}\n---\n").metadata["x"] == expected


def test_a_list_at_the_limit_is_accepted():
    card = parse_card("---\nlicense: mit\nlanguage:\n" + "- en\n" * MAX_LIST_ITEMS + "---\n")
    assert len(card.metadata["language"]) == MAX_LIST_ITEMS


def test_every_problem_is_reported_not_just_the_first():
    text = "---\nlicense: not-a-licence\ntags: {a: 1}\nlibrary_name: [transformers]\n---\n# Title\n"
    problems = problems_of(text)
    assert [(problem.line, problem.field) for problem in problems] == [
        (2, "license"),
        (3, "tags"),
        (4, "library_name"),
    ]


def test_yaml_refusals_and_hub_rules_are_reported_together():
    text = "---\nlicense: mitt\nx: !!binary aGk=\nlicense_link: 3\n---\n"
    problems = problems_of(text)
    assert [problem.line for problem in problems] == [2, 3, 4]
    assert "did you mean 'mit'?" in problems[0].message


# The Hub's rules -------------------------------------------------------------------------------


def test_an_unknown_licence_suggests_close_matches():
    (problem,) = problems_of("---\nlicense: apache-2\n---\n")
    assert problem.field == "license"
    assert problem.line == 2
    assert "'apache-2.0'" in problem.message


def test_licence_ids_match_exactly_as_on_the_hub():
    (problem,) = problems_of("---\nlicense: MIT\n---\n")
    assert "did you mean 'mit'?" in problem.message


def test_a_licence_must_be_one_identifier():
    (problem,) = problems_of("---\nlicense: [mit, apache-2.0]\n---\n")
    assert problem.field == "license" and "not a list" in problem.message


def test_licence_other_without_a_name_and_a_link_is_accepted_with_warnings():
    warnings = parse_card("---\nlanguage: en\nlicense: other\n---\n").warnings
    assert [(warning.field, warning.line, warning.severity) for warning in warnings] == [
        ("license_name", 3, "warning"),
        ("license_link", 3, "warning"),
    ]


@pytest.mark.parametrize(
    "link", ["LICENSE.md", "./docs/LICENSE", "https://example.org/licence", "http://x.org/l"]
)
def test_licence_other_accepts_a_web_link_or_a_file_in_the_repository(link):
    card = parse_card(f"---\nlicense: other\nlicense_name: my-licence\nlicense_link: {link}\n---\n")
    assert card.metadata["license_link"] == link


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "data:text/html,hi", "//evil.example/x", "ftp://x.org/l", "'https://'", "3"],
)
def test_licence_other_refuses_links_that_are_not_web_links_or_relative_paths(link):
    problems = problems_of(f"---\nlicense: other\nlicense_name: my-licence\nlicense_link: {link}\n---\n")
    assert [(problem.field, problem.line) for problem in problems] == [("license_link", 4)]


def test_a_missing_licence_is_a_warning_not_an_error():
    card = parse_card("---\ntags: [a]\n---\n# Title\n")
    (warning,) = card.warnings
    assert warning.severity == "warning"
    assert warning.field == "license"
    assert "no licence given" in warning.message


def test_a_card_with_no_front_matter_warns_that_no_licence_is_given():
    (warning,) = parse_card("# Title\n").warnings
    assert "no licence given" in warning.message and warning.line is None


def test_an_unknown_pipeline_tag_is_a_warning_with_suggestions():
    card = parse_card("---\nlicense: mit\npipeline_tag: text-generaton\n---\n")
    (warning,) = card.warnings
    assert (warning.field, warning.line, warning.severity) == ("pipeline_tag", 3, "warning")
    assert "'text-generation'" in warning.message


def test_warnings_come_with_the_errors_when_a_card_is_refused():
    with pytest.raises(CardFileError) as caught:
        parse_card("---\npipeline_tag: nonsense\ntags: 3\n---\n")
    assert [problem.field for problem in caught.value.problems] == ["tags"]
    assert [warning.field for warning in caught.value.warnings] == ["license", "pipeline_tag"]


@pytest.mark.parametrize("key", ["language", "tags", "datasets", "metrics", "base_model"])
def test_list_fields_take_a_string_or_a_list_of_strings(key):
    assert parse_card(f"---\nlicense: mit\n{key}: one\n---\n").metadata[key] == "one"
    assert parse_card(f"---\nlicense: mit\n{key}: [one, two]\n---\n").metadata[key] == ["one", "two"]
    problems = problems_of(f"---\nlicense: mit\n{key}:\n- one\n- 2\n- [three]\n---\n")
    assert [(problem.field, problem.line) for problem in problems] == [(f"{key}[1]", 5), (f"{key}[2]", 6)]


def test_unknown_keys_are_kept_untouched():
    meta = parse_card("---\nlicense: mit\nmy_own_key: {nested: [1, two]}\nthumbnail: x.png\n---\n").metadata
    assert meta["my_own_key"] == {"nested": [1, "two"]}
    assert meta["thumbnail"] == "x.png"


MODEL_INDEX_PROBLEMS = """---
license: mit
model-index:
- name: ok-model
  results:
  - task:
      name: no type here
    dataset:
      type: squad
    metrics:
    - type: f1
    - value: 88.5
  - task: text-generation
    metrics: f1
- results: []
- just a string
---
"""


def test_model_index_problems_name_the_exact_path_and_line():
    problems = problems_of(MODEL_INDEX_PROBLEMS)
    assert [(problem.field, problem.line) for problem in problems] == [
        ("model-index[0].results[0].task.type", 6),  # a missing key is shown where its mapping is
        ("model-index[0].results[0].dataset.name", 8),
        ("model-index[0].results[0].metrics[0].value", 11),
        ("model-index[0].results[0].metrics[1].type", 12),
        ("model-index[0].results[1].task", 13),
        ("model-index[0].results[1].metrics", 14),
        ("model-index[1].name", 15),
        ("model-index[2]", 16),
    ]


def test_model_index_must_be_a_list():
    (problem,) = problems_of("---\nlicense: mit\nmodel-index: {name: x}\n---\n")
    assert (problem.field, problem.line) == ("model-index", 3)


# Sections and title ----------------------------------------------------------------------------

SECTIONED = """---
license: mit
---
# The *Model*

Intro text.

## First

Text one.

```markdown
## Not a section: inside a fence
```

~~~~
## Nor this
~~~~

    ## Nor this: indented code

<!--
## Nor this: a comment
-->

<div align="center">

## Nor this: raw HTML

</div>

Second
------

Text two.

### A subsection stays in its section

# Another level-1 heading

Not in any section.

## Third ##
Last words."""


def test_sections_are_the_level_two_headings_of_the_body_outside_code_and_html():
    sections = split_sections(SECTIONED)
    assert [(section.index, section.title) for section in sections] == [
        (1, "First"),
        (2, "Second"),
        (3, "Third"),
    ]
    first, second, third = sections
    assert SECTIONED[first.start :].startswith("## First\n")
    assert SECTIONED[first.start : first.end].endswith("</div>\n\n")
    assert SECTIONED[second.start :].startswith("Second\n------\n")
    assert SECTIONED[second.end :].startswith("# Another level-1 heading")
    assert SECTIONED[third.start : third.end] == "## Third ##\nLast words."


def test_a_heading_in_the_front_matter_is_not_a_section():
    text = "---\nlicense: mit\ndescription: |\n  ## not a heading\n---\n## Real\n"
    assert [section.title for section in split_sections(text)] == ["Real"]


def test_an_unclosed_fence_is_not_code_as_in_python_markdown():
    assert [section.title for section in split_sections("```\n## Counted\n")] == ["Counted"]


def test_replacing_a_section_changes_only_that_section():
    sections = split_sections(SECTIONED)
    new_text = replace_section(SECTIONED, 2, "## Second, rewritten\n\nNew words.\n\n")
    assert (
        new_text
        == SECTIONED[: sections[1].start]
        + "## Second, rewritten\n\nNew words.\n\n"
        + SECTIONED[sections[1].end :]
    )
    assert [section.title for section in split_sections(new_text)] == ["First", "Second, rewritten", "Third"]
    assert parse_card(new_text).metadata == {"license": "mit"}


def test_replacing_a_section_with_itself_gives_back_the_same_bytes():
    for text in (SECTIONED, SECTIONED.replace("\n", "\r\n"), "\ufeff" + SECTIONED):
        for section in split_sections(text):
            assert replace_section(text, section.index, text[section.start : section.end]) == text


def test_a_new_section_without_a_final_newline_gets_one_in_the_files_style():
    text = "# T\r\n\r\n## A\r\na\r\n## B\r\nb\r\n"
    assert replace_section(text, 1, "## A\r\nchanged") == "# T\r\n\r\n## A\r\nchanged\r\n## B\r\nb\r\n"
    assert replace_section(text, 2, "## B\r\nlast") == "# T\r\n\r\n## A\r\na\r\n## B\r\nlast\r\n"


def test_the_last_section_keeps_the_files_own_ending():
    assert replace_section("## A\na", 1, "## A\nb") == "## A\nb"
    assert replace_section("## A\na\n", 1, "## A\nb") == "## A\nb\n"


def test_an_empty_replacement_removes_the_section():
    assert replace_section("# T\n## A\na\n## B\nb\n", 1, "") == "# T\n## B\nb\n"


@pytest.mark.parametrize("index", [0, 4, -1, "1", True, None])
def test_replacing_an_unknown_section_raises_a_lookup_error(index):
    with pytest.raises(KeyError):
        replace_section(SECTIONED, index, "## X\n")
    with pytest.raises(IndexError):
        replace_section(SECTIONED, index, "## X\n")


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ("# Plain title\n", "Plain title"),
        ("Setext title\n============\n", "Setext title"),
        (
            "# **Bold** and _em_ with [a link](https://x.org) and `code` #\n",
            "Bold and em with a link and code",
        ),
        ("# snake_case_name\n", "snake_case_name"),
        ("# C\\# and \\*stars\\*\n", "C# and *stars*"),
        ("```\n# In code\n```\n\n## Two\n\n# Real\n", "Real"),
        ("<!--\n# In a comment\n-->\n# After\n", "After"),
        ("#\n\n# Second, the first is empty\n", "Second, the first is empty"),
        ("## Only level two\n", None),
        ("", None),
    ],
)
def test_title_is_the_first_level_one_heading_of_the_body_as_plain_text(body, title):
    assert parse_card("---\nlicense: mit\n# not a heading: YAML comment\n---\n" + body).title == title


# Agreement with the renderer: the n-th `##` section is the n-th <h2> Python-Markdown renders ---


def heading_counts_rendered(body: str) -> tuple[int, int]:
    html = markdown.markdown(body, extensions=["fenced_code", "tables"])
    return html.count("<h1"), html.count("<h2")


def heading_counts_found(text: str) -> tuple[int, int]:
    level_ones = sum(heading.level == 1 for heading in find_headings(text, parse_card(text).body_start))
    return level_ones, len(split_sections(text))


@pytest.mark.parametrize("path", DEMO_CARDS, ids=lambda path: path.parent.name)
def test_demo_cards_have_as_many_sections_as_rendered_h2s(path):
    text = path.read_bytes().decode("utf-8")
    assert heading_counts_found(text) == heading_counts_rendered(parse_card(text).body)


MARKDOWN_LINES = [
    "",
    "Some text with *emphasis*.",
    "Title",
    "## A section",
    "# A title",
    "### A subsection",
    "##No space still counts in Python-Markdown",
    "```",
    "```python",
    "~~~",
    "    indented code",
    "    ## indented",
    "---",
    "===",
    "***",
    "- a list item",
    "1. a numbered item",
    "> a quote",
    "> ## a quoted heading",
    '<div align="center">',
    "</div>",
    "<details><summary>More</summary>",
    "</details>",
    "<!-- a comment -->",
    "<!--",
    "-->",
    "| a | b |",
    "|---|---|",
    '<img src="x.png">',
]


@hypothesis.settings(max_examples=300, deadline=None, derandomize=True)
@hypothesis.given(st.lists(st.sampled_from(MARKDOWN_LINES), max_size=14))
def test_section_count_agrees_with_python_markdown(lines):
    body = "\n".join(lines) + "\n"
    assert heading_counts_found("---\nlicense: mit\n---\n" + body) == heading_counts_rendered(body)


# libyaml's fast path reads exactly what the reference loader reads ------------------------------


def _outcome(text: str):
    try:
        card = parse_card(text)
    except CardFileError as exc:
        return "refused", [(problem.line, problem.field, problem.message) for problem in exc.problems]
    return "read", card.metadata, [(problem.line, problem.message) for problem in card.warnings]


def _reference_outcome(text: str):
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(cardfile, "_fast_compose", lambda source: None)
        return _outcome(text)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**60), 2**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
# Characters that YAML gives meaning to, sprinkled into otherwise valid front matter.
_MUTATIONS = st.lists(
    st.tuples(
        st.integers(0, 400),
        st.sampled_from(
            [
                "&a ",
                "*a",
                "!x ",
                "!!str ",
                "[",
                "]",
                "{",
                "}",
                ": ",
                "- ",
                "#",
                "'",
                '"',
                "\t",
                "\n  ",
                "\x07",
                "\ufeff",
                "<<: ",
                "? ",
                "---\n",
                "é",
                "\\",
                "\x85",
                "\u2028",
                "\r",
                "\r\n",
                "%YAML 1.1\n",
                "...",
                "\\x",
            ]
        ),
    ),
    max_size=3,
)


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(
    metadata=st.dictionaries(st.text(max_size=8), _values, max_size=5),
    flow=st.booleans(),
    mutations=_MUTATIONS,
)
def test_the_fast_yaml_path_reads_every_text_as_the_reference_loader_does(metadata, flow, mutations):
    front = yaml.safe_dump(metadata, default_flow_style=flow, allow_unicode=True, sort_keys=False)
    for position, inserted in mutations:
        position %= len(front) + 1
        front = front[:position] + inserted + front[position:]
    text = f"---\n{front}---\n# Title\n"
    assert _outcome(text) == _reference_outcome(text)


@pytest.mark.parametrize("path", DEMO_CARDS, ids=lambda path: path.parent.name)
def test_demo_cards_read_the_same_whichever_path_reads_them(path):
    text = path.read_text(encoding="utf-8")
    assert _outcome(text) == _reference_outcome(text)


def test_block_style_front_matter_is_read_by_libyaml_and_flow_style_by_the_reference():
    block = HUB_CARD[4 : HUB_CARD.index("\n---\n", 4) + 1]
    assert cardfile._fast_compose(block) is not None
    assert cardfile._fast_compose("license: mit\ntags: [a, b]\n") is None


@pytest.mark.parametrize(
    ("text", "line", "words"), [case[1:] for case in REFUSALS], ids=[c[0] for c in REFUSALS]
)
def test_refusals_read_the_same_whichever_path_reads_them(text, line, words):
    assert _outcome(text) == _reference_outcome(text)


def test_a_too_deep_mapping_holding_flow_lists_is_skipped_whole_and_the_rest_still_read():
    deep = "".join("  " * n + f"k{n}:\n" for n in range(12)) + "  " * 12 + "k12: [a, [b, c]]\n"
    problems = problems_of(f"---\nlicense: mit\n{deep}after: x\n2024: x\n---\n")
    messages = [problem.message for problem in problems]
    assert any("too deep" in message for message in messages), messages
    assert any("keys must be text" in message for message in messages), messages  # read after the skip


@pytest.mark.parametrize(
    "front",
    [
        'foo: "\\0"',
        'foo: "a\\x00b"',
        'foo: "\\ud800"',
        'license: "\\udc00"',
        'tags: ["a\\0b"]',
        'model-index:\n- name: "\\ud800"',
        '"k\\0": 1',
    ],
)
def test_yaml_escapes_for_text_that_cannot_be_stored_are_refused_without_echoing_it(front):
    with pytest.raises(CardFileError) as refused:
        parse_card(f"---\n{front}\n---\n# T\n")
    messages = [str(problem) for problem in refused.value.problems]
    assert any("cannot be stored" in message for message in messages), messages
    "\n".join(messages).encode("utf-8")  # every message can be shown on a page
