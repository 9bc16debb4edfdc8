"""Characters that make text show something other than what it holds, and where they are.

A direction override or isolate (U+202A-U+202E, U+2066-U+2069) reorders the characters after it, so a
diff can show a moderator `exe.txt` where the text says `txt.exe`; a control character (C0 other than
tab, line feed and carriage return; DEL; C1) can hide text, move the cursor in a terminal reading a
mail, or break a line where no line break shows. None has a use in a model card. The marks that only
nudge the direction of neutral characters (U+200E LRM, U+200F RLM, U+061C ALM) reorder nothing and
are written by right-to-left authors, so they are kept. NUL is left to the storage checks, which
refuse it everywhere with their own message.
"""

import re
import unicodedata
from dataclasses import dataclass

DIRECTION_CONTROLS = frozenset(chr(code) for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
CONTROL_CHARACTERS = frozenset(
    chr(code) for code in [*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
)
REFUSED = DIRECTION_CONTROLS | CONTROL_CHARACTERS
_REFUSED = re.compile("[" + "".join(sorted(REFUSED)).replace("\\", "\\\\") + "]")
_LINE_END = re.compile(r"\r\n|\r|\n")

# Control characters have no name in the Unicode database, only these aliases; the rest are named
# by their kind.
_CONTROL_NAMES = {
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
    0x9B: "CONTROL SEQUENCE INTRODUCER",
}
MAX_REPORTED = 20


@dataclass(frozen=True)
class HiddenCharacter:
    """One refused character: its line and column (both from 1, columns counted in characters)."""

    line: int
    column: int
    character: str

    def __str__(self) -> str:
        return f"line {self.line}: {describe(self.character)} at column {self.column} is not allowed"


def describe(character: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE`, `U+001B ESCAPE`, `U+0001 (a control character)`."""
    code = ord(character)
    name = _CONTROL_NAMES.get(code) or unicodedata.name(character, "")
    return f"U+{code:04X} {name}" if name else f"U+{code:04X} (a control character)"


def contains_hidden(text: str) -> bool:
    return _REFUSED.search(text) is not None


def find_hidden(text: str, *, limit: int = MAX_REPORTED) -> tuple[list[HiddenCharacter], int]:
    """The first `limit` refused characters of `text`, located, and how many there are in all.

    Lines end at CRLF, a lone CR or LF, as everywhere else a card's lines are counted.
    """
    matches = list(_REFUSED.finditer(text))
    if not matches:
        return [], 0
    starts = [0] + [match.end() for match in _LINE_END.finditer(text)]
    found = []
    line = 0
    for match in matches[:limit]:
        while line + 1 < len(starts) and starts[line + 1] <= match.start():
            line += 1
        found.append(HiddenCharacter(line + 1, match.start() - starts[line] + 1, match.group()))
    return found, len(matches)


def hidden_problems(text: str, *, limit: int = MAX_REPORTED) -> list[str]:
    """A message per refused character (at most `limit`, then a count of the rest); [] if none."""
    found, total = find_hidden(text, limit=limit)
    problems = [f"{place}; remove it" for place in found]
    if total > len(found):
        problems.append(f"and {total - len(found):,} more such characters")
    return problems
