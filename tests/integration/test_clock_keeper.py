"""The clock keeper fed real intake events as Kafka would deliver them (no broker needed).

Intake's own application produces the events; they are encoded exactly as the relay
publishes them and handed to the keeper in batches, redelivered, replayed and late.
Supplier engagement events are encoded with the catalog as the supplier service
publishes them, for a second keeper over the engagement clocks.
The monitor's store is a real SQLite database; time is a test clock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from kafka import TopicPartition

from madoguchi.eventstream.avro import default_catalog
from madoguchi.eventstream.records import to_record
from madoguchi.servicelevels.terms import AgreementTerms
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from services.intake.application.app import IntakeApplication
from services.sla_monitor.adapters.clock_store import ClockStore, EngagementClockStore
from services.sla_monitor.application.app import SlaMonitorApplication
from services.sla_monitor.application.clock_keeper import ClockKeeper
from services.sla_monitor.application.engagement_clock_events import EngagementClockEvents
from services.sla_monitor.application.monitor_config import MonitorConfig
from services.sla_monitor.application.watermarks import StreamWatermarks
from services.sla_monitor.domain.alert import signal_id
from tests.support.sla_support import engagement_event, event_record, fast_terms
from tests.support.unit_helpers import IN_MEMORY, meta, receive_cmd

TOPIC = "inquiries"
PART = TopicPartition(TOPIC, 0)
ENGAGEMENTS = "engagements"
EPART = TopicPartition(ENGAGEMENTS, 0)
ENGAGEMENT = "7d1c2b4a-0000-4000-8000-00000000e001"
INQUIRY = "3f2a6c1e-0000-4000-8000-000000000001"
T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


@dataclass
class Message:
    offset: int
    key: bytes
    value: bytes


class Harness:
    def __init__(self, tmp: Path, watermarks: StreamWatermarks | None = None) -> None:
        self.now = T0
        url = parse_database_url(f"sqlite:///{tmp / 'sla.db'}")
        self.app = SlaMonitorApplication(env=url.eventsourcing_env(), clock=lambda: self.now)
        self.app.register_agreement("fast", AgreementTerms.from_dict(fast_terms()))
        self.db = SqlDatabase(url)
        self.config = MonitorConfig(self.app)
        self.config.refresh()
        self.keeper = ClockKeeper(self.app, ClockStore(self.db), self.config,
                                  inquiries_topic=TOPIC, clock=lambda: self.now,
                                  watermarks=watermarks)
        self.suppliers = ClockKeeper(self.app, EngagementClockStore(self.db), self.config,
                                     topic=ENGAGEMENTS, model=EngagementClockEvents(),
                                     clock=lambda: self.now)
        self.engagement_log: list[Message] = []
        self.intake = IntakeApplication(env=IN_MEMORY, clock=lambda: self.now)
        self.catalog = default_catalog()
        self.log: list[Message] = []

    def publish_new(self) -> list[Message]:
        """Everything intake stored since the last call, as Kafka messages (stored "now"
        on the test clock: ``recorded_at`` is the harness time of the call)."""
        start = len(self.log)
        for n in self.intake.recorder.select_notifications(start=start + 1, limit=1000):
            event = self.intake.mapper.to_domain_event(n)
            if not type(event).__qualname__.startswith("Inquiry"):
                continue
            event_type, record = to_record(event)
            record["recorded_at"] = self.now
            self.log.append(Message(len(self.log), str(event.originator_id).encode(),
                                    self.catalog.encode(event_type, record)))
        return self.log[start:]

    def deliver(self, messages: list[Message]) -> None:
        if messages:
            self.keeper.handle("cluster", PART, messages)

    def tick(self) -> None:
        """What the keeper's timer thread does when timers fall due."""
        self.keeper._fire_or_hold(self.keeper.timers.take_due(
            self.now.timestamp(), 2000, threading.Event(), max_wait=0))

    def engagement(self, event_type: str, version: int, at: datetime | None = None,
                   **values: Any) -> list[Message]:
        """Append one event of the engagement to the engagements topic (key = inquiry)."""
        value = engagement_event(event_type, ENGAGEMENT, INQUIRY, version, at or self.now,
                                 **values)
        message = Message(len(self.engagement_log), INQUIRY.encode(), value)
        self.engagement_log.append(message)
        return [message]

    def default_catalog_message(self, event_type: str) -> Message:
        """Another event on the engagements topic (e.g. a penalty), all fields empty."""
        record = event_record(event_type, "5e0c0000-0000-4000-8000-0000000000aa", 1,
                              self.now, engagement_id=ENGAGEMENT, inquiry_id=INQUIRY)
        message = Message(len(self.engagement_log), INQUIRY.encode(),
                          self.catalog.encode(event_type, record))
        self.engagement_log.append(message)
        return message

    def deliver_engagements(self, messages: list[Message]) -> None:
        if messages:
            self.suppliers.handle("cluster", EPART, messages)

    def signals(self) -> list[tuple[str, dict[str, Any]]]:
        found = []
        for n in self.app.recorder.select_notifications(start=1, limit=10_000):
            event = self.app.mapper.to_domain_event(n)
            found.append((type(event).__qualname__, event.__dict__))
        return [(name, fields) for name, fields in found
                if name.startswith(("ClockSignal", "Alert."))]

    def close(self) -> None:
        self.app.close()
        self.db.close()


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    h = Harness(tmp_path)
    yield h
    h.close()


