"""Comments in a suggestion's discussion: by anyone signed in, by an anonymous author through their
private link, and on one line of the suggestion's diff."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..diffing import TextDiff, cached_diff_texts
from ..models import Comment, Suggestion
from .cards import base_text
from .errors import StaleReview, WorkflowError


def review_diff(suggestion: Suggestion, base_text: str) -> TextDiff:
    """The diff a review page shows for an open suggestion, whose lines comments are written on."""
    return cached_diff_texts(base_text, suggestion.text)


def lines_in(diff: TextDiff) -> set[tuple[str, int]]:
    """The (side, line number) pairs a diff shows, each a place a comment may sit."""
    shown = set()
    for hunk in diff.hunks:
        for row in hunk.rows:
            if row.old_no is not None:
                shown.add((Comment.Side.OLD, row.old_no))
            if row.new_no is not None:
                shown.add((Comment.Side.NEW, row.new_no))
    return shown


def comment_on_suggestion(
    suggestion: Suggestion,
    *,
    body: str,
    user: AbstractBaseUser | None,
    token: str = "",
    line: tuple[str, int] | None = None,
    revision_number: int | None = None,
) -> Comment:
    """Add a comment to the suggestion's discussion, on one line of its diff if `line` is given.

    Without an account only the author of an anonymous suggestion comments, holding its private link
    (`token`); the comment then carries the name they gave. A line comment belongs to the revision
    the commenter saw (`revision_number`): once the suggestion is revised its lines may have moved,
    so a comment on an older revision is refused (the text is kept by the view) rather than misplaced.
    """
    signed_in = bool(user and user.is_authenticated)
    if not signed_in and not suggestion.token_matches(token):
        raise PermissionDenied("Log in to join the discussion.")
    comment = Comment(
        suggestion=suggestion,
        body=body,
        author=user if signed_in else None,
        author_name="" if signed_in else (suggestion.author_name or "")[:80],
    )
    if line is not None:
        side, number = line
        if not suggestion.is_open or not suggestion.card_id:
            raise WorkflowError("Comments on a line are for a suggestion to a card while it is under review.")
        if revision_number != suggestion.revision_number:
            raise StaleReview(
                f"The suggestion was revised after you opened it (it is now at revision "
                f"{suggestion.revision_number}), so that line may have moved; your comment is kept below. "
                "Choose the line again in the current diff."
            )
        if (side, number) not in lines_in(review_diff(suggestion, base_text(suggestion))):
            raise WorkflowError("That line is not part of the suggestion's diff; choose a line shown in it.")
        comment.revision_number, comment.line_side, comment.line_number = revision_number, side, number
    with transaction.atomic():  # the comment and the inbox entries it makes (a signal) commit together
        comment.save()
    return comment
