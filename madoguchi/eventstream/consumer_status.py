"""What a consumer knows about itself: membership, positions, lag, and whether it sees.

A consumer that is not in a stable generation of its group, cannot reach the broker, or
has been behind the end of its partitions for too long is *blind*: it derives nothing
from what is published, and whatever it feeds (read models, SLA clocks) goes stale
without any error. ``ConsumerTracker`` follows the facts the consumer thread reports and
answers, at any time and from any thread, with a ``ConsumerStatus``: the service's
health, ``madoguchi status`` and the Prometheus gauges all read it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

STARTING = "STARTING"          # not yet in the group
JOINING = "JOINING"            # a join (rebalance) is in progress
ASSIGNED = "ASSIGNED"          # stable, holding partitions
STANDBY = "STANDBY"            # stable, holding none (more members than partitions)
DISCONNECTED = "DISCONNECTED"  # the broker does not answer
STOPPED = "STOPPED"


@dataclass(frozen=True)
class ConsumerLimits:
    """Bounds tied to the group's timeouts (session 6 s, poll interval 10 s).

    ``blind_after``: how long a consumer may be joining or disconnected before it counts
    as blind (health NOT SERVING). ``rejoin_after``: how long a join may last before the
    consumer gives up on it, leaves and joins again (a normal join lasts at most the
    rebalance timeout). ``max_lag``: how long a consumer may stay behind the end of its
    partitions before it counts as blind. ``probe_every``: how often an idle consumer
    asks the broker for its partitions' end offsets (lag, and whether the broker answers).
    """

    blind_after: float = 10.0
    rejoin_after: float = 16.0
    max_lag: float = 60.0
    probe_every: float = 1.0


@dataclass(frozen=True)
class PartitionStatus:
    topic: str
    partition: int
    position: int | None      # next offset to read
    end_offset: int | None    # the partition's end as last seen
    last_record_age: float | None   # seconds since a record of it was handled

    @property
    def lag(self) -> int | None:
        if self.position is None or self.end_offset is None:
            return None
        return max(0, self.end_offset - self.position)


@dataclass(frozen=True)
class ConsumerStatus:
    name: str
    group: str
    topics: tuple[str, ...]
    state: str
    state_seconds: float            # how long it has been in ``state``
    partitions: tuple[PartitionStatus, ...]
    behind_seconds: float           # how long it has been behind the end (0: caught up)
    last_record_age: float | None   # seconds since any record was handled
    rejoins: int
    last_rejoin_reason: str
    healthy: bool
    reason: str                     # why it is not healthy ("" when it is)

    @property
    def lag(self) -> int | None:
        lags = [p.lag for p in self.partitions]
        return None if any(lag is None for lag in lags) else sum(lags)  # type: ignore[misc]


@dataclass
class _Partition:
    position: int | None = None
    end_offset: int | None = None
    last_record_at: float | None = None


@dataclass
class ConsumerTracker:
    """Facts reported by one consumer's thread; ``status()`` may be read from any thread."""

    name: str
    group: str
    topics: tuple[str, ...]
    limits: ConsumerLimits = field(default_factory=ConsumerLimits)
    clock: Any = time.monotonic

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._state = STARTING
        self._since = self.clock()
        self._unseeing_since: float | None = self._since   # not in a stable generation
        self._partitions: dict[Any, _Partition] = {}
        self._behind_since: float | None = None
        self._last_record_at: float | None = None
        self._broker_ok_at = self.clock()
        self.rejoins = 0
        self.last_rejoin_reason = ""

    # ----- facts -----

    def _enter(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self._since = self.clock()
        if state in (ASSIGNED, STANDBY):
            self._unseeing_since = None
        elif self._unseeing_since is None:
            self._unseeing_since = self._since

    def joining(self, *, anew: bool = False) -> None:
        """A join began (``anew``: a new client, so the join's clock starts again)."""
        with self._lock:
            if anew:
                self._state = STARTING
            self._enter(JOINING)
            self._partitions = {}
            self._behind_since = None

    def assigned(self, partitions: list[Any], positions: dict[Any, int]) -> None:
        with self._lock:
            self._enter(ASSIGNED if partitions else STANDBY)
            self._partitions = {tp: _Partition(position=positions.get(tp))
                                for tp in partitions}
            self._broker_ok_at = self.clock()

    def disconnected(self) -> None:
        with self._lock:
            self._enter(DISCONNECTED)
            self._partitions = {}

    def stopped(self) -> None:
        with self._lock:
            self._enter(STOPPED)
            self._partitions = {}

    def rejoined(self, reason: str) -> None:
        with self._lock:
            self.rejoins += 1
            self.last_rejoin_reason = reason

    def handled(self, tp: Any, next_offset: int, count: int) -> None:
        now = self.clock()
        with self._lock:
            part = self._partitions.get(tp)
            if part is not None:
                part.position = next_offset
                part.last_record_at = now
            if count:
                self._last_record_at = now
            self._broker_ok_at = now

    def positions(self, positions: dict[Any, int | None], ends: dict[Any, int | None],
                  *, from_broker: bool) -> None:
        """Positions and end offsets after a poll (``from_broker``: a fresh answer)."""
        now = self.clock()
        with self._lock:
            for tp, part in self._partitions.items():
                if positions.get(tp) is not None:
                    part.position = positions[tp]
                if ends.get(tp) is not None:
                    part.end_offset = ends[tp]
            if from_broker:
                self._broker_ok_at = now
                if self._state == DISCONNECTED:   # still a member? the next join will say
                    self._enter(ASSIGNED if self._partitions else JOINING)
            behind = any(p.position is None or p.end_offset is None
                         or p.position < p.end_offset for p in self._partitions.values())
            if not behind:
                self._behind_since = None
            elif self._behind_since is None:
                self._behind_since = now

    def broker_silent(self) -> None:
        """A probe of the broker failed: disconnected once it has been silent too long."""
        with self._lock:
            if (self._state in (ASSIGNED, STANDBY)
                    and self.clock() - self._broker_ok_at > self.limits.blind_after):
                self._enter(DISCONNECTED)

    # ----- answers -----

    def join_overdue(self) -> bool:
        """Joining (or not yet joined) for longer than a join can legitimately last."""
        with self._lock:
            return (self._state in (STARTING, JOINING)
                    and self.clock() - self._since > self.limits.rejoin_after)

    def caught_up(self) -> list[Any]:
        """Partitions read to the end as last seen."""
        with self._lock:
            return [tp for tp, p in self._partitions.items()
                    if p.position is not None and p.end_offset is not None
                    and p.position >= p.end_offset]

    def status(self) -> ConsumerStatus:
        now = self.clock()
        with self._lock:
            state_seconds = now - self._since
            behind = 0.0 if self._behind_since is None else now - self._behind_since
            partitions = tuple(
                PartitionStatus(tp.topic, tp.partition, p.position, p.end_offset,
                                None if p.last_record_at is None else now - p.last_record_at)
                for tp, p in sorted(self._partitions.items(),
                                    key=lambda kv: (kv[0].topic, kv[0].partition)))
            unseeing = 0.0 if self._unseeing_since is None else now - self._unseeing_since
            reason = self._blind_reason(unseeing, behind)
            return ConsumerStatus(
                name=self.name, group=self.group, topics=self.topics, state=self._state,
                state_seconds=state_seconds, partitions=partitions, behind_seconds=behind,
                last_record_age=(None if self._last_record_at is None
                                 else now - self._last_record_at),
                rejoins=self.rejoins, last_rejoin_reason=self.last_rejoin_reason,
                healthy=not reason, reason=reason)

    def _blind_reason(self, unseeing: float, behind: float) -> str:
        """Why the consumer is blind: out of a stable generation (joining, or cut off from
        the broker) for longer than ``blind_after`` in all, or behind for too long."""
        limits = self.limits
        if self._state == STOPPED:
            return "stopped"
        if self._state in (STARTING, JOINING, DISCONNECTED) and unseeing > limits.blind_after:
            what = {"STARTING": "not in its group", "JOINING": "joining its group",
                    "DISCONNECTED": "no answer from the broker"}[self._state]
            return f"{what}; without partitions for {unseeing:.0f} s"
        if self._state == ASSIGNED and behind > limits.max_lag:
            return f"behind the end of its partitions for {behind:.0f} s"
        return ""
