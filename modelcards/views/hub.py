"""Proposing a card's changes back to the Hub: a moderator's confirmation page (GET), then the send (POST)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from .. import permissions
from ..hub.client import HubError, hub_url
from ..hub.pull_requests import ProposalMoved, prepare_proposal, propose_back
from ..models import HubLink, ModelCard
from ..workflow import WorkflowError
from .suggestions import _login_or_forbid


def _page(request, card, *, proposal=None, problem="", status=200):
    context = {"card": card, "proposal": proposal, "problem": problem}
    if proposal is not None:
        context["hub_url"] = hub_url(proposal.link.repo_id)
    return render(request, "modelcards/hub_propose.html", context, status=status)


def hub_propose(request, slug):
    card = get_object_or_404(ModelCard, slug=slug)
    if not permissions.can_review(request.user):
        return _login_or_forbid(request, "Only moderators can propose changes to the Hub.")
    if not HubLink.objects.filter(card=card).exists():
        return _page(request, card, problem="This card is not linked to a repository on the Hub.", status=404)
    try:
        proposal = prepare_proposal(card)
    except WorkflowError as exc:
        return _page(request, card, problem=str(exc), status=409)
    if request.method != "POST":
        return _page(request, card, proposal=proposal)
    try:
        seen_version = int(request.POST.get("seen_version", ""))
    except ValueError:
        return _page(
            request, card, proposal=proposal, problem="Send the proposal with the button below.", status=400
        )
    try:
        link = propose_back(card, moderator=request.user, seen_version=seen_version)
    except ProposalMoved as exc:
        return _page(request, card, proposal=prepare_proposal(card), problem=str(exc), status=409)
    except (HubError, WorkflowError) as exc:
        return _page(
            request, card, proposal=proposal, problem=str(exc), status=502 if _from_hub(exc) else 409
        )
    messages.success(request, f"Pull request #{link.pr_number} is open on the Hub: {link.pr_url}")
    return redirect(card)


def _from_hub(exc: Exception) -> bool:
    from ..hub.client import HubUnavailable, RateLimited

    return isinstance(exc, HubUnavailable | RateLimited)
