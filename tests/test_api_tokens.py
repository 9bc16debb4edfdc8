"""Personal API tokens on the profile page: made with a name, scope and expiry, shown once, stored
hashed, listed with when they were last used, revoked; a token never does more than its owner may."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.api_tokens import LAST_USED_PRECISION, look_up
from accounts.models import ApiToken
from tests.api_contract import ApiClient

pytestmark = pytest.mark.django_db


def _make(client, **fields):
    data = {"name": "leaderboard sync", "scope": "suggest", "expires": "90", **fields}
    return client.post("/accounts/api-tokens/", data)


def _secret(response) -> str:
    return re.search(r'value="(mcc_[A-Za-z0-9_-]+)"', response.content.decode()).group(1)


def test_a_token_is_made_on_the_profile_and_its_secret_shown_once_and_stored_hashed(client, user):
    client.force_login(user)
    profile = client.get(user.get_absolute_url()).content.decode()
    assert "API tokens" in profile and 'action="/accounts/api-tokens/"' in profile
    made = _make(client)
    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    secret = _secret(made)
    token = ApiToken.objects.get()
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values())
    assert token.scope == "suggest" and token.expires_at > timezone.now() + timedelta(days=89)
    listed = client.get(user.get_absolute_url()).content.decode()
    assert "leaderboard sync" in listed and token.prefix in listed and secret not in listed


def test_nobody_else_sees_or_revokes_a_persons_tokens(client, user, make_user):
    client.force_login(user)
    _make(client)
    token = ApiToken.objects.get()
    other = Client()
    other.force_login(make_user("other"))
    assert "API tokens" not in other.get(user.get_absolute_url()).content.decode()
    assert other.post(f"/accounts/api-tokens/{token.pk}/revoke/").status_code == 404
    assert (
        Client().post("/accounts/api-tokens/", {"name": "x", "scope": "read", "expires": "30"}).status_code
        == 302
    )
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_revoked_token_stops_at_once_and_stays_listed(client, user):
    client.force_login(user)
    secret = _secret(_make(client, scope="read"))
    api = ApiClient(Client(), secret)
    assert api.get("/api/v1/cards/").status_code == 200
    token = ApiToken.objects.get()
    assert client.post(f"/accounts/api-tokens/{token.pk}/revoke/").status_code == 302
    assert api.get("/api/v1/cards/").json()["error"]["code"] == "token_revoked"
    assert "revoked" in client.get(user.get_absolute_url()).content.decode()


def test_only_moderators_may_make_a_moderate_token(client, user, moderator):
    client.force_login(user)
    refused = _make(client, scope="moderate")
    assert refused.status_code == 400 and not ApiToken.objects.exists()
    assert 'value="moderate"' not in client.get(user.get_absolute_url()).content.decode()
    client.force_login(moderator)
    assert 'value="moderate"' in client.get(moderator.get_absolute_url()).content.decode()
    assert _make(client, scope="moderate").status_code == 200


def test_a_token_name_is_one_line_of_plain_text(client, user):
    client.force_login(user)
    assert _make(client, name="evil\u202ename").status_code == 400


def test_a_token_may_never_expire_or_expire_soon(client, user):
    client.force_login(user)
    _make(client, expires="never", name="forever")
    _make(client, expires="30", name="month")
    assert ApiToken.objects.get(name="forever").expires_at is None
    assert ApiToken.objects.get(name="month").expires_at < timezone.now() + timedelta(days=31)


def test_last_use_is_recorded_now_and_then_not_on_every_request(client, user, django_assert_num_queries):
    client.force_login(user)
    secret = _secret(_make(client))
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    look_up(secret)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the lookup only: no write within LAST_USED_PRECISION
        look_up(secret)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - LAST_USED_PRECISION * 2)
    look_up(secret)
    token.refresh_from_db()
    assert token.last_used_at > first - LAST_USED_PRECISION
