"""Open-washing flags: "called open source" only of the model itself; licence mismatch by canonical id."""

import html

import pytest
import yaml
from django.test import Client

from modelcards.models import ModelCard
from modelcards.openness.assessment import assess
from modelcards.openness.flags import LICENCE_MISMATCH, OPEN_SOURCE_CLAIM

WEIGHTS_ONLY = ("final_parameters",)


def readme(meta: dict, body: str) -> str:
    return "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n# Model\n\n" + body


def weights(licence: str | None = None, *, top: str | None = "apache-2.0", defaults=None, **extra) -> dict:
    """Metadata whose openness record releases the weights, under `licence` (or the defaults)."""
    entry = {"availability": "open"}
    if licence is not None:
        entry["license"] = licence
    record = {"components": {"final_parameters": entry}}
    if defaults:
        record["licenses"] = defaults
    meta = {**extra, "modelcardcommons": {"openness": record}}
    if top is not None:
        meta = {"license": top, **meta}
    return meta


def open_source_sentence(meta: dict, body: str) -> str | None:
    """The sentence the "called open source" flag quotes, or None when it is not raised."""
    for flag in assess(meta, body).flags:
        if flag.code == OPEN_SOURCE_CLAIM:
            assert flag.components == WEIGHTS_ONLY
            return flag.sentence
    return None


def codes(meta: dict, body: str = "A model.\n") -> set[str]:
    return {flag.code for flag in assess(meta, body).flags}


LLAMA2 = {"license": "llama2"}


# Sentences about a component are not claims about the model ---------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "The inference code is open source under MIT.\n",  # the Llama 2 false positive
        "Llama 2's reference inference code is open source under MIT.\n",
        "We release the code open source.\n",
        "The evaluation harness we used is open source.\n",
        "We open-sourced the training code.\n",
        "It is open source code and an open model.\n",
        "The tokenizer is open source.\n",
    ],
)
def test_a_sentence_about_a_component_raises_no_flag_on_a_restricted_model(body):
    assert open_source_sentence(LLAMA2, body) is None


@pytest.mark.parametrize(
    "body",
    [
        "The code is open source, but the weights are not.\n",
        "The training code is open source; the weights are not.\n",
        "- **Inference code:** open source (MIT)\n",
    ],
)
def test_a_component_sentence_that_goes_on_about_the_weights_raises_no_flag(body):
    assert open_source_sentence(LLAMA2, body) is None


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        ("Llama 2 is an open source model.\n", "Llama 2 is an open source model."),
        ("Llama 2 is open source.\n", "Llama 2 is open source."),
        (
            "We release Llama 2, an open-source large language model.\n",
            "We release Llama 2, an open-source large language model.",
        ),
        ("The weights are open source.\n", "The weights are open source."),
        ("We open-sourced the model. It is big.\n", "We open-sourced the model."),
        (
            "The model and its training code are open source.\n",
            "The model and its training code are open source.",
        ),
        (
            "Meta presented Llama 2 as the next generation of its open source large\nlanguage model.\n",
            "Meta presented Llama 2 as the next generation of its open source large language model.",
        ),
        # A component sentence first does not hide the model sentence after it.
        (
            "The inference code is open source under MIT. The model is open source too.\n",
            "The model is open source too.",
        ),
        ("## Intro\n\nA fully Open Sourced model!\n\n## Uses\n", "A fully Open Sourced model!"),
    ],
)
def test_a_sentence_calling_the_model_open_source_is_flagged_and_quoted(body, sentence):
    assert open_source_sentence(LLAMA2, body) == sentence


def test_open_source_wrapped_over_two_lines_is_read():
    assert (
        open_source_sentence(LLAMA2, "Llama 2 is an open\nsource model.\n")
        == "Llama 2 is an open source model."
    )


@pytest.mark.parametrize(
    "body",
    [
        "Llama 2 is not open source.\n",
        "Llama 2 isn't open source.\n",
        "This is not an open-source licence.\n",
        "Not an open-source model, whatever the press says.\n",
        "A non-open-source release.\n",
        "The model was never open-sourced.\n",
        "Llama 2 is not really open source.\n",
    ],
)
def test_a_negated_open_source_is_no_claim(body):
    assert open_source_sentence(LLAMA2, body) is None


@pytest.mark.parametrize(
    "body",
    [
        "Llama 2 isn’t open source.\n",
        "Llama 2 doesn't qualify as open source.\n",
        "Llama 2 cannot be called open source.\n",
    ],
)
def test_negations_written_other_ways_are_no_claim_either(body):
    assert open_source_sentence(LLAMA2, body) is None


@pytest.mark.parametrize(
    ("tag", "sentence"),
    [
        ("open-source", "tags: open-source"),
        ("Open Source", "tags: Open Source"),
        ("opensource", "tags: opensource"),
        ("open-source-ai", None),
        ("source", None),
    ],
)
def test_an_open_source_tag_calls_the_model_open_source(tag, sentence):
    assert open_source_sentence({**LLAMA2, "tags": ["llama", tag]}, "A model.\n") == sentence


# Only restricted weights are open-washed -----------------------------------------------------------


MODEL_SENTENCE = "Our open source model.\n"


