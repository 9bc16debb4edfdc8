"""The licence vocabulary (SPDX, the Model Openness Tool's table, the Hub's ids, model licences) and
the Hub's task list."""

import json
from pathlib import Path

import pytest
import yaml

from modelcards import vocabularies
from modelcards.cardfile import CardFileError, parse_card
from modelcards.openness import licences
from modelcards.openness.licences import LICENCE_TYPES, get_licence, licence_type_label, read_licence
from modelcards.vocabularies import LICENCES, PIPELINE_TAGS

DATA = Path(licences.__file__).resolve().parent / "data"


@pytest.mark.parametrize(
    "filename", ["hub_licences.json", "mot_licences.json", "bespoke_licences.json", "hub_aliases.json"]
)
def test_each_licence_file_says_where_it_came_from_and_when(filename):
    document = json.loads((DATA / filename).read_text(encoding="utf-8"))
    assert document["source"] and document["retrieved"]


def test_the_hubs_ids_are_unique_lower_case_and_more_than_seventy():
    ids = [row["id"] for row in json.loads((DATA / "hub_licences.json").read_text())["licenses"]]
    assert len(ids) == len(set(ids)) == len(LICENCES) > 70
    assert all(identifier == identifier.lower() for identifier in ids)


def test_every_licence_has_a_known_type_with_a_label():
    for identifier in licences.licence_ids():
        assert get_licence(identifier).type in LICENCE_TYPES, identifier
    for type_ in LICENCE_TYPES:
        assert licence_type_label(type_) != type_


def test_the_whole_spdx_list_is_known_with_deprecated_ids_and_exceptions():
    assert len(licences.licence_ids()) > 700
    for identifier in ("MIT-0", "UPL-1.0", "ECL-1.0", "CC-BY-3.0-NL", "AFL-3.0", "GPL-3.0", "0BSD"):
        assert get_licence(identifier).id == identifier
    assert get_licence("GPL-3.0").deprecated and not get_licence("GPL-3.0-only").deprecated
    reading = read_licence("GPL-2.0-or-later WITH Classpath-exception-2.0")
    assert (reading.recognised, reading.is_open) == (True, True)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("apache-2.0", "Apache-2.0"),
        ("APACHE-2.0", "Apache-2.0"),
        ("mit", "MIT"),
        ("cc-by-4.0", "CC-BY-4.0"),
        ("odbl", "ODbL-1.0"),
        ("odc-by", "ODC-By-1.0"),
        ("llama2", "llama2"),
        ("Llama 2 Community License", "llama2"),
        ("Meta Llama 3 Community License Agreement", "llama3"),
        ("Gemma Terms of Use", "gemma"),
        ("apache-2.0 or mit", "Apache-2.0 OR MIT"),
    ],
)
def test_ids_and_names_are_matched_whatever_their_case_and_shown_canonically(written, canonical):
    reading = read_licence(written)
    assert (reading.recognised, reading.canonical) == (True, canonical)


@pytest.mark.parametrize(
    ("written", "suggestion"),
    [("Apache 2.0", "Apache-2.0"), ("MIT license", "MIT"), ("BSD-3", "BSD-3-Clause"), ("Undisclosed", "")],
)
def test_unrecognised_text_is_kept_as_written_with_the_nearest_id_and_is_not_open(written, suggestion):
    reading = read_licence(written)
    assert (reading.recognised, reading.canonical, reading.is_open) == (False, written, False)
    assert reading.suggestion == suggestion


def test_content_types_are_the_model_openness_tools():
    """Apache-2.0 is written for code and documents, MIT for code only; CC0 ends up documents only
    (the tool's table lists it for data and then for documents, and the later row wins)."""
    assert get_licence("Apache-2.0").content_types == {"code", "document"}
    assert get_licence("MIT").content_types == {"code"}
    assert get_licence("CDLA-Permissive-2.0").content_types == {"data"}
    assert get_licence("CC0-1.0").content_types == {"document"}
    assert get_licence("OpenMDW-1.0").content_types == {"code", "data", "document"}
    assert get_licence("CC-BY-3.0-NL").content_types == frozenset()


