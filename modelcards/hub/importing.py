"""Importing a card from a Hub repository by its id, and linking the card to it (HubLink).

The README.md is read at the commit its revision points at now; the card's new version records that
repository and commit, and the link keeps the text as the base of the upstream sync's next merge.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from config import generations

from ..cardfile import parse_or_problems
from ..models import CardVersion, HubLink, ModelCard, validate_card_slug
from ..pagecache import card_scope
from ..workflow import NoChange, WorkflowError, create_card, update_card
from ..workflow.cards import renamed_from
from . import client


class ImportRefused(client.HubError):
    """The Hub answered, but the README cannot become this card (invalid text, slug taken...)."""


@dataclass(frozen=True)
class HubImport:
    card: ModelCard
    outcome: str  # "created", "updated" or "unchanged"
    readme: client.HubReadme
    warnings: tuple[str, ...] = ()


def slug_for_repo(repo_id: str) -> str:
    """The card slug a repository gets by default: its name, lower-cased (`EleutherAI/pythia-70m`
    gives `pythia-70m`)."""
    return repo_id.rsplit("/", 1)[-1].lower()


def import_from_hub(ref: str, *, user, slug: str = "", summary: str = "") -> HubImport:
    """Create or update the card for the repository `ref` ("owner/name[@revision]") from its README.

    A card already linked to the repository is updated, whatever its slug. Otherwise the card is
    `slug` (by default the repository's name): a new card, or an existing unlinked card when the slug
    was given on purpose. A card linked to another repository is never taken over. Any failure raises
    a HubError (ImportRefused when the Hub answered) and changes nothing.
    """
    repo_id, revision = client.parse_repo_ref(ref)
    readme = client.fetch_readme(repo_id, revision)
    card_file, problems = parse_or_problems(readme.text)
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise ImportRefused(
            f"The README.md of {readme.repo_id} at {readme.commit[:7]} is not a valid card: {shown}"
        )
    summary = summary or f"Imported from the Hub: {readme.repo_id} at {readme.commit[:7]}"
    upstream = (readme.repo_id, readme.commit)
    with transaction.atomic():
        card, link = _target(readme.repo_id, repo_id, slug)
        if card is None:
            card = _create(slug or slug_for_repo(readme.repo_id), card_file, user, summary, upstream)
            outcome = "created"
        else:
            try:
                update_card(
                    card,
                    card_file=card_file,
                    user=user,
                    summary=summary,
                    kind=CardVersion.Kind.IMPORTED,
                    upstream=upstream,
                )
                outcome = "updated"
            except NoChange:
                outcome = "unchanged"
        _link(card, link, readme, user)
    generations.invalidate_on_commit([card_scope(card.slug)])  # the page names the repository and commit
    return HubImport(card, outcome, readme, tuple(str(warning) for warning in card_file.warnings))


def _target(canonical: str, asked: str, slug: str) -> tuple[ModelCard | None, HubLink | None]:
    """The card to update and its link, or (None, None) for a new card."""
    link = (
        HubLink.objects.select_related("card").filter(repo_id__in={canonical, asked}).order_by("pk").first()
    )
    if link is not None:
        if slug and slug != link.card.slug:
            raise ImportRefused(
                f"{canonical} is already linked to the card '{link.card.slug}'; import it without a slug "
                "to update that card."
            )
        return ModelCard.objects.select_for_update().get(pk=link.card_id), link
    given, slug = bool(slug), slug or slug_for_repo(canonical)
    try:
        validate_card_slug(slug)
    except ValidationError as exc:
        raise ImportRefused(f"{exc.messages[0]} Give the card another slug.") from exc
    card = ModelCard.objects.filter(slug=slug).first() or renamed_from(slug)
    if card is None:
        return None, None
    other = HubLink.objects.filter(card=card).values_list("repo_id", flat=True).first()
    if other:
        raise ImportRefused(
            f"The card '{card.slug}' is linked to {other} on the Hub, not {canonical}; give another slug."
        )
    if not given:
        raise ImportRefused(
            f"A card '{card.slug}' already exists and is not linked to the Hub. To link it to {canonical} "
            "and update it, give its slug on purpose; otherwise choose another slug."
        )
    return ModelCard.objects.select_for_update().get(pk=card.pk), None


def _create(slug: str, card_file, user, summary: str, upstream: tuple[str, str]) -> ModelCard:
    try:
        return create_card(
            slug=slug,
            card_file=card_file,
            user=user,
            summary=summary,
            kind=CardVersion.Kind.IMPORTED,
            upstream=upstream,
        )
    except WorkflowError as exc:  # the slug was taken a moment ago, or was a renamed card's
        raise ImportRefused(str(exc)) from exc


def _link(card: ModelCard, link: HubLink | None, readme: client.HubReadme, user) -> None:
    link = link or HubLink(card=card, created_by=user if getattr(user, "is_authenticated", False) else None)
    link.repo_id = readme.repo_id
    link.revision = readme.revision
    link.upstream_commit = readme.commit
    link.upstream_text = readme.text
    link.checked_at = timezone.now()
    link.check_error = ""
    link.failures = 0
    link.next_check_at = None
    link.save()
