"""App configuration for accounts."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # Registers the SITE_URL deploy check, and connects the signals that renew cached accounts.
        from . import checks, identity  # noqa: F401
