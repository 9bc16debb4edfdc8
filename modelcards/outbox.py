"""Mail that is never lost: queued in the change's own transaction, sent by a background task, retried.

`queue_mail` writes one `OutboxMail` row per address inside the caller's transaction and queues the
`deliver_mail` task there too: django-tasks' database backend keeps its tasks in the site's database,
so the mail and the task exist exactly when the change commits. Each run of `deliver_mail` sends up
to BATCH of the mail that is due, whoever queued it, and queues another run if more is due:

- It claims a mail by counting the attempt and moving `next_attempt_at` a lease ahead, and queues a
  run for when the lease ends, in one transaction. Another run, on this worker or another, passes a
  claimed mail by; if this worker dies mid-send, the run queued with the claim finds the mail again.
  (The engine itself neither retries a task nor re-runs one whose worker died.)
- A mail the backend takes is marked sent. A mail it refuses keeps the error and waits a delay that
  doubles with each attempt (`retry_delay`), with a run queued for then. After MAX_ATTEMPTS it is
  marked failed and kept, for staff to see and send again from the admin. Nothing is sent with
  fail_silently.

Delivery is at least once. A worker killed after the mail server accepted a mail and before the mail
was marked sent (a window of one database write) sends it again when the lease ends, with the same
Message-ID, by which many mail stores drop the repeat. A worker killed in the instant between taking
a task and claiming its mail leaves that mail due, for the next run (the next mail queued, or any
retry). Everything else (a rolled-back change, re-queued news, a task run twice, two workers at once,
a worker killed before the hand-off) sends one copy.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db import DatabaseBackend

from .mail_texts import render
from .models import OutboxMail

logger = logging.getLogger(__name__)

# How long a claimed mail is held back from other runs: far longer than one batch can take to send
# (BATCH mails, each giving up after EMAIL_TIMEOUT seconds).
LEASE = timedelta(minutes=10)
BATCH = 10
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
# 30 s, 1, 2, 4, 8, 16, 32 minutes, then hourly: about eight hours from the first attempt to the last.
MAX_ATTEMPTS = 15


def retry_delay(attempts: int) -> timedelta:
    """How long a mail waits after its `attempts`-th attempt failed."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def queue_mail(event: str, recipients: Iterable[str]) -> None:
    """Queue the mail about `event` for each address, in the current transaction, and ask for delivery.

    Queueing an event again for an address that already has it changes nothing.
    """
    queue_mails((event, address) for address in recipients)


def queue_mails(mails: Iterable[tuple[str, str]]) -> None:
    """`queue_mail` for many events at once, (event, address) pairs, in one write: for batch jobs."""
    pairs = sorted({(event, address) for event, address in mails if address})
    if not pairs:
        return
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    OutboxMail.objects.bulk_create(
        [
            OutboxMail(event=event, to=address, message_id=mail.make_msgid(domain=domain))
            for event, address in pairs
        ],
        ignore_conflicts=True,
    )
    schedule_delivery()


def schedule_delivery(at: datetime | None = None) -> None:
    """Queue a delivery run, now or at `at`, in the current transaction where the engine can."""
    backend = deliver_mail.get_backend()
    if at is not None and not backend.supports_defer:
        return  # an engine that cannot wait (the immediate one the tests use): the next run sends it
    run = deliver_mail if at is None else deliver_mail.using(run_after=at)
    if isinstance(backend, DatabaseBackend):
        run.enqueue()  # a row in this database: it commits or rolls back with the caller's change
    else:
        # An engine outside the database gets the task after commit; the mail is stored already.
        transaction.on_commit(run.enqueue)


@task()
def deliver_mail() -> int:
    """Send the mail that is due; returns how many went out."""
    return deliver_due_mail()


def deliver_due_mail() -> int:
    """Send a batch of the mail that is due, and queue a run for the rest; returns how many went out."""
    claimed, seen = _claim_batch()
    sent = _send(claimed) if claimed else 0
    if seen == BATCH:
        # A run of its own for the rest, so a worker asked to stop stops after this batch.
        schedule_delivery()
    return sent


def claim_due_mail() -> list[OutboxMail]:
    """Take a batch of due mails for this run and queue the run that finds them again if it dies."""
    return _claim_batch()[0]


