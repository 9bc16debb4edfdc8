"""Completeness: which model card sections a card has filled in, and where contributors can help."""

import pytest
from django.urls import reverse

from modelcards.models import ModelCard
from modelcards.openness.completeness import (
    CHECKLIST,
    HUB,
    MITCHELL,
    card_fields,
    check,
    has_content,
    normalise_heading,
    with_added_heading,
)

FRONT = "---\nlicense: mit\n---\n"

# A card shaped like the Hub's template before anyone fills it in: headings, hints in HTML comments,
# bare labels, the stock sentences and `[More Information Needed]` everywhere.
HUB_TEMPLATE_UNFILLED = (
    FRONT
    + """# Model Card for Model ID

<!-- Provide a quick summary of what the model is/does. -->

## Model Details

### Model Description

<!-- Provide a longer summary of what this model is. -->

- **Developed by:** [More Information Needed]
- **License:** [More Information Needed]

## Uses

### Direct Use

[More Information Needed]

## Bias, Risks, and Limitations

[More Information Needed]

### Recommendations

Users (both direct and downstream) should be made aware of the risks, biases and limitations of the
model. More information needed for further recommendations.

## How to Get Started with the Model

Use the code below to get started with the model.

<details>
<summary>Click to expand</summary>

[More Information Needed]

</details>

## Training Details

### Training Data

[More Information Needed]

## Evaluation

### Testing Data, Factors & Metrics

#### Testing Data

[More Information Needed]

#### Factors

[More Information Needed]

#### Metrics

[More Information Needed]

### Results

[More Information Needed]

## Environmental Impact

Carbon emissions can be estimated using the [Machine Learning Impact calculator](https://mlco2.github.io/impact#compute)
presented in [Lacoste et al. (2019)](https://arxiv.org/abs/1910.09700).

- **Hardware Type:** [More Information Needed]
- **Carbon Emitted:** [More Information Needed]

## Technical Specifications [optional]

### Model Architecture and Objective

[More Information Needed]

## Citation [optional]

**BibTeX:**

[More Information Needed]

## Model Card Contact

[More Information Needed]
"""
)


def fill(text: str) -> str:
    text = text.replace("### Recommendations\n", "### Recommendations\n\nTest it on your own data first.\n")
    return text.replace("[More Information Needed]", "Written by someone who knows.")


def test_the_checklist_covers_mitchell_et_al_and_the_hub_template():
    mitchell = {rule.key for rule in CHECKLIST if MITCHELL in rule.sources}
    assert mitchell == {
        "model_details",
        "intended_use",
        "factors",
        "metrics",
        "evaluation_data",
        "training_data",
        "quantitative_analyses",
        "ethical_considerations",
        "caveats_recommendations",
    }
    hub_headings = {rule.heading for rule in CHECKLIST if HUB in rule.sources}
    assert {
        "Model Details",
        "Uses",
        "Bias, Risks, and Limitations",
        "Training Details",
        "Evaluation",
        "Environmental Impact",
        "Technical Specifications",
        "Citation",
    } <= hub_headings
    assert len({rule.key for rule in CHECKLIST}) == len(CHECKLIST)


def test_an_unfilled_template_has_every_heading_and_scores_nothing():
    result = check(HUB_TEMPLATE_UNFILLED)
    assert result.percent == 0
    assert all(item.present for item in result.items), [i.rule.key for i in result.items if not i.present]


def test_a_filled_template_scores_everything():
    result = check(fill(HUB_TEMPLATE_UNFILLED))
    assert result.percent == 100
    assert result.missing == ()


@pytest.mark.parametrize(
    ("section_text", "filled"),
    [
        ("Trained on web text.", True),
        ("", False),
        ("[More Information Needed]", False),
        ("[ more information needed ]", False),
        ("<!-- Describe the data here. -->", False),
        ("- **Developed by:** [More Information Needed]\n- **Model type:**", False),
        ("- **Developed by:** EleutherAI", True),
        ("| a | b |\n|---|---|\n| 1 | 2 |", True),
        ("```bibtex\n@misc{x}\n```", True),
        ("See <https://example.org/data>.", True),
        ("---", False),
    ],
)
def test_filled_means_real_content(section_text, filled):
    assert has_content(section_text) is filled
    item = check(f"{FRONT}# M\n\n## Training Data\n\n{section_text}\n").items
    training_data = next(i for i in item if i.rule.key == "training_data")
    assert (training_data.present, training_data.filled) == (True, filled)


def test_a_section_is_filled_by_text_in_its_subsections_but_not_by_their_headings():
    text = (
        f"{FRONT}# M\n\n## Training Details\n\n### Training Data\n\nThe Pile.\n\n"
        "## Evaluation\n\n### Results\n\n"
    )
    items = {item.rule.key: item for item in check(text).items}
    assert items["training_details"].filled and items["training_data"].filled
    assert items["evaluation"].present and not items["evaluation"].filled
    assert items["quantitative_analyses"].present and not items["quantitative_analyses"].filled


