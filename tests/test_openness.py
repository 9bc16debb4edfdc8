"""The openness record: its validation, the MOF class and flags it implies, lineage, pages and exports."""

import importlib
import io
import json

import pytest
import yaml
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from modelcards.cardfile import CardFileError, parse_card
from modelcards.models import ModelCard
from modelcards.openness import assessment as verdicts
from modelcards.openness import family, flags
from modelcards.openness.assessment import assess
from modelcards.openness.completeness import CHECKLIST
from modelcards.openness.mof import COMPONENTS, COMPONENTS_BY_KEY
from modelcards.workflow import accept_suggestion, submit_suggestion

# A licence of the right kind for each content type, and one open licence of another kind.
RIGHT = {"code": "apache-2.0", "data": "cdla-permissive-2.0", "document": "cc-by-4.0"}
WRONG = {"code": "cc-by-4.0", "data": "mit", "document": "mit"}


def required(mof_class: int) -> list[str]:
    return [c.key for c in COMPONENTS if c.mof_class == mof_class and c.required]


def released(*keys: str, licence: str | None = None, availability: str = "open") -> dict:
    """Components released under a licence of their own kind, unless `licence` says otherwise."""
    return {
        key: {"availability": availability, "license": licence or RIGHT[COMPONENTS_BY_KEY[key].content_type]}
        for key in keys
    }


def metadata(components: dict, *, licence: str | None = "apache-2.0", **extra) -> dict:
    meta = {"modelcardcommons": {"openness": {"components": components}}, **extra}
    if licence is not None:
        meta["license"] = licence
    return meta


def readme(meta: dict, body: str = "A model.\n") -> str:
    return "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n# Model\n\n" + body


CLASS_III = released(*required(3))
CLASS_II = {**CLASS_III, **released(*required(2))}
CLASS_I = {**CLASS_II, **released(*required(1))}


def codes(result) -> list[str]:
    return [flag.code for flag in result.flags]


def needed(result) -> list[str]:
    """The first component of each thing the next class needs (the report stands for "report or paper")."""
    return [item.keys[0] for item in result.missing_for_next]


# The record's shape --------------------------------------------------------------------------


def problems_of(meta: dict) -> list:
    try:
        card_file = parse_card(readme(meta))
    except CardFileError as exc:
        return exc.problems
    return list(card_file.warnings)


def test_a_well_formed_record_saves_without_problems():
    meta = metadata(
        {
            **CLASS_I,
            "model_card": {
                "availability": "open",
                "license": "cc-by-4.0",
                "link": "https://example.org/card",
                "evidence": "https://example.org",
            },
        }
    )
    meta["modelcardcommons"]["openness"]["data_information"] = "Web text, filtered for quality."
    assert problems_of(meta) == []


def test_unknown_component_is_an_error_with_a_did_you_mean():
    problems = problems_of(metadata({"trainig_code": {"availability": "open"}}))
    assert [p.field for p in problems] == ["modelcardcommons.openness.components.trainig_code"]
    assert problems[0].severity == "error"
    assert "did you mean 'training_code'?" in problems[0].message
    assert problems[0].line is not None


def test_the_frameworks_own_name_is_pointed_at_its_key():
    problems = problems_of(metadata({"Model parameters (Final)": {"availability": "open"}}))
    assert "did you mean 'final_parameters'?" in problems[0].message


def test_availability_must_be_one_of_the_four_values():
    problems = problems_of(metadata({"training_code": {"availability": "opne"}}))
    assert problems[0].field == "modelcardcommons.openness.components.training_code.availability"
    assert "did you mean 'open'?" in problems[0].message


def test_a_component_listed_without_availability_is_released_as_the_tool_reads_a_listed_one():
    assert problems_of(metadata({"training_code": {"license": "mit"}})) == []
    status = assess(metadata({"training_code": {"license": "mit"}})).status("training_code")
    assert (status.claim.availability, status.verdict) == ("open", verdicts.MET)


