"""From gRPC intake through the relay and Kafka into the inquiry read model.

Covers per-inquiry order, Avro framing and headers on the topic, queries with filters and
paging, redelivered and replayed messages, a broker outage and a broker replaced by an
empty one. Real broker over TCP, real databases (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from kafka import KafkaConsumer, KafkaProducer

from madoguchi.api.intake.v1 import intake_pb2 as pb
from madoguchi.api.projections.v1 import projections_pb2 as qpb
from madoguchi.broker import EmbeddedBroker
from madoguchi.eventstream.avro import default_catalog
from tests.conftest import free_port
from tests.support.databases import database_urls
from tests.support.requests import ctx, receive_request, ts
from tests.support.system import RunningSystem, eventually, make_settings
from tests.support.tcp_proxy import TcpProxy


def read_topic(bootstrap: str, topic: str, expected: int, timeout: float = 30) -> list:
    """Every message of ``topic`` from the beginning, read by a plain Kafka client."""
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             fetch_max_wait_ms=5, consumer_timeout_ms=500)
    messages: list = []
    try:
        eventually(lambda: messages.extend(consumer) or len(messages) >= expected, timeout)
    finally:
        consumer.close()
    return messages


def view(system: RunningSystem, inquiry_id: str) -> qpb.InquiryView:
    return system.query_stub.GetInquiry(qpb.GetInquiryRequest(inquiry_id=inquiry_id))


def wait_for_version(system: RunningSystem, inquiry_id: str, version: int,
                     timeout: float = 30) -> qpb.InquiryView:
    return eventually(lambda: (v := view(system, inquiry_id)).version == version and v, timeout)


def live_inquiry(system: RunningSystem, **overrides: object) -> str:
    """Receive, respond, escalate and hold an inquiry; return its id (version 4)."""
    stub = system.intake_stub
    iid = stub.ReceiveInquiry(receive_request(**overrides)).inquiry.inquiry_id
    stub.RecordFirstResponse(pb.RecordFirstResponseRequest(context=ctx(iid)))
    stub.EscalateInquiry(pb.EscalateInquiryRequest(
        context=ctx(iid), target=pb.DEPARTMENT, to_department="税務課", reason="税額の確認"))
    stub.PutOnHold(pb.PutOnHoldRequest(context=ctx(iid), reason=pb.AWAITING_CUSTOMER))
    return iid


def test_events_reach_the_topic_in_order_with_avro_framing_and_headers(
        system: RunningSystem) -> None:
    ids = [live_inquiry(system) for _ in range(3)]
    messages = read_topic(system.settings.bootstrap(), system.settings.topics.inquiries, 12)
    catalog = default_catalog()
    versions: dict[str, list[int]] = defaultdict(list)
    for message in messages:
        headers = {k: v.decode() for k, v in message.headers}
        event_type, record = catalog.decode(message.value)
        assert message.value[:2] == b"\xc3\x01"
        assert message.key.decode() == headers["aggregate_id"] == str(record["aggregate_id"])
        assert headers["event_type"] == event_type
        assert headers["schema"] == catalog.schema_ref(event_type)
        assert int(headers["aggregate_version"]) == record["aggregate_version"]
        versions[message.key.decode()].append(record["aggregate_version"])
    assert sorted(versions) == sorted(ids)
    assert all(v == [1, 2, 3, 4] for v in versions.values())


def test_the_read_model_follows_the_inquiry_life(system: RunningSystem) -> None:
    system.start_projections()
    iid = live_inquiry(system)
    got = wait_for_version(system, iid, 4)
    assert (got.status, got.tier, got.escalation_count) == ("ON_HOLD", 1, 1)
    assert got.subject == "住民票の写しをコンビニで取得できますか"
    assert [t.event_type for t in got.timeline] == [
        "InquiryReceived", "InquiryFirstResponseRecorded", "InquiryEscalated",
        "InquiryPutOnHold"]
    stub = system.intake_stub
    stub.ResumeInquiry(pb.ResumeInquiryRequest(context=ctx(iid)))
    stub.ResolveInquiry(pb.ResolveInquiryRequest(context=ctx(iid), resolution_code="DONE",
                                                 resolution_text="税務課が回答"))
    stub.RecordSatisfaction(pb.RecordSatisfactionRequest(context=ctx(iid), score=6))
    got = wait_for_version(system, iid, 7)
    assert (got.status, got.satisfaction_score, got.has_satisfaction) == ("RESOLVED", 6, True)
    assert got.resolved_at.ToDatetime() is not None and not got.resolved_at_first_contact


def test_the_read_model_takes_a_changed_priority(system: RunningSystem) -> None:
    system.start_projections()
    iid = live_inquiry(system)  # LOW × MEDIUM: P4, on hold at version 4
    system.intake_stub.ChangePriority(pb.ChangePriorityRequest(
        context=ctx(iid), impact=pb.HIGH, urgency=pb.MEDIUM, reason="同じ地区から苦情が続いている"))
    got = wait_for_version(system, iid, 5)
    assert (got.priority, got.status) == ("P2", "ON_HOLD")
    entry = got.timeline[-1]
    assert (entry.version, entry.event_type, entry.actor) == (
        5, "InquiryPriorityChanged", "operator-01")
    assert json.loads(entry.details_json) == {
        "impact": "HIGH", "urgency": "MEDIUM", "priority": "P2", "previous_priority": "P4",
        "reason": "同じ地区から苦情が続いている"}


def test_list_filters_and_pages(system: RunningSystem) -> None:
    system.start_projections()
    base = datetime.now(UTC) - timedelta(hours=3)
    stub = system.intake_stub
    ids = []
    for n in range(7):
        channel, category = (pb.EMAIL, "税") if n % 2 else (pb.PHONE, "ごみ・リサイクル")
        ids.append(stub.ReceiveInquiry(receive_request(
            channel=channel, category=category,
            contacted_at=ts(base + timedelta(minutes=n)))).inquiry.inquiry_id)
    eventually(lambda: system.query_stub.ListInquiries(
        qpb.ListInquiriesRequest()).total_size == 7)
    taxes = system.query_stub.ListInquiries(qpb.ListInquiriesRequest(category="税"))
    assert taxes.total_size == 3 and {v.channel for v in taxes.inquiries} == {"EMAIL"}
    phones = system.query_stub.ListInquiries(qpb.ListInquiriesRequest(channel=["PHONE"]))
    assert phones.total_size == 4
    window = system.query_stub.ListInquiries(qpb.ListInquiriesRequest(
        received_from=ts(base + timedelta(minutes=2)),
        received_to=ts(base + timedelta(minutes=5))))
    assert window.total_size == 3
    seen: list[str] = []
    token = ""
    while True:
        page = system.query_stub.ListInquiries(qpb.ListInquiriesRequest(page_size=3,
                                                                        page_token=token))
        seen += [v.inquiry_id for v in page.inquiries]
        token = page.next_page_token
        if not token:
            break
    assert seen == list(reversed(ids))  # newest first, each exactly once


def test_bad_queries_are_invalid_argument(system: RunningSystem) -> None:
    system.start_projections(wait_assigned=False)
    for request, field in [
        (qpb.ListInquiriesRequest(status=["OPEN"]), "status"),
        (qpb.ListInquiriesRequest(page_size=501), "page_size"),
        (qpb.ListInquiriesRequest(page_token="@@@"), "page_token"),
    ]:
        with pytest.raises(grpc.RpcError) as caught:
            system.query_stub.ListInquiries(request)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field in caught.value.details()
    with pytest.raises(grpc.RpcError) as caught:
        system.query_stub.GetInquiry(qpb.GetInquiryRequest(inquiry_id=str(uuid.uuid4())))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_redelivered_messages_never_double_apply(system: RunningSystem) -> None:
    projections = system.start_projections()
    iid = live_inquiry(system)
    system.intake_stub.LogContact(pb.LogContactRequest(
        context=ctx(iid), idempotency_key="tel-2", channel=pb.PHONE, note="再度の電話"))
    before = wait_for_version(system, iid, 5)
    assert before.contact_count == 2
    # Redeliver: publish every message of the topic a second time, as a relay retry would.
    messages = read_topic(system.settings.bootstrap(), system.settings.topics.inquiries, 5)
    producer = KafkaProducer(bootstrap_servers=system.settings.bootstrap(), acks="all")
    for message in messages:
        producer.send(message.topic, key=message.key, value=message.value,
                      headers=message.headers)
    producer.flush()
    producer.close()
    eventually(lambda: projections.projector.duplicates >= len(messages))
    after = view(system, iid)
    assert (after.version, after.contact_count, len(after.timeline)) == (5, 2, 5)


def test_replay_from_the_beginning_rebuilds_the_same_state(system: RunningSystem) -> None:
    system.start_projections()
    ids = [live_inquiry(system) for _ in range(2)]
    before = [wait_for_version(system, iid, 4) for iid in ids]
    system.stop_projections()
    # Forget every stored offset: the consumer re-reads the topics from the start.
    from madoguchi.storage.sql import SqlDatabase
    from madoguchi.storage.urls import parse_database_url

    db = SqlDatabase(parse_database_url(system.settings.database_urls["projections"]))
    with db.transaction() as cur:
        cur.execute("DELETE FROM consumer_offsets")
    db.close()
    projections = system.start_projections()
    eventually(lambda: projections.projector.duplicates >= 8)
    after = [view(system, iid) for iid in ids]
    assert [a.SerializeToString() for a in after] == [b.SerializeToString() for b in before]


def test_intake_keeps_accepting_during_a_broker_outage_and_nothing_is_lost(
        store: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    proxy_port = free_port()
    own_broker = EmbeddedBroker(free_port(), advertised_port=proxy_port)
    own_broker.start()
    proxy = TcpProxy(proxy_port, ("127.0.0.1", own_broker.port))
    proxy.start()
    settings = make_settings(tmp_path, f"127.0.0.1:{proxy_port}",
                             database_urls(store, tmp_path, request), uuid.uuid4().hex[:8])
    system = RunningSystem(settings, group_id="outage")
    try:
        system.start_projections()
        first = live_inquiry(system)
        wait_for_version(system, first, 4)

        proxy.cut()
        during = [live_inquiry(system, subject=f"障害中の問い合わせ {n}") for n in range(3)]
        system.intake_stub.LogContact(pb.LogContactRequest(
            context=ctx(first), idempotency_key="during-outage", channel=pb.EMAIL))
        # Accepted and durable, but not yet published: the read model cannot have it.
        with pytest.raises(grpc.RpcError) as caught:
            view(system, during[0])
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND
        proxy.start()

        views = [wait_for_version(system, iid, 4) for iid in during]
        assert all(v.status == "ON_HOLD" for v in views)
        assert wait_for_version(system, first, 5).contact_count == 2
        messages = read_topic(settings.bootstrap(), settings.topics.inquiries, 17)
        versions: dict[bytes, list[int]] = defaultdict(list)
        for message in messages:
            versions[message.key].append(int(dict(message.headers)["aggregate_version"]))
        for key, seen in versions.items():
            assert sorted(set(seen)) == list(range(1, max(seen) + 1)), key
            firsts = [seen.index(v) for v in sorted(set(seen))]
            assert firsts == sorted(firsts), f"out of order for {key!r}: {seen}"
    finally:
        system.stop()
        proxy.cut()
        own_broker.stop()


def test_an_empty_replacement_broker_gets_every_event_again(
        store: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    port = free_port()
    first_broker = EmbeddedBroker(port)
    first_broker.start()
    settings = make_settings(tmp_path, first_broker.bootstrap,
                             database_urls(store, tmp_path, request), uuid.uuid4().hex[:8])
    system = RunningSystem(settings, group_id="replacement")
    second_broker = EmbeddedBroker(port)
    try:
        system.start_projections()
        ids = [live_inquiry(system) for _ in range(2)]
        for iid in ids:
            wait_for_version(system, iid, 4)
        # Nothing is restarted: the relay and the consumer notice the new cluster by
        # themselves, the relay publishes everything again and the consumer reads it.
        first_broker.stop()
        second_broker.start()  # same address, new cluster id, nothing stored
        later = live_inquiry(system)
        assert wait_for_version(system, later, 4, timeout=60).status == "ON_HOLD"
        assert [view(system, iid).version for iid in ids] == [4, 4]
        messages = read_topic(settings.bootstrap(), settings.topics.inquiries, 12)
        assert {m.key.decode() for m in messages} == {*ids, later}
    finally:
        system.stop()
        second_broker.stop()
        first_broker.stop()
