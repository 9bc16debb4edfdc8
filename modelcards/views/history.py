"""A card's history: the version list, old versions and their exports, diffs, revert, blame, changes."""

import re

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import history, permissions, reviews
from ..cardmeta import build_panel
from ..forms import clean_single_line
from ..governance import visibility
from ..models import Activity, ModelCard
from ..pagecache import cache_card_page, cache_site_page, card_scopes, personal_page, shared_parts
from ..workflow import NoChange, WorkflowError, revert_card
from .cards import markdown_response, render_body
from .visibility import hidden_text_refusal

_NUMBER = re.compile(r"[0-9]{1,9}")


class BadParameter(ValueError):
    """A query-string value that is not what the page expects; shown as a 400 page with the reason."""


def _positive(params, name: str) -> int | None:
    """The positive integer in `params[name]`, None when absent; anything else is a BadParameter."""
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if not _NUMBER.fullmatch(raw) or int(raw) < 1:
        raise BadParameter(f"“{name}” must be a version or item number (1, 2, 3 …).")
    return int(raw)


def _bad_request(request, message: str, *, card=None):
    return render(request, "modelcards/bad_request.html", {"message": message, "card": card}, status=400)


def _card(slug: str) -> ModelCard:
    """The card without its text: list pages need only its name and current version number."""
    return get_object_or_404(ModelCard.objects.only("pk", "slug", "title", "version_number"), slug=slug)


def _versions_or_404(card: ModelCard, *numbers: int) -> dict:
    # Checked before the query: a number past the database's integer range is an error there, not a miss.
    if not all(1 <= number <= card.version_number for number in numbers):
        raise Http404("This card has no such version.")
    versions = history.versions_by_number(card, numbers)
    if len(versions) != len(set(numbers)):
        raise Http404("This card has no such version.")
    return versions


def _shared_card_page(card: ModelCard, title: str, template: str, context: dict) -> dict:
    """A card page's title, head and body for `shared_page.html`, rendered without the request."""
    return {
        "title": title,
        "head": render_to_string("modelcards/card_feed_link.html", {"card": card}),
        "body": render_to_string(template, {"card": card, **context}),
    }


def _shared_page(request, scopes: list[str], name: str, make_parts):
    """A page whose content is one set of shared parts, around the site's header.

    The parts are kept per visibility level (issue 15 item 4): `make_parts(level)` makes them for
    viewers at `level`, so a moderator's copy, showing hidden parts marked, never reaches a reader.
    """
    level = visibility.viewer_level(request.user)
    return personal_page(
        request,
        "modelcards/shared_page.html",
        scopes,
        f"{name}:L{level}",
        lambda: {"shared": shared_parts(scopes, f"{name}:L{level}", lambda: make_parts(level))},
        variant=(permissions.can_review(request.user), level),
    )


@cache_card_page(params=("before", "after"))
def card_history(request, slug):
    try:
        before, after = _positive(request.GET, "before"), _positive(request.GET, "after")
    except BadParameter as exc:
        return _bad_request(request, str(exc), card=_card(slug))
    after = None if before else after
    level = visibility.viewer_level(request.user)

    def parts():
        card = _card(slug)
        page = history.version_page(card, before=before, after=after)
        visibility.mask(page.versions, level)
        # Issue 16 item 5: "reviewed, still accurate" shown above the version it was made at (one query).
        found = reviews.reviews_at(card, [version.number for version in page.versions])
        for version in page.versions:
            version.reviews = found.get(version.number, [])
        renames = Activity.objects.filter(card=card, kind=Activity.Kind.RENAMED).select_related("actor")
        return _shared_card_page(
            card,
            f"History of {card.title}",
            "modelcards/history_body.html",
            {"page": page, "renames": list(renames), "can_hide": level > visibility.PUBLIC},
        )

    moderator = permissions.can_review(request.user)
    return personal_page(  # a moderator's page adds the rollback link (modelcards/governance/rollback.py)
        request,
        "modelcards/history_page.html",
        card_scopes(slug),
        f"history:{slug}:{before}:{after}",
        lambda: {
            "shared": shared_parts(card_scopes(slug), f"history:{slug}:{before}:{after}:L{level}", parts),
            "can_review": moderator,
            "slug": slug,
        },
        variant=(moderator, level),
    )


def compare(request, slug):
    """The history page's compare form lands here and is sent on to the diff's permanent URL."""
    card = _card(slug)
    try:
        a, b = _positive(request.GET, "a"), _positive(request.GET, "b")
    except BadParameter as exc:
        return _bad_request(request, str(exc), card=card)
    if a is None and b is None:
        return _bad_request(request, "Choose two versions to compare, one in each column.", card=card)
    if a is None or b is None or a == b:
        # One version chosen: what it changed, which is what people mean; the first has nothing before it.
        number = a or b
        if number > 1 and number <= card.version_number:
            return redirect("modelcards:diff", card.slug, number - 1, number)
        return render(request, "modelcards/compare_one.html", {"card": card, "number": number})
    return redirect("modelcards:diff", card.slug, min(a, b), max(a, b))


