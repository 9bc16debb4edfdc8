"""Request changes: a moderator sends a suggestion back with a note, its author revises the same
suggestion (signed in, or anonymous through the private link), and every revision stays visible."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modelcards.models import Activity, ChangeRequest, Notification, Suggestion, SuggestionRevision
from modelcards.workflow import (
    AlreadyDecided,
    RevisionMoved,
    accept_suggestion,
    reject_suggestion,
    request_changes,
    revise_suggestion,
    submit_suggestion,
    text_fingerprint,
    withdraw_suggestion,
)
from tests.conftest import SAMPLE_README
from tests.test_decision_races import at_once

pytestmark = pytest.mark.django_db

FIRST = SAMPLE_README.replace("It is only a sample.", "It is only a sample, trained on 1B tokens.")
SECOND = SAMPLE_README.replace("It is only a sample.", "It is only a sample, trained on 1B tokens [1].")
NOTE = "Please cite where the token count comes from."


def shown(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


@pytest.fixture
def author(make_user):
    return make_user("author")


@pytest.fixture
def suggestion(card, author):
    return submit_suggestion(card=card, text=FIRST, summary="Training size", base_version=1, author=author)


@pytest.fixture
def anonymous_suggestion(card):
    return submit_suggestion(
        card=card, text=FIRST, summary="Training size", base_version=1, author=None, author_name="Robin"
    )


def ask(client, suggestion, note=NOTE):
    return client.post(
        f"/suggestions/{suggestion.pk}/request-changes/",
        {"note": note, "seen_fingerprint": text_fingerprint(suggestion.text)},
    )


def revise(client, suggestion, text=SECOND, summary="Cite the paper", token="", seen_revision=None):
    suggestion.refresh_from_db()
    data = {"text": text, "summary": summary, "seen_revision": seen_revision or suggestion.revision_number}
    if token:
        data["token"] = token
    return client.post(f"/suggestions/{suggestion.pk}/revise/", data)


def test_a_moderator_requests_changes_with_a_note_the_author_sees(client, suggestion, moderator, author):
    client.force_login(moderator)
    response = ask(client, suggestion)
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.CHANGES_REQUESTED
    assert (suggestion.moderator, suggestion.note, suggestion.decided_at) == (moderator, NOTE, None)
    assert ChangeRequest.objects.get().revision_number == 1
    assert Activity.objects.filter(suggestion=suggestion, kind=Activity.Kind.CHANGES_REQUESTED).exists()
    # The author is told, as of any decision on their suggestion.
    assert Notification.objects.filter(
        user=author, suggestion=suggestion, status="changes_requested"
    ).exists()

    client.force_login(author)
    page = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    assert "Changes requested" in page
    assert "mod asked you for changes on" in shown(page)
    assert NOTE in page
    assert f'href="/suggestions/{suggestion.pk}/revise/"' in page


def test_the_note_is_required(client, suggestion, moderator):
    client.force_login(moderator)
    response = ask(client, suggestion, note="   ")
    assert response.status_code == 400
    assert "Say what should change" in response.content.decode()
    assert Suggestion.objects.get(pk=suggestion.pk).status == Suggestion.Status.PENDING


def test_only_moderators_request_changes(client, suggestion, author, user):
    assert ask(client, suggestion).status_code == 302  # to the login page
    for person in (author, user):
        client.force_login(person)
        assert ask(client, suggestion).status_code == 403
    assert Suggestion.objects.get(pk=suggestion.pk).status == Suggestion.Status.PENDING


def test_the_queue_shows_changes_requested_apart_from_pending(client, card, suggestion, moderator, author):
    other = submit_suggestion(card=card, text=SECOND, summary="Another", base_version=1, author=author)
    request_changes(suggestion, reviewer=moderator, note=NOTE)
    pending = client.get("/suggestions/")
    assert [s.pk for s in pending.context["suggestions"]] == [other.pk]
    page = shown(pending.content.decode())
    assert re.search(r"Pending\s+1\b", page) and re.search(r"Changes requested\s+1\b", page)
    waiting = client.get("/suggestions/?status=changes_requested")
    assert [s.pk for s in waiting.context["suggestions"]] == [suggestion.pk]
    assert 'aria-current="page">Changes requested' in waiting.content.decode()
    # The header's queue count is of pending suggestions only.
    assert Suggestion.objects.pending().count() == 1


def test_the_author_revises_the_same_suggestion_and_every_revision_is_kept(
    client, suggestion, moderator, author
):
    request_changes(suggestion, reviewer=moderator, note=NOTE)
    client.force_login(author)
    editor = client.get(f"/suggestions/{suggestion.pk}/revise/")
    assert editor.status_code == 200
    assert editor.context["form"].initial["text"] == FIRST
    response = revise(client, suggestion)
    assert response.status_code == 302 and response["Location"] == f"/suggestions/{suggestion.pk}/"
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.text, suggestion.revision_number) == ("pending", SECOND, 2)
    assert suggestion.base_version == 1  # no rebase: the review merges an old base as for any suggestion
    first, second = SuggestionRevision.objects.filter(suggestion=suggestion)
    assert (first.number, first.text, first.summary, first.kind) == (1, FIRST, "Training size", "filed")
    assert (second.number, second.text, second.summary, second.author) == (
        2,
        SECOND,
        "Cite the paper",
        author,
    )

    client.force_login(moderator)
    page = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    assert "What revision 2 changed" in page
    latest = page[page.index("What revision 2 changed") :]
    assert "<ins> [1]</ins>" in latest or "<ins>[1]</ins>" in latest
    assert "Revisions and requests" in page and "Cite the paper" in page
    assert NOTE in page  # the request stays on the page, answered
    # Revision 2 can be accepted like any suggestion.
    form = client.get(f"/suggestions/{suggestion.pk}/").context["decision_form"]
    assert client.post(f"/suggestions/{suggestion.pk}/accept/", form.initial).status_code == 302
    assert Suggestion.objects.get(pk=suggestion.pk).version.number == 2


def test_each_revision_page_shows_its_change_from_the_one_before(client, suggestion, author):
    revise_suggestion(suggestion, text=SECOND, summary="Cite", user=author)
    third = SECOND.replace("# Sample Model", "# Sample Model (v2)")
    revise_suggestion(suggestion, text=third, summary="Title", user=author)
    page = client.get(f"/suggestions/{suggestion.pk}/revisions/2/").content.decode()
    assert "What changed since revision 1" in page
    assert "Cite" in page
    page = client.get(f"/suggestions/{suggestion.pk}/revisions/3/").content.decode()
    assert "What changed since revision 2" in page and "(v2)" in page
    assert client.get(f"/suggestions/{suggestion.pk}/revisions/4/").status_code == 404
    assert client.get(f"/suggestions/{suggestion.pk}/revisions/0/").status_code == 404
    assert client.get(f"/suggestions/{suggestion.pk}/revisions/{10**20}/").status_code == 404


def test_an_anonymous_author_revises_through_the_private_link(client, anonymous_suggestion, moderator):
    request_changes(anonymous_suggestion, reviewer=moderator, note=NOTE)
    token = anonymous_suggestion.access_token
    assert client.get(f"/suggestions/{anonymous_suggestion.pk}/revise/").status_code == 302  # to login
    assert client.get(f"/suggestions/{anonymous_suggestion.pk}/revise/?token=wrong").status_code == 302
    page = client.get(f"/suggestions/{anonymous_suggestion.pk}/?token={token}").content.decode()
    assert f'href="/suggestions/{anonymous_suggestion.pk}/revise/?token={token}"' in page
    editor = client.get(f"/suggestions/{anonymous_suggestion.pk}/revise/?token={token}")
    assert editor.status_code == 200 and f'name="token" value="{token}"' in editor.content.decode()
    response = revise(client, anonymous_suggestion, token=token)
    assert response.status_code == 302 and response["Location"].endswith(f"?token={token}")
    anonymous_suggestion.refresh_from_db()
    assert anonymous_suggestion.text == SECOND and anonymous_suggestion.status == "pending"
    revision = SuggestionRevision.objects.get(suggestion=anonymous_suggestion, number=2)
    assert (revision.author, revision.author_name) == (None, "Robin")


@pytest.mark.parametrize("who", ["reader", "moderator"])
def test_nobody_but_the_author_revises(client, suggestion, make_user, who):
    client.force_login(make_user("someone", moderator=who == "moderator"))
    assert client.get(f"/suggestions/{suggestion.pk}/revise/").status_code == 403
    assert revise(client, suggestion).status_code == 403
    assert Suggestion.objects.get(pk=suggestion.pk).text == FIRST


@pytest.mark.parametrize("end", ["withdrawn", "rejected", "accepted"])
def test_a_closed_suggestion_cannot_be_revised(client, suggestion, moderator, author, end):
    if end == "withdrawn":
        withdraw_suggestion(suggestion)
    elif end == "rejected":
        reject_suggestion(suggestion, reviewer=moderator, note="No.")
    else:
        accept_suggestion(suggestion, reviewer=moderator)
    client.force_login(author)
    shown_page = client.get(f"/suggestions/{suggestion.pk}/revise/")
    assert shown_page.status_code == 409
    assert "it can no longer be revised" in shown_page.content.decode()
    response = revise(client, suggestion)
    assert response.status_code == 409
    assert Suggestion.objects.get(pk=suggestion.pk).text == FIRST
    assert "Revise this suggestion" not in client.get(f"/suggestions/{suggestion.pk}/").content.decode()


def test_a_revision_made_meanwhile_is_never_overwritten(client, suggestion, author):
    client.force_login(author)
    revise_suggestion(suggestion, text=SECOND, summary="In another tab", user=author)
    third = FIRST.replace("# Sample Model", "# Sample Model (v2)")
    response = revise(client, suggestion, text=third, seen_revision=1)
    assert response.status_code == 409
    page = response.content.decode()
    assert "The suggestion changed while you were editing it" in page
    assert "(v2)" in page  # the typed text is back in the box
    assert Suggestion.objects.get(pk=suggestion.pk).text == SECOND
    # Sent again from that page, it goes through as revision 3.
    assert revise(client, suggestion, text=third, seen_revision=2).status_code == 302
    assert Suggestion.objects.get(pk=suggestion.pk).revision_number == 3


@pytest.mark.parametrize(
    ("text", "summary", "message"),
    [
        (FIRST, "Same", "The text is the same as the current revision"),
        (SAMPLE_README, "Undo", "The text is the same as version 1 of the card"),
        ("---\nlicense: [unclosed\n---\n# x\n", "Broken", "problems"),
        (SECOND, "", "This field is required"),
    ],
)
def test_a_bad_revision_is_refused_with_the_text_kept(client, suggestion, author, text, summary, message):
    client.force_login(author)
    response = revise(client, suggestion, text=text, summary=summary)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Suggestion.objects.get(pk=suggestion.pk).revision_number == 1
    assert not SuggestionRevision.objects.exists()


def test_while_changes_are_requested_a_moderator_can_reject_but_not_accept(
    client, suggestion, moderator, make_user
):
    request_changes(suggestion, reviewer=moderator, note=NOTE)
    other = make_user("other", moderator=True)
    client.force_login(other)
    page = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    assert "Accept</button>" not in page and "Reject</button>" in page
    seen = {"seen_fingerprint": text_fingerprint(FIRST), "seen_version": 1}
    refused = client.post(f"/suggestions/{suggestion.pk}/accept/", {**seen, "mode": "accept"})
    assert refused.status_code == 409
    assert "mod has already asked the author for changes" in refused.content.decode()
    assert ask(client, suggestion).status_code == 409  # and asking twice is refused too
    assert client.post(f"/suggestions/{suggestion.pk}/reject/", {"note": "Abandoned."}).status_code == 302
    assert Suggestion.objects.get(pk=suggestion.pk).status == Suggestion.Status.REJECTED


def test_the_author_may_withdraw_while_changes_are_requested(suggestion, moderator):
    request_changes(suggestion, reviewer=moderator, note=NOTE)
    withdraw_suggestion(suggestion)
    assert Suggestion.objects.get(pk=suggestion.pk).status == Suggestion.Status.WITHDRAWN


def test_a_request_on_a_text_revised_meanwhile_is_refused(client, suggestion, moderator, author):
    client.force_login(moderator)
    fingerprint = text_fingerprint(suggestion.text)
    revise_suggestion(suggestion, text=SECOND, summary="Cite", user=author)
    response = client.post(
        f"/suggestions/{suggestion.pk}/request-changes/", {"note": NOTE, "seen_fingerprint": fingerprint}
    )
    assert response.status_code == 409
    assert "revised while you read it" in response.content.decode()


def test_an_accept_of_the_text_before_a_revision_is_refused(client, suggestion, moderator, author):
    client.force_login(moderator)
    seen = {"seen_fingerprint": text_fingerprint(FIRST), "seen_version": 1}
    revise_suggestion(suggestion, text=SECOND, summary="Cite", user=author)
    response = client.post(f"/suggestions/{suggestion.pk}/accept/", seen)
    assert response.status_code == 409
    assert Suggestion.objects.get(pk=suggestion.pk).status == "pending"


def test_the_discussion_stays_with_the_suggestion_across_revisions(client, suggestion, moderator, author):
    client.force_login(moderator)
    client.post(f"/suggestions/{suggestion.pk}/comment/", {"body": "Where is 1B from?"})
    request_changes(suggestion, reviewer=moderator, note=NOTE)
    client.force_login(author)
    revise(client, suggestion)
    client.post(f"/suggestions/{suggestion.pk}/comment/", {"body": "Added the citation."})
    page = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    assert page.index("Where is 1B from?") < page.index("Added the citation.")


def test_the_workflow_refuses_a_revision_by_someone_else(suggestion, make_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        revise_suggestion(suggestion, text=SECOND, summary="x", user=make_user("someone"))
    with pytest.raises(RevisionMoved):
        revise_suggestion(suggestion, text=SECOND, summary="x", user=suggestion.author, seen_revision=5)


def _page_with_revisions(card, author, moderator, count):
    suggestion = submit_suggestion(card=card, text=FIRST, summary="Many", base_version=1, author=author)
    for n in range(2, count + 1):
        request_changes(suggestion, reviewer=moderator, note=f"Round {n}")
        revise_suggestion(suggestion, text=FIRST + f"\nRevision {n}.\n", summary=f"Round {n}", user=author)
    return suggestion


def test_the_page_costs_the_same_queries_with_one_or_twenty_revisions(client, card, author, moderator):
    client.force_login(moderator)
    one = _page_with_revisions(card, author, moderator, 1)
    two = _page_with_revisions(card, author, moderator, 2)
    many = _page_with_revisions(card, author, moderator, 20)
    _page_with_revisions(card, author, moderator, 1)  # so that each has a next pending suggestion to offer
    assert SuggestionRevision.objects.filter(suggestion=many).count() == 20
    client.get(
        f"/suggestions/{one.pk}/"
    )  # the signed-in account is cached from here on (accounts/identity.py)

    def queries(url) -> int:
        with CaptureQueriesContext(connection) as done:
            response = client.get(url)
        assert response.status_code == 200
        return len(done)

    # Revised once or nineteen times, the same; never revised, two fewer (no revision list or earlier text).
    assert queries(f"/suggestions/{many.pk}/") == queries(f"/suggestions/{two.pk}/")
    assert queries(f"/suggestions/{two.pk}/") == queries(f"/suggestions/{one.pk}/") + 2
    assert "Round 20" in client.get(f"/suggestions/{many.pk}/").content.decode()
    assert queries(f"/suggestions/{many.pk}/revisions/20/") == queries(f"/suggestions/{two.pk}/revisions/2/")


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_a_request_for_changes_and_an_accept_at_once_make_one_decision(make_card, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locking is only real on PostgreSQL; CI runs these tests there")
    card = make_card()
    alice, bob, author = make_user("alice", moderator=True), make_user("bob", moderator=True), make_user("a")
    for round_number in range(5):
        card.refresh_from_db()
        suggestion = submit_suggestion(
            card=card,
            text=card.text + f"\nRound {round_number}.\n",
            summary="r",
            base_version=card.version_number,
            author=author,
        )
        accepted, asked = at_once(
            lambda s=suggestion: accept_suggestion(s, reviewer=alice),
            lambda s=suggestion: request_changes(s, reviewer=bob, note="Say more."),
        )
        failures = [o for o in (accepted, asked) if isinstance(o, Exception)]
        assert len(failures) == 1 and isinstance(failures[0], AlreadyDecided), failures
        suggestion.refresh_from_db()
        assert suggestion.status in ("accepted", "changes_requested")


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_a_revision_and_an_accept_at_once_never_publish_a_text_nobody_saw(make_card, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locking is only real on PostgreSQL; CI runs these tests there")
    card = make_card()
    alice, author = make_user("alice", moderator=True), make_user("a")
    for round_number in range(5):
        card.refresh_from_db()
        text = card.text + f"\nRound {round_number}.\n"
        suggestion = submit_suggestion(
            card=card, text=text, summary="r", base_version=card.version_number, author=author
        )
        accepted, revised = at_once(
            lambda s=suggestion, t=text: accept_suggestion(
                s, reviewer=alice, seen_fingerprint=text_fingerprint(t)
            ),
            lambda s=suggestion, t=text: revise_suggestion(
                s, text=t + "More.\n", summary="more", user=author
            ),
        )
        suggestion.refresh_from_db()
        card.refresh_from_db()
        if isinstance(accepted, Exception):  # the revision came first: the old text is not published
            assert suggestion.status == "pending" and suggestion.revision_number == 2
            assert "More." not in card.text
        else:  # the accept came first: the revision is refused, the accepted text is what was seen
            assert isinstance(revised, AlreadyDecided)
            assert card.text == text


def test_recent_changes_list_the_request_and_the_revision(client, suggestion, moderator, author):
    request_changes(suggestion, reviewer=moderator, note=NOTE)
    revise_suggestion(suggestion, text=SECOND, summary="Cite the paper", user=author)
    page = client.get("/changes/").content.decode()
    assert "Changes requested" in page and "Suggestion revised" in page and "Cite the paper" in page
    assert client.get("/changes/?kind=revised").status_code == 200


def test_an_anonymous_revision_adding_many_links_is_held_again(client, anonymous_suggestion, settings):
    settings.MODELCARDS_HOLD_LINKS_OVER = 1
    token = anonymous_suggestion.access_token
    linked = FIRST + "\nhttps://a.example https://b.example https://c.example\n"
    assert revise(client, anonymous_suggestion, text=linked, token=token).status_code == 302
    anonymous_suggestion.refresh_from_db()
    assert anonymous_suggestion.held and anonymous_suggestion.revision_number == 2
    assert client.get(f"/suggestions/{anonymous_suggestion.pk}/").status_code == 404  # held: not public
    assert client.get(f"/suggestions/{anonymous_suggestion.pk}/?token={token}").status_code == 200


def test_each_request_for_changes_mails_the_author_what_to_do_even_after_a_revision(suggestion, moderator):
    from django.core import mail

    from modelcards import outbox

    request_changes(suggestion, reviewer=moderator, note=NOTE)
    revise_suggestion(suggestion, text=SECOND, summary="Cite the paper", user=suggestion.author)
    request_changes(suggestion, reviewer=moderator, note="Also give the date.")
    outbox.deliver_due_mail()  # what the worker does

    sent = [m for m in mail.outbox if m.to == ["author@example.org"]]
    assert [m.subject for m in sent] == ["[Model Card Commons] Your suggestion was sent back for changes"] * 2
    assert "was sent back for changes by mod" in sent[0].body and "Revise it from its page" in sent[0].body
    assert NOTE in sent[0].body and "Also give the date." in sent[1].body


def test_the_moderator_who_asked_for_changes_finds_the_revision_in_their_inbox(
    client, suggestion, moderator, author
):
    request_changes(suggestion, reviewer=moderator, note=NOTE)
    revise_suggestion(suggestion, text=SECOND, summary="Cite the paper", user=author)

    client.force_login(moderator)
    inbox = shown(client.get("/inbox/").content.decode())
    assert "author revised the suggestion on Sample Model that you asked to change" in inbox
    assert "Cite the paper" in inbox
    client.force_login(author)  # who revised is not told of it
    assert "revised the suggestion" not in shown(client.get("/inbox/").content.decode())
