"""Importing cards from Hub repositories by id: `import_cards --hub` and the moderators' form, against
the stand-in Hub (tests/hub_standin.py). Every fault changes nothing for its repository."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modelcards.models import CardVersion, HubLink, ModelCard
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

REPO = "acme/Tiny-Model"
URL = "/cards/import-hub/"
NEWER = SAMPLE_README.replace("It is only a sample.", "It is only a sample, now with more.")


def run(*refs, **options):
    out = StringIO()
    args = ["import_cards", "--hub", *refs]
    for name, value in options.items():
        args += [f"--{name}", value]
    try:
        call_command(*args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def unchanged_state():
    return (
        list(ModelCard.objects.values_list("slug", "version_number")),
        list(HubLink.objects.values_list("repo_id", "upstream_commit")),
    )


# ---- the command


def test_command_imports_a_repository_and_links_the_card(hub):
    commit = hub.add_repo(REPO, SAMPLE_README)
    out, error = run(REPO)
    assert error is None
    assert out == f"{REPO}@main ({commit[:7]}) -> tiny-model: created\n"
    card = ModelCard.objects.get(slug="tiny-model")
    assert card.text == SAMPLE_README
    version = card.versions.get()
    assert (version.kind, version.upstream_repo, version.upstream_commit) == (
        CardVersion.Kind.IMPORTED,
        REPO,
        commit,
    )
    assert version.summary == f"Imported from the Hub: {REPO} at {commit[:7]}"
    link = card.hub_link
    assert (link.repo_id, link.revision, link.upstream_commit, link.upstream_text) == (
        REPO,
        "main",
        commit,
        SAMPLE_README,
    )
    assert link.checked_at is not None and link.check_error == "" and link.created_by is None


def test_command_imports_several_repositories_at_once(hub, make_user):
    hub.add_repo("acme/one", SAMPLE_README)
    hub.add_repo("acme/two", SAMPLE_README.replace("Sample Model", "Two"))
    make_user("importer")
    out, error = run("acme/one", "acme/two", user="importer")
    assert error is None
    assert [line.split(" -> ")[1] for line in out.splitlines()] == ["one: created", "two: created"]
    assert ModelCard.objects.get(slug="two").title == "Two"
    assert HubLink.objects.get(repo_id="acme/one").created_by.username == "importer"
    assert ModelCard.objects.get(slug="one").versions.get().author.username == "importer"


def test_command_reads_the_revision_given(hub):
    hub.add_repo(REPO, SAMPLE_README)
    at_dev = hub.set_readme(REPO, NEWER, branch="dev")
    out, error = run(f"{REPO}@dev")
    assert error is None and f"{REPO}@dev ({at_dev[:7]})" in out
    link = HubLink.objects.get()
    assert (link.revision, link.upstream_commit, link.card.text) == ("dev", at_dev, NEWER)


def test_command_updates_the_card_linked_to_the_repository(hub):
    hub.add_repo(REPO, SAMPLE_README)
    run(REPO)
    card = ModelCard.objects.get()
    card.slug = "renamed-by-a-moderator"  # the link, not the slug, finds the card
    card.save(update_fields=["slug"])
    newer = hub.set_readme(REPO, NEWER)
    out, error = run(REPO)
    assert error is None and out.endswith("-> renamed-by-a-moderator: updated\n")
    card.refresh_from_db()
    assert card.text == NEWER and card.version_number == 2
    assert card.versions.get(number=2).upstream_commit == newer
    assert HubLink.objects.get().upstream_commit == newer and HubLink.objects.count() == 1


def test_command_reimport_of_the_same_text_changes_only_the_link(hub):
    hub.add_repo(REPO, SAMPLE_README)
    run(REPO)
    later = hub.set_readme(REPO, SAMPLE_README, title="Touch README.md")
    out, error = run(REPO)
    assert error is None and out.endswith("tiny-model: unchanged\n")
    assert ModelCard.objects.get().version_number == 1
    assert HubLink.objects.get().upstream_commit == later


def test_command_links_an_existing_card_only_when_its_slug_is_given(hub, make_card):
    make_card(slug="tiny-model")
    hub.add_repo(REPO, NEWER)
    out, error = run(REPO)
    assert "A card 'tiny-model' already exists and is not linked to the Hub" in out
    assert error is not None and not HubLink.objects.exists()
    out, error = run(REPO, slug="tiny-model")
    assert error is None and out.endswith("tiny-model: updated\n")
    assert HubLink.objects.get().card.slug == "tiny-model"


def test_command_never_takes_over_a_card_linked_to_another_repository(hub):
    hub.add_repo("acme/tiny-model", SAMPLE_README)
    hub.add_repo("other/tiny-model", NEWER)
    run("acme/tiny-model")
    before = unchanged_state()
    out, error = run("other/tiny-model")
    assert "The card 'tiny-model' is linked to acme/tiny-model on the Hub, not other/tiny-model" in out
    assert error is not None and unchanged_state() == before
    out, error = run("other/tiny-model", slug="other-tiny-model")
    assert error is None and HubLink.objects.count() == 2


def _invalid_card(hub):
    hub.add_repo(REPO, "---\nlicense: not-a-licence\n---\n# Tiny\n")


FAULTS = {
    "missing": (lambda hub: None, "acme/Tiny-Model does not exist on the Hub"),
    "private": (
        lambda hub: hub.add_repo(REPO, SAMPLE_README, private=True),
        "refused to show acme/Tiny-Model (HTTP 401): it is private or gated",
    ),
    "gated": (lambda hub: hub.add_repo(REPO, SAMPLE_README, gated=True), "acme/Tiny-Model is gated"),
    "no readme": (lambda hub: hub.add_repo(REPO, None), "acme/Tiny-Model has no README.md at"),
    "too large": (
        lambda hub: hub.add_repo(REPO, SAMPLE_README + "x" * 600_000),
        "a card may be at most 524,288 bytes",
    ),
    "not utf-8": (lambda hub: hub.add_repo(REPO, b"# Caf\xe9\n"), "is not valid UTF-8"),
    "invalid card": (_invalid_card, "is not a valid card: line 2: license"),
    "rate limited": (
        lambda hub: (hub.add_repo(REPO, SAMPLE_README), hub.fail("429", retry_after=17)),
        "try again in 17 seconds",
    ),
    "server error": (
        lambda hub: (hub.add_repo(REPO, SAMPLE_README), hub.fail("503")),
        "The Hub failed to answer (HTTP 503)",
    ),
    "slow": (
        lambda hub: (hub.add_repo(REPO, SAMPLE_README), hub.fail("slow", path="/resolve/", seconds=5)),
        "did not answer within 0.3 seconds",
    ),
    "reset": (
        lambda hub: (hub.add_repo(REPO, SAMPLE_README), hub.fail("reset", path="/resolve/")),
        "The Hub could not be reached",
    ),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_is_one_clear_line_and_other_repositories_still_import(hub, settings, fault):
    settings.HUB_TIMEOUT = 0.3
    hub.add_repo("acme/fine", SAMPLE_README)
    arrange, message = FAULTS[fault]
    arrange(hub)
    out, error = run(REPO, "acme/fine")
    first, second = out.splitlines()
    assert first.startswith(f"{REPO}: refused: ") and message in first
    assert second.endswith("-> fine: created")
    assert error is not None and error.returncode == 1 and "1 of 2 repositories refused" in str(error)
    assert list(ModelCard.objects.values_list("slug", flat=True)) == ["fine"]
    assert list(HubLink.objects.values_list("repo_id", flat=True)) == ["acme/fine"]


def test_a_fault_on_update_leaves_the_linked_card_as_it_was(hub):
    hub.add_repo(REPO, SAMPLE_README)
    run(REPO)
    hub.set_readme(REPO, b"# Caf\xe9\n")
    before = unchanged_state()
    out, error = run(REPO)
    assert "is not valid UTF-8" in out and error is not None
    assert unchanged_state() == before


def test_invalid_reference_is_refused_without_asking_the_hub(hub):
    out, error = run("not a repo")
    assert "is not a Hub model repository: write owner/name" in out and error is not None
    assert hub.received == []


def test_slug_with_several_repositories_is_refused(hub):
    with pytest.raises(CommandError, match="single repository"):
        call_command("import_cards", "--hub", "a/b", "c/d", "--slug", "x", stdout=StringIO())


def test_repository_name_that_is_no_valid_slug_asks_for_one(hub):
    hub.add_repo("acme/import-hub", SAMPLE_README)  # the address of the import page itself
    hub.add_repo("acme/CON", SAMPLE_README)  # a name Windows keeps for a device
    out, _error = run("acme/import-hub", "acme/CON")
    assert out.count("Give the card another slug.") == 2 and "one of the site's own pages" in out
    out, error = run("acme/import-hub", slug="import-hub-model")
    assert error is None and ModelCard.objects.filter(slug="import-hub-model").exists()


# ---- the form


@pytest.fixture
def signed_in_moderator(client, moderator):
    client.force_login(moderator)
    return client


def test_import_page_links_to_the_hub_import(signed_in_moderator):
    page = signed_in_moderator.get("/cards/import/").content.decode()
    assert f'href="{URL}"' in page
    assert signed_in_moderator.get(URL).status_code == 200


def test_form_imports_and_the_card_page_says_where_it_comes_from(hub, signed_in_moderator, moderator):
    commit = hub.add_repo(REPO, SAMPLE_README)
    response = signed_in_moderator.post(URL, {"repo": REPO})
    assert response.status_code == 302 and response["Location"] == "/cards/tiny-model/"
    card = ModelCard.objects.get(slug="tiny-model")
    assert card.hub_link.created_by == moderator
    assert card.versions.get().author == moderator
    page = signed_in_moderator.get(response["Location"]).content.decode()
    assert f"Created the card “Sample Model” from {REPO} at {commit[:7]}." in page
    assert f'From the Hub: <a href="{hub.url}/{REPO}">{REPO}</a> at ' in page
    assert f'<a href="{hub.url}/{REPO}/commit/{commit}"><code>{commit[:7]}</code></a>' in page


def test_form_updates_the_linked_card(hub, signed_in_moderator):
    hub.add_repo(REPO, SAMPLE_README)
    signed_in_moderator.post(URL, {"repo": REPO})
    hub.set_readme(REPO, NEWER)
    response = signed_in_moderator.post(URL, {"repo": f"{REPO}@main"}, follow=True)
    assert "Updated the card" in response.content.decode()
    assert ModelCard.objects.get().text == NEWER


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_is_shown_on_the_form_never_a_server_error(hub, settings, signed_in_moderator, fault):
    settings.HUB_TIMEOUT = 0.3
    arrange, message = FAULTS[fault]
    arrange(hub)
    response = signed_in_moderator.post(URL, {"repo": REPO})
    assert response.status_code == (429 if fault == "rate limited" else 400)
    html = response.content.decode()
    assert message.replace("'", "&#x27;") in html
    assert not ModelCard.objects.exists() and not HubLink.objects.exists()
    if fault == "rate limited":
        assert response["Retry-After"] == "17"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"repo": ""}, "This field is required."),
        ({"repo": "gpt2"}, "is not a Hub model repository"),
        ({"repo": REPO, "slug": "Not A Slug"}, "is not a valid card slug"),
    ],
)
def test_form_refuses_bad_input_without_asking_the_hub(hub, signed_in_moderator, data, message):
    response = signed_in_moderator.post(URL, data)
    assert response.status_code == 400 and message in response.content.decode()
    assert hub.received == []


def test_only_moderators_may_import_from_the_hub(hub, client, user):
    hub.add_repo(REPO, SAMPLE_README)
    response = client.post(URL, {"repo": REPO})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"repo": REPO}).status_code == 403
    assert hub.received == [] and not ModelCard.objects.exists()


# ---- history and the card page


def test_history_and_version_page_show_the_upstream_commit(hub, client):
    first = hub.add_repo(REPO, SAMPLE_README)
    run(REPO)
    newer = hub.set_readme(REPO, NEWER)
    run(REPO)
    history = client.get("/cards/tiny-model/history/").content.decode()
    assert f"from {REPO} at <code>{first[:7]}</code>" in history
    assert f"from {REPO} at <code>{newer[:7]}</code>" in history
    version = client.get("/cards/tiny-model/v/2/").content.decode()
    assert f"Its text came from the Hugging Face Hub: {REPO} at commit <code>{newer}</code>." in version


def test_card_page_costs_no_query_more_for_a_linked_card(hub, client, make_card):
    make_card(slug="plain")
    hub.add_repo(REPO, SAMPLE_README)
    run(REPO)
    counts = []
    for slug in ("plain", "tiny-model"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/cards/{slug}/").status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
