"""App configuration for accounts."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # Registers the SITE_URL deploy check, and connects the signals that renew cached accounts and
        # remind an unverified account at login.
        from . import checks, email_links, identity  # noqa: F401
