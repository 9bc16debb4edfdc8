"""Accepting part of a suggestion: a moderator ticks some of its changes, they are merged into the
current card as a version credited to the author, and the rest stays pending or is declined, never lost."""

import re

import hypothesis
import pytest
from django.db import connection
from hypothesis import strategies as st

from modelcards.diffing import diff_texts, merge3
from modelcards.models import Activity, CardVersion, PartialAcceptance, Suggestion
from modelcards.workflow import (
    AlreadyDecided,
    PartConflict,
    StaleReview,
    WorkflowError,
    accept_part,
    apply_hunks,
    hunks_fingerprint,
    reject_suggestion,
    submit_suggestion,
)
from tests.test_decision_races import at_once

pytestmark = pytest.mark.django_db

# Forty numbered lines: changes to lines 5, 20 and 35 are three separate hunks of the diff.
BASE = "---\nlicense: mit\n---\n# Partial\n\n" + "".join(f"Line {n}.\n" for n in range(1, 41))


def changed(text: str, *numbers: int, word: str = "edited") -> str:
    for n in numbers:
        text = text.replace(f"Line {n}.\n", f"Line {n}, {word}.\n")
    return text


SUGGESTED = changed(BASE, 5, 20, 35)


def shown(html: str) -> str:
    """The page's text as read, without its tags (a diff marks the changed words inside a line)."""
    return re.sub(r"<[^>]+>", "", html)


@pytest.fixture
def base_card(make_card):
    return make_card(slug="partial", text=BASE)


@pytest.fixture
def author(make_user):
    return make_user("author")


@pytest.fixture
def suggestion(base_card, author):
    return submit_suggestion(
        card=base_card, text=SUGGESTED, summary="Three edits", base_version=1, author=author
    )


def seen(suggestion, card) -> dict:
    card.refresh_from_db()
    suggestion.refresh_from_db()
    return {"seen_hunks": hunks_fingerprint(suggestion), "seen_version": card.version_number}


def post_part(client, suggestion, card, *, hunks, remainder="pending", note="", **overrides):
    data = {**seen(suggestion, card), "hunk": [str(h) for h in hunks], "remainder": remainder, "note": note}
    return client.post(f"/suggestions/{suggestion.pk}/part/", {**data, **overrides})


def test_the_review_page_offers_a_checkbox_for_each_change(client, suggestion, moderator):
    client.force_login(moderator)
    page = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    for n in (1, 2, 3):
        assert f'name="hunk" value="{n}" form="part-form"' in page
        assert f"Accept change {n} of 3" in page
    assert 'id="part-form"' in page and "Accept the ticked changes" in page


def test_only_moderators_see_the_checkboxes(client, suggestion, author):
    client.force_login(author)
    page = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    assert 'name="hunk"' not in page and "Change 2 of 3" in page


def test_two_of_three_changes_are_published_and_the_rest_stays_pending(
    client, base_card, suggestion, moderator, author
):
    client.force_login(moderator)
    response = post_part(client, suggestion, base_card, hunks=[1, 3])
    assert response.status_code == 302 and response["Location"] == f"/suggestions/{suggestion.pk}/"
    base_card.refresh_from_db()
    assert base_card.version_number == 2
    assert base_card.text == changed(BASE, 5, 35)
    version = base_card.versions.get(number=2)
    assert (version.author, version.moderator) == (author, moderator)
    assert version.summary == f"Part of suggestion #{suggestion.pk}: Three edits"
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.PENDING
    # Rebased: against version 2, the remaining diff is exactly the change not ticked.
    assert (suggestion.revision_number, suggestion.base_version) == (2, 2)
    assert suggestion.text == SUGGESTED
    remaining = diff_texts(base_card.text, suggestion.text)
    assert (remaining.added, remaining.removed, len(remaining.hunks)) == (1, 1, 1)
    changed_rows = [row for row in remaining.hunks[0].rows if row.kind != "equal"]
    assert ["".join(seg.text for seg in row.new) for row in changed_rows] == ["Line 20, edited."]
    part = PartialAcceptance.objects.get()
    assert (part.accepted_hunks, part.left_hunks, part.remainder) == ([1, 3], [2], "pending")
    assert Activity.objects.filter(suggestion=suggestion, kind=Activity.Kind.PARTLY_ACCEPTED).exists()

    page = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    assert "Accepted in part" in page
    assert "Changes 1 and 3 of revision 1 accepted by mod" in page
    assert 'href="/cards/partial/diff/1/2/">version 2</a>' in page
    assert "left pending as the next revision" in page
    assert "Changes against version 2 (revision 2)" in page
    history = client.get("/cards/partial/history/").content.decode()
    assert f"Part of suggestion #{suggestion.pk}" in history


