"""The editor's server side: guided and raw modes without JavaScript, the checklist, the live preview."""

import json

import pytest

from modelcards.checklist import checklist, insert_section
from modelcards.models import Suggestion
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db


def guided_post(text=SAMPLE_README, **changes):
    """The suggest form as guided mode posts it, with the fields showing `text`'s metadata."""
    data = {
        "mode": "guided",
        "text": text,
        "base_version": 1,
        "summary": "Guided edit",
        "meta-license": "apache-2.0",
        "meta-license_name": "",
        "meta-license_link": "",
        "meta-pipeline_tag": "text-generation",
        "meta-library_name": "transformers",
        "meta-language": "en, fr",
        "meta-tags": "text-generation, demo",
        "meta-datasets": "allenai/c4",
        "meta-base_model": "",
        "meta-body": text[text.index("# Sample Model") :],
    }
    data.update({f"meta-{key}" if f"meta-{key}" in data else key: value for key, value in changes.items()})
    return data


def test_editor_opens_in_guided_mode_with_the_metadata_in_fields(client, card):
    page = client.get("/cards/sample/suggest/")
    editor = page.context["editor"]
    assert editor.mode == "guided" and editor.fresh
    assert editor.guided_form["license"].value() == "apache-2.0"
    assert editor.guided_form["language"].value() == "en, fr"
    html = page.content.decode()
    assert 'data-preview-url="/preview/"' in html and '<datalist id="licence-ids">' in html
    assert "Recommended sections" in html


def test_section_editor_is_raw_only_without_checklist(client, card):
    page = client.get("/cards/sample/suggest/", {"section": 2})
    assert page.context["editor"].mode == "raw"
    assert page.context["editor"].checklist == []
    assert "switch_mode" not in page.content.decode()


def test_guided_post_without_javascript_changes_only_the_edited_keys(client, card, user):
    client.force_login(user)
    data = guided_post(license="mit", tags="demo", **{"body": "# Sample Model\n\nShorter.\n", "submit": "1"})
    response = client.post("/cards/sample/suggest/", data)
    assert response.status_code == 302
    expected = SAMPLE_README.replace("license: apache-2.0", "license: mit").replace(
        "tags:\n- text-generation\n- demo\n", "tags:\n- demo\n"
    )
    assert Suggestion.objects.get().text == expected[: expected.index("# Sample Model")] + (
        "# Sample Model\n\nShorter.\n"
    )


def test_untouched_guided_fields_leave_odd_spellings_alone(client, card, user):
    text = SAMPLE_README.replace("language:\n- en\n- fr\n", "language: [en,   fr]  # two\n")
    data = guided_post(text, language="en,fr", **{"submit": "1"})
    data["meta-body"] += "\nMore.\n"
    client.force_login(user)
    assert client.post("/cards/sample/suggest/", data).status_code == 302
    assert Suggestion.objects.get().text == text + "\nMore.\n"


def test_switching_mode_without_javascript_keeps_the_typing(client, card):
    response = client.post("/cards/sample/suggest/", guided_post(license="mit", switch_mode="raw"))
    assert response.status_code == 200
    editor = response.context["editor"]
    assert editor.mode == "raw"
    assert "license: mit\n" in response.context["form"]["text"].value()
    assert not response.context["form"].errors  # a switch checks nothing yet
    back = client.post(
        "/cards/sample/suggest/",
        {
            "mode": "raw",
            "text": response.context["form"]["text"].value(),
            "base_version": 1,
            "switch_mode": "guided",
        },
    )
    assert back.context["editor"].mode == "guided"
    assert back.context["editor"].guided_form["license"].value() == "mit"


def test_switching_to_guided_mode_with_unreadable_yaml_stays_raw_and_says_why(client, card):
    broken = SAMPLE_README.replace("license: apache-2.0", "license: [apache")
    response = client.post(
        "/cards/sample/suggest/", {"mode": "raw", "text": broken, "base_version": 1, "switch_mode": "guided"}
    )
    assert response.context["editor"].mode == "raw"
    assert "only be edited in raw mode" in response.content.decode()


def test_insert_section_button_without_javascript_adds_heading_and_hint(client, card):
    response = client.post("/cards/sample/suggest/", guided_post(insert_section="citation"))
    editor = response.context["editor"]
    assert editor.mode == "guided"
    assert (
        editor.guided_form["body"]
        .value()
        .endswith("## Citation\n\n<!-- A BibTeX entry for the paper or the model, if there is one. -->\n")
    )
    assert {item.key: item.status for item in editor.checklist}["citation"] == "unfinished"


