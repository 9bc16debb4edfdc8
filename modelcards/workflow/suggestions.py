"""What an author does with a suggestion: file it, revise it (each text kept), withdraw it."""

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .. import notifications, permissions
from ..governance import maintainers, protection, trust
from ..governance.protection import refusal as protection_refusal
from ..models import Activity, CardProtection, ModelCard, Suggestion
from ..notifications import watchlist
from .cards import _copy_fields, _real_user, checked_card_file, record_activity, renamed_from, text_at_version
from .decisions import _publish
from .errors import CardExists, CardProtected, NoChange, WorkflowError
from .guards import ensure_open, lock_for_decision


def submit_suggestion(
    *,
    card: ModelCard | None,
    text: str,
    summary: str,
    base_version: int,
    author: AbstractBaseUser | None,
    author_name: str = "",
    ip_hash: str = "",
    section: int | None = None,
    new_slug: str = "",
    held: bool = False,
    watch: bool = True,
) -> Suggestion:
    """File a suggestion for review; it changes nothing readers see until a moderator accepts it,
    unless its author may skip review (`may_skip_review`): then it is published at once, autoreviewed.

    A signed-in author then watches the card (`watch`, the form's ticked-by-default box), so they hear of
    the review and of later changes; not watching never ends a watch they already had. A protected card
    refuses people its protection leaves out (CardProtected); revising a suggestion filed before the
    protection stays allowed, as it was written before (workflow/revisions.py does not check).
    An autoreviewed suggestion is accepted through the same code as a moderator's acceptance, with no
    moderator; one that conflicts with the current card, or changes nothing once merged, stays pending.
    """
    author = _real_user(author)
    checked_card_file(text)
    if card is not None and (protection := protection_refusal(card, author)) is not None:
        raise CardProtected(protection)
    if card is not None:
        if base_version > card.version_number or base_version < 1:
            raise WorkflowError("The suggestion names a version of the card that does not exist.")
        if text == text_at_version(card, base_version):
            raise NoChange("The suggested text is the same as the card's text; change something first.")
    elif ModelCard.objects.filter(slug=new_slug).exists():
        raise CardExists(f"A card with the slug '{new_slug}' already exists; suggest an edit to it instead.")
    elif (renamed := renamed_from(new_slug)) is not None:
        raise CardExists(
            f"'{new_slug}' was the address of the card now at '{renamed.slug}'; "
            "suggest an edit to that card instead."
        )
    with transaction.atomic():
        suggestion = Suggestion.objects.create(
            card=card,
            new_slug="" if card else new_slug,
            base_version=base_version if card else 0,
            section=section,
            text=text,
            summary=summary,
            author=author,
            author_name="" if author else author_name,
            ip_hash="" if author else ip_hash,
            access_token="" if author else secrets.token_urlsafe(24),
            held=held,
        )
        if author and card and watch:
            watchlist.watch(author, card)  # renews an expired watch, never shortens a running one
        record_activity(suggestion, Activity.Kind.SUGGESTION, actor=author, summary=summary)
        if not (may_skip_review(author, card, held=held) and _autoreview(suggestion)):
            notifications.suggestion_filed(suggestion)  # queued in this transaction (modelcards/outbox.py)
    return suggestion


def may_skip_review(author, card: ModelCard | None, *, held: bool = False) -> bool:
    """Whether `author`'s suggestion on `card` is published without waiting for a moderator.

    A trusted contributor's (governance/trust.py) is, on a card with no protection in force. So is a
    verified maintainer's on their own card when MAINTAINER_SUGGESTIONS_AUTO_ACCEPT is on, on a card
    with no protection or a semi-protection (a moderator has vouched for them, which is more than
    semi-protection asks), never a fully protected one. Never: a new card, a held suggestion, one
    without an account, a moderator's (they edit directly), a blocked account's.
    """
    if card is None or held or author is None or permissions.can_review(author):
        return False
    allowed_levels = set()
    if trust.is_trusted(author):  # never a blocked account
        allowed_levels.add(None)
    if settings.MAINTAINER_SUGGESTIONS_AUTO_ACCEPT and maintainers.is_maintainer(author, card):
        standing = trust.standing(author)
        if standing is not None and not standing.blocked:
            allowed_levels |= {None, CardProtection.Level.SEMI}
    if not allowed_levels:
        return False
    current = protection.in_force(card)
    return (current.level if current else None) in allowed_levels


def _autoreview(suggestion: Suggestion) -> bool:
    """Publish `suggestion` at once, marked autoreviewed; False (it stays pending) if it cannot be merged."""
    try:
        _publish(suggestion, reviewer=None, autoreviewed=True)
    except WorkflowError:  # a conflict, or nothing left to change once merged: a moderator decides
        return False
    return True


def withdraw_suggestion(suggestion: Suggestion) -> Suggestion:
    """The author takes back an open suggestion; it stays visible with its status."""
    with transaction.atomic():
        _card, locked = lock_for_decision(suggestion)
        ensure_open(locked)
        locked.mark_withdrawn()
        locked.save(update_fields=["status", "updated_at"])
        record_activity(locked, Activity.Kind.WITHDRAWN, actor=locked.author)
    _copy_fields(locked, suggestion)
    return suggestion