@pytest.mark.parametrize(
    ("entry", "field", "words"),
    [
        ({"availability": "open", "license": ["mit"]}, "license", "must be one licence"),
        ({"availability": "open", "licence": "mit"}, "licence", "did you mean 'license'?"),
        ({"availability": "open", "link": "javascript:alert(1)"}, "link", "not an absolute http(s) URL"),
        ({"availability": "open", "evidence": "/relative/path"}, "evidence", "not an absolute http(s) URL"),
        ("open", "", "must be a mapping"),
    ],
)
def test_component_fields_are_checked(entry, field, words):
    problems = problems_of(metadata({"training_code": entry}))
    path = "modelcardcommons.openness.components.training_code" + (f".{field}" if field else "")
    assert [(p.field, p.severity) for p in problems] == [(path, "error")]
    assert words in problems[0].message


@pytest.mark.parametrize(
    ("namespace", "field"),
    [
        ("yes", "modelcardcommons"),
        ({"opennes": {}}, "modelcardcommons.opennes"),
        ({"openness": ["a"]}, "modelcardcommons.openness"),
        ({"openness": {"component": {}}}, "modelcardcommons.openness.component"),
        ({"openness": {"components": ["training_code"]}}, "modelcardcommons.openness.components"),
        ({"openness": {"data_information": 3}}, "modelcardcommons.openness.data_information"),
    ],
)
def test_the_records_outer_shape_is_checked(namespace, field):
    problems = problems_of({"license": "mit", "modelcardcommons": namespace})
    assert [(p.field, p.severity) for p in problems] == [(field, "error")]


def test_errors_block_saving_the_card(make_card):
    with pytest.raises(CardFileError):
        make_card("bad", readme(metadata({"weights": {"availability": "open"}})))
    assert not ModelCard.objects.filter(slug="bad").exists()


def test_a_released_component_without_any_licence_is_only_a_warning():
    problems = problems_of(metadata({"training_code": {"availability": "open"}}, licence=None))
    licence_warnings = [p for p in problems if p.field.startswith("modelcardcommons")]
    assert [(p.field, p.severity) for p in licence_warnings] == [
        ("modelcardcommons.openness.components.training_code.license", "warning")
    ]
    # On a licensed card the component falls under the card's licence, so there is nothing to say.
    assert problems_of(metadata({"training_code": {"availability": "open"}})) == []


# The MOF class -------------------------------------------------------------------------------


def test_a_card_without_a_record_has_no_class_and_needs_class_three():
    result = assess({"license": "apache-2.0"})
    assert (result.has_record, result.mof_class, result.next_class) == (False, 0, 3)
    assert needed(result) == required(3)


@pytest.mark.parametrize(
    ("components", "expected_class", "next_class", "missing"),
    [
        ({}, 0, 3, required(3)),
        ({k: v for k, v in CLASS_III.items() if k != "data_card"}, 0, 3, ["data_card"]),
        (CLASS_III, 3, 2, required(2)),
        ({k: v for k, v in CLASS_II.items() if k != "evaluation_data"}, 3, 2, ["evaluation_data"]),
        (CLASS_II, 2, 1, required(1)),
        (
            {k: v for k, v in CLASS_I.items() if k != "intermediate_parameters"},
            2,
            1,
            ["intermediate_parameters"],
        ),
        (CLASS_I, 1, None, []),
    ],
    ids=[
        "nothing",
        "class-3-less-one",
        "class-3",
        "class-2-less-one",
        "class-2",
        "class-1-less-one",
        "class-1",
    ],
)
def test_each_class_boundary(components, expected_class, next_class, missing):
    result = assess(metadata(components))
    assert result.mof_class == expected_class
    assert result.conditional is False
    assert result.next_class == next_class
    assert needed(result) == missing


