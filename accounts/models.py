"""The site's user model: Django's, kept swappable from day one so profiles can grow without a data move."""

from django.contrib.auth.models import AbstractUser
from django.urls import reverse


class User(AbstractUser):
    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", args=[self.get_username()])
