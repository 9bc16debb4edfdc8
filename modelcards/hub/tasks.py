"""The Hub sync on the task engine: a periodic run that queues one task per due card, and re-queues itself.

`sync_hub` looks for the links whose check is due and queues a `check_hub_link` task for each, so a
slow or hanging repository occupies one worker for at most HUB_TIMEOUT per request while the other
workers carry on with the rest. Given `every_hours`, it queues its own next run, as `publish_dumps`
does (modelcards/dumps/publishing.py); `manage.py sync_hub --every-hours N` starts the chain and never
doubles it. The engine neither retries a task nor re-runs one whose worker died: a check lost that way
leaves its link due, and the next periodic run queues it again.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db import DatabaseBackend

from .pull_requests import refresh_pull_request
from .sync import check_link, due_links

logger = logging.getLogger(__name__)


class ScheduleError(Exception):
    """The periodic sync cannot be queued on this task engine."""


def sync_off_reason() -> str:
    """Why the sync does not run here, in one line, or "" when it does."""
    if not settings.HUB_SYNC_ENABLED:
        return (
            "Hub sync is off: set HUB_SYNC=1 (and HUB_TOKEN to propose changes back) to check linked "
            "cards on the Hub; nothing is sent or fetched until then."
        )
    return ""


@task()
def sync_hub(every_hours: float = 0) -> int:
    """Queue a check of every linked card that is due; with `every_hours`, queue the next run then."""
    if reason := sync_off_reason():
        logger.info(reason)
        return 0
    queued = 0
    for link_id in due_links().values_list("pk", flat=True):
        check_hub_link.enqueue(link_id)
        queued += 1
    if every_hours > 0:
        schedule_sync(every_hours, at=timezone.now() + timedelta(hours=every_hours))
    return queued


@task()
def check_hub_link(link_id: int) -> str:
    """Check one card's upstream README, then refresh its open pull request's state."""
    outcome = check_link(link_id)
    refresh_pull_request(link_id)
    return outcome.kind


def schedule_sync(every_hours: float, *, at: datetime | None = None) -> bool:
    """Queue a run of `sync_hub` (at `at`, else now) unless one is waiting already; False if one is."""
    backend = sync_hub.get_backend()
    if not isinstance(backend, DatabaseBackend) or not backend.supports_defer:
        raise ScheduleError(
            "A repeating sync needs the database task backend and a worker (`manage.py db_worker`); "
            "otherwise run `manage.py sync_hub` from cron."
        )
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=sync_hub.module_path, status=TaskResultStatus.READY)
    if waiting.exists():
        return False
    run = sync_hub if at is None else sync_hub.using(run_after=at)
    run.enqueue(every_hours=every_hours)
    return True
