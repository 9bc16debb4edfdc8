"""Write every card's current README.md to DIR/<slug>/README.md, the layout of Hub repositories."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from modelcards.management.progress import Progress
from modelcards.models import ModelCard


class Command(BaseCommand):
    help = "Export every card's current README.md to DIR/<slug>/README.md."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Folder to write into (created if missing)")

    def handle(self, *args, out, **options):
        if "\x00" in out:
            raise CommandError("--out must be a folder name without NUL characters.")
        root = Path(out)
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"Cannot create {root}: {exc.strerror}") from exc
        cards = ModelCard.objects.only("slug", "text").order_by("slug")
        total = cards.count()
        progress = Progress(
            total=total, desc="Exporting", unit="card", stream=self.stderr._out, quiet=total < 10
        )
        with progress:
            for card in cards.iterator(chunk_size=200):
                target = root / card.slug / "README.md"
                try:
                    target.parent.mkdir(exist_ok=True)
                    target.write_bytes(card.text.encode("utf-8"))
                except OSError as exc:  # e.g. a file where the card's folder should be
                    raise CommandError(f"Cannot write {target}: {exc.strerror or exc}") from exc
                progress.update()
        self.stdout.write(f"Exported {total} card(s) to {root}.")
