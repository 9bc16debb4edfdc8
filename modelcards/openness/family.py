"""Licence lineage across the cards in the database: the rules of `lineage.py` applied to a family.

Because a base card can change after its descendants were saved, every write (workflow.write_version)
runs `refresh_family` for the written card and all its descendants. It finds them through
`BaseModelLink`, an indexed table of the names each card gives, so a write reads its own family
only: one recursive query for every generation below the card, one per generation above it, then
one UPDATE for the cards whose lineage actually changed (`_update`). `refresh_lineage` recomputes
every card at once, for migrations and bulk imports.
"""

from django.db import connection
from django.db.models.expressions import RawSQL
from django.dispatch import Signal

from ..models import BaseModelLink, ModelCard
from .flags import LICENCE_LINEAGE
from .lineage import MAX_GENERATIONS, candidates, lineage_of

# Sent with `slugs` when the lineage fields of those cards were saved in bulk.
lineage_saved = Signal()

LINEAGE_FIELDS = ["openness_flags", "licence_lineage", "has_openness_flags"]
_ROW_FIELDS = ("pk", "slug", "license", "base_models_index", "openness_flags", "licence_lineage")
_BATCH = 500  # names per query: SQLite takes at most 32,766 parameters in one statement
# Changed cards per UPDATE (bulk_update lowers it to what the database takes: about 200 on SQLite).
_UPDATE_BATCH = 10_000


def _named_bases(rows) -> set[str]:
    """Every name that `rows` (card rows) give as a base model."""
    return {name for row in rows for name in candidates(row["base_models_index"])}


def _in_batches(query, names: set[str]):
    """The rows `query(batch)` returns for each batch of `names`."""
    ordered = sorted(names)
    for start in range(0, len(ordered), _BATCH):
        yield from query(ordered[start : start + _BATCH])


def refresh_lineage(card_model) -> list:
    """Recompute the lineage fields of every card that names a base model; returns the cards changed.

    `card_model` is the ModelCard class (or its historical twin in a migration). Reads every such card,
    so it is for migrations and bulk imports; a single write uses `refresh_family`.
    """
    derived = {
        row["slug"]: row for row in card_model.objects.exclude(base_models_index="").values(*_ROW_FIELDS)
    }
    licences = {slug: row["license"] for slug, row in derived.items()}
    wanted = _named_bases(derived.values()) - licences.keys()
    licences.update(
        _in_batches(
            lambda batch: card_model.objects.filter(slug__in=batch).values_list("slug", "license"), wanted
        )
    )
    return _save_changes(card_model, derived, set(derived), licences)


def _descendants_sql(pk: int) -> RawSQL:
    """The pks of the card `pk` and of every card below it within MAX_GENERATIONS, as one recursive
    query: its cost does not grow with how wide a generation is (a base with thousands of fine-tunes),
    and both SQLite and PostgreSQL run it."""
    quote = connection.ops.quote_name  # table names from the models, quoted; the values are parameters
    cards, links = quote(ModelCard._meta.db_table), quote(BaseModelLink._meta.db_table)
    return RawSQL(  # noqa: S611
        "WITH RECURSIVE family (id, depth) AS ("  # noqa: S608
        f" SELECT id, 0 FROM {cards} WHERE id = %s"
        " UNION"
        " SELECT link.card_id, family.depth + 1 FROM family"
        f" JOIN {cards} parent ON parent.id = family.id"
        f" JOIN {links} link ON link.name = parent.slug"
        " WHERE family.depth < %s"
        ") SELECT id FROM family",
        (pk, MAX_GENERATIONS),
    )


def refresh_family(card) -> list:
    """Recompute the lineage fields of `card`, just saved in this transaction, and of its descendants.

    Returns the cards that changed, holding only their pk, slug and lineage fields.
    """

    def cards_named(names):
        return ModelCard.objects.filter(slug__in=names).order_by().values(*_ROW_FIELDS)

    rows = {card.slug: {name: getattr(card, name) for name in _ROW_FIELDS}}
    descendants = ModelCard.objects.filter(pk__in=_descendants_sql(card.pk)).exclude(pk=card.pk)
    rows.update((row["slug"], row) for row in descendants.order_by().values(*_ROW_FIELDS))
    family = set(rows)
    looked_up = set(rows)
    wanted = _named_bases(rows.values()) - looked_up
    for _ in range(MAX_GENERATIONS):  # up: every base model any of them names, generation by generation
        if not wanted:
            break
        found = list(_in_batches(cards_named, wanted))
        looked_up |= wanted
        rows.update((row["slug"], row) for row in found)
        wanted = _named_bases(found) - looked_up
    licences = {slug: row["license"] for slug, row in rows.items()}
    return _save_changes(ModelCard, rows, family, licences)


def _save_changes(card_model, rows: dict[str, dict], family: set[str], licences: dict[str, str]) -> list:
    """Save new lineage fields for the cards of `family` whose lineage differs from what `rows` hold.

    `rows` holds every card read (slug -> row) and `licences` every existing card's licence they
    name; a name that is not a card is no parent.
    """
    parents = {
        slug: [name for name in candidates(row["base_models_index"]) if name in licences]
        for slug, row in rows.items()
    }
    changed = []
    for slug in sorted(family, key=lambda slug: rows[slug]["pk"]):  # rows locked in one order by every writer
        row = rows[slug]
        chain = lineage_of(slug, row["license"], parents, licences)
        flags = [flag for flag in row["openness_flags"] if flag != LICENCE_LINEAGE]
        if any(entry["stricter"] for entry in chain):
            flags.append(LICENCE_LINEAGE)
        if flags != row["openness_flags"] or chain != row["licence_lineage"]:
            changed.append(
                card_model(
                    pk=row["pk"],
                    slug=slug,
                    openness_flags=flags,
                    licence_lineage=chain,
                    has_openness_flags=bool(flags),
                )
            )
    if changed:
        _update(card_model, changed)
        # Neither way sends post_save, so the pages of the changed cards are told by this signal.
        lineage_saved.send(sender=card_model, slugs=[card.slug for card in changed])
    return changed


def _update(card_model, changed: list) -> None:
    """Save the lineage fields of `changed` (in pk order) in one statement per _UPDATE_BATCH cards.

    The fine-tunes of one base model mostly get the same new fields: then a plain UPDATE saves them,
    where bulk_update would build a CASE per card and field (about a millisecond per card). Either
    way the statements take the rows in pk order, batch after batch, as every writer's do: saving
    each set of fields by its own statement would interleave them, and two writes whose families
    overlap could then wait on each other crosswise.
    """
    fields = {name: getattr(changed[0], name) for name in LINEAGE_FIELDS}
    if any(getattr(card, name) != value for card in changed for name, value in fields.items()):
        card_model.objects.bulk_update(changed, LINEAGE_FIELDS, batch_size=_UPDATE_BATCH)
        return
    for start in range(0, len(changed), _UPDATE_BATCH):
        pks = [card.pk for card in changed[start : start + _UPDATE_BATCH]]
        card_model.objects.filter(pk__in=pks).update(**fields)
