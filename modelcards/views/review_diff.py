"""A suggestion's diff laid out for review: numbered hunks a moderator can tick, a "comment" link on
each changed line, and the comments written on a line shown under it."""

from dataclasses import dataclass, field

from ..diffing import Hunk, Row, TextDiff
from ..models import Comment
from .suggestion_access import with_token


@dataclass
class ReviewRow:
    row: Row
    comment_url: str = ""  # where the "comment" link of a changed line leads ("" for none)
    comment_label: str = ""
    comments: list = field(default_factory=list)


@dataclass
class ReviewHunk:
    number: int
    hunk: Hunk
    rows: list[ReviewRow]

    @property
    def first_line(self) -> int:
        return self.hunk.new_start or self.hunk.old_start

    @property
    def last_line(self) -> int:
        return max(self.hunk.new_start + self.hunk.new_len - 1, self.first_line)


def _commented_side(row: Row) -> tuple[str, int] | None:
    """The line a comment on this row is about: the suggested line, or for a deletion the removed one."""
    if row.kind == "equal":
        return None
    if row.new_no is not None:
        return Comment.Side.NEW, row.new_no
    return Comment.Side.OLD, row.old_no


def review_hunks(
    diff: TextDiff,
    comments,
    *,
    revision_number: int,
    page_url: str = "",
    token: str = "",
) -> list[ReviewHunk]:
    """The hunks of `diff` with the comments on revision `revision_number` placed under their lines.

    With `page_url`, each changed line links to the comment form there, set to that line.
    """
    on_line: dict[tuple[str, int], list] = {}
    for comment in comments:
        if comment.on_line and comment.revision_number == revision_number:
            on_line.setdefault((comment.line_side, comment.line_number), []).append(comment)
    laid_out = []
    for number, hunk in enumerate(diff.hunks, 1):
        rows = []
        for row in hunk.rows:
            shown = ReviewRow(row)
            if row.old_no is not None:
                shown.comments += on_line.get((Comment.Side.OLD, row.old_no), [])
            if row.new_no is not None:
                shown.comments += on_line.get((Comment.Side.NEW, row.new_no), [])
            place = _commented_side(row)
            if page_url and place is not None:
                side, line = place
                shown.comment_url = with_token(page_url, token, line=f"{side}-{line}") + "#comment-form"
                what = "suggested" if side == Comment.Side.NEW else "removed"
                shown.comment_label = f"{what} line {line}"
            rows.append(shown)
        laid_out.append(ReviewHunk(number, hunk, rows))
    return laid_out


def parse_line(value: str) -> tuple[str, int] | None:
    """ "new-12" as ("new", 12); None for anything else."""
    side, _, number = value.partition("-")
    if side not in Comment.Side.values or not (number.isascii() and number.isdigit()) or len(number) > 9:
        return None
    return (side, int(number)) if int(number) >= 1 else None