def test_classes_are_cumulative():
    """Everything Classes I and II ask for is no class at all while Class III's needs are unmet."""
    everything_but_class_three = {k: v for k, v in CLASS_I.items() if k not in required(3)}
    assert assess(metadata(everything_but_class_three)).mof_class == 0
    without_tooling = {k: v for k, v in CLASS_I.items() if k != "training_code"}
    assert assess(metadata(without_tooling)).mof_class == 3


def test_optional_components_never_decide_a_class():
    optional = [c.key for c in COMPONENTS if not c.required]
    assert sorted(optional) == ["model_metadata", "sample_outputs", "supporting_libraries"]
    closed = {key: {"availability": "closed"} for key in optional}
    assert assess(metadata({**CLASS_I, **closed})).mof_class == 1


def test_an_open_licence_of_the_wrong_kind_counts_conditionally():
    weights_under_code_licence = {**CLASS_III, **released("final_parameters", licence="apache-2.0")}
    result = assess(metadata(weights_under_code_licence))
    assert (result.mof_class, result.conditional) == (3, True)
    assert result.status("final_parameters").verdict == verdicts.CONDITIONAL
    for key in ("training_code", "evaluation_data", "research_paper"):
        content_type = COMPONENTS_BY_KEY[key].content_type
        wrong = {**CLASS_I, **released(key, licence=WRONG[content_type])}
        result = assess(metadata(wrong))
        assert (result.mof_class, result.conditional) == (1, True), key
        assert result.status(key).verdict == verdicts.CONDITIONAL


def test_any_released_component_under_a_licence_of_the_wrong_kind_makes_the_result_conditional():
    # As the tool's evaluator lists them: a Class I component counts for "conditional" even where
    # Class I is not reached, and an optional one too.
    components = {**CLASS_II, **released("research_paper", licence="mit")}
    result = assess(metadata(components))
    assert (result.mof_class, result.conditional) == (2, True)
    assert [s.component.key for s in result.not_type_appropriate] == ["research_paper"]
    optional = {**CLASS_III, **released("sample_outputs", licence="mit")}
    assert assess(metadata(optional)).conditional is True


@pytest.mark.parametrize(
    ("entry", "verdict"),
    [
        ({"availability": "open", "license": "llama2"}, verdicts.NOT_OPEN),
        ({"availability": "open", "license": "bigscience-openrail-m"}, verdicts.NOT_OPEN),
        ({"availability": "open", "license": "cc-by-nc-4.0"}, verdicts.NOT_OPEN),
        ({"availability": "open", "license": "other"}, verdicts.NOT_OPEN),
        ({"availability": "partial", "license": "cdla-permissive-2.0"}, verdicts.PARTIAL),
        ({"availability": "closed", "license": "cdla-permissive-2.0"}, verdicts.UNAVAILABLE),
        ({"availability": "unknown"}, verdicts.UNAVAILABLE),
    ],
)
def test_weights_that_are_not_openly_licensed_and_released_reach_no_class(entry, verdict):
    result = assess(metadata({**CLASS_I, "final_parameters": entry}))
    assert result.status("final_parameters").verdict == verdict
    assert result.mof_class == 0


def test_a_component_without_its_own_licence_falls_under_the_cards():
    components = {**CLASS_III, "model_card": {"availability": "open"}}
    status = assess(metadata(components, licence="cc-by-4.0")).status("model_card")
    assert (status.claim.licence.canonical, status.claim.licence_from, status.verdict) == (
        "CC-BY-4.0",
        "card",
        verdicts.MET,
    )
    status = assess(metadata(components, licence="mit")).status("model_card")
    assert status.verdict == verdicts.CONDITIONAL
    status = assess(metadata(components, licence="llama2")).status("model_card")
    assert status.verdict == verdicts.NOT_OPEN
    status = assess(metadata(components, licence=None)).status("model_card")
    assert (status.claim.licence.canonical, status.verdict) == ("unlicensed", verdicts.UNLICENSED)


