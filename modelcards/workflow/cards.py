"""Writing a card's versions: creating, importing, editing directly and reverting.

Every change to a card's text goes through `write_version`, so each one is numbered, attributed and
recorded in history the same way whether it came from an import, a direct edit, a suggestion or a
revert.
"""

import reversion
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import notifications, permissions
from ..cardfile import CardFile, CardFileError, parse_card, parse_or_problems
from ..diffing import carry_line_origins, merge3
from ..governance import maintainers
from ..models import Activity, CardVersion, ModelCard, SlugRedirect, Suggestion
from ..notifications import field_watches
from ..openness import claims, family
from .errors import CardExists, InvalidText, NoChange, WorkflowError


def _real_user(user):
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    return user


def write_version(
    card: ModelCard,
    card_file: CardFile,
    *,
    kind: str,
    summary: str,
    author: AbstractBaseUser | None = None,
    author_name: str = "",
    moderator: AbstractBaseUser | None = None,
    merge_note: str = "",
    card_is_locked: bool = False,
    autoreviewed: bool = False,
    moderator_edit: bool = False,
    upstream: tuple[str, str] | None = None,
) -> CardVersion:
    """Save `card_file` as the card's next version.

    `upstream` is (repo_id, commit) for a text read from the Hugging Face Hub, kept on the version.

    Whether its author is a verified maintainer of the card is recorded with it, as it is now
    (CardVersion.by_maintainer); `autoreviewed` marks a version published without a moderator.
    A version a moderator approved (`moderator`) or wrote directly (`moderator_edit`) counts as a
    review of the card (ModelCard.reviewed_at, modelcards/reviews.py); an autoreviewed one does not.

    The card row is locked while the number is taken, so two writers can never share a number,
    and the card, its revision and its version meta commit or roll back together. A caller that has
    already read `card` with select_for_update in the current transaction says so with
    `card_is_locked`, sparing a second read of the row; it must then let any error from here end its
    transaction, as no savepoint is taken (a caught NoChange would leave it unusable).
    """
    author = _real_user(author)
    moderator = _real_user(moderator)
    with transaction.atomic(savepoint=not card_is_locked):
        locked = card if card_is_locked else ModelCard.objects.select_for_update().get(pk=card.pk)
        if locked.version_number and locked.text == card_file.text:
            raise NoChange("The text is the same as the current version; nothing was saved.")
        old_size = locked.size if locked.version_number else 0
        old_text = locked.text if locked.version_number else ""
        old_base_models = locked.base_models_index if locked.version_number else ""
        old_metadata, old_mof_class = locked.metadata, locked.mof_class  # for field watches
        if locked.version_number or locked.text != card_file.text:
            locked.apply_card_file(card_file)  # a new card's row already holds this file (create_card)
        locked.version_number += 1
        locked.line_versions = carry_line_origins(
            old_text, locked.text, locked.line_versions, locked.version_number
        )
        by_maintainer = maintainers.is_maintainer(author, locked)
        if (moderator is not None or moderator_edit) and not autoreviewed:
            locked.reviewed_at = timezone.now()
        locked.record_claims(
            by=author.get_username() if author else author_name,
            source=_claim_source(kind, author),
            at=timezone.localdate().isoformat(),
            maintainer=by_maintainer,
        )
        with reversion.create_revision(atomic=False):
            locked.save()
            reversion.set_user(author or moderator)
            reversion.set_comment(summary)
            reversion.add_meta(
                CardVersion,
                card=locked,
                number=locked.version_number,
                kind=kind,
                author=author,
                author_name="" if author else author_name,
                moderator=moderator,
                summary=summary[:300],
                merge_note=merge_note[:200],
                size=locked.size,
                size_delta=locked.size - old_size,
                autoreviewed=autoreviewed,
                by_maintainer=by_maintainer,
                upstream_repo=upstream[0] if upstream else "",
                upstream_commit=upstream[1] if upstream else "",
            )
        version = locked.versions.get(number=locked.version_number)
        Activity.objects.create(
            kind=Activity.Kind.VERSION,
            card=locked,
            version=version,
            actor=moderator or author,
            actor_name="" if (moderator or author) else author_name,
            summary=summary[:300],
        )
        notifications.new_version(version)  # queued in this transaction (modelcards/outbox.py)
        field_watches.notify_field_changes(
            version, old_metadata, locked.metadata, old_mof_class, locked.mof_class
        )
        # A new licence or base model changes the lineage flags of this card and of its descendants.
        locked.sync_base_model_links(old_base_models)
        for changed in family.refresh_family(locked):
            if changed.pk == locked.pk:
                for name in family.LINEAGE_FIELDS:
                    setattr(locked, name, getattr(changed, name))
    _copy_fields(locked, card)
    return version


