"""The inbox: decisions, replies, mentions and new versions reach the right people, and only them."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from modelcards import notifications
from modelcards.models import Comment, Notification, TalkThread, Watch
from modelcards.notifications import inbox
from modelcards.workflow import (
    accept_suggestion,
    comment_on_suggestion,
    reject_suggestion,
    request_changes,
    submit_suggestion,
)
from tests.html_checks import active_content
from tests.test_accessible_markup import problems_of

pytestmark = pytest.mark.django_db

CARD = "/cards/sample/"


@pytest.fixture
def author(make_user):
    return make_user("alice")


@pytest.fixture
def suggestion(card, author):
    return submit_suggestion(
        card=card,
        text=card.text.replace("It is only a sample.", "It is a sample, revised."),
        summary="Say what the sample is",
        base_version=1,
        author=author,
    )


def entries_of(user):
    return list(Notification.objects.filter(user=user).order_by("pk"))


def headlines(user):
    return [entry.headline for entry in entries_of(user)]


def _header_count(html: str) -> str:
    return re.search(r'<span class="count inbox-count" data-count="([^"]+)">', html).group(1)


def _page(client, url="/inbox/") -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# Who hears of what


def test_anonymous_visitors_are_sent_to_log_in_to_see_an_inbox(client):
    response = client.get("/inbox/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/inbox/")


@pytest.mark.parametrize(
    ("decide", "said"),
    [
        (lambda s, mod: accept_suggestion(s, reviewer=mod), "mod accepted your suggestion on Sample Model"),
        (
            lambda s, mod: reject_suggestion(s, reviewer=mod, note="Not sourced."),
            "mod rejected your suggestion on Sample Model",
        ),
        (
            lambda s, mod: request_changes(s, reviewer=mod, note="Add a source."),
            "mod asked for changes to your suggestion on Sample Model",
        ),
    ],
    ids=["accepted", "rejected", "changes requested"],
)
def test_a_decision_reaches_the_authors_inbox(client, suggestion, author, moderator, decide, said):
    decide(suggestion, moderator)
    assert headlines(author) == [said]
    assert entries_of(moderator) == []
    client.force_login(author)
    page = _page(client)
    assert said in page and "New" in page
    assert _header_count(page) == "1"


def test_the_moderators_note_is_shown_with_the_decision(client, suggestion, author, moderator):
    reject_suggestion(suggestion, reviewer=moderator, note="Please cite the datasheet.")
    client.force_login(author)
    assert "Please cite the datasheet." in _page(client)


def test_a_second_request_for_changes_after_a_revision_is_news_again(suggestion, author, moderator):
    request_changes(suggestion, reviewer=moderator, note="Add a source.")
    suggestion.refresh_from_db()
    suggestion.status, suggestion.revision_number = "pending", suggestion.revision_number + 1
    suggestion.save(update_fields=["status", "revision_number"])  # as the author's revision leaves it
    request_changes(suggestion, reviewer=moderator, note="And a date.")
    assert [entry.excerpt for entry in entries_of(author)] == ["Add a source.", "And a date."]


def test_a_comment_reaches_the_author_and_everyone_who_commented_but_not_the_commenter(
    suggestion, author, moderator, make_user
):
    bob, carol = make_user("bob"), make_user("carol")
    Comment.objects.create(suggestion=suggestion, author=bob, body="Is there a source?")
    assert headlines(author) == ["bob replied in a suggestion on Sample Model"]
    Comment.objects.create(suggestion=suggestion, author=carol, body="The datasheet says so.")
    assert headlines(bob) == ["carol replied in a suggestion on Sample Model"]
    assert len(entries_of(author)) == 2
    assert entries_of(carol) == [] and entries_of(moderator) == []


def test_a_talk_reply_reaches_the_threads_starter_and_repliers(card, author, make_user):
    bob, carol = make_user("bob"), make_user("carol")
    thread = TalkThread.objects.create(card=card, title="Where is the data from?", author=author)
    Comment.objects.create(thread=thread, author=author, body="Asking about the data.")
    assert entries_of(author) == []  # the thread's own first message tells nobody
    Comment.objects.create(thread=thread, author=bob, body="From C4.")
    Comment.objects.create(thread=thread, author=carol, body="Which snapshot?")
    assert headlines(author) == [
        "bob replied in the talk thread “Where is the data from?” on Sample Model",
        "carol replied in the talk thread “Where is the data from?” on Sample Model",
    ]
    assert headlines(bob) == ["carol replied in the talk thread “Where is the data from?” on Sample Model"]
    assert entries_of(carol) == []


def test_a_reply_in_the_talk_page_form_reaches_the_inbox(client, card, author, make_user):
    thread = TalkThread.objects.create(card=card, title="Licence?", author=author)
    client.force_login(make_user("bob"))
    response = client.post(f"/cards/sample/talk/{thread.pk}/", {"body": "Apache 2.0, says the repo."})
    assert response.status_code == 302
    assert headlines(author) == ["bob replied in the talk thread “Licence?” on Sample Model"]


def test_a_mention_reaches_the_person_named_even_outside_the_discussion(card, author, make_user):
    bob, dave = make_user("bob"), make_user("dave")
    thread = TalkThread.objects.create(card=card, title="Evaluation", author=author)
    Comment.objects.create(
        thread=thread, author=bob, body="@Dave, you ran this; and @nobody-here too. Mail: x@dave.org"
    )
    assert headlines(dave) == ["bob mentioned you in the talk thread “Evaluation” on Sample Model"]
    assert entries_of(dave)[0].kind == Notification.Kind.MENTION
    # The starter is told once, as a reply; a name that is nobody's and an email address tell nobody.
    assert headlines(author) == ["bob replied in the talk thread “Evaluation” on Sample Model"]
    assert Notification.objects.count() == 2


def test_a_participant_who_is_also_mentioned_gets_one_entry(suggestion, author, make_user):
    Comment.objects.create(suggestion=suggestion, author=make_user("bob"), body="@alice: which source?")
    assert [entry.kind for entry in entries_of(author)] == [Notification.Kind.MENTION]


def test_nobody_is_told_of_their_own_comment_or_mention(suggestion, author):
    Comment.objects.create(suggestion=suggestion, author=author, body="Note to self, @alice.")
    assert Notification.objects.count() == 0


def test_a_mention_in_a_held_suggestions_discussion_tells_only_those_who_may_read_it(
    card, author, moderator, make_user
):
    held = submit_suggestion(
        card=card, text=card.text + "\nMore.\n", summary="More", base_version=1, author=author, held=True
    )
    make_user("bob")
    Comment.objects.create(suggestion=held, author=moderator, body="@bob look at this, @alice too.")
    assert Notification.objects.filter(user__username="bob").count() == 0
    assert headlines(author) == ["mod mentioned you in a suggestion on Sample Model"]


def test_an_anonymous_authors_reply_through_the_private_link_reaches_the_discussion(card, moderator):
    anonymous = submit_suggestion(
        card=card,
        text=card.text + "\nMore.\n",
        summary="More",
        base_version=1,
        author=None,
        author_name="Kim",
    )
    comment_on_suggestion(anonymous, body="Which source do you want?", user=moderator)
    comment_on_suggestion(anonymous, body="The paper.", user=None, token=anonymous.access_token)
    assert headlines(moderator) == ["Kim (unregistered) replied in a suggestion on Sample Model"]


def test_watchers_hear_of_a_new_version_but_its_author_and_moderator_do_not(
    card, edit_card, author, moderator, make_user
):
    watcher = make_user("watcher")
    for person in (watcher, author, moderator):
        Watch.objects.create(user=person, card=card)
    edit_card(card, card.text + "\nMore.\n", user=author, summary="Add a line")
    assert headlines(watcher) == ["Sample Model: version 2 by alice"]
    assert entries_of(watcher)[0].excerpt == "Add a line"
    assert entries_of(author) == []
    suggestion = submit_suggestion(
        card=card, text=card.text + "Again.\n", summary="Again", base_version=2, author=make_user("bob")
    )
    accept_suggestion(suggestion, reviewer=moderator)
    assert headlines(watcher)[-1] == "Sample Model: version 3 by bob"
    assert headlines(moderator) == ["Sample Model: version 2 by alice"]  # not the version they approved


def test_the_same_event_reported_twice_leaves_one_entry(card, edit_card, make_user):
    Watch.objects.create(user=make_user("watcher"), card=card)
    version = edit_card(card, card.text + "\nMore.\n")
    notifications.new_version(version)  # as a retried request would
    assert Notification.objects.count() == 1


def test_a_change_that_rolls_back_leaves_no_entry(suggestion, make_user):
    with pytest.raises(RuntimeError), transaction.atomic():
        Comment.objects.create(suggestion=suggestion, author=make_user("bob"), body="Rolled back.")
        raise RuntimeError
    assert Notification.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("thanks @alice.", ["alice", "alice"]),
        ("@bob, @carol-x and (@dave)", ["bob", "carol-x", "dave"]),
        ("mail me at kim@example.org", []),
        ("@@twice and @ alone", []),
    ],
)
def test_mentions_are_read_from_at_names(text, names):
    assert [name.rstrip(".") for name in inbox.mentioned_usernames(text)] == names


# Reading and marking read


def test_opening_an_entry_marks_it_read_and_leads_to_the_thing(client, suggestion, author, moderator):
    reject_suggestion(suggestion, reviewer=moderator, note="No.")
    entry = entries_of(author)[0]
    client.force_login(author)
    assert _header_count(_page(client)) == "1"
    response = client.post(f"/inbox/{entry.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/suggestions/{suggestion.pk}/"
    entry.refresh_from_db()
    assert entry.read_at is not None
    page = _page(client)
    assert _header_count(page) == "0" and "· read" in page


def test_a_reply_entry_leads_to_the_discussion_and_a_version_entry_to_its_diff(card, edit_card, make_user):
    reader = make_user("watcher")
    Watch.objects.create(user=reader, card=card)
    edit_card(card, card.text + "\nMore.\n")
    thread = TalkThread.objects.create(card=card, title="t", author=reader)
    Comment.objects.create(thread=thread, author=make_user("bob"), body="Hello")
    version_entry, reply_entry = entries_of(reader)
    assert version_entry.target_url() == "/cards/sample/diff/1/2/"
    assert reply_entry.target_url() == f"/cards/sample/talk/{thread.pk}/#comments"


def test_nobody_can_open_or_see_anothers_entries(client, suggestion, author, moderator, make_user):
    reject_suggestion(suggestion, reviewer=moderator, note="Not sourced.")
    entry = entries_of(author)[0]
    client.force_login(make_user("mallory"))
    assert client.post(f"/inbox/{entry.pk}/open/").status_code == 404
    assert "Not sourced." not in _page(client)
    entry.refresh_from_db()
    assert entry.read_at is None


def test_reading_the_inbox_changes_nothing_and_its_actions_refuse_get(client, suggestion, author, moderator):
    reject_suggestion(suggestion, reviewer=moderator, note="No.")
    client.force_login(author)
    _page(client)
    assert client.get("/inbox/read/").status_code == 405
    assert client.get(f"/inbox/{entries_of(author)[0].pk}/open/").status_code == 405
    assert Notification.objects.unread().count() == 1


def test_bad_inbox_requests_get_a_clear_4xx(client, author):
    client.force_login(author)
    assert client.post("/inbox/999999/open/").status_code == 404
    assert client.get("/inbox/abc/open/").status_code == 404
    assert client.get("/inbox/?page=nonsense").status_code == 200  # the first page
    assert client.get("/inbox/?page=99999").status_code == 200  # the last page


def test_mark_all_read_empties_the_count(client, card, author, make_user):
    thread = TalkThread.objects.create(card=card, title="t", author=author)
    for number in range(3):
        Comment.objects.create(thread=thread, author=make_user(f"p{number}"), body="Hi")
    client.force_login(author)
    assert _header_count(_page(client, CARD)) == "3"
    response = client.post("/inbox/read/", follow=True)
    assert "Marked 3 entries read." in response.content.decode()
    assert _header_count(_page(client, CARD)) == "0"
    assert Notification.objects.unread().filter(user=author).count() == 0
    assert Notification.objects.unread().exclude(user=author).exists()  # the others' are theirs to read


def test_the_header_says_99_plus_past_ninety_nine(client, author):
    Notification.objects.bulk_create(
        Notification(user=author, kind="reply", event=f"e{n}", subject="s") for n in range(120)
    )
    client.force_login(author)
    assert _header_count(_page(client)) == "99+"


# Cost


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_inbox_costs_the_same_queries_with_one_entry_or_fifty(
    client, card, author, make_user, django_assert_max_num_queries
):
    thread = TalkThread.objects.create(card=card, title="t", author=author)
    Comment.objects.create(thread=thread, author=make_user("p0"), body="Hi @alice")
    client.force_login(author)
    _page(client)
    one = _queries(client, "/inbox/")
    for number in range(1, 50):
        Comment.objects.create(thread=thread, author=make_user(f"p{number}"), body="Hi")
    assert Notification.objects.filter(user=author).count() == 50
    _page(client)  # the header's count is made afresh once after new entries, as it was for the first
    with django_assert_max_num_queries(one):
        assert "p49 replied" in _page(client)


def test_a_signed_in_card_page_shows_the_unread_count_without_reading_the_database(
    client, card, author, make_user
):
    thread = TalkThread.objects.create(card=card, title="t", author=author)
    Comment.objects.create(thread=thread, author=make_user("bob"), body="Hi")
    client.force_login(author)
    assert _header_count(_page(client, CARD)) == "1"
    with CaptureQueriesContext(connection) as captured:
        assert _header_count(_page(client, CARD)) == "1"
    assert [q["sql"] for q in captured.captured_queries if "django_session" not in q["sql"]] == []
    Comment.objects.create(thread=thread, author=make_user("carol"), body="Hi")
    assert _header_count(_page(client, CARD)) == "2"


def test_each_person_sees_their_own_count_on_a_page_kept_for_everyone(client, card, author, make_user):
    thread = TalkThread.objects.create(card=card, title="t", author=author)
    Comment.objects.create(thread=thread, author=make_user("bob"), body="Hi")
    client.force_login(author)
    assert _header_count(_page(client, CARD)) == "1"
    client.force_login(make_user("other"))
    assert _header_count(_page(client, CARD)) == "0"


# Markup


def test_what_others_wrote_shows_as_text_never_as_markup(client, card, author, make_user):
    thread = TalkThread.objects.create(card=card, title='<img src=x onerror="alert(1)">', author=author)
    Comment.objects.create(thread=thread, author=make_user("bob"), body="<script>alert(2)</script> **bold**")
    client.force_login(author)
    page = _page(client)
    assert active_content(page) == []
    assert "&lt;script&gt;alert(2)&lt;/script&gt; **bold**" in page


@pytest.mark.parametrize("url", ["/inbox/", "/watchlist/", "/watchlist/cards/sample/"])
def test_the_pages_have_one_heading_one_and_sound_markup(client, card, author, suggestion, moderator, url):
    reject_suggestion(suggestion, reviewer=moderator, note="No.")
    Watch.objects.filter(user=author).update(expires_at=None)
    client.force_login(author)
    page = _page(client, url)
    assert page.count("<h1") == 1
    assert problems_of(page) == []


def test_an_entry_about_a_comment_a_moderator_hid_is_no_longer_shown(client, card, author, make_user):
    thread = TalkThread.objects.create(card=card, title="t", author=author)
    spam = Comment.objects.create(thread=thread, author=make_user("spammer"), body="Cheap pills here")
    client.force_login(author)
    assert "Cheap pills" in _page(client)
    Comment.objects.filter(pk=spam.pk).update(hidden=True)  # as the talk page's moderation does
    page = _page(client)
    assert "Cheap pills" not in page and "Nothing here yet" in page
