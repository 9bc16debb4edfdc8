"""Names that look alike: a "skeleton" for comparing names regardless of case and confusable
characters (after Unicode's UTS #39), and the script-mixing rule for new usernames.

The confusable pairs come from Unicode's confusables.txt as packaged by `confusable_homoglyphs`; the
skeleton maps every character to the ASCII letter or digit it can pass for, so `Ρаураl` (Greek and
Cyrillic letters) and `paypal` have the same skeleton. Accounts store theirs (User.username_skeleton,
indexed) so that checking a typed name is one indexed query.
"""

import functools
import re
import unicodedata

from confusable_homoglyphs import categories, confusables

# Within ASCII, the pairs confusables.txt itself folds together (1 and l, 0 and O, rn and m).
_ASCII_FOLDS = (("rn", "m"), ("1", "l"), ("|", "l"), ("0", "o"))
# Zero-width and other format characters: invisible, so they never make two names different.
_INVISIBLE = re.compile(
    r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)

SKELETON_MAX_LENGTH = 300


@functools.cache
def _ascii_lookalike(character: str) -> str:
    """The ASCII character `character` passes for, or `character` itself when there is none."""
    if character.isascii():
        return character
    homoglyphs = confusables.confusables_data.get(character, ())
    candidates = sorted(
        glyph["c"].casefold() for glyph in homoglyphs if len(glyph["c"]) == 1 and glyph["c"].isascii()
    )
    return next((c for c in candidates if c.isalnum()), candidates[0] if candidates else character)


def skeleton(name: str) -> str:
    """What `name` looks like, for comparing: equal skeletons mean names a reader could take for each
    other. Case, compatibility forms (full-width, ligatures), accents, invisible characters, spacing
    and letters of other scripts that look like Latin ones are all folded away."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    folded = _INVISIBLE.sub("", folded)
    # Accents and other combining marks are dropped: "é" passes for "e" at a glance.
    decomposed = unicodedata.normalize("NFD", folded)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    mapped = "".join(_ascii_lookalike(ch) for ch in bare).casefold()
    for pair, replacement in _ASCII_FOLDS:
        mapped = mapped.replace(pair, replacement)
    return " ".join(mapped.split())[:SKELETON_MAX_LENGTH]


def mixes_scripts(name: str) -> bool:
    """Whether `name` has letters from more than one script (e.g. Latin and Cyrillic). Digits,
    punctuation and symbols belong to no script ("Common") and never count."""
    return len(categories.unique_aliases(name) - {"COMMON", "INHERITED"}) > 1


def name_belongs_to_account(name: str) -> bool:
    """Whether `name` is, or could pass for, an existing account's username. One indexed query."""
    from .models import User  # the models import this module to fill in the skeleton

    name_skeleton = skeleton(name)
    return bool(name_skeleton) and User.objects.filter(username_skeleton=name_skeleton).exists()


NAME_TAKEN_MESSAGE = "That name belongs to a registered account; choose another, or log in."
