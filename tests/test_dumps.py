"""Dumps: written whole and the same for the same site, loaded into an empty site exactly, published
under /dumps/ and served without letting a request name any other file."""

import gzip
import json
from datetime import UTC, datetime
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Revision

from modelcards.cardfile import parse_card
from modelcards.dumps import DumpError, publishing
from modelcards.dumps import writing as dump_writing
from modelcards.dumps.loading import load_dump
from modelcards.dumps.publishing import publish_dump, publish_dumps, published_dumps, schedule_publishing
from modelcards.dumps.records import CARDS_FILE, HISTORY_FILE, MANIFEST_FILE, SUMS_FILE
from modelcards.dumps.writing import write_dump
from modelcards.models import Activity, CardVersion, ModelCard
from modelcards.workflow import (
    accept_suggestion,
    create_card,
    import_card,
    revert_card,
    submit_suggestion,
    update_card,
)
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

UNICODE_README = (
    "---\nlicense: cc-by-4.0\nlanguage: zh\n---\n# 中文模型 🤗\n\nÜber façade – “quotes” — dash\n"
)
CRLF_README = "---\r\nlicense: openrail\r\ntags:\r\n- art\r\n---\r\n# Painter\r\n\r\nDraws.\r\n"
BASE_README = "---\nlicense: apache-2.0\n---\n# Base\n\nA base model.\n"
TUNE_README = (
    "---\nlicense: mit\nbase_model: base\nmodelcardcommons:\n  summary: Answers questions about "
    "recipes; wrong about one time in five.\n---\n# Tune\n\nFine-tuned.\n"
)


def _file(text: str):
    return parse_card(text)


@pytest.fixture
def site(make_user):
    """Cards with imports, edits, an anonymous and a signed-in suggestion accepted, a revert, unicode,
    Windows line ends, a summary and a base model with a fine-tune."""
    alice = make_user("alice")
    mod = make_user("mod", moderator=True)
    sample = create_card(slug="sample", card_file=_file(SAMPLE_README), user=None, summary="Imported")
    update_card(sample, card_file=_file(SAMPLE_README + "\nEdited by Alice.\n"), user=alice, summary="Alice")
    anonymous = submit_suggestion(
        card=sample,
        text=SAMPLE_README + "\nEdited by Alice.\n\nAn anonymous note.\n",
        summary="A note",
        base_version=2,
        author=None,
        author_name="Bob the visitor",
    )
    accept_suggestion(anonymous, reviewer=mod)
    revert_card(sample, to_version=2, reviewer=mod, reason="the note was wrong")
    signed_in = submit_suggestion(
        card=sample,
        text=SAMPLE_README.replace("license: apache-2.0", "license: mit") + "\nEdited by Alice.\n",
        summary="Licence is MIT",
        base_version=4,
        author=alice,
    )
    accept_suggestion(signed_in, reviewer=mod)
    create_card(slug="unicode", card_file=_file(UNICODE_README), user=alice, summary="Ünïcödé")
    crlf = create_card(slug="crlf", card_file=_file(CRLF_README), user=None, summary="", author_name="")
    update_card(crlf, card_file=_file(CRLF_README + "More.\r\n"), user=None, summary="anonymous edit")
    import_card(
        slug="crlf", card_file=_file(CRLF_README + "More.\r\nAgain.\r\n"), user=mod, summary="Re-imported"
    )
    create_card(slug="tune", card_file=_file(TUNE_README), user=alice, summary="A fine-tune")
    create_card(slug="base", card_file=_file(BASE_README), user=mod, summary="Its base")
    return {"alice": alice, "mod": mod}


