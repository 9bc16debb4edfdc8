"""Mail is queued in the change's transaction, sent by django-tasks' own worker, retried, never doubled.

These tests use the database task backend that production uses (the rest of the suite runs tasks
at once) and run `manage.py db_worker --batch` in the test process, or in a real process that is
killed with SIGKILL in the middle of sending. Time moves with the `clock` fixture, not by waiting.
"""

import json
import os
import secrets
import signal
import smtplib
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from config import generations
from modelcards import notifications, outbox
from modelcards.cardfile import parse_card
from modelcards.models import OutboxMail, Watch
from modelcards.workflow import update_card
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parent.parent
EDITED = SAMPLE_README + "\nA new fact.\n"


class FlakyBackend(locmem.EmailBackend):
    """A mail server that is down for the first `failures` sends, then takes every mail."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class WorkerKilled(BaseException):
    """Stands for the process dying: nothing in the worker's code may catch it as a failure to send."""


class DiesBeforeHandOff(locmem.EmailBackend):
    def send_messages(self, messages):
        raise WorkerKilled


class DiesAfterHandOff(locmem.EmailBackend):
    def send_messages(self, messages):
        super().send_messages(messages)
        raise WorkerKilled


class SecondWorkerMidSend(locmem.EmailBackend):
    """While the first mail is being sent, another worker runs a whole delivery of its own."""

    others_sent: list[int] = []

    def send_messages(self, messages):
        if not SecondWorkerMidSend.others_sent:
            SecondWorkerMidSend.others_sent.append(outbox.deliver_due_mail())
        return super().send_messages(messages)


class SlowBackend(locmem.EmailBackend):
    def send_messages(self, messages):
        time.sleep(0.05)
        return super().send_messages(messages)


class MailLogBackend(locmem.EmailBackend):
    """For worker processes: records each mail handed over in the file named by MAIL_LOG."""

    def send_messages(self, messages):
        with open(os.environ["MAIL_LOG"], "a") as log:
            for message in messages:
                log.write(f"{message.to[0]} {message.extra_headers['Message-ID']}\n")
        return len(messages)


class SigkillBeforeHandOff(MailLogBackend):
    def send_messages(self, messages):
        os.kill(os.getpid(), signal.SIGKILL)


class SigkillAfterHandOff(MailLogBackend):
    def send_messages(self, messages):
        super().send_messages(messages)
        os.kill(os.getpid(), signal.SIGKILL)


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def clock(monkeypatch):
    """`timezone.now()` for the code under test (the task engine's included), moved on by `advance`."""
    real_now = timezone.now

    class Clock:
        offset = timedelta(0)

        def now(self):
            return real_now() + self.offset

        def advance(self, delta):
            self.offset += delta

        def advance_to(self, moment):
            self.offset += max(moment - self.now(), timedelta(0))

    moving = Clock()
    monkeypatch.setattr(timezone, "now", moving.now)
    return moving


def run_worker() -> None:
    """django-tasks' own worker, run until no task is due: `manage.py db_worker --batch`."""
    handlers = {
        number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    }
    try:
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    finally:
        for number, handler in handlers.items():  # the worker installs its own for Ctrl-C
            signal.signal(number, handler)


@pytest.fixture
def watched(make_card, make_user):
    """A card with two watchers, and the author of the edits, who is never mailed about them."""
    card = make_card()
    for name in ("watcher", "second"):
        Watch.objects.create(user=make_user(name), card=card)
    return card, make_user("editor")


def edit(card, editor, text=EDITED):
    return update_card(card, card_file=parse_card(text), user=editor, summary="Add a fact")


