"""Check linked cards against the Hub now, or start the task worker's periodic check (cron or a worker)."""

from django.core.management.base import BaseCommand, CommandError

from modelcards.hub.pull_requests import refresh_pull_request
from modelcards.hub.sync import check_link, due_links
from modelcards.hub.tasks import ScheduleError, schedule_sync, sync_off_reason


class Command(BaseCommand):
    help = (
        "Check every linked card whose check is due against its README on the Hub, filing what changed "
        "upstream as a suggestion, and refresh open pull requests' states. Give --every-hours N to have "
        "the task worker do it every N hours instead (one task per card). Off unless HUB_SYNC is set."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every-hours",
            type=float,
            default=0,
            help="Queue a run on the task worker now, which queues the next one N hours later, and so on. "
            "Does nothing when a run is waiting already.",
        )

    def handle(self, *args, every_hours, **options):
        if reason := sync_off_reason():
            self.stdout.write(reason)
            return
        if every_hours < 0:
            raise CommandError("--every-hours must be a positive number of hours.")
        if every_hours:
            try:
                queued = schedule_sync(every_hours)
            except ScheduleError as exc:
                raise CommandError(str(exc)) from None
            if queued:
                self.stdout.write(f"Queued: the task worker checks the Hub now and every {every_hours:g} h.")
            else:
                self.stdout.write("A run of sync_hub is already waiting; nothing was queued.")
            return
        for link in due_links().select_related("card"):
            outcome = check_link(link.pk)
            refresh_pull_request(link.pk)
            detail = f": {outcome.message}" if outcome.message else ""
            self.stdout.write(f"{link.card.slug} <- {link.repo_id}: {outcome.kind}{detail}")
