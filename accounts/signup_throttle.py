"""How many accounts one address may make: SIGNUP_PER_ADDRESS in SIGNUP_WINDOW_HOURS.

Counted from the address hash each account keeps (User.signup_ip_hash), in the database, so the limit
holds across app servers and restarts, and a cleared cache does not reset it.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import User


def seconds_until_signup_allowed(address_hash: str) -> int:
    """0 if this address may make another account now, else how many seconds until it may."""
    if settings.SIGNUP_PER_ADDRESS <= 0:  # 0 turns the limit off
        return 0
    now = timezone.now()
    window = timedelta(hours=settings.SIGNUP_WINDOW_HOURS)
    joined = list(
        User.objects.filter(signup_ip_hash=address_hash, date_joined__gt=now - window)
        .order_by("-date_joined")
        .values_list("date_joined", flat=True)[: settings.SIGNUP_PER_ADDRESS]
    )
    if len(joined) < settings.SIGNUP_PER_ADDRESS:
        return 0
    # Allowed again once the oldest of the last SIGNUP_PER_ADDRESS sign-ups leaves the window.
    return max(int((joined[-1] + window - now).total_seconds()) + 1, 1)
