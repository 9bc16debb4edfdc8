"""Test data too big to make through the workflow: a card with thousands of versions, in bulk.

Version k (k >= 2) of the card is its version-1 text plus the line "Change number k.", so every
version differs from the one before by one line, and blame puts the last line on the newest version.
The rows are the same ones the workflow writes (a reversion Revision and Version, a CardVersion),
so the pages read them exactly as they read real history.
"""

import json

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import transaction
from django.utils import timezone
from reversion.models import Revision, Version

from modelcards.models import CardVersion, ModelCard

BATCH = 2000


def text_of_version(base_text: str, number: int) -> str:
    return base_text if number == 1 else f"{base_text}Change number {number}.\n"


def add_versions(card: ModelCard, count: int, *, authors=(None,)) -> ModelCard:
    """Give `card` (at version 1, made by the workflow) versions 2..`count`, authors taking turns."""
    assert card.version_number == 1, "start from a card that has only its first version"
    base_text = card.text
    # The same serializer reversion uses, minus the field the card's registration excludes.
    template = json.loads(serializers.serialize("json", [card]))[0]
    template["fields"].pop("line_versions", None)
    content_type = ContentType.objects.get_for_model(ModelCard)
    numbers = range(2, count + 1)
    now = timezone.now()
    with transaction.atomic():
        revisions = Revision.objects.bulk_create(
            [Revision(date_created=now, comment=f"Change {k}") for k in numbers], batch_size=BATCH
        )
        versions, metas = [], []
        previous_size = card.size
        for k, revision in zip(numbers, revisions, strict=True):
            text = text_of_version(base_text, k)
            size = len(text.encode("utf-8"))
            fields = {**template["fields"], "text": text, "size": size, "version_number": k}
            versions.append(
                Version(
                    revision=revision,
                    object_id=str(card.pk),
                    content_type=content_type,
                    db="default",
                    format="json",
                    serialized_data=json.dumps([{**template, "fields": fields}]),
                    object_repr=str(card),
                )
            )
            metas.append(
                CardVersion(
                    revision=revision,
                    card=card,
                    number=k,
                    kind=CardVersion.Kind.EDITED,
                    author=authors[k % len(authors)],
                    summary=f"Change {k}",
                    size=size,
                    size_delta=size - previous_size,
                )
            )
            previous_size = size
        Version.objects.bulk_create(versions, batch_size=BATCH)
        CardVersion.objects.bulk_create(metas, batch_size=BATCH)
        final = text_of_version(base_text, count)
        ModelCard.objects.filter(pk=card.pk).update(
            text=final,
            size=len(final.encode("utf-8")),
            version_number=count,
            line_versions=list(card.line_versions) + ([count] if count > 1 else []),
            updated_at=now,
        )
    card.refresh_from_db()
    return card
