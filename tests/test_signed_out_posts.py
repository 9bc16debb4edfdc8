"""A form filled in while signed in but sent after the session ended is sent back, never filed as
anonymous and never dropped."""

import pytest
from django.urls import reverse

from modelcards.models import Comment, Suggestion, TalkThread
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

MARK = 'name="_signed_in" value="1"'


def suggestion_post(text: str, **extra) -> dict:
    return {"text": text, "summary": "Say who trained it", "base_version": 1, "submit": "1", **extra}


def test_forms_shown_to_a_signed_in_person_say_so_and_anonymous_forms_do_not(client, card, make_user):
    url = reverse("modelcards:suggest", args=[card.slug])
    assert MARK not in client.get(url).content.decode()
    client.force_login(make_user("alice"))
    assert MARK in client.get(url).content.decode()


def test_a_suggestion_sent_after_the_session_ended_comes_back_with_the_text(client, card, make_user):
    alice = make_user("alice")
    client.force_login(alice)
    url = reverse("modelcards:suggest", args=[card.slug])
    assert MARK in client.get(url).content.decode()
    client.logout()  # the session expires, or alice logs out in another tab
    typed = SAMPLE_README + "\nTrained by the sample team, <b>bold</b>.\n"
    response = client.post(url, suggestion_post(typed, _signed_in="1"))
    assert response.status_code == 401
    html = response.content.decode()
    assert "You were signed out before this was sent" in html
    assert "Trained by the sample team, &lt;b&gt;bold&lt;/b&gt;." in html  # shown back, escaped
    assert "Log in and send" in html
    assert 'name="summary"' in html and 'name="base_version" value="1"' in html
    assert not Suggestion.objects.exists()  # never filed as anonymous

    assert f'name="_resend_to" value="{url}"' in html

    # Logging in on that page sends the form as typed, now as alice; a wrong password keeps it all.
    resend = reverse("accounts:login_and_resend")
    fields = suggestion_post(typed, _resend_to=url, username="alice")
    response = client.post(resend, {**fields, "password": "wrong"})
    assert response.status_code == 401
    assert "do not match" in response.content.decode()
    assert "Trained by the sample team" in response.content.decode()
    assert not Suggestion.objects.exists()
    response = client.post(resend, {**fields, "password": "pw-for-tests-1"})
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert (suggestion.author, suggestion.text, suggestion.summary) == (alice, typed, "Say who trained it")


@pytest.mark.parametrize(
    "target", ["", "https://elsewhere.example/", "//elsewhere.example/x", "/no/such/page/"]
)
def test_sending_again_only_goes_to_a_page_of_this_site(client, target):
    response = client.post(reverse("accounts:login_and_resend"), {"_resend_to": target})
    assert response.status_code == 400


def test_anonymous_forms_still_work_as_before(client, card):
    url = reverse("modelcards:suggest", args=[card.slug])
    response = client.post(url, suggestion_post(SAMPLE_README + "\nMore.\n", author_name="Sam"))
    assert response.status_code == 302
    assert Suggestion.objects.get().author is None


def test_a_reply_and_a_moderators_edited_acceptance_are_kept_too(client, card, make_user, moderator):
    author = make_user("author")
    thread = TalkThread.objects.create(card=card, title="Who made it?", author=author)
    client.force_login(author)
    reply_url = reverse("modelcards:talk_thread", args=[card.slug, thread.pk])
    client.logout()
    response = client.post(reply_url, {"body": "The sample team, see their paper.", "_signed_in": "1"})
    assert response.status_code == 401
    assert "The sample team, see their paper." in response.content.decode()
    assert not Comment.objects.exists()

    suggestion = Suggestion.objects.create(
        card=card, base_version=1, text=SAMPLE_README + "\nx\n", summary="s", author=author
    )
    accept_url = reverse("modelcards:suggestion_accept", args=[suggestion.pk])
    edited = SAMPLE_README + "\nEdited by the moderator.\n"
    response = client.post(accept_url, {"edited_text": edited, "_signed_in": "1"})
    assert response.status_code == 401
    assert "Edited by the moderator." in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.is_pending


def test_logging_out_is_not_held_back(client, make_user):
    client.force_login(make_user("alice"))
    client.logout()
    response = client.post(reverse("accounts:logout"), {"_signed_in": "1"})
    assert response.status_code == 302
