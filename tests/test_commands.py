"""The import, export and demo-loading commands: outcomes, exit codes and byte-exact round trips."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from modelcards.models import CardVersion, ModelCard

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
    from modelcards.vocabularies import get_licence

    run("load_demo_cards")
    types = {get_licence(card.license).type for card in ModelCard.objects.all()}
    assert {"permissive", "use-restricted", "proprietary"} <= types


def test_every_demo_card_file_round_trips_through_the_site(client):
    run("load_demo_cards")
    demo = Path(__file__).resolve().parent.parent / "modelcards" / "demo_cards"
    for readme in demo.glob("*/README.md"):
        response = client.get(f"/cards/{readme.parent.name}.md")
        assert response.content == readme.read_bytes()
        assert client.get(f"/cards/{readme.parent.name}/").status_code == 200
