"""Remind maintainers and watchers of cards due for review; for cron, or a worker every N hours."""

from django.core.management.base import BaseCommand, CommandError

from modelcards.reviews import ReviewError, schedule_reminders, send_reminders


class Command(BaseCommand):
    help = (
        "Tell the maintainers and watchers of each card no moderator has reviewed for REVIEW_DUE_DAYS "
        "(once per due period). Run it daily from cron or a systemd timer, or give --every-hours N to "
        "have the task worker run it every N hours."
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
        if every_hours < 0:
            raise CommandError("--every-hours must be a positive number of hours.")
        if every_hours:
            try:
                queued = schedule_reminders(every_hours)
            except ReviewError as exc:
                raise CommandError(str(exc)) from None
            if queued:
                self.stdout.write(
                    f"Queued: the task worker sends review reminders now and every {every_hours:g} h."
                )
            else:
                self.stdout.write("A run of send_review_reminders is already waiting; nothing was queued.")
            return
        count = send_reminders()
        self.stdout.write(
            f"Reminded the maintainers and watchers of {count} card{'s' if count != 1 else ''}."
        )
