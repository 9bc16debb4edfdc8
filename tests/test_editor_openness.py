"""The guided editor's openness record: shown from the YAML, edited field by field, reviewed like any edit."""

import pytest

from modelcards.editor import OPENNESS_KEYS, openness_values
from modelcards.models import ModelCard, Suggestion
from modelcards.workflow import accept_suggestion
from tests.conftest import SAMPLE_README
from tests.test_editor import guided_post

pytestmark = pytest.mark.django_db

# A record that reaches no class: the training code is closed.
RECORDED = SAMPLE_README.replace(
    "model-index:",
    "modelcardcommons:\n  openness:\n    data_information: Public web text.\n    components:\n"
    "      training_code:\n        availability: closed\n"
    "      final_parameters:\n        availability: open\n        license: apache-2.0\n"
    "model-index:",
)


def posted_record(text, **changes):
    """A guided post whose openness fields show `text`'s record, with `changes` applied."""
    from modelcards.cardfile import metadata_for_editing

    fields = {f"meta-{key}": value for key, value in openness_values(metadata_for_editing(text)).items()}
    fields["meta-oc_present"] = "1"
    fields.update({f"meta-{key}": value for key, value in changes.items()})
    return {**guided_post(text), **fields, "submit": "1"}


def test_guided_editor_shows_every_component_with_the_recorded_values(client, make_card):
    make_card(text=RECORDED)
    page = client.get("/cards/sample/suggest/")
    form = page.context["editor"].guided_form
    assert form["oc_training_code_availability"].value() == "closed"
    assert form["oc_final_parameters_license"].value() == "apache-2.0"
    assert form["oc_data_information"].value() == "Public web text."
    html = page.content.decode()
    assert "Openness record (Model Openness Framework)" in html
    assert html.count('name="meta-oc_') == len(OPENNESS_KEYS) + 1


def test_editing_a_component_rewrites_only_the_record_and_the_class_follows_once_accepted(
    client, make_card, user, moderator
):
    card = make_card(text=RECORDED)
    before = ModelCard.objects.get(pk=card.pk)
    client.force_login(user)
    data = posted_record(
        RECORDED,
        oc_training_code_availability="open",
        oc_training_code_license="mit",
        oc_training_code_link="https://example.org/train",
    )
    assert client.post("/cards/sample/suggest/", data).status_code == 302
    suggestion = Suggestion.objects.get()
    assert "        availability: open\n        license: mit\n" in suggestion.text
    untouched = RECORDED.split("modelcardcommons:")[0]
    assert suggestion.text.startswith(untouched)
    assert suggestion.text.endswith(RECORDED.split("model-index:")[1])
    accept_suggestion(suggestion, reviewer=moderator)
    after = ModelCard.objects.get(pk=card.pk)
    assert after.metadata["modelcardcommons"]["openness"]["components"]["training_code"] == {
        "availability": "open",
        "license": "mit",
        "link": "https://example.org/train",
    }
    # Weights open with training code and data closed was "open weights only"; open code ends that.
    assert "open-weights-only" in before.openness_flags
    assert "open-weights-only" not in after.openness_flags


def test_clearing_every_field_removes_the_record(client, make_card, user):
    make_card(text=RECORDED)
    client.force_login(user)
    cleared = {key: "" for key in OPENNESS_KEYS}
    assert client.post("/cards/sample/suggest/", posted_record(RECORDED, **cleared)).status_code == 302
    assert "modelcardcommons" not in Suggestion.objects.get().text


def test_a_post_without_the_openness_fields_leaves_the_record_alone(client, make_card, user):
    make_card(text=RECORDED)
    client.force_login(user)
    data = guided_post(RECORDED, license="mit", submit="1")
    assert client.post("/cards/sample/suggest/", data).status_code == 302
    text = Suggestion.objects.get().text
    assert text == RECORDED.replace("license: apache-2.0\n", "license: mit\n", 1)
