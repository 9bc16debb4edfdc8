"""Disputed and "citation needed" markers on a card's claims, marked and resolved over HTTP."""

import html
import re

import pytest
from django.test import Client

from modelcards import limits
from modelcards.cardfile import CardFileError, parse_card
from modelcards.models import Block, CardVersion, Comment, ModelCard, TalkThread
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

CLAIMS = "/cards/sample/claims/"
RESOLVE = "/cards/sample/claims/resolve/"
REASON = "The weights' licence on the Hub is not Apache-2.0."
FRONT_MATTER = SAMPLE_README[: SAMPLE_README.index("---\n# Sample Model")]  # up to the closing ---
WITHOUT_DATASETS = SAMPLE_README.replace("datasets:\n- allenai/c4\n", "")


def mark(client, claim="license", kind="disputed", reason=REASON):
    return client.post(CLAIMS, {"claim": claim, "kind": kind, "reason": reason})


def resolve_forms(client) -> list[tuple[str, str]]:
    """(index, seen) of each resolve form on the claims page, as a moderator's browser would post them."""
    page = client.get(CLAIMS).content.decode()
    found = re.findall(r'name="index" value="(\d+)"><input type="hidden" name="seen" value="([^"]*)"', page)
    return [(index, html.unescape(seen)) for index, seen in found]


def resolve(client, index, seen, note="Checked the licence file: it is Apache-2.0."):
    return client.post(RESOLVE, {"index": index, "seen": seen, "note": note})


def licence_entry(page: str) -> str:
    """The metadata panel's licence entry, where a marker on the licence shows beside it."""
    return page.split("<dt>Licence</dt>", 1)[1].split("</dd>", 1)[0]


def markers_in(text: str) -> list:
    namespace = parse_card(text).metadata.get("modelcardcommons") or {}
    return namespace.get("disputes") or []


@pytest.fixture
def reader_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def moderator_client(moderator):
    client = Client()
    client.force_login(moderator)
    return client


# Marking ---------------------------------------------------------------------------------------


def test_registered_user_marks_the_licence_disputed_and_every_view_of_the_card_shows_it(
    reader_client, card, user
):
    reader = Client()
    # Cached before the marker is set: what readers get next must not be the stale copy.
    assert "claim-markers" not in reader.get("/cards/sample/").content.decode()
    assert reader.get("/cards/sample.md").content.decode() == SAMPLE_README

    response = mark(reader_client)

    assert response.status_code == 302 and response["Location"] == "/cards/sample/"
    card.refresh_from_db()
    assert card.version_number == 2
    thread = TalkThread.objects.get(card=card)
    assert markers_in(card.text) == [
        {
            "claim": "license",
            "kind": "disputed",
            "reason": REASON,
            "by": "reader",
            "opened": markers_in(card.text)[0]["opened"],
            "thread": thread.pk,
        }
    ]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", markers_in(card.text)[0]["opened"])
    version = card.versions.get(number=2)
    assert (version.kind, version.author, version.moderator) == (CardVersion.Kind.MARKED, user, None)
    assert version.summary == f"Marked The card's licence: disputed: {REASON}"
    assert thread.title == "Disputed: The card's licence" and thread.author == user and not thread.closed
    assert [(c.author, c.body) for c in thread.comments.all()] == [(user, REASON)]

    # The card page: in the openness panel with a link to the discussion, and beside the licence.
    page = reader.get("/cards/sample/").content.decode()
    panel = page.split('<div class="claim-markers">', 1)[1].split("</div>", 1)[0]
    assert "1 claim marked:" in panel
    assert "Disputed</span> The card&#x27;s licence: The weights&#x27; licence on the Hub" in panel
    assert "(reader, " in panel and f'href="/cards/sample/talk/{thread.pk}/">discussion</a>' in panel
    assert 'class="badge badge-marker marker-disputed"' in licence_entry(page)
    assert "claim removed" not in page

    # The openness export.
    disputes = reader.get("/cards/sample/openness.json").json()["disputes"]
    assert disputes == [
        {
            "claim": "license",
            "claim_label": "The card's licence",
            "claim_present": True,
            "kind": "disputed",
            "reason": REASON,
            "by": "reader",
            "opened": markers_in(card.text)[0]["opened"],
            "discussion": f"/cards/sample/talk/{thread.pk}/",
        }
    ]

    # The README export: under our namespaced key, after the Hub's keys, which are untouched.
    readme = reader.get("/cards/sample.md").content.decode()
    assert readme == card.text
    before, namespace = readme.split("modelcardcommons:\n", 1)
    assert before == FRONT_MATTER
    assert namespace.startswith("  disputes:\n  - claim: license\n    kind: disputed\n")
    assert namespace.endswith("---\n" + SAMPLE_README.split("---\n", 2)[2])
    assert parse_card(readme).metadata["license"] == "apache-2.0"

    # History: the marking is a version of its own.
    history = html.unescape(reader.get("/cards/sample/history/").content.decode())
    assert f'Marked The card\'s licence: disputed: {REASON} <span class="muted">(claim marked)' in history