def test_a_change_queues_its_mail_and_its_task_and_the_worker_sends_it(watched):
    card, editor = watched
    version = edit(card, editor)
    queued = OutboxMail.objects.order_by("to")
    assert [(m.event, m.to, m.status) for m in queued] == [
        (f"new_version:{version.pk}", "second@example.org", "pending"),
        (f"new_version:{version.pk}", "watcher@example.org", "pending"),
    ]
    assert DBTaskResult.objects.ready().count() == 1
    assert mail.outbox == []  # nothing is sent by the request itself

    run_worker()

    assert sorted(m.to[0] for m in mail.outbox) == ["second@example.org", "watcher@example.org"]
    sent = mail.outbox[0]
    assert sent.subject == "[Model Card Commons] Sample Model: version 2"
    assert "+A new fact." in sent.body and "by editor" in sent.body
    row = OutboxMail.objects.get(to=sent.to[0])
    assert sent.extra_headers["Message-ID"] == row.message_id
    assert (row.status, row.attempts, row.subject, row.body) == ("sent", 1, sent.subject, sent.body)
    assert row.sent_at is not None


def test_no_mail_is_queued_or_sent_for_a_change_that_rolls_back(watched):
    card, editor = watched
    tasks_before = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        edit(card, editor)
        assert OutboxMail.objects.count() == 2  # queued inside the transaction …
        raise RuntimeError("something later in the same change failed")
    assert OutboxMail.objects.count() == 0  # … and gone with it, and so is its task
    assert DBTaskResult.objects.count() == tasks_before
    run_worker()
    assert mail.outbox == []


def test_a_failing_mail_server_is_retried_with_growing_delays_then_the_mail_is_delivered_once(
    watched, settings, clock, monkeypatch, caplog
):
    settings.EMAIL_BACKEND = "tests.test_mail_outbox.FlakyBackend"
    monkeypatch.setattr(FlakyBackend, "failures", 4)
    card, editor = watched
    Watch.objects.exclude(user__username="watcher").delete()
    edit(card, editor)
    row = OutboxMail.objects.get()

    delays = []
    for attempt in range(1, 5):
        run_worker()
        row.refresh_from_db()
        assert (row.status, row.attempts) == ("pending", attempt)
        assert "SMTPServerDisconnected: Connection unexpectedly closed" in row.last_error
        assert mail.outbox == []
        delays.append(row.next_attempt_at - clock.now())
        # The retry is a task of its own, waiting for its time; running the worker earlier sends nothing.
        assert DBTaskResult.objects.filter(status="READY", run_after=row.next_attempt_at).exists()
        run_worker()
        row.refresh_from_db()
        assert row.attempts == attempt
        clock.advance_to(row.next_attempt_at)

    expected = [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert all(want - timedelta(seconds=5) < got <= want for got, want in zip(delays, expected, strict=True))
    assert "failed on attempt 1 of 15" in caplog.text

    run_worker()
    assert [m.to for m in mail.outbox] == [["watcher@example.org"]]
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 5)
    assert "SMTPServerDisconnected" in row.last_error  # what went wrong on the way is kept
    # The retries and the check queued with each claim find nothing more to send.
    clock.advance(outbox.LEASE + timedelta(seconds=1))
    run_worker()
    assert len(mail.outbox) == 1


