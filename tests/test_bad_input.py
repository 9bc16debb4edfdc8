"""Bad input never yields a 500: unknown names, malformed numbers, NULs, invalid UTF-8, oversized posts.

Every case gets a 4xx (or is handled as a normal page) with a reason; none reaches the database as a
value it cannot hold. On PostgreSQL, NULs and out-of-range integers are the classic routes to a 500.
"""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from modelcards.models import Comment, ModelCard, Suggestion, TalkThread
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

HUGE = "9" * 30

UNKNOWN_OR_MALFORMED = [
    ("/cards/no-such-card/", 404),
    ("/cards/no-such-card.md", 404),
    ("/cards/no-such-card.json", 404),
    ("/cards/no-such-card/history/", 404),
    ("/cards/no-such-card/feed/", 404),
    ("/cards/sample/v/0/", 404),
    ("/cards/sample/v/2/", 404),
    (f"/cards/sample/v/{HUGE}/", 404),
    (f"/cards/sample/v/{HUGE}.md", 404),
    (f"/cards/sample/diff/1/{HUGE}/", 404),
    (f"/cards/sample/diff/{HUGE}/{HUGE}/", 404),
    ("/cards/sample/diff/2/1/", 404),
    ("/cards/sample/diff/-1/1/", 404),
    ("/cards/sample/v/one/", 404),
    ("/cards/sample/history/?before=abc", 400),
    ("/cards/sample/history/?after=-3", 400),
    (f"/cards/sample/history/?before={HUGE}", 400),
    ("/cards/sample/history/?before=%D9%A3", 400),  # an Arabic-Indic digit is not a version number
    ("/cards/sample/compare/?a=1&b=x", 400),
    (f"/cards/sample/compare/?a=1&b={HUGE}", 400),
    ("/cards/sample/compare/?a=1&b=7", 302),  # a well-formed number goes on to the diff, which 404s
    ("/changes/?before=x", 400),
    ("/changes/?kind=nonsense", 400),
    (f"/changes/?before={'1' * 9}", 200),
    ("/cards/?page=abc", 404),
    (f"/cards/?page={HUGE}", 404),
    ("/suggestions/?page=abc&status=whatever", 200),
    (f"/suggestions/{HUGE}/", 404),
    (f"/cards/sample/talk/{HUGE}/", 404),
    ("/cards/sample/suggest/?section=abc", 404),
    (f"/cards/sample/suggest/?section={HUGE}", 404),
    ("/cards/sample/suggest/?section=%D9%A3", 404),
    ("/users/no-such-person/", 404),
    ("/cards/%FF%FE/", 404),  # invalid UTF-8 in the path
    ("/cards/?q=%FF%FE", 200),  # and in the query string: decoded with replacement characters
    ("/suggestions/1/?token=%C3%A9", 404),  # non-ASCII token on a missing suggestion
]


@pytest.mark.parametrize(("url", "status"), UNKNOWN_OR_MALFORMED)
def test_unknown_or_malformed_addresses_get_a_4xx(client, card, url, status):
    assert client.get(url).status_code == status


@pytest.mark.parametrize(
    "url",
    [
        "/cards/?q=a%00b",
        "/cards/?tag=%00",
        "/cards/?license=mit%00",
        "/changes/?card=sample%00",
        "/suggestions/?card=%00",
        "/users/a%00b/",
        "/cards/sa%00mple/",
        "/accounts/login/?next=/%00",
    ],
)
def test_a_nul_anywhere_in_the_address_is_a_400_that_says_why(client, card, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_in_a_cookie_is_a_400_not_a_session_lookup(client, card):
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/cards/sample/").status_code == 400


def test_a_nul_in_a_posted_field_is_refused_with_its_line_and_the_text_kept(client, card):
    text = SAMPLE_README + "\nLine with a \x00 in it.\n"
    response = client.post("/cards/sample/suggest/", {"text": text, "summary": "s", "base_version": 1})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    nul_line = text[: text.index("\x00")].count("\n") + 1
    assert f"line {nul_line}: the field “text” contains a NUL character" in page
    assert text.replace("\x00", "") in page
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("reject", {"note": "no\x00"}),
        ("comment", {"body": "hi\x00"}),
        ("block", {"reason": "spam\x00"}),
        ("accept", {"seen_fingerprint": "x\x00", "seen_version": "1"}),
    ],
)
def test_nuls_in_moderator_posts_are_refused_before_any_view(client, card, moderator, path, data):
    suggestion = Suggestion.objects.create(card=card, base_version=1, text=SAMPLE_README + "x", summary="s")
    client.force_login(moderator)
    assert client.post(f"/suggestions/{suggestion.pk}/{path}/", data).status_code == 400
    suggestion.refresh_from_db()
    assert suggestion.status == "pending" and not Comment.objects.exists()


