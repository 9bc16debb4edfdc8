"""Pages and parts of pages kept in the shared cache until something they show changes.

Entries carry the generations (config/generations.py) of the scopes they were made from: one per
card (``card:<slug>``), one for what card pages name beyond their card (``catalogue``: other cards
they link to, people's accounts) and one for the whole site (``site``). Saving a card, a suggestion or
an activity row, or deleting an account, renews the scopes it affects once the transaction commits:
a new version, a suggestion or a decision shows at once, on every app server sharing the cache, with
no timeout deciding freshness.

Three kinds of entry:

- whole pages, for anonymous GET and HEAD requests with no message waiting, stored only when the
  response is a 200 that sets no cookie and used no CSRF token or CSP nonce, so nothing personal or
  secret is ever shared (`cache_card_page`, `cache_site_page`). Visitors who send no session or
  message cookie, most readers, get them from `CachedPageMiddleware` before the rest of the stack
  runs, headers and all;
- shared parts of a page (`shared_parts`), rendered from the database alone without the request;
- signed-in pages (`personal_page`), rendered once per role and generation with secret markers where
  the person's name, CSRF token, review-queue count and inbox count go, and filled in per request.

Anything that fills the cache reads the primary database, never a lagging replica. The tokens live in
the cache, so every process serving the site must share it (Redis); with a per-process cache the
setting MODELCARDS_PAGE_CACHE stays off and everything is rendered per request.
"""

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import DisallowedHost
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.template.response import SimpleTemplateResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers
from django.utils.html import escape

from config import generations
from config.replicas import primary_reads

from .models import Activity, ModelCard, Suggestion
from .notifications import inbox
from .openness.family import lineage_saved

logger = logging.getLogger(__name__)

# Bump when a stored shape changes, so a deploy never serves an entry stored by the old code.
ENTRY_FORMAT = 4
# Only bounds how long an unvisited entry occupies the cache; freshness comes from the generations.
ENTRY_SECONDS = 24 * 3600
SITE = "site"
CATALOGUE = "catalogue"
# Response headers a stored page keeps; everything else (cookies above all) is left behind.
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Last-Modified")
CACHE_HEADER = "X-Page-Cache"


def card_scope(slug: str) -> str:
    return f"card:{slug}"


def card_scopes(slug: str) -> list[str]:
    """What a card's pages depend on: the card, and the rest of the site they name (other cards, people)."""
    return [card_scope(slug), CATALOGUE]


def _entry_key(kind: str, name: str) -> str:
    return f"modelcards:{kind}:{ENTRY_FORMAT}:{hashlib.sha256(name.encode('utf-8')).hexdigest()}"


# --------------------------------------------------------------------------------------
# Parts of pages that every visitor sees alike


def shared_parts(scopes: list[str], name: str, render: Callable[[], dict]) -> dict:
    """The parts `render` makes, made once per generation of `scopes` and then shared by every visitor.

    `render` must build them from the database alone, never from the request: templates rendered
    without a request have no user, CSRF token or messages, so nothing personal can slip in. It may
    raise Http404, which reaches the view as usual.
    """
    if not settings.MODELCARDS_PAGE_CACHE:
        return render()
    return generations.get_or_make(_entry_key("shared", name), scopes, render, ENTRY_SECONDS)


# --------------------------------------------------------------------------------------
# Whole pages for signed-in people, kept with holes for what is theirs alone


class _Holes:
    """Markers standing in for a signed-in person's own values in a page kept for everyone in a role.

    Derived from SECRET_KEY, so no card, comment or name can contain one: the values poured into
    the holes (a CSRF token above all) could otherwise be made to land inside someone's text.
    """

    def __init__(self, secret: str):
        def marker(name: str) -> str:
            return "mcchole" + hashlib.sha256(f"{secret}:page-hole:{name}".encode()).hexdigest()[:32]

        self.username, self.profile = marker("username"), marker("profile")
        self.csrf, self.pending = marker("csrf"), marker("pending")
        self.inbox = marker("inbox")
        self.splitter = re.compile(
            f"({self.username}|{self.profile}|{self.csrf}|{self.pending}|{self.inbox})"
        )

    def cut(self, page: str) -> list:
        """The page as UTF-8 pieces with the markers between them, ready to be joined with values."""
        pieces = self.splitter.split(page)
        return [piece if number % 2 else piece.encode() for number, piece in enumerate(pieces)]