def test_openmdw_suits_code_data_and_documents_alike():
    everything = {key: {"availability": "open", "license": "openmdw-1.0"} for key in CLASS_I}
    result = assess(metadata(everything))
    assert (result.mof_class, result.conditional) == (1, False)


# Flags on one card ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meta", "body", "flagged"),
    [
        ({"license": "llama2"}, "Our open source model.\n", True),
        ({"license": "llama2"}, "An open-source release.\n", True),
        ({"license": "llama2", "tags": ["open-source"]}, "A model.\n", True),
        ({"license": "bigscience-openrail-m"}, "Fully Open Sourced.\n", True),
        ({"license": "other", "license_name": "acme", "license_link": "LICENSE"}, "Open source!\n", True),
        ({"license": "llama2"}, "This is not an open-source licence.\n", False),
        ({"license": "llama2"}, "It is not open source.\n", False),
        ({"license": "llama2"}, "Openly available weights.\n", False),
        ({"license": "apache-2.0"}, "Our open source model.\n", False),
        (
            metadata({"final_parameters": {"availability": "open", "license": "llama2"}}),
            "Open source.\n",
            True,
        ),
    ],
)
def test_calling_a_restricted_model_open_source_is_flagged(meta, body, flagged):
    assert (flags.OPEN_SOURCE_CLAIM in codes(assess(meta, body))) is flagged


@pytest.mark.parametrize(
    ("training_code", "training_datasets", "flagged"),
    [
        ("closed", "closed", True),
        ("unknown", None, True),
        ("open", "closed", False),
        ("closed", "partial", False),
    ],
)
def test_open_weights_with_closed_data_and_code_are_flagged(training_code, training_datasets, flagged):
    components = {**released("final_parameters"), "training_code": {"availability": training_code}}
    if training_datasets:
        components["training_datasets"] = {"availability": training_datasets}
    assert (flags.OPEN_WEIGHTS_ONLY in codes(assess(metadata(components)))) is flagged


def test_closed_weights_are_not_open_weights_only():
    components = {"final_parameters": {"availability": "closed"}, "training_code": {"availability": "closed"}}
    assert flags.OPEN_WEIGHTS_ONLY not in codes(assess(metadata(components)))


def test_a_top_level_licence_that_differs_from_the_weights_licence_is_flagged():
    weights = released("final_parameters", licence="mit")
    assert flags.LICENCE_MISMATCH in codes(assess(metadata(weights, licence="apache-2.0")))
    assert flags.LICENCE_MISMATCH not in codes(assess(metadata(weights, licence="mit")))
    assert flags.LICENCE_MISMATCH not in codes(assess(metadata({}, licence="mit")))
    # The same licence spelled two ways is one licence.
    spelled = released("final_parameters", licence="Apache-2.0")
    assert flags.LICENCE_MISMATCH not in codes(assess(metadata(spelled, licence="apache-2.0")))


# Licence lineage ---------------------------------------------------------------------------


def lineage_card(make_card, slug, licence, base=None):
    meta = {"license": licence}
    if licence in ("other",):
        meta.update(license_name="x", license_link="LICENSE")
    if base:
        meta["base_model"] = base
    return make_card(slug, readme(meta))


def test_a_fine_tune_looser_than_its_base_is_flagged(make_card):
    lineage_card(make_card, "base", "llama2")
    child = lineage_card(make_card, "child", "apache-2.0", base="base")
    assert flags.LICENCE_LINEAGE in child.openness_flags
    assert child.has_openness_flags
    assert child.licence_lineage == [{"slug": "base", "license": "llama2", "stricter": True}]


def test_lineage_follows_two_generations(make_card):
    lineage_card(make_card, "grandparent", "cc-by-nc-4.0")
    parent = lineage_card(make_card, "parent", "cc-by-nc-4.0", base="grandparent")
    child = lineage_card(make_card, "child", "mit", base="org/Parent")  # matched by its last segment
    assert flags.LICENCE_LINEAGE not in parent.openness_flags
    assert flags.LICENCE_LINEAGE in child.openness_flags
    assert [entry["slug"] for entry in child.licence_lineage] == ["parent", "grandparent"]