def test_headings_inside_code_blocks_do_not_count():
    text = f"{FRONT}# M\n\n```\n## Citation\nreal text\n```\n"
    citation = next(item for item in check(text).items if item.rule.key == "citation")
    assert not citation.present


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("Bias, Risks & Limitations [optional]", "ethical_considerations"),
        ("1. Model Details", "model_details"),
        ("Intended Uses", "intended_use"),
        ("Caveats and Recommendations", "caveats_recommendations"),
        ("Quantitative Analyses", "quantitative_analyses"),
        ("How to Get Started with the Model", "how_to_get_started"),
        ("**Citation**", "citation"),
    ],
)
def test_heading_synonyms(heading, key):
    assert normalise_heading(heading) in next(rule for rule in CHECKLIST if rule.key == key).names
    item = next(i for i in check(f"{FRONT}# M\n\n## {heading}\n\nText.\n").items if i.rule.key == key)
    assert item.filled


def test_an_empty_section_points_at_its_own_number_and_a_missing_one_at_none():
    text = (
        f"{FRONT}# M\n\n## Uses\n\nChat.\n\n"
        "## Training Details\n\n### Training Data\n\n[More Information Needed]\n"
    )
    missing = {entry["key"]: entry for entry in card_fields(text)["missing_sections"]}
    assert missing["training_data"] == {"key": "training_data", "present": True, "section": 2}
    assert missing["training_details"] == {"key": "training_details", "present": True, "section": 2}
    assert missing["citation"] == {"key": "citation", "present": False, "section": None}
    assert "intended_use" not in missing


def test_the_percentage_counts_each_item_once():
    text = f"{FRONT}# M\n\n## Uses\n\nChat.\n\n## Citation\n\n@misc{{x}}\n"
    assert card_fields(text)["completeness"] == round(100 * 2 / len(CHECKLIST))


def test_adding_a_heading_keeps_the_text_and_starts_a_new_section():
    assert with_added_heading("# M\n\nText.\n", "factors") == "# M\n\nText.\n\n## Factors\n\n"
    assert with_added_heading("# M\n\nText.", "citation") == "# M\n\nText.\n\n## Citation\n\n"


# Pages ---------------------------------------------------------------------------------------


@pytest.fixture
def cards(make_card):
    make_card("empty-template", HUB_TEMPLATE_UNFILLED)
    make_card("half", f"{FRONT}# Half\n\n## Uses\n\nChat.\n\n## Citation\n\nA paper.\n\n## Evaluation\n\n")
    make_card("complete", fill(HUB_TEMPLATE_UNFILLED))
    return ModelCard.objects.all()


def test_completeness_is_stored(cards):
    stored = dict(ModelCard.objects.values_list("slug", "completeness"))
    assert stored["empty-template"] == 0
    assert stored["complete"] == 100
    assert 0 < stored["half"] < 100


def test_card_page_lists_missing_sections_with_suggest_links(client, cards):
    html = client.get(reverse("modelcards:card_detail", args=["half"])).content.decode()
    assert '<progress id="completeness-bar" max="100" value="12">' in html
    assert 'href="/cards/half/suggest/?add=factors">Suggest this section</a>' in html
    assert 'href="/cards/half/suggest/?section=3">Suggest this section</a>' in html  # the empty Evaluation


def test_suggest_this_section_prefills_the_heading(client, cards):
    response = client.get(reverse("modelcards:suggest", args=["half"]) + "?add=factors")
    assert response.status_code == 200
    assert response.context["form"].initial["text"].endswith("## Evaluation\n\n## Factors\n\n")
    unknown = client.get(reverse("modelcards:suggest", args=["half"]) + "?add=nonsense")
    assert unknown.context["form"].initial["text"] == ModelCard.objects.get(slug="half").text


def test_wanted_orders_cards_by_how_much_is_missing_and_groups_by_section(client, cards):
    response = client.get(reverse("modelcards:wanted"))
    assert response.status_code == 200
    assert [card.slug for card in response.context["cards"]] == ["empty-template", "half"]
    groups = {group.rule.key: [card.slug for card, _ in group.cards] for group in response.context["groups"]}
    assert groups["factors"] == ["empty-template", "half"]
    assert "intended_use" in groups and groups["intended_use"] == ["empty-template"]
    html = response.content.decode()
    assert 'href="/cards/half/suggest/?add=factors"' in html
    assert "/cards/complete/" not in html


def test_wanted_costs_one_query(client, cards, django_assert_max_num_queries):
    client.get(reverse("modelcards:wanted"))  # warm caches (content types, sessions)
    with django_assert_max_num_queries(2):
        client.get(reverse("modelcards:wanted"))
