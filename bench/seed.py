"""The bench's data: 1,000 card files to import, a 20 KB card with 10,000 versions, a 200 KB card.

Card texts are the shipped demo cards, renamed and given a paragraph of their own, so every card is a
realistic README.md with distinct content (rendering is cached by content, so copies would flatter it).
The long history is made in bulk by the same factory the query-count tests use: the rows are exactly
those the workflow writes, only made faster.
"""

from __future__ import annotations

import re
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent.parent / "modelcards" / "demo_cards"
_TITLE = re.compile(r"^# .*$", re.MULTILINE)


def demo_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(DEMO_DIR.glob("*/README.md"))]


def card_text(base: str, number: int, *, title: str) -> str:
    """`base` renamed to `title`, with a paragraph only card `number` has."""
    text = _TITLE.sub(f"# {title}", base, count=1)
    return (
        f"{text.rstrip()}\n\n## Bench notes\n\nCard number {number} of the benchmark, with a note of its "
        f"own: item {number * 7919 % 10007} in the catalogue.\n"
    )


def grow_to(base: str, size: int, *, label: str) -> str:
    """`base` with numbered extra sections until it holds at least `size` bytes."""
    parts = [base.rstrip() + "\n"]
    total = len(parts[0].encode("utf-8"))
    number = 0
    while total < size:
        number += 1
        section = (
            f"\n## {label} appendix {number}\n\n"
            f"Appendix {number} records evaluation notes for run {number}: the **held-out** split, "
            f"the `seed={number}` setting, and [the log](https://example.org/{label}/runs/{number}).\n\n"
            f"- Accuracy on task {number}: {50 + number % 47}.{number % 10}%\n"
            f"- Tokens seen: {number * 1_000_003:,}\n"
        )
        parts.append(section)
        total += len(section.encode("utf-8"))
    return "".join(parts)


def write_card_files(folder: Path, count: int, *, prefix: str = "bench") -> list[str]:
    """`count` README.md files in `folder/<slug>/`, the layout `import_cards` reads; returns the slugs."""
    bases = demo_texts()
    slugs = []
    for number in range(1, count + 1):
        slug = f"{prefix}-{number:04d}"
        text = card_text(bases[number % len(bases)], number, title=f"Bench model {number}")
        (folder / slug).mkdir(parents=True)
        (folder / slug / "README.md").write_bytes(text.encode("utf-8"))
        slugs.append(slug)
    return slugs


def make_users(*, password: str) -> dict[str, str]:
    """A moderator and a registered reader for the logged-in figures; returns role -> username."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    users = get_user_model().objects
    # Verified addresses: an unverified account counts as an anonymous visitor (accounts/email_links.py).
    verified = {"email_verified_at": timezone.now()}
    moderator = users.create_user("bench-moderator", "moderator@example.org", password, **verified)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    users.create_user("bench-reader", "reader@example.org", password, **verified)
    return {"moderator": "bench-moderator", "reader": "bench-reader"}


def make_long_history_card(*, slug: str, size: int, versions: int):
    """A card of about `size` bytes with `versions` versions (all but the first made in bulk)."""
    from modelcards.cardfile import parse_card
    from modelcards.workflow import create_card
    from tests.factories import add_versions

    text = grow_to(demo_texts()[0], size, label=slug)
    card = create_card(slug=slug, card_file=parse_card(text), user=None, summary="Bench card")
    return add_versions(card, versions)


def make_large_card(*, slug: str, size: int, versions: int):
    """A card of about `size` bytes whose versions each change a few scattered lines, via the workflow."""
    from modelcards.cardfile import parse_card
    from modelcards.workflow import create_card, update_card

    texts = demo_texts()
    bodies = [text[text.index("\n---\n", 4) + 5 :] for text in texts]
    front_matter = texts[0][: texts[0].index("\n---\n", 4) + 5]
    text = front_matter + grow_to("".join(bodies), size, label=slug)
    card = create_card(slug=slug, card_file=parse_card(text), user=None, summary="Bench card")
    for number in range(2, versions + 1):
        text = text.replace(f"run {number * 13}:", f"run {number * 13} (revised in v{number}):")
        text = text.replace("Tokens seen: 1,", f"Tokens seen (v{number}): 1,", 3)
        update_card(card, card_file=parse_card(text), user=None, summary=f"Revision {number}")
    return card
