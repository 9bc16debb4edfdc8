"""Reading pages: home, list with search and filters, card page, exports, import page, errors."""

import json

import pytest
from django.urls import reverse

from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

SPEECH = """---
license: mit
pipeline_tag: automatic-speech-recognition
tags: [audio, asr]
---
# Listener

Transcribes speech. Mentions zebras.
"""


def test_home_lists_recently_changed_cards_and_a_search_box(client, card):
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sample Model" in html
    assert 'name="q"' in html


def test_card_list_shows_licence_task_and_last_change(client, card):
    html = client.get("/cards/").content.decode()
    assert "Sample Model" in html
    assert "apache-2.0" in html
    assert "text-generation" in html
    assert "v1" in html


@pytest.mark.parametrize(
    ("params", "expected", "absent"),
    [
        ({"q": "zebras"}, "Listener", "Sample Model"),
        ({"q": "Sample"}, "Sample Model", "Listener"),
        ({"q": "asr"}, "Listener", "Sample Model"),
        ({"license": "mit"}, "Listener", "Sample Model"),
        ({"pipeline_tag": "text-generation"}, "Sample Model", "Listener"),
        ({"tag": "audio"}, "Listener", "Sample Model"),
        ({"tag": "AUDIO"}, "Listener", "Sample Model"),
    ],
)
def test_card_list_searches_and_filters(client, make_card, params, expected, absent):
    make_card()
    make_card("listener", SPEECH)
    html = client.get("/cards/", params).content.decode()
    assert expected in html
    assert absent not in html.split("<tbody>")[-1]


def test_card_list_paginates(client, make_card):
    for i in range(30):
        make_card(f"model-{i}", SPEECH.replace("# Listener", f"# Model {i}"))
    first = client.get("/cards/").content.decode()
    assert "Page 1 of 2" in first
    assert client.get("/cards/", {"page": 2}).status_code == 200
    assert client.get("/cards/", {"page": 9}).status_code == 404
    assert client.get("/cards/", {"page": "x"}).status_code == 404


def test_card_page_shows_metadata_panel_results_and_rendered_body(client, card):
    page = client.get("/cards/sample/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Apache" in html  # licence name, not just its id
    assert "https://huggingface.co/datasets/allenai/c4" in html
    assert "HellaSwag" in html and "0.71" in html
    assert "<h2" in html and "Limitations" in html
    assert 'href="#' in html  # table of contents
    assert reverse("modelcards:card_markdown", args=["sample"]) in html


def test_card_without_licence_shows_it_as_missing(client, make_card):
    make_card("nolicence", "# Bare\n\nNo metadata at all.\n")
    assert "No licence given" in client.get("/cards/nolicence/").content.decode()


def test_markdown_export_is_the_exact_readme_as_a_download(client, card):
    response = client.get("/cards/sample.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="README.md"'
    assert response.content == SAMPLE_README.encode()


def test_json_export_has_slug_title_metadata_body_text_and_version(client, card):
    data = json.loads(client.get("/cards/sample.json").content)
    assert data["slug"] == "sample"
    assert data["title"] == "Sample Model"
    assert data["version"] == 1
    assert data["metadata"]["license"] == "apache-2.0"
    assert data["readme"] == SAMPLE_README
    assert data["body"].startswith("# Sample Model")


@pytest.mark.parametrize("url", ["/cards/nope/", "/cards/nope.md", "/cards/nope.json", "/no/such/page/"])
def test_unknown_addresses_give_a_friendly_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Not found" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_import_page_sends_anonymous_visitors_to_log_in(client):
    response = client.get("/cards/import/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_import_page_is_forbidden_to_ordinary_users(client, user):
    client.force_login(user)
    assert client.get("/cards/import/").status_code == 403


def test_moderator_creates_a_card_by_pasting_and_crlf_becomes_lf(client, moderator):
    client.force_login(moderator)
    pasted = SPEECH.replace("\n", "\r\n")
    response = client.post("/cards/import/", {"slug": "listener", "text": pasted, "summary": "New card"})
    assert response.status_code == 302
    assert client.get("/cards/listener.md").content == SPEECH.encode()


def test_moderator_uploads_a_file_and_its_bytes_are_kept(client, moderator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(moderator)
    raw = SPEECH.replace("\n", "\r\n").encode()
    upload = SimpleUploadedFile("listener.md", raw, content_type="text/markdown")
    response = client.post("/cards/import/", {"file": upload})
    assert response.status_code == 302
    assert client.get("/cards/listener.md").content == raw


def test_import_page_lists_every_metadata_problem(client, moderator):
    client.force_login(moderator)
    bad = "---\nlicense: not-a-licence\ntags: {a: 1}\n---\n# X\n"
    response = client.post("/cards/import/", {"slug": "bad", "text": bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert "not-a-licence" in html
    assert "tags" in html


def test_import_page_refuses_a_slug_that_exists(client, moderator, card):
    client.force_login(moderator)
    response = client.post("/cards/import/", {"slug": "sample", "text": SPEECH})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/", "/cards/sample/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/no/"],
)
def test_every_page_links_the_stylesheet_and_the_site_navigation(client, card, url):
    html = client.get(url).content.decode()
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html
    assert '<a class="brand" href="/">' in html
    assert '<li><a href="/cards/">Cards</a></li>' in html and '<a href="/changes/">' in html
