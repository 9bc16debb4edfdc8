"""`manage.py check --deploy`: mail links need the site's real address."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@register(Tags.security, deploy=True)
def site_url_names_the_site(app_configs, **kwargs):
    """Without DEBUG, SITE_URL pointing at this machine means every password-reset and verification
    link is dead."""
    if settings.DEBUG or urlsplit(settings.SITE_URL).hostname not in _LOOPBACK:
        return []
    return [
        Warning(
            f"SITE_URL is {settings.SITE_URL}, so links in mail point at this machine.",
            hint="Set SITE_URL to the site's public address, such as https://cards.example.org.",
            id="accounts.W001",
        )
    ]
