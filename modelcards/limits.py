"""Protections for the public forms: IP hashing, rate limits, blocks and the honeypot.

An anonymous visitor's IP address is never stored: only a keyed hash of it, which is enough to
rate-limit and block without being able to show or recover the address.
"""

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.db.models import Q
from django_ratelimit.core import get_usage

from .models import Block
from .permissions import is_registered

HONEYPOT_FIELD = "website"


def client_ip(request) -> str:
    """The client's address; a proxy's X-Forwarded-For is believed only when configured."""
    proxies = settings.MODELCARDS_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def ip_hash(request) -> str:
    key = settings.MODELCARDS_IP_HASH_SALT.encode("utf-8")
    return hmac.new(key, client_ip(request).encode("utf-8"), hashlib.sha256).hexdigest()


def client_pseudonym(request) -> str:
    """The client as django-axes records it: the keyed hash of its address, shaped as an IPv6 address.

    Axes stores and logs whatever address it is given (in an `inet` column on PostgreSQL), so it is
    given this stand-in: stable per client, unrecoverable, and in the unique-local range fd00::/8 so
    that nobody mistakes it for a real address.
    """
    digest = bytes.fromhex(ip_hash(request))
    return str(ipaddress.IPv6Address(b"\xfd" + digest[1:16]))


def _rate_key(group, request) -> str:
    # An account whose email is unverified counts with the anonymous visitors at its address.
    if is_registered(request.user):
        return f"user:{request.user.pk}"
    return _address_key(group, request)


def _address_key(group, request) -> str:
    return f"ip:{ip_hash(request)}"


def seconds_until_allowed(request, action: str, *, cost: int = 1) -> int:
    """Count `cost` uses of `action` for this account or IP hash; 0 if allowed, else seconds to wait.

    A costly request (a preview of a long text) counts as several, so the limit bounds the work a
    client can cause, not only its number of requests. An action with a limit in
    MODELCARDS_ADDRESS_RATE_LIMITS is counted against the address hash as well, whoever is signed in:
    accounts made in bulk at one address share one quota.
    """
    counters = [(f"modelcards.{action}", _rate_key, settings.MODELCARDS_RATE_LIMITS.get(action))]
    address_rate = getattr(settings, "MODELCARDS_ADDRESS_RATE_LIMITS", {}).get(action)
    counters.append((f"modelcards.{action}.address", _address_key, address_rate))
    for group, key, rate in counters:
        if rate and (wait := _count(request, group, key, rate, cost)):
            return wait
    return 0


def _count(request, group: str, key, rate: str, cost: int) -> int:
    for _ in range(max(cost, 1)):
        usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
        if usage is None:
            return 0
        if usage["should_limit"]:
            return max(usage["time_left"], 1)
    return 0


# A preview counts once against RATE_LIMIT_PREVIEW for every started PREVIEW_BYTES of its text:
# rendering costs about in proportion, so the limit bounds the work one client causes, not its calls.
PREVIEW_BYTES = 64 * 1024


def preview_cost(size: int) -> int:
    """How many previews showing a text of `size` bytes counts as."""
    return max(1, -(-size // PREVIEW_BYTES))


def may_preview(request, text: str) -> bool:
    """Count showing the posted `text` rendered against the preview limit; decided once per request."""
    if not hasattr(request, "_modelcards_may_preview"):
        cost = preview_cost(len(text.encode("utf-8", "surrogatepass")))
        request._modelcards_may_preview = not seconds_until_allowed(request, "preview", cost=cost)
    return request._modelcards_may_preview


def block_in_force(request) -> Block | None:
    """The block stopping this account or address now (the latest made), so a refusal can say why."""
    if is_registered(request.user):
        blocks = Block.objects.filter(user=request.user)
    elif request.user.is_authenticated:  # unverified: stopped by its address's block too
        blocks = Block.objects.filter(Q(user=request.user) | Q(ip_hash=ip_hash(request)))
    else:
        blocks = Block.objects.filter(ip_hash=ip_hash(request))
    return blocks.in_force().order_by("-created_at", "-pk").first()


def is_blocked(request) -> bool:
    return block_in_force(request) is not None


def honeypot_tripped(request) -> bool:
    """Bots fill every field; people never see this one (hidden by CSS, labelled 'leave empty')."""
    return bool(request.POST.get(HONEYPOT_FIELD, "").strip())


def describe_wait(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    minutes = (seconds + 59) // 60
    if minutes < 90:
        return f"{minutes} minutes"
    return f"{(minutes + 59) // 60} hours"
