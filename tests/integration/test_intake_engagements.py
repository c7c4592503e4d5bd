"""The supplier's engagement stream, recorded on the inquiry by the running intake service.

Engagement* records are produced Avro-encoded on the engagements topic (as the supplier
service publishes them, keyed by inquiry id); intake puts the inquiry ON_HOLD
AWAITING_SUPPLIER and resumes it when the engagement ends, publishes both facts on the
inquiries topic, and records nothing twice when messages come again. Real broker over
TCP, real databases (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4, uuid5

from kafka import KafkaProducer

from madoguchi.api.intake.v1 import intake_pb2 as pb
from madoguchi.api.intake.v1 import intake_pb2_grpc
from madoguchi.eventstream.avro import default_catalog
from madoguchi.eventstream.kafka_settings import producer_config
from madoguchi.rpc.channels import open_channel
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from services.intake.adapters.engagement_consumer import CONSUMER_NAME
from services.intake.main import IntakeService
from tests.integration.test_stream import read_topic
from tests.support.requests import ctx, receive_request
from tests.support.system import RunningSystem, eventually

ENGAGEMENT_NAMESPACE = UUID("0b6f3f0e-5d57-4d2c-9c51-2f8e7a1c4d10")  # any fixed namespace


def engagement_record(event_type: str, engagement_id: str, inquiry_id: str, version: int,
                      **fields: Any) -> dict[str, Any]:
    """A complete record of the supplier's schema: envelope, given fields, the rest empty."""
    now = datetime.now(UTC)
    record: dict[str, Any] = {
        "event_id": uuid5(UUID(engagement_id), str(version)), "aggregate_id": engagement_id,
        "aggregate_version": version, "recorded_at": now, "occurred_at": now,
        "actor": "supplier-desk", "correlation_id": f"corr-{version}",
        "engagement_id": engagement_id, "inquiry_id": inquiry_id,
    }
    for field in default_catalog().schema(event_type)["fields"]:
        name = field["name"]
        if name not in record:
            record[name] = fields.get(name, 0 if field["type"] in ("int", "long") else "")
    return record


def produce(bootstrap: str, topic: str, messages: list[tuple[str, dict[str, Any]]]) -> None:
    """Publish (event type, record) pairs keyed by inquiry id, as the supplier service does."""
    catalog = default_catalog()
    producer = KafkaProducer(**producer_config(bootstrap, "test-supplier"))
    try:
        for event_type, record in messages:
            producer.send(topic, key=record["inquiry_id"].encode(),
                          value=catalog.encode(event_type, record),
                          headers=[("event_type", event_type.encode())])
        producer.flush(timeout=10)
    finally:
        producer.close()


def inquiry(system: RunningSystem, iid: str) -> pb.GetInquiryResponse:
    return system.intake_stub.GetInquiry(pb.GetInquiryRequest(inquiry_id=iid,
                                                              include_history=True))


def held(system: RunningSystem, iid: str) -> pb.GetInquiryResponse | None:
    reply = inquiry(system, iid)
    return reply if (reply.inquiry.status == pb.ON_HOLD
                     and reply.inquiry.hold_reason == pb.AWAITING_SUPPLIER) else None


def escalated_to_supplier(system: RunningSystem) -> tuple[str, str]:
    """A received inquiry escalated to a supplier: (inquiry id, its engagement id)."""
    stub = system.intake_stub
    iid = stub.ReceiveInquiry(receive_request()).inquiry.inquiry_id
    reply = stub.EscalateInquiry(pb.EscalateInquiryRequest(
        context=ctx(iid), target=pb.SUPPLIER, to_supplier_id="SUP-住基ベンダー",
        reason="証明書発行機の障害"))
    return iid, str(uuid5(ENGAGEMENT_NAMESPACE, f"{iid}/{reply.inquiry.version}"))


def opened(iid: str, engagement_id: str) -> tuple[str, dict[str, Any]]:
    return "EngagementOpened", engagement_record(
        "EngagementOpened", engagement_id, iid, 1, supplier_id="SUP-住基ベンダー",
        contract_id="CT-2026-004", contract_version=1, coverage="COVERED",
        category="住民票・戸籍", priority="P4", kind="QUESTION",
        subject="住民票の写しをコンビニで取得できますか", reason="証明書発行機の障害",
        escalation_version=2)


