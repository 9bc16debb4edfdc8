"""A card's protection page (its notice and log for everyone, the forms for moderators), unprotecting,
and the 403 page a protected card gives to those it leaves out."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import permissions
from ..forms import clean_single_line
from ..governance import protection
from ..models import CardProtection, ModelCard


class ProtectionForm(forms.Form):
    level = forms.ChoiceField(
        choices=[
            (CardProtection.Level.SEMI, "Semi: only signed-in accounts at least {days} days old may suggest"),
            (CardProtection.Level.FULL, "Full: only moderators may suggest"),
        ],
        widget=forms.RadioSelect,
        initial=CardProtection.Level.SEMI,
    )
    reason = forms.CharField(max_length=300, help_text="Shown on the card and to everyone refused.")
    duration = forms.ChoiceField(
        label="For how long",
        choices=[(key, label) for key, (label, _delta) in protection.DURATIONS.items()],
        initial="1w",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = settings.PROTECTION_MIN_ACCOUNT_DAYS
        self.fields["level"].choices = [
            (value, label.format(days=days)) for value, label in self.fields["level"].choices
        ]

    def clean_reason(self):
        # Shown to everyone refused: no line break, control character or direction override (forms.py).
        return clean_single_line(self.cleaned_data["reason"], "reason")


def _login_or_forbid(request, message: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(message)


def _card(slug: str) -> ModelCard:
    return get_object_or_404(ModelCard.objects.only("pk", "slug", "title"), slug=slug)


def card_protection(request, slug):
    card = _card(slug)
    moderator = permissions.can_review(request.user)
    form, status = (ProtectionForm() if moderator else None), 200
    if request.method == "POST":
        if not moderator:
            return _login_or_forbid(request, "Only moderators protect cards.")
        form = ProtectionForm(request.POST)
        if form.is_valid():
            made = protection.protect(card, moderator=request.user, **form.cleaned_data)
            messages.success(request, f"{made.get_level_display()} {made.until_label}.")
            return redirect(card)
        status = 400
    context = {
        "card": card,
        "current": protection.in_force(card),
        "log": protection.log(card),
        "form": form,
        "moderator": moderator,
    }
    return render(request, "modelcards/protection.html", context, status=status)


@require_POST
def card_unprotect(request, slug):
    card = _card(slug)
    if not permissions.can_review(request.user):
        return _login_or_forbid(request, "Only moderators unprotect cards.")
    try:
        protection.unprotect(card, moderator=request.user)
    except protection.NotProtected as exc:
        messages.info(request, str(exc))
        return redirect("modelcards:card_protection", slug=card.slug)
    messages.success(request, "The card is no longer protected.")
    return redirect(card)


def refused_page(request, card, current: CardProtection):
    """The 403 shown instead of an editor to someone the card's protection leaves out."""
    context = {"card": card, "current": current, "message": protection.describe(current)}
    return render(request, "modelcards/protected.html", context, status=403)


def refusal_response(request, card):
    """The refusal page if the card's protection leaves this visitor out, else None."""
    current = protection.refusal(card, request.user)
    return None if current is None else refused_page(request, card, current)