def receive(h: Harness, key: str, ago: float, agreement_id: str = "fast") -> str:
    cmd = receive_cmd(key=key, agreement_id=agreement_id,
                      contacted_at=h.now - timedelta(seconds=ago))
    return str(h.intake.receive_inquiry(cmd).aggregate.id)


def names(h: Harness) -> list[str]:
    return [name for name, _ in h.signals()]


def test_redelivered_and_replayed_events_never_signal_twice(harness: Harness) -> None:
    h = harness
    inquiry = receive(h, "k-1", ago=90)               # first response due 30 s ago
    batch = h.publish_new()
    h.deliver(batch)
    assert names(h) == ["ClockSignal.WarningReached", "Alert.Raised"]
    h.deliver(batch)                                  # redelivered
    h.now += timedelta(seconds=5)
    h.keeper.fire([(inquiry, 0)])                     # a timer on another instance
    assert names(h) == ["ClockSignal.WarningReached", "Alert.Raised"]


def test_a_late_stream_raises_what_fell_due_before_each_event(harness: Harness) -> None:
    h = harness
    inquiry = receive(h, "k-1", ago=0)
    h.now += timedelta(minutes=2)                     # the first response came late …
    h.intake.record_first_response(inquiry, 0, meta(), "PHONE")
    h.now += timedelta(hours=1)                       # … and the monitor sees it all now
    h.deliver(h.publish_new())
    signals = h.signals()
    breach = next(f for n, f in signals if n == "Alert.Raised")
    assert breach["due_at"] == T0 + timedelta(minutes=1)
    stop = next(f for n, f in signals if n == "ClockSignal.Stopped"
                and f["target"] == "FIRST_RESPONSE")
    assert (stop["outcome"], stop["breached"]) == ("MISSED", True)
    resolution = [f for n, f in signals if n == "Alert.Raised" and f["target"] == "RESOLUTION"]
    assert resolution and resolution[0]["due_at"] == T0 + timedelta(minutes=5)


def test_an_unknown_agreement_is_measured_under_the_default(harness: Harness) -> None:
    h = harness
    inquiry = receive(h, "k-1", ago=0, agreement_id="no-such-agreement")
    h.deliver(h.publish_new())
    state = h.keeper.store.get(inquiry)
    assert state is not None and state.agreement_id == "fast"


def test_offsets_are_stored_with_the_clocks(harness: Harness) -> None:
    h = harness
    receive(h, "k-1", ago=0)
    receive(h, "k-2", ago=0)
    h.deliver(h.publish_new())
    assert h.keeper.stored_offsets("cluster", [PART]) == {PART: 2}
    assert h.keeper.stored_offsets("another-cluster", [PART]) == {}


def test_timers_fire_when_due_and_not_before(harness: Harness) -> None:
    h = harness
    inquiry = receive(h, "k-1", ago=0)
    h.deliver(h.publish_new())
    h.now = T0 + timedelta(seconds=29)
    assert h.keeper.fire([(inquiry, 0)]) == 0
    h.now = T0 + timedelta(seconds=30)
    assert h.keeper.fire([(inquiry, 0)]) == 1         # the 50 % warning
    assert names(h) == ["ClockSignal.WarningReached"]


