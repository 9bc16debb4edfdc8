"""Stored answers each app-server process holds in its own memory for a moment.

A stored page or API answer is valid while its generations in the shared cache are unchanged
(config/generations.py), so every hit costs one round trip to Redis. For the busiest reads, answered at
the doors before Django's stack runs, that trip is most of the cost. Holding what a door just answered
for `MODELCARDS_PAGE_HOLD_SECONDS` (1 s) makes a busy page cost one trip per second per process
instead of one per request, as a micro-cache in front of the servers would.

The price is bounded staleness: a write in this process drops the whole hold at once
(`generations.renewed`), so whoever made a change sees it; a write through another process reaches
this one's holders at most that long after it committed. Only answers that are the same for every
caller without a session or token are held (the doors decide), within `MODELCARDS_PAGE_HOLD_BYTES`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from django.conf import settings

from config import generations


class PageHold:
    """Answers kept for a moment, least recently used dropped first once over the byte budget.

    `seconds` and `budget` default to the settings, read at each use so that a changed setting applies.
    """

    def __init__(self, seconds: float | None = None, budget: int | None = None, clock=time.monotonic):
        self._seconds, self._budget, self.clock = seconds, budget, clock
        self._answers: OrderedDict[str, tuple[float, int, object]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # threaded workers share one hold

    @property
    def seconds(self) -> float:
        return settings.MODELCARDS_PAGE_HOLD_SECONDS if self._seconds is None else self._seconds

    @property
    def budget(self) -> int:
        return settings.MODELCARDS_PAGE_HOLD_BYTES if self._budget is None else self._budget

    def get(self, key: str):
        """The answer held under `key`, or None when there is none or its moment has passed."""
        with self._lock:
            found = self._answers.get(key)
            if found is None:
                return None
            if found[0] <= self.clock():
                self._drop(key)
                return None
            self._answers.move_to_end(key)
            return found[2]

    def put(self, key: str, answer, size: int) -> None:
        """Hold `answer` (of `size` bytes); one over a quarter of the budget is not held at all."""
        seconds, budget = self.seconds, self.budget
        if seconds <= 0 or size > budget // 4:
            return
        with self._lock:
            self._drop(key)
            self._answers[key] = (self.clock() + seconds, size, answer)
            self._bytes += size
            while self._bytes > budget:
                self._drop(next(iter(self._answers)))

    def clear(self, **_) -> None:
        with self._lock:
            self._answers.clear()
            self._bytes = 0

    def _drop(self, key: str) -> None:
        found = self._answers.pop(key, None)
        if found is not None:
            self._bytes -= found[1]


# The process's hold, shared by the page door and the API door.
held = PageHold()
RENEWAL_UID = "modelcards.pagehold"
generations.renewed.connect(held.clear, dispatch_uid=RENEWAL_UID)
