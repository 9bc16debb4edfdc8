"""Re-review (issue 16 item 5): the cards due for review, and a moderator's "reviewed, still accurate"."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import permissions, reviews
from ..forms import clean_single_line
from ..models import ModelCard

DUE_PAGE_SIZE = 50
_NUMBER = re.compile(r"[0-9]{1,9}")


def due_for_review(request):
    """Every card no moderator has reviewed for REVIEW_DUE_DAYS, longest waiting first, for anyone to
    read; moderators record their review from each row. Not kept in the page cache: a card becomes
    due by the passing of time, with no write to renew a cached copy."""
    after = request.GET.get("after", "").strip()
    if after and not _NUMBER.fullmatch(after):
        return render(
            request,
            "modelcards/bad_request.html",
            {"message": "“after” must be a card number from this list's own “Next” link."},
            status=400,
        )
    cards, next_after = reviews.due_page(after=int(after) if after else None, size=DUE_PAGE_SIZE)
    return render(
        request,
        "modelcards/due_for_review.html",
        {
            "cards": cards,
            "next_after": next_after,
            "paged": bool(after),
            "days": settings.REVIEW_DUE_DAYS,
            "can_review": permissions.can_review(request.user),
        },
    )


@require_POST
def record_review(request, slug):
    """A moderator records "reviewed, still accurate" (with an optional note) from the card or the list."""
    card = get_object_or_404(ModelCard.objects.only("pk", "slug", "version_number"), slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(card.get_absolute_url())
    if not permissions.can_review(request.user):
        raise PermissionDenied("Only moderators record that a card was reviewed.")
    back = redirect("modelcards:due_for_review") if request.POST.get("from") == "list" else redirect(card)
    seen = request.POST.get("seen_version", "").strip()
    try:
        note = clean_single_line(request.POST.get("note", ""), "note")
        if len(note) > reviews.NOTE_CHARS:
            raise ValidationError(f"The note may be at most {reviews.NOTE_CHARS} characters.")
        if seen and not _NUMBER.fullmatch(seen):
            raise ValidationError("The form is damaged (its version number); reload the page.")
        review = reviews.record_review(
            card, moderator=request.user, note=note, seen_version=int(seen) if seen else None
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return back
    except reviews.CardChanged as exc:
        messages.error(request, str(exc))
        return back
    messages.success(
        request, f"Recorded: {card.slug} reviewed at version {review.version_number}, still accurate."
    )
    return back