def test_a_looser_grandparent_does_not_flag_and_equal_licences_never_do(make_card):
    lineage_card(make_card, "grandparent", "mit")
    lineage_card(make_card, "parent", "llama2", base="grandparent")
    child = lineage_card(make_card, "child", "llama2", base="parent")
    parent = ModelCard.objects.get(slug="parent")
    assert flags.LICENCE_LINEAGE not in child.openness_flags
    assert flags.LICENCE_LINEAGE not in parent.openness_flags  # stricter than its base is fine


def test_changing_a_base_cards_licence_updates_its_descendants(make_card, edit_card):
    base = lineage_card(make_card, "base", "llama2")
    lineage_card(make_card, "child", "mit", base="base")
    lineage_card(make_card, "grandchild", "mit", base="child")
    assert ModelCard.objects.get(slug="grandchild").has_openness_flags
    edit_card(base, readme({"license": "apache-2.0"}))
    for slug in ("child", "grandchild"):
        card = ModelCard.objects.get(slug=slug)
        assert flags.LICENCE_LINEAGE not in card.openness_flags, slug
        assert card.has_openness_flags is False
    assert ModelCard.objects.get(slug="grandchild").licence_lineage[-1] == {
        "slug": "base",
        "license": "apache-2.0",
        "stricter": False,
    }


def test_a_base_card_added_later_flags_its_existing_fine_tunes(make_card):
    child = lineage_card(make_card, "child", "mit", base="meta/Base-Model")
    assert child.licence_lineage == []
    lineage_card(make_card, "base-model", "llama2")
    assert flags.LICENCE_LINEAGE in ModelCard.objects.get(slug="child").openness_flags


def test_removing_the_base_model_clears_the_lineage(make_card, edit_card):
    lineage_card(make_card, "base", "llama2")
    child = lineage_card(make_card, "child", "mit", base="base")
    edit_card(child, readme({"license": "mit"}))
    child.refresh_from_db()
    assert (child.licence_lineage, child.openness_flags, child.has_openness_flags) == ([], [], False)


def test_a_cycle_of_base_models_ends(make_card, edit_card):
    a = lineage_card(make_card, "a", "mit")
    lineage_card(make_card, "b", "llama2", base="a")
    edit_card(a, readme({"license": "mit", "base_model": "b"}))
    a.refresh_from_db()
    assert [entry["slug"] for entry in a.licence_lineage] == ["b"]
    assert flags.LICENCE_LINEAGE in a.openness_flags


def test_a_write_reads_its_descendants_in_one_query_and_saves_only_what_changed(
    make_card, django_assert_num_queries
):
    base = lineage_card(make_card, "base", "llama2")
    lineage_card(make_card, "child", "mit", base="base")
    lineage_card(make_card, "grandchild", "mit", base="child")
    with django_assert_num_queries(1):  # every generation below at once; nothing changed, no UPDATE
        assert family.refresh_family(base) == []


def test_a_card_without_family_costs_one_query_however_many_fine_tunes_the_site_holds(
    make_card, django_assert_num_queries
):
    for number in range(5):
        lineage_card(make_card, f"base-{number}", "llama2")
        lineage_card(make_card, f"tune-{number}", "mit", base=f"base-{number}")
    plain = lineage_card(make_card, "plain", "mit")
    with django_assert_num_queries(1):
        assert family.refresh_family(plain) == []


