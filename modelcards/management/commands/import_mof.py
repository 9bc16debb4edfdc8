"""Import Model Openness Tool model files (models/*.yml) as openness records, one line per file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from modelcards.management.options import check_text_options, user_named
from modelcards.mot_import import MotFileError, import_mot
from modelcards.workflow import WorkflowError


class Command(BaseCommand):
    help = (
        "Attach Model Openness Tool records (YAML, current or pre-2025 schema) to cards as new versions; "
        "a record naming a model with no card here starts a minimal card."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Model Openness Tool model files (.yml)")
        parser.add_argument("--slug", help="Card to attach the record to (only with a single file)")
        parser.add_argument("--user", help="Username to credit for the change")

    def handle(self, *args, files, slug=None, user=None, **options):
        check_text_options(user=user, slug=slug)
        if slug and len(files) != 1:
            raise CommandError("--slug can only be used with a single file.")
        actor = user_named(user)
        refused = 0
        for name in files:
            outcome = _import_one(name, slug=slug, actor=actor)
            refused += outcome.startswith("refused")
            self.stdout.write(f"{name}: {outcome}")
        if refused:
            raise CommandError(f"{refused} of {len(files)} file(s) refused.", returncode=1)


def _import_one(name: str, *, slug: str | None, actor) -> str:
    path = Path(name)
    try:
        if not path.is_file():
            return "refused: not a file"
        if path.stat().st_size > 1024 * 1024:
            return "refused: larger than 1 MB; a model file is a few kilobytes"
        data = path.read_bytes()
    except OSError as exc:
        return f"refused: cannot read it: {exc.strerror}"
    try:
        result = import_mot(data, slug=slug, user=actor, filename=path.name)
    except (MotFileError, WorkflowError) as exc:
        return f"refused: {exc}"
    notes = f" ({'; '.join(result.notes)})" if result.notes else ""
    return f"{result.outcome} {result.slug}{notes}"
