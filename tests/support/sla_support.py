"""Intake and the SLA monitor in-process on the real broker, with a test agreement.

Targets are whole business minutes, so the tests receive inquiries "in the past"
(``contacted_at`` some seconds ago): a 1-minute first-response target received 50 s ago
warns at once (50 %) and breaches about 10 s later, timer-driven.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid5

import grpc
from kafka import KafkaConsumer, KafkaProducer

from madoguchi.api.intake.v1 import intake_pb2 as ipb
from madoguchi.api.intake.v1 import intake_pb2_grpc
from madoguchi.api.sla.v1 import sla_monitor_pb2 as spb
from madoguchi.api.sla.v1 import sla_monitor_pb2_grpc
from madoguchi.config import AlertSettings, Settings
from madoguchi.eventstream.avro import default_catalog
from madoguchi.rpc.channels import open_channel
from services.intake.main import IntakeService
from services.sla_monitor.main import SlaMonitorService
from tests.support.requests import receive_request, ts
from tests.support.system import eventually

SECRET = "test-webhook-secret"
ALWAYS_OPEN = {"time_zone": "Asia/Tokyo", "holiday_country": "",
               "weekly_hours": {d: ["00:00-24:00"] for d in
                                ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}


def fast_terms(**overrides: Any) -> dict[str, Any]:
    terms: dict[str, Any] = {
        "name": "テスト契約 (test agreement)", "customer": "test",
        "calendar": ALWAYS_OPEN,
        "targets": [{"priority": p, "first_response_minutes": 1, "resolution_minutes": 5,
                     "update_minutes": 0} for p in ("P1", "P2", "P3", "P4", "P5")],
        "warning_percents": [50],
        "reminder_minutes": 0,
    }
    terms.update(overrides)
    return terms


def on_call(webhook_url: str = "", email: str = "", team_email: str = "") -> dict[str, Any]:
    return {
        "people": [{"id": "sato", "name": "佐藤 花子", "email": email,
                    "webhook_url": webhook_url}],
        "teams": [{"id": "desk", "name": "区民相談チーム", "email": team_email,
                   "rotation": {"participants": ["sato"], "start": "2026-01-05T09:00:00"}}],
        "routes": [], "default_team": "desk",
    }


class SlaSystem:
    """Intake plus one or more monitor instances sharing a database and consumer group."""

    def __init__(self, settings: Settings, group_id: str, **alert_overrides: Any) -> None:
        self.settings = replace(settings, alerts=replace(
            settings.alerts, webhook_secret=SECRET, **alert_overrides))
        self.group_id = group_id
        self.intake = IntakeService(self.settings, address="127.0.0.1:0")
        self.intake.start()
        self.intake_channel = open_channel(self.intake.grpc.address)
        self.intake_stub = intake_pb2_grpc.IntakeServiceStub(self.intake_channel)
        self.monitors: list[SlaMonitorService] = []
        self._channels: list[grpc.Channel] = []
        self.sla_stub: Any = None

    def start_monitor(self, name: str = "sla-consumer", wait: bool = True) -> SlaMonitorService:
        monitor = SlaMonitorService(self.settings, address="127.0.0.1:0",
                                    group_id=self.group_id, name=name)
        monitor.start()
        channel = open_channel(monitor.grpc.address)
        self._channels.append(channel)
        self.monitor_channel = channel
        self.sla_stub = sla_monitor_pb2_grpc.SlaMonitorServiceStub(channel)
        self.monitors.append(monitor)
        if wait:
            assert monitor.consumer.assigned.wait(30), "no partitions assigned"
        return monitor

    def stop_monitor(self, monitor: SlaMonitorService) -> None:
        monitor.stop()
        self.monitors.remove(monitor)

    def register(self, agreement_id: str = "fast", terms: dict[str, Any] | None = None,
                 default: bool = True) -> spb.Agreement:
        return self.sla_stub.RegisterAgreement(spb.RegisterAgreementRequest(
            agreement_id=agreement_id, terms_json=json.dumps(terms or fast_terms()),
            make_default=default, actor="test"))

    def receive(self, ago: float, agreement_id: str = "fast", **overrides: Any) -> str:
        at = datetime.now(UTC) - timedelta(seconds=ago)
        reply = self.intake_stub.ReceiveInquiry(receive_request(
            agreement_id=agreement_id, contacted_at=ts(at), **overrides))
        return str(reply.inquiry.inquiry_id)

    def respond(self, inquiry_id: str) -> None:
        self.intake_stub.RecordFirstResponse(ipb.RecordFirstResponseRequest(
            context=ipb.CommandContext(inquiry_id=inquiry_id, actor="operator-01")))

    def clocks(self, inquiry_id: str) -> spb.InquiryClocks:
        return eventually(lambda: self.sla_stub.GetInquiryClocks(
            spb.GetInquiryClocksRequest(inquiry_id=inquiry_id)))

    def stop(self) -> None:
        for monitor in list(self.monitors):
            monitor.stop()
        for channel in self._channels:
            channel.close()
        self.intake_channel.close()
        self.intake.stop()


def signals(bootstrap: str, topic: str, *, wait_for: int = 0, timeout: float = 30.0,
            heartbeats: bool = False) -> list[tuple[str, dict[str, Any]]]:
    """Every decoded message on the signals topic, read from the beginning (without the
    monitors' heartbeats unless ``heartbeats``)."""
    catalog = default_catalog()
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             fetch_max_wait_ms=5, consumer_timeout_ms=500)
    found: list[tuple[str, dict[str, Any]]] = []
    try:
        def enough() -> bool:
            found.extend(decoded for decoded in (catalog.decode(m.value) for m in consumer)
                         if heartbeats or decoded[0] != "SlaMonitorHeartbeat")
            return len(found) >= wait_for
        if wait_for:
            eventually(enough, timeout)
        else:
            enough()
    finally:
        consumer.close()
    return found


