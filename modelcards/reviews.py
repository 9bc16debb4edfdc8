"""Re-review (issue 16 item 5): which cards are due for a moderator's look again, "reviewed, still
accurate", and the reminders to the people who care about a due card.

A card is *due* once REVIEW_DUE_DAYS have passed since a moderator last reviewed it: accepted a
change to it, edited it directly, reverted it (all through `workflow.write_version`, which keeps
`ModelCard.reviewed_at`), or recorded "reviewed, still accurate" here. A card never reviewed counts
from its creation (a null `reviewed_at`), so no data migration was needed. An autoreviewed version
was published without a moderator, so it does not count.

Reminders go out once per due period: `send_reminders` tells each live maintainer and each live
watcher of a due card it has not reminded about since the card was last reviewed, in the inbox and,
to verified addresses, by mail, and notes `review_reminded_at`. The next review starts a new period.
django-tasks has no scheduler, so cron runs `manage.py send_review_reminders`, or the task below
queues its own next run (as modelcards/dumps/publishing.py does for dumps).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db import DatabaseBackend

from config import generations

from . import notifications, permissions
from .governance import maintainers
from .models import CardReview, ModelCard, Watch
from .pagecache import card_scope

# Cards reminded about per transaction, and transactions per run: a run's work stays bounded, and
# what is left waits for the next run (cron's, or the task's own next one).
BATCH = 200
MAX_BATCHES = 50
NOTE_CHARS = 300


class ReviewError(Exception):
    """A review or a reminder schedule that cannot be made as asked."""


class CardChanged(ReviewError):
    """The card has a newer version than the one the moderator reviewed."""


def due_since():
    """When a card's current due period started counting: its last review, else its creation."""
    return Coalesce("reviewed_at", "created_at")


def cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.REVIEW_DUE_DAYS)


def due_cards(now: datetime | None = None):
    """Cards no moderator has reviewed for REVIEW_DUE_DAYS, longest waiting first, with `due_since`.

    Two ranges, each on a plain column (`reviewed_at` is indexed), rather than one on an expression.
    """
    before = cutoff(now)
    return (
        ModelCard.objects.filter(
            Q(reviewed_at__lt=before) | Q(reviewed_at__isnull=True, created_at__lt=before)
        )
        .annotate(due_since=due_since())
        .order_by("due_since", "pk")
    )


def due_page(*, after: int | None = None, size: int = 50, now: datetime | None = None):
    """One page of due cards after the card `after` (keyset: one limited query, no OFFSET or COUNT).

    Returns (cards, the pk to pass as `after` for the next page or None).
    """
    rows = due_cards(now).only(
        "slug", "title", "version_number", "created_at", "reviewed_at", "review_reminded_at"
    )
    if after is not None:
        moment = Subquery(ModelCard.objects.filter(pk=after).annotate(since=due_since()).values("since")[:1])
        rows = rows.filter(Q(due_since__gt=moment) | Q(due_since=moment, pk__gt=after))
    chunk = list(rows[: size + 1])
    cards = chunk[:size]
    return cards, (cards[-1].pk if len(chunk) > size else None)


def record_review(
    card: ModelCard, *, moderator, note: str = "", seen_version: int | None = None
) -> CardReview:
    """A moderator found the card still accurate: a review at its current version, with no new version.

    `seen_version`, the version the moderator read, must still be the current one (CardChanged).
    The review starts the card's next due period (so it may be reminded about again once due), and
    the card's history and page show it at once: their cached copies are renewed when this commits.
    """
    if not permissions.can_review(moderator):
        raise PermissionDenied("Only moderators record reviews.")
    now = timezone.now()
    with transaction.atomic():
        locked = ModelCard.objects.select_for_update().only("pk", "slug", "version_number").get(pk=card.pk)
        if seen_version is not None and seen_version != locked.version_number:
            raise CardChanged(
                f"The card has changed since you read it (version {seen_version}; it is now at version "
                f"{locked.version_number}). Read the new version, then record your review."
            )
        review = CardReview.objects.create(
            card=locked,
            version_number=locked.version_number,
            reviewer=moderator,
            note=" ".join(note.split())[:NOTE_CHARS],
            created_at=now,
        )
        # An UPDATE, not save(): a review changes neither the text nor the card's "last changed".
        ModelCard.objects.filter(pk=locked.pk).update(reviewed_at=now, review_reminded_at=None)
        generations.invalidate_on_commit([card_scope(locked.slug)])
    card.reviewed_at, card.review_reminded_at = now, None
    return review


