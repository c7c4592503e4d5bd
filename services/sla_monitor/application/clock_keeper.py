"""Run the clocks: follow the inquiry stream, and fire each threshold when it is due.

Two paths change clocks, serialised by one lock per instance:

* the consumer hands over batches of inquiry events per partition: each event first
  raises whatever fell due before it happened (so a late or replayed stream still gives
  the right history), then changes the clocks;
* the timer queue wakes at the earliest due time of the partitions this instance owns
  and raises what is due, at once: no periodic scan.

Signals are recorded in the event store first (each at most once, by its derived id),
then the clocks and the partition offset in one SQL transaction. A crash between the two
repeats the work on restart, and the repeated signals are recognised and dropped.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from madoguchi.background import BackgroundThread
from madoguchi.eventstream.avro import SchemaCatalog, UnknownSchema, default_catalog
from services.sla_monitor.adapters.clock_store import ClockStore
from services.sla_monitor.application.monitor_app import SlaMonitorApplication
from services.sla_monitor.application.monitor_config import MonitorConfig
from services.sla_monitor.domain.agreement import AgreementTerms
from services.sla_monitor.domain.alert import Alert, AlertResolution, ClockSignal, signal_id
from services.sla_monitor.domain.clocks import InquiryClocks, Outcome, Stop
from services.sla_monitor.domain.oncall import AlertFacts

log = logging.getLogger(__name__)
COALESCE_SECONDS = 0.015   # batching window of the timer; adds at most this to a signal


@dataclass
class Effects:
    """What a batch of work wants recorded in the event store, in order."""

    new: list[Any] = field(default_factory=list)                    # signal aggregates
    resolutions: list[tuple[UUID, str, datetime]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)            # due → raised, seconds


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
                 max_wait: float = 1.0) -> list[tuple[str, int]]:
        """Wait until something is due (or ``max_wait``), then pop up to ``limit`` entries."""
        with self._cond:
            if not stop.is_set():
                wait = max_wait if not self._heap else min(max_wait, self._heap[0][0] - now)
                if wait > 0:
                    self._cond.wait(wait)
            taken: list[tuple[str, int]] = []
            current = datetime.now(UTC).timestamp()
            while self._heap and self._heap[0][0] <= current and len(taken) < limit:
                when, _, inquiry_id, partition = heapq.heappop(self._heap)
                if self._due.get(inquiry_id) != when:
                    continue  # re-scheduled or cancelled since
                del self._due[inquiry_id]
                taken.append((inquiry_id, partition))
            return taken

    def next_due(self) -> float | None:
        with self._cond:
            return self._heap[0][0] if self._heap else None


class ClockKeeper(BackgroundThread):
    """The consumer's ``BatchHandler`` and the timer loop, over one clock store."""

    def __init__(self, app: SlaMonitorApplication, store: ClockStore, config: MonitorConfig,
                 *, inquiries_topic: str, catalog: SchemaCatalog | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__("sla-timers")
        self.app = app
        self.store = store
        self.config = config
        self.topic = inquiries_topic
        self.catalog = catalog or default_catalog()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.timers = TimerQueue()
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
            self.timers.drop_partitions(lambda p: p in mine)
            for inquiry_id, partition, due in self.store.due_times(mine):
                self.timers.set(inquiry_id, partition, datetime.fromtimestamp(due, UTC))
        log.info("timers loaded for partitions %s: %d inquiries", sorted(mine),
                 len(self.timers))
        return self.store.offsets.stored_offsets(cluster, partitions)

    def partitions_revoked(self, partitions: list[Any]) -> None:
        """Another member gets them: drop their timers (a broker outage alone keeps them)."""
        gone = {tp.partition for tp in partitions if tp.topic == self.topic}
        with self.lock:
            self.owned = frozenset(self.owned - gone)
            self.timers.drop_partitions(lambda p: p not in gone)

    def forget_other_clusters(self, cluster: str) -> None:
        self.store.offsets.forget_other_clusters(cluster)

    def handle(self, cluster: str, partition: Any, records: list[Any]) -> None:
        decoded: list[tuple[str, dict[str, Any]]] = []
        rejects: list[tuple[Any, str]] = []
        for message in records:
            try:
                event_type, record = self.catalog.decode(message.value)
            except UnknownSchema:
                raise  # a newer producer: stop here rather than skip (deploy the newer monitor)
            except ValueError as error:
                rejects.append((message, f"undecodable: {error}"))
                continue
            if event_type.startswith("Inquiry"):
                decoded.append((event_type, record))
        with self.lock:
            now = self.clock()
            ids = [str(r["aggregate_id"]) for _, r in decoded]
            loaded = self.store.load_many(ids)
            states: dict[str, InquiryClocks | None] = {k: v[0] for k, v in loaded.items()}
            effects = Effects()
            for event_type, record in decoded:
                inquiry_id = str(record["aggregate_id"])
                states[inquiry_id] = self._apply(states.get(inquiry_id), event_type, record,
                                                 effects, now)
            touched = {k: v for k, v in states.items() if v is not None}
            for state in touched.values():
                self._raise_due(state, now, effects)
            self._record(effects)
            # Everything that may read the event store happens before the SQL transaction:
            # on SQLite, waiting for the event store while holding the write lock deadlocks.
            nexts = {inquiry_id: self._next_due(state) for inquiry_id, state in touched.items()}
            with self.store.db.transaction() as cur:
                for message, reason in rejects:
                    self.store.offsets.reject(cur, cluster, partition.topic,
                                              partition.partition, message.offset, reason,
                                              message.key, message.value)
                for inquiry_id, state in touched.items():
                    self.store.save(cur, state, partition.partition, nexts[inquiry_id])
                self.store.offsets.save_offset(cur, cluster, partition.topic,
                                               partition.partition, records[-1].offset + 1)
            if partition.partition in self.owned or not self.owned:
                for inquiry_id, due in nexts.items():
                    self.timers.set(inquiry_id, partition.partition, due)
            self.events_applied += len(decoded)
            self.rejected += len(rejects)
        if rejects:
            log.error("rejected %d undecodable message(s) on %s", len(rejects), partition)

    # ----- timers -----

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.timers.wake()   # the loop waits on the timer queue, not on the wake event
        super().stop(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                due = self.timers.take_due(self.clock().timestamp(), 2000, self._stop)
                if due:
                    # Gather what falls due in the next few milliseconds into the same
                    # batch: one event-store and one SQL transaction for all of them.
                    self._stop.wait(COALESCE_SECONDS)
                    due += self.timers.take_due(self.clock().timestamp(), 2000, self._stop,
                                                max_wait=0)
                    self.fire(due)
            except Exception:
                log.exception("timer batch failed; retrying")
                self._stop.wait(0.5)

    def fire(self, due: list[tuple[str, int]]) -> int:
        """Raise what is due for these inquiries now; return how many signals were new."""
        with self.lock:
            now = self.clock()
            mine = [(i, p) for i, p in due if not self.owned or p in self.owned]
            loaded = self.store.load_many(i for i, _ in mine)
            effects = Effects()
            for state, _ in loaded.values():
                self._raise_due(state, now, effects)
            recorded = self._record(effects)
            nexts = {inquiry_id: (self._next_due(state), partition)
                     for inquiry_id, (state, partition) in loaded.items()}
            with self.store.db.transaction() as cur:
                for inquiry_id, (state, partition) in loaded.items():
                    self.store.save(cur, state, partition, nexts[inquiry_id][0])
            for inquiry_id, (next_due, partition) in nexts.items():
                self.timers.set(inquiry_id, partition, next_due)
            return recorded

    def retarget_agreement(self, agreement_id: str) -> int:
        """A revision with apply_to_open: move this instance's open inquiries onto it."""
        with self.lock:
            ids = self.store.open_of_agreement(agreement_id, self.owned)
            loaded = self.store.load_many(ids)
            now = self.clock()
            effects = Effects()
            for state, _ in loaded.values():
                self._follow_revisions(state, now, effects)
            self._record(effects)
            nexts = {inquiry_id: self._next_due(state)
                     for inquiry_id, (state, _) in loaded.items()}
            with self.store.db.transaction() as cur:
                for inquiry_id, (state, partition) in loaded.items():
                    self.store.save(cur, state, partition, nexts[inquiry_id])
            for inquiry_id, (_, partition) in loaded.items():
                self.timers.set(inquiry_id, partition, nexts[inquiry_id])
            return len(loaded)

    # ----- applying inquiry events -----

    def _terms(self, state: InquiryClocks) -> AgreementTerms:
        return self.config.terms(state.agreement_id, state.agreement_version)

    def _follow_revisions(self, state: InquiryClocks, at: datetime, effects: Effects) -> None:
        if not state.agreement_id:
            return
        carried = self.config.carried_version(state.agreement_id, state.agreement_version)
        if carried > state.agreement_version:
            terms = self.config.terms(state.agreement_id, carried)
            self._stopped(state, state.retarget(terms, at, agreement_version=carried),
                          effects, at)

    def _apply(self, state: InquiryClocks | None, event_type: str, record: dict[str, Any],
               effects: Effects, now: datetime) -> InquiryClocks | None:
        version = int(record["aggregate_version"])
        at: datetime = record["occurred_at"]
        if event_type == "InquiryReceived":
            if state is not None:
                return state  # redelivered
            return self._received(record, at, version)
        if state is None:
            # Received before this monitor kept clocks for it (or its receipt was lost):
            # nothing to measure; counting it would be a guess.
            log.debug("no clocks for inquiry %s; %s ignored", record["aggregate_id"],
                      event_type)
            return None
        if version <= state.version:
            return state  # redelivered or replayed
        state.version = version
        if not state.agreement_id:
            return state
        self._follow_revisions(state, at, effects)
        self._raise_due(state, min(at, now), effects)
        terms = self._terms(state)
        stops: list[Stop] = []
        if event_type == "InquiryFirstResponseRecorded":
            stops = state.first_response(terms, at)
        elif event_type == "InquiryContactLogged":
            if record.get("direction") == "OUTBOUND":
                stops = state.responded_again(terms, at)
        elif event_type == "InquiryPutOnHold":
            state.put_on_hold(terms, str(record.get("reason", "")), at)
        elif event_type == "InquiryResumed":
            state.resumed(at)
        elif event_type == "InquiryResolved":
            stops = state.resolved(terms, at)
        elif event_type == "InquiryReopened":
            state.reopened(terms, at)
        elif event_type == "InquiryClosed":
            stops = state.closed_at(terms, at)
        elif event_type == "InquiryPriorityChanged":
            stops = state.retarget(terms, at, priority=str(record["priority"]))
        self._stopped(state, stops, effects, at)
        return state

    def _received(self, record: dict[str, Any], at: datetime, version: int) -> InquiryClocks:
        requested = str(record.get("agreement_id", ""))
        applied = self.config.for_new_inquiry(requested, at)
        common = {"inquiry_id": str(record["aggregate_id"]), "priority": str(record["priority"]),
                  "kind": str(record["kind"]), "category": str(record.get("category", "")),
                  "department": str(record.get("department", "")),
                  "subject": str(record.get("subject", ""))[:200], "version": version}
        if applied is None:
            log.warning("inquiry %s: no agreement %r and no default agreement: no clocks",
                        common["inquiry_id"], requested)
            return InquiryClocks(agreement_id="", agreement_version=0, **common)
        agreement_id, version = applied
        if agreement_id != requested:
            log.warning("inquiry %s: unknown or retired agreement %r, measured under the "
                        "default %r", common["inquiry_id"], requested, agreement_id)
        return InquiryClocks.received(
            agreement_id=agreement_id, agreement_version=version,
            terms=self.config.terms(agreement_id, version), at=at, **common)

    # ----- signals -----

    def _context(self, state: InquiryClocks) -> dict[str, str]:
        return {"agreement_id": state.agreement_id,
                "agreement_version": str(state.agreement_version),
                "priority": state.priority, "kind": state.kind, "category": state.category,
                "department": state.department, "subject": state.subject}

    def _team(self, state: InquiryClocks, target: str, due_at: datetime, now: datetime,
              percent: int = 100) -> str:
        """The on-call team for this inquiry's signals (routing rules, else the default)."""
        facts = AlertFacts(
            alert_id="", inquiry_id=state.inquiry_id, target=target,
            kind="BREACH" if percent >= 100 else "WARNING",
            agreement_id=state.agreement_id, priority=state.priority,
            category=state.category, department=state.department, subject=state.subject,
            due_at=due_at, raised_at=now, threshold_percent=percent)
        return self.config.on_call.team_for(facts)

    def _raise_due(self, state: InquiryClocks, now: datetime, effects: Effects) -> None:
        if not state.agreement_id or not state.open_clocks():
            return
        terms = self._terms(state)
        for signal in state.due_signals(terms, now):
            context = self._context(state)
            team = self._team(state, signal.target.value, signal.due_at, now, signal.percent)
            context["team"] = team
            effects.latencies.append((now - signal.due_at).total_seconds())
            if signal.is_breach:
                effects.new.append(Alert.raise_breach(
                    inquiry_id=state.inquiry_id, target=signal.target.value,
                    cycle=signal.cycle, due_at=signal.due_at, raised_at=now,
                    target_seconds=signal.target_seconds, team=team,
                    reminder_minutes=terms.reminder_minutes, context=context))
            else:
                effects.new.append(ClockSignal._create(
                    ClockSignal.WarningReached,
                    id=signal_id(state.inquiry_id, signal.target.value, signal.cycle,
                                 str(signal.percent)),
                    inquiry_id=state.inquiry_id, target=signal.target.value,
                    cycle=signal.cycle, percent=signal.percent, due_at=signal.due_at,
                    raised_at=now, target_seconds=signal.target_seconds, context=context))

    def _stopped(self, state: InquiryClocks, stops: list[Stop], effects: Effects,
                 at: datetime) -> None:
        for stop in stops:
            effects.new.append(ClockSignal._create(
                ClockSignal.Stopped,
                id=signal_id(state.inquiry_id, stop.target.value, stop.cycle, "stop"),
                inquiry_id=state.inquiry_id, target=stop.target.value, cycle=stop.cycle,
                outcome=stop.outcome, stopped_at=stop.at, elapsed_seconds=stop.elapsed_seconds,
                target_seconds=stop.target_seconds, breached=stop.breached,
                context={**self._context(state),
                         "team": self._team(state, stop.target.value, stop.at, stop.at)}))
            if stop.breached:
                reason = (AlertResolution.CLOSED if stop.outcome == Outcome.CANCELLED
                          else AlertResolution.ANSWERED)
                effects.resolutions.append(
                    (signal_id(state.inquiry_id, stop.target.value, stop.cycle, "breach"),
                     reason, at))

    def _next_due(self, state: InquiryClocks) -> datetime | None:
        if not state.agreement_id or not state.open_clocks():
            return None
        return state.next_due(self._terms(state))

    def _record(self, effects: Effects) -> int:
        recorded = self.app.record_once(effects.new)
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
