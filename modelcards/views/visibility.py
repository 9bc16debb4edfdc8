"""Hiding and suppressing parts of a version (issue 15 item 4): the form on each version, and the log.

Moderators hide and unhide; oversight members also suppress. Anyone else is refused (a log-in page for
visitors, 403 for signed-in people), whatever they post.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from .. import permissions
from ..governance import visibility
from ..models import CardVersion, ModelCard, Visibility, VisibilityChange
from .suggestions import _login_or_forbid

PER_PAGE = 50
LEVELS = {"visible": Visibility.VISIBLE, "hidden": Visibility.HIDDEN, "suppressed": Visibility.SUPPRESSED}


def _refusal(request):
    if not permissions.can_hide(request.user):
        return _login_or_forbid(request, "Only moderators can hide parts of a version or read the log.")
    return None


def _version(slug: str, n: int) -> CardVersion:
    card = get_object_or_404(ModelCard.objects.only("pk", "slug", "title", "version_number"), slug=slug)
    if not 1 <= n <= card.version_number:
        raise Http404("This card has no such version.")
    version = get_object_or_404(card.versions.with_people(), number=n)
    version.card = card
    return version


def version_visibility(request, slug, n):
    """GET: what each part of version n shows, and the form. POST: change it (a reason is required)."""
    if (refusal := _refusal(request)) is not None:
        return refusal
    version = _version(slug, n)
    level = visibility.viewer_level(request.user)
    status = 200
    if request.method == "POST":
        chosen = request.POST.get("level", "")
        parts = request.POST.getlist("part")
        try:
            if chosen not in LEVELS:
                raise visibility.VisibilityError("Choose visible, hidden or suppressed.")
            changed = visibility.change_visibility(
                version,
                parts=parts,
                level=LEVELS[chosen],
                reason=request.POST.get("reason", ""),
                actor=request.user,
            )
        except visibility.VisibilityDenied as exc:
            messages.error(request, str(exc))
            status = 403
        except visibility.VisibilityError as exc:
            messages.error(request, str(exc))
            status = 400
        else:
            if changed:
                names = ", ".join(row.get_part_display().lower() for row in changed)
                messages.success(
                    request, f"Version {n}: {names} now {Visibility(LEVELS[chosen]).label.lower()}."
                )
            else:
                messages.info(request, f"Version {n}: nothing changed, the parts were already {chosen}.")
            return redirect("modelcards:version_visibility", version.card.slug, n)
        version = _version(slug, n)
    parts = [
        {
            "name": part,
            "label": VisibilityChange.Part(part).label,
            "level": Visibility(visibility.level_of(version, part)),
            "seen": visibility.shows(version, part, level),
        }
        for part in visibility.PARTS
    ]
    log = visibility.visible_log(request.user).filter(version=version)[:PER_PAGE]
    context = {
        "card": version.card,
        "version": version,
        "parts": parts,
        "may_suppress": level == Visibility.SUPPRESSED,
        "is_current": version.number == version.card.version_number,
        "log": log,
        "reason_max": visibility.REASON_MAX,
    }
    return render(request, "modelcards/version_visibility.html", context, status=status)


def visibility_log(request, slug=None):
    """The hide/unhide log, newest first, site-wide or for one card: oversight rows for oversight only."""
    if (refusal := _refusal(request)) is not None:
        return refusal
    rows = visibility.visible_log(request.user)
    card = None
    if slug is not None:
        card = get_object_or_404(ModelCard.objects.only("pk", "slug", "title"), slug=slug)
        rows = rows.filter(version__card=card)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "card": card,
        "rows": page.object_list,
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.has_other_pages(),
    }
    return render(request, "modelcards/visibility_log.html", context)


def hidden_text_refusal(request, card: ModelCard, *numbers: int):
    """A 410 page when the viewer may not see the text of one of the versions `numbers` of `card`
    (pages that show or reuse an old text: its README.md, undo, restore), else None. One query."""
    level = visibility.viewer_level(request.user)
    rows = card.versions.filter(number__in=numbers, text_visibility__gt=level).values_list(
        "number", flat=True
    )
    hidden = sorted(rows)
    if not hidden:
        return None
    context = {"card": card, "number": hidden[0]}
    return render(request, "modelcards/version_hidden.html", context, status=410)


def suggestion_refusal(request, suggestion):
    """For the pages of a suggestion that became a version: a 410 page when the viewer may not see that
    version's text (it is the suggestion's proposed text), else None, with the author masked when the
    version's author name is withheld from the viewer."""
    withheld = visibility.suggestion_withheld(suggestion, visibility.viewer_level(request.user))
    if "text" in withheld:
        context = {"card": suggestion.card, "number": suggestion.version.number}
        return render(request, "modelcards/version_hidden.html", context, status=410)
    if "author" in withheld:
        suggestion.withheld_author = (suggestion.author_id, suggestion.author_name)  # for its comments
        suggestion.author = None
        suggestion.author_name = ""
        suggestion.author_withheld = True
    return None
