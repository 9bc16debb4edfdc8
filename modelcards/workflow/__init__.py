"""Changes that span several models: cards and their versions, suggestions and the decisions on them.

One module per job: `cards` (every version of a card), `suggestions` (filing and withdrawing),
`acceptance` (what accepting would publish), `decisions` (accept, reject, ask for changes),
`revisions` (an author's kept revisions), `partial` (accepting some hunks), `comments` (the
discussion). `guards` holds the one lock order they all take. Callers import from here.
"""

from .acceptance import (
    Acceptance,
    EditedText,
    prepare_acceptance,
    review_edited_text,
    text_fingerprint,
    version_fingerprint,
)
from .cards import (
    create_card,
    edit_card_directly,
    import_card,
    revert_card,
    text_at_version,
    update_card,
    write_version,
)
from .comments import comment_on_suggestion
from .decisions import accept_suggestion, reject_suggestion, request_changes
from .errors import (
    AlreadyDecided,
    CardExists,
    CardMoved,
    CardProtected,
    InvalidText,
    MergeConflict,
    NoChange,
    StaleReview,
    UnresolvedConflict,
    WorkflowError,
)
from .guards import describe_decision
from .partial import PartAccepted, PartConflict, accept_part, apply_hunks, hunk_numbers, hunks_fingerprint
from .revisions import (
    RevisionMoved,
    change_since_previous,
    may_revise,
    revise_suggestion,
    revision_list,
    revision_of,
)
from .suggestions import submit_suggestion, withdraw_suggestion

__all__ = [
    "Acceptance",
    "AlreadyDecided",
    "CardExists",
    "CardMoved",
    "CardProtected",
    "EditedText",
    "InvalidText",
    "MergeConflict",
    "NoChange",
    "PartAccepted",
    "PartConflict",
    "RevisionMoved",
    "StaleReview",
    "UnresolvedConflict",
    "WorkflowError",
    "accept_part",
    "accept_suggestion",
    "apply_hunks",
    "change_since_previous",
    "comment_on_suggestion",
    "create_card",
    "describe_decision",
    "edit_card_directly",
    "hunk_numbers",
    "hunks_fingerprint",
    "import_card",
    "may_revise",
    "prepare_acceptance",
    "reject_suggestion",
    "request_changes",
    "revert_card",
    "revise_suggestion",
    "revision_list",
    "revision_of",
    "review_edited_text",
    "submit_suggestion",
    "text_at_version",
    "text_fingerprint",
    "update_card",
    "version_fingerprint",
    "withdraw_suggestion",
    "write_version",
]
