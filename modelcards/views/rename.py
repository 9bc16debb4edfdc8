"""The moderators' "rename this card" page: a new slug and a reason, then the card under its new name."""

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from .. import permissions
from ..governance.renames import MAX_REASON_CHARS, RenameRefused, rename_card
from ..models import ModelCard


class RenameForm(forms.Form):
    new_slug = forms.CharField(
        label="New slug",
        max_length=100,
        help_text="Lower-case letters, digits, “-”, “_” and “.”; the old address will lead here.",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=MAX_REASON_CHARS,
        help_text="Shown in the card's history and in recent changes.",
        error_messages={"required": "Give a reason for the rename; it shows in the card's history."},
    )


def rename(request, slug):
    card = get_object_or_404(ModelCard.objects.only("pk", "slug", "title"), slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_review(request.user):
        raise PermissionDenied("Only moderators can rename a card.")
    form = RenameForm(request.POST or None, initial={"new_slug": card.slug})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            old_slug = card.slug
            try:
                rename_card(
                    card,
                    new_slug=form.cleaned_data["new_slug"],
                    moderator=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except RenameRefused as exc:
                form.add_error("new_slug", str(exc))
            else:
                messages.success(
                    request, f"Renamed “{old_slug}” to “{card.slug}”; the old address now leads here."
                )
                return redirect(card)
        status = 400
    return render(request, "modelcards/rename.html", {"card": card, "form": form}, status=status)