def reviews_at(card: ModelCard, numbers) -> dict[int, list[CardReview]]:
    """The card's reviews at each of the version `numbers` (newest first), with reviewers, in one query."""
    found: dict[int, list[CardReview]] = {}
    rows = CardReview.objects.filter(card=card, version_number__in=set(numbers)).select_related("reviewer")
    for review in rows:
        found.setdefault(review.version_number, []).append(review)
    return found


# --------------------------------------------------------------------------------------
# Reminders


@dataclass
class Reminder:
    """Who hears about one due card: inbox entries for `user_ids`, mail to `emails` (verified only)."""

    card: ModelCard
    event: str
    user_ids: set = field(default_factory=set)
    emails: set = field(default_factory=set)


def waiting_reminder(now: datetime | None = None):
    """Due cards not reminded about since their last review (or ever)."""
    return due_cards(now).filter(
        Q(review_reminded_at__isnull=True) | Q(review_reminded_at__lt=F("reviewed_at"))
    )


def send_reminders(*, now: datetime | None = None, batch: int = BATCH, max_batches: int = MAX_BATCHES) -> int:
    """Remind the maintainers and watchers of due cards, `batch` cards per transaction, at most
    `max_batches` transactions; returns how many cards were reminded about."""
    now = now or timezone.now()
    done = 0
    for _ in range(max_batches):
        count = _remind_batch(now, batch)
        done += count
        if count < batch:
            break
    return done


def _remind_batch(now: datetime, size: int) -> int:
    """One transaction: the same few queries however many cards and people it reaches."""
    with transaction.atomic():
        # Rows another run holds are passed by (PostgreSQL); it reminds about them.
        cards = list(
            waiting_reminder(now)
            .select_for_update(skip_locked=True)
            .only("pk", "slug", "title", "created_at", "reviewed_at")[:size]
        )
        if not cards:
            return 0
        # The event names the due period, so a period is reported once per person whatever happens.
        reminders = {
            card.pk: Reminder(card, f"review_due:{card.pk}:{card.due_since:%Y%m%dT%H%M%S}") for card in cards
        }
        wanted = ("card_id", "user_id", "user__email", "user__email_verified_at")
        live_maintainers = maintainers.live().filter(card_id__in=reminders, user__is_active=True)
        live_watchers = Watch.objects.active(now).filter(card_id__in=reminders, user__is_active=True)
        people = [*live_maintainers.values_list(*wanted), *live_watchers.values_list(*wanted)]
        for card_id, user_id, email, verified_at in people:
            reminder = reminders[card_id]
            reminder.user_ids.add(user_id)
            if email and verified_at is not None:  # an unverified address is never mailed
                reminder.emails.add(email)
        notifications.review_due(list(reminders.values()))
        ModelCard.objects.filter(pk__in=reminders).update(review_reminded_at=now)
    return len(cards)


@task()
def send_review_reminders(every_hours: float = 0) -> int:
    """Send the reminders that are due; with `every_hours`, queue the next run that much later."""
    count = send_reminders()
    if every_hours > 0:
        schedule_reminders(every_hours, at=timezone.now() + timedelta(hours=every_hours))
    return count


def schedule_reminders(every_hours: float, *, at: datetime | None = None) -> bool:
    """Queue a run of `send_review_reminders` (at `at`, else now) unless one is waiting already.

    Needs the site's database task backend, whose queue this can look at; returns False, queueing
    nothing, when a run is already waiting, so repeating the command from cron never doubles the chain.
    """
    backend = send_review_reminders.get_backend()
    if not isinstance(backend, DatabaseBackend) or not backend.supports_defer:
        raise ReviewError(
            "Repeating reminders need the database task backend and a worker (`manage.py db_worker`); "
            "otherwise run `manage.py send_review_reminders` from cron."
        )
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=send_review_reminders.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    run = send_review_reminders if at is None else send_review_reminders.using(run_after=at)
    run.enqueue(every_hours=every_hours)
    return True
