"""Write every card's current README.md to DIR/<slug>/README.md, the layout of Hub repositories."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from modelcards.models import ModelCard


class Command(BaseCommand):
    help = "Export every card's current README.md to DIR/<slug>/README.md."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Folder to write into (created if missing)")

    def handle(self, *args, out, **options):
        root = Path(out)
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"Cannot create {root}: {exc.strerror}") from exc
        cards = ModelCard.objects.only("slug", "text").order_by("slug")
        total = cards.count()
        for card in tqdm(
            cards.iterator(chunk_size=200),
            total=total,
            desc="Exporting",
            unit="card",
            disable=total < 10,
            file=self.stderr._out,
        ):
            folder = root / card.slug
            folder.mkdir(exist_ok=True)
            (folder / "README.md").write_bytes(card.text.encode("utf-8"))
        self.stdout.write(f"Exported {total} card(s) to {root}.")
