"""Signed-in people's accounts and permissions, kept in the shared cache between their requests.

Every signed-in page needs the user's row and what they may do (the header shows moderators their
queue). Read from the database, that is two or three queries on every request, more than the rest of
a cached page costs. `CachedModelBackend` keeps the user, with the permissions Django's ModelBackend
loads onto it, under the generations of two scopes (config/generations.py): ``user:<pk>``, renewed
when that row is saved or deleted, and ``permissions``, renewed when anyone's groups or permissions
change. Renewal happens when the transaction commits, on every app server sharing the cache, so a
blocked, demoted or deleted account loses its rights with the next request; a password change still
signs out other sessions, since Django compares the session's hash with the cached row's password.

IDENTITY_SECONDS bounds how long a cached account lives even if some write bypassed the signals (a
raw SQL UPDATE, say). With a per-process cache (no REDIS_URL) the setting
ACCOUNTS_CACHE_SIGNED_IN_USERS is off and every request reads the database, as Django does.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from config import generations

IDENTITY_SECONDS = 300
PERMISSIONS = "permissions"
# Bump when what an entry holds changes shape, so a deploy never reads an entry of the old code.
ENTRY_FORMAT = 1


def user_scope(pk) -> str:
    return f"user:{pk}"


class CachedModelBackend(ModelBackend):
    """Django's ModelBackend, with `get_user` served from the shared cache while nothing it holds changed."""

    def get_user(self, user_id):
        if not settings.ACCOUNTS_CACHE_SIGNED_IN_USERS:
            return super().get_user(user_id)
        key = f"accounts:identity:{ENTRY_FORMAT}:{user_id}"
        # Made from the primary: a replica's lagging row could restore rights just taken away.
        return generations.get_or_make(
            key, [user_scope(user_id), PERMISSIONS], lambda: self._with_permissions(user_id), IDENTITY_SECONDS
        )

    def _with_permissions(self, user_id):
        user = super().get_user(user_id)
        if user is not None:
            self.get_all_permissions(user)  # loaded onto the user, and kept with it
        return user


# Renewals. Rows only; membership and permission changes are rare, so they renew everyone's entry.


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def _user_changed(sender, instance, **kwargs):
    generations.invalidate_on_commit([user_scope(instance.pk)])


@receiver(m2m_changed, sender=get_user_model().groups.through)
@receiver(m2m_changed, sender=get_user_model().user_permissions.through)
@receiver(m2m_changed, sender=Group.permissions.through)
def _rights_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        generations.invalidate_on_commit([PERMISSIONS])


@receiver(post_save, sender=Group)
@receiver(post_delete, sender=Group)
@receiver(post_save, sender=Permission)
@receiver(post_delete, sender=Permission)
def _rights_renamed_or_removed(sender, **kwargs):
    generations.invalidate_on_commit([PERMISSIONS])
