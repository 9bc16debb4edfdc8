"""Finding README.md files on disk and naming the cards they hold, for import and export commands."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FoundFile:
    path: Path
    slug: str


def slug_for_path(path: Path) -> str:
    """`<folder>/README.md` is named by its folder (the Hub's repo layout); `bloom.md` by its own name."""
    if path.name.lower() == "readme.md":
        return path.resolve().parent.name.lower()
    return path.stem.lower()


def find_card_files(paths: list[str]) -> list[FoundFile]:
    """Expand files and folders: a folder holds `*.md` files and `<slug>/README.md` subfolders."""
    found: list[FoundFile] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            candidates = sorted(path.glob("*.md")) + sorted(path.glob("*/README.md"))
        else:
            candidates = [path]
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(FoundFile(candidate, slug_for_path(candidate)))
    return found


def read_card_text(path: Path) -> str:
    """The file's exact text: no newline translation, so export gives back the same bytes."""
    return path.read_bytes().decode("utf-8")
