"""Importing Model Openness Tool model files: the import_mof command and the moderators' upload form."""

import errno
import json
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from modelcards.models import CardVersion, ModelCard
from modelcards.mot_import import slug_for
from modelcards.openness.crosswalk import read_mot_file

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data" / "mot"
PYTHIA = DATA / "records" / "pythia-6-9b.yml"  # Class I in the tool, with a global Apache-2.0 licence


def expected(folder: str) -> dict:
    results = json.loads((DATA / folder / "expected.json").read_text(encoding="utf-8"))
    results.pop("source")
    return results


def import_mof(*args) -> tuple[str, CommandError | None]:
    """The command's output, and the error it ended with (None when every file was taken)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_mof", *[str(arg) for arg in args], stdout=out, stderr=err)
    except CommandError as exc:
        error = exc
    else:
        error = None
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return out.getvalue(), error


def mot_file(tmp_path: Path, name: str, document) -> Path:
    path = tmp_path / name
    if isinstance(document, bytes):
        path.write_bytes(document)
    else:
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def release(name="Fresh-1B", components=None, **extra) -> dict:
    components = [{"name": "Model architecture", "license": "MIT"}] if components is None else components
    return {
        "framework": {"name": "Model Openness Framework", "version": "1.0", "date": "2024-12-15"},
        "release": {"name": name, "producer": "Someone", "components": components, **extra},
    }


def snapshot() -> tuple:
    """Everything an import could change."""
    return (
        ModelCard.objects.count(),
        CardVersion.objects.count(),
        sorted(ModelCard.objects.values_list("slug", "version_number", "text")),
    )


# Creating, updating, leaving alone -----------------------------------------------------------------


def test_a_batch_of_every_record_creates_a_card_each_at_the_tools_class():
    records = sorted((DATA / "records").glob("*.yml")) + sorted((DATA / "variants").glob("*.yml"))
    fixtures = sorted((DATA / "fixtures").glob("*.yml"))
    output, error = import_mof(*records, *fixtures)
    assert error is None
    lines = output.splitlines()
    assert len(lines) == len(records) + len(fixtures) == 153
    wanted = {}
    for path, line in zip(records + fixtures, lines, strict=True):
        name = read_mot_file(path.read_bytes()).name
        slug = slug_for(name)
        assert line.startswith(f"{path}: created {slug}"), line
        result = expected(path.parent.name)[path.name if path in records else name]
        wanted[slug] = (name if path in records else None, result["class"])
    cards = {card.slug: card for card in ModelCard.objects.all()}
    assert set(cards) == set(wanted)
    for slug, (title, mof_class) in wanted.items():
        assert cards[slug].mof_class == mof_class, slug
        assert cards[slug].version_number == 1
        if title:  # some fixture names read as Markdown emphasis; see the test below
            assert cards[slug].title == title.strip()
    assert set(CardVersion.objects.values_list("kind", flat=True)) == {"mot-import"}
    assert ModelCard.objects.get(slug="gpt-neox-20b").mof_class == 3
    assert ModelCard.objects.get(slug="olmo-7b").mof_class == 1
    # Class II: one real record, the thirteen variants, and two of the tool's fixtures.
    assert ModelCard.objects.filter(mof_class=2).count() == 16


@pytest.mark.parametrize("name", ["Class1TestFile_C1_100%-C2_100%-C3_100%_15C_2G_15L_15V_0I_15T", "x*y*z"])
def test_the_title_of_a_new_card_is_the_release_name_even_with_markdown_marks(tmp_path, name):
    path = mot_file(tmp_path, "marks.yml", release(name))
    import_mof(path)
    assert ModelCard.objects.get(slug=slug_for(name)).title == name


def test_a_new_card_has_minimal_front_matter_a_title_and_the_tools_class():
    output, error = import_mof(PYTHIA)
    assert error is None
    assert output == f"{PYTHIA}: created pythia-6.9b\n"
    card = ModelCard.objects.get(slug="pythia-6.9b")
    assert card.title == "Pythia-6.9B"
    assert card.mof_class == 1
    assert card.license == "apache-2.0"
    assert set(card.metadata) == {"license", "modelcardcommons"}
    assert card.metadata["modelcardcommons"] == {"openness": read_mot_file(PYTHIA.read_bytes()).record}
    assert card.text.startswith("---\nlicense: apache-2.0\nmodelcardcommons:\n")
    assert "\n# Pythia-6.9B\n" in card.text
    assert "by EleutherAI" in card.body
    assert "- Code: <https://github.com/EleutherAI/pythia>" in card.body
    [version] = card.versions.all()
    assert (version.number, version.kind, version.author) == (1, "mot-import", None)
    assert "pythia-6-9b.yml" in version.summary


def test_notes_say_what_was_left_out():
    output, error = import_mof(DATA / "records" / "amber.yml")
    assert error is None
    note = "release.components[14].component_path left out: 'arxiv license' is not an http(s) URL"
    assert output == f"{DATA / 'records' / 'amber.yml'}: created amber ({note})\n"


def test_a_second_run_leaves_the_card_unchanged():
    import_mof(PYTHIA)
    before = snapshot()
    output, error = import_mof(PYTHIA)
    assert error is None
    assert output == f"{PYTHIA}: unchanged pythia-6.9b\n"
    assert snapshot() == before


PREFIX = """---
license: apache-2.0
# A comment the import must keep.
language:
- en
"""
OLD_NAMESPACE = """modelcardcommons:
  openness:
    data_information: Trained on the Pile; the deduplicated copy is not public.
    licenses:
      distribution: GPL-3.0-only
    components:
      model_architecture:
        availability: open
        license: GPL-3.0-only
        evidence: [https://example.org/architecture]
        checked: 2025-01-15
      technical_report:
        availability: closed
      sample_outputs:
        availability: partial
        license: MIT
  evidence:
    license:
      sources: [https://example.org/licence]
"""
SUFFIX = """tags: [text-generation,   demo]
datasets:
- EleutherAI/pile
---
# Pythia, as we describe it

Hand-written text,  with two spaces here and a trailing space\x20
\tand a tab.
"""
OURS = PREFIX + OLD_NAMESPACE + SUFFIX


@pytest.fixture
def described(make_card, make_user):
    return make_card(slug="our-pythia", text=OURS, user=make_user("writer"))


def test_attaching_to_a_card_replaces_only_the_openness_record(described):
    metadata_before = {k: v for k, v in described.metadata.items() if k != "modelcardcommons"}
    output, error = import_mof(PYTHIA, "--slug", "our-pythia")
    assert error is None
    assert output == f"{PYTHIA}: updated our-pythia\n"
    described.refresh_from_db()
    assert described.version_number == 2
    assert described.versions.get(number=2).kind == "mot-import"
    assert described.text.startswith(PREFIX)
    assert described.text.endswith(SUFFIX)
    assert described.text != OURS
    assert described.title == "Pythia, as we describe it"
    assert {k: v for k, v in described.metadata.items() if k != "modelcardcommons"} == metadata_before
    namespace = described.metadata["modelcardcommons"]
    assert namespace["evidence"] == {"license": {"sources": ["https://example.org/licence"]}}
    record = namespace["openness"]
    assert record["data_information"] == "Trained on the Pile; the deduplicated copy is not public."
    assert record["licenses"] == {"distribution": "Apache-2.0"}
    components = record["components"]
    assert components["technical_report"] == {"availability": "closed"}
    assert components["sample_outputs"] == {"availability": "partial", "license": "MIT"}
    # The tool decides the licence; the sources and the date someone checked them stay.
    architecture = components["model_architecture"]
    assert architecture["availability"] == "open"
    assert "license" not in architecture
    # The file now claims another licence (Apache-2.0 by default) than the one those sources backed.
    assert "evidence" not in architecture and "checked" not in architecture
    assert components["research_paper"] == {
        "availability": "open",
        "license": "CC-BY-SA-4.0",
        "link": "https://arxiv.org/abs/2304.01373",
    }
    assert described.mof_class == 1
    output, error = import_mof(PYTHIA, "--slug", "our-pythia")
    assert (output, error) == (f"{PYTHIA}: unchanged our-pythia\n", None)
    described.refresh_from_db()
    assert described.version_number == 2


def test_a_card_without_front_matter_gets_one_and_keeps_its_text(make_card):
    text = "# Plain card\n\nNo front matter here.  \n"
    make_card(slug="plain", text=text)
    output, error = import_mof(PYTHIA, "--slug", "plain")
    assert (output, error) == (f"{PYTHIA}: updated plain\n", None)
    card = ModelCard.objects.get(slug="plain")
    assert card.text.startswith("---\nmodelcardcommons:\n")
    assert card.text.endswith("---\n" + text)
    assert card.mof_class == 1


def test_a_card_with_windows_line_ends_keeps_them(make_card):
    text = OURS.replace("\n", "\r\n")
    make_card(slug="crlf", text=text)
    import_mof(PYTHIA, "--slug", "crlf")
    card = ModelCard.objects.get(slug="crlf")
    assert card.version_number == 2
    assert "\n" not in card.text.replace("\r\n", "")
    assert card.text.startswith(PREFIX.replace("\n", "\r\n"))
    assert card.text.endswith(SUFFIX.replace("\n", "\r\n"))


@pytest.mark.parametrize("name", ["Import", "import-mof"])
def test_a_release_named_like_a_page_of_the_site_does_not_take_its_address(tmp_path, name):
    import_mof(mot_file(tmp_path, "page.yml", release(name)))
    assert not ModelCard.objects.filter(slug=name.lower()).exists()


def test_a_release_named_after_an_existing_card_updates_it(make_card, tmp_path):
    make_card(slug="fresh-1b")
    path = mot_file(tmp_path, "fresh.yml", release())
    output, error = import_mof(path)
    assert (output, error) == (f"{path}: updated fresh-1b\n", None)
    card = ModelCard.objects.get(slug="fresh-1b")
    assert card.title == "Sample Model"
    assert card.metadata["modelcardcommons"]["openness"]["components"] == {
        "model_architecture": {"availability": "open", "license": "MIT"}
    }


def test_slug_names_a_new_card_when_none_has_it():
    output, error = import_mof(PYTHIA, "--slug", "pythia-copy")
    assert (output, error) == (f"{PYTHIA}: created pythia-copy\n", None)
    assert ModelCard.objects.get(slug="pythia-copy").title == "Pythia-6.9B"
    assert not ModelCard.objects.filter(slug="pythia-6.9b").exists()


def test_slug_with_several_files_is_refused():
    with pytest.raises(CommandError, match="--slug can only be used with a single file"):
        call_command("import_mof", str(PYTHIA), str(PYTHIA), "--slug", "x", stdout=StringIO())
    assert ModelCard.objects.count() == 0


def test_the_user_is_credited_with_the_version_and_the_claims_it_changes(described, make_user):
    importer = make_user("importer", moderator=True)
    before = described.claim_provenance
    assert before["license"]["by"] == "writer"
    import_mof(PYTHIA, "--slug", "our-pythia", "--user", "importer")
    described.refresh_from_db()
    version = described.versions.get(number=2)
    assert version.author == importer
    provenance = described.claim_provenance
    for claim in ("components.model_architecture", "components.research_paper", "licenses.distribution"):
        assert (provenance[claim]["by"], provenance[claim]["source"], provenance[claim]["version"]) == (
            "importer",
            "mot",
            2,
        )
    # Claims the file did not change keep who made them.
    assert provenance["license"] == before["license"]
    assert provenance["components.technical_report"] == before["components.technical_report"]


def test_without_a_user_the_claims_are_credited_to_the_tool_record():
    import_mof(PYTHIA)
    provenance = ModelCard.objects.get(slug="pythia-6.9b").claim_provenance
    assert provenance["components.model_architecture"]["source"] == "mot"
    assert provenance["components.model_architecture"]["by"] == ""


def test_an_unknown_user_is_refused_before_anything_is_read():
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("import_mof", str(PYTHIA), "--user", "nobody", stdout=StringIO())
    assert ModelCard.objects.count() == 0


def test_a_legacy_file_imports_as_the_tool_migrated_it():
    path = DATA / "legacy" / "olmo-7b.yml"
    output, error = import_mof(path)
    assert (output, error) == (f"{path}: created olmo-7b\n", None)
    card = ModelCard.objects.get(slug="olmo-7b")
    assert card.mof_class == expected("legacy")["olmo-7b.yml"]["class"]
    components = card.metadata["modelcardcommons"]["openness"]["components"]
    assert all("license_name" not in entry and "location" not in entry for entry in components.values())


# Refusals ---------------------------------------------------------------------------------------------


def deep_aliases() -> bytes:
    """A billion laughs: nine levels of nine aliases, which a naive walk would expand 9**9 times."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]")
    lines.append("release: {name: Laughs, components: *l9}")
    return ("\n".join(lines) + "\n").encode()


def components_text(count: int) -> bytes:
    return ("release:\n  name: Many\n  components:\n" + "  - name: Model card\n" * count).encode()


BAD_FILES = [
    ("not-yaml", b"release: [unclosed\n  name: X\n", "line 2: not valid YAML (expected ',' or ']'"),
    ("tabs", b"release:\n\tname: X\n", "line 2: not valid YAML ("),
    ("a-list", b"- release\n- name\n", "the file must be a mapping with `framework:` and `release:`"),
    ("text", b"just some words\n", "the file must be a mapping with `framework:` and `release:`"),
    ("empty", b"", "the file must be a mapping with `framework:` and `release:`"),
    ("no-release", b"framework: {name: Model Openness Framework}\n", "file.release: is required"),
    ("release-list", b"release: [a, b]\n", "file.release: must be a mapping, not list"),
    ("no-name", b"release: {components: []}\n", "release.name: is required"),
    ("name-mapping", b"release: {name: {a: b}}\n", "release.name: must be text, not dict"),
    (
        "components-mapping",
        b"release: {name: X, components: {Model card: {license: MIT}}}\n",
        "release.components: must be a list, not dict",
    ),
    (
        "component-text",
        b"release: {name: X, components: [Model card]}\n",
        "release.components[0]: must be a mapping with `name:`, not str",
    ),
    (
        "licence-list",
        b"release: {name: X, components: [{name: Model card, license: [MIT, Apache-2.0]}]}\n",
        "release.components[0].license: must be text, not list",
    ),
    (
        "global-licence-text",
        b"release: {name: X, license: MIT, components: []}\n",
        "release.license: must be a mapping such as `distribution: {name: MIT}`, not str",
    ),
    (
        "unknown-component",
        b"release: {name: X, components: [{name: Weights, license: MIT}]}\n",
        "release.components[0].name: 'Weights' is not a framework component (Data card, Data preprocessing",
    ),
    (
        "twice",
        b"release: {name: X, components: [{name: Model card}, {name: Data card}, {name: Model card}]}\n",
        "release.components[2].name: 'Model card' is listed twice",
    ),
    ("ten-thousand", components_text(10_000), "release.components: lists 10,000; the framework has 17"),
    ("eighteen", components_text(18), "release.components: lists 18; the framework has 17"),
    (
        "long-licence",
        b"release: {name: X, components: [{name: Model card, license: " + b"x" * 200_000 + b"}]}\n",
        "release.components[0].license: is 200,000 characters; at most 2,000",
    ),
    (
        "long-name",
        b"release: {name: " + b"n" * 3000 + b"}\n",
        "release.name: is 3,000 characters; at most 2,000",
    ),
    (
        "over-the-limit",
        b"release: {name: X}\n" + b"# padding\n" * 30_000,
        "the file is 300,019 bytes; a model file is at most 262,144",
    ),
    ("megabyte", b"release: {name: " + b"m" * (1024 * 1024) + b"}\n", "larger than 1 MB"),
    ("duplicate-key", b"release:\n  name: A\n  name: B\n", "line 3: `name` is given twice"),
    (
        "duplicate-component-key",
        b"release:\n  name: A\n  components:\n  - name: Model card\n    license: MIT\n    license: MIT\n",
        "line 6: `license` is given twice",
    ),
    ("list-key", b"release:\n  ? [a, b]\n  : c\n", "line 2: a key that is not text"),
    (
        "nul-licence",
        b'release: {name: X, components: [{name: Model card, license: "MIT\\0"}]}\n',
        "model_card.license: the value holds an escape for a NUL character",
    ),
    ("latin-1", b"release:\n  name: Caf\xe9\n", "byte 20: the file is not UTF-8 text"),
    ("utf-16", "release:\n  name: X\n".encode("utf-16"), "byte 0: the file is not UTF-8 text"),
    ("deep", b"[" * 1000, "not valid YAML, or nested too deeply"),
    ("laughs", deep_aliases(), "release.components[0]: must be a mapping with `name:`, not list"),
]


@pytest.fixture
def existing(card):
    """A card that a refused file must leave as it is, and the state of the whole site."""
    return snapshot()


@pytest.mark.parametrize(("name", "content", "reason"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_a_bad_file_is_refused_with_the_place_and_changes_nothing(existing, tmp_path, name, content, reason):
    """Aimed at an existing card, so that a file wrongly taken would change it."""
    path = mot_file(tmp_path, f"{name}.yml", content)
    output, error = import_mof(path, "--slug", "sample")
    assert output.startswith(f"{path}: refused: ")
    assert reason in output
    assert output.count("\n") == 1
    assert error is not None
    assert error.returncode == 1
    assert str(error) == "1 of 1 file(s) refused."
    assert snapshot() == existing


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("模型", "'' is not a valid card slug; give the slug of the card to attach it to"),
        ("A\0B", "contains a NUL character (U+0000), which cannot be stored"),
        ("A\ud800B", "contains an unpaired surrogate (U+D800), which is not valid Unicode"),
    ],
    ids=["no-slug", "nul", "surrogate"],
)
def test_a_release_name_a_new_card_cannot_hold_is_refused(existing, tmp_path, name, reason):
    escaped = name.encode("unicode_escape").decode("ascii").replace("\\x00", "\\0")
    path = mot_file(tmp_path, "name.yml", f'release: {{name: "{escaped}"}}\n'.encode())
    output, error = import_mof(path)
    assert output.startswith(f"{path}: refused: ")
    assert reason in output
    assert error.returncode == 1
    assert snapshot() == existing


def test_a_release_name_that_makes_no_slug_can_be_given_one(tmp_path):
    path = mot_file(tmp_path, "unsluggable.yml", release("模型"))
    output, error = import_mof(path, "--slug", "mo-xing")
    assert (output, error) == (f"{path}: created mo-xing\n", None)
    assert ModelCard.objects.get(slug="mo-xing").title == "模型"


def test_a_release_name_is_shown_as_text_not_markup(client, tmp_path):
    import_mof(mot_file(tmp_path, "script.yml", release("<script>alert(1)</script>")))
    page = client.get(reverse("modelcards:card_detail", args=["script-alert-1-script"]))
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.content.decode()


def test_an_invalid_slug_is_refused(existing):
    output, error = import_mof(PYTHIA, "--slug", "../etc")
    reason = "'../etc' is not a valid card slug; give the slug of the card to attach it to"
    assert output == f"{PYTHIA}: refused: {reason}\n"
    assert error.returncode == 1
    assert snapshot() == existing


def test_a_missing_file_and_a_directory_are_refused(existing, tmp_path):
    missing = tmp_path / "missing.yml"
    output, error = import_mof(missing, tmp_path)
    assert output == f"{missing}: refused: not a file\n{tmp_path}: refused: not a file\n"
    assert (error.returncode, str(error)) == (1, "2 of 2 file(s) refused.")
    assert snapshot() == existing


def test_an_unreadable_file_is_refused(existing, tmp_path, monkeypatch):
    path = mot_file(tmp_path, "locked.yml", release())

    def refuse(self):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    output, error = import_mof(path)
    assert output == f"{path}: refused: cannot read it: Permission denied\n"
    assert error.returncode == 1
    assert snapshot() == existing


def test_a_mixed_batch_imports_the_good_files_and_exits_1(tmp_path):
    good = mot_file(tmp_path, "good.yml", release("Good-One"))
    bad = mot_file(tmp_path, "bad.yml", release("Bad-One", components={"Model card": {}}))
    other = mot_file(tmp_path, "other.yml", release("Good-Two"))
    output, error = import_mof(good, bad, tmp_path / "gone.yml", other)
    assert output.splitlines() == [
        f"{good}: created good-one",
        f"{bad}: refused: release.components: must be a list, not dict",
        f"{tmp_path / 'gone.yml'}: refused: not a file",
        f"{other}: created good-two",
    ]
    assert (error.returncode, str(error)) == (1, "2 of 4 file(s) refused.")
    assert sorted(ModelCard.objects.values_list("slug", flat=True)) == ["good-one", "good-two"]


# Licence text never makes a card unsaveable ---------------------------------------------------------

ODD_LICENCES = [
    "Apache 2.0",
    "Llama 2 Community License",
    "unlicensed",
    "apache-2.0",
    "MIT-0",
    "UPL-1.0",
    "ECL-1.0",
    "CC-BY-3.0-NL",
    "AFL-3.0",
    "Apache-2.0 OR MIT",
    "Apache 2.0 ",
]


@pytest.mark.parametrize("licence", ODD_LICENCES)
def test_any_licence_text_imports(card, tmp_path, licence):
    document = release(
        "Odd",
        components=[{"name": "Model architecture", "license": licence}, {"name": "Model card"}],
        license={"distribution": {"name": licence, "path": ""}, "data": {"name": licence, "path": None}},
    )
    path = mot_file(tmp_path, "odd.yml", document)
    for args, outcome in (((path,), "created odd"), ((path, "--slug", "sample"), "updated sample")):
        output, error = import_mof(*args)
        assert (output, error) == (f"{path}: {outcome}\n", None)
    for slug in ("odd", "sample"):
        record = ModelCard.objects.get(slug=slug).metadata["modelcardcommons"]["openness"]
        assert record["components"]["model_architecture"]["license"] == licence.strip()
        assert record["licenses"] == {"distribution": licence.strip(), "data": licence.strip()}


def test_a_card_started_from_an_unrecognised_licence_has_no_top_level_licence(tmp_path):
    path = mot_file(
        tmp_path, "odd.yml", release("Odd", license={"distribution": {"name": "Apache 2.0", "path": ""}})
    )
    import_mof(path)
    card = ModelCard.objects.get(slug="odd")
    assert "license" not in card.metadata
    assert card.mof_class == 0


# The moderators' upload form ----------------------------------------------------------------------

URL = reverse("modelcards:mot_import")


def upload(client, content: bytes, *, slug="", name="record.yml"):
    return client.post(URL, {"mot_file": SimpleUploadedFile(name, content), "slug": slug})


@pytest.mark.parametrize("role", ["moderator", "staff"])
def test_a_moderator_or_staff_member_imports_a_record_in_the_browser(client, make_user, role):
    person = make_user("uploader", moderator=role == "moderator", staff=role == "staff")
    client.force_login(person)
    response = upload(client, PYTHIA.read_bytes(), name="pythia-6-9b.yml")
    assert response.status_code == 302
    assert response["Location"] == reverse("modelcards:card_detail", args=["pythia-6.9b"])
    page = client.get(response["Location"])
    assert "Openness record created on pythia-6.9b." in page.content.decode()
    card = ModelCard.objects.get(slug="pythia-6.9b")
    assert card.mof_class == 1
    version = card.versions.get()
    assert (version.author, version.kind) == (person, "mot-import")
    assert "pythia-6-9b.yml" in version.summary


def test_the_form_attaches_to_the_card_it_names(client, moderator, card):
    client.force_login(moderator)
    response = upload(client, yaml.safe_dump(release()).encode(), slug=" sample ")
    assert response.status_code == 302
    assert response["Location"] == card.get_absolute_url()
    card.refresh_from_db()
    assert card.version_number == 2
    assert card.claim_provenance["components.model_architecture"]["by"] == "mod"


def test_a_bad_upload_gets_the_form_back_with_the_reason_and_changes_nothing(client, moderator, card):
    client.force_login(moderator)
    before = snapshot()
    response = upload(client, b"release: {name: X, components: {Model card: {}}}\n", slug="sample")
    assert response.status_code == 400
    assert "Nothing was changed: release.components: must be a list, not dict" in response.content.decode()
    assert snapshot() == before


def test_an_upload_over_a_megabyte_is_refused(client, moderator, card):
    client.force_login(moderator)
    before = snapshot()
    response = upload(client, b"release: {name: " + b"m" * (1024 * 1024) + b"}\n")
    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert snapshot() == before


def test_a_registered_person_who_is_not_a_moderator_may_not_import(client, user, card):
    client.force_login(user)
    before = snapshot()
    assert upload(client, PYTHIA.read_bytes()).status_code == 403
    assert snapshot() == before


def test_an_anonymous_visitor_is_sent_to_log_in(client, card):
    before = snapshot()
    response = upload(client, PYTHIA.read_bytes())
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={URL}"
    assert snapshot() == before
