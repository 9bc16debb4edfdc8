"""Two app servers, one PostgreSQL database, one Redis: a change made through one shows through the other.

The servers are real gunicorn processes on the test database (committed data, hence a transactional
test) with the production settings module; they share sessions, rate-limit counters, cached pages
and rendered HTML through Redis, under a key prefix of this test's own.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from bench.browser import Browser
from modelcards.workflow import submit_suggestion, text_fingerprint
from tests.conftest import SAMPLE_README

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
HOLD_SECONDS = 1  # each server answers a page it served from its own memory for this long
EDITED = SAMPLE_README.replace("It is only a sample.", "It is only a sample, seen from another server.")


@pytest.fixture
def shared_services():
    """Skip unless the suite runs on PostgreSQL and Redis answers (CI's PostgreSQL run has both)."""
    if connection.vendor != "postgresql":
        pytest.skip("two app servers need a database server; CI runs this on PostgreSQL")
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    prefix = f"mcc-test-{os.getpid()}-{secrets.token_hex(4)}"
    yield prefix
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.unlink(*keys)
    client.close()


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def servers(shared_services, tmp_path):
    """Two gunicorn servers on free ports; both are always stopped, with everything they started."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": shared_services,
        "PAGE_CACHE": "1",
        "PAGE_HOLD_SECONDS": str(HOLD_SECONDS),
        "RATE_LIMIT_SUGGEST": "2/h",
        "STATIC_ROOT": str(tmp_path / "static"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_REPLICA_URLS", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    processes, bases = [], []
    try:
        for name in ("a", "b"):
            port = _free_port()
            log = (tmp_path / f"server-{name}.log").open("wb")
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "config.wsgi:application",
                        "-w",
                        "1",
                        "-b",
                        f"127.0.0.1:{port}",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        for process, base in zip(processes, bases, strict=True):
            deadline = time.monotonic() + 30
            while Browser(base).status("/accounts/login/") != 200:
                assert process.poll() is None and time.monotonic() < deadline, (
                    tmp_path / "server-a.log"
                ).read_text()
                time.sleep(0.2)
        yield bases
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(15)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(15)


def _page(browser: Browser, path: str) -> tuple[str, str]:
    status, headers, body = browser.get(path)
    assert status == 200, (path, status)
    return body.decode("utf-8"), headers.get("X-Page-Cache", "")


def test_a_suggestion_accepted_through_one_server_shows_through_the_other_within_its_hold(
    make_card, make_user, servers
):
    card = make_card()
    moderator_account = make_user("mod", moderator=True)
    # The servers use the production hashers, not the tests' fast one.
    moderator_account.password = PBKDF2PasswordHasher().encode("pw-for-two-servers", "salt-for-tests", 1000)
    moderator_account.save()
    suggestion = submit_suggestion(
        card=card, text=EDITED, summary="Seen elsewhere", base_version=1, author=None, author_name="Ann"
    )
    server_a, server_b = servers
    reader, reader_on_a = Browser(server_b), Browser(server_a)
    for path in ("/cards/sample/", "/cards/sample/history/", "/changes/", "/cards/sample.md"):
        _page(reader, path)
        assert _page(reader, path)[1] == "hit"  # B serves these from the shared cache now
    _page(reader_on_a, "/cards/sample/")
    assert _page(reader_on_a, "/cards/sample/")[1] == "hit"  # and A from its own memory

    moderator = Browser(server_a)
    moderator.log_in("mod", "pw-for-two-servers")
    fields = {"note": "", "seen_fingerprint": text_fingerprint(EDITED), "seen_version": 1}
    assert moderator.post(f"/suggestions/{suggestion.pk}/accept/", fields) == 302
    # The server that made the change dropped what it held: its readers see the change at once.
    assert "seen from another server" in _page(reader_on_a, "/cards/sample/")[0]
    time.sleep(HOLD_SECONDS + 0.2)  # the other server's readers, once the page it held lapses

    card_page, cached = _page(reader, "/cards/sample/")
    assert cached == "miss" and "seen from another server" in card_page and "Version 2" in card_page
    assert "This is version 2, the <strong>current version</strong>" in _page(reader, "/cards/sample/v/2/")[0]
    assert "version 1 of 2" in _page(reader, "/cards/sample/v/1/")[0]
    assert 'href="/cards/sample/v/2/"' in _page(reader, "/cards/sample/history/")[0]
    changes = _page(reader, "/changes/")[0]
    assert "Suggestion accepted" in changes and "Seen elsewhere" in changes
    assert reader.get("/cards/sample.md")[2] == EDITED.encode("utf-8")
    # The moderator's session lives in the shared cache and database: server B knows them too.
    moderator.base = server_b
    assert moderator.get("/cards/sample/edit/")[0] == 200
    # Rate-limit counters are shared too: two suggestions through A use up the limit on B as well.
    visitor = Browser(server_a)
    visitor.get("/cards/sample/suggest/")
    fields = {"summary": "More", "base_version": 2, "author_name": "Bo", "website": ""}
    for number in range(2):
        assert (
            visitor.post("/cards/sample/suggest/", {**fields, "text": f"{EDITED}\nMore {number}.\n"}) == 302
        )
    visitor.base = server_b
    assert visitor.post("/cards/sample/suggest/", {**fields, "text": f"{EDITED}\nMore 3.\n"}) == 429


def test_a_password_changed_through_one_server_signs_other_sessions_out_on_the_other(make_user, servers):
    """Signed-in accounts are cached in Redis; the change renews them for every server at once."""
    account = make_user("ann")
    account.password = PBKDF2PasswordHasher().encode("pw-for-two-servers", "salt-for-tests", 1000)
    account.save()
    server_a, server_b = servers
    laptop, phone = Browser(server_a), Browser(server_b)
    laptop.log_in("ann", "pw-for-two-servers")
    phone.log_in("ann", "pw-for-two-servers")
    assert ">ann<" in _page(phone, "/")[0]
    assert ">ann<" in _page(phone, "/")[0]  # the account now comes from the shared cache
    laptop.get("/accounts/password/change/")
    new = "a-new-pw-4-ann"
    fields = {"old_password": "pw-for-two-servers", "new_password1": new, "new_password2": new}
    assert laptop.post("/accounts/password/change/", fields) == 302
    assert ">ann<" not in _page(phone, "/")[0]  # signed out on B at once
    assert ">ann<" in _page(laptop, "/")[0]  # the browser that changed it stays signed in
