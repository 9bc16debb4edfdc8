"""`make run`: Django's development server and a task worker side by side, stopped together.

`python -m config.devserver 127.0.0.1:8000` runs `manage.py runserver` and `manage.py db_worker`, each
in a process group of its own, so Ctrl-C reaches this launcher alone and it asks each of them to stop
exactly once (a second Ctrl-C is passed on too: the worker then abandons the mail it is sending, which
the outbox sends again later). If either stops by itself, the other is stopped as well, and the
launcher exits with the status of the one that stopped first; anything still running after
GRACE_SECONDS is killed.
"""

import os
import signal
import subprocess
import sys
import time

# Long enough for the worker to finish a mail it is sending; then both are killed.
GRACE_SECONDS = 40


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            pass


def main(address: str) -> int:
    commands = [
        ["runserver", "--skip-checks", address],
        ["db_worker", "--no-reload", "--verbosity", "0"],
    ]
    children: list[subprocess.Popen] = []
    deadline = None
    asked = False  # to stop, by Ctrl-C or a signal

    def stop(signum=None, frame=None):
        nonlocal deadline, asked
        asked = asked or signum is not None
        deadline = deadline or time.monotonic() + GRACE_SECONDS
        for child in children:
            _signal_group(child, signal.SIGTERM)  # both stop on it; the worker after its current mail

    # Set before the children start, so they begin with the default handlers even where this launcher
    # was started with Ctrl-C ignored (as a background job is).
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    # Once, before the worker starts: queues the periodic Hub sync (a no-op if a run is waiting), or
    # says in one line that it is off and why (modelcards/hub/tasks.py), so `make run` stays offline.
    every = os.environ.get("HUB_SYNC_EVERY_HOURS", "1")
    subprocess.run([sys.executable, "manage.py", "sync_hub", "--every-hours", every], check=False)  # noqa: S603
    for command in commands:
        children.append(
            subprocess.Popen([sys.executable, "manage.py", *command], start_new_session=True)  # noqa: S603
        )

    first = None
    while any(child.poll() is None for child in children):
        if first is None:
            first = next((child for child in children if child.poll() is not None), None)
            if first is not None and deadline is None:
                stop()
        if deadline is not None and time.monotonic() > deadline:
            for child in children:
                _signal_group(child, signal.SIGKILL)
        time.sleep(0.2)
    if asked:
        return 0
    return (first or children[0]).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000"))
