"""Load a full-history dump (from `dump_cards` or /dumps/) into an empty site."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from modelcards.dumps import DumpError
from modelcards.dumps.loading import load_dump, read_manifest
from modelcards.management.progress import Progress


class Command(BaseCommand):
    help = (
        "Load the dump in DIR into this site, which must hold no cards: every card with every version, "
        "its number, kind, people, summary, time and text. The files are checked against SHA256SUMS first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", metavar="DIR", help="A folder holding manifest.json, SHA256SUMS and both files"
        )

    def handle(self, *args, directory, **options):
        if "\x00" in directory:
            raise CommandError("DIR must be a folder name without NUL characters.")
        try:
            total = read_manifest(Path(directory)).get("cards")
            total = total if isinstance(total, int) else 0
            progress = Progress(
                total=total, desc="Loading", unit="card", stream=self.stderr._out, quiet=total < 10
            )
            with progress:
                loaded = load_dump(directory, progress=progress.update)
        except DumpError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Loaded {loaded.cards:,} card(s) with {loaded.versions:,} version(s), crediting "
            f"{loaded.people:,} account(s) that cannot sign in."
        )
