"""Attaching a Model Openness Tool record to a card, or starting a card from one.

The record replaces the card's openness record (`modelcardcommons: openness:`) as a new, attributed
version; the rest of the card is kept byte for byte. A tool file naming a model with no card here
starts a minimal one: front matter with the record, and a title.
"""

import re
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from .cardfile import parse_or_problems, set_metadata_values
from .models import CardVersion, ModelCard, validate_card_slug
from .openness.crosswalk import MotFileError, MotRelease, read_mot_file, record_for_card
from .openness.licences import read_licence
from .openness.record import NAMESPACE
from .reserved_slugs import reserved_slug_problem
from .vocabularies import LICENCES
from .workflow import CardExists, NoChange, WorkflowError, create_card, write_version


@dataclass(frozen=True)
class MotImport:
    outcome: str  # created, updated or unchanged
    slug: str
    notes: tuple[str, ...]


def slug_for(name: str) -> str:
    """A card slug from a release name: `Pythia-6.9B` -> `pythia-6.9b`."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.strip().lower()).strip("-._")
    return re.sub(r"-{2,}", "-", slug)[:100]


def import_mot(
    data: bytes, *, slug: str | None, user: AbstractBaseUser | None, filename: str = ""
) -> MotImport:
    """Read one tool file and attach its record; raises MotFileError or WorkflowError with the reason."""
    release = read_mot_file(data)
    slug = slug or slug_for(release.name)
    if problem := reserved_slug_problem(slug):
        raise WorkflowError(problem)
    try:
        validate_card_slug(slug)
    except ValidationError:
        reason = f"'{slug}' is not a valid card slug; give the slug of the card to attach it to"
        raise WorkflowError(reason) from None
    summary = f"Openness record from the Model Openness Tool file {filename or release.name}"[:300]
    with transaction.atomic():
        card = ModelCard.objects.select_for_update().filter(slug=slug).first()
        if card is None:
            try:
                create_card(
                    slug=slug,
                    card_file=_checked(_new_card_text(release)),
                    user=user,
                    summary=summary,
                    kind=CardVersion.Kind.MOT_IMPORT,
                )
            except CardExists:
                raise WorkflowError(
                    f"A card '{slug}' was created meanwhile; import again to update it"
                ) from None
            return MotImport("created", slug, tuple(release.notes))
        namespace = record_for_card(card.metadata, release.record)
        try:
            text = set_metadata_values(card.text, {NAMESPACE: namespace})
        except ValueError as exc:
            raise WorkflowError(f"the card's metadata cannot be changed: {exc}") from None
        if text == card.text:
            return MotImport("unchanged", slug, tuple(release.notes))
        try:
            write_version(
                card,
                _checked(text),
                kind=CardVersion.Kind.MOT_IMPORT,
                summary=summary,
                author=user,
                card_is_locked=True,
            )
        except NoChange:
            return MotImport("unchanged", slug, tuple(release.notes))
    return MotImport("updated", slug, tuple(release.notes))


def _checked(text: str):
    """The card file of a text the import built, checked as any submitted text is."""
    card_file, problems = parse_or_problems(text)
    if problems:
        raise WorkflowError("; ".join(problems))
    return card_file


def _new_card_text(release: MotRelease) -> str:
    metadata: dict = {}
    distribution = release.record.get("licenses", {}).get("distribution")
    distribution = distribution.get("license") if isinstance(distribution, dict) else distribution
    hub_id = _hub_id(distribution or "")
    if hub_id:
        metadata["license"] = hub_id
    metadata[NAMESPACE] = {"openness": release.record}
    text = set_metadata_values("", metadata)
    facts = release.facts
    made_by = f" by {facts['producer']}" if facts.get("producer") else ""
    name = _markdown_text(release.name)
    lines = [f"# {name}", ""]
    lines.append(
        f"A card started from a Model Openness Tool record of {name}{_markdown_text(made_by)}. "
        "Its openness record is above; the rest of the card is still to be written."
    )
    for key, label in (("repository", "Code"), ("huggingface", "Weights")):
        if facts.get(key, "").startswith(("https://", "http://")):
            lines += ["", f"- {label}: <{facts[key]}>"]
    return text + "\n".join(lines) + "\n"


# Inside a line only these start markup; a heading's text cannot begin a list or a block.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]#|])")


def _markdown_text(text: str) -> str:
    """Text from a tool file as plain Markdown text on one line: no markup, no HTML, no new section."""
    one_line = " ".join(text.replace("<", "").replace(">", "").split())
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", one_line)


def _hub_id(licence: str) -> str:
    """The Hub's own id for a licence, when it has one (`Apache-2.0` -> `apache-2.0`)."""
    reading = read_licence(licence)
    if not reading.recognised or reading.licence is None:
        return ""
    folded = {key.casefold(): key for key in LICENCES}
    return folded.get(reading.canonical.casefold(), "")


__all__ = ["MotFileError", "MotImport", "import_mot", "slug_for"]
