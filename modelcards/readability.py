"""The editor's readability hint for a card's plain-language summary: its length, how long its
sentences are, and how many of its words are long.

Kept simple on purpose. The figure is LIX (Björnsson's läsbarhetsindex): words per sentence plus the
percentage of words longer than six letters. It needs no syllable counting, so it means the same in
English and in the other languages written with spaces between words, and it says nothing about
meaning: a hint beside the field that never stops anyone submitting. static/js/editor.js computes the
same figures while people type; this module gives them to the page shown without JavaScript.
"""

import math
import re
from dataclasses import dataclass

# A word: letters and digits, with inner apostrophes or hyphens (“don't”, “state-of-the-art”).
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# A sentence ends at . ! ? … followed by a space or the end, at 。！？ (written without a space after),
# or at a blank line.
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|[。！？]+|\n[ \t]*\n")
LONG_WORD_LETTERS = 7

# LIX bands, as usually quoted: below 30 very easy (children's books) … above 60 very hard (law).
_BANDS = ((30, "very easy"), (40, "easy"), (50, "medium"), (60, "hard"))


def _round(value: float) -> int:
    """Half up, as JavaScript's Math.round, so the page and the script always show the same figure."""
    return math.floor(value + 0.5)


@dataclass(frozen=True)
class Readability:
    characters: int
    words: int
    sentences: int
    long_words: int

    @property
    def words_per_sentence(self) -> int:
        return _round(self.words / self.sentences) if self.sentences else 0

    @property
    def long_word_percent(self) -> int:
        return _round(100 * self.long_words / self.words) if self.words else 0

    @property
    def lix(self) -> int:
        if not self.words:
            return 0
        return _round(self.words / self.sentences + 100 * self.long_words / self.words)

    @property
    def band(self) -> str:
        return next((name for limit, name in _BANDS if self.lix < limit), "very hard")


def measure(text: str) -> Readability:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    words = _WORD.findall(text)
    sentences = sum(1 for part in _SENTENCE_END.split(text) if _WORD.search(part))
    return Readability(
        characters=len(text),
        words=len(words),
        sentences=max(sentences, 1) if words else 0,
        long_words=sum(1 for word in words if len(word) >= LONG_WORD_LETTERS),
    )


def hint(text: str, *, limit: int) -> str:
    """One line for beside the field: "123 of 600 characters · 2 sentences, 11 words each on average · …"."""
    found = measure(text)
    parts = [f"{found.characters} of {limit} characters"]
    if found.characters > limit:
        parts[0] += f": {found.characters - limit} too many"
    if found.words:
        sentences = "1 sentence" if found.sentences == 1 else f"{found.sentences} sentences"
        each = found.words_per_sentence
        parts.append(f"{sentences}, {each} word{'' if each == 1 else 's'} each on average")
        parts.append(f"{found.long_word_percent}% long words ({LONG_WORD_LETTERS}+ letters)")
        parts.append(f"readability (LIX) {found.lix}: {found.band}")
    return " · ".join(parts)
