"""Parallel decisions on one card: one version per accepted suggestion, unique numbers, no lost text.

Row locks only exist on PostgreSQL (SQLite serialises whole-database writes), so the threaded tests
run there; CI runs the suite on both.
"""

import threading

import pytest
from django.db import connection, connections

from modelcards.cardfile import parse_card
from modelcards.models import CardVersion, Suggestion
from modelcards.workflow import WorkflowError, accept_suggestion, edit_card_directly, submit_suggestion
from tests.conftest import SAMPLE_README

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locking is only real on PostgreSQL; CI runs this file there")


def run_in_threads(jobs):
    barrier = threading.Barrier(len(jobs))
    errors, results = [], []

    def wrap(job):
        try:
            barrier.wait()
            results.append(job())
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished"
    return results, errors


def _lines(n):
    """A card whose body has `n` separate paragraphs, so edits to different ones merge cleanly."""
    return SAMPLE_README + "".join(f"\nParagraph {i}.\n" for i in range(n))


def test_two_parallel_accepts_make_one_version_each_and_lose_no_text(make_card, make_user):
    card = make_card(text=_lines(2))
    author = make_user("author")
    moderators = [make_user(f"mod{i}", moderator=True) for i in range(2)]
    suggestions = [
        submit_suggestion(
            card=card,
            text=_lines(2).replace(f"Paragraph {i}.", f"Paragraph {i}, improved."),
            summary=f"Improve {i}",
            base_version=1,
            author=author,
        )
        for i in range(2)
    ]
    results, errors = run_in_threads(
        [
            lambda s=s, m=m: accept_suggestion(s, reviewer=m)
            for s, m in zip(suggestions, moderators, strict=True)
        ]
    )
    assert errors == []
    card.refresh_from_db()
    assert sorted(card.versions.values_list("number", flat=True)) == [1, 2, 3]
    assert "Paragraph 0, improved." in card.text and "Paragraph 1, improved." in card.text
    assert sorted(v.suggestion.pk for v in card.versions.exclude(number=1)) == sorted(
        s.pk for s in suggestions
    )


def test_double_accept_of_one_suggestion_in_parallel_makes_one_version(make_card, make_user):
    card = make_card()
    suggestion = submit_suggestion(
        card=card, text=SAMPLE_README + "\nMore.\n", summary="More", base_version=1, author=make_user("a")
    )
    moderators = [make_user(f"mod{i}", moderator=True) for i in range(2)]
    results, errors = run_in_threads(
        [lambda m=m: accept_suggestion(suggestion, reviewer=m) for m in moderators]
    )
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], WorkflowError | Exception)
    assert "already accepted" in str(errors[0])
    assert card.versions.count() == 2


def test_many_threads_accepting_and_editing_keep_numbers_unique_and_gapless(make_card, make_user):
    n = 10
    card = make_card(text=_lines(n))
    author = make_user("author")
    moderators = [make_user(f"mod{i}", moderator=True) for i in range(n)]
    jobs = []
    for i in range(n):
        new_text = _lines(n).replace(f"Paragraph {i}.", f"Paragraph {i}, changed.")
        if i % 2:
            suggestion = submit_suggestion(
                card=card, text=new_text, summary=f"s{i}", base_version=1, author=author
            )
            jobs.append(lambda s=suggestion, m=moderators[i]: accept_suggestion(s, reviewer=m))
        else:
            jobs.append(
                lambda t=new_text, m=moderators[i], i=i: edit_card_directly(
                    card, text=t, summary=f"direct {i}", base_version=1, editor=m
                )
            )
    results, errors = run_in_threads(jobs)
    assert errors == []
    card.refresh_from_db()
    numbers = sorted(card.versions.values_list("number", flat=True))
    assert numbers == list(range(1, n + 2))
    for i in range(n):
        assert f"Paragraph {i}, changed." in card.text
    assert Suggestion.objects.filter(status="accepted").count() == n // 2
    assert CardVersion.objects.filter(card=card).count() == n + 1
    # Each change is in the history exactly once: one version per accepted suggestion, one per edit.
    summaries = sorted(card.versions.exclude(number=1).values_list("summary", flat=True))
    assert summaries == sorted([f"s{i}" for i in range(1, n, 2)] + [f"direct {i}" for i in range(0, n, 2)])
    linked = Suggestion.objects.filter(status="accepted").values_list("version__number", flat=True)
    assert len(set(linked)) == n // 2 and None not in linked
    assert parse_card(card.text).text == card.text
