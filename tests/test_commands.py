"""The import, export and demo-loading commands: outcomes, exit codes and byte-exact round trips."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from modelcards.models import CardVersion, ModelCard
from modelcards.openness.flags import LICENCE_LINEAGE

pytestmark = pytest.mark.django_db

GOOD = "---\nlicense: mit\n---\n# Good\n\nBody.\n"


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue()


def test_import_names_readme_by_folder_and_other_files_by_name(tmp_path):
    (tmp_path / "alpha").mkdir()
    (tmp_path / "alpha" / "README.md").write_text(GOOD)
    (tmp_path / "beta.md").write_text(GOOD.replace("Good", "Beta"))
    output = run("import_cards", str(tmp_path))
    assert "alpha: created" in output
    assert "beta: created" in output
    assert set(ModelCard.objects.values_list("slug", flat=True)) == {"alpha", "beta"}


def test_import_twice_reports_unchanged_and_makes_no_version(tmp_path):
    path = tmp_path / "alpha.md"
    path.write_text(GOOD)
    run("import_cards", str(path))
    assert "alpha: unchanged" in run("import_cards", str(path))
    assert CardVersion.objects.count() == 1


def test_import_of_changed_text_makes_a_new_version(tmp_path):
    path = tmp_path / "alpha.md"
    path.write_text(GOOD)
    run("import_cards", str(path))
    path.write_text(GOOD + "More.\n")
    assert "alpha: updated" in run("import_cards", str(path))
    assert ModelCard.objects.get(slug="alpha").version_number == 2


def test_import_keeps_going_past_a_bad_file_and_exits_1(tmp_path):
    (tmp_path / "bad.md").write_text("---\nlicense: [\n---\n# Bad\n")
    (tmp_path / "good.md").write_text(GOOD)
    out = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_cards", str(tmp_path), stdout=out, stderr=StringIO())
    assert excinfo.value.returncode == 1
    assert "bad: refused" in out.getvalue()
    assert "good: created" in out.getvalue()
    assert ModelCard.objects.filter(slug="good").exists()


def test_import_with_slug_option(tmp_path):
    path = tmp_path / "README.md"
    path.write_text(GOOD)
    assert "chosen: created" in run("import_cards", str(path), "--slug", "chosen")


def test_export_then_import_changes_nothing_and_is_byte_exact(tmp_path):
    crlf = GOOD.replace("\n", "\r\n") + "   trailing spaces and no final newline"
    source = tmp_path / "in"
    source.mkdir()
    (source / "crlf.md").write_bytes(crlf.encode())
    (source / "plain.md").write_text(GOOD)
    run("import_cards", str(source))
    out = tmp_path / "out"
    run("export_cards", "--out", str(out))
    assert (out / "crlf" / "README.md").read_bytes() == crlf.encode()
    assert (out / "plain" / "README.md").read_bytes() == GOOD.encode()
    again = run("import_cards", str(out))
    assert again.count("unchanged") == 2
    assert CardVersion.objects.count() == 2


@pytest.fixture(autouse=True)
def demo_password_file(settings, tmp_path):
    settings.DEMO_PASSWORD_FILE = tmp_path / ".demo-password"
    return settings.DEMO_PASSWORD_FILE


def test_the_demo_moderator_keeps_one_password_across_runs_until_reset(demo_password_file):
    from django.contrib.auth import get_user_model

    def authenticate(*, username, password):
        user = get_user_model().objects.get(username=username)
        return user if user.check_password(password) else None

    def password(output: str) -> str:
        return output.split("password '", 1)[1].split("'", 1)[0]

    first = password(run("load_demo_cards", "--demo-users"))
    assert demo_password_file.read_text().strip() == first
    assert password(run("load_demo_cards", "--demo-users")) == first
    assert authenticate(username="moderator", password=first) is not None
    reset = password(run("load_demo_cards", "--demo-users", "--new-password"))
    assert reset != first and demo_password_file.read_text().strip() == reset
    assert authenticate(username="moderator", password=first) is None
    assert authenticate(username="moderator", password=reset) is not None


def test_demo_loader_is_idempotent_and_creates_the_demo_moderator_on_request():
    first = run("load_demo_cards", "--demo-users")
    count = ModelCard.objects.count()
    assert count >= 6
    assert "refused" not in first
    assert "Demo moderator: username 'moderator'" in first
    second = run("load_demo_cards")
    assert second.count("unchanged") == count
    assert ModelCard.objects.count() == count
    assert CardVersion.objects.count() == count


def test_demo_cards_show_a_mix_of_licence_types():
    from modelcards.openness.licences import get_licence

    run("load_demo_cards")
    types = {get_licence(card.license).type for card in ModelCard.objects.all()}
    assert {"permissive", "use-restricted"} <= types


def test_every_demo_card_file_round_trips_through_the_site(client):
    run("load_demo_cards")
    demo = Path(__file__).resolve().parent.parent / "modelcards" / "demo_cards"
    for readme in demo.glob("*/README.md"):
        response = client.get(f"/cards/{readme.parent.name}.md")
        assert response.content == readme.read_bytes()
        assert client.get(f"/cards/{readme.parent.name}/").status_code == 200


def _many_card_files(folder: Path, count: int) -> None:
    for number in range(count):
        (folder / f"card-{number:03d}.md").write_text(GOOD.replace("Good", f"Card {number}"))


@pytest.mark.django_db(transaction=True)  # the workers' own connections must see committed rows
def test_a_large_import_on_postgresql_runs_in_several_processes_with_the_same_outcome(tmp_path, make_user):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time, so imports there always run in one process")
    _many_card_files(tmp_path, 60)
    # A derived card whose base, with a stricter licence, may well be imported by the other process.
    (tmp_path / "zz-base.md").write_text("---\nlicense: llama2\n---\n# Base\n\nBody.\n")
    (tmp_path / "aa-child.md").write_text("---\nlicense: mit\nbase_model: zz-base\n---\n# Child\n\nBody.\n")
    out, err = StringIO(), StringIO()
    make_user("importer")
    call_command("import_cards", str(tmp_path), "--jobs", "2", "--user", "importer", stdout=out, stderr=err)
    assert "Importing in 2 processes." in err.getvalue()
    lines = out.getvalue().splitlines()
    assert lines[0] == "aa-child: created" and lines[-1] == "zz-base: created"  # in the files' order
    assert sum(line.endswith(": created") for line in lines) == 62
    assert ModelCard.objects.count() == 62 and CardVersion.objects.count() == 62
    assert set(CardVersion.objects.values_list("author__username", flat=True)) == {"importer"}
    child = ModelCard.objects.get(slug="aa-child")
    assert child.licence_lineage == [{"slug": "zz-base", "license": "llama2", "stricter": True}]
    assert LICENCE_LINEAGE in child.openness_flags
    again = run("import_cards", str(tmp_path), "--jobs", "2")
    assert again.count(": unchanged") == 62


def test_on_sqlite_an_import_asked_for_several_processes_runs_in_one(tmp_path):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("about SQLite")
    _many_card_files(tmp_path, 12)
    out, err = StringIO(), StringIO()
    call_command("import_cards", str(tmp_path), "--jobs", "4", stdout=out, stderr=err)
    assert "processes" not in err.getvalue() and out.getvalue().count(": created") == 12


def test_jobs_must_be_positive(tmp_path):
    (tmp_path / "a.md").write_text(GOOD)
    with pytest.raises(CommandError, match="--jobs must be 1 or more"):
        run("import_cards", str(tmp_path), "--jobs", "0")


def test_an_import_credits_the_user_it_names(tmp_path, make_user):
    (tmp_path / "a.md").write_text(GOOD)
    make_user("importer")
    run("import_cards", str(tmp_path), "--user", "importer")
    assert CardVersion.objects.get(card__slug="a").author.username == "importer"
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        run("import_cards", str(tmp_path), "--user", "nobody")


def test_import_refuses_arguments_that_are_not_valid_utf8(tmp_path):
    (tmp_path / "card.md").write_text("---\nlicense: mit\n---\n# Card\n", encoding="utf-8")
    for option in ("--summary", "--user"):
        with pytest.raises(CommandError, match=f"{option} must be valid UTF-8"):
            call_command(
                "import_cards", str(tmp_path), option, "caf\udce9", stdout=StringIO(), stderr=StringIO()
            )
    assert not ModelCard.objects.exists()


def test_export_says_what_it_cannot_write_instead_of_a_traceback(card, tmp_path):
    (tmp_path / "sample").write_text("a file where the card's folder goes", encoding="utf-8")
    with pytest.raises(CommandError, match="Cannot write .*sample/README.md"):
        call_command("export_cards", "--out", str(tmp_path), stdout=StringIO(), stderr=StringIO())


def test_progress_is_one_summary_line_when_the_output_is_not_a_terminal(tmp_path):
    folder = tmp_path / "cards"
    for number in range(12):
        (folder / f"card-{number}").mkdir(parents=True)
        (folder / f"card-{number}" / "README.md").write_text(GOOD)
    out, err = StringIO(), StringIO()
    call_command("import_cards", str(folder), stdout=out, stderr=err)
    assert out.getvalue().count("created") == 12
    assert "\r" not in err.getvalue()
    assert err.getvalue().count("Importing: 12 cards in ") == 1
    exported, err = tmp_path / "out", StringIO()
    call_command("export_cards", "--out", str(exported), stdout=StringIO(), stderr=err)
    assert err.getvalue().count("Exporting: 12 cards in ") == 1 and "\r" not in err.getvalue()