def _claim_source(kind: str, author) -> str:
    """Whom a version's new claims are credited to: the imported card, a tool record, or a person."""
    if kind == CardVersion.Kind.IMPORTED:
        return claims.SOURCE_IMPORT
    if kind == CardVersion.Kind.MOT_IMPORT:
        return claims.SOURCE_MOT
    return claims.SOURCE_ACCOUNT if author else claims.SOURCE_ANONYMOUS


def _copy_fields(source, target) -> None:
    """`target` as `source` was saved, without reading the row back (refresh_from_db, one query fewer).

    Related objects cached on `target` are dropped, as refresh_from_db drops them, so they are read
    afresh if asked for.
    """
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
        if field.is_relation and field.is_cached(target):
            field.delete_cached_value(target)


def create_card(
    *,
    slug: str,
    card_file: CardFile,
    user: AbstractBaseUser | None,
    summary: str = "",
    kind: str = CardVersion.Kind.CREATED,
    author_name: str = "",
    moderator: AbstractBaseUser | None = None,
    upstream: tuple[str, str] | None = None,
) -> ModelCard:
    """Create a card and its version 1, written by `user`; a slug already taken is refused, and so is
    one a renamed card had: its old links, exports and feeds still lead to that card."""
    if (renamed := renamed_from(slug)) is not None:
        raise CardExists(
            f"'{slug}' was the address of the card now at '{renamed.slug}' and still leads there; "
            "choose another slug."
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                card = ModelCard(slug=slug)
                card.apply_card_file(card_file)
                card.save()
        except IntegrityError as exc:
            raise CardExists(f"A card with the slug '{slug}' already exists.") from exc
        write_version(
            card,
            card_file,
            kind=kind,
            summary=summary or "Created the card",
            author=user,
            author_name=author_name,
            moderator=moderator,
            upstream=upstream,
        )
    return card


def update_card(
    card: ModelCard,
    *,
    card_file: CardFile,
    user: AbstractBaseUser | None,
    summary: str,
    kind: str = CardVersion.Kind.EDITED,
    upstream: tuple[str, str] | None = None,
) -> CardVersion:
    """A direct change by `user` (an import or a moderator's edit) becomes the next version at once;
    `upstream` is (repo_id, commit) when the text was read from the Hub."""
    return write_version(card, card_file, kind=kind, summary=summary, author=user, upstream=upstream)


def renamed_from(slug: str) -> ModelCard | None:
    """The card that was known by `slug` before a rename, if any."""
    redirect = SlugRedirect.objects.select_related("card").filter(old_slug=slug).first()
    return redirect.card if redirect else None


def import_card(*, slug: str, card_file: CardFile, user: AbstractBaseUser | None, summary: str) -> str:
    """Create or update a card from a README.md; an unchanged text makes no new version.

    Returns "created", "updated" or "unchanged".
    """
    # A README imported under a renamed card's old slug updates that card, as its old links do.
    card = ModelCard.objects.filter(slug=slug).only("pk", "text", "version_number").first() or renamed_from(
        slug
    )
    if card is None:
        try:
            create_card(
                slug=slug, card_file=card_file, user=user, summary=summary, kind=CardVersion.Kind.IMPORTED
            )
            return "created"
        except CardExists:  # created by someone else a moment ago: treat it as an update
            card = ModelCard.objects.get(slug=slug)
    if card.text == card_file.text:
        return "unchanged"
    try:
        update_card(card, card_file=card_file, user=user, summary=summary, kind=CardVersion.Kind.IMPORTED)
    except NoChange:
        return "unchanged"
    return "updated"


def text_at_version(card: ModelCard, number: int) -> str:
    """The card's text at version `number`, read from history unless it is the current one."""
    if number == card.version_number:
        return card.text
    return CardVersion.objects.get(card=card, number=number).stored_fields()["text"]


def base_text(suggestion: Suggestion) -> str:
    """The text a suggestion was written against: its card at its base version ("" for a new card)."""
    if not suggestion.card_id:
        return ""
    version = CardVersion.objects.get(card_id=suggestion.card_id, number=suggestion.base_version)
    return version.stored_fields()["text"]


def checked_card_file(text: str) -> CardFile:
    """The parsed text, or InvalidText listing every problem with it."""
    card_file, problems = parse_or_problems(text)
    if problems:
        raise InvalidText(problems)
    return card_file


def record_activity(suggestion: Suggestion, kind: str, *, actor, summary: str = "") -> None:
    """The line in recent changes for something done to a suggestion, in the same transaction."""
    Activity.objects.create(
        kind=kind,
        card_id=suggestion.card_id,
        suggestion=suggestion,
        actor=actor,
        actor_name="" if actor else suggestion.author_name,
        summary=(summary or suggestion.summary)[:300],
    )


def edit_card_directly(
    card: ModelCard, *, text: str, summary: str, base_version: int, editor: AbstractBaseUser
) -> CardVersion | Suggestion:
    """A moderator's edit becomes a version at once, merged with any change made since `base_version`.

    If the merge conflicts, the edit is kept as a pending suggestion by the editor, so it can be
    resolved on the review screen: nothing typed is lost and nobody's change is overwritten.
    """
    if not permissions.can_review(editor):
        raise PermissionDenied("Only moderators and staff can edit cards directly.")
    checked_card_file(text)
    with transaction.atomic():
        locked = ModelCard.objects.select_for_update().get(pk=card.pk)
        if not 1 <= base_version <= locked.version_number:
            raise WorkflowError("The version this edit was based on does not exist; reload the card.")
        merge_note = ""
        final_text = text
        if base_version != locked.version_number:
            base_text = text_at_version(locked, base_version)
            merge = merge3(base_text, locked.text, text)
            if merge.conflicted:
                kept = Suggestion.objects.create(
                    card=locked, base_version=base_version, text=text, summary=summary, author=editor
                )
                record_activity(kept, Activity.Kind.SUGGESTION, actor=editor)
                return kept
            final_text = merge.text
            merge_note = f"Merged with changes made since version {base_version}."
        version = write_version(
            locked,
            checked_card_file(final_text),
            kind=CardVersion.Kind.EDITED,
            summary=summary,
            author=editor,
            merge_note=merge_note,
            card_is_locked=True,
            moderator_edit=True,
        )
    _copy_fields(locked, card)
    return version


def republish(locked: ModelCard, number: int, *, summary: str, moderator: AbstractBaseUser) -> CardVersion:
    """Publish version `number`'s text again as the locked card's next version, a moderator's revert.

    Shared by the revert and the rollback (modelcards/governance/rollback.py); the caller holds the
    card's lock.
    """
    old_text = text_at_version(locked, number)
    if old_text == locked.text:
        raise NoChange(f"The current text is already the same as version {number}; nothing was saved.")
    try:
        card_file = parse_card(old_text)
    except CardFileError as exc:
        raise InvalidText([str(problem) for problem in exc.problems]) from exc
    return write_version(
        locked,
        card_file,
        kind=CardVersion.Kind.REVERTED,
        summary=summary,
        author=moderator,
        moderator=moderator,
        card_is_locked=True,
    )


def revert_card(card: ModelCard, *, to_version: int, reviewer: AbstractBaseUser, reason: str) -> CardVersion:
    """Restore an earlier version's text as a new version; history is never rewritten or deleted."""
    if not permissions.can_review(reviewer):
        raise PermissionDenied("Only moderators can revert cards.")
    if not reason.strip():
        raise WorkflowError("Give a reason for the revert; it is shown in the history.")
    with transaction.atomic():
        locked = ModelCard.objects.select_for_update().get(pk=card.pk)
        if not 1 <= to_version <= locked.version_number:
            raise WorkflowError(f"Version {to_version} does not exist.")
        if to_version == locked.version_number:
            raise NoChange(f"Version {to_version} is already the current version.")
        version = republish(
            locked,
            to_version,
            summary=f"Reverted to version {to_version}: {reason.strip()}",
            moderator=reviewer,
        )
    _copy_fields(locked, card)
    return version