def _version_context(request, card: ModelCard, number: int) -> dict:
    version = _versions_or_404(card, number)[number]
    level = visibility.viewer_level(request.user)
    visibility.mask([version], level)
    if "text" in version.withheld:
        # Issue 15 item 4: nothing read from the hidden text, its title and metadata included.
        state, panel, rendered, render_problem = {"title": card.title}, None, None, None
    else:
        state = history.stored_states(card, [version])[number]
        panel = build_panel(state["metadata"])
        rendered, render_problem = render_body(history.body_of(state), drop_title=True)
    permanent = reverse("modelcards:version_detail", args=[card.slug, number])
    return {
        "card": card,
        "version": version,
        "state": state,
        "panel": panel,
        "rendered": rendered,
        "render_problem": render_problem,
        "can_hide": level > visibility.PUBLIC,
        "is_current": number == card.version_number,
        "previous_number": number - 1 if number > 1 else None,
        "next_number": number + 1 if number < card.version_number else None,
        "permanent_url": request.build_absolute_uri(permanent),
        "can_review": permissions.can_review(request.user),
    }


@cache_card_page()
def version_detail(request, slug, n):
    card = _card(slug)
    return render(request, "modelcards/version_detail.html", _version_context(request, card, n))


@cache_card_page()
def version_markdown(request, slug, n):
    card = _card(slug)
    version = _versions_or_404(card, n)[n]
    if not visibility.shows(version, "text", visibility.viewer_level(request.user)):
        return hidden_text_refusal(request, card, n)
    return markdown_response(history.stored_states(card, [version])[n]["text"])


@cache_card_page(params=("view",))
def diff(request, slug, a, b):
    unified = request.GET.get("view") == "unified"

    def parts(level):
        card = _card(slug)
        versions = _versions_or_404(card, a, b)
        visibility.mask(versions.values(), level)
        # A side whose text the viewer may not see: no diff at all (the diff cache is keyed by numbers,
        # so this is asked before it). A version hidden between the two sides changes nothing.
        text_hidden = [number for number in (a, b) if "text" in versions[number].withheld]
        comparison = None
        if a != b and not text_hidden:
            comparison = history.compare_versions(card, versions[a], versions[b], unified=unified)
        context = {
            "text_hidden": text_hidden,
            "old": versions[a],
            "new": versions[b],
            "comparison": comparison,
            "unified": unified,
            "old_label": f"v{a}",
            "new_label": f"v{b}",
        }
        title = f"{card.title}: version {a} → {b}"
        return _shared_card_page(card, title, "modelcards/version_diff_body.html", context)

    view = "unified" if unified else "split"
    return _shared_page(request, card_scopes(slug), f"diff:{slug}:{a}:{b}:{view}", parts)


@require_POST
def revert(request, slug, n):
    card = get_object_or_404(ModelCard.objects.only("pk", "slug"), slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("modelcards:version_detail", args=[card.slug, n]))
    if not permissions.can_review(request.user):
        raise PermissionDenied("Only moderators can revert a card to an earlier version.")
    if visibility.text_withheld(card, n):
        # Issue 15 item 4: the revert would show the hidden text again, as the card's own.
        messages.error(request, f"The text of version {n} is hidden: unhide it before reverting to it.")
        context = _version_context(request, _card(slug), n)
        return render(request, "modelcards/version_detail.html", context, status=409)
    try:
        reason = clean_single_line(request.POST.get("reason", ""), "reason")
        version = revert_card(card, to_version=n, reviewer=request.user, reason=reason)
    except (WorkflowError, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        card = _card(slug)
        response = render(request, "modelcards/version_detail.html", _version_context(request, card, n))
        response.status_code = 409 if isinstance(exc, NoChange) else 400
        return response
    messages.success(request, f"Reverted: version {version.number} restores the text of version {n}.")
    return redirect("modelcards:history", card.slug)


@cache_card_page(params=("from",))
def blame(request, slug):
    try:
        first = _positive(request.GET, "from") or 1
    except BadParameter as exc:
        return _bad_request(request, str(exc), card=_card(slug))

    def parts(level):
        card = get_object_or_404(
            ModelCard.objects.only("pk", "slug", "title", "version_number", "text", "line_versions"),
            slug=slug,
        )
        total = len(card.text.splitlines())
        if first > max(total, 1):
            raise Http404("The card has no such line.")
        lines = history.blame(card, first=first, count=history.BLAME_PAGE_LINES)
        visibility.mask((line.version for line in lines), level)
        step = history.BLAME_PAGE_LINES
        context = {
            "lines": lines,
            "total": total,
            "first": first,
            "last": first + len(lines) - 1,
            "earlier_from": max(first - step, 1) if first > 1 else None,
            "later_from": first + step if first + step <= total else None,
        }
        title = f"Who wrote what: {card.title}"
        return _shared_card_page(card, title, "modelcards/blame_body.html", context)

    return _shared_page(request, card_scopes(slug), f"blame:{slug}:{first}", parts)


@cache_site_page(params=("card", "kind", "before"))
def changes(request):
    card_slug = request.GET.get("card", "").strip()
    kind = request.GET.get("kind", "").strip()
    try:
        before = _positive(request.GET, "before")
    except BadParameter as exc:
        return _bad_request(request, str(exc))
    if kind and kind not in Activity.Kind.values:
        return _bad_request(request, f"There is no kind of change called “{kind[:50]}”.")
    rows = history.visible_activity(request.user)
    if card_slug:
        rows = rows.filter(card__slug=card_slug)
    if kind:
        rows = rows.filter(kind=kind)
    page, older = history.activity_page(rows, before=before)
    page = visibility.mask_activity(page, visibility.viewer_level(request.user))
    params = request.GET.copy()
    params.pop("before", None)
    return render(
        request,
        "modelcards/changes.html",
        {
            "entries": [(a, history.activity_url(a), history.activity_subject(a)) for a in page],
            "older": older,
            "paged": before is not None,
            "card_slug": card_slug,
            "kind": kind,
            "kinds": Activity.Kind.choices,
            "querystring": params.urlencode(),
        },
    )