@pytest.mark.parametrize(
    ("meta", "flagged"),
    [
        ({"license": "apache-2.0"}, False),
        ({"license": "mit"}, False),
        ({"license": "cc-by-4.0"}, False),
        ({"license": "gpl-3.0"}, False),
        ({"license": "llama2"}, True),
        ({"license": "cc-by-nc-4.0"}, True),
        ({"license": "bigscience-openrail-m"}, True),
        ({"license": "other", "license_name": "acme", "license_link": "LICENSE"}, True),
        # The record's licence for the weights decides, not the card's own line.
        (weights("Apache-2.0", top="llama2"), False),
        (weights("Llama-2", top="apache-2.0"), True),
        (weights(None, top="apache-2.0", defaults={"distribution": "llama2"}), True),
        (weights(None, top="mit", defaults={"distribution": "Apache-2.0"}), False),
        (weights("CC-BY-NC-4.0", top=None), True),
    ],
)
def test_the_flag_needs_weights_under_a_licence_open_source_does_not_allow(meta, flagged):
    assert (open_source_sentence(meta, MODEL_SENTENCE) is not None) is flagged


def test_permissive_weights_in_the_record_are_never_flagged_whatever_the_cards_own_line_says():
    meta = weights("Apache-2.0", top="other", license_name="acme", license_link="LICENSE")
    assert open_source_sentence(meta, MODEL_SENTENCE) is None


# Stored on the card, shown on its page and in its export --------------------------------------------


def test_the_flag_is_stored_with_its_sentence_and_shown_on_the_page_and_in_the_export(make_card):
    body = "The inference code is open source under MIT.\n\nLlama 2 is an open source model for everyone.\n"
    make_card(text=readme({"license": "llama2"}, body))
    card = ModelCard.objects.get()
    assert card.openness_flags == [OPEN_SOURCE_CLAIM]
    assert card.flag_details == [
        {
            "code": OPEN_SOURCE_CLAIM,
            "components": ["final_parameters"],
            "sentence": "Llama 2 is an open source model for everyone.",
        }
    ]
    page = html.unescape(Client().get("/cards/sample/").content.decode())
    flags = page.split('aria-label="Open-washing flags"', 1)[1].split("</ul>", 1)[0]
    assert "Called open source." in flags
    assert "<q>Llama 2 is an open source model for everyone.</q>" in flags
    assert "Rests on: Model parameters (Final)." in flags
    assert "inference code" not in flags
    (flag,) = Client().get("/cards/sample/openness.json").json()["flags"]
    assert flag["code"] == OPEN_SOURCE_CLAIM
    assert flag["sentence"] == "Llama 2 is an open source model for everyone."
    assert flag["relies_on"] == ["Model parameters (Final)"]


def test_the_llama_2_card_saying_only_its_code_is_open_source_shows_no_flag(make_card):
    body = "Llama 2 is a family of pretrained models.\n\nThe inference code is open source under MIT.\n"
    make_card(text=readme({"license": "llama2"}, body))
    card = ModelCard.objects.get()
    assert OPEN_SOURCE_CLAIM not in card.openness_flags
    assert not any(detail["code"] == OPEN_SOURCE_CLAIM for detail in card.flag_details)
    assert "Called open source" not in Client().get("/cards/sample/").content.decode()
    assert Client().get("/cards/sample/openness.json").json()["flags"] == []


def test_editing_the_sentence_away_clears_the_stored_flag(make_card, edit_card):
    card = make_card(text=readme({"license": "llama2"}, "Llama 2 is open source.\n"))
    assert card.openness_flags == [OPEN_SOURCE_CLAIM]
    edit_card(card, readme({"license": "llama2"}, "Llama 2's inference code is open source.\n"))
    card.refresh_from_db()
    assert (card.openness_flags, card.flag_details, card.has_openness_flags) == ([], [], False)
    assert card.slug not in [c.slug for c in Client().get("/cards/?flagged=1").context["cards"]]


def test_a_hostile_sentence_is_quoted_as_text(make_card):
    make_card(text=readme(LLAMA2, "Our open source model `<img src=x onerror=alert(1)>` is here.\n"))
    page = Client().get("/cards/sample/").content.decode()
    quoted = page.split('class="flag-sentence"', 1)[1].split("</span>", 1)[0]
    assert "&lt;img src=x onerror=alert(1)&gt;" in quoted and "<img" not in quoted


# Licence mismatch ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meta", "mismatch"),
    [
        (weights("Apache-2.0", top="apache-2.0"), False),
        (weights("apache-2.0", top="apache-2.0"), False),
        (weights("APACHE-2.0", top="apache-2.0"), False),
        (weights("CC-BY-NC-4.0", top="cc-by-nc-4.0"), False),
        (weights("Llama 2 Community License", top="llama2"), False),
        (weights(None, top="apache-2.0", defaults={"distribution": "Apache-2.0"}), False),
        (weights(None, top="apache-2.0"), False),  # the weights fall under the card's own licence
        (weights("MIT", top="apache-2.0"), True),
        (weights("Llama-2", top="apache-2.0"), True),
        (weights(None, top="mit", defaults={"distribution": "Apache-2.0"}), True),
        (weights("Apache-2.0", top=None), False),  # no licence line to disagree with
    ],
)
def test_licence_mismatch_compares_canonical_ids_regardless_of_case(meta, mismatch):
    assert (LICENCE_MISMATCH in codes(meta)) is mismatch


def test_a_mismatch_names_both_licences_and_rests_on_both_claims(make_card):
    make_card(text=readme(weights("MIT", top="apache-2.0"), "A model.\n"))
    card = ModelCard.objects.get()
    assert {"code": LICENCE_MISMATCH, "components": ["license", "final_parameters"], "sentence": ""} in (
        card.flag_details
    )
    (flag,) = [
        f
        for f in Client().get("/cards/sample/openness.json").json()["flags"]
        if f["code"] == LICENCE_MISMATCH
    ]
    assert flag["relies_on"] == ["the card's licence", "Model parameters (Final)"]
    assert flag["sentence"] is None
    assert "apache-2.0" in flag["explanation"] and "MIT" in flag["explanation"]
