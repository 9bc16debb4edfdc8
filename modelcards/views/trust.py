"""Moderators' pages for trusted contributors: one account's trust (grant, revoke, leave to the
thresholds), the log of hand decisions, and the autoreviewed versions still to look over."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import permissions
from ..governance import trust, visibility
from ..models import CardVersion, ContributorTrust
from .suggestions import _login_or_forbid

LOOK_OVER_PAGE_SIZE = 50
TRUST_LOG_PAGE_SIZE = 50
DECISIONS = {"grant": True, "revoke": False, "thresholds": None}


def _moderator_or_refusal(request, what: str):
    if not permissions.can_review(request.user):
        return _login_or_forbid(request, f"Only moderators can {what}.")
    return None


def person_trust(request, username):
    """One account's standing, and a moderator's hand decision on it (POST: grant, revoke, thresholds)."""
    if (refusal := _moderator_or_refusal(request, "decide who is trusted")) is not None:
        return refusal
    person = get_object_or_404(get_user_model(), username=username)
    status = 200
    if request.method == "POST":
        decision, reason = request.POST.get("decision", ""), request.POST.get("reason", "")
        if decision not in DECISIONS:
            messages.error(request, "Choose to grant trust, revoke it, or leave it to the thresholds.")
            status = 400
        else:
            try:
                trust.decide(person, trusted=DECISIONS[decision], reason=reason, moderator=request.user)
            except ValueError as exc:
                messages.error(request, str(exc))
                status = 400
            else:
                messages.success(request, f"Trust for {person.get_username()}: {decision} recorded.")
                return redirect("modelcards:person_trust", person.get_username())
    context = {
        "person": person,
        "standing": trust.standing(person),
        "hand": ContributorTrust.objects.filter(user=person).select_related("decided_by").first(),
        "entries": trust.log(person)[:TRUST_LOG_PAGE_SIZE],
        "labels": trust.DECISION_LABELS,
        "thresholds": {
            "accepted": settings.TRUSTED_MIN_ACCEPTED,
            "days": settings.TRUSTED_MIN_ACCOUNT_DAYS,
            "email": settings.TRUSTED_REQUIRE_VERIFIED_EMAIL,
        },
        "reason": request.POST.get("reason", "") if status == 400 else "",
    }
    return render(request, "modelcards/person_trust.html", context, status=status)


def trust_log(request):
    """Every hand decision on trust, newest first."""
    if (refusal := _moderator_or_refusal(request, "read the trust log")) is not None:
        return refusal
    page = Paginator(trust.log(), TRUST_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "modelcards/trust_log.html",
        {
            "entries": page.object_list,
            "labels": trust.DECISION_LABELS,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
        },
    )


def to_look_over():
    """Autoreviewed versions no moderator has looked over yet, newest first."""
    return (
        CardVersion.objects.filter(autoreviewed=True, looked_over_at__isnull=True)
        .select_related("card", "author")
        .only(
            "pk",
            "number",
            "summary",
            "created_at",
            "size_delta",
            "author_name",
            "by_maintainer",
            "text_visibility",
            "summary_visibility",
            "author_visibility",
            "card__slug",
            "card__title",
            "author__username",
        )
        .order_by("-created_at", "-pk")
    )


def autoreviewed(request):
    """The list moderators look over: one indexed, limited query per page (keyset on `?before=`)."""
    if (refusal := _moderator_or_refusal(request, "look over autoreviewed versions")) is not None:
        return refusal
    rows = to_look_over()
    before = request.GET.get("before", "")
    if before.isdigit():
        moment = Subquery(CardVersion.objects.filter(pk=int(before)).values("created_at")[:1])
        rows = rows.filter(Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=int(before)))
    chunk = list(rows[: LOOK_OVER_PAGE_SIZE + 1])
    versions = chunk[:LOOK_OVER_PAGE_SIZE]
    # Suppressed summaries and names stay with oversight (issue 15 item 4), here as everywhere.
    visibility.mask(versions, visibility.viewer_level(request.user))
    older = versions[-1].pk if len(chunk) > LOOK_OVER_PAGE_SIZE else None
    return render(
        request,
        "modelcards/autoreviewed.html",
        {
            "versions": versions,
            "older_before": older,
            "paged": bool(before),
            "maintainers_auto": settings.MAINTAINER_SUGGESTIONS_AUTO_ACCEPT,
        },
    )


@require_POST
def mark_looked_over(request, pk):
    """A moderator has looked over an autoreviewed version and keeps it; it leaves the list."""
    if (refusal := _moderator_or_refusal(request, "look over autoreviewed versions")) is not None:
        return refusal
    version = get_object_or_404(
        CardVersion.objects.select_related("card").only("pk", "number", "card__slug"), pk=pk
    )
    if trust.look_over(version, moderator=request.user):
        messages.success(request, f"Version {version.number} of {version.card.slug} marked as looked over.")
    else:
        messages.info(
            request, "That version is not waiting to be looked over (someone else may have done it)."
        )
    return redirect("modelcards:autoreviewed")
