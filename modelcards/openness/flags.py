"""Open-washing flags: what a card says about openness that its own record or licence contradicts.

Each flag names what it relies on: the components, and for the "called open source" flag the
sentence itself, so a reader can check it. A sentence about one component ("the inference code is
open source under MIT") is a claim about that component, not about the model, and raises no flag.
The licence-lineage flag needs the base model's card and is computed by `lineage.py`.
"""

import re
from dataclasses import dataclass

from .licences import read_licence

OPEN_SOURCE_CLAIM = "open-source-claim"
OPEN_WEIGHTS_ONLY = "open-weights-only"
LICENCE_MISMATCH = "licence-mismatch"
LICENCE_LINEAGE = "licence-lineage"
FLAGS: dict[str, tuple[str, str]] = {
    OPEN_SOURCE_CLAIM: (
        "Called open source",
        "The card calls the model open source, but its weights come under a licence that restricts "
        "use or is the producer's own, which open source does not allow.",
    ),
    OPEN_WEIGHTS_ONLY: (
        "Open weights only",
        "The weights can be downloaded, but neither the training data nor the training code has been "
        "released, so the model cannot be studied or rebuilt.",
    ),
    LICENCE_MISMATCH: (
        "Licence mismatch",
        "The licence at the top of the card is not the licence the openness record gives for the "
        "weights, so readers cannot tell which one applies.",
    ),
    LICENCE_LINEAGE: (
        "Looser than its base model",
        "The card declares a more permissive licence than a model it was fine-tuned from, although a "
        "derivative normally stays bound by its base model's terms.",
    ),
}

_OPEN_SOURCE = re.compile(r"\bopen[\s_-]{0,3}sourced?\b", re.IGNORECASE)  # hard-wrapped lines too
# "not open source", "is not an open-source licence", "non-open-source": the phrase is negated.
_NEGATED = re.compile(
    r"\b(?:not|no|never|nor|non|cannot|(?:is|are|was|were|does|do|did|can|could|would|should)n[’']t)"
    r"\W+(?:\w+\W+){0,2}\Z",
    re.IGNORECASE,
)
# Words that make a sentence about one component (or about other software), not about the model.
_COMPONENT_WORDS = re.compile(
    r"\b(?:code|codebase|scripts?|repo(?:sitory)?|librar(?:y|ies)|tool(?:s|kit|ing)?|framework|"
    r"implementation|pipeline|data(?:sets?)?|corpus|paper|report|notebooks?|software|package|sdk|"
    r"harness|trainer|tokeni[sz]er)\b",
    re.IGNORECASE,
)
_MODEL_WORDS = re.compile(r"\b(?:model|weights|checkpoints?|llm)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*[-*#|])")
_NOT_OPEN_SOURCE_TYPES = frozenset({"use-restricted", "non-commercial", "proprietary"})
MAX_SENTENCE = 300


@dataclass(frozen=True)
class Flag:
    code: str
    components: tuple[str, ...]  # the record's component keys (or "license") the flag rests on
    sentence: str = ""

    def as_dict(self) -> dict:
        return {"code": self.code, "components": list(self.components), "sentence": self.sentence}


def model_open_source_sentence(metadata: dict, body: str) -> str:
    """The first sentence (or tag) calling the model itself open source, or ""."""
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    tags = tags if isinstance(tags, list) else [tags]
    for tag in tags:
        if isinstance(tag, str) and _OPEN_SOURCE.fullmatch(tag.strip()):
            return f"tags: {tag.strip()}"
    for match in _OPEN_SOURCE.finditer(body):
        if _NEGATED.search(body, max(0, match.start() - 40), match.start()):
            continue
        first, last = _sentence_bounds(body, match.start(), match.end())
        if _about_a_component(body[first : match.start()], body[match.end() : last]):
            continue
        sentence = " ".join(body[first:last].split())
        return sentence if len(sentence) <= MAX_SENTENCE else sentence[: MAX_SENTENCE - 1] + "…"
    return ""


def _sentence_bounds(body: str, start: int, end: int) -> tuple[int, int]:
    window_start = max(0, start - 400)
    breaks = list(_SENTENCE_END.finditer(body, window_start, start))
    first = breaks[-1].end() if breaks else window_start
    after = _SENTENCE_END.search(body, end, min(len(body), end + 400))
    return first, after.start() if after else min(len(body), end + 400)


_NOUN = re.compile(rf"{_COMPONENT_WORDS.pattern}|{_MODEL_WORDS.pattern}", re.IGNORECASE)
_MODEL_AND_MORE = re.compile(r"\b(?:model|weights)\s+(?:and|&)\s+(?:its\s+|the\s+)?\w*", re.IGNORECASE)


def _about_a_component(before: str, after: str) -> bool:
    """Whether "open source" speaks of some component (code, data, a paper) rather than the model:
    the nearest noun before it is a component's, and no model follows ("an open-source model")."""
    # Only the words right after the phrase, before any punctuation, can be what it describes.
    following = re.match(r"[ \t-]*((?:[\w-]+[ \t]+){0,2}[\w-]+)?", after).group(1) or ""
    if re.search(r"\b(?:model|llm|weights)\b", following, re.IGNORECASE):
        return False
    if any(_COMPONENT_WORDS.fullmatch(word) for word in following.split()):
        return True
    clause = re.split(r"[;.!?]|\b(?:but|while|whereas|although)\b", before)[-1]
    nouns = list(_NOUN.finditer(clause))
    if not nouns or _MODEL_AND_MORE.search(clause):
        return False
    return bool(_COMPONENT_WORDS.fullmatch(nouns[-1].group(0)))


def card_flags(metadata: dict, body: str, claims, *, has_record: bool) -> tuple[Flag, ...]:
    """The flags one card earns on its own, given its record's component claims."""
    flags = []
    by_key = {claim.component.key: claim for claim in claims}
    weights = by_key["final_parameters"]
    top = _top_licence(metadata)
    if weights.released and weights.licence is not None:
        # The record names the weights' licence: that decides, whatever the top of the card says.
        reading = weights.licence
        restricted = reading.recognised and reading.type in _NOT_OPEN_SOURCE_TYPES
    else:
        reading = read_licence(top)
        restricted = top == "other" or (reading.recognised and reading.type in _NOT_OPEN_SOURCE_TYPES)
    if restricted:
        sentence = model_open_source_sentence(metadata, body)
        if sentence:
            flags.append(Flag(OPEN_SOURCE_CLAIM, ("final_parameters",), sentence))
    if has_record:
        released = ("open", "partial")
        if weights.availability == "open" and not (
            by_key["training_code"].availability in released
            or by_key["training_datasets"].availability in released
        ):
            flags.append(Flag(OPEN_WEIGHTS_ONLY, ("final_parameters", "training_code", "training_datasets")))
        if top and weights.released and weights.licence and weights.licence_from != "card":
            if read_licence(top).canonical.casefold() != weights.licence.canonical.casefold():
                flags.append(Flag(LICENCE_MISMATCH, ("license", "final_parameters")))
    return tuple(flags)


def _top_licence(metadata: dict) -> str:
    value = metadata.get("license") if isinstance(metadata, dict) else None
    return value.strip() if isinstance(value, str) else ""
