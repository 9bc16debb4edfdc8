"""Hub README.md files go in and come out byte for byte, through the command and the site."""

from io import StringIO

import pytest
from django.core.management import call_command

from modelcards.models import CardVersion, ModelCard

pytestmark = pytest.mark.django_db

# Shapes seen on the Hub: comments, quoting styles, flow lists, nested model-index, unicode,
# Windows line ends, a byte-order mark, no final newline, no front matter, trailing spaces.
HUB_STYLE_READMES = {
    "commented": (
        "---\n# Metadata for the Hub\nlicense: apache-2.0  # SPDX id\nlanguage:\n  - en\n  - 'no'\n"
        "tags: [text-classification, 'sentiment']\nwidget:\n- text: \"I love this!\"\n---\n\n# Sentiment\n"
    ),
    "model-index": (
        "---\nlicense: mit\nmodel-index:\n- name: tiny-bert\n  results:\n  - task:\n"
        "      type: text-classification\n      name: Text Classification\n    dataset:\n"
        "      name: GLUE SST-2\n      type: glue\n      config: sst2\n      split: validation\n"
        "    metrics:\n    - type: accuracy\n      value: 0.9105\n      verified: false\n"
        "---\n# tiny-bert\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    ),
    "unicode": "---\nlicense: cc-by-4.0\nlanguage: zh\n---\n# 中文模型 🤗\n\nÜber façade – “quotes” — dash\n",
    "crlf": "---\r\nlicense: openrail\r\ntags:\r\n- art\r\n---\r\n# Painter\r\n\r\nDraws.\r\n",
    "bom": "\ufeff---\nlicense: mit\n---\n# With a byte-order mark\n",
    "no-final-newline": "---\nlicense: mit\n---\n# Ends abruptly",
    "no-front-matter": "# Just Markdown\n\nNo metadata at all.\n",
    "late-front-matter": "# Title first\n\n---\nlicense: mit\n---\n\nThat block is body text on the Hub.\n",
    "trailing-spaces": "---\nlicense: mit   \ndate: 2023-01-01\nversion: 1.10\n---\n# Spaces   \n\n\n\n",
    "empty-front-matter": "---\n---\n# Empty metadata\n",
}


@pytest.mark.parametrize("name", sorted(HUB_STYLE_READMES))
def test_hub_readme_round_trips_byte_for_byte_through_import_export_and_download(tmp_path, client, name):
    raw = HUB_STYLE_READMES[name].encode("utf-8")
    source = tmp_path / "in" / name
    source.mkdir(parents=True)
    (source / "README.md").write_bytes(raw)
    call_command("import_cards", str(tmp_path / "in"), stdout=StringIO(), stderr=StringIO())
    assert client.get(f"/cards/{name}.md").content == raw
    out = tmp_path / "out"
    call_command("export_cards", "--out", str(out), stdout=StringIO(), stderr=StringIO())
    assert (out / name / "README.md").read_bytes() == raw
    report = StringIO()
    call_command("import_cards", str(out), stdout=report, stderr=StringIO())
    assert f"{name}: unchanged" in report.getvalue()
    assert CardVersion.objects.filter(card__slug=name).count() == 1


def test_yaml_coercions_do_not_change_meaning_in_the_json_view(tmp_path, client):
    path = tmp_path / "coerce.md"
    path.write_text(HUB_STYLE_READMES["trailing-spaces"] + "")
    call_command("import_cards", str(path), stdout=StringIO(), stderr=StringIO())
    metadata = client.get("/cards/coerce.json").json()["metadata"]
    assert metadata["date"] == "2023-01-01"
    assert metadata["version"] == "1.10"


def test_late_front_matter_is_body_text_as_on_the_hub(tmp_path):
    path = tmp_path / "late.md"
    path.write_text(HUB_STYLE_READMES["late-front-matter"])
    call_command("import_cards", str(path), stdout=StringIO(), stderr=StringIO())
    card = ModelCard.objects.get(slug="late")
    assert card.metadata == {}
    assert card.license == ""
    assert card.title == "Title first"


def test_norwegian_language_code_stays_a_string(tmp_path, client):
    path = tmp_path / "nb.md"
    path.write_text(HUB_STYLE_READMES["commented"])
    call_command("import_cards", str(path), stdout=StringIO(), stderr=StringIO())
    assert client.get("/cards/nb.json").json()["metadata"]["language"] == ["en", "no"]
