"""Run the clocks: follow a stream, and fire each threshold when it is due.

One keeper runs one kind of clocks over one topic; a ``ClockEvents`` says what its events
do to its clocks and what its signals say (``InquiryClockEvents``: customer clocks from the
inquiry stream; ``EngagementClockEvents``: supplier clocks from the engagement stream).
Two paths change clocks, serialised by one lock per keeper:

* the consumer hands over batches of events per partition: each event first raises
  whatever fell due before it happened (so a late or replayed stream still gives the
  right history), then changes the clocks;
* the timer queue wakes at the earliest due time of the partitions this keeper owns
  and raises what is due, at once: no periodic scan.

Nothing is raised beyond the partition's watermark (``watermarks``): a timer that falls
due before the partition has been read that far is held, and fires as soon as the
watermark passes it, so a consumer catching up never raises a breach that an answer
further down the stream would have prevented.

Signals are recorded in the event store first (each at most once, by its derived id),
then the clocks and the partition offset in one SQL transaction. A crash between the two
repeats the work on restart, and the repeated signals are recognised and dropped.
"""

from __future__ import annotations

import heapq
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from madoguchi.background import BackgroundThread
from madoguchi.errors import NotFound
from madoguchi.eventstream.avro import SchemaCatalog, default_catalog
from madoguchi.eventstream.batches import decode_batch
from madoguchi.observability import tracing
from madoguchi.servicelevels.clock import ClockRules, Outcome, Signal, Stop
from madoguchi.storage.offsets import ConsumerOffsets
from madoguchi.storage.sql import Cursor, SqlDatabase
from services.sla_monitor.application.app import SlaMonitorApplication
from services.sla_monitor.application.inquiry_clock_events import InquiryClockEvents
from services.sla_monitor.application.monitor_config import MonitorConfig
from services.sla_monitor.application.timer_queue import TimerQueue
from services.sla_monitor.application.trace_origins import TraceOrigins
from services.sla_monitor.application.watermarks import StreamWatermarks, WallClock
from services.sla_monitor.domain.alert import Alert, AlertResolution, ClockSignal, signal_id
from services.sla_monitor.domain.oncall.routing import AlertFacts

log = logging.getLogger(__name__)
COALESCE_SECONDS = 0.015   # batching window of the timer; adds at most this to a signal


@dataclass
class Effects:
    """What a batch of work wants recorded in the event store, in order."""

    new: list[Any] = field(default_factory=list)                    # signal aggregates
    owners: dict[UUID, str] = field(default_factory=dict)           # signal id -> clock owner
    resolutions: list[tuple[UUID, str, datetime]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)            # due → raised, seconds


# ----- what a keeper needs from its clocks and its store -----


class ClockRows(Protocol):
    """The SQL table of one kind of clocks, and its consumer's offsets."""

    db: SqlDatabase
    offsets: ConsumerOffsets

    def load_many(self, ids: Iterable[str]) -> dict[str, tuple[Any, int]]: ...

    def save(self, cur: Cursor, state: Any, partition: int,
             next_due: datetime | None) -> None: ...

    def due_times(self, partitions: Iterable[int]) -> list[tuple[str, int, float]]: ...


class ClockEvents(Protocol):
    """What one kind of clocks does with its events, and what its signals say.

    States are ``ClockSet``s (``InquiryClocks``, ``EngagementClocks``): the keeper reads
    their open clocks, due signals and next due time under ``rules(state)``.
    """

    scope: str     # context["scope"] of every signal: CUSTOMER or SUPPLIER

    def accepts(self, event_type: str) -> bool: ...

    def state_id(self, record: dict[str, Any]) -> str: ...

    def apply(self, state: Any, event_type: str, record: dict[str, Any],
              batch: Batch) -> Any:
        """The state after the event (None: nothing is measured for it)."""

    def rules(self, state: Any) -> ClockRules | None:
        """The terms the state's clocks run on; None when nothing is measured."""

    def owner(self, state: Any) -> str:
        """What signal ids derive from: the inquiry id, or the engagement id."""

    def inquiry_id(self, state: Any) -> str: ...

    def context(self, state: Any) -> dict[str, str]:
        """Facts every signal of the state carries (scope is added by the keeper)."""

    def signal_context(self, state: Any, signal: Signal) -> dict[str, str]:
        """Extra facts of a warning or a breach."""

    def stop_context(self, state: Any, stop: Stop) -> dict[str, str]:
        """Extra facts of a clock stop."""

    def facts(self, state: Any, target: str, due_at: datetime, now: datetime,
              percent: int) -> AlertFacts:
        """What on-call routing sees of a signal."""