def test_marking_a_claim_does_not_credit_the_marker_with_any_claim(reader_client, card):
    before = dict(card.claim_provenance)
    assert mark(reader_client, claim="datasets", kind="citation-needed").status_code == 302
    card.refresh_from_db()
    assert card.claim_provenance == before
    assert card.versions.get(number=2).summary.startswith(
        "Marked Training datasets named in the metadata: citation needed: "
    )


def test_the_claims_page_offers_only_the_claims_the_card_makes(reader_client, card):
    page = reader_client.get(CLAIMS).content.decode()
    offered = re.findall(r'<option value="([^"]*)"', page)
    assert offered == ["license", "datasets", "eval_results"]
    assert "No claim on this card is marked." in page
    assert "Resolve this marker" not in page  # a reader is not a moderator


def test_anonymous_visitor_is_sent_to_log_in_and_nothing_is_marked(client, card):
    assert "Log in</a> to mark a claim." in client.get(CLAIMS).content.decode()
    response = mark(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/cards/sample/claims/"
    assert ModelCard.objects.get().version_number == 1 and not TalkThread.objects.exists()


def test_a_blocked_account_cannot_mark(reader_client, card, user, moderator):
    Block.objects.create(user=user, reason="Spam", created_by=moderator)
    assert mark(reader_client).status_code == 403
    assert ModelCard.objects.get().version_number == 1 and not TalkThread.objects.exists()


def test_marking_is_rate_limited_together_with_comments(reader_client, card, settings):
    settings.MODELCARDS_RATE_LIMITS = {"suggest": "10/h", "comment": "2/h"}
    assert reader_client.post("/cards/sample/talk/", {"title": "t", "body": "b"}).status_code == 302
    assert mark(reader_client).status_code == 302
    response = mark(reader_client, claim="datasets", reason="Which version of C4?")
    assert response.status_code == 429
    assert "Too many posts in a short time" in response.content.decode()
    card.refresh_from_db()
    assert [m["claim"] for m in markers_in(card.text)] == ["license"]
    assert TalkThread.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"claim": "license", "kind": "disputed", "reason": ""}, "This field is required."),
        ({"claim": "license", "kind": "disputed", "reason": "  \n\t "}, "This field is required."),
        ({"claim": "license", "kind": "wrong", "reason": REASON}, "Select a valid choice."),
        ({"claim": "license", "kind": "disputed", "reason": "x" * 501}, "at most 500 characters"),
        # Not a claim this card makes (it has no openness record): the form refuses it.
        (
            {"claim": "components.final_parameters", "kind": "disputed", "reason": REASON},
            "does not make that claim",
        ),
    ],
)
def test_a_mark_without_a_reason_or_on_no_claim_is_refused(reader_client, card, data, error):
    response = reader_client.post(CLAIMS, data)
    assert response.status_code == 400
    assert error in html.unescape(response.content.decode())
    assert ModelCard.objects.get().version_number == 1 and not TalkThread.objects.exists()


def test_a_claim_an_edit_removed_after_the_page_was_loaded_is_refused_with_409(
    reader_client, card, edit_card, monkeypatch
):
    """A direct edit lands between the form's check and the write (a race): the locked card decides."""
    allowed = limits.seconds_until_allowed

    def an_edit_lands_meanwhile(request, action):
        edit_card(card, WITHOUT_DATASETS, summary="No datasets")
        return allowed(request, action)

    monkeypatch.setattr(limits, "seconds_until_allowed", an_edit_lands_meanwhile)
    response = mark(reader_client, claim="datasets", reason="Which version of C4?")
    assert response.status_code == 409
    assert "The card no longer makes that claim; reload the page" in response.content.decode()
    card.refresh_from_db()
    assert card.version_number == 2 and card.text == WITHOUT_DATASETS
    assert not TalkThread.objects.exists() and not Comment.objects.exists()


def test_a_hostile_reason_is_shown_as_text(reader_client, card):
    assert (
        mark(reader_client, reason='<script>alert(1)</script> "><img src=x onerror=alert(2)>').status_code
        == 302
    )
    for url in ("/cards/sample/", CLAIMS):
        page = Client().get(url).content.decode()
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# Resolving ---------------------------------------------------------------------------------------


