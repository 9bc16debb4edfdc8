"""Posting in a suggestion's discussion: signed in, or as an anonymous suggestion's author through its
private link; on the whole suggestion or on one line of its diff."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import limits
from ..forms import CommentForm
from ..workflow import StaleReview, WorkflowError, comment_on_suggestion
from .review import back_to_suggestion
from .review_diff import parse_line
from .suggestion_access import get_suggestion, posted_token, shown_token, with_token


def _posted_line(request):
    """The line the comment is on: None for the whole suggestion, False for a line that makes no sense."""
    raw = request.POST.get("line", "")
    if not raw:
        return None, None
    line, revision = parse_line(raw), request.POST.get("revision", "")
    if line is None or not (revision.isascii() and revision.isdigit()) or len(revision) > 9:
        return False, None
    return line, int(revision)


@require_POST
def suggestion_comment(request, pk):
    suggestion = get_suggestion(request, pk)
    token = shown_token(request, suggestion)
    if not request.user.is_authenticated and not token:
        return redirect_to_login(reverse("modelcards:suggestion_detail", args=[pk]))
    if block := limits.block_in_force(request):
        raise PermissionDenied(block.refusal())
    form = CommentForm(request.POST)
    line, revision = _posted_line(request)
    body = request.POST.get("body", "")
    if line is False:
        messages.error(request, "That line of the diff cannot be commented on; choose one shown in it.")
        return back_to_suggestion(request, suggestion, 400, comment_body=body)
    if not form.is_valid():
        # The form's own words: an empty body, one too long, or a character the site refuses, located.
        messages.error(request, " ".join(form.errors.get("body", [])) or "The comment could not be read.")
        return back_to_suggestion(request, suggestion, 400, comment_body=body, comment_line=line)
    if wait := limits.seconds_until_allowed(request, "comment"):
        messages.error(
            request, f"Too many comments in a short time; try again in {limits.describe_wait(wait)}."
        )
        return back_to_suggestion(request, suggestion, 429, comment_body=body, comment_line=line)
    try:
        comment = comment_on_suggestion(
            suggestion,
            body=form.cleaned_data["body"],
            user=request.user,
            token=posted_token(request),
            line=line,
            revision_number=revision,
        )
    except WorkflowError as exc:
        messages.error(request, str(exc))
        status = 409 if isinstance(exc, StaleReview) else 400
        return back_to_suggestion(request, suggestion, status, comment_body=body)
    anchor = comment.line_anchor if comment.on_line else f"comment-{comment.pk}"
    return redirect(with_token(suggestion.get_absolute_url(), token) + f"#{anchor}")
