"""Delete the watches whose chosen time has ended. Run daily (cron, a systemd timer).

An expired watch already counts for nothing everywhere; pruning only keeps the table small.
"""

from django.core.management.base import BaseCommand

from modelcards.notifications import watchlist


class Command(BaseCommand):
    help = "Delete watches that have expired (they already tell nobody anything)."

    def handle(self, *args, **options):
        deleted = watchlist.prune_expired()
        self.stdout.write(f"Deleted {deleted} expired watch{'' if deleted == 1 else 'es'}.")