def signal_messages(bootstrap: str, topic: str, *, wait_for: int = 0, timeout: float = 30.0,
                    ) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
    """Like ``signals``, with each message's context record alongside (v2: scope, engagement …)."""
    return [(event_type, record, dict(record.get("context") or {}))
            for event_type, record in signals(bootstrap, topic, wait_for=wait_for,
                                              timeout=timeout)]


# ----- supplier engagement events, as the supplier service publishes them -----


def clock_terms_json(acknowledge_minutes: int = 1, resolve_minutes: int = 5,
                     warning_percents: tuple[int, ...] = (50,), reminder_minutes: int = 0
                     ) -> str:
    return json.dumps({"calendar": ALWAYS_OPEN, "acknowledge_minutes": acknowledge_minutes,
                       "resolve_minutes": resolve_minutes,
                       "warning_percents": list(warning_percents),
                       "reminder_minutes": reminder_minutes}, ensure_ascii=False)


def event_record(event_type: str, aggregate_id: str, version: int, at: datetime,
                 **values: Any) -> dict[str, Any]:
    """A complete Avro record of ``event_type``: envelope, ``values``, the rest empty."""
    schema = default_catalog().schema(event_type)
    record: dict[str, Any] = {
        "event_id": str(uuid5(UUID(aggregate_id), str(version))),
        "aggregate_id": aggregate_id, "aggregate_version": version,
        "recorded_at": at, "occurred_at": at, "actor": "supplier-service",
        "correlation_id": ""}
    empty = {"string": "", "long": 0, "int": 0, "boolean": False, "double": 0.0}
    for field in schema["fields"]:
        name = field["name"]
        if name not in record:
            record[name] = values.pop(name, empty.get(str(field["type"]), ""))
    assert not values, f"{event_type} has no fields {sorted(values)}"
    return record


def engagement_event(event_type: str, engagement_id: str, inquiry_id: str, version: int,
                     at: datetime, **values: Any) -> bytes:
    """One Engagement* event of the supplier service, Avro-encoded with the catalog."""
    values.setdefault("supplier_id", "sup-callcenter")
    if event_type == "EngagementOpened":
        values.setdefault("coverage", "COVERED")
        values.setdefault("contract_id", "ctr-callcenter")
        values.setdefault("contract_version", 1)
        values.setdefault("priority", "P2")
        values.setdefault("category", "住民票・戸籍")
        values.setdefault("subject", "転入届の確認 (supplier)")
        values.setdefault("clock_terms_json", clock_terms_json())
    record = event_record(event_type, engagement_id, version, at, engagement_id=engagement_id,
                          inquiry_id=inquiry_id, **values)
    return default_catalog().encode(event_type, record)


def publish(bootstrap: str, topic: str, messages: list[tuple[str, bytes]]) -> None:
    """Produce (key, value) messages in order and wait until the broker has them."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        for key, value in messages:
            producer.send(topic, key=key.encode(), value=value)
        producer.flush(30)
    finally:
        producer.close()


__all__ = ["AlertSettings", "SlaSystem", "clock_terms_json", "engagement_event",
           "event_record", "fast_terms", "on_call", "publish", "signal_messages", "signals"]