class _StandIn:
    """The `user` a page with holes is rendered for. Pages rendered this way use only these attributes."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, holes: _Holes):
        self._holes = holes

    def get_username(self) -> str:
        return self._holes.username

    def get_absolute_url(self) -> str:
        return self._holes.profile


@lru_cache(maxsize=1)
def _holes_for(secret: str) -> _Holes:
    return _Holes(secret)


def personal_page(request, template: str, scopes: list[str], name: str, context, *, variant: tuple = ()):
    """`template` for a signed-in person: rendered once per `variant` (their role, their watch) and
    generation of `scopes`, then filled with their name, their CSRF token, the live review count and
    their inbox's unread count.

    `context` makes the page's context; it runs only when the page is rendered. Anonymous visitors and
    anyone with a message waiting get the page rendered as usual.
    """
    if not (settings.MODELCARDS_PAGE_CACHE and request.user.is_authenticated) or len(get_messages(request)):
        return render(request, template, context())
    holes = _holes_for(settings.SECRET_KEY)

    def with_holes() -> list:
        stand_ins = {
            "user": _StandIn(holes),
            "csrf_token": holes.csrf,
            "pending_review_count": holes.pending,
            "inbox_unread_count": holes.inbox,
        }
        return holes.cut(render_to_string(template, {**context(), **stand_ins}, request))

    # A marker in the key: pages kept under another SECRET_KEY hold markers this one cannot fill.
    key = _entry_key("holes", f"{holes.username}|{template}|{name}|{variant!r}")
    return HttpResponse(
        _fill(generations.get_or_make(key, scopes, with_holes, ENTRY_SECONDS), holes, request)
    )


def _fill(pieces: list, holes: _Holes, request) -> bytes:
    user = request.user
    values = {
        holes.username: escape(user.get_username()),
        holes.profile: escape(user.get_absolute_url()),
        holes.csrf: get_token(request),  # letters and digits only
    }
    if holes.pending in pieces:
        values[holes.pending] = str(Suggestion.objects.pending().count())
    if holes.inbox in pieces:
        values[holes.inbox] = inbox.unread_label(user)  # cached per person (notifications/inbox.py)
    # Even places hold the page's own bytes, odd places the markers.
    return b"".join(
        piece if number % 2 == 0 else values[piece].encode() for number, piece in enumerate(pieces)
    )


# --------------------------------------------------------------------------------------
# Whole pages for anonymous readers

_AT_THE_DOOR = "page_cache_at_the_door"


@dataclass(frozen=True)
class _Policy:
    scopes_for: Callable[[dict], list[str]]
    params: frozenset


class CachedPageMiddleware:
    """Serve a stored page to a visitor with no session or message cookie before the rest of the stack.

    Most readers send neither cookie, and for them nothing below this middleware can change the page:
    a stored page is the whole response the stack gave, headers included (security headers, CSP,
    Vary), replayed as it was. It goes right after SecurityMiddleware, so HTTPS redirects still come
    first. A miss runs the stack as usual; the view's decorator marks the response storable, and this
    stores it with the generations it fetched before the view read the database. Visitors with a
    cookie are served by the decorators themselves, inside the stack.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = _door_lookup(request)
        if found is None:
            return self.get_response(request)
        key, scopes = found
        if (looked_up := _look_up(key, scopes)) is None:
            return self.get_response(request)
        tokens, stored = looked_up
        if stored is not None:
            return _replay(stored)
        setattr(request, _AT_THE_DOOR, True)
        response = self.get_response(request)
        storable = getattr(response, "page_cache_storable", False)
        if storable and response.status_code == 200 and not response.cookies:
            headers = {name: value for name, value in response.items() if name != CACHE_HEADER}
            generations.keep(key, tokens, (response.content, headers), ENTRY_SECONDS)
        return response


def _look_up(key: str, scopes: list[str]):
    """(tokens, the stored page or None), or None when the cache cannot be read: then serve uncached."""
    try:
        return generations.fetch(key, scopes)
    except Exception:  # noqa: BLE001 - a broken cache must not break pages
        logger.warning("Page cache read failed", exc_info=True)
        return None


def _replay(stored) -> HttpResponse:
    content, headers = stored
    response = HttpResponse(content, headers=headers)
    response[CACHE_HEADER] = "hit"
    return response


def _door_lookup(request) -> tuple[str, list[str]] | None:
    """The entry key and scopes of a cacheable page asked for without cookies, or None."""
    if not (
        settings.MODELCARDS_PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and _without_session_or_messages(request)
    ):
        return None
    found = _cached_view_at(request.path_info, settings.ROOT_URLCONF)
    if found is None:
        return None
    policy, kwargs = found
    if not policy.params.issuperset(request.GET.keys()):
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None  # the stack answers it as usual
    key = _entry_key("door", f"{request.scheme}://{host}{request.get_full_path()}")
    return key, policy.scopes_for(kwargs)


