"""Import README.md files (or folders of them) as cards, one line of outcome per card."""

import multiprocessing
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from modelcards.cardfile import parse_or_problems
from modelcards.cardfiles_on_disk import find_card_files, read_card_text
from modelcards.management.options import check_text_options, user_named
from modelcards.management.progress import Progress
from modelcards.models import ModelCard, validate_card_slug
from modelcards.openness import family
from modelcards.workflow import import_card

# Below this many files a second process costs more to start than it saves.
PARALLEL_FROM = 50
MAX_JOBS = 4


class Command(BaseCommand):
    help = "Import README.md files as model cards; existing cards get a new version only if the text changed."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="README.md-style files or folders of them")
        parser.add_argument("--slug", help="Slug for the card (only with a single file)")
        parser.add_argument("--user", help="Username to credit for the change")
        parser.add_argument("--summary", default="Imported from README.md", help="Edit summary")
        parser.add_argument(
            "--jobs",
            type=int,
            help=f"Processes importing side by side. Default: one per CPU (at most {MAX_JOBS}) on "
            f"PostgreSQL for {PARALLEL_FROM} files or more, else 1. SQLite always uses 1.",
        )

    def handle(self, *args, paths, slug=None, user=None, summary, jobs=None, **options):
        check_text_options(user=user, summary=summary, slug=slug)
        actor = user_named(user)
        files = find_card_files(paths)
        if not files:
            raise CommandError("No README.md or *.md files found in the given paths.")
        if slug and len(files) != 1:
            raise CommandError("--slug can only be used with a single file.")
        if jobs is not None and jobs < 1:
            raise CommandError("--jobs must be 1 or more.")
        jobs = _jobs_for(jobs, len(files))
        if jobs > 1:
            self.stderr.write(f"Importing in {jobs} processes.")
        tasks = [(found.path, slug or found.slug, actor, summary) for found in files]
        refused = 0
        quiet = len(files) < 10
        bar = Progress(total=len(files), desc="Importing", unit="card", stream=self.stderr._out, quiet=quiet)
        with bar:
            for (_path, card_slug, *_rest), outcome in zip(tasks, _outcomes(tasks, jobs), strict=True):
                if outcome.startswith("refused"):
                    refused += 1
                bar.update()
                bar.write(f"{card_slug}: {outcome}", file=self.stdout._out)
        if jobs > 1:
            # Cards imported side by side may each have missed the other's licence: check every lineage.
            family.refresh_lineage(ModelCard)
        if refused:
            raise CommandError(f"{refused} of {len(files)} file(s) refused.", returncode=1)


def _jobs_for(asked: int | None, files: int) -> int:
    if connection.vendor == "sqlite":
        return 1  # one writer at a time: more processes would only wait for the lock
    if asked is not None:
        return min(asked, files)
    return min(os.cpu_count() or 1, MAX_JOBS) if files >= PARALLEL_FROM else 1


def _outcomes(tasks: list[tuple], jobs: int):
    """Each task's outcome, in the tasks' order, from this process or from `jobs` worker processes."""
    if jobs == 1:
        yield from (import_file(*task) for task in tasks)
        return
    connections.close_all()  # each worker opens its own; a shared socket would mix their queries
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        yield from pool.imap(_import_task, tasks, chunksize=4)


def _import_task(task: tuple) -> str:
    return import_file(*task)


def import_file(path, slug: str, actor, summary: str) -> str:
    """Import one file: "created", "updated", "unchanged", or "refused: <why>"; the first three are
    followed by the card's warnings, if any: "created (2 warnings: line 3: license_name: ...; ...)"."""
    try:
        validate_card_slug(slug)
    except ValidationError:
        return f"refused: '{slug}' is not a valid slug ({path})"
    try:
        text = read_card_text(path)
    except OSError as exc:
        return f"refused: cannot read {path}: {exc.strerror}"
    except UnicodeDecodeError as exc:
        return f"refused: {path} is not valid UTF-8 (byte {exc.start})"
    card_file, problems = parse_or_problems(text)
    if problems:
        return "refused: " + "; ".join(problems)
    outcome = import_card(slug=slug, card_file=card_file, user=actor, summary=summary)
    return outcome + _warnings_note(card_file.warnings)


def _warnings_note(warnings) -> str:
    if not warnings:
        return ""
    count = f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
    return f" ({count}: " + "; ".join(str(warning) for warning in warnings) + ")"
