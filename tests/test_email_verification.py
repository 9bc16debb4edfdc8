"""Email verification and changing one's address (issue 15 item 8): what the mails say, what their links
do once, late, tampered with or twice, and what an unverified account sees."""

import re
import time
from io import StringIO

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.core.management import call_command

from accounts.models import User
from modelcards import outbox

pytestmark = pytest.mark.django_db

SITE = "https://cards.example.org"
NEWBIE = {
    "username": "newbie",
    "email": "newbie@example.org",
    "password1": "a-long-pass-123",
    "password2": "a-long-pass-123",
}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    cache.clear()
    yield
    cache.clear()


def _sent_to(address: str) -> list:
    outbox.deliver_due_mail()  # what the worker does
    return [message for message in mail.outbox if message.to == [address]]


def _link(message, kind: str) -> str:
    found = re.search(rf"{re.escape(SITE)}(/accounts/email/{kind}/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def _verification_link(client) -> str:
    client.post("/accounts/signup/", NEWBIE)
    (message,) = _sent_to("newbie@example.org")
    return _link(message, "verify")


# Verifying -----------------------------------------------------------------------------------------------


def test_signing_up_mails_a_verification_link_that_starts_with_site_url(client):
    response = client.post("/accounts/signup/", NEWBIE, HTTP_HOST="localhost:8000")
    assert response.status_code == 302
    assert not User.objects.get(username="newbie").email_verified  # not before the link is followed
    (message,) = _sent_to("newbie@example.org")
    assert message.subject == "[Model Card Commons] Verify your email address"
    assert '"newbie"' in message.body and "within 72 hours" in message.body
    assert f"{SITE}/accounts/email/verify/" in message.body and "localhost:8000" not in message.body


def test_the_link_shows_a_button_and_the_button_verifies(client):
    link = _verification_link(client)
    page = client.get(link)
    assert page.status_code == 200 and "Verify this address" in page.content.decode()
    assert not User.objects.get(username="newbie").email_verified  # a mail scanner's visit does nothing
    response = client.post(link, follow=True)
    assert response.status_code == 200 and "is verified" in response.content.decode()
    assert User.objects.get(username="newbie").email_verified


def test_a_used_link_says_so(client):
    link = _verification_link(client)
    client.post(link)
    again = client.get(link)
    assert again.status_code == 410 and "used already" in again.content.decode()
    assert client.post(link).status_code == 410


def test_an_expired_link_says_so_and_verifies_nothing(client, monkeypatch, settings):
    settings.EMAIL_LINK_HOURS = 72
    made_long_ago = signing.b62_encode(int(time.time()) - 73 * 3600)
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: made_long_ago)
    link = _verification_link(client)
    monkeypatch.undo()
    response = client.post(link)
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert not User.objects.get(username="newbie").email_verified


def test_a_tampered_link_is_refused(client, make_user):
    link = _verification_link(client)
    other = make_user("other", verified=False)
    forged = re.sub(r"verify/\d+", f"verify/{other.pk}", link)  # someone else's account, same signature
    for bad in (forged, link[:-3] + "x/"):
        response = client.post(bad)
        assert response.status_code == 400 and "not valid" in response.content.decode()
    assert not User.objects.get(username="newbie").email_verified
    assert not User.objects.get(username="other").email_verified


def test_an_unverified_account_sees_a_notice_with_a_button_to_send_the_link_again(
    client, make_user, settings
):
    settings.MODELCARDS_RATE_LIMITS = {**settings.MODELCARDS_RATE_LIMITS, "verify_email": "1/h"}
    fresh = make_user("fresh", verified=False)
    client.force_login(fresh)
    page = client.get("/users/fresh/").content.decode()
    assert "is not verified yet" in page and "Send the link again" in page
    assert (
        "is not verified yet"
        not in make_client_for(make_user("verified")).get("/users/verified/").content.decode()
    )
    assert (
        "is not verified yet"
        not in make_client_for(make_user("visitor")).get("/users/fresh/").content.decode()
    )
    assert client.post("/accounts/email/verify/resend/").status_code == 302
    (message,) = _sent_to("fresh@example.org")
    assert f"{SITE}/accounts/email/verify/" in message.body
    refused = client.post("/accounts/email/verify/resend/")
    assert refused.status_code == 429 and "ask again in" in refused.content.decode()
    assert len(_sent_to("fresh@example.org")) == 1


