"""Import README.md files (or folders of them), or Hub repositories by id, as cards, one line of
outcome per card."""

import multiprocessing
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from modelcards.cardfile import parse_or_problems
from modelcards.cardfiles_on_disk import find_card_files, read_card_text
from modelcards.hub.client import HubError
from modelcards.hub.importing import import_from_hub
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
        parser.add_argument(
            "--hub",
            action="store_true",
            help="The arguments are Hub model repositories, owner/name[@revision]: each README.md is read "
            "from the Hub (HUB_ENDPOINT) and the card is linked to its repository.",
        )
        parser.add_argument("--slug", help="Slug for the card (only with a single file or repository)")
        parser.add_argument("--user", help="Username to credit for the change")
        parser.add_argument("--summary", help="Edit summary (default: where the text came from)")
        parser.add_argument(
            "--jobs",
            type=int,
            help=f"Processes importing side by side. Default: one per CPU (at most {MAX_JOBS}) on "
            f"PostgreSQL for {PARALLEL_FROM} files or more, else 1. SQLite always uses 1.",
        )

    def handle(self, *args, paths, hub=False, slug=None, user=None, summary=None, jobs=None, **options):
        check_text_options(user=user, summary=summary, slug=slug)
        actor = user_named(user)
        if hub:
            return self._import_from_hub(paths, slug=slug, actor=actor, summary=summary or "")
        summary = summary or "Imported from README.md"
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

    def _import_from_hub(self, refs: list[str], *, slug, actor, summary: str) -> None:
        """One line per repository; a failure changes nothing for its repository and stops no other."""
        if slug and len(refs) != 1:
            raise CommandError("--slug can only be used with a single repository.")
        failed = 0
        for ref in refs:
            try:
                done = import_from_hub(ref, user=actor, slug=slug or "", summary=summary)
            except HubError as exc:
                failed += 1
                self.stdout.write(f"{ref}: refused: {exc}")
                continue
            where = f"{done.readme.repo_id}@{done.readme.revision} ({done.readme.commit[:7]})"
            warnings = _warnings_note(done.warnings)
            self.stdout.write(f"{where} -> {done.card.slug}: {done.outcome}{warnings}")
        if failed:
            raise CommandError(f"{failed} of {len(refs)} repositories refused.", returncode=1)


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
