"""Findings from probing a production-configured site (issue 15, item 10), each closed with its test.

Foreign form charsets, hidden characters in card text, mail links from SITE_URL, reserved slugs,
login throttling per address, and remote images per card.
"""

import html
import re
import runpy
from io import StringIO
from urllib.parse import urlencode

import pytest
import yaml
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from accounts.checks import site_url_names_the_site
from modelcards import mail_texts
from modelcards.cardfile import parse_or_problems
from modelcards.cardfiles_on_disk import find_card_files
from modelcards.models import Comment, ModelCard, Suggestion, TalkThread, validate_card_slug
from modelcards.mot_import import import_mot
from modelcards.rendering import MAX_REMOTE_IMAGES, render_markdown
from modelcards.workflow import WorkflowError
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"


def page_text(response) -> str:
    return html.unescape(response.content.decode())


# 1. A form body declared in a charset other than UTF-8 is a 400, never a 500 ----------------------

FOREIGN_CHARSETS = ["utf-7", "latin-1", "utf-16", "iso-8859-1"]


def _encoded(fields: dict, charset: str, *, multipart: bool) -> tuple[bytes, str]:
    if multipart:
        text = "".join(
            f'--BOUNDARY\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        )
        return (text + "--BOUNDARY--\r\n").encode(charset), "multipart/form-data; boundary=BOUNDARY"
    return urlencode(fields).encode(charset), "application/x-www-form-urlencoded"


def _csrf_client(person=None) -> tuple[Client, str]:
    """A client that checks CSRF as a browser's requests are checked, holding a real token."""
    client = Client(enforce_csrf_checks=True)
    if person is not None:
        client.force_login(person)
    client.get("/accounts/login/")
    return client, client.cookies["csrftoken"].value


@pytest.fixture
def forms(card, user, moderator):
    suggestion = Suggestion.objects.create(
        card=card, base_version=1, text=SAMPLE_README + "\nMore.\n", summary="More", author=user
    )
    return {
        "talk thread": ("/cards/sample/talk/", user, {"title": "Hello", "body": "A question"}),
        "suggestion": (
            "/cards/sample/suggest/",
            None,
            {"text": SAMPLE_README + "\nX.\n", "summary": "s", "base_version": "1"},
        ),
        "login": ("/accounts/login/", None, {"username": "reader", "password": PASSWORD}),
        "direct edit": (
            "/cards/sample/edit/",
            moderator,
            {"text": SAMPLE_README + "\nY.\n", "summary": "s", "base_version": "1"},
        ),
        "reject": (f"/suggestions/{suggestion.pk}/reject/", moderator, {"note": "No thanks"}),
    }


@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
@pytest.mark.parametrize("charset", FOREIGN_CHARSETS)
@pytest.mark.parametrize("form", ["talk thread", "suggestion", "login", "direct edit", "reject"])
def test_a_form_sent_in_another_charset_is_a_400_that_says_so(forms, card, form, charset, multipart):
    path, person, fields = forms[form]
    client, token = _csrf_client(person)
    body, content_type = _encoded({**fields, "csrfmiddlewaretoken": token}, charset, multipart=multipart)
    response = client.generic("POST", path, body, content_type=f"{content_type}; charset={charset}")
    assert response.status_code == 400
    assert f"“{charset}” encoding; this site reads forms only as UTF-8" in page_text(response)
    assert Suggestion.objects.count() == 1 and not TalkThread.objects.exists()
    assert card.versions.count() == 1
    assert Suggestion.objects.get().status == Suggestion.Status.PENDING


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8"])
def test_a_form_declared_as_utf8_under_any_of_its_names_is_read(card, charset):
    client, token = _csrf_client()
    fields = {"text": SAMPLE_README + "\nÉté.\n", "summary": "Été", "base_version": "1"}
    body, content_type = _encoded({**fields, "csrfmiddlewaretoken": token}, "utf-8", multipart=False)
    response = client.generic(
        "POST", "/cards/sample/suggest/", body, content_type=f"{content_type}; charset={charset}"
    )
    assert response.status_code == 302
    assert Suggestion.objects.get().summary == "Été"


def test_a_charset_on_a_get_changes_nothing_about_the_address(client, card):
    response = client.get("/cards/?q=%C3%A9t%C3%A9", CONTENT_TYPE="text/plain; charset=utf-16")
    assert response.status_code == 200
    assert response.context["request"].GET["q"] == "été"


# 2. Direction overrides and control characters in card text and YAML values ---------------------


def with_body_line(line: str) -> str:
    """SAMPLE_README with `line` added as its 37th and last line."""
    lines = SAMPLE_README.split("\n")
    return "\n".join([*lines[:36], line, *lines[36:]])


HIDDEN = [
    ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("\u202a", "U+202A LEFT-TO-RIGHT EMBEDDING"),
    ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ("\u2069", "U+2069 POP DIRECTIONAL ISOLATE"),
    ("\x1b", "U+001B ESCAPE"),
    ("\x07", "U+0007 BELL"),
    ("\x0c", "U+000C FORM FEED"),
    ("\x7f", "U+007F DELETE"),
    ("\x85", "U+0085 NEXT LINE"),
    ("\x9b", "U+009B CONTROL SEQUENCE INTRODUCER"),
]


@pytest.mark.parametrize(("character", "named"), HIDDEN, ids=[name for _, name in HIDDEN])
def test_a_suggestion_holding_a_hidden_character_is_refused_with_its_place(client, card, character, named):
    text = with_body_line(f"Fix{character}es")
    response = client.post("/cards/sample/suggest/", {"text": text, "summary": "s", "base_version": 1})
    assert response.status_code == 400
    assert f"line 37: {named} at column 4 is not allowed" in page_text(response)
    assert not Suggestion.objects.exists()


def test_every_hidden_character_is_listed_not_only_the_first(client, card):
    text = with_body_line("a\u202eb") + "end\u2066\n"
    response = client.post("/cards/sample/suggest/", {"text": text, "summary": "s", "base_version": 1})
    shown = page_text(response)
    assert "line 37: U+202E RIGHT-TO-LEFT OVERRIDE at column 2" in shown
    assert "line 38: U+2066 LEFT-TO-RIGHT ISOLATE at column 4" in shown


@pytest.mark.parametrize(
    ("escape", "named"),
    [("\\u202E", "U+202E RIGHT-TO-LEFT OVERRIDE"), ("\\e", "U+001B ESCAPE"), ("\\N", "U+0085 NEXT LINE")],
)
def test_a_yaml_value_spelling_a_hidden_character_as_an_escape_is_refused(client, card, escape, named):
    text = SAMPLE_README.replace("library_name: transformers", f'library_name: "trans{escape}formers"')
    response = client.post("/cards/sample/suggest/", {"text": text, "summary": "s", "base_version": 1})
    assert response.status_code == 400
    assert f"line 12: library_name: the quoted value at column 15 spells {named} as an escape" in page_text(
        response
    )
    assert not Suggestion.objects.exists()


def test_direct_edits_and_imports_refuse_hidden_characters_too(client, card, moderator, tmp_path):
    text = with_body_line("txt.\u202eexe")
    client.force_login(moderator)
    response = client.post("/cards/sample/edit/", {"text": text, "summary": "s", "base_version": 1})
    assert response.status_code == 400 and "U+202E RIGHT-TO-LEFT OVERRIDE" in page_text(response)
    upload = SimpleUploadedFile("fresh.md", text.encode())
    response = client.post("/cards/import/", {"slug": "fresh", "file": upload})
    assert response.status_code == 400 and "line 37: U+202E RIGHT-TO-LEFT OVERRIDE at column 5" in page_text(
        response
    )
    response = client.post("/cards/import/", {"slug": "fresh", "text": text})
    assert response.status_code == 400
    (tmp_path / "fresh.md").write_text(text, encoding="utf-8")
    output = StringIO()
    with pytest.raises(Exception):  # noqa: B017 - the command ends with a CommandError naming the count
        call_command("import_cards", str(tmp_path / "fresh.md"), stdout=output, stderr=StringIO())
    assert "line 37: U+202E RIGHT-TO-LEFT OVERRIDE at column 5 is not allowed" in output.getvalue()
    assert not ModelCard.objects.filter(slug="fresh").exists()
    assert card.versions.count() == 1


def test_a_model_openness_tool_release_name_with_a_hidden_character_is_refused(moderator):
    document = {"release": {"name": "Fresh\u202e-1B", "producer": "Someone", "components": []}}
    with pytest.raises(
        WorkflowError, match="U\\+202E RIGHT-TO-LEFT OVERRIDE at column [0-9]+ is not allowed"
    ):
        import_mot(yaml.safe_dump(document).encode(), slug="fresh-1b", user=moderator)
    assert not ModelCard.objects.filter(slug="fresh-1b").exists()


def test_marks_that_only_nudge_direction_are_kept(client, card):
    text = with_body_line("שלום\u200f (RLM), left\u200e (LRM), عربي\u061c (ALM), a\ttab")
    response = client.post("/cards/sample/suggest/", {"text": text, "summary": "s", "base_version": 1})
    assert response.status_code == 302
    assert Suggestion.objects.get().text == text


def test_comments_and_talk_messages_refuse_hidden_characters(client, card, user):
    client.force_login(user)
    response = client.post("/cards/sample/talk/", {"title": "Hi", "body": "first line\r\nsee \u202egnp.exe"})
    assert response.status_code == 400
    assert "line 2: U+202E RIGHT-TO-LEFT OVERRIDE at column 5 is not allowed" in page_text(response)
    assert not TalkThread.objects.exists()
    thread = TalkThread.objects.create(card=card, title="Hi", author=user)
    response = client.post(f"/cards/sample/talk/{thread.pk}/", {"body": "a\x1b[31mred"})
    assert response.status_code == 400
    assert not Comment.objects.exists()
    suggestion = Suggestion.objects.create(card=card, text=card.text, summary="s", base_version=1)
    response = client.post(f"/suggestions/{suggestion.pk}/comment/", {"body": "see \u202egnp.exe"})
    assert response.status_code == 400  # and the reason, located, not a generic "needs some text"
    assert "line 1: U+202E RIGHT-TO-LEFT OVERRIDE at column 5 is not allowed" in page_text(response)
    assert not Comment.objects.exists()


def test_a_stored_card_holding_one_is_still_shown_and_not_rewritten(client, make_card):
    text = with_body_line("stored before the rule \u202e here")
    stored = make_card(slug="older", text=text)
    assert client.get("/cards/older/").status_code == 200
    stored.refresh_from_db()
    assert stored.text == text


@pytest.mark.parametrize("found", find_card_files(["modelcards/demo_cards"]), ids=lambda found: found.slug)
def test_demo_cards_hold_no_refused_character(found):
    assert parse_or_problems(found.path.read_text(encoding="utf-8"))[1] == []


# 3. Mail links start with SITE_URL, whatever Host the request named -----------------------------


def test_a_password_reset_link_ignores_the_requests_host_and_port(client, user, settings):
    settings.SITE_URL = "https://cards.example.org"
    response = client.post(
        "/accounts/password/reset/", {"email": "reader@example.org"}, HTTP_HOST="127.0.0.1:9999"
    )
    assert response.status_code == 302
    (sent,) = mail.outbox
    assert re.search(r"https://cards\.example\.org/accounts/reset/\S+/", sent.body)
    assert "9999" not in sent.body and "127.0.0.1" not in sent.body
    assert "9999" not in sent.subject


def test_watchers_mail_links_start_with_site_url(card, moderator, edit_card, settings):
    settings.SITE_URL = "https://cards.example.org"
    version = edit_card(card, SAMPLE_README + "\nNew.\n", user=moderator)
    _subject, body = mail_texts.render(f"new_version:{version.pk}")
    assert "Card: https://cards.example.org/cards/sample/" in body


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"DEBUG": "1"}, "http://127.0.0.1:8000"),
        ({"DEBUG": "0", "ALLOWED_HOSTS": ".example.org,cards.example.org"}, "https://cards.example.org"),
        ({"DEBUG": "0", "SITE_URL": "https://models.example.org/"}, "https://models.example.org"),
        ({"DEBUG": "1", "SITE_URL": "http://127.0.0.1:9000"}, "http://127.0.0.1:9000"),
    ],
)
def test_site_url_comes_from_the_environment_or_a_safe_default(monkeypatch, environment, expected):
    for name in ("DEBUG", "SITE_URL", "ALLOWED_HOSTS", "DATABASE_REPLICA_URLS", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert runpy.run_path("config/settings.py")["SITE_URL"] == expected


@pytest.mark.parametrize("value", ["cards.example.org", "ftp://cards.example.org", "https://x.org/cards"])
def test_a_site_url_that_is_not_an_address_alone_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("SITE_URL", value)
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        runpy.run_path("config/settings.py")


def test_the_deploy_check_warns_when_mail_links_would_point_at_this_machine(settings):
    settings.DEBUG = False
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert [warning.id for warning in site_url_names_the_site(None)] == ["accounts.W001"]
    settings.SITE_URL = "https://cards.example.org"
    assert site_url_names_the_site(None) == []


# 4. Reserved card slugs -------------------------------------------------------------------------

RESERVED = [
    "con", "nul", "aux", "prn", "com1", "com9", "lpt1", "lpt9", "con.txt", "nul.tar.gz", "aux.md",
    "notes.md", "card.json", "card.yaml", "card.yml", "import", "import-mof", "new",
]  # fmt: skip
ALLOWED = [
    "com0",
    "com10",
    "lpt0",
    "console",
    "nullable",
    "auxiliary",
    "newer",
    "imports",
    "x.mdx",
    "a.jsonl",
]


@pytest.mark.parametrize("slug", RESERVED)
def test_reserved_slugs_are_refused_with_a_reason(slug):
    with pytest.raises(ValidationError, match="cannot be a card slug"):
        validate_card_slug(slug)


@pytest.mark.parametrize("slug", ALLOWED)
def test_names_that_only_resemble_reserved_ones_are_allowed(slug):
    validate_card_slug(slug)


@pytest.mark.parametrize("slug", ["CON", "Lpt3.TXT", "Notes.MD"])
def test_reserved_slugs_are_refused_whatever_their_case_on_the_import_form(client, moderator, slug):
    client.force_login(moderator)
    response = client.post("/cards/import/", {"slug": slug, "text": "# A card\n"})
    assert response.status_code == 400
    assert f"'{slug.lower()}' cannot be a card slug" in page_text(response)
    assert not ModelCard.objects.exists()


def test_a_file_named_like_a_device_gives_no_card(client, moderator):
    client.force_login(moderator)
    response = client.post("/cards/import/", {"file": SimpleUploadedFile("nul.md", b"# A card\n")})
    assert response.status_code == 400
    assert "Windows reserves the name NUL" in page_text(response)


@pytest.mark.parametrize("slug", ["prn", "import-mof", "readme.yml"])
def test_a_new_card_suggestion_cannot_take_a_reserved_slug(client, slug):
    response = client.post(
        "/cards/new/suggest/", {"slug": slug, "text": "# A card\n", "summary": "New", "base_version": 0}
    )
    assert response.status_code == 400
    assert "cannot be a card slug" in page_text(response)
    assert not Suggestion.objects.exists()


def test_the_import_command_and_the_openness_import_refuse_reserved_slugs(tmp_path, moderator):
    (tmp_path / "card.md").write_text("# A card\n", encoding="utf-8")
    output = StringIO()
    with pytest.raises(Exception):  # noqa: B017 - the command ends with a CommandError naming the count
        call_command("import_cards", str(tmp_path / "card.md"), "--slug", "lpt1", stdout=output)
    assert "refused: 'lpt1'" in output.getvalue()
    document = {"release": {"name": "Com1", "producer": "Someone", "components": []}}
    with pytest.raises(WorkflowError, match="Windows reserves the name COM1"):
        import_mot(yaml.safe_dump(document).encode(), slug=None, user=moderator)
    assert not ModelCard.objects.exists()


def test_every_fixed_segment_under_cards_is_reserved():
    from django.urls import get_resolver

    routes = [str(pattern.pattern) for pattern in get_resolver("modelcards.urls").url_patterns]
    fixed = {route.split("/")[1] for route in routes if route.startswith("cards/") and "<" not in route}
    fixed.discard("")
    assert {"import", "import-mof", "new"} <= fixed
    for segment in fixed:
        with pytest.raises(ValidationError):
            validate_card_slug(segment)


def test_a_card_stored_under_a_now_reserved_slug_keeps_working(client, make_card, moderator):
    make_card(slug="con")
    assert client.get("/cards/con/").status_code == 200
    client.force_login(moderator)
    response = client.post(
        "/cards/con/edit/", {"text": SAMPLE_README + "\nZ.\n", "summary": "s", "base_version": 1}
    )
    assert response.status_code == 302


# 5. Logins throttled per client address as well as per account and address ----------------------


def login(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


@pytest.fixture
def address_limit(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.ACCOUNTS_LOGIN_FAILURES_PER_ADDRESS = 12
    return 12


def test_many_wrong_passwords_for_different_usernames_lock_the_address(user, address_limit):
    for n in range(address_limit):
        response = login(Client(REMOTE_ADDR="198.51.100.7"), f"someone-{n}", "wrong")
        assert response.status_code == (429 if n == address_limit - 1 else 200)
    # Now even the right password of an account never tried from there is refused from that address,
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    response = login(attacker, "reader", PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in attacker.session
    assert "from your network, on several accounts" in page_text(response)
    # and from elsewhere the account is untouched.
    elsewhere = Client(REMOTE_ADDR="198.51.100.8")
    assert login(elsewhere, "reader", PASSWORD).status_code == 302


def test_a_shared_address_has_room_for_a_few_typos_on_each_account(make_user, address_limit):
    people = [make_user(f"colleague{n}") for n in range(3)]
    for person in people:
        for _ in range(3):
            assert login(Client(REMOTE_ADDR="203.0.113.9"), person.username, "typo").status_code == 200
    for person in people:
        assert login(Client(REMOTE_ADDR="203.0.113.9"), person.username, PASSWORD).status_code == 302


def test_logging_in_to_ones_own_account_does_not_reset_the_address_count(make_user, address_limit):
    make_user("own")
    client = Client(REMOTE_ADDR="198.51.100.9")
    for n in range(address_limit - 1):
        login(client, f"victim-{n}", "guess")
    assert login(client, "own", PASSWORD).status_code == 302
    client.logout()
    assert login(client, "victim-x", "guess").status_code == 429


def test_behind_a_proxy_the_forwarded_address_is_the_one_counted(user, address_limit, settings):
    settings.MODELCARDS_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(address_limit):
        login(Client(**proxy), f"someone-{n}", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.5")
    blocked = login(Client(**proxy), "reader", PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert blocked.status_code == 429
    neighbour = login(Client(**proxy), "reader", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert neighbour.status_code == 302


# 6. Remote images per card capped, lazy and without a Referer -----------------------------------


def images(count: int, start: int = 0) -> str:
    return "\n\n".join(
        f"![figure {n}](https://images.example.org/{n}.png)" for n in range(start, start + count)
    )


def test_remote_images_past_the_cap_become_links(client, make_card):
    extra = 3
    output = str(render_markdown(images(MAX_REMOTE_IMAGES + extra)).html)
    assert output.count("<img") == MAX_REMOTE_IMAGES
    for n in range(MAX_REMOTE_IMAGES, MAX_REMOTE_IMAGES + extra):
        assert f'<a href="https://images.example.org/{n}.png" rel="nofollow ugc noopener"' in output
        assert f">figure {n}</a>" in output
    make_card(slug="gallery", text="# Gallery\n\n" + images(MAX_REMOTE_IMAGES + extra))
    page = client.get("/cards/gallery/").content.decode()
    assert page.count('src="https://images.example.org/') == MAX_REMOTE_IMAGES


def test_every_image_loads_lazily_and_sends_no_referrer():
    output = str(
        render_markdown(
            '![a](https://x.org/a.png)\n\n<img src="https://x.org/b.png" loading="eager" '
            'referrerpolicy="unsafe-url">\n\n![local](figures/c.png)'
        ).html
    )
    tags = re.findall(r"<img [^>]*>", output)
    assert len(tags) == 3
    for tag in tags:
        assert 'loading="lazy"' in tag and 'referrerpolicy="no-referrer"' in tag
    assert "eager" not in output and "unsafe-url" not in output


def test_relative_images_do_not_count_and_disguised_remote_ones_do():
    local = "\n\n".join(f"![l{n}](figures/{n}.png)" for n in range(MAX_REMOTE_IMAGES + 5))
    assert str(render_markdown(local).html).count("<img") == MAX_REMOTE_IMAGES + 5
    disguised = (
        images(MAX_REMOTE_IMAGES)
        + '\n\n<img src="//evil.example/x.png">\n\n<img src="/\\evil.example/y.png">'
    )
    output = str(render_markdown(disguised).html)
    assert output.count("<img") == MAX_REMOTE_IMAGES
    assert ">image</a>" in output


def test_a_linked_image_past_the_cap_keeps_one_link_with_its_alt_text():
    text = (
        images(MAX_REMOTE_IMAGES) + "\n\n[![build passing](https://badge.example/b.svg)](https://ci.example/)"
    )
    output = str(render_markdown(text).html)
    assert '<a href="https://ci.example/" rel="nofollow ugc noopener">build passing</a>' in output
    assert "badge.example" not in output


def test_a_suggestion_held_for_a_moderators_look_is_not_in_the_cards_public_pending_count(client, card):
    Suggestion.objects.create(card=card, text=card.text + "\nHeld.\n", summary="s", base_version=1, held=True)
    assert "pending review" not in client.get("/cards/sample/").content.decode()
    Suggestion.objects.create(card=card, text=card.text + "\nOpen.\n", summary="s", base_version=1)
    assert "1 suggestion pending review" in client.get("/cards/sample/").content.decode()
