"""The reads this process stored in the last seconds, kept for a bulletin's catch-up.

A bulletin posted or changed through any process is searched for in the stored reads by the
request that made it (its retro search). Reads this process committed after that search
looked, but matched before this process's watch knew the bulletin, are the catch-up's work
(`app.bulletins.watch`). They are all among the last seconds' commits, so the catch-up looks
through these rows in memory, with the watch's own per-read filter, instead of reading minutes
of plate_read back from the database on the writer's thread: at a region's 1,200 reads a
second that search held every camera's answer for a third of a second per bulletin change.
"""

import threading
from collections import deque
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

# A catch-up runs within a second or two of the change (NOTIFY, or the watch's poll) and looks
# `CLOCK_SKEW` (5 s) further back; longer only costs memory and the garbage collector's time.
KEPT_FOR = timedelta(seconds=15)
KEPT_MAX = 100_000  # rows; beyond it the oldest go, and a catch-up that needs them asks SQL


class RecentReads:
    """Rows with their ids, by the time they were committed. Fed by the ingest writer's
    threads; read by the watch on the writer's thread."""

    def __init__(self) -> None:
        self._rows: deque[tuple[datetime, int, Mapping[str, Any]]] = deque()
        self._complete_from: datetime | None = None  # nothing committed since then is missing
        self._lock = threading.Lock()

    def start(self, now: datetime) -> None:
        """Mark the time from which every commit of this process is kept (the watch's first
        look at the bulletins)."""
        with self._lock:
            if self._complete_from is None:
                self._complete_from = now

    def add(
        self, rows: Sequence[Mapping[str, Any]], read_ids: Sequence[int | None], now: datetime
    ) -> None:
        """Rows committed at `now` (`read_ids` in the same order, None for one not stored)."""
        with self._lock:
            if self._complete_from is None:
                return
            if self._rows and self._rows[-1][0] > now:
                now = self._rows[-1][0]  # two threads feed it: kept in order, never earlier
            for row, read_id in zip(rows, read_ids, strict=True):
                if read_id is not None:
                    self._rows.append((now, read_id, row))
            oldest = now - KEPT_FOR
            while self._rows and (self._rows[0][0] < oldest or len(self._rows) > KEPT_MAX):
                dropped_at, _, _ = self._rows.popleft()
                self._complete_from = max(
                    self._complete_from, dropped_at + timedelta(microseconds=1)
                )

    def since(self, when: datetime) -> list[tuple[int, Mapping[str, Any]]] | None:
        """The rows committed at `when` or later, oldest first; None when some of them may be
        gone (kept too briefly, or committed before this process started keeping them)."""
        with self._lock:
            if self._complete_from is None or when < self._complete_from:
                return None
            found = []
            for stored_at, read_id, row in reversed(self._rows):
                if stored_at < when:
                    break
                found.append((read_id, row))
        found.reverse()
        return found

    def __len__(self) -> int:
        return len(self._rows)
