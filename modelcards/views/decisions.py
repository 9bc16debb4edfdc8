"""A moderator's decisions on a suggestion: accept (whole, resolved, edited or in part), reject, ask
for changes, block its author. Each is a POST; a refusal comes back as the suggestion's page with a
message, 409 when someone else's decision or change came first."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import permissions
from ..forms import BlockForm, DecisionForm, PartAcceptForm
from ..models import Block, InvalidTransition
from ..workflow import (
    CardMoved,
    MergeConflict,
    PartConflict,
    StaleReview,
    WorkflowError,
    accept_part,
    accept_suggestion,
    prepare_acceptance,
    reject_suggestion,
    request_changes,
    review_edited_text,
)
from .review import back_to_suggestion, following_pending
from .suggestion_access import get_suggestion
from .suggestions import _login_or_forbid


def _reviewer_or_refusal(request):
    if not permissions.can_review(request.user):
        return _login_or_forbid(request, "Only moderators can decide on suggestions.")
    return None


def _refusal_status(exc: Exception) -> int:
    """409 when the suggestion or card moved on (someone else came first), else 400 (the form's fault)."""
    return 409 if isinstance(exc, (InvalidTransition, StaleReview, MergeConflict, PartConflict)) else 400


def _posted_text(request) -> str:
    return request.POST.get("edited_text", "").replace("\r\n", "\n")


def _resolution_from_post(request, suggestion) -> tuple[str | None, str | None]:
    """One choice per conflict region, as the text they make and the version they were merged into."""
    acceptance = prepare_acceptance(suggestion)
    if not acceptance.conflicted:
        return None, None
    choices = []
    for index, region in enumerate(acceptance.merge.conflicts):
        choice = request.POST.get(f"conflict_{index}", "")
        if choice == "current":
            choices.append("".join(region.ours))
        elif choice == "suggestion":
            choices.append("".join(region.theirs))
        elif choice == "manual":
            choices.append(request.POST.get(f"conflict_{index}_text", "").replace("\r\n", "\n"))
        else:
            raise WorkflowError(f"Choose how to resolve conflict {index + 1} before accepting.")
    return acceptance.merge.resolve(choices), acceptance.current_fingerprint


@require_POST
def suggestion_accept(request, pk):
    """Accept as suggested, with per-conflict choices, or with an edited text. An edited text is first
    shown against the current version (mode "edit") and published only once confirmed ("confirm")."""
    if (refusal := _reviewer_or_refusal(request)) is not None:
        return refusal
    suggestion = get_suggestion(request, pk, for_page=False)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The review form was incomplete; reload the page and try again.")
        return redirect(suggestion)
    mode = request.POST.get("mode", "accept")
    text = _posted_text(request) if mode in ("edit", "confirm") else None
    seen_current = request.POST.get("seen_current", "") if mode == "confirm" else None
    try:
        if mode == "resolve":
            text, seen_current = _resolution_from_post(request, suggestion)
            if text is not None and request.POST.get("then") == "edit":
                mode = "edit"
        if mode == "edit":
            return _edited_text_page(request, suggestion, form, text)
        try:
            version = accept_suggestion(
                suggestion,
                reviewer=request.user,
                note=form.cleaned_data["note"],
                resolved_text=text,
                seen_fingerprint=form.cleaned_data["seen_fingerprint"],
                seen_version=form.cleaned_data["seen_version"] if suggestion.card_id else None,
                seen_current=seen_current,
            )
        except CardMoved as exc:
            if mode != "confirm":
                raise
            messages.error(request, str(exc))
            return _edited_text_page(request, suggestion, form, text, status=409)
    except (WorkflowError, InvalidTransition) as exc:
        messages.error(request, str(exc))
        edited = text if mode in ("edit", "confirm") else None
        return back_to_suggestion(request, suggestion, _refusal_status(exc), edited_text=edited)
    messages.success(request, f"Accepted: it is now version {version.number} of the card.")
    return _next_in_queue(request, suggestion)


def _edited_text_page(request, suggestion, form, text, *, status=200):
    """The confirm step: the edited text against the current version, and a button bound to that version."""
    edited = review_edited_text(
        suggestion, text, reviewer=request.user, seen_version=form.cleaned_data["seen_version"]
    )
    if edited.card_moved and status == 200:
        messages.warning(
            request,
            f"The card has changed since you opened the review (it is now at version "
            f"{edited.current_version}); your text is compared with that version below.",
        )
        status = 409
    return render(
        request,
        "modelcards/review_edited.html",
        {
            "suggestion": suggestion,
            "card": suggestion.card,
            "edited": edited,
            "note": form.cleaned_data["note"],
            "seen_fingerprint": form.cleaned_data["seen_fingerprint"],
        },
        status=status,
    )


@require_POST
def suggestion_accept_part(request, pk):
    """Publish the ticked hunks; the rest stays pending as a new revision or is declined with a note."""
    if (refusal := _reviewer_or_refusal(request)) is not None:
        return refusal
    suggestion = get_suggestion(request, pk, for_page=False)
    form = PartAcceptForm(request.POST)
    ticked = request.POST.getlist("hunk")
    if not form.is_valid():
        messages.error(request, "Choose whether the changes you did not tick stay pending or are declined.")
        return back_to_suggestion(request, suggestion, 400, ticked=ticked)
    try:
        done = accept_part(
            suggestion,
            reviewer=request.user,
            hunks=ticked,
            remainder=form.cleaned_data["remainder"],
            note=form.cleaned_data["note"],
            seen_hunks=form.cleaned_data["seen_hunks"],
            seen_version=form.cleaned_data["seen_version"],
        )
    except (WorkflowError, InvalidTransition) as exc:
        messages.error(request, str(exc))
        return back_to_suggestion(request, suggestion, _refusal_status(exc), ticked=ticked)
    number = done.version.number
    if done.nothing_left:
        messages.success(request, f"Accepted as version {number}; the rest was already in the card.")
    elif done.remainder is None:
        messages.success(request, f"Accepted the ticked changes as version {number}; the rest is declined.")
    else:
        against = (
            f"against version {number}"
            if done.rebased
            else f"against version {done.remainder.base_version}, as it conflicts with later changes"
        )
        messages.success(
            request,
            f"Accepted the ticked changes as version {number}. The rest stays pending as revision "
            f"{done.remainder.number}, {against}.",
        )
        return redirect(suggestion)
    return _next_in_queue(request, suggestion)


@require_POST
def suggestion_reject(request, pk):
    if (refusal := _reviewer_or_refusal(request)) is not None:
        return refusal
    suggestion = get_suggestion(request, pk, for_page=False)
    try:
        reject_suggestion(suggestion, reviewer=request.user, note=request.POST.get("note", ""))
    except (WorkflowError, InvalidTransition) as exc:
        messages.error(request, str(exc))
        return back_to_suggestion(request, suggestion, 409 if isinstance(exc, InvalidTransition) else 400)
    messages.success(request, "Rejected; the author has been told why.")
    return _next_in_queue(request, suggestion)


@require_POST
def suggestion_request_changes(request, pk):
    """Send the suggestion back to its author with a note; it leaves the pending queue until revised."""
    if (refusal := _reviewer_or_refusal(request)) is not None:
        return refusal
    suggestion = get_suggestion(request, pk, for_page=False)
    try:
        request_changes(
            suggestion,
            reviewer=request.user,
            note=request.POST.get("note", ""),
            seen_fingerprint=request.POST.get("seen_fingerprint") or None,
        )
    except (WorkflowError, InvalidTransition) as exc:
        messages.error(request, str(exc))
        return back_to_suggestion(request, suggestion, _refusal_status(exc))
    messages.success(request, "Changes requested; the author can revise the suggestion from its page.")
    return _next_in_queue(request, suggestion)


def _next_in_queue(request, decided):
    following = following_pending(decided)
    if following is not None:
        return redirect(following)
    return redirect("modelcards:suggestion_list")


@require_POST
def block_author(request, pk):
    if (refusal := _reviewer_or_refusal(request)) is not None:
        return refusal
    suggestion = get_suggestion(request, pk)
    form = BlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for the block and choose how long it lasts.")
        return redirect(suggestion)
    if suggestion.author_id and permissions.can_review(suggestion.author):
        messages.error(request, "Moderators cannot be blocked here.")
        return redirect(suggestion)
    Block.objects.create(
        user=suggestion.author,
        ip_hash="" if suggestion.author_id else suggestion.ip_hash,
        reason=form.cleaned_data["reason"],
        created_by=request.user,
        expires_at=form.expires_at(timezone.now()),
    )
    messages.success(request, f"{suggestion.author_display} can no longer suggest or comment.")
    return redirect(suggestion)
