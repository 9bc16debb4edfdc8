"""On SQLite, concurrent writers wait their turn instead of failing with "database is locked".

The project's settings give SQLite WAL, a busy timeout and IMMEDIATE transactions. This runs eight
threads of accepts and direct edits against a real database file, in a fresh process using those
settings, and needs every change to land exactly once with no error. (Row locking on PostgreSQL is
tests/test_concurrency.py.)
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
THREADS, ROUNDS = 8, 3


def run_writers(tmp_path, **extra_env) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=f"sqlite:///{tmp_path / 'concurrent.sqlite3'}",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        **extra_env,
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.sqlite_writers", str(THREADS), str(ROUNDS)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_concurrent_writers_on_a_sqlite_file_all_succeed_and_lose_nothing(tmp_path):
    report = run_writers(tmp_path)
    assert report["journal_mode"] == "wal"  # readers never wait for the writer
    assert report["errors"] == []
    assert report["hung"] == 0
    assert report["numbers"] == list(range(1, THREADS * ROUNDS + 2))  # unique and gapless
    assert report["lost"] == []
