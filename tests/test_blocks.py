"""Blocks expire by themselves, can be lifted (the row stays for the log), and tell the blocked why."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from modelcards import limits
from modelcards.models import Block, Suggestion
from tests.api_contract import SUGGESTED, ApiClient, token_for
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db


def _suggestion(card, author=None, **extra):
    return Suggestion.objects.create(
        card=card, base_version=1, text=SAMPLE_README + "x", summary="s", author=author, **extra
    )


def test_blocking_from_a_suggestion_sets_the_chosen_expiry(client, card, user, moderator):
    suggestion = _suggestion(card, user)
    client.force_login(moderator)
    before = timezone.now()
    client.post(f"/suggestions/{suggestion.pk}/block/", {"reason": "spam", "duration": "1w"})
    block = Block.objects.get()
    assert before + timedelta(weeks=1) <= block.expires_at <= timezone.now() + timedelta(weeks=1)
    client.post(f"/suggestions/{suggestion.pk}/block/", {"reason": "spam", "duration": ""})
    assert Block.objects.latest("pk").expires_at is None


def test_a_block_past_its_expiry_no_longer_blocks(client, card, user, moderator):
    block = Block.objects.create(
        user=user, reason="spam", created_by=moderator, expires_at=timezone.now() + timedelta(hours=1)
    )
    client.force_login(user)
    assert client.get("/cards/sample/suggest/").status_code == 403
    Block.objects.filter(pk=block.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/cards/sample/suggest/").status_code == 200
    assert not Block.objects.in_force().exists() and Block.objects.count() == 1


def test_unblocking_lifts_the_block_and_keeps_it_in_the_log(client, card, user, moderator):
    block = Block.objects.create(user=user, reason="spam", created_by=moderator)
    reviewer = Client()
    reviewer.force_login(moderator)
    assert reviewer.post(f"/blocks/{block.pk}/unblock/").status_code == 302
    block.refresh_from_db()
    assert block.lifted_by == moderator and block.lifted_at is not None
    client.force_login(user)
    assert client.get("/cards/sample/suggest/").status_code == 200
    log = reviewer.get("/blocks/log/").content.decode()
    assert "spam" in log and f"#{block.pk}" in log
    assert block not in reviewer.get("/blocks/").context["blocks"]
    # Lifting again changes nothing and says so.
    assert reviewer.post(f"/blocks/{block.pk}/unblock/").status_code == 302
    assert Block.objects.get().lifted_at == block.lifted_at


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 302), ("registered", 403), ("moderator", 200), ("staff", 200)]
)
def test_the_blocks_pages_are_for_moderators(client, make_user, role, status):
    if role != "anonymous":
        client.force_login(make_user(role, moderator=role == "moderator", staff=role == "staff"))
    for url in ("/blocks/", "/blocks/log/"):
        assert client.get(url).status_code == status
    block = Block.objects.create(ip_hash="ab" * 32, reason="spam")
    assert client.post(f"/blocks/{block.pk}/unblock/").status_code == (302 if status != 403 else 403)
    block.refresh_from_db()
    assert (block.lifted_at is not None) == (status == 200)


def test_an_address_block_shows_only_a_short_prefix_of_the_hash(client, moderator, user):
    Block.objects.create(ip_hash="0123456789abcdef" * 4, reason="flood", created_by=moderator)
    Block.objects.create(user=user, reason="spam", created_by=moderator)
    client.force_login(moderator)
    for url in ("/blocks/", "/blocks/log/"):
        page = client.get(url).content.decode()
        assert "an address" in page and "01234567" in page and "0123456789" not in page
        assert user.username in page and "flood" in page and page.count("<h1") == 1


def test_a_blocked_account_is_told_why_and_until_when(client, card, user, moderator):
    _suggestion(card, user)
    Block.objects.create(
        user=user,
        reason="repeated spam",
        created_by=moderator,
        expires_at=datetime(2099, 1, 2, 3, 4, tzinfo=UTC),
    )
    client.force_login(user)
    wanted = "You are blocked until 2099-01-02 03:04 UTC: repeated spam"
    for response in (
        client.get("/cards/sample/suggest/"),
        client.post(f"/suggestions/{Suggestion.objects.get().pk}/comment/", {"body": "hi"}),
        client.post("/cards/sample/talk/", {"title": "t", "body": "b"}),
    ):
        assert response.status_code == 403 and wanted in response.content.decode()


def test_a_blocked_address_is_told_it_is_blocked_indefinitely(card, moderator):
    visitor = Client(REMOTE_ADDR="198.51.100.9")
    request = type("R", (), {"META": {"REMOTE_ADDR": "198.51.100.9"}})()
    Block.objects.create(ip_hash=limits.ip_hash(request), reason="flood", created_by=moderator)
    response = visitor.get("/cards/sample/suggest/")
    assert response.status_code == 403
    assert "You are blocked indefinitely: flood" in response.content.decode()


def test_the_api_refusal_says_why(card, user, moderator):
    Block.objects.create(user=user, reason="spam", created_by=moderator)
    body = {"card": "sample", "base_version": 1, "text": SAMPLE_README + SUGGESTED, "summary": "s"}
    refused = ApiClient(Client(), token_for(user, "suggest")).post("/api/v1/suggestions/", body)
    assert refused.status_code == 403
    assert "You are blocked indefinitely: spam" in refused.json()["error"]["message"]


def _queries(client, url) -> int:
    """Queries for a second look: the first after a change of roles reloads the reader's, once."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_blocks_pages_take_as_many_queries_for_1_block_as_for_30(client, make_user, moderator):
    client.force_login(moderator)
    people = [make_user(f"p{i}") for i in range(30)]
    Block.objects.create(
        user=people[0], reason="r", created_by=moderator, lifted_by=moderator, lifted_at=timezone.now()
    )
    Block.objects.create(user=people[1], reason="r", created_by=moderator)
    one = (_queries(client, "/blocks/"), _queries(client, "/blocks/log/"))
    for person in people[2:]:
        Block.objects.create(
            user=person, reason="r", created_by=moderator, lifted_by=moderator, lifted_at=timezone.now()
        )
        Block.objects.create(user=person, reason="r", created_by=make_user(f"m{person.pk}", moderator=True))
    assert (_queries(client, "/blocks/"), _queries(client, "/blocks/log/")) == one
