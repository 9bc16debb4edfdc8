"""Who asserted each claim a card makes, kept across versions and shown beside the claim and in exports."""

import html
import re
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from modelcards.models import ModelCard, TalkThread
from modelcards.openness.mof import COMPONENTS
from modelcards.workflow import accept_suggestion, submit_suggestion
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

MOT_PYTHIA = Path(__file__).resolve().parent / "data" / "mot" / "records" / "pythia-1-4b.yml"
ROW_KEY = "eval_results:sample-model|text-generation|HellaSwag|||Accuracy"


def with_namespace(text: str, namespace: dict) -> str:
    """`text` with a `modelcardcommons:` key added at the end of its front matter."""
    block = yaml.safe_dump({"modelcardcommons": namespace}, sort_keys=False)
    return text.replace("---\n# Sample Model", block + "---\n# Sample Model", 1)


RECORD = {
    "openness": {
        "components": {
            "model_architecture": {"availability": "open", "license": "Apache-2.0"},
            "final_parameters": {
                "availability": "open",
                "license": "Apache-2.0",
                "evidence": ["https://example.org/weights-licence", "https://example.org/announcement"],
                "checked": "2026-11-30",
            },
            "training_code": {"availability": "open", "license": "MIT"},
        }
    },
    "evidence": {
        "license": {"sources": ["https://example.org/licence-file"], "checked": "2026-11-29"},
        "datasets": {"sources": ["https://example.org/data-statement"]},
    },
}
RECORDED = with_namespace(SAMPLE_README, RECORD)

# Two results: one verified with a source, as the Hub's evaluation writes them, one self-reported.
RESULTS = SAMPLE_README.replace(
    "      name: Accuracy\n",
    "      name: Accuracy\n      verified: true\n"
    "    source:\n      name: Open LLM Leaderboard\n      url: https://example.org/leaderboard\n"
    "  - task:\n      type: text-generation\n    dataset:\n      type: arc\n      name: ARC\n"
    "    metrics:\n    - type: accuracy\n      value: 0.42\n      name: Accuracy\n",
)
ADDED_ROW = RESULTS.replace(
    "      value: 0.42\n      name: Accuracy\n",
    "      value: 0.42\n      name: Accuracy\n"
    "  - task:\n      type: text-generation\n    dataset:\n      type: mmlu\n      name: MMLU\n"
    "    metrics:\n    - type: accuracy\n      value: 0.3\n      name: Accuracy\n",
)


def page_of(slug="sample") -> str:
    return html.unescape(Client().get(f"/cards/{slug}/").content.decode())


def document_of(slug="sample") -> dict:
    return Client().get(f"/cards/{slug}/openness.json").json()


def beside(page: str, heading: str) -> str:
    """The metadata panel's entry for `heading` (Licence, Datasets): the claim and what backs it."""
    return page.split(f"<dt>{heading}</dt>", 1)[1].split("</dd>", 1)[0]


def component_row(page: str, key: str) -> str:
    return page.split(f'id="claim-{key}">', 1)[1].split("</tr>", 1)[0]


def asserted_text(fragment: str) -> str:
    """The words after "Asserted by" in a fragment of the page, tags dropped."""
    text = re.sub(r"<[^>]+>", "", fragment)
    return re.search(r"Asserted by ([^;\n]*)", text).group(1).strip()


def result_rows(page: str) -> dict[str, str]:
    """Each evaluation result's dataset -> the text of its row(s), provenance included, tags dropped."""
    table = page.split('<table class="results">', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows: dict[str, str] = {}
    current = None
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL):
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        if len(cells) >= 4:  # a result's own row: task, dataset, metric, value (and maybe provenance)
            current = cells[1]
            rows[current] = " ".join(cells)
        else:  # the provenance row under it
            rows[current] += " " + " ".join(cells)
    return rows


