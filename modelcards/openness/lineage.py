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

This module holds the rules, on plain names and licence ids; `family.py` applies them to the cards
in the database.
"""

from .licences import read_licence

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
    reading = read_licence(licence_id or "")
    return _RESTRICTIVENESS.get(reading.type) if reading.recognised and reading.licence else None


def candidates(index: str) -> list[str]:
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


def link_names(index: str, *, longest: int) -> list[str]:
    """The names of `index` that could be a card's slug (no longer than `longest`), for BaseModelLink."""
    return [name for name in candidates(index) if len(name) <= longest]