def test_an_undecodable_message_is_set_aside_and_the_rest_applied(harness: Harness) -> None:
    h = harness
    inquiry = receive(h, "k-1", ago=0)
    good = h.publish_new()
    h.deliver([Message(0, b"x", b"not avro at all"),
               *(Message(m.offset + 1, m.key, m.value) for m in good)])
    assert h.keeper.rejected == 1
    assert h.keeper.store.get(inquiry) is not None
    rows = h.db.query("SELECT reason FROM rejected_messages")
    assert rows and "undecodable" in rows[0][0]


def test_priority_change_moves_the_deadline(harness: Harness) -> None:
    h = harness
    terms = fast_terms(targets=[
        {"priority": "P1", "first_response_minutes": 1, "resolution_minutes": 5},
        {"priority": "P3", "first_response_minutes": 10, "resolution_minutes": 50}])
    h.app.revise_agreement("fast", AgreementTerms.from_dict(terms), reason="tiers")
    h.config.refresh()
    inquiry = receive(h, "k-1", ago=0)                # MEDIUM × MEDIUM = P3
    h.deliver(h.publish_new())
    h.now += timedelta(seconds=20)
    h.intake.change_priority(inquiry, 0, meta(), impact="HIGH", urgency="HIGH",
                             priority="", reason="被害拡大")
    h.deliver(h.publish_new())
    state = h.keeper.store.get(inquiry)
    assert state is not None and state.priority == "P1"
    assert state.next_due(h.config.terms("fast", 2)) == T0 + timedelta(seconds=30)


# ----- customer clocks while a supplier holds the inquiry -----


def test_supplier_held_time_reaches_the_customer_signals(harness: Harness) -> None:
    h = harness
    inquiry = receive(h, "k-1", ago=0)                # first response due at T0 + 60 s
    h.deliver(h.publish_new())
    h.now = T0 + timedelta(seconds=20)
    h.intake.record_supplier_engaged(inquiry, meta(), engagement_id=ENGAGEMENT,
                                     supplier_id="sup-1", contract_id="ctr-1",
                                     coverage="COVERED")
    h.deliver(h.publish_new())
    h.now = T0 + timedelta(seconds=80)
    h.keeper.fire([(inquiry, 0)])                     # warning at 30 s, breach at 60 s
    h.now = T0 + timedelta(seconds=100)
    h.intake.record_supplier_outcome(inquiry, meta(), engagement_id=ENGAGEMENT,
                                     supplier_id="sup-1", outcome="RESOLVED", note="済")
    h.now = T0 + timedelta(seconds=110)
    h.intake.record_first_response(inquiry, 0, meta(), "PHONE")
    h.deliver(h.publish_new())

    signals = h.signals()
    warning = next(f for n, f in signals if n == "ClockSignal.WarningReached")
    breach = next(f for n, f in signals if n == "Alert.Raised")
    for raised in (warning, breach):
        assert raised["context"]["scope"] == "CUSTOMER"
        assert raised["context"]["engagement_id"] == ENGAGEMENT
        assert raised["context"]["supplier_id"] == "sup-1"
    stop = next(f for n, f in signals if n == "ClockSignal.Stopped"
                and f["target"] == "FIRST_RESPONSE")
    assert (stop["outcome"], stop["breached"]) == ("MISSED", True)
    assert stop["context"]["scope"] == "CUSTOMER"
    assert stop["context"]["supplier_held_seconds"] == "80.000"     # 20 s → 100 s
    assert stop["context"]["supplier_late_seconds"] == "40.000"     # 60 s → 100 s
    assert stop["context"]["breached_at"] == "2026-11-24T01:01:00+00:00"
    state = h.keeper.store.get(inquiry)
    assert state is not None and state.supplier_engagements == [] and not state.hold_reason


