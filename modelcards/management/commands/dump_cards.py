"""Write a dump of the site: every card as it is now, and every version of every card."""

from django.core.management.base import BaseCommand, CommandError

from modelcards.dumps import DumpError
from modelcards.dumps.writing import write_dump


class Command(BaseCommand):
    help = (
        "Write DIR/cards.jsonl.gz (current cards), DIR/history.jsonl.gz (every version), DIR/SHA256SUMS "
        "and DIR/manifest.json. The files appear whole or not at all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Folder to write into (created if missing)")

    def handle(self, *args, out, **options):
        if "\x00" in out:
            raise CommandError("--out must be a folder name without NUL characters.")
        try:
            manifest = write_dump(out)
        except DumpError as exc:
            raise CommandError(str(exc)) from None
        sizes = ", ".join(f"{name} {info['bytes']:,} bytes" for name, info in manifest["files"].items())
        self.stdout.write(
            f"Wrote {manifest['cards']:,} card(s) and {manifest['versions']:,} version(s) to {out} ({sizes})."
        )
