"""The review queue, a suggestion's page and discussion, and the decisions on it."""

import hmac

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import limits, permissions
from ..diffing import cached_diff_texts
from ..editor import body_of
from ..forms import (
    BlockForm,
    CommentForm,
    DecisionForm,
)
from ..models import Block, Comment, InvalidTransition, Suggestion
from ..workflow import (
    CardMoved,
    MergeConflict,
    StaleReview,
    WorkflowError,
    accept_suggestion,
    prepare_acceptance,
    reject_suggestion,
    review_edited_text,
    text_at_version,
    text_fingerprint,
    withdraw_suggestion,
)
from .cards import markdown_response, render_body
from .suggestions import _login_or_forbid

QUEUE_PAGE_SIZE = 50
# A merge with more conflicts than this is not laid out one conflict at a time (each is a form with
# both texts and a text box): the moderator edits the marked text, or rejects the suggestion.
MAX_CONFLICTS_SHOWN = 100


def _token_matches(request, suggestion) -> bool:
    token = request.GET.get("token") or request.POST.get("token") or ""
    # Compared as bytes: compare_digest refuses str with non-ASCII characters, which anyone can send.
    return bool(suggestion.access_token) and hmac.compare_digest(
        token.encode("utf-8"), suggestion.access_token.encode("utf-8")
    )


def _is_author(request, suggestion) -> bool:
    if suggestion.author_id:
        return request.user.is_authenticated and request.user.pk == suggestion.author_id
    return _token_matches(request, suggestion)


def _get_suggestion(request, pk, *, for_page: bool = True) -> Suggestion:
    """The suggestion `pk` if this visitor may see it. Decisions (`for_page=False`) skip the joined
    rows a page shows: the workflow reads and locks what it needs, and the 20 KB card is not read twice."""
    reviewer = permissions.can_review(request.user)
    rows = (
        Suggestion.objects.select_related("card", "author", "moderator", "version")
        if for_page
        else Suggestion.objects
    )
    suggestion = get_object_or_404(rows, pk=pk)
    if suggestion.held and not reviewer and not _is_author(request, suggestion):
        raise Http404("No such suggestion.")
    return suggestion


def suggestion_list(request):
    reviewer = permissions.can_review(request.user)
    suggestions = Suggestion.objects.visible_to(request.user, reviewer=reviewer).select_related(
        "card", "author"
    )
    status = request.GET.get("status", Suggestion.Status.PENDING)
    if status in Suggestion.Status.values:
        suggestions = suggestions.filter(status=status)
    elif status != "all":
        status = Suggestion.Status.PENDING
        suggestions = suggestions.filter(status=status)
    card_slug = request.GET.get("card", "").strip()
    if card_slug:
        suggestions = suggestions.filter(card__slug=card_slug)
    page = Paginator(suggestions.order_by("created_at", "pk").defer("text"), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "modelcards/suggestion_list.html",
        {
            "page_obj": page,
            "suggestions": page.object_list,
            "status": status,
            "card_slug": card_slug,
            "statuses": Suggestion.Status.choices,
            "querystring": params.urlencode(),
            "is_paginated": page.paginator.num_pages > 1,
            "paginator": page.paginator,
        },
    )


def suggestion_detail(request, pk):
    return _detail_page(request, _get_suggestion(request, pk))


def suggestion_markdown(request, pk):
    """The suggested README.md as a file, for whoever may see the suggestion's page."""
    return markdown_response(_get_suggestion(request, pk, for_page=False).text)


def _version_file(card, number: int) -> str:
    return reverse("modelcards:version_markdown", args=[card.slug, number]) if card and number else ""


def _detail_page(request, suggestion, *, status=200, edited_text=None):
    """The suggestion's page; `edited_text` puts a moderator's refused edit back in its box, open."""
    reviewer = permissions.can_review(request.user)
    card = suggestion.card
    context = {
        "suggestion": suggestion,
        "card": card,
        "reviewer": reviewer,
        "is_author": _is_author(request, suggestion),
        "token": request.GET.get("token", "") if _token_matches(request, suggestion) else "",
        "comments": suggestion.comments.filter(hidden=False).select_related("author")
        if not reviewer
        else suggestion.comments.select_related("author"),
        "comment_form": CommentForm(),
    }
    edit_text = suggestion.text
    # Where a diff too large to show offers both texts (diff_too_large.html).
    suggested_file = reverse("modelcards:suggestion_markdown", args=[suggestion.pk])
    if context["token"]:
        suggested_file += f"?token={context['token']}"
    context["base_files"] = (_version_file(card, suggestion.base_version), suggested_file)
    render_problem = ""
    if card is not None and suggestion.version_id is None:
        base_text = text_at_version(card, suggestion.base_version) if suggestion.base_version else ""
        context["base_diff"] = cached_diff_texts(base_text, suggestion.text)
        preview = body_of(suggestion.text)
        if suggestion.is_pending:
            acceptance = prepare_acceptance(suggestion, card)
            context["acceptance"] = acceptance
            if acceptance.stale and not acceptance.conflicted:
                context["current_diff"] = cached_diff_texts(card.text, acceptance.result_text)
                context["current_file"] = reverse("modelcards:card_markdown", args=[card.slug])
            # Both start from the current text: the suggestion's old base would undo later changes.
            (preview, render_problem), edit_text = _would_look(acceptance), acceptance.edit_text
            context["conflicts_shown"] = acceptance.conflicted and preview is not None
    elif suggestion.version_id:
        number = suggestion.version.number
        published = suggestion.version.stored_fields()["text"]
        context["base_diff"] = cached_diff_texts(
            text_at_version(card, number - 1) if number > 1 else "", published
        )
        context["base_files"] = (_version_file(card, number - 1), _version_file(card, number))
        preview = body_of(published)
    else:
        context["base_diff"] = cached_diff_texts("", suggestion.text)
        preview = body_of(suggestion.text)
    # Only the body is shown; splitting it off needs no YAML parse (the text was checked when filed).
    context["rendered"], context["render_problem"] = (
        render_body(preview) if preview is not None else (None, render_problem)
    )
    if reviewer and suggestion.is_pending:
        context["decision_form"] = DecisionForm(
            initial={
                "seen_fingerprint": text_fingerprint(suggestion.text),
                "seen_version": card.version_number if card else 0,
            }
        )
        context["edited_text"] = edit_text if edited_text is None else edited_text
        context["edit_open"] = edited_text is not None
        context["block_form"] = BlockForm()
        context["next_pending"] = _following_pending(suggestion)
    return render(request, "modelcards/suggestion_detail.html", context, status=status)