def test_a_non_ascii_token_is_simply_not_the_token(client, card):
    suggestion = Suggestion.objects.create(
        card=card, base_version=1, text=SAMPLE_README + "x", summary="s", access_token="abc", held=True
    )
    assert client.get(f"/suggestions/{suggestion.pk}/", {"token": "é"}).status_code == 404
    assert client.post(f"/suggestions/{suggestion.pk}/withdraw/", {"token": "é"}).status_code == 404


def test_a_malformed_comment_number_in_moderation_is_refused_politely(client, card, moderator):
    thread = TalkThread.objects.create(card=card, title="t", author=moderator)
    client.force_login(moderator)
    for value in ("abc", "-1", "١", HUGE, ""):
        response = client.post(
            f"/cards/sample/talk/{thread.pk}/moderate/", {"action": "hide_comment", "comment": value}
        )
        assert response.status_code == 302, value


def test_invalid_utf8_in_a_form_body_is_decoded_not_crashed_on(client, card):
    body = b"text=%FF%FE%FD&summary=%C3%28&base_version=1"
    response = client.post("/cards/sample/suggest/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400)


def test_a_post_larger_than_any_form_needs_is_refused_unread_with_a_413(client, card):
    response = client.post(
        "/cards/sample/suggest/", {"text": "x" * (3 * 1024 * 1024), "summary": "s", "base_version": 1}
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "too large" in page and "3.0 MB" in page and "at most 512 KB" in page
    assert Suggestion.objects.count() == 0


def test_a_huge_upload_is_refused_before_it_is_read(client, moderator, monkeypatch):
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    def spooled(*args, **kwargs):
        raise AssertionError("the upload was read")

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", spooled)
    client.force_login(moderator)
    upload = SimpleUploadedFile("huge.md", b"# Huge\n" + b"x" * (4 * 1024 * 1024))
    response = client.post("/cards/import/", {"slug": "huge", "file": upload})
    assert response.status_code == 413
    assert not ModelCard.objects.filter(slug="huge").exists()


def test_the_largest_card_file_a_form_takes_still_gets_through(client, moderator, settings):
    text = SAMPLE_README + "\n" + "Filler line for size.\n" * 30000
    text = text[: settings.MODELCARDS_MAX_CARD_BYTES - 1] + "\n"
    assert len(text.encode()) == settings.MODELCARDS_MAX_CARD_BYTES
    client.force_login(moderator)
    upload = SimpleUploadedFile("largest.md", text.encode())
    response = client.post("/cards/import/", {"slug": "largest", "file": upload, "summary": "Largest card"})
    assert response.status_code == 302
    assert ModelCard.objects.get(slug="largest").size == settings.MODELCARDS_MAX_CARD_BYTES


def test_fields_over_the_form_limit_but_under_the_request_limit_are_still_a_400(client, card, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    response = client.post(
        "/cards/sample/suggest/", {"text": "x" * 200_000, "summary": "s", "base_version": 1}
    )
    assert response.status_code == 400


def test_a_post_with_too_many_fields_is_a_400(client, card):
    data = {f"field{i}": "x" for i in range(300)}
    assert client.post("/cards/sample/suggest/", data).status_code == 400


def test_upload_limits_are_set_explicitly(settings):
    from config import settings as project

    assert project.DATA_UPLOAD_MAX_MEMORY_SIZE >= project.MODELCARDS_MAX_CARD_BYTES * 2
    assert project.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 1000
    assert project.DATA_UPLOAD_MAX_NUMBER_FILES <= 10
    assert project.FILE_UPLOAD_MAX_MEMORY_SIZE <= 4 * 1024 * 1024


def test_a_card_or_suggestion_over_the_size_limit_is_refused_with_its_size(client, card, moderator, settings):
    settings.MODELCARDS_MAX_CARD_BYTES = 2000
    big = SAMPLE_README + "x" * 2500 + "\n"
    response = client.post("/cards/sample/suggest/", {"text": big, "summary": "s", "base_version": 1})
    assert response.status_code == 400
    assert "may be at most 2,000 bytes" in response.content.decode()
    client.force_login(moderator)
    response = client.post("/cards/sample/edit/", {"text": big, "summary": "s", "base_version": 1})
    assert response.status_code == 400 and "at most 2,000 bytes" in response.content.decode()
    upload = SimpleUploadedFile("big.md", big.encode())
    response = client.post("/cards/import/", {"file": upload})
    assert response.status_code == 400 and "at most 2,000 bytes" in response.content.decode()


def test_an_upload_that_is_not_utf8_is_refused_with_the_byte(client, moderator):
    client.force_login(moderator)
    for raw in (b"# Title\n\xff\xfe\n", b"# T\n\xed\xa0\x80 lone surrogate\n"):
        response = client.post("/cards/import/", {"slug": "x", "file": SimpleUploadedFile("x.md", raw)})
        assert response.status_code == 400
        assert "not valid UTF-8" in response.content.decode()


LONG = "a" * 301


@pytest.mark.parametrize(
    ("summary", "problem"),
    [
        (LONG, "at most 300 characters"),
        ("Fixes the licence\u202egnp.exe", "direction-changing"),
        ("first line\nsecond line", "one line"),
        ("tab\there", "one line"),
        ("next line\u0085hidden", "one line"),
        ("line\u2028separator", "one line"),
        ("isolate\u2066here\u2069", "one line"),
    ],
)
def test_single_line_fields_refuse_overlong_control_and_bidi_text(client, card, moderator, summary, problem):
    text = SAMPLE_README + "\nX.\n"
    response = client.post("/cards/sample/suggest/", {"text": text, "summary": summary, "base_version": 1})
    assert response.status_code == 400 and problem in html.unescape(response.content.decode())
    name = "a" * 81 if summary == LONG else summary
    response = client.post(
        "/cards/sample/suggest/", {"text": text, "summary": "fine", "author_name": name, "base_version": 1}
    )
    assert response.status_code == 400
    client.force_login(moderator)
    assert (
        client.post("/cards/sample/edit/", {"text": text, "summary": summary, "base_version": 1}).status_code
        == 400
    )
    thread = client.post("/cards/sample/talk/", {"title": summary, "body": "b"})
    assert thread.status_code == 400
    upload = SimpleUploadedFile("new.md", b"# New\n")
    assert (
        client.post("/cards/import/", {"slug": "fresh", "file": upload, "summary": summary}).status_code
        == 400
    )
    assert (
        client.post(
            "/cards/import/", {"slug": "fresh", "file": SimpleUploadedFile("f.md", b"# F\n")}
        ).status_code
        == 302
    )
    assert not Suggestion.objects.exists() and not TalkThread.objects.exists()
    assert card.versions.count() == 1


def test_a_revert_reason_must_be_one_line(client, card, moderator, edit_card):
    edit_card(card, SAMPLE_README + "\nv2\n", user=moderator)
    client.force_login(moderator)
    response = client.post("/cards/sample/revert/1/", {"reason": "looks\u202e fine"})
    assert response.status_code == 400
    assert card.versions.count() == 2


@pytest.mark.parametrize("base_version", ["abc", "-1", "0", "7", HUGE])
def test_a_direct_edit_based_on_a_version_that_does_not_exist_is_refused(
    client, card, moderator, base_version
):
    client.force_login(moderator)
    response = client.post(
        "/cards/sample/edit/",
        {"text": SAMPLE_README + "\nNew.\n", "summary": "s", "base_version": base_version},
    )
    assert response.status_code == 400
    assert card.versions.count() == 1


@pytest.mark.parametrize("base_version", ["abc", "-1", "7", HUGE])
def test_a_suggestion_based_on_a_version_that_does_not_exist_is_refused(client, card, base_version):
    response = client.post(
        "/cards/sample/suggest/",
        {"text": SAMPLE_README + "\nNew.\n", "summary": "s", "base_version": base_version},
    )
    assert response.status_code == 400
    assert not Suggestion.objects.exists()


def test_export_file_names_are_safe_whatever_the_title(client, make_card):
    from modelcards.cardfile import parse_card
    from modelcards.workflow import update_card

    card = make_card(slug="quoted", text='# Evil"; filename="x.exe\\"\n\nBody.\n')
    update_card(card, card_file=parse_card('# Évil ünïcode "title"\n\nBody 2.\n'), user=None, summary="s")
    for url in ("/cards/quoted.md", "/cards/quoted/v/1.md", "/cards/quoted/v/2.md"):
        disposition = client.get(url)["Content-Disposition"]
        assert disposition == 'attachment; filename="README.md"', disposition


@pytest.mark.parametrize(
    ("failure", "message"),
    [("RecursionError", "nests too deeply to render"), ("_TooSlow", "takes too long to render")],
)
def test_a_render_that_recurses_or_times_out_is_a_message_on_every_page_never_a_500(
    client, card, moderator, monkeypatch, failure, message
):
    from django.core.cache import cache

    from modelcards import rendering

    suggestion = Suggestion.objects.create(
        card=card, base_version=1, text=SAMPLE_README + "\nx\n", summary="s"
    )
    thread = TalkThread.objects.create(card=card, title="t", author=moderator)
    thread.comments.create(author=moderator, body="A *comment*.")
    cache.clear()
    exception = RecursionError if failure == "RecursionError" else rendering._TooSlow

    def fail(*args, **kwargs):
        raise exception()

    monkeypatch.setattr(rendering, "_render", fail)
    client.force_login(moderator)
    responses = [
        client.get("/cards/sample/"),
        client.get("/cards/sample/v/1/"),
        client.get(f"/suggestions/{suggestion.pk}/"),
        client.get(f"/cards/sample/talk/{thread.pk}/"),
        client.post(
            "/cards/sample/suggest/",
            {"text": SAMPLE_README + "\ny\n", "summary": "s", "base_version": 1, "preview": "1"},
        ),
    ]
    for response in responses:
        assert response.status_code == 200
        assert message in response.content.decode()
    cache.clear()


@pytest.mark.parametrize("section", ["²", "①", "١٢", "99999999999999999999", "0", "-1"])
def test_a_section_number_that_is_not_plain_digits_is_a_404(client, card, section):
    assert client.get("/cards/sample/suggest/", {"section": section}).status_code == 404
    response = client.post("/cards/sample/suggest/", {"section": section, "text": "x", "summary": "s"})
    assert response.status_code == 404


def test_a_tag_filter_longer_than_any_tag_finds_nothing_instead_of_failing(client, card):
    for tag in ("x" * 50_000, "é" * 25_000):
        response = client.get("/cards/", {"tag": tag})
        assert response.status_code == 200
        assert "Sample Model" not in response.content.decode()
    assert "Sample Model" in client.get("/cards/", {"tag": "demo"}).content.decode()


@pytest.mark.parametrize("value", ['"\\ud800"', '"\\0"'])
def test_a_suggestion_spelling_an_unstorable_character_as_a_yaml_escape_is_refused_on_the_page(
    client, card, value
):
    text = SAMPLE_README.replace("license: apache-2.0", f"license: {value}")
    response = client.post(
        "/cards/sample/suggest/", {"mode": "raw", "text": text, "summary": "s", "base_version": 1}
    )
    assert response.status_code == 400
    assert "cannot be stored" in response.content.decode()
    assert Suggestion.objects.count() == 0
    # Opening the guided editor on such a text shows its fields (and the problem) too.
    response = client.post(
        "/cards/sample/suggest/", {"mode": "raw", "text": text, "base_version": 1, "switch_mode": "guided"}
    )
    assert response.status_code in (200, 400)
    response.content.decode("utf-8")