def _claim_batch() -> tuple[list[OutboxMail], int]:
    now = timezone.now()
    claimed = []
    with transaction.atomic():
        due = list(
            OutboxMail.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxMail.Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")[:BATCH]
        )
        for item in due:
            if item.attempts >= MAX_ATTEMPTS:
                # Its last attempt never reported back (its worker stopped): the mail may have gone out.
                _finish(item, status=OutboxMail.Status.FAILED, error="The last attempt did not finish.")
                continue
            # Matching the attempt count, so two runs that read the same row cannot both claim it.
            won = OutboxMail.objects.filter(
                pk=item.pk, status=OutboxMail.Status.PENDING, attempts=item.attempts
            ).update(attempts=item.attempts + 1, next_attempt_at=now + LEASE)
            if won:
                item.attempts += 1
                claimed.append(item)
        if claimed:
            schedule_delivery(now + LEASE)
    return claimed, len(due)


def _send(claimed: list[OutboxMail]) -> int:
    texts: dict[str, tuple[str, str]] = {}
    try:
        connection = mail.get_connection(fail_silently=False)
        connection.open()
    except Exception as exc:  # noqa: BLE001 - kept on every mail of the batch, which is tried again
        for item in claimed:
            _fail(item, exc)
        return 0
    sent = 0
    try:
        for item in claimed:
            try:
                if item.event not in texts:
                    texts[item.event] = render(item.event)
                subject, body = texts[item.event]
                message = mail.EmailMessage(
                    subject,
                    body,
                    settings.DEFAULT_FROM_EMAIL,
                    [item.to],
                    connection=connection,
                    headers={"Message-ID": item.message_id},
                )
                if message.send() != 1:
                    raise RuntimeError("The mail backend reported that it sent nothing.")
            except ObjectDoesNotExist as exc:
                _finish(item, status=OutboxMail.Status.FAILED, error=f"What it reports was deleted: {exc}")
            except Exception as exc:  # noqa: BLE001 - whatever the backend raised is kept and retried
                _fail(item, exc, *texts.get(item.event, ("", "")))
            else:
                _finish(item, status=OutboxMail.Status.SENT, subject=subject, body=body)
                sent += 1
    finally:
        connection.close()
    return sent


def _fail(item: OutboxMail, exc: Exception, subject: str = "", body: str = "") -> None:
    error = f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}"
    if item.attempts >= MAX_ATTEMPTS:
        _finish(item, status=OutboxMail.Status.FAILED, error=error, subject=subject, body=body)
        return
    retry_at = timezone.now() + retry_delay(item.attempts)
    with transaction.atomic():
        updated = _claimed(item).update(next_attempt_at=retry_at, last_error=error, **_texts(subject, body))
        if updated:
            schedule_delivery(retry_at)
    logger.warning(
        "Mail %s (%s) failed on attempt %d of %d; next attempt at %s: %s",
        item.pk,
        item.event,
        item.attempts,
        MAX_ATTEMPTS,
        retry_at.isoformat(timespec="seconds"),
        error,
    )


def _finish(item: OutboxMail, *, status: str, error: str = "", subject: str = "", body: str = "") -> None:
    if status == OutboxMail.Status.SENT:
        # Marked sent whatever happened to the claim meanwhile: the mail server has it.
        OutboxMail.objects.filter(pk=item.pk).exclude(status=status).update(
            status=status, sent_at=timezone.now(), **_texts(subject, body)
        )
        return
    _claimed(item).update(status=status, last_error=error, **_texts(subject, body))
    logger.error("Gave up on mail %s (%s) after %d attempts: %s", item.pk, item.event, item.attempts, error)


def _claimed(item: OutboxMail):
    """The mail's row while it is still as this run claimed it (no later run has claimed it since)."""
    return OutboxMail.objects.filter(pk=item.pk, status=OutboxMail.Status.PENDING, attempts=item.attempts)


def _texts(subject: str, body: str) -> dict:
    return {"subject": subject[:400], "body": body} if subject else {}


def send_again(mails) -> int:
    """Give failed mails a new series of attempts from now (staff, after fixing what failed)."""
    count = mails.filter(status=OutboxMail.Status.FAILED).update(
        status=OutboxMail.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if count:
        schedule_delivery()
    return count
