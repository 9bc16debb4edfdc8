"""The moderators' import of a card from a Hub repository by its id."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from .. import permissions
from ..forms import HubImportForm
from ..hub.client import HubError, RateLimited
from ..hub.importing import import_from_hub

OUTCOMES = {
    "created": "Created the card “{title}” from {where}.",
    "updated": "Updated the card “{title}” from {where}.",
    "unchanged": "The card “{title}” already had the text of {where}; its link to the Hub was refreshed.",
}


def card_import_hub(request):
    """Every refusal, the Hub's included, is shown on the form with a 4xx status, never a 500."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_import(request.user):
        raise PermissionDenied("Only moderators and staff can import cards.")
    form = HubImportForm(request.POST or None)
    status, retry_after = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                done = import_from_hub(
                    data["repo"], user=request.user, slug=data["slug"], summary=data["summary"]
                )
            except RateLimited as exc:
                form.add_error("repo", str(exc))
                status, retry_after = 429, exc.retry_after
            except HubError as exc:
                form.add_error("repo", str(exc))
            else:
                where = f"{done.readme.repo_id} at {done.readme.commit[:7]}"
                messages.success(request, OUTCOMES[done.outcome].format(title=done.card.title, where=where))
                return redirect(done.card)
    response = render(request, "modelcards/card_import_hub.html", {"form": form}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