def _exports(client) -> dict:
    """Every README.md the site serves, current and at each version, and the JSON of each card."""
    found = {}
    for card in ModelCard.objects.order_by("slug"):
        found[f"{card.slug}.md"] = client.get(f"/cards/{card.slug}.md").content
        found[f"{card.slug}.json"] = client.get(f"/cards/{card.slug}.json").json()
        found[f"{card.slug}/openness.json"] = client.get(f"/cards/{card.slug}/openness.json").json()
        for number in range(1, card.version_number + 1):
            found[f"{card.slug}/v{number}.md"] = client.get(f"/cards/{card.slug}/v/{number}.md").content
    return found


def _history() -> list[tuple]:
    return [
        (
            v.card.slug,
            v.number,
            v.kind,
            v.author_display,
            v.author_id is not None,
            v.moderator.username if v.moderator_id else None,
            v.summary,
            v.merge_note,
            v.size,
            v.size_delta,
            v.created_at,
            v.revision.comment,
            v.revision.user.username if v.revision.user_id else None,
        )
        for v in CardVersion.objects.select_related("card", "author", "moderator", "revision").order_by(
            "card__slug", "number"
        )
    ]


def _cards() -> list[tuple]:
    fields = (
        "slug",
        "text",
        "title",
        "metadata",
        "version_number",
        "mof_class",
        "openness_flags",
        "licence_lineage",
        "claim_provenance",
        "completeness",
        "line_versions",
        "created_at",
        "updated_at",
    )
    return list(ModelCard.objects.order_by("slug").values_list(*fields))


def _version_activity() -> list[tuple]:
    rows = Activity.objects.filter(kind=Activity.Kind.VERSION).select_related("card", "version", "actor")
    return sorted((row.card.slug, row.version.number, row.actor_display, row.summary) for row in rows)


def _without_date(manifest_path):
    manifest = json.loads(manifest_path.read_bytes())
    manifest.pop("created_at")
    return manifest


def _empty_the_site():
    ModelCard.objects.all().delete()
    Revision.objects.all().delete()
    Activity.objects.all().delete()
    get_user_model().objects.all().delete()


def test_a_full_history_dump_loaded_into_an_empty_site_reproduces_it_exactly(site, client, tmp_path):
    call_command("dump_cards", "--out", str(tmp_path / "first"), stdout=StringIO())
    exports, history, cards = _exports(client), _history(), _cards()
    activity = _version_activity()
    _empty_the_site()

    report = StringIO()
    call_command("load_dump", str(tmp_path / "first"), stdout=report, stderr=StringIO())
    assert "Loaded 5 card(s) with 11 version(s)" in report.getvalue()
    call_command("dump_cards", "--out", str(tmp_path / "second"), stdout=StringIO())

    for name in (CARDS_FILE, HISTORY_FILE, SUMS_FILE):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name
    assert _without_date(tmp_path / "first" / MANIFEST_FILE) == _without_date(
        tmp_path / "second" / MANIFEST_FILE
    )
    assert _exports(client) == exports
    assert _history() == history
    assert _cards() == cards
    assert _version_activity() == activity  # recent changes; suggestions' own lines are not in a dump


def test_people_come_back_as_accounts_that_cannot_sign_in_and_anonymous_authors_as_names(
    site, client, tmp_path
):
    write_dump(tmp_path / "dump")
    _empty_the_site()
    load_dump(tmp_path / "dump")
    alice = get_user_model().objects.get(username="alice")
    assert not alice.has_usable_password() and alice.email == "" and not alice.groups.exists()
    client.post("/accounts/login/", {"username": "alice", "password": "pw-for-tests-1"})
    assert "_auth_user_id" not in client.session
    bob = CardVersion.objects.get(card__slug="sample", number=3)
    assert bob.author is None and bob.moderator.username == "mod"
    assert bob.author_display == "Bob the visitor (unregistered)"
    history = client.get("/cards/sample/history/").content.decode()
    assert 'href="/users/alice/"' in history and 'href="/users/mod/"' in history
    assert client.get(alice.get_absolute_url()).status_code == 200


