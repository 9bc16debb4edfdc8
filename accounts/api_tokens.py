"""Personal API tokens: making one (its secret shown once), revoking it, and finding whose a secret is.

A secret is `mcc_` and 43 random URL-safe characters (256 bits). Only its SHA-256 is stored: a
random secret needs no slow hash, and the unique index on the hash finds the token in one lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from .models import ApiToken, User

SECRET_PREFIX = "mcc_"  # noqa: S105 - a marker that makes leaked tokens easy to scan for, not a secret
SHOWN_PREFIX_CHARS = 8  # `mcc_` and four more: enough to tell a person's tokens apart
# Reading a token's last use is for its owner, to spot an unused or leaked token; to within this
# long is enough, and spares the database a write on every request.
LAST_USED_PRECISION = timedelta(minutes=5)
MAX_SECRET_CHARS = 200  # an Authorization header longer than any secret we issue is not looked up


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(user: User, *, name: str, scope: str, expires_at=None) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret, which is kept nowhere and so can be shown only now."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        secret_hash=hash_secret(secret),
        prefix=secret[:SHOWN_PREFIX_CHARS],
        expires_at=expires_at,
    )
    return token, secret


def revoke_token(token: ApiToken) -> None:
    """Stop the token working at once; it stays listed, revoked, so its owner sees what happened."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


@dataclass(frozen=True)
class Lookup:
    """What a presented secret turned out to be: a usable token, or why not (`problem`)."""

    token: ApiToken | None
    problem: str = ""  # "unknown", "revoked", "expired" or "inactive"


def look_up(secret: str) -> Lookup:
    """The token whose secret this is, with its owner, in one query; records its use now and then."""
    if not secret or len(secret) > MAX_SECRET_CHARS or not secret.isascii():
        return Lookup(None, "unknown")
    token = ApiToken.objects.select_related("user").filter(secret_hash=hash_secret(secret)).first()
    if token is None:
        return Lookup(None, "unknown")
    now = timezone.now()
    if token.is_revoked:
        return Lookup(None, "revoked")
    if token.is_expired(now):
        return Lookup(None, "expired")
    if not token.user.is_active:
        return Lookup(None, "inactive")
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return Lookup(token)