def test_a_licence_change_reaches_ten_generations_down_and_no_further(make_card, edit_card):
    root = lineage_card(make_card, "g0", "llama2")
    for number in range(1, 12):
        lineage_card(make_card, f"g{number}", "mit", base=f"g{number - 1}")
    flagged = {card.slug for card in ModelCard.objects.filter(has_openness_flags=True)}
    assert flagged == {f"g{number}" for number in range(1, 11)}  # g11's ten ancestors stop at g1
    assert [entry["slug"] for entry in ModelCard.objects.get(slug="g11").licence_lineage][-1] == "g1"
    edit_card(root, readme({"license": "mit"}))
    assert not ModelCard.objects.filter(has_openness_flags=True).exists()
    assert ModelCard.objects.get(slug="g10").licence_lineage[-1] == {
        "slug": "g0",
        "license": "mit",
        "stricter": False,
    }


def test_a_fine_tune_of_two_bases_keeps_the_flag_the_other_base_gives(make_card, edit_card):
    strict = lineage_card(make_card, "strict", "cc-by-nc-4.0")
    lineage_card(make_card, "other", "llama2")
    merged = lineage_card(make_card, "merged", "mit", base=["strict", "other"])
    assert [entry["slug"] for entry in merged.licence_lineage] == ["strict", "other"]
    edit_card(strict, readme({"license": "mit"}))
    merged.refresh_from_db()
    assert merged.licence_lineage == [
        {"slug": "strict", "license": "mit", "stricter": False},
        {"slug": "other", "license": "llama2", "stricter": True},
    ]
    assert flags.LICENCE_LINEAGE in merged.openness_flags


def test_changing_a_cards_base_model_moves_it_to_its_new_family(make_card, edit_card):
    old_base = lineage_card(make_card, "old-base", "llama2")
    lineage_card(make_card, "new-base", "cc-by-nc-4.0")
    child = lineage_card(make_card, "child", "mit", base="old-base")
    edit_card(child, readme({"license": "mit", "base_model": "org/New-Base"}))
    assert list(child.base_model_links.values_list("name", flat=True).order_by("name")) == [
        "new-base",
        "org/New-Base",
    ]
    edit_card(old_base, readme({"license": "mit"}))  # no longer its family: nothing to recompute
    child.refresh_from_db()
    assert child.licence_lineage == [{"slug": "new-base", "license": "cc-by-nc-4.0", "stricter": True}]
    edit_card(ModelCard.objects.get(slug="new-base"), readme({"license": "apache-2.0"}))
    child.refresh_from_db()
    assert child.licence_lineage == [{"slug": "new-base", "license": "apache-2.0", "stricter": False}]
    assert not child.has_openness_flags


def test_the_links_migration_indexes_existing_fine_tunes(make_card):
    lineage_card(make_card, "base", "llama2")
    lineage_card(make_card, "child", "mit", base=["meta/Base", "x" * 150])
    BaseModelLink = apps.get_model("modelcards", "BaseModelLink")
    BaseModelLink.objects.all().delete()
    migration = importlib.import_module("modelcards.migrations.0004_base_model_links")
    migration.fill_links(apps, None)
    assert sorted(BaseModelLink.objects.values_list("card__slug", "name")) == [
        ("child", "base"),
        ("child", "meta/Base"),
    ]
    edit = lineage_card(make_card, "later", "mit", base="child")  # and writes find the family through them
    assert [entry["slug"] for entry in edit.licence_lineage] == ["child", "base"]


# Stored fields, filters, pages -------------------------------------------------------------


@pytest.fixture
def spread(make_card):
    """Cards at each class, one flagged and one without a record."""
    make_card("science", readme(metadata(CLASS_I, licence="cdla-permissive-2.0")))
    make_card("tooling", readme(metadata(CLASS_II, licence="cdla-permissive-2.0")))
    make_card("weights-only", readme(metadata(CLASS_III, licence="cdla-permissive-2.0")))
    make_card(
        "washed",
        readme(metadata(released("final_parameters", licence="llama2"), licence="llama2"), "Open source!\n"),
    )
    make_card("plain", readme({"license": "mit"}))