@lru_cache(maxsize=1024)  # paths come from anyone: at most a few megabytes
def _cached_view_at(path: str, urlconf: str) -> tuple[_Policy, dict] | None:
    """The caching policy and URL arguments of the view at `path`; remembered, as the URLs never change
    while the process runs, so that the door costs a dictionary lookup for pages it does not keep."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    view = match.func
    policy = getattr(view, "page_cache_policy", None)
    if policy is None and (view_class := getattr(view, "view_class", None)) is not None:
        policy = getattr(view_class.dispatch, "page_cache_policy", None)  # via method_decorator
    return (policy, match.kwargs) if policy is not None else None


def _cacheable_request(request, params: frozenset) -> bool:
    return (
        settings.MODELCARDS_PAGE_CACHE
        and request.method in ("GET", "HEAD")
        # Unknown query parameters (tracking tags, typos) get a fresh page instead of a cache entry each.
        and params.issuperset(request.GET.keys())
        and (_without_session_or_messages(request) or _anonymous_without_messages(request))
    )


def _without_session_or_messages(request) -> bool:
    """Most readers send neither cookie: anonymous with nothing waiting, known without loading anything."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def _anonymous_without_messages(request) -> bool:
    return not request.user.is_authenticated and not len(get_messages(request))


def _storable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Vary")
        # The page used a CSRF token (it has a form that posts): the token belongs to this visitor only.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        # A CSP nonce in a stored page would be replayed to everyone, and would not match their header.
        and not getattr(request, "csp_nonce", None)
        and not len(get_messages(request))
    )


def _serve(view, scopes_for, params: frozenset):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, _AT_THE_DOOR, False):
            # CachedPageMiddleware looked the page up and stores it once the stack is done.
            response, response.page_cache_storable = _fresh_page(request, view, args, kwargs)
        elif not _cacheable_request(request, params):
            return view(request, *args, **kwargs)
        else:
            response = _served_inside(request, view, args, kwargs, scopes_for)
        # A signed-in visitor's cookie must reach us even where a proxy caches anonymous pages.
        patch_vary_headers(response, ("Cookie",))
        return response

    wrapper.page_cache_policy = _Policy(scopes_for, params)
    return wrapper


def _served_inside(request, view, args, kwargs, scopes_for):
    """The stored page for an anonymous visitor with a cookie, or a fresh one, stored when it may be."""
    # Scheme and host too: feeds and citations print absolute addresses.
    key = _entry_key("page", f"{request.scheme}://{request.get_host()}{request.get_full_path()}")
    if (looked_up := _look_up(key, scopes_for(kwargs))) is None:
        return view(request, *args, **kwargs)
    tokens, stored = looked_up
    if stored is not None:
        return _replay(stored)
    response, storable = _fresh_page(request, view, args, kwargs)
    if storable:
        kept = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        generations.keep(key, tokens, (response.content, kept), ENTRY_SECONDS)
    return response


def _fresh_page(request, view, args, kwargs):
    """The view's page read from the primary, and whether it may be stored for everyone (marked "miss")."""
    with primary_reads():
        response = view(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse):
            response.render()  # inside primary_reads: lazy querysets run here
    storable = _storable(request, response)
    if storable:
        response[CACHE_HEADER] = "miss"
    return response, storable


def cache_card_page(*, params: tuple[str, ...] = ()):
    """Cache a view of one card (its ``slug`` URL argument) for anonymous readers until the card changes."""

    def decorator(view):
        return _serve(view, lambda kwargs: card_scopes(kwargs["slug"]), frozenset(params))

    return decorator


def cache_site_page(*, params: tuple[str, ...] = ()):
    """Cache a page about many cards for anonymous readers until anything on the site changes."""

    def decorator(view):
        return _serve(view, lambda kwargs: [SITE], frozenset(params))

    return decorator


# --------------------------------------------------------------------------------------
# Invalidation: every write the pages show goes through one of these models.


def _card_slug(instance) -> str | None:
    if not instance.card_id:
        return None
    if type(instance).card.is_cached(instance):  # as wherever the workflow makes these rows
        return instance.card.slug
    # A deleted card's own signal has already invalidated its pages.
    return ModelCard.objects.filter(pk=instance.card_id).values_list("slug", flat=True).first()


@receiver(post_save, sender=ModelCard)
@receiver(post_delete, sender=ModelCard)
def _card_changed(sender, instance, created=False, **kwargs):
    scopes = [card_scope(instance.slug), SITE]
    if created or kwargs["signal"] is post_delete:
        scopes.append(CATALOGUE)
    generations.invalidate_on_commit(scopes)


@receiver(lineage_saved)
def _lineage_saved(sender, slugs, **kwargs):
    generations.invalidate_on_commit([card_scope(slug) for slug in slugs] + [SITE])


@receiver(post_save, sender=Suggestion)
@receiver(post_delete, sender=Suggestion)
@receiver(post_save, sender=Activity)
@receiver(post_delete, sender=Activity)
def _card_activity(sender, instance, **kwargs):
    slug = _card_slug(instance)
    generations.invalidate_on_commit([card_scope(slug), SITE] if slug else [SITE])


@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def _account_deleted(sender, instance, **kwargs):
    # Histories and recent changes name people; a deleted account's versions lose their author by an
    # UPDATE that sends no signal, so every card page is made afresh (a rare event).
    generations.invalidate_on_commit([CATALOGUE, SITE])
