"""Licence lineage: a fine-tuned card's licence compared with those of its base models on this site.

A card names its base models in `base_model`; a name points to a card here when it is that card's
slug, or when its last path segment, lower-cased, is (`meta-llama/Llama-2-7b` -> `llama-2-7b`), as
the metadata panel links them. The chain is followed through every generation that has a card here
(cycles and chains deeper than `MAX_GENERATIONS` are cut).

A card is flagged when its top-level licence is more permissive than any ancestor's. "More
permissive" compares licence types from vocabularies on one scale: open licences (permissive, open
data, open documentation) < copyleft < use-restricted < non-commercial < proprietary. Unknown and
bespoke (`other`) licences are never compared, and two licences of the same type never flag, so a
share-alike base under a permissive child is a limit of this check, not a pass.

Because a base card can change after its descendants were saved, `refresh_lineage` runs inside
every write (workflow.write_version) for the written card and all its descendants: two reads, and
one update for each card whose lineage actually changed (usually none, or the written card).
"""

from .openness import LICENCE_LINEAGE
from .vocabularies import get_licence

MAX_GENERATIONS = 10

_RESTRICTIVENESS = {
    "permissive": 0,
    "open-data": 0,
    "open-documentation": 0,
    "copyleft": 1,
    "use-restricted": 2,
    "non-commercial": 3,
    "proprietary": 4,
}


def base_model_names(metadata: dict) -> list[str]:
    """Each `base_model` entry's possible slugs here: the name itself and its lower-cased last segment."""
    value = metadata.get("base_model")
    names = []
    for name in value if isinstance(value, list) else [value]:
        if not isinstance(name, str):
            continue
        name = name.strip().replace("|", "")
        for candidate in (name, name.rsplit("/", 1)[-1].lower()):
            if candidate and candidate not in names:
                names.append(candidate)
    return names


def base_models_index(metadata: dict) -> str:
    """The candidate slugs as `|a|b|`, stored so that a write can find a card's family cheaply."""
    names = base_model_names(metadata)
    return f"|{'|'.join(names)}|" if names else ""


def restrictiveness(licence_id: str) -> int | None:
    licence = get_licence(licence_id)
    return _RESTRICTIVENESS.get(licence.type) if licence else None


def _candidates(index: str) -> list[str]:
    return [name for name in index.split("|") if name]


def ancestors(slug: str, parents: dict[str, list[str]]) -> list[str]:
    """Base models of `slug`, nearest first, each once, following the chain through generations."""
    found: list[str] = []
    frontier = [slug]
    for _ in range(MAX_GENERATIONS):
        frontier = [p for s in frontier for p in parents.get(s, []) if p != slug and p not in found]
        frontier = list(dict.fromkeys(frontier))
        if not frontier:
            break
        found += frontier
    return found


def lineage_of(
    slug: str, licence_id: str, parents: dict[str, list[str]], licences: dict[str, str]
) -> list[dict]:
    """The ancestors with their licences, each marked `stricter` when it is more restrictive than the card."""
    own = restrictiveness(licence_id)
    chain = []
    for ancestor in ancestors(slug, parents):
        theirs = restrictiveness(licences.get(ancestor, ""))
        stricter = own is not None and theirs is not None and theirs > own
        chain.append({"slug": ancestor, "license": licences.get(ancestor, ""), "stricter": stricter})
    return chain


LINEAGE_FIELDS = ["openness_flags", "licence_lineage", "has_openness_flags"]


def refresh_lineage(card_model, *, slug: str | None = None) -> list:
    """Recompute the lineage fields of card `slug` and its descendants (all derived cards when None).

    `card_model` is the ModelCard class (or its historical twin in a migration). Returns the cards
    that changed, holding only their pk, slug and lineage fields.
    """
    derived = list(
        card_model.objects.exclude(base_models_index="").values(
            "pk", "slug", "license", "base_models_index", "openness_flags", "licence_lineage"
        )
    )
    licences = {row["slug"]: row["license"] for row in derived}
    wanted = {name for row in derived for name in _candidates(row["base_models_index"])} - licences.keys()
    if wanted:
        licences.update(card_model.objects.filter(slug__in=wanted).values_list("slug", "license"))
    parents = {
        row["slug"]: [name for name in _candidates(row["base_models_index"]) if name in licences]
        for row in derived
    }
    if slug is None:
        affected = {row["slug"] for row in derived}
    else:
        affected = {slug} | {child for child in parents if slug in ancestors(child, parents)}
    changed = []
    for row in derived:
        if row["slug"] not in affected:
            continue
        chain = lineage_of(row["slug"], row["license"], parents, licences)
        flags = [flag for flag in row["openness_flags"] if flag != LICENCE_LINEAGE]
        if any(entry["stricter"] for entry in chain):
            flags.append(LICENCE_LINEAGE)
        if flags != row["openness_flags"] or chain != row["licence_lineage"]:
            changed.append(
                card_model(
                    pk=row["pk"],
                    slug=row["slug"],
                    openness_flags=flags,
                    licence_lineage=chain,
                    has_openness_flags=bool(flags),
                )
            )
    for card in changed:  # one by one, so post_save reaches listeners such as the page cache
        card.save(update_fields=LINEAGE_FIELDS)
    return changed