def test_a_met_customer_stop_has_no_breach_time_and_no_supplier_time(harness: Harness) -> None:
    h = harness
    inquiry = receive(h, "k-1", ago=0)
    h.now = T0 + timedelta(seconds=10)
    h.intake.record_first_response(inquiry, 0, meta(), "PHONE")
    h.deliver(h.publish_new())
    stop = next(f for n, f in h.signals() if n == "ClockSignal.Stopped")
    assert stop["outcome"] == "MET" and "breached_at" not in stop["context"]
    assert stop["context"]["supplier_held_seconds"] == "0.000"
    assert "engagement_id" not in stop["context"]


# ----- supplier clocks from the engagement stream -----


def supplier_names(h: Harness) -> list[tuple[str, str]]:
    return [(n, f["target"]) for n, f in h.signals()]


def test_supplier_clocks_signal_once_under_the_engagement_s_ids(harness: Harness) -> None:
    h = harness
    opened = h.engagement("EngagementOpened", 1, at=T0 - timedelta(seconds=90))
    h.deliver_engagements(opened)                     # acknowledge was due 30 s ago
    assert supplier_names(h) == [("ClockSignal.WarningReached", "ACKNOWLEDGE"),
                                 ("Alert.Raised", "ACKNOWLEDGE")]
    h.deliver_engagements(opened)                     # redelivered
    h.suppliers.fire([(ENGAGEMENT, 0)])               # a timer on another instance
    assert len(h.signals()) == 2
    breach = h.signals()[1][1]
    assert breach["originator_id"] == signal_id(ENGAGEMENT, "ACKNOWLEDGE", 1, "breach")
    assert breach["inquiry_id"] == INQUIRY
    context = breach["context"]
    assert {k: context[k] for k in ("scope", "engagement_id", "supplier_id", "contract_id",
                                    "contract_version", "priority", "category")} == {
        "scope": "SUPPLIER", "engagement_id": ENGAGEMENT, "supplier_id": "sup-callcenter",
        "contract_id": "ctr-callcenter", "contract_version": "1", "priority": "P2",
        "category": "住民票・戸籍"}
    assert breach["due_at"] == T0 - timedelta(seconds=30)

    h.now = T0 + timedelta(seconds=10)
    acknowledged = h.engagement("EngagementAcknowledged", 2, note="確認しました")
    h.deliver_engagements(acknowledged)
    h.deliver_engagements([*opened, *acknowledged])   # the whole stream replayed
    stops = [f for n, f in h.signals() if n == "ClockSignal.Stopped"]
    assert [(s["target"], s["outcome"], s["breached"]) for s in stops] == [
        ("ACKNOWLEDGE", "MISSED", True)]
    assert stops[0]["context"]["breached_at"] == (T0 - timedelta(seconds=30)).isoformat()
    assert stops[0]["context"]["scope"] == "SUPPLIER"
    alert = h.app.alert(signal_id(ENGAGEMENT, "ACKNOWLEDGE", 1, "breach"))
    assert alert.resolution == "ANSWERED"


def test_acknowledged_in_time_is_met_and_resolution_stops_the_rest(harness: Harness) -> None:
    h = harness
    h.deliver_engagements(h.engagement("EngagementOpened", 1))
    h.now = T0 + timedelta(seconds=20)
    h.deliver_engagements(h.engagement("EngagementAcknowledged", 2))
    h.now = T0 + timedelta(seconds=40)
    h.deliver_engagements(h.engagement("EngagementProgressNoted", 3, note="調査中"))
    h.now = T0 + timedelta(seconds=60)
    h.deliver_engagements(h.engagement("EngagementResolved", 4, resolution="修正済み"))
    stops = [f for n, f in h.signals() if n == "ClockSignal.Stopped"]
    assert [(s["target"], s["outcome"], s["breached"]) for s in stops] == [
        ("ACKNOWLEDGE", "MET", False), ("RESOLVE", "MET", False)]
    assert all("breached_at" not in s["context"] for s in stops)
    state = h.suppliers.store.get(ENGAGEMENT)
    assert state is not None and state.open_clocks() == [] and state.version == 4


