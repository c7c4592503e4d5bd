"""Supplier SLA clocks end to end: engagement events on the real broker, signals out.

The supplier service's events are encoded with the schema catalog and produced with
kafka-python on the engagements topic, keyed by inquiry id, exactly as that service
publishes them; the monitor's signals are read back from the signals topic.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from madoguchi.api.sla.v1 import sla_monitor_pb2 as spb
from services.sla_monitor.main import SlaMonitorService
from tests.support.databases import database_urls
from tests.support.sla_support import (
    SlaSystem,
    engagement_event,
    publish,
    signal_messages,
)
from tests.support.system import eventually, make_settings

Found = list[tuple[str, dict[str, Any], dict[str, str]]]


@pytest.fixture
def sla(store: str, broker, tmp_path: Path, request: pytest.FixtureRequest
        ) -> Iterator[SlaSystem]:
    suffix = uuid.uuid4().hex[:10]
    settings = make_settings(tmp_path, broker.bootstrap, database_urls(store, tmp_path, request),
                             suffix)
    running = SlaSystem(settings, group_id=f"sla-{suffix}")
    yield running
    running.stop()


def start(sla: SlaSystem) -> SlaMonitorService:
    monitor = sla.start_monitor()
    assert monitor.engagement_consumer.assigned.wait(30), "no engagement partitions assigned"
    return monitor


def send(sla: SlaSystem, inquiry_id: str, *values: bytes) -> None:
    publish(sla.settings.bootstrap(), sla.settings.topics.supplier_engagements,
            [(inquiry_id, value) for value in values])


def read(sla: SlaSystem, wait_for: int = 0) -> Found:
    return signal_messages(sla.settings.bootstrap(), sla.settings.topics.sla_signals,
                           wait_for=wait_for)


def of_engagement(found: Found, engagement_id: str) -> Counter:
    return Counter((t, r.get("target"), r.get("percent", r.get("outcome")))
                   for t, r, context in found if context.get("engagement_id") == engagement_id)


def test_acknowledge_warns_and_breaches_once_and_replays_raise_nothing_twice(
        sla: SlaSystem) -> None:
    monitor = start(sla)
    inquiry, engagement = str(uuid.uuid4()), str(uuid.uuid4())
    opened_at = datetime.now(UTC) - timedelta(seconds=50)    # acknowledge due in ~10 s
    opened = engagement_event("EngagementOpened", engagement, inquiry, 1, opened_at)
    send(sla, inquiry, opened)

    found = eventually(lambda: (f := read(sla)) and any(
        t == "SlaBreached" for t, _, _ in f) and f, timeout=60)
    assert of_engagement(found, engagement) == Counter({
        ("SlaWarningReached", "ACKNOWLEDGE", 50): 1, ("SlaBreached", "ACKNOWLEDGE", None): 1})
    _, record, context = next(m for m in found if m[0] == "SlaBreached")
    assert str(record["inquiry_id"]) == inquiry
    assert record["due_at"] == opened_at + timedelta(minutes=1)
    assert (context["scope"], context["engagement_id"], context["supplier_id"],
            context["contract_id"], context["contract_version"]) == (
        "SUPPLIER", engagement, "sup-callcenter", "ctr-callcenter", "1")
    assert record["context"]["agreement_id"] == "ctr-callcenter"   # the record's own fields
    assert {k: record["context"][k] for k in ("scope", "engagement_id", "contract_id")} == {
        "scope": "SUPPLIER", "engagement_id": engagement, "contract_id": "ctr-callcenter"}
    assert record["context"]["subject"] == "転入届の確認 (supplier)"

    acknowledged = engagement_event("EngagementAcknowledged", engagement, inquiry, 2,
                                    datetime.now(UTC), note="確認しました")
    send(sla, inquiry, opened, acknowledged)                  # a redelivery, then news
    found = eventually(lambda: (f := read(sla)) and any(
        t == "SlaClockStopped" for t, _, _ in f) and f, timeout=60)
    stopped = [(r, c) for t, r, c in found if t == "SlaClockStopped"]
    assert [(r["target"], r["outcome"], r["breached"]) for r, _ in stopped] == [
        ("ACKNOWLEDGE", "MISSED", True)]
    assert datetime.fromisoformat(stopped[0][1]["breached_at"]) == record["due_at"]
    assert stopped[0][0]["context"]["breached_at"] == stopped[0][1]["breached_at"]

    applied = monitor.engagement_keeper.events_applied
    send(sla, inquiry, opened, acknowledged)                  # the whole stream replayed
    eventually(lambda: monitor.engagement_keeper.events_applied >= applied + 2)
    assert of_engagement(read(sla), engagement) == Counter({
        ("SlaWarningReached", "ACKNOWLEDGE", 50): 1, ("SlaBreached", "ACKNOWLEDGE", None): 1,
        ("SlaClockStopped", "ACKNOWLEDGE", "MISSED"): 1})
    alert = eventually(lambda: [a for a in sla.sla_stub.ListAlerts(spb.ListAlertsRequest(
        inquiry_id=inquiry)).alerts if a.state == "RESOLVED"])[0]
    assert (alert.target, alert.resolution) == ("ACKNOWLEDGE", "ANSWERED")


def test_acknowledged_in_time_is_met_and_shows_with_the_inquiry_s_clocks(
        sla: SlaSystem) -> None:
    start(sla)
    sla.register()
    inquiry = sla.receive(ago=0)
    engagement = str(uuid.uuid4())
    now = datetime.now(UTC)
    send(sla, inquiry,
         engagement_event("EngagementOpened", engagement, inquiry, 1, now - timedelta(seconds=5)),
         engagement_event("EngagementAcknowledged", engagement, inquiry, 2, now))

    found = eventually(lambda: (f := read(sla)) and any(
        t == "SlaClockStopped" and c.get("scope") == "SUPPLIER" for t, _, c in f) and f)
    supplier = [(t, r, c) for t, r, c in found if c.get("scope") == "SUPPLIER"]
    assert [(t, r["target"], r["outcome"], r["breached"]) for t, r, _ in supplier] == [
        ("SlaClockStopped", "ACKNOWLEDGE", "MET", False)]
    assert supplier[0][2]["breached_at"] == ""   # met: never breached
    clocks = sla.clocks(inquiry)
    by_target = {c.target: c for c in clocks.clocks}
    assert by_target["ACKNOWLEDGE"].state == "STOPPED"
    assert by_target["ACKNOWLEDGE"].outcome == "MET"
    assert by_target["RESOLVE"].state == "RUNNING"
    assert by_target["FIRST_RESPONSE"].state == "RUNNING"
    assert {(c.target, c.scope, c.engagement_id) for c in clocks.clocks
            if c.scope == "SUPPLIER"} == {("ACKNOWLEDGE", "SUPPLIER", engagement),
                                          ("RESOLVE", "SUPPLIER", engagement)}
    assert by_target["FIRST_RESPONSE"].scope == "CUSTOMER"