def test_moderator_resolves_a_marker_with_a_note_and_history_keeps_both_versions(
    reader_client, moderator_client, card, user, moderator
):
    assert mark(reader_client).status_code == 302
    thread = TalkThread.objects.get()
    reply = reader_client.post(f"/cards/sample/talk/{thread.pk}/", {"body": "The LICENSE file says MIT."})
    assert reply.status_code == 302
    (index, seen), *others = resolve_forms(moderator_client)
    assert others == [] and index == "0"

    response = resolve(moderator_client, index, seen)

    assert response.status_code == 302 and response["Location"] == CLAIMS
    card.refresh_from_db()
    assert card.text == SAMPLE_README  # the namespaced key goes with its last marker, byte for byte
    version = card.versions.get(number=3)
    assert (version.kind, version.author) == (CardVersion.Kind.RESOLVED, moderator)
    assert version.summary == (
        "Resolved disputed marker on The card's licence: Checked the licence file: it is Apache-2.0."
    )
    thread.refresh_from_db()
    assert thread.closed
    assert [(c.author, c.body) for c in thread.comments.all()] == [
        (user, REASON),
        (user, "The LICENSE file says MIT."),
        (moderator, "Resolved: Checked the licence file: it is Apache-2.0."),
    ]
    assert "Resolved. The marker is gone" in moderator_client.get(CLAIMS).content.decode()

    reader = Client()
    page = reader.get("/cards/sample/").content.decode()
    assert "claim-markers" not in page and "badge-marker" not in page
    assert reader.get("/cards/sample/openness.json").json()["disputes"] == []
    assert reader.get("/cards/sample.md").content.decode() == SAMPLE_README
    history = reader.get("/cards/sample/history/")
    assert [(v.number, v.kind) for v in history.context["page"].versions] == [
        (3, "resolved"),
        (2, "marked"),
        (1, "created"),
    ]
    assert "(marker resolved)" in history.content.decode() and "(claim marked)" in history.content.decode()
    # The closed thread takes no more replies.
    reader_client.post(f"/cards/sample/talk/{thread.pk}/", {"body": "One more thing"})
    assert thread.comments.count() == 3


def test_resolving_one_of_two_markers_keeps_the_other(reader_client, moderator_client, card):
    mark(reader_client)
    mark(reader_client, claim="eval_results", kind="citation-needed", reason="No evaluation code given.")
    forms = resolve_forms(moderator_client)
    assert [index for index, _ in forms] == ["0", "1"]
    assert resolve(moderator_client, *forms[0]).status_code == 302
    card.refresh_from_db()
    assert [(m["claim"], m["kind"]) for m in markers_in(card.text)] == [("eval_results", "citation-needed")]
    assert card.text.startswith(FRONT_MATTER + "modelcardcommons:\n  disputes:\n")
    page = Client().get("/cards/sample/").content.decode()
    assert "1 claim marked:" in page and "No evaluation code given." in page
    assert "badge-marker" not in licence_entry(page)


def test_a_stale_fingerprint_is_refused_and_changes_nothing(
    reader_client, moderator_client, moderator, make_user, card
):
    mark(reader_client)
    mark(reader_client, claim="datasets", kind="citation-needed", reason="Which version of C4?")
    first, second = resolve_forms(moderator_client)  # what the first moderator's page shows
    other = Client()
    other.force_login(make_user("mod2", moderator=True))
    assert resolve(other, *first, note="Settled elsewhere.").status_code == 302  # resolved meanwhile
    card.refresh_from_db()
    text, number = card.text, card.version_number

    # The page's marker 0 is gone; what is at index 0 now is the other marker, which must not be taken.
    response = resolve(moderator_client, *first, note="Checked.")
    assert response.status_code == 302 and response["Location"] == CLAIMS
    shown = moderator_client.get(CLAIMS).content.decode()
    assert "That marker changed or was resolved since you loaded the page" in shown
    # Its old index is past the end of the list now: refused too.
    resolve(moderator_client, *second, note="Checked.")
    card.refresh_from_db()
    assert (card.text, card.version_number) == (text, number)
    assert [m["claim"] for m in markers_in(card.text)] == ["datasets"]
    assert not TalkThread.objects.get(title__startswith="Citation needed").closed


def test_a_stale_resolve_never_takes_a_different_marker_with_the_same_claim(
    moderator_client, make_user, make_card
):
    namespace = (
        "modelcardcommons:\n  disputes:\n"
        "  - {claim: license, kind: disputed, reason: Says MIT elsewhere., opened: '2026-12-01'}\n"
        "  - {claim: license, kind: disputed, reason: Says GPL somewhere., opened: '2026-12-01'}\n"
    )
    card = make_card(text=SAMPLE_README.replace("---\n# Sample", namespace + "---\n# Sample"))
    first, _second = resolve_forms(moderator_client)
    other = Client()
    other.force_login(make_user("mod2", moderator=True))
    resolve(other, *first, note="Settled.")
    resolve(moderator_client, *first, note="Checked the first one.")  # meant the marker already resolved
    card.refresh_from_db()
    assert [m["reason"] for m in markers_in(card.text)] == ["Says GPL somewhere."]


