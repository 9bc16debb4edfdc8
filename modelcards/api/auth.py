"""Who is calling the API: anonymous, or the owner of a personal token within that token's scope.

Only `Authorization: Bearer <token>` counts. A session cookie sent along is ignored, so the API has
no ambient credentials and needs no CSRF protection: `request.user` is the token's owner or anonymous
for every API request, and the site's rate limits, blocks and holds see exactly that.
"""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AnonymousUser
from ninja.security import HttpBearer

from accounts.api_tokens import look_up
from accounts.models import ApiToken

from .. import permissions
from .errors import ApiError

# Each scope includes the ones before it.
SCOPE_RANK = {ApiToken.Scope.READ: 1, ApiToken.Scope.SUGGEST: 2, ApiToken.Scope.MODERATE: 3}
_PROBLEMS = {
    "unknown": ("invalid_token", "This API token is not known; check that it was copied whole."),
    "revoked": ("token_revoked", "This API token was revoked; make a new one on your profile page."),
    "expired": ("token_expired", "This API token has expired; make a new one on your profile page."),
    "inactive": ("invalid_token", "The account this API token belongs to is no longer active."),
}


class Caller:
    """The person behind a request and what their token lets them do."""

    def __init__(self, user, token: ApiToken | None = None):
        self.user, self.token = user, token

    @property
    def scope(self) -> str | None:
        return self.token.scope if self.token else None

    def has_scope(self, scope: str) -> bool:
        return self.token is not None and SCOPE_RANK[self.token.scope] >= SCOPE_RANK[scope]

    @cached_property
    def reviewer(self) -> bool:
        """Sees what moderators see: a moderate-scope token of someone who is a moderator right now."""
        return self.has_scope(ApiToken.Scope.MODERATE) and permissions.can_review(self.user)

    def require(self, scope: str, action: str) -> None:
        """Refuse unless the token carries `scope`; anonymous callers are asked for a token."""
        if self.token is None:
            raise ApiError(
                401,
                "authentication_required",
                f"{action} needs an API token with the “{scope}” scope.",
                headers={"WWW-Authenticate": 'Bearer realm="api"'},
            )
        if not self.has_scope(scope):
            raise ApiError(
                403,
                "insufficient_scope",
                f"{action} needs a token with the “{scope}” scope; this one has “{self.token.scope}”.",
                headers={
                    "WWW-Authenticate": f'Bearer realm="api", error="insufficient_scope", scope="{scope}"'
                },
            )


class BearerToken(HttpBearer):
    """Reads `Authorization: Bearer <token>`; no header means an anonymous caller, never a refusal."""

    def __call__(self, request) -> Caller:
        header = request.headers.get("Authorization", "")
        if not header:
            request.user = AnonymousUser()
            return Caller(request.user)
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise _unauthorised("invalid_token", "Send the token as “Authorization: Bearer <token>”.")
        found = look_up(secret.strip())
        if found.token is None:
            raise _unauthorised(*_PROBLEMS[found.problem])
        request.user = found.token.user
        return Caller(found.token.user, found.token)

    def authenticate(self, request, token):  # pragma: no cover - __call__ does it all
        raise NotImplementedError


def _unauthorised(code: str, message: str) -> ApiError:
    # RFC 6750 has one error name for every token that cannot be used; our code says which case it is.
    challenge = 'Bearer realm="api", error="invalid_token"'
    return ApiError(401, code, message, headers={"WWW-Authenticate": challenge})


def caller_of(request) -> Caller:
    return request.auth