@pytest.mark.parametrize(
    ("identifier", "is_open"),
    [
        ("Apache-2.0", True),  # OSI
        ("CC-BY-4.0", True),  # FSF-free, and the tool's open-data list
        ("CC-BY-3.0-NL", True),  # the tool's open-data list only
        ("OpenMDW-1.0", True),  # the tool's open model licences
        ("CC-BY-NC-4.0", False),
        ("llama2", False),
        ("bigscience-openrail-m", False),
        ("other", False),
        ("bsd", False),  # a family with no version: the tool knows no such id
    ],
)
def test_open_means_what_the_tool_means(identifier, is_open):
    assert read_licence(identifier).is_open is is_open


def test_expressions_choose_or_combine_as_spdx_says():
    either = read_licence("Apache-2.0 OR MIT")
    assert either.is_open and either.content_types == {"code", "document"}
    both = read_licence("MIT AND CC-BY-4.0")
    assert both.is_open and both.content_types == frozenset()  # no single kind suits both
    assert read_licence("MIT OR Apache 2.0").recognised is False  # one part names no licence
    assert read_licence("((").recognised is False


def test_model_licences_are_use_restricted_and_written_by_their_producer():
    for identifier in ("llama2", "llama3.1", "gemma", "bigscience-bloom-rail-1.0", "creativeml-openrail-m"):
        licence = get_licence(identifier)
        assert (licence.type, licence.bespoke, licence.is_open) == ("use-restricted", True, False)


def test_unlicensed_is_its_own_answer():
    reading = read_licence("unlicensed")
    assert (reading.recognised, reading.unlicensed, reading.is_open) == (True, True, False)
    assert read_licence("Unlicense").licence.id == "Unlicense"  # a real, open licence


@pytest.mark.parametrize(
    "licence",
    [
        "Apache 2.0",
        "Llama 2 Community License",
        "unlicensed",
        "apache-2.0",
        "MIT-0",
        "UPL-1.0",
        "ECL-1.0",
        "CC-BY-3.0-NL",
        "AFL-3.0",
        "x" * 5000,
        "Proprietary; ask us",
        2.0,
    ],
)
def test_no_licence_text_makes_a_card_unsaveable(licence):
    meta = {
        "license": "mit",
        "modelcardcommons": {
            "openness": {
                "licenses": {"data": licence},
                "components": {"final_parameters": {"license": licence}},
            }
        },
    }
    card_file = parse_card("---\n" + yaml.safe_dump(meta) + "---\n# M\n")
    fields = {warning.field for warning in card_file.warnings}
    if not read_licence(str(licence)).recognised:
        assert "modelcardcommons.openness.components.final_parameters.license" in fields


def test_the_top_level_licence_is_checked_as_the_hub_checks_it():
    with pytest.raises(CardFileError) as refused:
        parse_card("---\nlicense: Apache 2.0\n---\n# M\n")
    assert "is not a licence identifier the Hub accepts" in str(refused.value.problems[0])


def test_task_list_has_the_common_hub_tasks_with_display_names():
    assert PIPELINE_TAGS["text-generation"] == "Text Generation"
    assert PIPELINE_TAGS["automatic-speech-recognition"] == "Automatic Speech Recognition"
    assert "text-to-image" in PIPELINE_TAGS
    assert len(PIPELINE_TAGS) >= 50


def test_task_file_gives_every_task_a_known_modality():
    path = Path(vocabularies.__file__).resolve().parent / "data" / "pipeline_tags.json"
    tasks = json.loads(path.read_text(encoding="utf-8"))["tasks"]
    assert len(tasks) == len(PIPELINE_TAGS)
    modalities = {"nlp", "cv", "audio", "tabular", "multimodal", "rl", "other"}
    assert all(task["modality"] in modalities for task in tasks)