def test_a_hand_back_cancels_open_supplier_clocks_and_closes_their_alerts(
        harness: Harness) -> None:
    h = harness
    h.deliver_engagements(h.engagement("EngagementOpened", 1,
                                       at=T0 - timedelta(seconds=70)))
    h.deliver_engagements(h.engagement("EngagementHandedBack", 2, reason="対象外"))
    stops = [f for n, f in h.signals() if n == "ClockSignal.Stopped"]
    assert [(s["target"], s["outcome"], s["breached"]) for s in stops] == [
        ("ACKNOWLEDGE", "CANCELLED", True), ("RESOLVE", "CANCELLED", False)]
    alert = h.app.alert(signal_id(ENGAGEMENT, "ACKNOWLEDGE", 1, "breach"))
    assert alert.resolution == "CLOSED"


def test_uncovered_engagements_and_penalties_start_no_clocks(harness: Harness) -> None:
    h = harness
    opened = h.engagement("EngagementOpened", 1, at=T0 - timedelta(hours=1),
                          coverage="NO_CONTRACT", contract_id="", clock_terms_json="")
    penalty = h.default_catalog_message("PenaltyAccrued")
    h.deliver_engagements([*opened, penalty])
    assert h.signals() == []
    state = h.suppliers.store.get(ENGAGEMENT)
    assert state is not None and not state.measured
    assert h.suppliers.stored_offsets("cluster", [EPART]) == {EPART: 2}


# ----- watermarks: a consumer catching up never invents a breach -----


class Monotonic:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def breaches(h: Harness) -> list[dict[str, Any]]:
    return [f for n, f in h.signals() if n == "Alert.Raised"]


def test_a_backlog_read_late_breaches_only_what_was_not_answered_in_time(
        tmp_path: Path) -> None:
    mono = Monotonic()
    h = Harness(tmp_path, StreamWatermarks(monotonic=mono))
    try:
        h.keeper.stored_offsets("cluster", [PART])      # assigned: nothing known yet
        answered = receive(h, "k-a", ago=0)             # first response due at T0 + 60 s
        forgotten = receive(h, "k-b", ago=0)
        receipts = h.publish_new()
        h.now = T0 + timedelta(seconds=40)
        h.intake.record_first_response(answered, 0, meta(), "PHONE")
        answer = h.publish_new()
        h.now = T0 + timedelta(seconds=120)             # the monitor reads it all late
        h.deliver(receipts)
        h.tick()
        assert breaches(h) == []                        # the answer may be further down
        h.deliver(answer)
        h.tick()
        assert breaches(h) == []
        assert h.keeper.held                            # the other deadline waits
        h.keeper.caught_up([PART], h.now)               # read to the end, but it was a
        h.tick()                                        # backlog: not proof of a live end
        assert breaches(h) == []
        mono.now += 3.1                                 # quiet since: the stream is live
        h.keeper.caught_up([PART], h.now)
        h.tick()
        found = breaches(h)
        assert [(f["inquiry_id"], f["target"], f["due_at"]) for f in found] == [
            (forgotten, "FIRST_RESPONSE", T0 + timedelta(seconds=60))]
        warnings = sorted(f["inquiry_id"] for n, f in h.signals()
                          if n == "ClockSignal.WarningReached")
        assert warnings == sorted([answered, forgotten])   # both passed 50 % for real
        h.keeper.caught_up([PART], h.now)
        h.tick()
        assert len(breaches(h)) == 1                    # once
    finally:
        h.close()


def test_a_live_stream_fires_a_due_timer_as_soon_as_the_end_is_read(tmp_path: Path) -> None:
    mono = Monotonic()
    h = Harness(tmp_path, StreamWatermarks(monotonic=mono))
    try:
        h.keeper.stored_offsets("cluster", [PART])
        inquiry = receive(h, "k-1", ago=0)
        h.now = T0 + timedelta(milliseconds=300)
        h.deliver(h.publish_new())                      # read 0.3 s after it was stored
        h.now = T0 + timedelta(seconds=30)              # the 50 % warning is due
        assert h.keeper.progress_wanted_at() == (T0 + timedelta(seconds=30)).timestamp()
        h.tick()
        assert names(h) == []                           # not yet known to be read that far
        assert h.keeper.progress_wanted_at() == (T0 + timedelta(seconds=30)).timestamp()
        h.keeper.caught_up([PART], h.now)               # the broker's end, read, as of now
        h.tick()
        assert [(n, f["inquiry_id"]) for n, f in h.signals()] == [
            ("ClockSignal.WarningReached", inquiry)]
    finally:
        h.close()