def test_the_dump_files_hold_what_the_format_says(site, tmp_path):
    manifest = write_dump(tmp_path / "dump")
    assert manifest["cards"] == 5 and manifest["versions"] == 11 and manifest["format_version"] == 1
    with gzip.open(tmp_path / "dump" / CARDS_FILE, "rb") as lines:
        cards = [json.loads(line) for line in lines]
    assert [card["slug"] for card in cards] == ["base", "crlf", "sample", "tune", "unicode"]
    crlf = cards[1]
    assert crlf["readme"].encode() == (CRLF_README + "More.\r\nAgain.\r\n").encode()
    tune = cards[3]
    assert tune["summary"] == "Answers questions about recipes; wrong about one time in five."
    assert tune["openness"]["licence_lineage"][0]["slug"] == "base"
    assert tune["openness"]["mof"]["progress"].keys() == {"1", "2", "3"}
    assert "completeness" in tune["openness"] and tune["claim_provenance"]["license"]["by"] == "alice"
    with gzip.open(tmp_path / "dump" / HISTORY_FILE, "rb") as lines:
        versions = [json.loads(line) for line in lines]
    sample = [v for v in versions if v["slug"] == "sample"]
    assert [(v["number"], v["kind"], v["author"], v["author_account"], v["moderator"]) for v in sample] == [
        (1, "created", "", False, None),
        (2, "edited", "alice", True, None),
        (3, "suggestion", "Bob the visitor", False, "mod"),
        (4, "reverted", "mod", True, "mod"),
        (5, "suggestion", "alice", True, "mod"),
    ]
    assert sample[3]["text"] == sample[1]["text"]


def test_dumping_costs_the_same_queries_whatever_the_number_of_cards(make_card, edit_card, tmp_path):
    def queries_for(count: int) -> int:
        for number in range(ModelCard.objects.count(), count):
            card = make_card(slug=f"card-{number}")
            edit_card(card, SAMPLE_README + f"\nEdit {number}.\n")
        with CaptureQueriesContext(connection) as captured:
            write_dump(tmp_path / f"dump-{count}")
        return len(captured)

    assert queries_for(2) == queries_for(12)


def test_a_failed_dump_leaves_the_previous_one_whole_and_no_temporary_files(site, tmp_path, monkeypatch):
    out = tmp_path / "dump"
    write_dump(out)
    before = {
        name: (out / name).read_bytes() for name in (CARDS_FILE, HISTORY_FILE, SUMS_FILE, MANIFEST_FILE)
    }

    def broken(version):
        raise DumpError("the disk is on fire")

    monkeypatch.setattr(dump_writing, "version_record", broken)
    with pytest.raises(CommandError, match="the disk is on fire"):
        call_command("dump_cards", "--out", str(out), stdout=StringIO())
    with pytest.raises(DumpError):
        write_dump(tmp_path / "never")
    assert {name: (out / name).read_bytes() for name in before} == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["dump"]


def test_loading_refuses_a_site_that_is_not_empty(site, tmp_path):
    write_dump(tmp_path / "dump")
    with pytest.raises(CommandError, match="already has 5 cards. A dump loads only into an empty site"):
        call_command("load_dump", str(tmp_path / "dump"), stdout=StringIO(), stderr=StringIO())


def test_loading_refuses_a_file_that_does_not_match_its_checksum(site, tmp_path):
    write_dump(tmp_path / "dump")
    _empty_the_site()
    history = tmp_path / "dump" / HISTORY_FILE
    history.write_bytes(history.read_bytes()[:-10])
    with pytest.raises(CommandError, match="history.jsonl.gz does not match its checksum in SHA256SUMS"):
        call_command("load_dump", str(tmp_path / "dump"), stdout=StringIO(), stderr=StringIO())
    assert not ModelCard.objects.exists()


def test_loading_refuses_a_dump_crediting_someone_who_has_an_account_here(site, tmp_path, make_user):
    write_dump(tmp_path / "dump")
    _empty_the_site()
    make_user("alice")
    with pytest.raises(DumpError, match=r"accounts here already \(alice\)"):
        load_dump(tmp_path / "dump")
    assert not ModelCard.objects.exists()


