"""Our openness scoring and our tool-file export, held to the Model Openness Tool's own results.

The expected results in tests/data/mot were computed by running the tool's PHP code (see its README.md);
every test here is pure: no database.
"""

import json
from collections import Counter
from functools import cache
from pathlib import Path

import jsonschema
import pytest
import yaml

from modelcards.openness import assessment as verdicts
from modelcards.openness.assessment import assess
from modelcards.openness.crosswalk import mot_release, read_mot_document, read_mot_file
from modelcards.openness.mof import COMPONENTS, COMPONENTS_BY_KEY

DATA = Path(__file__).resolve().parent / "data" / "mot"
FIXTURES = sorted((DATA / "fixtures").glob("*.yml"))
RECORDS = sorted((DATA / "records").glob("*.yml"))
LEGACY = sorted((DATA / "legacy").glob("*.yml"))
VARIANTS = sorted((DATA / "variants").glob("*.yml"))  # Class I records with one Class I component left out
EXPORT_DATE = "2026-12-03"
# The keys a component may have in the tool's current schema; `license_name` and `location` are pre-2025.
CURRENT_COMPONENT_KEYS = {"name", "description", "license", "license_path", "component_path"}
CLASS_III = [c.key for c in COMPONENTS if c.mof_class == 3 and c.required]
CLASS_II = [c.key for c in COMPONENTS if c.mof_class == 2 and c.required]
CLASS_I = [c.key for c in COMPONENTS if c.mof_class == 1 and c.required]
# A licence written for each content type, so a component under it counts without condition.
FITTING = {"code": "Apache-2.0", "data": "CDLA-Permissive-2.0", "document": "CC-BY-4.0"}


@cache
def expected(folder: str) -> dict:
    results = json.loads((DATA / folder / "expected.json").read_text(encoding="utf-8"))
    results.pop("source")
    return results


@cache
def released(path: Path):
    return read_mot_file(path.read_bytes())


def with_record(record: dict, **top) -> dict:
    return {**top, "modelcardcommons": {"openness": record}}


def assessed(path: Path):
    return assess(with_record(released(path).record))


def not_type_appropriate(assessment) -> list[str]:
    return sorted(status.component.name for status in assessment.not_type_appropriate)


def assert_scores(assessment, result: dict) -> None:
    assert assessment.mof_class == result["class"]
    assert assessment.progress == {
        level: pytest.approx(result["progress"][str(level)]) for level in (1, 2, 3)
    }


def ids(paths):
    return [path.name for path in paths]


def test_every_test_file_has_an_expected_result_and_every_result_a_file():
    fixture_names = {released(path).name for path in FIXTURES}
    assert len(FIXTURES) == 27
    assert fixture_names == set(expected("fixtures"))
    assert len(RECORDS) == 113
    assert {path.name for path in RECORDS} == set(expected("records"))
    assert {path.name for path in LEGACY} == set(expected("legacy"))
    assert len(VARIANTS) == 13
    assert {path.name for path in VARIANTS} == set(expected("variants"))


# 1. The tool's own regression fixtures ---------------------------------------------------------------


@pytest.mark.parametrize("path", FIXTURES, ids=ids(FIXTURES))
def test_fixture_reaches_the_class_and_progress_the_tool_gives(path):
    assert_scores(assessed(path), expected("fixtures")[released(path).name])


# 2. Real records -----------------------------------------------------------------------------------


REAL_AND_VARIANTS = RECORDS + VARIANTS


@pytest.mark.parametrize(
    "path", REAL_AND_VARIANTS, ids=[f"{p.parent.name}/{p.name}" for p in REAL_AND_VARIANTS]
)
def test_record_scores_as_the_tool_scores_it(path):
    result = expected(path.parent.name)[path.name]
    assessment = assessed(path)
    assert released(path).name == result["name"]
    assert_scores(assessment, result)
    assert not_type_appropriate(assessment) == sorted(result["not_type_appropriate"])
    assert assessment.conditional is bool(result["not_type_appropriate"])


def test_records_cover_every_class_with_enough_of_each():
    by_tool = Counter(result["class"] for result in expected("records").values())
    ours = Counter(assessed(path).mof_class for path in RECORDS)
    assert ours == by_tool
    assert by_tool[0] >= 12
    assert by_tool[1] >= 12
    assert by_tool[2] >= 1
    assert by_tool[3] >= 12
    conditional = [path.name for path in RECORDS if assessed(path).conditional]
    assert len(conditional) >= 12
    assert Counter(assessed(path).mof_class for path in VARIANTS) == {2: 13}