def links_in(fragment: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', fragment)


def suggest_and_accept(card, text, *, author=None, author_name="", moderator):
    suggestion = submit_suggestion(
        card=card,
        text=text,
        summary="A change",
        base_version=card.version_number,
        author=author,
        author_name=author_name,
    )
    accept_suggestion(suggestion, reviewer=moderator)
    card.refresh_from_db()


def import_cards(tmp_path, text, *extra):
    (tmp_path / "sample.md").write_text(text, encoding="utf-8")
    call_command("import_cards", str(tmp_path / "sample.md"), *extra, stdout=StringIO())
    return ModelCard.objects.get(slug="sample")


# Who is credited --------------------------------------------------------------------------------


def test_an_imported_card_credits_every_claim_to_the_card_as_imported(tmp_path, make_user):
    make_user("importer")
    card = import_cards(tmp_path, RESULTS, "--user", "importer")
    assert {key: (p["source"], p["version"]) for key, p in card.claim_provenance.items()} == {
        "license": ("import", 1),
        "datasets": ("import", 1),
        ROW_KEY: ("import", 1),
        "eval_results:sample-model|text-generation|ARC|||Accuracy": ("import", 1),
    }
    page = page_of()
    for heading in ("Licence", "Datasets"):
        said = asserted_text(beside(page, heading))
        assert "the card as imported" in said and "version 1" in said
    document = document_of()
    assert document["claims"]["license"]["asserted_from"] == "import"
    assert document["claims"]["license"]["asserted_in_version"] == 1
    assert document["claims"]["datasets"]["asserted_from"] == "import"


def test_an_accepted_suggestion_credits_its_author_not_the_moderator(make_card, make_user, moderator):
    owner, alice = make_user("owner"), make_user("alice")
    card = make_card(user=owner)
    suggest_and_accept(
        card, SAMPLE_README.replace("license: apache-2.0", "license: mit"), author=alice, moderator=moderator
    )

    licence, datasets = card.claim_provenance["license"], card.claim_provenance["datasets"]
    assert (licence["by"], licence["source"], licence["version"]) == ("alice", "account", 2)
    assert (datasets["by"], datasets["source"], datasets["version"]) == ("owner", "account", 1)
    page = page_of()
    said = asserted_text(beside(page, "Licence"))
    assert said.startswith("alice") and "version 2" in said and moderator.username not in said
    assert asserted_text(beside(page, "Datasets")).startswith("owner")
    claims = document_of()["claims"]
    assert (claims["license"]["asserted_by"], claims["license"]["asserted_in_version"]) == ("alice", 2)
    assert (claims["datasets"]["asserted_by"], claims["datasets"]["asserted_in_version"]) == ("owner", 1)


def test_an_anonymous_authors_given_name_is_credited(make_card, moderator):
    card = make_card()
    suggest_and_accept(
        card,
        SAMPLE_README.replace("- allenai/c4\n", "- allenai/c4\n- wikipedia\n"),
        author_name="Carol",
        moderator=moderator,
    )
    assert (card.claim_provenance["datasets"]["by"], card.claim_provenance["datasets"]["source"]) == (
        "Carol",
        "anonymous",
    )
    said = asserted_text(beside(page_of(), "Datasets"))
    assert said.startswith("Carol") and "not signed in" in said
    assert document_of()["claims"]["datasets"]["asserted_by"] == "Carol"


def test_an_edit_of_one_component_keeps_the_others_provenance(make_card, make_user, moderator, edit_card):
    owner, alice, bob = make_user("owner"), make_user("alice"), make_user("bob")
    card = make_card(text=RECORDED, user=owner)
    changed = RECORDED.replace(
        "training_code:\n        availability: open\n        license: MIT",
        "training_code:\n        availability: open\n        license: GPL-3.0-only",
    )
    assert changed != RECORDED
    suggest_and_accept(card, changed, author=alice, moderator=moderator)
    edit_card(card, changed.replace("It is only a sample.", "It is only a sample, really."), user=bob)
    card.refresh_from_db()

    credited = {key: (p["by"], p["version"]) for key, p in card.claim_provenance.items()}
    assert credited["components.training_code"] == ("alice", 2)
    assert credited["components.final_parameters"] == ("owner", 1)
    assert credited["components.model_architecture"] == ("owner", 1)
    assert credited["license"] == credited["datasets"] == ("owner", 1)
    assert "bob" not in {by for by, _ in credited.values()}  # a body edit asserts no claim

    page = page_of()
    assert asserted_text(component_row(page, "training_code")).startswith("alice")
    assert asserted_text(component_row(page, "final_parameters")).startswith("owner")
    assert "Asserted by" not in component_row(page, "training_datasets")  # not in the record
    components = document_of()["openness"]["components"]
    assert components["training_code"]["evidence"]["asserted_by"] == "alice"
    assert components["training_code"]["evidence"]["asserted_in_version"] == 2
    assert components["final_parameters"]["evidence"]["asserted_by"] == "owner"
    assert components["final_parameters"]["evidence"]["asserted_from"] == "account"
    assert components["training_datasets"]["evidence"] is None  # not in the record: nobody asserted it


def test_a_model_openness_tool_import_credits_the_components_to_the_tool_record(make_card, make_user):
    owner = make_user("owner")
    card = make_card(user=owner)
    call_command("import_mof", str(MOT_PYTHIA), "--slug", "sample", stdout=StringIO())
    card.refresh_from_db()
    assert card.claim_provenance["components.training_code"]["source"] == "mot"
    assert card.claim_provenance["license"]["by"] == "owner"  # the card's own licence line is untouched
    said = asserted_text(component_row(page_of(), "training_code"))
    assert "Model Openness Tool" in said and "version 2" in said
    evidence = document_of()["openness"]["components"]["training_code"]["evidence"]
    assert (evidence["asserted_from"], evidence["asserted_in_version"]) == ("mot", 2)


# Evidence and checking --------------------------------------------------------------------------


def test_evidence_sources_and_the_checked_date_are_shown_beside_each_claim(make_card, make_user):
    make_card(text=RECORDED, user=make_user("owner"))
    page = page_of()

    licence = beside(page, "Licence")
    assert ("https://example.org/licence-file", "source 1") in links_in(licence)
    assert "checked 2026-11-29" in licence
    assert ("https://example.org/data-statement", "source 1") in links_in(beside(page, "Datasets"))

    weights = component_row(page, "final_parameters")
    assert [link for link in links_in(weights) if link[1].startswith("source")] == [
        ("https://example.org/weights-licence", "source 1"),
        ("https://example.org/announcement", "source 2"),
    ]
    assert "; checked 2026-11-30" in weights
    architecture = component_row(page, "model_architecture")
    assert "no source given" in architecture

    document = document_of()
    assert document["claims"]["license"]["sources"] == ["https://example.org/licence-file"]
    assert document["claims"]["license"]["last_checked"] == "2026-11-29"
    evidence = document["openness"]["components"]["final_parameters"]["evidence"]
    assert evidence["sources"] == ["https://example.org/weights-licence", "https://example.org/announcement"]
    assert (evidence["last_checked"], evidence["asserted_by"]) == ("2026-11-30", "owner")
    # Never checked: no date is made up, but when it was asserted is given.
    unchecked = document["openness"]["components"]["model_architecture"]["evidence"]
    assert (unchecked["sources"], unchecked["last_checked"]) == ([], None)
    assert (
        unchecked["asserted_at"]
        == ModelCard.objects.get().claim_provenance["components.model_architecture"]["at"]
    )
    assert "checked" not in re.sub(r"<[^>]+>", "", architecture)


# Evaluation results -------------------------------------------------------------------------------


def test_evaluation_results_say_verified_source_and_self_reported_or_added_here(
    tmp_path, make_user, moderator
):
    card = import_cards(tmp_path, RESULTS)
    rows = result_rows(page_of())
    assert "verified" in rows["HellaSwag"] and "not verified" not in rows["HellaSwag"]
    assert "Open LLM Leaderboard" in rows["HellaSwag"]
    assert ("https://example.org/leaderboard", "Open LLM Leaderboard") in links_in(
        page_of().split("HellaSwag", 2)[-1]
    )
    assert "not verified" in rows["ARC"] and "Leaderboard" not in rows["ARC"]
    assert all("self-reported in the imported card" in row for row in rows.values())

    suggest_and_accept(card, ADDED_ROW, author=make_user("alice"), moderator=moderator)
    rows = result_rows(page_of())
    assert "self-reported in the imported card" in rows["HellaSwag"]
    assert "self-reported in the imported card" in rows["ARC"]
    assert "self-reported" not in rows["MMLU"]
    assert re.search(r"added here\W+(?:by )?alice \(version 2", rows["MMLU"])

    exported = {row["dataset"]: row for row in document_of()["eval_results"]}
    assert exported["HellaSwag"]["verified"] is True and exported["ARC"]["verified"] is False
    assert exported["HellaSwag"]["source"] == {
        "name": "Open LLM Leaderboard",
        "url": "https://example.org/leaderboard",
    }
    assert exported["ARC"]["source"] == {"name": None, "url": None}
    assert [exported[name]["self_reported"] for name in ("HellaSwag", "ARC", "MMLU")] == [True, True, False]
    assert (exported["MMLU"]["asserted_by"], exported["MMLU"]["asserted_in_version"]) == ("alice", 2)
    assert exported["HellaSwag"]["asserted_from"] == "import"


def test_a_changed_result_value_is_credited_to_whoever_changed_it(tmp_path, make_user, moderator):
    card = import_cards(tmp_path, RESULTS)
    suggest_and_accept(
        card, RESULTS.replace("value: 0.42", "value: 0.45"), author=make_user("alice"), moderator=moderator
    )
    rows = result_rows(page_of())
    assert "self-reported in the imported card" in rows["HellaSwag"]
    assert "self-reported" not in rows["ARC"] and "alice" in rows["ARC"]


# Cost ------------------------------------------------------------------------------------------


def _count(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _crowded_card_text() -> str:
    """Every component recorded with evidence, 40 result rows and 30 markers."""
    components = {
        component.key: {
            "availability": "open",
            "license": "Apache-2.0",
            "evidence": [f"https://example.org/{component.key}/{n}" for n in range(3)],
            "checked": "2026-11-30",
        }
        for component in COMPONENTS
    }
    results = "".join(
        f"  - task:\n      type: text-generation\n    dataset:\n      type: set{n}\n      name: Set {n}\n"
        f"    metrics:\n    - type: accuracy\n      value: 0.{n}\n      name: Accuracy\n"
        f"    source:\n      name: Paper {n}\n      url: https://example.org/paper/{n}\n"
        for n in range(40)
    )
    text = SAMPLE_README.replace("  results:\n", "  results:\n" + results)
    claims = ["license", "datasets", "eval_results", *(f"components.{c.key}" for c in COMPONENTS)]
    disputes = [
        {
            "claim": claims[n % len(claims)],
            "kind": "disputed",
            "reason": f"Reason {n}",
            "by": "reader",
            "thread": n + 1,
        }
        for n in range(30)
    ]
    namespace = {
        "openness": {"licenses": {"distribution": "Apache-2.0", "code": "MIT"}, "components": components},
        "evidence": {
            claim: {"sources": ["https://example.org/e"], "checked": "2026-11-30"}
            for claim in ("license", "datasets", "eval_results")
        },
        "disputes": disputes,
    }
    return with_namespace(text, namespace)


def test_the_card_page_costs_no_more_queries_however_many_claims_and_markers_it_has(
    client, make_card, make_user, moderator, django_assert_max_num_queries
):
    owner = make_user("owner")
    make_card("plain", user=owner)
    crowded = make_card("crowded", text=_crowded_card_text(), user=owner)
    TalkThread.objects.bulk_create(TalkThread(card=crowded, title=f"T{n}", author=owner) for n in range(30))
    page = html.unescape(client.get("/cards/crowded/").content.decode())
    assert "30 claims marked:" in page and "Set 39" in page
    assert page.count("Asserted by") == len(COMPONENTS) + 2  # each component, the licence, the datasets

    for signed_in in (None, moderator):
        if signed_in:
            client.force_login(signed_in)
        for plain, busy in (
            ("/cards/plain/", "/cards/crowded/"),
            ("/cards/plain/openness.json", "/cards/crowded/openness.json"),
        ):
            _count(client, plain)  # warm process-wide caches (content types, the session) first
            baseline = _count(client, plain)
            cache.clear()
            with django_assert_max_num_queries(baseline):
                assert client.get(busy).status_code == 200


def test_adding_sources_to_a_claim_keeps_who_asserted_it(make_card, make_user, edit_card):
    owner, helper = make_user("owner"), make_user("helper")
    card = make_card(text=RECORDED, user=owner)
    sourced = RECORDED.replace(
        "training_code:\n        availability: open\n        license: MIT",
        "training_code:\n        availability: open\n        license: MIT\n"
        "        evidence: [https://example.org/code-licence]\n        checked: 2026-11-30",
    )
    assert sourced != RECORDED
    edit_card(card, sourced, user=helper)
    card.refresh_from_db()
    assert card.claim_provenance["components.training_code"]["by"] == "owner"
    row = component_row(page_of(), "training_code")
    assert "https://example.org/code-licence" in row and "checked 2026-11-30" in row