def test_the_pending_rest_can_then_be_accepted_whole(client, base_card, suggestion, moderator):
    client.force_login(moderator)
    post_part(client, suggestion, base_card, hunks=[2])
    suggestion.refresh_from_db()
    form = client.get(f"/suggestions/{suggestion.pk}/").context["decision_form"]
    response = client.post(f"/suggestions/{suggestion.pk}/accept/", {**form.initial, "mode": "accept"})
    assert response.status_code == 302
    base_card.refresh_from_db()
    assert base_card.text == SUGGESTED and base_card.version_number == 3
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.ACCEPTED and suggestion.version.number == 3


def test_declining_the_rest_needs_a_note_and_keeps_the_declined_part_visible(
    client, base_card, suggestion, moderator, author
):
    client.force_login(moderator)
    refused = post_part(client, suggestion, base_card, hunks=[2], remainder="declined")
    assert refused.status_code == 400
    assert "Say why the rest is declined" in refused.content.decode()
    assert 'value="2" form="part-form" checked' in refused.content.decode()  # the ticks are kept
    assert base_card.versions.count() == 1

    response = post_part(
        client, suggestion, base_card, hunks=[2], remainder="declined", note="Lines 5 and 35 are fine."
    )
    assert response.status_code == 302
    base_card.refresh_from_db()
    assert base_card.text == changed(BASE, 20)
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.PARTLY_ACCEPTED
    assert (suggestion.version.number, suggestion.moderator, suggestion.note) == (
        2,
        moderator,
        "Lines 5 and 35 are fine.",
    )
    assert suggestion.text == SUGGESTED  # what was suggested is kept whole

    client.force_login(author)
    page = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    assert "Partly accepted" in page and "Declined part" in page
    start = page.index("Declined part")
    declined = shown(page[start : page.index("</section>", start)])
    assert "Line 5, edited." in declined and "Line 35, edited." in declined
    assert "Line 20, edited." not in declined
    assert "<strong>declined</strong>: Lines 5 and 35 are fine." in page


@pytest.mark.parametrize(
    ("hunks", "message"),
    [
        ([], "Tick at least one change to accept."),
        ([1, 2, 3], "You ticked every change: accept the whole suggestion instead."),
        ([4], "This suggestion has changes 1 to 3"),
        (["two"], "Changes are ticked by number"),
    ],
)
def test_a_bad_choice_of_changes_is_refused_with_a_message(
    client, base_card, suggestion, moderator, hunks, message
):
    client.force_login(moderator)
    response = post_part(client, suggestion, base_card, hunks=hunks)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert base_card.versions.count() == 1
    assert Suggestion.objects.get(pk=suggestion.pk).status == Suggestion.Status.PENDING


def test_a_form_without_its_remainder_choice_is_a_bad_request(client, base_card, suggestion, moderator):
    client.force_login(moderator)
    response = post_part(client, suggestion, base_card, hunks=[1], remainder="later")
    assert response.status_code == 400
    assert base_card.versions.count() == 1


def test_later_changes_to_the_card_are_kept(client, base_card, suggestion, moderator, edit_card):
    edit_card(base_card, changed(BASE, 12, word="meanwhile"))
    client.force_login(moderator)
    assert post_part(client, suggestion, base_card, hunks=[1, 3]).status_code == 302
    base_card.refresh_from_db()
    assert base_card.text == changed(changed(BASE, 12, word="meanwhile"), 5, 35)
    assert base_card.versions.get(number=3).merge_note == "Merged with changes made since version 1."
    suggestion.refresh_from_db()
    assert suggestion.base_version == 3
    assert diff_texts(base_card.text, suggestion.text).added == 1


