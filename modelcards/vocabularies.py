"""The Hugging Face Hub's own vocabularies for a card's metadata: licence ids and task tags.

These check what the Hub checks in a card's top-level `license:` and `pipeline_tag:`. What a licence
allows, and every other licence name a card may use, is in `openness.licences`.
"""

import json
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# The ids the Hub accepts in `license:`, with their names, in the Hub's order.
LICENCES: dict[str, str] = {
    row["id"]: row["name"] for row in _read(_HERE / "openness" / "data" / "hub_licences.json")["licenses"]
}

PIPELINE_TAGS: dict[str, str] = {
    task["id"]: task["name"] for task in _read(_HERE / "data" / "pipeline_tags.json")["tasks"]
}
