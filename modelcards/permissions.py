"""Who may do what: plain predicates used by views (403), templates (hide buttons) and workflows."""

REVIEW_PERMISSION = "modelcards.review_suggestion"


def can_review(user) -> bool:
    """Moderators (the group holding the review permission) and staff review and edit directly."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_staff or user.has_perm(REVIEW_PERMISSION))
    )


def can_import(user) -> bool:
    """Creating a card from a README.md is a moderator's or staff member's job."""
    return can_review(user)