def test_resolving_needs_a_note_and_a_moderator(reader_client, moderator_client, client, card):
    mark(reader_client)
    (index, seen), *_ = resolve_forms(moderator_client)
    assert resolve(reader_client, index, seen).status_code == 403
    anonymous = resolve(Client(), index, seen)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert resolve(moderator_client, index, seen, note="   ").status_code == 302
    assert "Say how the marker was resolved" in moderator_client.get(CLAIMS).content.decode()
    assert moderator_client.get(RESOLVE).status_code == 405
    card.refresh_from_db()
    assert card.version_number == 2 and len(markers_in(card.text)) == 1


def test_a_marker_whose_claim_an_edit_removed_shows_claim_removed_and_can_still_be_resolved(
    reader_client, moderator_client, card, edit_card
):
    mark(reader_client, claim="datasets", kind="citation-needed", reason="Which version of C4?")
    card.refresh_from_db()
    edit_card(card, card.text.replace("datasets:\n- allenai/c4\n", ""), summary="Datasets unknown")
    card.refresh_from_db()
    assert [m["claim"] for m in markers_in(card.text)] == ["datasets"]  # the edit left the marker

    page = Client().get("/cards/sample/").content.decode()
    assert "Citation needed</span> Training datasets named in the metadata" in page
    assert '<span class="badge badge-missing">claim removed</span>' in page
    (exported,) = Client().get("/cards/sample/openness.json").json()["disputes"]
    assert (exported["claim"], exported["claim_present"]) == ("datasets", False)
    assert "claim removed" in moderator_client.get(CLAIMS).content.decode()
    assert 'value="datasets"' not in moderator_client.get(CLAIMS).content.decode()  # no longer markable

    (index, seen), *_ = resolve_forms(moderator_client)
    assert resolve(moderator_client, index, seen, note="The edit removed the claim.").status_code == 302
    card.refresh_from_db()
    assert card.text == WITHOUT_DATASETS
    assert card.versions.get(number=4).summary == (
        "Resolved citation needed marker on Training datasets named in the metadata (claim removed): "
        "The edit removed the claim."
    )
    assert TalkThread.objects.get().closed


# Hand-written markers ----------------------------------------------------------------------------


def line_of(text: str, line: str) -> int:
    return text.splitlines().index(line) + 1


def test_a_hand_edited_malformed_marker_list_is_refused_with_located_messages(moderator_client, card):
    text = SAMPLE_README.replace(
        "---\n# Sample",
        "modelcardcommons:\n  disputes:\n  - claim: the licence\n    kind: wrong\n    reason: ''\n"
        "    colour: red\n  - just a sentence\n---\n# Sample",
    )
    response = moderator_client.post("/cards/sample/edit/", {"text": text, "summary": "s", "base_version": 1})
    assert response.status_code == 400
    shown = html.unescape(response.content.decode())
    for line, expected in (
        ("  - claim: the licence", "[0].claim: must name a claim such as `license`"),
        ("    kind: wrong", "[0].kind: must be one of disputed, citation-needed"),
        ("    reason: ''", "[0].reason: is required"),
        ("    colour: red", "[0].colour: is not a marker field"),
        ("  - just a sentence", "[1]: must be a mapping with `claim:` and `reason:`"),
    ):
        assert f"line {line_of(text, line)}: modelcardcommons.disputes{expected}" in shown
    assert ModelCard.objects.get().version_number == 1


@pytest.mark.parametrize(
    ("namespace", "expected"),
    [
        ("  disputes: {claim: license, reason: r}\n", "modelcardcommons.disputes: must be a list of markers"),
        (
            "  dispute: []\n",
            "modelcardcommons.dispute: is not a key this site knows; did you mean 'disputes'?",
        ),
        ("  disputes:\n  - {claim: license, reason: r, thread: 0}\n", "must be the number of a talk thread"),
        (f"  disputes:\n  - {{claim: license, reason: {'x' * 501}}}\n", "is 501 characters; at most 500"),
    ],
)
def test_the_marker_list_shape_is_checked_when_a_card_is_saved(namespace, expected):
    with pytest.raises(CardFileError) as refused:
        parse_card(SAMPLE_README.replace("---\n# Sample", f"modelcardcommons:\n{namespace}---\n# Sample"))
    assert expected in str(refused.value)


def test_a_well_formed_hand_written_marker_is_accepted_and_shown(make_card):
    text = SAMPLE_README.replace(
        "---\n# Sample",
        "modelcardcommons:\n  disputes:\n  - claim: eval_results\n    reason: No harness named.\n"
        "---\n# Sample",
    )
    make_card(text=text)
    page = Client().get("/cards/sample/").content.decode()
    assert "Disputed</span> Evaluation results (model-index): No harness named." in page