@pytest.mark.parametrize(
    ("name", "mof_class"),
    [("Pythia-6.9B", 1), ("OLMo-7B", 1), ("GPT-NeoX-20B", 3), ("Granite-3B-Code-Instruct", 3)],
)
def test_well_known_models_reach_the_class_the_tool_gives(name, mof_class):
    by_name = {released(path).name: path for path in RECORDS}
    assert assessed(by_name[name]).mof_class == mof_class


# 3. Records in the tool's format before April 2025 -----------------------------------------------


@pytest.mark.parametrize("path", LEGACY, ids=ids(LEGACY))
def test_legacy_record_scores_as_the_tool_scores_it_after_its_own_migration(path):
    result = expected("legacy")[path.name]
    assessment = assessed(path)
    assert_scores(assessment, result)
    assert not_type_appropriate(assessment) == sorted(result["not_type_appropriate"])


def test_legacy_placeholders_drop_components_and_mean_no_licence():
    document = {
        "release": {
            "name": "Old",
            "components": [
                {"name": "Model card", "license_name": "Component not included", "location": ""},
                {"name": "Data card", "license_name": "Component Not Included"},
                {"name": "Training code", "license_name": "Pending evaluation"},
                {"name": "Inference code", "license_name": "License not specified", "location": ""},
                {
                    "name": "Model architecture",
                    "license_name": "Apache-2.0",
                    "location": "https://example.org/code",
                },
            ],
        }
    }
    record = read_mot_document(document).record
    assert record["components"] == {
        "model_architecture": {
            "availability": "open",
            "license": "Apache-2.0",
            "link": "https://example.org/code",
        },
        "inference_code": {"availability": "open", "license": "unlicensed"},
    }


# 4. Our export -------------------------------------------------------------------------------------


