"""The site's user model (Django's, kept swappable from day one so profiles can grow without a data
move) and the personal tokens people make for the HTTP API."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .confusables import SKELETON_MAX_LENGTH, skeleton


class User(AbstractUser):
    # What the username looks like (accounts/confusables.py), kept so that a typed name is checked
    # against every account with one indexed query.
    username_skeleton = models.CharField(
        max_length=SKELETON_MAX_LENGTH, blank=True, editable=False, db_index=True
    )
    # Issue 15 item 8: an account counts as registered only once its email is verified; until then
    # it is treated like an anonymous visitor for limits, holds and protection.
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # The address hash the account signed up from: sign-ups and suggestions are limited per hash.
    signup_ip_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def save(self, *args, **kwargs):
        self.username_skeleton = skeleton(self.get_username() or "")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_skeleton"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", args=[self.get_username()])


class ApiTokenQuerySet(models.QuerySet):
    def live(self, now=None):
        """Tokens that still open the API: neither revoked nor past their expiry."""
        now = now or timezone.now()
        return self.filter(revoked_at=None).filter(Q(expires_at=None) | Q(expires_at__gt=now))


class ApiToken(models.Model):
    """A personal token for the HTTP API, made and revoked on its owner's profile page.

    Only the SHA-256 of the secret is kept: the secret is shown once, when the token is made, and a
    leaked database cannot be replayed against the API. A token acts for its owner within its scope
    and never beyond what the owner may do at the time of each request (accounts/api_tokens.py).
    """

    class Scope(models.TextChoices):
        READ = "read", "Read"
        SUGGEST = "suggest", "Read and suggest"
        MODERATE = "moderate", "Read, suggest and see what moderators see"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. the tool using it.")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    secret_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the secret, in hex.")
    prefix = models.CharField(max_length=12, help_text="The secret's first characters, to recognise it.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_by_user")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


class EmailChange(models.Model):
    """A request to change an account's email address, waiting for the link sent to the new address.

    The account keeps its old address until that link is followed (accounts/email_links.py); the old
    address is then told of the change.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    old_email = models.EmailField(max_length=254)
    new_email = models.EmailField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.old_email} → {self.new_email}"
