"""The clock keeper fed real intake events as Kafka would deliver them (no broker needed).

Intake's own application produces the events; they are encoded exactly as the relay
publishes them and handed to the keeper in batches, redelivered, replayed and late.
The monitor's store is a real SQLite database; time is a test clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from kafka import TopicPartition

from madoguchi.eventstream.avro import default_catalog
from madoguchi.eventstream.records import to_record
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from services.intake.application.service import IntakeApplication
from services.sla_monitor.adapters.clock_store import ClockStore
from services.sla_monitor.application.clock_keeper import ClockKeeper
from services.sla_monitor.application.monitor_app import SlaMonitorApplication
from services.sla_monitor.application.monitor_config import MonitorConfig
from services.sla_monitor.domain.agreement import AgreementTerms
from tests.integration.sla_support import fast_terms
from tests.unit._support import IN_MEMORY, meta, receive_cmd

TOPIC = "inquiries"
PART = TopicPartition(TOPIC, 0)
T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


@dataclass
class Message:
    offset: int
    key: bytes
    value: bytes


class Harness:
    def __init__(self, tmp: Path) -> None:
        self.now = T0
        url = parse_database_url(f"sqlite:///{tmp / 'sla.db'}")
        self.app = SlaMonitorApplication(env=url.eventsourcing_env(), clock=lambda: self.now)
        self.app.register_agreement("fast", AgreementTerms.from_dict(fast_terms()))
        self.db = SqlDatabase(url)
        self.config = MonitorConfig(self.app)
        self.config.refresh()
        self.keeper = ClockKeeper(self.app, ClockStore(self.db), self.config,
                                  inquiries_topic=TOPIC, clock=lambda: self.now)
        self.intake = IntakeApplication(env=IN_MEMORY, clock=lambda: self.now)
        self.catalog = default_catalog()
        self.log: list[Message] = []

    def publish_new(self) -> list[Message]:
        """Everything intake stored since the last call, as Kafka messages."""
        start = len(self.log)
        for n in self.intake.recorder.select_notifications(start=start + 1, limit=1000):
            event = self.intake.mapper.to_domain_event(n)
            if not type(event).__qualname__.startswith("Inquiry"):
                continue
            event_type, record = to_record(event)
            self.log.append(Message(len(self.log), str(event.originator_id).encode(),
                                    self.catalog.encode(event_type, record)))
        return self.log[start:]

    def deliver(self, messages: list[Message]) -> None:
        if messages:
            self.keeper.handle("cluster", PART, messages)

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