@cache
def schema_validator():
    schema = json.loads((DATA / "mof_schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def schema_errors(document: dict) -> list[str]:
    return [
        f"{list(error.absolute_path)}: {error.message}" for error in schema_validator().iter_errors(document)
    ]


def exported(metadata: dict, name: str = "Exported model") -> dict:
    return mot_release(metadata, name=name, date=EXPORT_DATE)


def read_back(document: dict):
    """The exported file as the tool would get it: YAML text, read by our reader."""
    release = read_mot_file(yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode("utf-8"))
    return release, assess(with_record(release.record))


def assert_same_scores(ours, theirs) -> None:
    assert theirs.mof_class == ours.mof_class
    assert theirs.progress == {level: pytest.approx(value) for level, value in ours.progress.items()}
    assert set(theirs.evaluation.not_type_appropriate) == set(ours.evaluation.not_type_appropriate)


def test_the_schema_check_is_strict_about_dates_and_names():
    """Without a format checker, `format: date` is not enforced; make sure ours is."""
    assert schema_errors(exported({}, name="X")) == []
    assert schema_errors(mot_release({}, name="X", date="2026-02-30")) == [
        "['release', 'date']: '2026-02-30' is not a 'date'"
    ]
    assert schema_errors(mot_release({}, name="", date=EXPORT_DATE)) == [
        "['release', 'name']: '' should be non-empty"
    ]


EVERY_FILE = FIXTURES + RECORDS + VARIANTS + LEGACY


@pytest.mark.parametrize("path", EVERY_FILE, ids=[f"{p.parent.name}/{p.name}" for p in EVERY_FILE])
def test_export_is_a_valid_tool_file_that_scores_as_our_page_does(path):
    release = released(path)
    metadata = with_record(release.record)
    document = exported(metadata, name=release.name)
    assert schema_errors(document) == []
    assert document["release"]["name"] == release.name
    assert document["release"]["date"] == EXPORT_DATE
    components = document["release"]["components"]
    ours = assess(metadata)
    assert [item["name"] for item in components] == [
        status.component.name for status in ours.components if status.claim.released
    ]
    for item in components:
        assert set(item) <= CURRENT_COMPONENT_KEYS
        assert item["license"]
    assert "github" not in document["release"]
    for default in document["release"]["license"].values():
        assert set(default) == {"name", "path"}
    again, theirs = read_back(document)
    assert again.name == release.name
    assert_same_scores(ours, theirs)


def test_export_lists_only_released_components():
    record = {
        "components": {
            "model_architecture": {"availability": "open", "license": "MIT"},
            "final_parameters": {"availability": "partial", "license": "MIT"},
            "training_code": {"availability": "closed"},
            "model_card": {"availability": "unknown"},
            "data_card": {"license": "CC-BY-4.0"},  # availability defaults to open
        }
    }
    components = exported(with_record(record))["release"]["components"]
    assert [(item["name"], item["license"]) for item in components] == [
        ("Model architecture", "MIT"),
        ("Data card", "CC-BY-4.0"),
    ]


def test_export_writes_the_hub_licence_in_the_tools_spelling_when_components_give_none():
    metadata = with_record(
        {
            "components": {
                "model_architecture": {"availability": "open"},
                "final_parameters": {},
                "model_card": {"availability": "open", "link": "https://example.org/card"},
            }
        },
        license="apache-2.0",
    )
    document = exported(metadata)
    assert schema_errors(document) == []
    assert document["release"]["license"] == {"distribution": {"name": "Apache-2.0", "path": None}}
    assert [(item["name"], item["license"]) for item in document["release"]["components"]] == [
        ("Model architecture", "Apache-2.0"),
        ("Model parameters (Final)", "Apache-2.0"),
        ("Model card", "Apache-2.0"),
    ]
    assert document["release"]["components"][2]["component_path"] == "https://example.org/card"
    ours = assess(metadata)
    assert ours.status("model_architecture").verdict == verdicts.MET
    assert ours.status("final_parameters").verdict == verdicts.CONDITIONAL
    assert_same_scores(ours, read_back(document)[1])


@pytest.mark.parametrize(
    ("component", "licence", "verdict", "written"),
    [
        ("training_code", "Apache-2.0 OR MIT", verdicts.MET, {"Apache-2.0", "MIT"}),
        ("final_parameters", "mit AND cc-by-4.0", verdicts.CONDITIONAL, {"MIT", "CC-BY-4.0"}),
        ("training_datasets", "CDLA-Permissive-2.0 OR MIT", verdicts.MET, {"CDLA-Permissive-2.0"}),
        ("inference_code", "Apache 2.0", verdicts.UNRECOGNISED, {"Apache 2.0"}),
        ("evaluation_code", "unlicensed", verdicts.UNLICENSED, {"unlicensed"}),
        ("model_card", "llama2", verdicts.NOT_OPEN, {"llama2"}),
    ],
)
def test_export_of_licences_the_records_lack_scores_the_same(component, licence, verdict, written):
    metadata = with_record({"components": {component: {"availability": "open", "license": licence}}})
    ours = assess(metadata)
    assert ours.status(component).verdict == verdict
    assert ours.conditional is (verdict == verdicts.CONDITIONAL)
    document = exported(metadata)
    assert schema_errors(document) == []
    [item] = document["release"]["components"]
    assert item["name"] == COMPONENTS_BY_KEY[component].name
    assert item["license"] in written
    _, theirs = read_back(document)
    assert theirs.status(component).verdict == verdict
    assert_same_scores(ours, theirs)


def test_an_open_choice_of_licences_counts_without_condition_for_code():
    record = {
        "components": {key: {"license": FITTING[COMPONENTS_BY_KEY[key].content_type]} for key in CLASS_III}
    }
    record["components"]["model_architecture"] = {"license": "Apache-2.0 OR MIT"}
    ours = assess(with_record(record))
    assert ours.mof_class == 3
    assert not ours.conditional
    assert_same_scores(ours, read_back(exported(with_record(record)))[1])


# 5. The framework's rules, as the tool states them ------------------------------------------------


def fitting_record(keys, **licences) -> dict:
    """A record releasing `keys`, each under a licence written for its type unless given in `licences`."""
    return {
        "components": {
            key: {
                "availability": "open",
                "license": licences.get(key, FITTING[COMPONENTS_BY_KEY[key].content_type]),
            }
            for key in keys
        }
    }


def without(keys, *left_out):
    return [key for key in keys if key not in left_out]


def test_research_paper_stands_in_for_the_technical_report_in_class_iii():
    neither = assess(with_record(fitting_record(without(CLASS_III, "technical_report"))))
    assert neither.mof_class == 0
    assert neither.progress[3] == pytest.approx(500 / 6)
    paper = assess(with_record(fitting_record(without(CLASS_III, "technical_report") + ["research_paper"])))
    assert paper.mof_class == 3
    assert paper.progress == {1: 0.0, 2: 60.0, 3: 100.0}


def test_research_paper_stands_in_for_the_technical_report_in_class_ii():
    keys = without(CLASS_III, "technical_report") + CLASS_II + ["research_paper"]
    assessment = assess(with_record(fitting_record(keys)))
    assert assessment.mof_class == 2
    assert assessment.progress[2] == 100.0


def test_class_i_counts_out_of_thirteen_when_the_paper_replaces_the_report():
    everything_but_report = without(CLASS_III + CLASS_II + CLASS_I, "technical_report")
    assert len(everything_but_report) == 13
    assert assess(with_record(fitting_record(everything_but_report))).mof_class == 1
    short = assess(with_record(fitting_record(without(everything_but_report, "intermediate_parameters"))))
    assert short.mof_class == 2
    assert short.progress[1] == pytest.approx(1200 / 13)
    # With the report released and the paper not, Class I needs all fourteen and lacks the paper.
    no_paper = assess(with_record(fitting_record(without(CLASS_III + CLASS_II + CLASS_I, "research_paper"))))
    assert no_paper.mof_class == 2
    assert no_paper.progress[1] == pytest.approx(1300 / 14)


def test_classes_are_cumulative():
    keys = without(CLASS_III, "data_card") + CLASS_II + CLASS_I
    assessment = assess(with_record(fitting_record(keys)))
    assert assessment.mof_class == 0
    assert assessment.progress == {1: 0.0, 2: 0.0, 3: pytest.approx(500 / 6)}


def test_optional_components_never_decide_a_class():
    optional = [c.key for c in COMPONENTS if not c.required]
    assert sorted(optional) == ["model_metadata", "sample_outputs", "supporting_libraries"]
    assessment = assess(with_record(fitting_record(CLASS_III + optional, sample_outputs="llama2")))
    assert assessment.mof_class == 3
    assert assessment.progress[2] == pytest.approx(600 / 10)


def test_an_open_licence_written_for_another_type_makes_the_class_conditional():
    assessment = assess(with_record(fitting_record(CLASS_III, final_parameters="MIT")))
    assert assessment.mof_class == 3
    assert assessment.conditional
    assert assessment.status("final_parameters").verdict == verdicts.CONDITIONAL
    assert not_type_appropriate(assessment) == ["Model parameters (Final)"]


def test_a_data_licence_on_data_is_type_appropriate():
    assessment = assess(with_record(fitting_record(CLASS_III + ["training_datasets"])))
    assert assessment.status("final_parameters").claim.licence.canonical == "CDLA-Permissive-2.0"
    assert assessment.status("final_parameters").verdict == verdicts.MET
    assert assessment.status("training_datasets").verdict == verdicts.MET
    assert assessment.mof_class == 3
    assert not assessment.conditional
    assert assessment.not_type_appropriate == ()


def test_missing_for_the_next_class_offers_the_report_or_the_paper():
    assessment = assess(with_record(fitting_record(["model_architecture", "final_parameters"])))
    assert assessment.next_class == 3
    needed = {item.keys: (item.names, item.status) for item in assessment.missing_for_next}
    assert needed == {
        ("technical_report", "research_paper"): ("Technical report or research paper", "missing"),
        ("evaluation_results",): ("Evaluation results", "missing"),
        ("model_card",): ("Model card", "missing"),
        ("data_card",): ("Data card", "missing"),
    }


def test_missing_for_the_next_class_names_neither_when_the_paper_is_released():
    assessment = assess(
        with_record(fitting_record(["model_architecture", "final_parameters", "research_paper"]))
    )
    assert [item.names for item in assessment.missing_for_next] == [
        "Evaluation results",
        "Model card",
        "Data card",
    ]


def test_class_i_still_needs_the_paper_even_with_the_report():
    keys = without(CLASS_III + CLASS_II + CLASS_I, "research_paper")
    assessment = assess(with_record(fitting_record(keys)))
    assert assessment.mof_class == 2
    assert [(item.names, item.status) for item in assessment.missing_for_next] == [
        ("Research paper", "missing")
    ]