class Batch:
    """One unit of keeper work: models raise and stop through it while applying events."""

    def __init__(self, keeper: ClockKeeper, now: datetime) -> None:
        self.keeper = keeper
        self.now = now
        self.effects = Effects()

    def raise_due(self, state: Any, at: datetime) -> None:
        """Raise what fell due up to ``at`` (before the event happening at ``at``)."""
        self.keeper._raise_due(state, min(at, self.now), self.effects)

    def stopped(self, state: Any, stops: list[Stop], at: datetime) -> None:
        self.keeper._stopped(state, stops, self.effects, at)


class ClockKeeper(BackgroundThread):
    """One topic's ``BatchHandler`` and its timer loop, over one clock table."""

    def __init__(self, app: SlaMonitorApplication, store: ClockRows, config: MonitorConfig,
                 *, inquiries_topic: str = "", topic: str = "",
                 model: ClockEvents | None = None, catalog: SchemaCatalog | None = None,
                 clock: Callable[[], datetime] | None = None,
                 name: str = "sla-timers",
                 watermarks: StreamWatermarks | None = None) -> None:
        """``watermarks``: how far the stream has been read; without them (a keeper fed
        by hand, in tests and tools) every partition counts as read up to now."""
        super().__init__(name)
        self.app = app
        self.store = store
        self.config = config
        self.topic = topic or inquiries_topic
        self.model: ClockEvents = model or InquiryClockEvents(config)
        self.catalog = catalog or default_catalog()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.timers = TimerQueue()
        self.origins = TraceOrigins()
        self.watermarks: StreamWatermarks | WallClock = watermarks or WallClock(self.clock)
        self.held: dict[int, list[tuple[float, str]]] = {}   # partition -> heap of timers
        self.lock = threading.RLock()
        self.owned: frozenset[int] = frozenset()
        # figures for /metrics
        self.events_applied = 0
        self.signals_raised = 0
        self.rejected = 0
        self.last_latencies: list[float] = []

    # ----- BatchHandler -----

    def stored_offsets(self, cluster: str, partitions: list[Any]) -> dict[Any, int]:
        """Called on assignment: also load the new partitions' timers."""
        mine = frozenset(tp.partition for tp in partitions if tp.topic == self.topic)
        with self.lock:
            self.owned = mine
            self.watermarks.assigned(mine)
            self.held = {}
            self.timers.drop_partitions(lambda p: p in mine)
            for state_id, partition, due in self.store.due_times(mine):
                self.timers.set(state_id, partition, datetime.fromtimestamp(due, UTC))
        log.info("%s: timers loaded for partitions %s: %d scheduled", self.thread_name,
                 sorted(mine), len(self.timers))
        return self.store.offsets.stored_offsets(cluster, partitions)

    def partitions_revoked(self, partitions: list[Any]) -> None:
        """Another member gets them: drop their timers (a broker outage alone keeps them)."""
        gone = {tp.partition for tp in partitions if tp.topic == self.topic}
        with self.lock:
            self.owned = frozenset(self.owned - gone)
            for p in gone:
                self.held.pop(p, None)
            self.timers.drop_partitions(lambda p: p not in gone)

    def forget_other_clusters(self, cluster: str) -> None:
        self.store.offsets.forget_other_clusters(cluster)

    def caught_up(self, partitions: list[Any], as_of: datetime) -> None:
        """The consumer read these partitions to their end as of ``as_of``."""
        mine = [tp.partition for tp in partitions if tp.topic == self.topic]
        with self.lock:
            if self.watermarks.caught_up(mine, as_of):
                released = self._release(mine)
                if released:
                    log.info("%s: partitions %s read to their end as of %s: %d held timers "
                             "released", self.thread_name, sorted(mine),
                             as_of.isoformat(timespec="milliseconds"), released)

    def stream_interrupted(self) -> None:
        self.watermarks.interrupted()

    def progress_wanted_at(self) -> float | None:
        """When the consumer should next ask how far its partitions are read: now while
        timers are held for their watermark, else when the next timer falls due."""
        if isinstance(self.watermarks, WallClock):
            return None
        held = [heap[0][0] for heap in list(self.held.values()) if heap]
        upcoming = self.timers.next_due()
        return min([*held, *([upcoming] if upcoming is not None else [])], default=None)

    def handle(self, cluster: str, partition: Any, records: list[Any]) -> None:
        read = decode_batch(self.catalog, records)
        rejects = read.rejects
        decoded = [(m, t, r) for m, (t, r) in zip(read.messages, read.events, strict=True)
                   if self.model.accepts(t)]
        with self.lock:
            batch = Batch(self, self.clock())
            self.watermarks.read(partition.partition,
                                 [r["recorded_at"] for _, r in read.events
                                  if isinstance(r.get("recorded_at"), datetime)], batch.now)
            ids = [self.model.state_id(r) for _, _, r in decoded]
            loaded = self.store.load_many(ids)
            states: dict[str, Any] = {k: v[0] for k, v in loaded.items()}
            for message, event_type, record in decoded:
                state_id = self.model.state_id(record)
                with tracing.record_span(partition.topic, message, "clock"):
                    states[state_id] = self.model.apply(states.get(state_id), event_type,
                                                        record, batch)
                    self.origins.remember(states[state_id], self.model)
            touched = {k: v for k, v in states.items() if v is not None}
            read_through = self._read_through(partition.partition, batch.now)
            if read_through is not None:
                for state in touched.values():
                    self._raise_due(state, read_through, batch.effects)
            self._record(batch.effects)
            # Everything that may read the event store happens before the SQL transaction:
            # on SQLite, waiting for the event store while holding the write lock deadlocks.
            nexts = {state_id: self._next_due(state) for state_id, state in touched.items()}
            with self.store.db.transaction() as cur:
                for state_id, state in touched.items():
                    self.store.save(cur, state, partition.partition, nexts[state_id])
                self.store.offsets.finish_batch(cur, cluster, partition, records, rejects)
            if partition.partition in self.owned or not self.owned:
                for state_id, due in nexts.items():
                    self.timers.set(state_id, partition.partition, due)
            self._release([partition.partition])
            self.events_applied += len(decoded)
            self.rejected += len(rejects)

    # ----- watermarks -----

    def _read_through(self, partition: int, now: datetime) -> datetime | None:
        """How far signals of ``partition`` may be raised: its watermark, at most now."""
        mark = self.watermarks.watermark(partition)
        return None if mark is None else min(mark, now)

    def _hold(self, partition: int, state_id: str, when: float) -> None:
        heapq.heappush(self.held.setdefault(partition, []), (when, state_id))

    def _release(self, partitions: Iterable[int]) -> int:
        """Timers held for these partitions that their watermark has now passed go back
        to the timer queue, due at once."""
        released = 0
        for p in partitions:
            heap = self.held.get(p)
            mark = self.watermarks.watermark(p)
            while heap and mark is not None and heap[0][0] <= mark.timestamp():
                when, state_id = heapq.heappop(heap)
                self.timers.set(state_id, p, datetime.fromtimestamp(when, UTC))
                released += 1
        if released:
            self.timers.wake()
        return released

    # ----- timers -----

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.timers.wake()   # the loop waits on the timer queue, not on the wake event
        super().stop(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                due = self.timers.take_due(self.clock().timestamp(), 2000, self._stop)
                if due and isinstance(self.watermarks, WallClock):
                    # Gather what falls due in the next few milliseconds into the same
                    # batch: one event-store and one SQL transaction for all of them.
                    # (Following a stream, timers wait for their watermark and are
                    # released together: they gather by themselves.)
                    self._stop.wait(COALESCE_SECONDS)
                    due += self.timers.take_due(self.clock().timestamp(), 2000, self._stop,
                                                max_wait=0)
                if due:
                    self._fire_or_hold(due)
            except Exception:
                log.exception("timer batch failed; retrying")
                self._stop.wait(0.5)

    def _fire_or_hold(self, due: list[tuple[str, int, float]]) -> int:
        """Fire the timers their partition's watermark has passed; hold the others."""
        with self.lock:
            ready: list[tuple[str, int]] = []
            for state_id, partition, when in due:
                if self.owned and partition not in self.owned:
                    continue
                mark = self.watermarks.watermark(partition)
                if mark is not None and when <= mark.timestamp():
                    ready.append((state_id, partition))
                else:
                    self._hold(partition, state_id, when)
            return self.fire(ready) if ready else 0

    def fire(self, due: list[tuple[str, int]]) -> int:
        """Raise what is due for these states now; return how many signals were new."""
        return self._rework([i for i, p in due if not self.owned or p in self.owned])

    def _rework(self, ids: list[str], change: Callable[[Any, Batch], None] | None = None
                ) -> int:
        """Load, optionally change, raise what is due, record and store: for timers and
        revisions (not for consumed events, whose offsets go with the states)."""
        with self.lock:
            loaded = self.store.load_many(ids)
            batch = Batch(self, self.clock())
            for state, partition in loaded.values():
                if change is not None:
                    change(state, batch)
                read_through = self._read_through(partition, batch.now)
                if read_through is not None:
                    self._raise_due(state, read_through, batch.effects)
            recorded = self._record(batch.effects)
            nexts = {state_id: self._next_due(state)
                     for state_id, (state, _) in loaded.items()}
            with self.store.db.transaction() as cur:
                for state_id, (state, partition) in loaded.items():
                    self.store.save(cur, state, partition, nexts[state_id])
            for state_id, (_, partition) in loaded.items():
                self.timers.set(state_id, partition, nexts[state_id])
                if nexts[state_id] is not None and nexts[state_id] <= batch.now:
                    self._hold(partition, state_id, nexts[state_id].timestamp())
                    self.timers.set(state_id, partition, None)
            return recorded

    def retarget_agreement(self, agreement_id: str) -> int:
        """A revision with apply_to_open: move this keeper's open clocks onto it."""
        open_of = getattr(self.store, "open_of_agreement", None)
        follow = getattr(self.model, "follow_revisions", None)
        if open_of is None or follow is None:
            return 0
        with self.lock:
            ids = list(open_of(agreement_id, self.owned))
            self._rework(ids, follow)
            return len(ids)

    # ----- signals -----

    def _team(self, state: Any, target: str, due_at: datetime, now: datetime,
              percent: int = 100) -> str:
        """The on-call team for this state's signals (routing rules, else the default)."""
        return self.config.on_call.team_for(
            self.model.facts(state, target, due_at, now, percent))

    def _context(self, state: Any) -> dict[str, str]:
        return {**self.model.context(state), "scope": self.model.scope}

    def _raise_due(self, state: Any, now: datetime, effects: Effects) -> None:
        rules = self.model.rules(state)
        if rules is None or not state.open_clocks():
            return
        owner, inquiry_id = self.model.owner(state), self.model.inquiry_id(state)
        for signal in state.due_signals(rules, now):
            target = str(signal.target)
            team = self._team(state, target, signal.due_at, now, signal.percent)
            context = {**self._context(state), **self.model.signal_context(state, signal),
                       "team": team}
            effects.latencies.append((now - signal.due_at).total_seconds())
            if signal.is_breach:
                effects.owners[signal_id(owner, target, signal.cycle, "breach")] = owner
                effects.new.append(Alert.raise_breach(
                    inquiry_id=inquiry_id, clock_owner=owner, target=target,
                    cycle=signal.cycle, due_at=signal.due_at, raised_at=now,
                    target_seconds=signal.target_seconds, team=team,
                    reminder_minutes=rules.reminder_minutes, context=context))
            else:
                warning_id = signal_id(owner, target, signal.cycle, str(signal.percent))
                effects.owners[warning_id] = owner
                effects.new.append(ClockSignal._create(
                    ClockSignal.WarningReached, id=warning_id,
                    inquiry_id=inquiry_id, target=target,
                    cycle=signal.cycle, percent=signal.percent, due_at=signal.due_at,
                    raised_at=now, target_seconds=signal.target_seconds, context=context))

    def _stopped(self, state: Any, stops: list[Stop], effects: Effects,
                 at: datetime) -> None:
        owner, inquiry_id = self.model.owner(state), self.model.inquiry_id(state)
        for stop in stops:
            target = str(stop.target)
            breach_id = signal_id(owner, target, stop.cycle, "breach")
            context = {**self._context(state), **self.model.stop_context(state, stop),
                       "team": self._team(state, target, stop.at, stop.at)}
            if stop.breached:
                breached_at = stop.breached_at or self._breach_due(breach_id)
                if breached_at is not None:
                    context["breached_at"] = breached_at.astimezone(UTC).isoformat()
            stop_id = signal_id(owner, target, stop.cycle, "stop")
            effects.owners[stop_id] = owner
            effects.new.append(ClockSignal._create(
                ClockSignal.Stopped, id=stop_id,
                inquiry_id=inquiry_id, target=target, cycle=stop.cycle,
                outcome=stop.outcome, stopped_at=stop.at, elapsed_seconds=stop.elapsed_seconds,
                target_seconds=stop.target_seconds, breached=stop.breached, context=context))
            if stop.breached or stop.signalled:
                reason = (AlertResolution.CLOSED if stop.outcome == Outcome.CANCELLED
                          else AlertResolution.ANSWERED)
                effects.resolutions.append((breach_id, reason, at))

    def _breach_due(self, alert_id: UUID) -> datetime | None:
        """The breach time of a clock stored before clocks kept it: its alert's due time."""
        try:
            return self.app.alert(alert_id).due_at
        except NotFound:
            return None

    def _next_due(self, state: Any) -> datetime | None:
        rules = self.model.rules(state)
        if rules is None or not state.open_clocks():
            return None
        return state.next_due(rules)

    def _record(self, effects: Effects) -> int:
        with self.origins.traced(effects) as traced:
            recorded = self.app.record_once(traced)
        for alert_id, reason, at in effects.resolutions:
            try:
                self.app.change_alert(alert_id, lambda a, r=reason, t=at: a.resolve(
                    by="sla-monitor", reason=r, note="", at=t))
            except Exception as error:  # the alert may not exist (breach not raised yet)
                log.debug("alert %s not resolved: %s", alert_id, error)
        self.signals_raised += recorded
        if effects.latencies:
            self.last_latencies = effects.latencies[-1000:]
        return recorded
