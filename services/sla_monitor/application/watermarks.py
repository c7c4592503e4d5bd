"""How far each partition of a stream has been read, in event time: no false breaches.

A breach is a fact about the stream: a deadline passed *and* nothing that stops the
clock was published before it. Wall-clock timers alone get that wrong whenever the
consumer lags (a restart, a rebalance, a broker outage, a replaced broker being
refilled): the deadline passes before the answer, sent in time, has been read. So a
signal due at ``d`` for an inquiry in partition ``p`` is raised only once the
partition's watermark ``W(p)`` has reached ``d``:

* **event time of what was read**: the ``recorded_at`` (when the service stored the
  event, in log order) of the newest record read from ``p``, less ``jitter`` for
  commits that land slightly out of their timestamps' order;
* **caught up**: the time the broker was asked for ``p``'s end offset, once the
  consumer has read up to that end. It counts only while the stream is *live*: the
  newest record read was stored at most ``fresh`` seconds before it was read, or no
  record has arrived for ``quiet`` seconds (``settle`` seconds when nothing at all has
  been read since the partitions were assigned: after a broker outage or replacement,
  the producers' relays take a few seconds to reconnect and publish what they stored
  meanwhile). While a backlog or a republished stream is being read, records are old
  and only their own time moves the watermark, so an answer further down the backlog
  is always read before its deadline fires.

Lag therefore delays a true breach but never invents a false one. What it cannot know:
an event stored by a producer that has not published it yet while the stream is quiet
(a publishing service down at that moment); see docs/operations.md.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass
class _Partition:
    read_through: datetime | None = None   # newest recorded_at read
    caught_up_at: datetime | None = None   # last certified end, while live


class StreamWatermarks:
    def __init__(self, *, jitter: float = 2.0, fresh: float = 2.0, quiet: float = 3.0,
                 settle: float = 30.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.jitter = timedelta(seconds=jitter)
        self.fresh = fresh
        self.quiet = quiet
        self.settle = settle
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._partitions: dict[int, _Partition] = {}
        self._newest_lag: float | None = None      # read time - recorded_at, newest record
        self._quiet_since = monotonic()
        self._read_since_assigned = False

    def assigned(self, partitions: Iterable[int]) -> None:
        """Partitions (re)assigned: nothing is known of them until read or caught up."""
        with self._lock:
            self._partitions = {p: _Partition() for p in partitions}
            self._quiet_since = self.monotonic()
            self._read_since_assigned = False

    def interrupted(self) -> None:
        """The broker did not answer, or was replaced: a quiet stream proves nothing until
        it has been read again (or stayed quiet for ``settle`` seconds since)."""
        with self._lock:
            self._newest_lag = None
            self._read_since_assigned = False
            self._quiet_since = self.monotonic()

    def read(self, partition: int, recorded: Iterable[datetime], read_at: datetime) -> None:
        """Records stored at ``recorded`` were read from ``partition`` at ``read_at``."""
        newest = max(recorded, default=None)
        if newest is None:
            return
        with self._lock:
            part = self._partitions.setdefault(partition, _Partition())
            if part.read_through is None or newest > part.read_through:
                part.read_through = newest
            self._newest_lag = (read_at - newest).total_seconds()
            self._quiet_since = self.monotonic()
            self._read_since_assigned = True

    def caught_up(self, partitions: Iterable[int], as_of: datetime) -> bool:
        """``partitions`` were read to the end they had at ``as_of``; True if it counted."""
        with self._lock:
            if not self._live():
                return False
            for p in partitions:
                part = self._partitions.setdefault(p, _Partition())
                if part.caught_up_at is None or as_of > part.caught_up_at:
                    part.caught_up_at = as_of
            return True

    def _live(self) -> bool:
        if self._newest_lag is not None and self._newest_lag <= self.fresh:
            return True
        quiet = self.quiet if self._read_since_assigned else self.settle
        return self.monotonic() - self._quiet_since >= quiet

    def watermark(self, partition: int) -> datetime | None:
        """Everything stored before this time has been read from ``partition``."""
        with self._lock:
            part = self._partitions.get(partition)
            if part is None:
                return None
            marks = [m for m in (part.caught_up_at,
                                 part.read_through - self.jitter if part.read_through else None)
                     if m is not None]
            return max(marks, default=None)


class WallClock:
    """The watermark of a keeper driven without a stream (tests, tools): now."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock

    def assigned(self, partitions: Iterable[int]) -> None:
        pass

    def interrupted(self) -> None:
        pass

    def read(self, partition: int, recorded: Iterable[datetime], read_at: datetime) -> None:
        pass

    def caught_up(self, partitions: Iterable[int], as_of: datetime) -> bool:
        return True

    def watermark(self, partition: int) -> datetime | None:
        return self.clock()
