"""Key-level metadata edits for the guided editor: only the edited keys' lines ever change."""

import pytest

from modelcards.cardfile import metadata_for_editing, parse_card, replace_body, set_metadata_values

CARD = """---
# Licence checked with the authors, 2024-05-01
license: apache-2.0
language:
- en
- fr   # French added in v2
tags: [text-generation, demo]
version: 1.10
model-index:
- name: sample
  results:
  - task:
      type: text-generation
    metrics:
    - type: accuracy
      value: 0.71
pipeline_tag: text-generation
---
# Sample

Body text.
"""


def lines_without(text: str, *keys_lines: str) -> list[str]:
    return [line for line in text.splitlines() if line not in keys_lines]


def test_no_changes_returns_the_text_untouched():
    assert set_metadata_values(CARD, {}) is CARD


def test_replacing_a_scalar_changes_only_its_line():
    edited = set_metadata_values(CARD, {"license": "mit"})
    assert edited == CARD.replace("license: apache-2.0\n", "license: mit\n")


def test_replacing_a_block_list_keeps_comments_order_and_body():
    edited = set_metadata_values(CARD, {"language": ["en", "de"]})
    assert edited == CARD.replace("language:\n- en\n- fr   # French added in v2\n", "language:\n- en\n- de\n")
    assert edited.index("# Licence checked") < edited.index("license:") < edited.index("language:")
    assert edited.endswith("---\n# Sample\n\nBody text.\n")


def test_replacing_a_nested_value_replaces_all_of_its_lines():
    edited = set_metadata_values(CARD, {"model-index": [{"name": "other", "results": []}]})
    assert "value: 0.71" not in edited
    assert "model-index:\n- name: other\n  results: []\npipeline_tag: text-generation\n" in edited
    assert parse_card(edited).metadata["version"] == "1.10"  # an untouched key keeps its exact text


def test_flow_list_replaced_with_a_block_list():
    edited = set_metadata_values(CARD, {"tags": ["demo"]})
    assert "tags: [text-generation, demo]" not in edited
    assert "tags:\n- demo\nversion: 1.10\n" in edited


def test_new_key_is_appended_before_the_closing_delimiter():
    edited = set_metadata_values(CARD, {"library_name": "transformers", "base_model": ["org/base"]})
    assert edited == CARD.replace(
        "pipeline_tag: text-generation\n---\n",
        "pipeline_tag: text-generation\nlibrary_name: transformers\nbase_model:\n- org/base\n---\n",
    )


def test_none_removes_a_key_and_only_its_lines():
    edited = set_metadata_values(CARD, {"language": None, "pipeline_tag": None})
    assert edited == CARD.replace("language:\n- en\n- fr   # French added in v2\n", "").replace(
        "pipeline_tag: text-generation\n", ""
    )


def test_removing_an_absent_key_changes_nothing():
    assert set_metadata_values(CARD, {"datasets": None}) == CARD


def test_comment_between_keys_stays_when_the_key_before_it_changes():
    text = "---\nlicense: mit\n\n# Tasks this model is good at\npipeline_tag: fill-mask\n---\nBody\n"
    edited = set_metadata_values(text, {"license": "apache-2.0"})
    assert edited == text.replace("license: mit", "license: apache-2.0")


def test_empty_value_is_replaced_on_its_own_line():
    text = "---\nlicense: \npipeline_tag: \n---\n# Model name\n"
    edited = set_metadata_values(text, {"license": "mit"})
    assert edited == "---\nlicense: mit\npipeline_tag: \n---\n# Model name\n"


def test_block_scalar_with_hash_lines_is_replaced_whole():
    text = "---\nnotes: |\n  first\n  # not a comment\nlicense: mit\n---\nBody\n"
    edited = set_metadata_values(text, {"notes": "short"})
    assert edited == "---\nnotes: short\nlicense: mit\n---\nBody\n"


def test_values_are_dumped_safely_and_read_back_the_same():
    edited = set_metadata_values(CARD, {"license_name": "no", "license_link": "https://example.org/l?a=1#x"})
    metadata = metadata_for_editing(edited)
    assert metadata["license_name"] == "no"
    assert metadata["license_link"] == "https://example.org/l?a=1#x"


def test_a_card_without_front_matter_gets_one():
    assert set_metadata_values("# Title\n", {"license": "mit"}) == "---\nlicense: mit\n---\n# Title\n"
    assert set_metadata_values("# Title\n", {"license": None}) == "# Title\n"


def test_crlf_files_keep_crlf_line_ends():
    text = "---\r\nlicense: mit\r\ntags:\r\n- a\r\n---\r\nBody\r\n"
    edited = set_metadata_values(text, {"tags": ["b", "c"], "datasets": ["d"]})
    assert edited == "---\r\nlicense: mit\r\ntags:\r\n- b\r\n- c\r\ndatasets:\r\n- d\r\n---\r\nBody\r\n"


def test_unreadable_front_matter_is_refused():
    with pytest.raises(ValueError):
        set_metadata_values("---\nlicense: [unclosed\n---\nBody\n", {"license": "mit"})
    with pytest.raises(ValueError):
        set_metadata_values("---\n- a list\n---\nBody\n", {"license": "mit"})
    with pytest.raises(ValueError):
        set_metadata_values("---\nlicense: mit\n", {"license": "apache-2.0"})


def test_metadata_for_editing_reads_cards_the_hub_rules_refuse():
    assert metadata_for_editing("---\nlicense: not-a-licence\n---\nBody")["license"] == "not-a-licence"
    assert metadata_for_editing("# No metadata\n") == {}
    assert metadata_for_editing("---\nlicense: [unclosed\n---\n") is None
    assert metadata_for_editing("---\nlicense: mit\n") is None


def test_replace_body_keeps_the_front_matter_bytes():
    assert replace_body(CARD, "New body\n") == CARD[: CARD.index("# Sample")] + "New body\n"
    assert replace_body("Just a body\n", "Another\n") == "Another\n"


@pytest.mark.parametrize("value", ["1e3", "0o17", "0x1F", "1.10", "yes", "no", "2023-01-01", "+12"])
def test_number_like_strings_are_quoted_so_no_yaml_reader_turns_them_into_numbers(value):
    text = set_metadata_values("---\nlicense: mit\n---\n# T\n", {"version": value})
    line = next(line for line in text.splitlines() if line.startswith("version:"))
    assert line in {f"version: '{value}'", f'version: "{value}"'}
    assert parse_card(text).metadata["version"] == value
