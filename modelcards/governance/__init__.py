"""Governing the commons: protection, renames, undo and rollback, trust and autoreview, maintainers,
and hiding or suppressing parts of versions (issue 15). Each module holds one tool; the workflow
(modelcards/workflow/) and the pages (modelcards/views/) call them."""