def test_a_ticked_change_that_conflicts_with_a_later_one_is_refused_by_number(
    client, base_card, suggestion, moderator, edit_card
):
    edit_card(base_card, changed(BASE, 20, word="by someone else"))
    client.force_login(moderator)
    response = post_part(client, suggestion, base_card, hunks=[1, 2])
    assert response.status_code == 409
    page = response.content.decode()
    assert "Change 2 conflicts with changes made since version 1 (the card is now at version 2)" in page
    base_card.refresh_from_db()
    assert base_card.version_number == 2
    # Unticked, the others go through, and the conflicting one stays pending against the old base.
    assert post_part(client, suggestion, base_card, hunks=[1, 3]).status_code == 302
    base_card.refresh_from_db()
    assert base_card.text == changed(changed(BASE, 20, word="by someone else"), 5, 35)
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.base_version) == ("pending", 1)
    assert suggestion.text == changed(BASE, 20)  # the rest against its old base, for the conflict screen
    page = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    assert "Conflict 1 of 1" in page


def test_ticks_on_a_diff_that_changed_meanwhile_are_refused(client, base_card, suggestion, moderator, author):
    client.force_login(moderator)
    old = seen(suggestion, base_card)
    reject = {"hunk": ["1"], "remainder": "pending", "note": ""}
    suggestion.text = changed(BASE, 5, 20, 35, word="revised")
    suggestion.save()
    response = client.post(f"/suggestions/{suggestion.pk}/part/", {**old, **reject})
    assert response.status_code == 409
    assert "The suggestion changed after you ticked its changes" in response.content.decode()
    assert base_card.versions.count() == 1


def test_ticks_made_before_the_card_moved_are_refused(client, base_card, suggestion, moderator, edit_card):
    client.force_login(moderator)
    old = seen(suggestion, base_card)
    edit_card(base_card, changed(BASE, 12, word="meanwhile"))
    response = client.post(
        f"/suggestions/{suggestion.pk}/part/", {**old, "hunk": ["1"], "remainder": "pending", "note": ""}
    )
    assert response.status_code == 409
    assert "it is now at version 2" in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "author", "reader"])
def test_only_moderators_accept_part(client, base_card, suggestion, make_user, who):
    if who == "author":
        client.force_login(suggestion.author)
    elif who == "reader":
        client.force_login(make_user("someone"))
    response = post_part(client, suggestion, base_card, hunks=[1])
    assert response.status_code == (302 if who == "anonymous" else 403)
    assert base_card.versions.count() == 1


def test_a_decided_suggestion_cannot_be_accepted_in_part(client, base_card, suggestion, moderator):
    reject_suggestion(suggestion, reviewer=moderator, note="No.")
    client.force_login(moderator)
    response = post_part(client, suggestion, base_card, hunks=[1])
    assert response.status_code == 409
    assert "already rejected by mod" in response.content.decode()


def test_a_suggestion_of_one_change_has_nothing_to_choose(client, base_card, author, moderator):
    single = submit_suggestion(
        card=base_card, text=changed(BASE, 5), summary="One", base_version=1, author=author
    )
    client.force_login(moderator)
    assert 'name="hunk"' not in client.get(f"/suggestions/{single.pk}/").content.decode()
    with pytest.raises(WorkflowError, match="no separate changes"):
        accept_part(single, reviewer=moderator, hunks=[1], remainder="pending")


def test_the_workflow_refuses_what_the_view_refuses(base_card, suggestion, moderator, author, edit_card):
    with pytest.raises(StaleReview):
        accept_part(suggestion, reviewer=moderator, hunks=[1], remainder="pending", seen_hunks="stale")
    edit_card(base_card, changed(BASE, 35, word="again"))
    with pytest.raises(PartConflict, match="Change 3 conflicts"):
        accept_part(suggestion, reviewer=moderator, hunks=[3], remainder="pending")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        accept_part(suggestion, reviewer=author, hunks=[1], remainder="pending")


