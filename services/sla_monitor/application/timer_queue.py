"""The keeper's timers: the next due time of every clock set, earliest first.

Re-scheduling pushes a new entry and forgets the old one (stale entries are skipped when
they surface, never searched for), so setting a timer costs O(log n).
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from datetime import UTC, datetime


class TimerQueue:
    """Earliest-due-first queue of inquiries; stale entries are skipped, not searched for."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, str, int]] = []
        self._due: dict[str, float] = {}
        self._seq = itertools.count()
        self._cond = threading.Condition()

    def __len__(self) -> int:
        return len(self._due)

    def set(self, inquiry_id: str, partition: int, due: datetime | None) -> None:
        with self._cond:
            if due is None:
                self._due.pop(inquiry_id, None)
                return
            when = due.timestamp()
            if self._due.get(inquiry_id) == when:
                return
            self._due[inquiry_id] = when
            heapq.heappush(self._heap, (when, next(self._seq), inquiry_id, partition))
            if self._heap[0][2] == inquiry_id:
                self._cond.notify_all()

    def drop_partitions(self, keep: Callable[[int], bool]) -> None:
        with self._cond:
            self._heap = [e for e in self._heap if keep(e[3])]
            heapq.heapify(self._heap)
            live = {e[2] for e in self._heap}
            self._due = {k: v for k, v in self._due.items() if k in live}

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def take_due(self, now: float, limit: int, stop: threading.Event,
                 max_wait: float = 1.0) -> list[tuple[str, int, float]]:
        """Wait until something is due (or ``max_wait``), then pop up to ``limit`` entries
        as (state id, partition, due time)."""
        with self._cond:
            if not stop.is_set():
                wait = max_wait if not self._heap else min(max_wait, self._heap[0][0] - now)
                if wait > 0:
                    self._cond.wait(wait)
            taken: list[tuple[str, int, float]] = []
            current = datetime.now(UTC).timestamp()
            while self._heap and self._heap[0][0] <= current and len(taken) < limit:
                when, _, inquiry_id, partition = heapq.heappop(self._heap)
                if self._due.get(inquiry_id) != when:
                    continue  # re-scheduled or cancelled since
                del self._due[inquiry_id]
                taken.append((inquiry_id, partition, when))
            return taken

    def next_due(self) -> float | None:
        """The earliest live due time (stale entries on top are dropped on the way)."""
        with self._cond:
            while self._heap and self._due.get(self._heap[0][2]) != self._heap[0][0]:
                heapq.heappop(self._heap)
            return self._heap[0][0] if self._heap else None