def test_loading_refuses_a_folder_that_is_not_a_whole_dump(tmp_path):
    with pytest.raises(DumpError, match="holds no manifest.json"):
        load_dump(tmp_path)


def test_publishing_keeps_the_newest_dumps_and_lists_them(site, client, settings, tmp_path, monkeypatch):
    settings.MODELCARDS_DUMPS_DIR = tmp_path
    for second in range(4):
        moment = datetime(2026, 3, 1, 12, 0, second, tzinfo=UTC)
        monkeypatch.setattr(publishing, "timezone", SimpleNamespace(now=lambda moment=moment: moment))
        publish_dump(keep=2)
    assert [dump.stamp for dump in published_dumps()] == ["20260301T120003Z", "20260301T120002Z"]
    page = client.get("/dumps/")
    html = page.content.decode()
    latest = published_dumps()[0]
    assert page.status_code == 200 and "20260301T120001Z" not in html
    assert latest.files[0].sha256 in html and "5 cards, 11 versions" in html
    response = client.get(f"/dumps/{latest.stamp}/{CARDS_FILE}")
    assert response.status_code == 200 and response["Content-Type"] == "application/gzip"
    assert response["Content-Disposition"] == f'attachment; filename="{CARDS_FILE}"'
    assert b"".join(response.streaming_content) == (tmp_path / latest.stamp / CARDS_FILE).read_bytes()
    sums = client.get(f"/dumps/{latest.stamp}/{SUMS_FILE}")
    assert b"".join(sums.streaming_content) == (tmp_path / latest.stamp / SUMS_FILE).read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/dumps/20260301T120000Z/../../../config/settings.py",
        "/dumps/20260301T120000Z/..%2F..%2Fmanage.py",
        "/dumps/..%2F..%2Fconfig/settings.py",
        "/dumps/20260301T120000Z/README.md",
        "/dumps/20260301T120000Z/.cards.jsonl.gz",
        "/dumps/not-a-stamp/cards.jsonl.gz",
        "/dumps/20260301T120000Z/%2Fetc%2Fpasswd",
        "/dumps/20260301T999999Z/cards.jsonl.gz",
    ],
)
def test_no_request_reaches_any_file_but_a_published_dumps_own(client, settings, tmp_path, path):
    settings.MODELCARDS_DUMPS_DIR = tmp_path / "dumps"
    (tmp_path / "dumps" / "20260301T120000Z").mkdir(parents=True)
    (tmp_path / "dumps" / "20260301T120000Z" / "README.md").write_text("secret")
    assert client.get(path).status_code == 404


def test_the_task_publishes_and_a_worker_chain_is_queued_once(site, settings, tmp_path):
    settings.MODELCARDS_DUMPS_DIR = tmp_path
    result = publish_dumps.enqueue()  # the tests' engine runs it at once
    assert result.return_value == published_dumps()[0].stamp
    with pytest.raises(DumpError, match="database task backend"):
        schedule_publishing(24)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    assert schedule_publishing(24) is True
    assert schedule_publishing(24) is False
    out = StringIO()
    call_command("publish_dumps", "--every-hours", "24", stdout=out)
    assert "already waiting" in out.getvalue()


def test_cards_are_dumped_in_byte_order_of_their_slugs_whatever_the_databases_collation(make_card, tmp_path):
    slugs = ["modela", "model.a", "model-b", "model_c", "m0"]
    for slug in slugs:
        make_card(slug=slug)
    write_dump(tmp_path / "dump")
    with gzip.open(tmp_path / "dump" / CARDS_FILE, "rb") as lines:
        assert [json.loads(line)["slug"] for line in lines] == sorted(slugs)
    _empty_the_site()
    assert load_dump(tmp_path / "dump").cards == len(slugs)
