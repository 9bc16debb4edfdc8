"""Who may do what: plain predicates used by views (403), templates (hide buttons) and workflows."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router

REVIEW_PERMISSION = "modelcards.review_suggestion"
SUPPRESS_PERMISSION = "modelcards.suppress_version"


def can_review(user) -> bool:
    """Moderators (the group holding the review permission) and staff review and edit directly."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser or _holds_permission(user, REVIEW_PERMISSION))
    )


def _holds_permission(user, permission: str) -> bool:
    """`permission`, given to the user or to one of their groups: what ModelBackend checks.

    Every signed-in page asks (the header shows moderators their queue). `has_perm` would load every
    permission the user and their groups hold, in two queries of five joined tables that PostgreSQL
    takes longer to plan than to run; this asks the one question in one small query, remembered on the
    user object for the rest of the request.
    """
    known_here = getattr(user, "_held_permissions", None)
    if known_here is None:
        known_here = user._held_permissions = {}
    known = known_here.get(permission)
    if known is None and (loaded := getattr(user, "_perm_cache", None)) is not None:
        # ModelBackend's own set, loaded once and kept with the cached account (accounts/identity.py).
        known = permission in loaded
    if known is None:
        with connections[router.db_for_read(Permission)].cursor() as cursor:
            cursor.execute(_permission_sql(), [*permission.split("."), user.pk, user.pk])
            known = cursor.fetchone() is not None
    known_here[permission] = known
    return known


@cache
def _permission_sql() -> str:
    user_model = get_user_model()
    own = user_model.user_permissions.through._meta
    membership = user_model.groups.through._meta
    granted = Group.permissions.through._meta

    def table(meta) -> str:
        return f'"{meta.db_table}"'

    def column(meta, field: str) -> str:
        return f'{table(meta)}."{meta.get_field(field).column}"'

    permission, content_type = table(Permission._meta), table(ContentType._meta)
    # Table and column names come from the models, never from input.
    return (
        f"SELECT 1 FROM {permission} JOIN {content_type} ON {content_type}.id = {permission}.content_type_id"  # noqa: S608
        f" WHERE {content_type}.app_label = %s AND {permission}.codename = %s AND ("
        f"EXISTS (SELECT 1 FROM {table(own)} WHERE {column(own, 'permission')} = {permission}.id"
        f" AND {column(own, 'user')} = %s)"
        f" OR EXISTS (SELECT 1 FROM {table(membership)} JOIN {table(granted)}"
        f" ON {column(granted, 'group')} = {column(membership, 'group')}"
        f" WHERE {column(granted, 'permission')} = {permission}.id AND {column(membership, 'user')} = %s))"
    )


def can_import(user) -> bool:
    """Creating a card from a README.md is a moderator's or staff member's job."""
    return can_review(user)


def is_registered(user) -> bool:
    """A signed-in, active account whose email address is verified. Only such an account counts as
    registered for limits, holds and protection; an unverified one is treated like an anonymous visitor."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and getattr(user, "email_verified_at", None) is not None
    )


def is_established(user) -> bool:
    """Counts as "verified" for semi-protection: a registered account (email verified) at least
    PROTECTION_MIN_ACCOUNT_DAYS old."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    if not is_registered(user):
        return False
    return user.date_joined <= timezone.now() - timedelta(days=settings.PROTECTION_MIN_ACCOUNT_DAYS)


def may_suggest_under(user, level: str) -> bool:
    """Whether `user` may suggest on a card protected at `level` ("semi" or "full")."""
    if can_review(user):
        return True
    return level == "semi" and is_established(user)


def can_hide(user) -> bool:
    """Moderators (and staff) hide a version's text, summary or author name from the public (item 4)."""
    return can_review(user) or can_suppress(user)


def can_suppress(user) -> bool:
    """The Oversight group suppresses version parts so that moderators cannot see them either.

    Asked on every history page a signed-in person reads, so answered like the review permission.
    """
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or _holds_permission(user, SUPPRESS_PERMISSION)
