"""Publishing dumps under MODELCARDS_DUMPS_DIR, one folder per dump named by its UTC time, the last
MODELCARDS_DUMPS_KEEP of them kept, for /dumps/ to list and serve.

django-tasks has no scheduler, so something outside the site says when: cron or a systemd timer
running `manage.py publish_dumps` (the dependable way), or the task below, which a worker runs and
which, given `every_hours`, queues its own next run. The engine neither retries a task nor re-runs one
whose worker died, so a chain of runs ends with a worker killed in the middle of one; running
`manage.py publish_dumps --every-hours N` again (say, from cron daily) starts it again and never
doubles it.
"""

import json
import re
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db import DatabaseBackend

from .records import DATA_FILES, MANIFEST_FILE, SUMS_FILE, DumpError
from .writing import write_dump

STAMP = re.compile(r"\d{8}T\d{6}Z")
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
# A folder left by a run that died while writing is removed once it is this old.
ABANDONED_AFTER = timedelta(days=1)


def dumps_dir() -> Path:
    return Path(settings.MODELCARDS_DUMPS_DIR)


@dataclass(frozen=True)
class PublishedFile:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class PublishedDump:
    stamp: str
    created_at: datetime
    cards: int
    versions: int
    files: tuple[PublishedFile, ...]


def published_dumps(root: Path | None = None) -> list[PublishedDump]:
    """The complete dumps under `root`, newest first; a folder without a readable manifest is left out."""
    root = root or dumps_dir()
    try:
        folders = [entry for entry in root.iterdir() if STAMP.fullmatch(entry.name) and entry.is_dir()]
    except FileNotFoundError:
        return []
    dumps = []
    for folder in sorted(folders, key=lambda entry: entry.name, reverse=True):
        try:
            manifest = json.loads((folder / MANIFEST_FILE).read_bytes())
            files = tuple(
                PublishedFile(
                    name, int(manifest["files"][name]["bytes"]), str(manifest["files"][name]["sha256"])
                )
                for name in DATA_FILES
            )
            dumps.append(
                PublishedDump(
                    stamp=folder.name,
                    created_at=datetime.strptime(folder.name, STAMP_FORMAT).replace(tzinfo=UTC),
                    cards=int(manifest["cards"]),
                    versions=int(manifest["versions"]),
                    files=files,
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return dumps


def dump_file(stamp: str, name: str) -> Path | None:
    """The path of one file of a published dump, or None. Only a stamp-shaped folder and the dump's own
    file names are ever looked up, so no request can name any other file."""
    if not STAMP.fullmatch(stamp) or name not in (*DATA_FILES, SUMS_FILE, MANIFEST_FILE):
        return None
    path = dumps_dir() / stamp / name
    if not path.is_file() or not (path.parent / MANIFEST_FILE).is_file():
        return None
    return path


def publish_dump(*, keep: int | None = None) -> Path:
    """Write a new dump under the dumps folder, then delete all but the newest `keep`."""
    root = dumps_dir()
    target = root / timezone.now().strftime(STAMP_FORMAT)
    if target.exists():
        raise DumpError(f"A dump named {target.name} exists already; wait a second and publish again.")
    write_dump(target)
    prune(root, keep=settings.MODELCARDS_DUMPS_KEEP if keep is None else keep)
    return target


def withdraw_made_before(moment: datetime, root: Path | None = None) -> list[str]:
    """Delete the published dumps begun at or before `moment` (issue 15 item 4).

    Called when a part of a version is hidden: a dump made earlier may hold it, so it stops being
    served. The next dump is written without it; copies already downloaded cannot be recalled.
    """
    root = root or dumps_dir()
    removed = []
    for dump in published_dumps(root):
        if dump.created_at <= moment:
            shutil.rmtree(root / dump.stamp, ignore_errors=True)
            removed.append(dump.stamp)
    return removed


def prune(root: Path, *, keep: int) -> list[str]:
    """Delete the complete dumps beyond the newest `keep`, and folders abandoned by failed runs."""
    removed = []
    for dump in published_dumps(root)[max(keep, 1) :]:
        shutil.rmtree(root / dump.stamp, ignore_errors=True)
        removed.append(dump.stamp)
    cutoff = time.time() - ABANDONED_AFTER.total_seconds()
    for entry in root.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(".partial") and entry.stat().st_mtime < cutoff:
            shutil.rmtree(entry, ignore_errors=True)
    return removed


@task()
def publish_dumps(every_hours: float = 0) -> str:
    """Publish a dump; with `every_hours`, queue the next run that much later."""
    target = publish_dump()
    if every_hours > 0:
        schedule_publishing(every_hours, at=timezone.now() + timedelta(hours=every_hours))
    return target.name


def schedule_publishing(every_hours: float, *, at: datetime | None = None) -> bool:
    """Queue a run of `publish_dumps` (at `at`, else now) unless one is waiting already.

    Needs an engine that can run a task later and keeps its queue somewhere this can look (the
    site's database backend); returns False, queueing nothing, when a run is already waiting.
    """
    backend = publish_dumps.get_backend()
    if not isinstance(backend, DatabaseBackend) or not backend.supports_defer:
        raise DumpError(
            "Repeating dumps need the database task backend and a worker (`manage.py db_worker`); "
            "otherwise run `manage.py publish_dumps` from cron."
        )
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=publish_dumps.module_path, status=TaskResultStatus.READY)
    if waiting.exists():
        return False
    run = publish_dumps if at is None else publish_dumps.using(run_after=at)
    run.enqueue(every_hours=every_hours)
    return True
