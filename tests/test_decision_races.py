"""Two moderators deciding one suggestion at once: no deadlock, one decision, and a 409 naming the winner.

Row locks only exist on PostgreSQL (SQLite serialises whole-database writes), so the threaded tests run
there; CI runs the suite on both. What the loser is told is checked on both, one decision after the other.
"""

import re
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from modelcards.models import Activity, InvalidTransition, Suggestion
from modelcards.workflow import (
    AlreadyDecided,
    accept_suggestion,
    reject_suggestion,
    submit_suggestion,
    text_fingerprint,
    withdraw_suggestion,
)

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 6
DECISIONS = (Activity.Kind.ACCEPTED, Activity.Kind.REJECTED, Activity.Kind.WITHDRAWN)
WHEN = r"at \d\d:\d\d UTC on \d{1,2} [A-Z][a-z]{2} \d{4}"


@pytest.fixture
def row_locks():
    if connection.vendor != "postgresql":
        pytest.skip("row locking is only real on PostgreSQL; CI runs these tests there")


def at_once(*jobs):
    """Run `jobs` in threads released together; each one's return value or exception, in order."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            outcomes[index] = job()
        except Exception as exc:  # noqa: BLE001 - every outcome is asserted on by the caller
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "a decision never finished (deadlock?)"
    return outcomes


@pytest.fixture
def people(make_user):
    return {
        "author": make_user("author"),
        "alice": make_user("alice", moderator=True),
        "bob": make_user("bob", moderator=True),
    }


def fresh_suggestion(card, author, round_number):
    card.refresh_from_db()
    return submit_suggestion(
        card=card,
        text=card.text + f"\nRound {round_number}.\n",
        summary=f"Round {round_number}",
        base_version=card.version_number,
        author=author,
    )


def only_decision(suggestion) -> Activity:
    decisions = Activity.objects.filter(suggestion=suggestion, kind__in=DECISIONS)
    assert decisions.count() == 1, list(decisions.values_list("kind", flat=True))
    return decisions.get()


@pytest.mark.postgres
def test_accept_and_reject_at_once_make_exactly_one_decision_and_the_loser_hears_who_won(
    row_locks, make_card, people
):
    card = make_card()
    for round_number in range(ROUNDS):
        suggestion = fresh_suggestion(card, people["author"], round_number)
        versions_before = card.versions.count()
        accepted, rejected = at_once(
            lambda s=suggestion: accept_suggestion(s, reviewer=people["alice"]),
            lambda s=suggestion: reject_suggestion(s, reviewer=people["bob"], note="Not needed."),
        )
        failures = [o for o in (accepted, rejected) if isinstance(o, Exception)]
        assert len(failures) == 1 and isinstance(failures[0], AlreadyDecided), failures
        suggestion.refresh_from_db()
        decision = only_decision(suggestion)
        assert decision.kind == suggestion.status
        if suggestion.status == Suggestion.Status.ACCEPTED:
            assert card.versions.count() == versions_before + 1
            assert suggestion.moderator == people["alice"]
            assert str(rejected).startswith("This suggestion was already accepted by alice at ")
            assert f"as version {suggestion.version.number}" in str(rejected)
        else:
            assert card.versions.count() == versions_before
            assert suggestion.moderator == people["bob"]
            assert str(accepted).startswith("This suggestion was already rejected by bob at ")
            assert str(accepted).endswith(": Not needed.")


@pytest.mark.postgres
def test_an_author_withdrawing_while_a_moderator_accepts_never_deadlocks(row_locks, make_card, people):
    card = make_card()
    for round_number in range(ROUNDS):
        suggestion = fresh_suggestion(card, people["author"], round_number)
        outcomes = at_once(
            lambda s=suggestion: accept_suggestion(s, reviewer=people["alice"]),
            lambda s=suggestion: withdraw_suggestion(s),
        )
        failures = [o for o in outcomes if isinstance(o, Exception)]
        assert len(failures) == 1 and isinstance(failures[0], InvalidTransition), failures
        suggestion.refresh_from_db()
        assert only_decision(suggestion).kind == suggestion.status


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.postgres
def test_two_moderators_posting_accept_and_reject_at_once_get_one_redirect_and_one_409(
    row_locks, make_card, people
):
    card = make_card()
    alice, bob = logged_in(people["alice"]), logged_in(people["bob"])
    for round_number in range(ROUNDS):
        suggestion = fresh_suggestion(card, people["author"], round_number)
        seen = {"seen_fingerprint": text_fingerprint(suggestion.text), "seen_version": card.version_number}
        accepted, rejected = at_once(
            lambda s=suggestion, seen=seen: alice.post(
                f"/suggestions/{s.pk}/accept/", {**seen, "mode": "accept"}
            ),
            lambda s=suggestion: bob.post(f"/suggestions/{s.pk}/reject/", {"note": "Not needed."}),
        )
        for outcome in (accepted, rejected):
            assert not isinstance(outcome, Exception), outcome
        suggestion.refresh_from_db()
        only_decision(suggestion)
        if suggestion.status == Suggestion.Status.ACCEPTED:
            assert (accepted.status_code, rejected.status_code) == (302, 409)
            page = rejected.content.decode()
            assert "This suggestion was already accepted by alice at " in page
            assert f"as version {suggestion.version.number}." in page
        else:
            assert (accepted.status_code, rejected.status_code) == (409, 302)
            page = accepted.content.decode()
            assert "This suggestion was already rejected by bob at " in page
            assert ": Not needed." in page


def test_a_moderator_deciding_after_another_is_told_who_decided_when_and_how(make_card, people):
    card = make_card()
    alice, bob = logged_in(people["alice"]), logged_in(people["bob"])
    accepted = fresh_suggestion(card, people["author"], 1)
    seen = {"seen_fingerprint": text_fingerprint(accepted.text), "seen_version": 1}
    assert alice.post(f"/suggestions/{accepted.pk}/accept/", seen).status_code == 302
    late = bob.post(f"/suggestions/{accepted.pk}/reject/", {"note": "Not needed."})
    assert late.status_code == 409
    assert re.search(
        f"This suggestion was already accepted by alice {WHEN} as version 2\\.", late.content.decode()
    )

    rejected = fresh_suggestion(card, people["author"], 2)
    assert bob.post(f"/suggestions/{rejected.pk}/reject/", {"note": "Not needed."}).status_code == 302
    seen = {"seen_fingerprint": text_fingerprint(rejected.text), "seen_version": 2}
    for mode in ("accept", "edit"):
        late = alice.post(f"/suggestions/{rejected.pk}/accept/", {**seen, "mode": mode, "edited_text": "x"})
        assert late.status_code == 409
        assert re.search(
            f"This suggestion was already rejected by bob {WHEN}: Not needed.", late.content.decode()
        )

    withdrawn = fresh_suggestion(card, people["author"], 3)
    withdraw_suggestion(withdrawn)
    with pytest.raises(AlreadyDecided, match="already withdrawn by its author"):
        reject_suggestion(withdrawn, reviewer=people["bob"], note="Too late.")
    assert Activity.objects.filter(kind__in=DECISIONS).count() == 3