def test_an_engagement_holds_the_inquiry_and_its_resolution_resumes_it(
        system: RunningSystem) -> None:
    settings = system.settings
    topic = settings.topics.supplier_engagements
    iid, engagement_id = escalated_to_supplier(system)
    assert system.intake.consumer.assigned.wait(30), "no engagement partitions assigned"

    produce(settings.bootstrap(), topic, [
        opened(str(uuid4()), str(uuid4())),   # an inquiry intake does not know: skipped
        opened(iid, engagement_id),
    ])
    reply = eventually(lambda: held(system, iid))
    assert reply.inquiry.supplier_id == "SUP-住基ベンダー"
    assert reply.history[-1].event_type == "InquirySupplierEngaged"
    assert reply.history[-1].actor == "supplier-service"
    details = json.loads(reply.history[-1].details_json)
    assert details == {"engagement_id": engagement_id, "supplier_id": "SUP-住基ベンダー",
                       "contract_id": "CT-2026-004", "coverage": "COVERED", "held": True}

    produce(settings.bootstrap(), topic, [
        opened(iid, engagement_id),   # redelivered by the supplier service
        ("EngagementAcknowledged", engagement_record(
            "EngagementAcknowledged", engagement_id, iid, 2, supplier_id="SUP-住基ベンダー")),
        ("EngagementResolved", engagement_record(
            "EngagementResolved", engagement_id, iid, 3, supplier_id="SUP-住基ベンダー",
            resolution="発行機を再起動し復旧しました")),
    ])
    reply = eventually(lambda: (r := inquiry(system, iid)).inquiry.status == pb.ESCALATED
                       and r)
    assert reply.inquiry.hold_reason == 0  # none
    assert [h.event_type for h in reply.history] == [
        "InquiryReceived", "InquiryEscalated", "InquirySupplierEngaged",
        "InquirySupplierOutcomeRecorded"]
    outcome = json.loads(reply.history[-1].details_json)
    assert (outcome["outcome"], outcome["resumed"]) == ("RESOLVED", True)
    assert outcome["note"] == "発行機を再起動し復旧しました"
    eventually(lambda: system.intake.engagements.skipped == 1)

    # Both facts are published on the inquiries topic, keyed by the inquiry.
    published = [m for m in read_topic(settings.bootstrap(), settings.topics.inquiries, 4)
                 if m.key == iid.encode()]
    decoded = [default_catalog().decode(m.value) for m in published]
    assert [t for t, _ in decoded] == [
        "InquiryReceived", "InquiryEscalated", "InquirySupplierEngaged",
        "InquirySupplierOutcomeRecorded"]
    escalation = decoded[1][1]
    assert (escalation["category"], escalation["priority"], escalation["kind"]) == (
        "住民票・戸籍", "P4", "QUESTION")
    assert escalation["subject"] == "住民票の写しをコンビニで取得できますか"
    assert decoded[2][1]["held"] is True and decoded[3][1]["resumed"] is True


def test_a_stream_read_again_from_the_start_records_nothing_twice(
        system: RunningSystem) -> None:
    settings = system.settings
    topic = settings.topics.supplier_engagements
    iid, engagement_id = escalated_to_supplier(system)
    assert system.intake.consumer.assigned.wait(30), "no engagement partitions assigned"
    produce(settings.bootstrap(), topic, [
        opened(iid, engagement_id),
        ("EngagementHandedBack", engagement_record(
            "EngagementHandedBack", engagement_id, iid, 2, supplier_id="SUP-住基ベンダー",
            reason="契約の対象外です")),
    ])
    eventually(lambda: len(inquiry(system, iid).history) == 4)
    assert inquiry(system, iid).inquiry.status == pb.ESCALATED

    # Restart intake with its stored positions gone: every message comes again.
    system.intake_channel.close()
    system.intake.stop()
    db = SqlDatabase(parse_database_url(settings.database_urls["intake"]))
    try:
        with db.transaction() as cur:
            cur.execute("DELETE FROM consumer_offsets WHERE consumer = ?", (CONSUMER_NAME,))
    finally:
        db.close()
    system.intake = IntakeService(settings, address="127.0.0.1:0")
    system.intake.start()
    system.intake_channel = open_channel(system.intake.grpc.address)
    system.intake_stub = intake_pb2_grpc.IntakeServiceStub(system.intake_channel)

    eventually(lambda: system.intake.engagements.duplicates >= 2)
    reply = inquiry(system, iid)
    assert [h.event_type for h in reply.history] == [
        "InquiryReceived", "InquiryEscalated", "InquirySupplierEngaged",
        "InquirySupplierOutcomeRecorded"]
    assert reply.inquiry.status == pb.ESCALATED
    assert json.loads(reply.history[-1].details_json)["outcome"] == "HANDED_BACK"
    assert system.intake.engagements.recorded == 0

    # Escalated to a supplier again, the new engagement holds it once more.
    again = system.intake_stub.EscalateInquiry(pb.EscalateInquiryRequest(
        context=ctx(iid), target=pb.SUPPLIER, to_supplier_id="SUP-別ベンダー", reason="再依頼"))
    second = str(uuid5(ENGAGEMENT_NAMESPACE, f"{iid}/{again.inquiry.version}"))
    produce(settings.bootstrap(), topic, [opened(iid, second)])
    assert eventually(lambda: held(system, iid)).inquiry.version == 6
