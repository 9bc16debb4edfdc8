"""The offline Hub vocabularies: the licence table's facts and the task list."""

import json
from pathlib import Path

import pytest

from modelcards import vocabularies
from modelcards.vocabularies import (
    LICENCE_TYPES,
    LICENCES,
    PIPELINE_TAGS,
    get_licence,
    licence_type_label,
)

DATA = Path(vocabularies.__file__).resolve().parent / "data"


def test_licence_file_loads_with_its_provenance():
    document = json.loads((DATA / "licenses.json").read_text(encoding="utf-8"))
    assert document["source"]
    assert document["retrieved"]
    assert document["classification_sources"]
    assert len(LICENCES) == len(document["licenses"]) > 70


def test_licence_ids_are_unique_and_lower_case():
    ids = [row["id"] for row in json.loads((DATA / "licenses.json").read_text())["licenses"]]
    assert len(ids) == len(set(ids))
    assert all(identifier == identifier.lower() for identifier in ids)


def test_every_licence_type_is_a_known_type_with_a_label():
    for licence in LICENCES.values():
        assert licence.type in LICENCE_TYPES
    for type_ in LICENCE_TYPES:
        assert licence_type_label(type_) != type_


def test_every_open_licence_has_a_kind_and_no_closed_one_does():
    for licence in LICENCES.values():
        if licence.is_open:
            assert licence.kind in {"code", "data", "content"}, licence.id
        else:
            assert licence.kind is None, licence.id


def test_apache_is_a_permissive_osi_approved_code_licence():
    apache = get_licence("apache-2.0")
    assert apache.type == "permissive"
    assert apache.osi_approved
    assert apache.kind == "code"
    assert apache.is_open


def test_mit_is_a_permissive_osi_approved_code_licence():
    mit = get_licence("mit")
    assert (mit.type, mit.osi_approved, mit.kind, mit.is_open) == ("permissive", True, "code", True)


@pytest.mark.parametrize("identifier", ["gpl-3.0", "agpl-3.0", "lgpl-3.0", "mpl-2.0"])
def test_gnu_and_mozilla_licences_are_copyleft_and_open(identifier):
    licence = get_licence(identifier)
    assert licence.type == "copyleft"
    assert licence.osi_approved
    assert licence.is_open


def test_cc_by_is_open_content_but_not_osi_approved():
    cc_by = get_licence("cc-by-4.0")
    assert cc_by.is_open
    assert cc_by.kind == "content"
    assert not cc_by.osi_approved


@pytest.mark.parametrize("identifier", ["cc-by-nc-4.0", "cc-by-nc-sa-4.0", "cc-by-nc-nd-4.0"])
def test_non_commercial_creative_commons_licences_are_not_open(identifier):
    licence = get_licence(identifier)
    assert licence.type == "non-commercial"
    assert not licence.is_open
    assert licence.kind is None


@pytest.mark.parametrize(
    "identifier", ["openrail", "openrail++", "bigscience-bloom-rail-1.0", "creativeml-openrail-m"]
)
def test_responsible_ai_licences_are_use_restricted_and_not_open(identifier):
    licence = get_licence(identifier)
    assert licence.type == "use-restricted"
    assert not licence.is_open


@pytest.mark.parametrize("identifier", ["llama2", "llama3.1", "llama4", "gemma"])
def test_vendor_model_licences_are_proprietary(identifier):
    licence = get_licence(identifier)
    assert licence.type == "proprietary"
    assert not licence.is_open


def test_cdla_permissive_is_open_data_for_the_data_kind():
    cdla = get_licence("cdla-permissive-2.0")
    assert cdla.type == "open-data"
    assert cdla.kind == "data"
    assert cdla.is_open


def test_other_and_unknown_are_listed_with_the_unknown_type():
    assert get_licence("other").type == "unknown"
    assert get_licence("unknown").type == "unknown"


def test_family_ids_are_not_claimed_osi_approved():
    assert not get_licence("gpl").osi_approved
    assert not get_licence("bsd").osi_approved


def test_get_licence_matches_ids_exactly():
    assert get_licence("Apache-2.0") is None
    assert get_licence("not-a-licence") is None
    assert get_licence("") is None
    assert get_licence(None) is None


def test_use_restricted_label_names_rail():
    assert licence_type_label("use-restricted") == "Use-restricted (RAIL)"


def test_task_list_has_the_common_hub_tasks_with_display_names():
    assert PIPELINE_TAGS["text-generation"] == "Text Generation"
    assert PIPELINE_TAGS["automatic-speech-recognition"] == "Automatic Speech Recognition"
    assert "text-to-image" in PIPELINE_TAGS
    assert len(PIPELINE_TAGS) >= 50


def test_task_file_gives_every_task_a_known_modality():
    tasks = json.loads((DATA / "pipeline_tags.json").read_text(encoding="utf-8"))["tasks"]
    assert len(tasks) == len(PIPELINE_TAGS)
    modalities = {"nlp", "cv", "audio", "tabular", "multimodal", "rl", "other"}
    assert all(task["modality"] in modalities for task in tasks)
