"""The author's side of a suggestion: revising it (each revision kept and compared with the one
before), reading any revision, and withdrawing it."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .. import limits, permissions
from ..diffing import cached_diff_texts
from ..forms import RevisionForm
from ..models import InvalidTransition, SuggestionRevision
from ..suggestion_rules import count_links, link_hold_applies
from ..workflow import (
    RevisionMoved,
    WorkflowError,
    change_since_previous,
    may_revise,
    revise_suggestion,
    revision_of,
    text_at_version,
    withdraw_suggestion,
)
from .review import back_to_suggestion
from .review_diff import review_hunks
from .suggestion_access import get_suggestion, is_author, posted_token, shown_token, with_token
from .suggestions import _login_or_forbid
from .visibility import suggestion_refusal


def suggestion_revise(request, pk):
    """The author's editor, holding the suggestion's current text; sending it files the next revision."""
    suggestion = get_suggestion(request, pk)
    token = shown_token(request, suggestion)
    if not may_revise(suggestion, request.user, posted_token(request)):
        return _login_or_forbid(request, "Only the author of a suggestion can revise it.")
    context = {"suggestion": suggestion, "card": suggestion.card, "token": token}
    if not suggestion.is_open:
        messages.error(
            request,
            f"This suggestion was {suggestion.get_status_display().lower()}; it can no longer be revised.",
        )
        return render(request, "modelcards/suggestion_revise.html", context, status=409)
    if request.method != "POST":
        form = RevisionForm(initial={"text": suggestion.text, "seen_revision": suggestion.revision_number})
        return render(request, "modelcards/suggestion_revise.html", {**context, "form": form})
    if block := limits.block_in_force(request):
        raise PermissionDenied(block.refusal())
    form = RevisionForm(request.POST)
    status = 400
    if form.is_valid():
        if wait := limits.seconds_until_allowed(request, "suggest"):
            form.add_error(
                None,
                f"Many edits in a short time; your text is kept, try again in {limits.describe_wait(wait)}.",
            )
            status = 429
        else:
            try:
                revision = _revise(request, suggestion, form)
            except RevisionMoved as exc:
                form.add_error(None, str(exc))
                status = 409
            except InvalidTransition as exc:
                form.add_error(None, str(exc))
                status = 409
            except WorkflowError as exc:
                form.add_error("text", str(exc))
            else:
                messages.success(
                    request,
                    f"Revision {revision.number} is saved; the suggestion waits for a moderator again.",
                )
                return redirect(with_token(suggestion.get_absolute_url(), token))
    if status == 409:
        context["current_change"] = cached_diff_texts(
            form.data.get("text", "").replace("\r\n", "\n"), suggestion.text
        )
    return render(request, "modelcards/suggestion_revise.html", {**context, "form": form}, status=status)


def _revise(request, suggestion, form):
    text = form.cleaned_data["text"]
    # Held again, like a new suggestion, when a revision by someone the link hold applies to (anonymous,
    # unverified or a new account: suggestion_rules.link_hold_applies) adds many links.
    before = suggestion.text
    held = (
        link_hold_applies(request.user)
        and count_links(text) - count_links(before) > settings.MODELCARDS_HOLD_LINKS_OVER
    )
    return revise_suggestion(
        suggestion,
        text=text,
        summary=form.cleaned_data["summary"],
        user=request.user,
        token=posted_token(request),
        seen_revision=form.cleaned_data["seen_revision"],
        held=held,
    )


def suggestion_revision(request, pk, number):
    """One revision: what it changed in the one before, and its whole diff with the comments on its lines."""
    suggestion = get_suggestion(request, pk)
    if (refusal := suggestion_refusal(request, suggestion)) is not None:
        return refusal
    try:
        revision = revision_of(suggestion, number)
    except SuggestionRevision.DoesNotExist:
        raise Http404("This suggestion has no such revision.") from None
    reviewer = permissions.can_review(request.user)
    comments = suggestion.comments.filter(revision_number=number).select_related("author")
    if not reviewer:
        comments = comments.filter(hidden=False)
    card = suggestion.card
    token = shown_token(request, suggestion)
    base_text = text_at_version(card, revision.base_version) if card and revision.base_version else ""
    diff = cached_diff_texts(base_text, revision.text)
    return render(
        request,
        "modelcards/suggestion_revision.html",
        {
            "suggestion": suggestion,
            "card": card,
            "revision": revision,
            "token": token,
            "change": change_since_previous(suggestion, number, revision.text),
            "diff": diff,
            "review_hunks": review_hunks(diff, list(comments), revision_number=number),
            "is_current": number == suggestion.revision_number,
            "discussion_url": with_token(suggestion.get_absolute_url(), token),
        },
    )


@require_POST
def suggestion_withdraw(request, pk):
    suggestion = get_suggestion(request, pk, for_page=False)
    if not is_author(request, suggestion):
        return _login_or_forbid(request, "Only the author can withdraw a suggestion.")
    try:
        withdraw_suggestion(suggestion)
    except InvalidTransition as exc:
        messages.error(request, str(exc))
        return back_to_suggestion(request, suggestion, 409)
    messages.success(request, "Your suggestion is withdrawn. It stays visible with that status.")
    url = suggestion.get_absolute_url()
    if not suggestion.author_id:
        url += f"?token={suggestion.access_token}"
    return redirect(url)