def test_logging_in_reminds_an_unverified_account_and_nobody_else(client, make_user):
    make_user("fresh", verified=False)
    make_user("verified")
    for name, reminded in (("fresh", True), ("verified", False)):
        data = {"username": name, "password": "pw-for-tests-1"}
        page = client.post("/accounts/login/", data, follow=True).content.decode()
        assert ("is not verified yet" in page) is reminded
        client.logout()


def make_client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# Changing one's address ------------------------------------------------------------------------------------


def _change(client, email, password="pw-for-tests-1"):
    return client.post("/accounts/email/change/", {"email": email, "password": password})


def test_changing_the_address_needs_the_password(client, user):
    client.force_login(user)
    response = _change(client, "new@example.org", password="wrong")
    assert response.status_code == 400 and "That is not your password." in response.content.decode()
    assert _sent_to("new@example.org") == []


def test_the_address_changes_only_when_the_link_sent_to_the_new_one_is_followed(client, user):
    client.force_login(user)
    assert _change(client, "new@example.org").status_code == 302
    user.refresh_from_db()
    assert user.email == "reader@example.org"  # nothing changes before confirmation
    (message,) = _sent_to("new@example.org")
    assert message.subject == "[Model Card Commons] Confirm your new email address"
    assert _sent_to("reader@example.org") == []
    link = _link(message, "change")
    assert client.get(link).status_code == 200
    user.refresh_from_db()
    assert user.email == "reader@example.org"  # opening the link does nothing by itself
    assert client.post(link).status_code == 302
    user.refresh_from_db()
    assert user.email == "new@example.org" and user.email_verified
    (notice,) = _sent_to("reader@example.org")
    assert notice.subject == "[Model Card Commons] Your email address was changed"
    assert "to new@example.org" in notice.body
    again = client.post(link)
    assert again.status_code == 410 and "used already" in again.content.decode()


def test_confirming_a_new_address_verifies_an_unverified_account(client, make_user):
    fresh = make_user("fresh", verified=False)
    client.force_login(fresh)
    _change(client, "fresh2@example.org")
    client.post(_link(_sent_to("fresh2@example.org")[0], "change"))
    fresh.refresh_from_db()
    assert fresh.email == "fresh2@example.org" and fresh.email_verified


def test_an_older_change_link_stops_working_once_another_change_was_made(client, user):
    client.force_login(user)
    _change(client, "first@example.org")
    _change(client, "second@example.org")
    first, second = (_link(_sent_to(a)[0], "change") for a in ("first@example.org", "second@example.org"))
    client.post(second)
    refused = client.post(first)
    assert refused.status_code == 410 and "address has changed since" in refused.content.decode()
    user.refresh_from_db()
    assert user.email == "second@example.org"


def test_a_verification_link_for_the_old_address_cannot_verify_the_new_one(client):
    link = _verification_link(client)
    newbie = User.objects.get(username="newbie")
    newbie.email = "elsewhere@example.org"
    newbie.save(update_fields=["email"])
    assert client.post(link).status_code == 410
    assert not User.objects.get(username="newbie").email_verified


def test_the_demo_moderator_is_verified(settings, tmp_path):
    settings.DEMO_PASSWORD_FILE = tmp_path / ".demo-password"
    call_command("load_demo_cards", "--demo-users", stdout=StringIO())
    assert User.objects.get(username="moderator").email_verified


def test_news_of_watched_cards_goes_only_to_verified_addresses(card, make_user, edit_card):
    from modelcards.models import Watch
    from tests.conftest import SAMPLE_README

    for name, verified in (("proven", True), ("typed", False)):
        Watch.objects.create(user=make_user(name, verified=verified), card=card)
    edit_card(card, SAMPLE_README + "\nA new fact.\n")
    assert len(_sent_to("proven@example.org")) == 1
    assert _sent_to("typed@example.org") == []  # an address typed at sign-up is not mailed until proven
