"""A card's verified maintainers: moderators verify an account (saying how) and revoke it."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import permissions
from ..governance import maintainers
from ..models import CardMaintainer, ModelCard
from .suggestions import _login_or_forbid


def _card(slug: str) -> ModelCard:
    return get_object_or_404(ModelCard.objects.only("pk", "slug", "title"), slug=slug)


def card_maintainers(request, slug):
    """The card's maintainers and their log, with the form to verify another (moderators only)."""
    if not permissions.can_review(request.user):
        return _login_or_forbid(request, "Only moderators verify a card's maintainers.")
    card = _card(slug)
    status, username, note = 200, "", ""
    if request.method == "POST":
        username, note = request.POST.get("username", "").strip(), request.POST.get("note", "")
        person = get_user_model().objects.filter(username=username).first() if username else None
        if person is None:
            messages.error(
                request, f"There is no account named “{username}”." if username else "Name an account."
            )
            status = 400
        else:
            try:
                maintainers.verify(card, person, note=note, moderator=request.user)
            except (ValueError, maintainers.AlreadyMaintainer) as exc:
                messages.error(request, str(exc))
                status = 400
            else:
                messages.success(
                    request, f"{person.get_username()} is now a verified maintainer of this card."
                )
                return redirect("modelcards:card_maintainers", card.slug)
    context = {"card": card, "log": maintainers.log(card), "username": username, "note": note}
    return render(request, "modelcards/card_maintainers.html", context, status=status)


@require_POST
def maintainer_revoke(request, slug, pk):
    if not permissions.can_review(request.user):
        return _login_or_forbid(request, "Only moderators revoke a card's maintainers.")
    card = _card(slug)
    row = get_object_or_404(CardMaintainer.objects.select_related("user", "card"), pk=pk, card=card)
    maintainers.revoke(row, moderator=request.user)
    messages.success(request, f"{row.user.get_username()} is no longer a maintainer of this card.")
    return redirect("modelcards:card_maintainers", card.slug)