def test_the_summary_is_stored_on_the_card(spread):
    stored = {
        card.slug: (card.mof_class, card.licence_type, card.openness_flags)
        for card in ModelCard.objects.all()
    }
    assert stored == {
        "science": (1, "open-data", []),
        "tooling": (2, "open-data", []),
        "weights-only": (3, "open-data", [flags.OPEN_WEIGHTS_ONLY]),
        "washed": (0, "use-restricted", [flags.OPEN_SOURCE_CLAIM, flags.OPEN_WEIGHTS_ONLY]),
        "plain": (0, "permissive", []),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mof=1", {"science"}),
        ("mof=2", {"tooling"}),
        ("mof=3", {"weights-only"}),
        ("mof=0", {"washed", "plain"}),
        ("mof=9", {"science", "tooling", "weights-only", "washed", "plain"}),
        ("licence_type=use-restricted", {"washed"}),
        ("licence_type=open-data", {"science", "tooling", "weights-only"}),
        ("flagged=1", {"weights-only", "washed"}),
        ("flagged=1&licence_type=use-restricted", {"washed"}),
    ],
)
def test_card_list_filters(client, spread, query, expected):
    response = client.get(f"{reverse('modelcards:card_list')}?{query}")
    assert response.status_code == 200
    assert {card.slug for card in response.context["cards"]} == expected


def test_card_list_filters_are_plain_column_filters():
    sql = str(ModelCard.objects.with_openness(mof_class="2", licence_type="copyleft", flagged=True).query)
    assert "mof_class" in sql and "licence_type" in sql and "has_openness_flags" in sql
    assert "metadata" not in sql.split("WHERE", 1)[1]


def test_card_list_shows_class_and_flag_badges(client, spread):
    html = client.get(reverse("modelcards:card_list")).content.decode()
    assert 'title="Class I, Open Science">MOF I</span>' in html
    assert ">Called open source</span>" in html
    assert ">Open weights only</span>" in html


def test_card_page_shows_the_class_flags_components_and_completeness(client, spread):
    html = client.get(reverse("modelcards:card_detail", args=["washed"])).content.decode()
    assert "No <abbr" in html and "class reached" in html
    assert "Called open source." in html and "llama2 (use-restricted)" in html
    assert "Still needed for Class III, Open Model" in html
    assert "<progress" in html
    assert 'href="/cards/washed/openness.json"' in html
    assert "style=" not in html.split('<section class="openness-panel"')[1].split("</section>")[0]
    science = client.get(reverse("modelcards:card_detail", args=["science"])).content.decode()
    assert "Class I, Open Science" in science and "(conditional)" not in science


def test_card_page_without_a_record_invites_one(client, make_card):
    make_card("plain", readme({"license": "mit"}))
    html = client.get(reverse("modelcards:card_detail", args=["plain"])).content.decode()
    assert "No openness record yet" in html
    assert "/cards/plain/suggest/#openness-help" in html


