"""Publish a dump under DUMPS_DIR for /dumps/, keeping the last DUMPS_KEEP; for cron, or a worker."""

from django.core.management.base import BaseCommand, CommandError

from modelcards.dumps import DumpError
from modelcards.dumps.publishing import publish_dump, schedule_publishing


class Command(BaseCommand):
    help = (
        "Write a dump into DUMPS_DIR/<UTC time>/ and delete all but the newest DUMPS_KEEP. Run it from cron "
        "or a systemd timer, or give --every-hours N to have the task worker publish every N hours."
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
        try:
            if every_hours < 0:
                raise DumpError("--every-hours must be a positive number of hours.")
            if every_hours:
                if schedule_publishing(every_hours):
                    self.stdout.write(
                        f"Queued: the task worker publishes a dump now and every {every_hours:g} h."
                    )
                else:
                    self.stdout.write("A run of publish_dumps is already waiting; nothing was queued.")
                return
            target = publish_dump()
        except DumpError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Published {target}.")