def _would_look(acceptance) -> tuple[str | None, str]:
    """The body "How the card would look" shows, or None and why: a merge with more conflicts than
    the page lays out is resolved in the marked text instead."""
    if acceptance.conflicted and len(acceptance.merge.conflicts) > MAX_CONFLICTS_SHOWN:
        return None, (
            f"The suggestion conflicts with the current card in {len(acceptance.merge.conflicts):,} places, "
            f"more than this page lays out ({MAX_CONFLICTS_SHOWN}); the card cannot be shown as it would "
            "look until they are resolved."
        )
    return acceptance.preview_body, ""


def _reviewer_or_refusal(request):
    if not permissions.can_review(request.user):
        return _login_or_forbid(request, "Only moderators can decide on suggestions.")
    return None


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
    suggestion = _get_suggestion(request, pk, for_page=False)
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
        status = 409 if isinstance(exc, (InvalidTransition, StaleReview, MergeConflict)) else 400
        edited = text if mode in ("edit", "confirm") else None
        return _back_to_suggestion(request, suggestion, status, edited_text=edited)
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
def suggestion_reject(request, pk):
    if (refusal := _reviewer_or_refusal(request)) is not None:
        return refusal
    suggestion = _get_suggestion(request, pk, for_page=False)
    try:
        reject_suggestion(suggestion, reviewer=request.user, note=request.POST.get("note", ""))
    except (WorkflowError, InvalidTransition) as exc:
        messages.error(request, str(exc))
        return _back_to_suggestion(request, suggestion, 409 if isinstance(exc, InvalidTransition) else 400)
    messages.success(request, "Rejected; the author has been told why.")
    return _next_in_queue(request, suggestion)


def _back_to_suggestion(request, suggestion, status, *, edited_text=None):
    return _detail_page(
        request, _get_suggestion(request, suggestion.pk), status=status, edited_text=edited_text
    )


def _following_pending(decided):
    """The pending suggestion a moderator reviews after `decided`: the next filed, else the oldest."""
    following = (
        Suggestion.objects.pending()
        .filter(held=False, created_at__gte=decided.created_at)
        .exclude(pk=decided.pk)
        .order_by("created_at", "pk")
        .only("pk")
        .first()
    )
    if following is None:
        oldest = Suggestion.objects.pending().exclude(pk=decided.pk).order_by("created_at", "pk")
        following = oldest.only("pk").first()
    return following


def _next_in_queue(request, decided):
    following = _following_pending(decided)
    if following is not None:
        return redirect(following)
    return redirect("modelcards:suggestion_list")


@require_POST
def suggestion_withdraw(request, pk):
    suggestion = _get_suggestion(request, pk, for_page=False)
    if not _is_author(request, suggestion):
        return _login_or_forbid(request, "Only the author can withdraw a suggestion.")
    try:
        withdraw_suggestion(suggestion)
    except InvalidTransition as exc:
        messages.error(request, str(exc))
        return _back_to_suggestion(request, suggestion, 409)
    messages.success(request, "Your suggestion is withdrawn. It stays visible with that status.")
    url = suggestion.get_absolute_url()
    if not suggestion.author_id:
        url += f"?token={suggestion.access_token}"
    return redirect(url)


@require_POST
def suggestion_comment(request, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("modelcards:suggestion_detail", args=[pk]))
    suggestion = _get_suggestion(request, pk)
    if limits.is_blocked(request):
        raise PermissionDenied("You have been blocked from commenting.")
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A comment needs some text (at most 20,000 characters).")
        return redirect(suggestion)
    if wait := limits.seconds_until_allowed(request, "comment"):
        messages.error(
            request, f"Too many comments in a short time; try again in {limits.describe_wait(wait)}."
        )
        return _back_to_suggestion(request, suggestion, 429)
    Comment.objects.create(suggestion=suggestion, author=request.user, body=form.cleaned_data["body"])
    return redirect(f"{suggestion.get_absolute_url()}#comments")


@require_POST
def block_author(request, pk):
    if (refusal := _reviewer_or_refusal(request)) is not None:
        return refusal
    suggestion = _get_suggestion(request, pk)
    form = BlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for the block.")
        return redirect(suggestion)
    if suggestion.author_id and permissions.can_review(suggestion.author):
        messages.error(request, "Moderators cannot be blocked here.")
        return redirect(suggestion)
    Block.objects.create(
        user=suggestion.author,
        ip_hash="" if suggestion.author_id else suggestion.ip_hash,
        reason=form.cleaned_data["reason"],
        created_by=request.user,
    )
    messages.success(request, f"{suggestion.author_display} can no longer suggest or comment.")
    return redirect(suggestion)
