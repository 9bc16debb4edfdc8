"""A moderator's rollback of the latest run of versions by one author: a confirmation page, then a POST.

The confirmation names the versions it takes out and carries the card's version number; the POST is
refused with a 409 if the card has moved on since, so nothing the moderator did not see is rolled back.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from .. import permissions
from ..governance import visibility
from ..governance.rollback import CannotRollBack, CardChanged, prepare_rollback, rollback_card
from ..models import ModelCard
from ..workflow import NoChange, WorkflowError
from .suggestions import _login_or_forbid


def _page(request, card, *, plan=None, problem="", status=200):
    if plan is not None:  # the names on the page as this moderator may see them (suppressed ones not)
        visibility.mask([*plan.run, plan.target], visibility.viewer_level(request.user))
    context = {"card": card, "rollback": plan, "problem": problem}
    return render(request, "modelcards/rollback.html", context, status=status)


def rollback(request, slug):
    card = get_object_or_404(ModelCard.objects.only("pk", "slug", "title", "version_number"), slug=slug)
    if not permissions.can_review(request.user):
        return _login_or_forbid(request, "Only moderators can roll back a card.")
    try:
        plan = prepare_rollback(card)
    except CannotRollBack as exc:
        return _page(request, card, problem=str(exc), status=409)
    if request.method != "POST":
        return _page(request, card, plan=plan)
    try:
        expected = int(request.POST.get("expected_version", ""))
    except ValueError:
        return _page(
            request, card, plan=plan, problem="Confirm the rollback with the form below.", status=400
        )
    try:
        version = rollback_card(card, expected_version=expected, moderator=request.user)
    except (CardChanged, NoChange, CannotRollBack) as exc:
        return _conflict(request, card, str(exc))
    except WorkflowError as exc:
        return _page(request, card, plan=plan, problem=str(exc), status=400)
    messages.success(request, f"Version {version.number}: {version.summary}.")
    return redirect("modelcards:history", card.slug)


def _conflict(request, card, problem: str):
    """A 409 showing the rollback as the card now stands, if there still is one."""
    card.refresh_from_db(fields=["version_number"])
    try:
        plan = prepare_rollback(card)
    except CannotRollBack:
        plan = None
    return _page(request, card, plan=plan, problem=problem, status=409)