def test_when_the_rest_is_already_in_the_card_the_suggestion_is_wholly_accepted(
    base_card, suggestion, moderator, edit_card
):
    edit_card(base_card, changed(BASE, 20))  # someone made change 2 meanwhile, exactly as suggested
    done = accept_part(suggestion, reviewer=moderator, hunks=[1, 3], remainder="pending")
    assert done.nothing_left
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.ACCEPTED
    assert suggestion.version == CardVersion.objects.get(card=base_card, number=3)
    base_card.refresh_from_db()
    assert base_card.text == SUGGESTED


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_a_partial_acceptance_and_a_rejection_at_once_make_one_decision(make_card, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locking is only real on PostgreSQL; CI runs these tests there")
    card = make_card(slug="partial", text=BASE)
    alice, bob = make_user("alice", moderator=True), make_user("bob", moderator=True)
    author = make_user("author")
    for round_number in range(4):
        card.refresh_from_db()
        # Lines of their own each round: who wins one round must not leave the next nothing to change.
        lines = (6 + round_number, 21 + round_number, 31 + round_number)
        text = changed(card.text, *lines, word=f"round {round_number}")
        suggestion = submit_suggestion(
            card=card, text=text, summary="r", base_version=card.version_number, author=author
        )
        part, rejected = at_once(
            lambda s=suggestion: accept_part(
                s, reviewer=alice, hunks=[1], remainder="declined", note="Only 1."
            ),
            lambda s=suggestion: reject_suggestion(s, reviewer=bob, note="No."),
        )
        failures = [o for o in (part, rejected) if isinstance(o, Exception)]
        assert len(failures) == 1 and isinstance(failures[0], AlreadyDecided), failures
        suggestion.refresh_from_db()
        assert suggestion.status in (Suggestion.Status.PARTLY_ACCEPTED, Suggestion.Status.REJECTED)


lines = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "d\n", "\n", "e\n"]), max_size=30)


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(old=lines, new=lines, data=st.data())
def test_applying_some_hunks_then_the_rest_gives_the_whole_change(old, new, data):
    """Whatever hunks are ticked, the text published plus the rest merged in is the suggested text,
    and the ticked text differs from the base only inside the ticked hunks."""
    old_text, new_text = "".join(old), "".join(new)
    diff = diff_texts(old_text, new_text)
    numbers = list(range(1, len(diff.hunks) + 1))
    chosen = data.draw(st.lists(st.sampled_from(numbers), unique=True) if numbers else st.just([]))
    part = apply_hunks(old_text, new_text, diff, chosen)
    rest = apply_hunks(old_text, new_text, diff, [n for n in numbers if n not in chosen])
    assert apply_hunks(old_text, new_text, diff, numbers) == new_text
    assert apply_hunks(old_text, new_text, diff, []) == old_text
    merged = merge3(old_text, part, rest)
    assert not merged.conflicted and merged.text == new_text
    assert len(diff_texts(part, new_text).hunks) <= len(numbers) - len(chosen)


def test_the_page_costs_the_same_queries_after_one_or_three_partial_acceptances(
    client, make_card, author, moderator
):
    from django.test.utils import CaptureQueriesContext

    four = changed(BASE, 3, 13, 23, 33)
    pages = []
    for slug, rounds in (("once", 1), ("thrice", 3)):
        card = make_card(slug=slug, text=BASE)
        suggestion = submit_suggestion(card=card, text=four, summary="Four", base_version=1, author=author)
        for _ in range(rounds):
            accept_part(suggestion, reviewer=moderator, hunks=[1], remainder="pending")
        pages.append(f"/suggestions/{suggestion.pk}/")
    filler_card = make_card(slug="filler", text=BASE)
    submit_suggestion(card=filler_card, text=four, summary="Next", base_version=1, author=author)
    client.force_login(moderator)
    client.get(pages[0])  # the signed-in account is cached from here on (accounts/identity.py)
    counts = []
    for url in pages:
        with CaptureQueriesContext(connection) as done:
            assert client.get(url).status_code == 200
        counts.append(len(done))
    assert PartialAcceptance.objects.filter(suggestion__card__slug="thrice").count() == 3
    assert counts[0] == counts[1]


def test_the_author_is_told_which_part_was_accepted_and_that_the_rest_stays_open(
    client, suggestion, base_card, moderator, author
):
    from django.core import mail

    from modelcards import outbox

    client.force_login(moderator)
    assert post_part(client, suggestion, base_card, hunks=[1]).status_code == 302
    outbox.deliver_due_mail()  # what the worker does

    (sent,) = [m for m in mail.outbox if m.to == ["author@example.org"]]
    assert sent.subject == "[Model Card Commons] Your suggestion was partly accepted"
    assert "was partly accepted by mod" in sent.body and "The part accepted is version 2" in sent.body
    assert "The rest of your suggestion stays open for review." in sent.body
    client.force_login(author)
    assert "mod accepted part of your suggestion on" in shown(client.get("/inbox/").content.decode())