def test_guided_problem_is_shown_next_to_its_field_and_the_text_kept(client, card):
    response = client.post("/cards/sample/suggest/", guided_post(license="apache2", submit="1"))
    assert response.status_code == 400
    editor = response.context["editor"]
    assert editor.mode == "guided"
    assert "did you mean 'apache-2.0'?" in " ".join(editor.field_problems["license"])
    assert response.context["editor"].guided_form["license"].value() == "apache2"
    assert not Suggestion.objects.exists()


def test_direct_edit_and_new_card_use_the_same_editor(client, card, moderator):
    client.force_login(moderator)
    page = client.get("/cards/sample/edit/")
    assert page.context["editor"].mode == "guided"
    data = guided_post(license="mit", save="1")
    data["summary"] = "Relicence"
    assert client.post("/cards/sample/edit/", data).status_code == 302
    card.refresh_from_db()
    assert card.text == SAMPLE_README.replace("license: apache-2.0", "license: mit")
    new = client.get("/cards/new/suggest/")
    assert new.context["editor"].guided_form["license"].value() == ""


def preview(client, **data):
    response = client.post("/preview/", data)
    return response.status_code, json.loads(response.content)


def test_preview_renders_through_the_sanitiser_and_locates_problems(client, card):
    text = SAMPLE_README.replace("license: apache-2.0", "license: apache2") + "\n<script>alert(1)</script>\n"
    status, data = preview(client, mode="raw", text=text)
    assert status == 200
    assert "<script>" not in data["html"] and "Sample Model" in data["html"]
    problem = next(p for p in data["problems"] if p["field"] == "license")
    assert problem["line"] == 2 and problem["severity"] == "error"
    assert data["guided"]["license"] == "apache2"
    keys = {item["key"] for item in data["checklist"]}
    assert keys >= {"intended_use", "ethical_considerations", "citation"}


def test_preview_composes_guided_mode_and_renders_a_section_alone(client, card):
    status, data = preview(client, **guided_post(license="mit"))
    assert status == 200 and "license: mit\n" in data["text"]
    status, data = preview(client, mode="raw", text="## Uses\n\n*Notes*\n", section="1")
    # Shown under the editor page's own <h1>, so a `##` heading is an <h3>.
    assert data["html"].startswith("<h3") and "<em>Notes</em>" in data["html"]
    assert data["guided"] is None and data["checklist"] == []


def test_preview_refuses_oversized_text(client, settings):
    settings.MODELCARDS_MAX_CARD_BYTES = 100
    status, data = preview(client, mode="raw", text="x" * 101)
    assert status == 413 and "limit" in data["error"]


def test_checklist_reads_written_placeholder_and_missing_sections():
    text = (
        "# M\n\n## Model Details\n\nA model.\n\n## Uses\n\n[More Information Needed]\n\n"
        "## Bias, Risks, and Limitations\n\n<!-- to do -->\n\nHow to Get Started\n---\n\nRun it.\n"
    )
    states = {item.key: item.status for item in checklist(text)}
    assert states["model_details"] == "done" and states["how_to_get_started"] == "done"
    assert states["intended_use"] == "unfinished" and states["ethical_considerations"] == "unfinished"
    assert states["citation"] == "missing"


def test_insert_section_keeps_a_blank_line_before_the_heading():
    assert insert_section("Text", "intended_use").startswith("Text\n\n## Uses\n\n<!-- ")
    assert insert_section("Text\n\n", "intended_use").startswith("Text\n\n## Uses")
    assert insert_section("Text", "nonsense") == "Text"


DEEP = "---\nlicense: apache-2.0\nx:\n" + "- " * 600 + "y\n---\n# Deep\n"


def test_a_guided_edit_of_metadata_nested_hundreds_deep_falls_back_to_raw_mode_and_says_why(client, card):
    status, data = preview(client, mode="guided", text=DEEP, **{"meta-license": "mit"})
    assert status == 200 and data["text"] == DEEP  # nothing rewritten, nothing crashed
    response = client.post(
        "/cards/sample/suggest/",
        {"mode": "guided", "text": DEEP, "meta-license": "mit", "summary": "s", "base_version": 1},
    )
    assert response.status_code == 400
    assert response.context["editor"].mode == "raw"
    assert "nesting is too deep" in response.content.decode()
