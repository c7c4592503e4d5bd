"""The monitor watches itself: a heartbeat for the outside, an alert while it is blind.

The monitor's event store and tables are real (SQLite files); consumer statuses are
given, time is a test clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from kafka import TopicPartition

from madoguchi.config import Topics
from madoguchi.eventstream.avro import default_catalog
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from services.projections.adapters.read_models.read_model_set import ReadModelSet
from services.sla_monitor.adapters.alert_store import AlertStore
from services.sla_monitor.adapters.publishing import SlaTopics, make_router
from services.sla_monitor.application.alerting import AlertFeed
from services.sla_monitor.application.app import SlaMonitorApplication
from services.sla_monitor.application.heartbeat import MonitorWatchdog
from services.sla_monitor.application.monitor_config import MonitorConfig
from services.sla_monitor.domain.monitor_alert import MonitorAlert
from services.supplier.adapters.stream_handler import SupplierStreamHandler
from services.supplier.main import build_application
from tests.integration.test_alert_feed import ON_CALL, Clock

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
HEARTBEAT_ON_CALL = {**ON_CALL, "heartbeat": {"webhook_url": "https://hc.example/ping",
                                              "email": "watch@city.example"}}


@dataclass
class Status:
    name: str
    healthy: bool = True
    reason: str = ""
    state: str = "ASSIGNED"
    state_seconds: float = 0.0
    behind_seconds: float = 0.0
    partitions: tuple[Any, ...] = (1, 2)


@dataclass
class Parts:
    app: SlaMonitorApplication
    feed: AlertFeed
    watchdog: MonitorWatchdog
    clock: Clock
    statuses: list[Status]
    published: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[Parts]:
    url = parse_database_url(f"sqlite:///{tmp_path / 'sla.db'}")
    clock = Clock()
    app = SlaMonitorApplication(env=url.eventsourcing_env(), clock=clock)
    app.configure_on_call(HEARTBEAT_ON_CALL)
    db = SqlDatabase(url)
    config = MonitorConfig(app)
    config.refresh()
    store = AlertStore(db)
    feed = AlertFeed(app, store, config, group_window=10, email_enabled=True, clock=clock)
    statuses = [Status("sla-consumer"), Status("sla-consumer-engagements")]
    published: list[dict[str, Any]] = []
    watchdog = MonitorWatchdog(app, config, consumers=lambda: statuses,
                               counts=lambda: (42, 3), publish=published.append,
                               deliveries=store, interval=60, email_enabled=True, clock=clock)
    yield Parts(app, feed, watchdog, clock, statuses, published)
    app.close()
    db.close()


def monitor_alerts(app: SlaMonitorApplication) -> list[Any]:
    events = [app.mapper.to_domain_event(n)
              for n in app.recorder.select_notifications(start=1, limit=1000)]
    return [e for e in events if isinstance(e, MonitorAlert.Event)]


def test_a_blind_consumer_pages_the_default_team_once_and_recovery_resolves_it(
        parts: Parts) -> None:
    p = parts
    p.statuses[0] = Status("sla-consumer", healthy=False, state="DISCONNECTED",
                           state_seconds=12, reason="no answer from the broker",
                           partitions=())
    p.watchdog.watch(p.statuses)
    p.clock.now += timedelta(seconds=1)
    p.watchdog.watch(p.statuses)                     # still blind: no second alert
    raised = monitor_alerts(p.app)
    assert [type(e).__name__ for e in raised] == ["Raised"]
    assert (raised[0].consumer, raised[0].team) == ("sla-consumer", "desk")
    assert raised[0].since == T0 - timedelta(seconds=12)
    p.feed.follow()
    sent = {(d["channel"], d["address"]): d for d in p.feed.store.deliveries()}
    assert set(sent) == {("WEBHOOK", "https://hooks.example/desk"),
                         ("EMAIL", "sato@city.example")}      # the team, and who is on call
    payload = json.loads(sent[("WEBHOOK", "https://hooks.example/desk")]["payload_json"])
    assert payload["kind"] == "MONITOR_BLIND" and payload["consumer"] == "sla-consumer"
    assert "no answer from the broker" in json.loads(
        sent[("EMAIL", "sato@city.example")]["payload_json"])["text"]

    p.statuses[0] = Status("sla-consumer")           # sees again …
    p.watchdog.watch(p.statuses)
    p.clock.now += timedelta(seconds=3)
    p.watchdog.watch(p.statuses)
    assert len(monitor_alerts(p.app)) == 1           # … not yet for long enough
    p.clock.now += timedelta(seconds=3)
    p.watchdog.watch(p.statuses)
    assert [type(e).__name__ for e in monitor_alerts(p.app)] == ["Raised", "Resolved"]
    items = p.feed.follow()
    assert items == 1
    kinds = {json.loads(d["payload_json"])["kind"] for d in p.feed.store.deliveries()}
    assert kinds == {"MONITOR_BLIND", "MONITOR_RECOVERED"}


def test_monitor_alerts_stay_inside_the_monitor(parts: Parts) -> None:
    alert = MonitorAlert.raise_blind(instance="host:1", consumer="sla-consumer",
                                     reason="joining", since=T0, team="desk", at=T0)
    alert.resolve(T0 + timedelta(minutes=1))
    route = make_router(SlaTopics())
    assert [route(e) for e in alert.collect_events()] == [None, None]


def test_the_heartbeat_goes_to_the_topic_and_to_the_receiver_whatever_the_state(
        parts: Parts) -> None:
    p = parts
    first = p.watchdog.beat(p.statuses)
    p.statuses[1] = Status("sla-consumer-engagements", healthy=False, state="JOINING",
                           reason="joining its group; without partitions for 11 s")
    p.clock.now += timedelta(seconds=60)
    second = p.watchdog.beat(p.statuses)
    assert [(r["status"], r["aggregate_version"]) for r in p.published] == [
        ("OK", 1), ("BLIND", 2)]
    assert second["reason"].startswith("sla-consumer-engagements: joining")
    assert (first["open_clocks"], first["held_timers"], first["partitions"]) == (42, 3, 4)
    catalog = default_catalog()
    for record in p.published:           # valid against the published schema
        assert catalog.decode(catalog.encode("SlaMonitorHeartbeat", record))[1][
            "instance"] == p.watchdog.instance
    sent = [(d["channel"], d["address"], json.loads(d["payload_json"])["status"])
            for d in p.feed.store.deliveries()]
    assert sorted(sent) == [("EMAIL", "watch@city.example", "BLIND"),
                            ("EMAIL", "watch@city.example", "OK"),
                            ("WEBHOOK", "https://hc.example/ping", "BLIND"),
                            ("WEBHOOK", "https://hc.example/ping", "OK")]


def test_the_heartbeat_on_the_signals_topic_is_skipped_by_its_other_readers(
        tmp_path: Path) -> None:
    catalog = default_catalog()
    record = {"event_id": "6c1b8f0e-0000-5000-8000-000000000001",
              "aggregate_id": "6c1b8f0e-0000-4000-8000-000000000000", "aggregate_version": 1,
              "recorded_at": T0, "occurred_at": T0, "actor": "sla-monitor",
              "correlation_id": "", "instance": "host:1", "status": "OK", "reason": "",
              "interval_seconds": 60, "partitions": 6, "open_clocks": 0, "held_timers": 0}
    value = catalog.encode("SlaMonitorHeartbeat", record)
    db = SqlDatabase(parse_database_url(f"sqlite:///{tmp_path / 'projections.db'}"))
    try:
        assert ReadModelSet(db, 1).for_event("SlaMonitorHeartbeat") == []
    finally:
        db.close()
    url = parse_database_url(f"sqlite:///{tmp_path / 'supplier.db'}")
    app = build_application(url.eventsourcing_env())
    try:
        handler = SupplierStreamHandler(app, app.db, Topics())
        part = TopicPartition(Topics().sla_signals, 0)

        @dataclass
        class Message:
            offset: int
            key: bytes
            value: bytes

        handler.handle("cluster", part, [Message(0, b"host:1", value)])
        assert (handler.applied, handler.rejected) == (0, 0)
        assert handler.stored_offsets("cluster", [part]) == {part: 1}
    finally:
        app.close()