def test_a_mail_whose_attempts_run_out_is_kept_failed_for_staff_who_can_send_it_again(
    watched, settings, clock, monkeypatch, client, django_user_model
):
    settings.EMAIL_BACKEND = "tests.test_mail_outbox.FlakyBackend"
    monkeypatch.setattr(FlakyBackend, "failures", 10**6)
    card, editor = watched
    Watch.objects.exclude(user__username="watcher").delete()
    edit(card, editor)
    row = OutboxMail.objects.get()
    for _ in range(outbox.MAX_ATTEMPTS):
        run_worker()
        row.refresh_from_db()
        clock.advance_to(row.next_attempt_at)
    assert (row.status, row.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert "SMTPServerDisconnected" in row.last_error
    assert sum(map(outbox.retry_delay, range(1, outbox.MAX_ATTEMPTS)), timedelta()) > timedelta(hours=7)
    clock.advance(timedelta(days=1))
    run_worker()
    row.refresh_from_db()
    assert row.status == "failed" and mail.outbox == []  # no more attempts, but never dropped

    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-for-tests-1")
    client.force_login(admin)
    page = client.get("/admin/modelcards/outboxmail/?status__exact=failed").content.decode()
    assert "watcher@example.org" in page and "SMTPServerDisconnected" in page
    assert client.get(f"/admin/modelcards/outboxmail/{row.pk}/delete/").status_code == 403

    monkeypatch.setattr(FlakyBackend, "failures", 0)
    client.post(
        "/admin/modelcards/outboxmail/",
        {"action": "send_again", "_selected_action": [row.pk]},
    )
    run_worker()
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert [m.to for m in mail.outbox] == [["watcher@example.org"]]


def test_mail_to_many_watchers_goes_out_in_batches_each_a_task_of_its_own(make_card, make_user):
    card = make_card()
    for number in range(25):
        Watch.objects.create(user=make_user(f"watcher{number}"), card=card)
    edit(card, make_user("editor"))
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"watcher{n}@example.org" for n in range(25))
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 3  # 10, 10 and 5
    assert set(OutboxMail.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_the_same_news_queued_twice_is_sent_once(watched):
    card, editor = watched
    version = edit(card, editor)
    with transaction.atomic():
        notifications.new_version(version)  # as a retried request or a repeated call would
    assert OutboxMail.objects.count() == 2
    assert DBTaskResult.objects.ready().count() == 2
    run_worker()  # both tasks run; the second finds nothing left to send
    assert sorted(m.to[0] for m in mail.outbox) == ["second@example.org", "watcher@example.org"]
    with transaction.atomic():
        notifications.new_version(version)
    run_worker()
    assert len(mail.outbox) == 2


def test_a_second_worker_running_while_the_first_is_sending_sends_nothing_twice(watched, settings):
    settings.EMAIL_BACKEND = "tests.test_mail_outbox.SecondWorkerMidSend"
    SecondWorkerMidSend.others_sent = []
    card, editor = watched
    edit(card, editor)
    run_worker()
    assert SecondWorkerMidSend.others_sent == [0]  # every due mail was already claimed by the first
    assert sorted(m.to[0] for m in mail.outbox) == ["second@example.org", "watcher@example.org"]
    assert set(OutboxMail.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_a_worker_killed_before_handing_the_mail_over_sends_it_once_when_the_claim_lapses(
    watched, settings, clock
):
    settings.EMAIL_BACKEND = "tests.test_mail_outbox.DiesBeforeHandOff"
    card, editor = watched
    edit(card, editor)
    run_worker()  # dies inside the send: the task fails, the mail stays claimed
    assert mail.outbox == []
    assert set(OutboxMail.objects.values_list("status", "attempts")) == {("pending", 1)}

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_worker()  # a restarted worker does not touch mail another worker may still be sending
    assert mail.outbox == []
    clock.advance(outbox.LEASE + timedelta(seconds=1))
    run_worker()  # the check queued with the claim
    assert sorted(m.to[0] for m in mail.outbox) == ["second@example.org", "watcher@example.org"]
    assert set(OutboxMail.objects.values_list("status", "attempts")) == {("sent", 2)}
    clock.advance(timedelta(days=1))
    run_worker()
    assert len(mail.outbox) == 2


def test_a_worker_killed_after_the_server_took_the_mail_sends_it_again_with_the_same_message_id(
    watched, settings, clock
):
    """The one window of at-least-once delivery: between the server's acceptance and the row's update."""
    settings.EMAIL_BACKEND = "tests.test_mail_outbox.DiesAfterHandOff"
    card, editor = watched
    Watch.objects.exclude(user__username="watcher").delete()
    edit(card, editor)
    run_worker()
    assert len(mail.outbox) == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.advance(outbox.LEASE + timedelta(seconds=1))
    run_worker()
    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert OutboxMail.objects.get().status == "sent"


def test_sending_mail_invalidates_no_cached_page_or_account(watched, monkeypatch):
    card, editor = watched
    edit(card, editor)
    invalidated = []
    monkeypatch.setattr(generations, "invalidate_on_commit", invalidated.append)
    monkeypatch.setattr(generations, "invalidate", invalidated.append)
    run_worker()
    assert len(mail.outbox) == 2
    assert invalidated == []


def test_two_workers_at_once_on_postgresql_send_each_mail_once(make_card, make_user, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only real on PostgreSQL; CI runs this file there too")
    settings.EMAIL_BACKEND = "tests.test_mail_outbox.SlowBackend"
    card = make_card()
    for number in range(30):
        Watch.objects.create(user=make_user(f"watcher{number}"), card=card)
    edit(card, make_user("editor"))
    barrier = threading.Barrier(3)
    counts, errors = [], []

    def worker():
        try:
            barrier.wait()
            while sent := outbox.deliver_due_mail():
                counts.append(sent)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(counts) == 30 and max(counts) <= outbox.BATCH  # shared out in batches, none sent twice
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"watcher{n}@example.org" for n in range(30))


# A real worker process, killed with SIGKILL while it sends.

SETUP = """
from django.contrib.auth import get_user_model
from modelcards.cardfile import parse_card
from modelcards.models import Watch
from modelcards.workflow import create_card, update_card
from tests.conftest import SAMPLE_README

watcher = get_user_model().objects.create_user("watcher", "watcher@example.org", "pw-for-tests-1")
watcher.email_verified_at = watcher.date_joined
watcher.save(update_fields=["email_verified_at"])
card = create_card(slug="sample", card_file=parse_card(SAMPLE_README), user=None, summary="Created")
Watch.objects.create(user=watcher, card=card)
update_card(card, card_file=parse_card(SAMPLE_README + "\\nA new fact.\\n"), user=None, summary="A fact")
"""

STATE = """
import json
from django_tasks_db.models import DBTaskResult
from modelcards.models import OutboxMail

print(json.dumps({
    "mail": sorted(OutboxMail.objects.values_list("status", "attempts")),
    "tasks": sorted(DBTaskResult.objects.values_list("status", flat=True)),
}))
"""

# Ten minutes and more pass: the claim lapses and the check queued with it is due.
LATER = """
from datetime import timedelta
from django.db.models import F
from django_tasks_db.models import DBTaskResult
from modelcards.models import OutboxMail

OutboxMail.objects.update(next_attempt_at=F("next_attempt_at") - timedelta(minutes=11))
DBTaskResult.objects.filter(status="READY").update(run_after=F("run_after") - timedelta(minutes=11))
"""


def _database_url(tmp_path) -> str:
    if connection.vendor != "postgresql":
        return f"sqlite:///{tmp_path / 'worker.sqlite3'}"  # the suite's own database is in memory
    db = connection.settings_dict  # the test database, committed to by the processes below
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.parametrize(
    "killer, copies",
    [("SigkillBeforeHandOff", 1), ("SigkillAfterHandOff", 2)],
    ids=["killed-before-hand-off", "killed-after-hand-off"],
)
def test_a_worker_process_killed_mid_send_is_made_up_for_by_the_next_one(tmp_path, killer, copies):
    log = tmp_path / "mail.log"
    env = {
        key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "DATABASE_REPLICA_URLS"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        DATABASE_URL=_database_url(tmp_path),
        MAIL_LOG=str(log),
        LOG_LEVEL="WARNING",
    )

    def manage(*args, backend="MailLogBackend"):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env={**env, "EMAIL_BACKEND": f"tests.test_mail_outbox.{backend}"},
            capture_output=True,
            text=True,
            timeout=120,
        )

    def run(*args):
        result = manage(*args)
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def state():
        return json.loads(run("shell", "-c", STATE).strip().splitlines()[-1])

    worker = ("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--verbosity", "0")
    run("migrate", "--noinput", "--verbosity", "0")
    run("shell", "-c", SETUP)

    killed = manage(*worker, backend=killer)
    assert killed.returncode == -signal.SIGKILL
    handed_over = log.read_text().splitlines() if log.exists() else []
    assert len(handed_over) == copies - 1
    # The task the dead worker took stays "running"; the mail stays claimed, the check waits for its time.
    assert state() == {"mail": [["pending", 1]], "tasks": ["READY", "RUNNING"]}

    run(*worker)  # a new worker at once: the claim has not lapsed, so it leaves the mail alone
    assert (log.read_text().splitlines() if log.exists() else []) == handed_over

    run("shell", "-c", LATER)
    run(*worker)
    sent = log.read_text().splitlines()
    assert len(sent) == copies
    assert len(set(sent)) == 1  # one address, one Message-ID, however many copies
    assert state()["mail"] == [["sent", 2]]