def test_user_text_in_the_record_is_escaped(client, make_card):
    meta = metadata({"final_parameters": {"availability": "open"}}, licence="mit")
    meta["modelcardcommons"]["openness"]["data_information"] = "<script>alert(1)</script>"
    make_card("xss", readme(meta))
    html = client.get(reverse("modelcards:card_detail", args=["xss"])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_suggest_page_explains_the_record(client, card):
    html = client.get(reverse("modelcards:suggest", args=[card.slug])).content.decode()
    assert 'id="openness-help"' in html and "modelcardcommons:" in html


# Exports ---------------------------------------------------------------------------------


def test_json_export(client, spread):
    response = client.get(reverse("modelcards:openness_json", args=["washed"]))
    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    assert document["mof"]["class"] == 0 and document["mof"]["next_class"] == 3
    assert [flag["code"] for flag in document["flags"]] == [
        flags.OPEN_SOURCE_CLAIM,
        flags.OPEN_WEIGHTS_ONLY,
    ]
    components = document["openness"]["components"]
    assert len(components) == 17
    assert components["final_parameters"]["verdict"] == verdicts.NOT_OPEN
    assert components["training_code"] == {**components["training_code"], "recorded": False, "counts": False}
    science = json.loads(client.get(reverse("modelcards:openness_json", args=["science"])).content)
    assert (science["mof"]["class"], science["mof"]["class_name"]) == (1, "Class I, Open Science")


def test_mof_yaml_export_follows_the_model_openness_tools_files(client, spread):
    response = client.get(reverse("modelcards:openness_yaml", args=["weights-only"]))
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    document = yaml.safe_load(response.content.decode("utf-8"))
    assert document["framework"]["name"] == "Model Openness Framework"
    release = document["release"]
    assert release["license"]["distribution"]["name"] == "CDLA-Permissive-2.0"  # the tool's spelling
    by_name = {component["name"]: component for component in release["components"]}
    # Only released components are listed: the tool counts whatever is listed as included.
    assert sorted(by_name) == sorted(COMPONENTS_BY_KEY[key].name for key in CLASS_III)
    assert by_name["Model parameters (Final)"]["license"] == "CDLA-Permissive-2.0"
    assert by_name["Model architecture"]["license"] == "Apache-2.0"
    for component in release["components"]:
        assert not {"location", "license_name"} & component.keys()


def test_exports_of_a_missing_card_are_404(client, db):
    assert client.get("/cards/nope/openness.json").status_code == 404
    assert client.get("/cards/nope/openness.yaml").status_code == 404


# Editing the record through review ------------------------------------------------------------


def test_an_accepted_suggestion_changes_the_class(make_card, make_user, moderator):
    components = {**CLASS_II, "evaluation_data": {"availability": "closed"}}
    card = make_card("reviewed", readme(metadata(components)))
    assert card.mof_class == 3
    better = readme(metadata({**components, **released("evaluation_data")}))
    suggestion = submit_suggestion(
        card=card,
        text=better,
        summary="Evaluation data is public",
        base_version=1,
        author=make_user("helper"),
    )
    card.refresh_from_db()
    assert card.mof_class == 3  # nothing changes until a moderator accepts
    accept_suggestion(suggestion, reviewer=moderator)
    card.refresh_from_db()
    assert (card.mof_class, card.version_number) == (2, 2)


def test_the_migration_step_recomputes_existing_cards(spread):
    ModelCard.objects.update(
        mof_class=0, openness_flags=[], has_openness_flags=False, missing_sections=[], licence_type=""
    )
    migration = importlib.import_module("modelcards.migrations.0002_openness")
    migration.recompute_openness(apps, None)
    assert dict(ModelCard.objects.values_list("slug", "mof_class")) == {
        "science": 1,
        "tooling": 2,
        "weights-only": 3,
        "washed": 0,
        "plain": 0,
    }
    assert ModelCard.objects.get(slug="washed").has_openness_flags
    assert len(ModelCard.objects.get(slug="plain").missing_sections) == len(CHECKLIST)


# The demo cards ------------------------------------------------------------------------------


def test_demo_cards_show_distinct_classes_and_flags(db):
    call_command("load_demo_cards", stdout=io.StringIO())
    cards = {card.slug: card for card in ModelCard.objects.all()}
    # The demo's Pythia record calls the Pile "partial" (its host stopped serving it), so Class II.
    assert (cards["olmo-7b"].mof_class, cards["pythia-6.9b"].mof_class, cards["llama-2-7b"].mof_class) == (
        1,
        2,
        0,
    )
    assert len({card.mof_class for card in cards.values()}) >= 3
    assert flags.OPEN_SOURCE_CLAIM in cards["llama-2-7b-chat"].openness_flags
    assert flags.OPEN_WEIGHTS_ONLY in cards["mistral-7b-v0.1"].openness_flags
    assert cards["llama-2-7b-chat"].licence_lineage == [
        {"slug": "llama-2-7b", "license": "llama2", "stricter": False}
    ]
    for card in cards.values():
        assert assess(card.metadata).has_record, card.slug
