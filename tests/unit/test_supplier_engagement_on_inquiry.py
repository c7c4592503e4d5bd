"""Supplier engagements on the inquiry: the supplier holds it, and its outcome resumes it.

The aggregate's rules (idempotent per engagement, hold only an open inquiry not on hold,
resume only the hold this engagement caused, any order), the application's use cases,
and the consumer of the supplier's engagement stream, on the in-memory event store and a
SQLite offsets database. No broker: messages are built the way Kafka hands them over.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4, uuid5

import pytest
from kafka import TopicPartition

from madoguchi.errors import InvalidField, NotFound
from madoguchi.eventstream.avro import UnknownSchema, default_catalog
from madoguchi.eventstream.records import event_type_name
from madoguchi.storage.offsets import ConsumerOffsets
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from services.intake.adapters.engagement_consumer import CONSUMER_NAME, EngagementConsumer
from services.intake.application.app import IntakeApplication
from services.intake.domain.inquiry import Inquiry
from services.intake.domain.values import HoldReason, Status, SupplierOutcome
from tests.support.unit_helpers import NOW, domain_meta, make_app, meta, new_inquiry, receive_cmd
from tests.support.unit_helpers import stored_count as stored

E1, E2 = "5d0c3a52-0000-4000-8000-000000000001", "5d0c3a52-0000-4000-8000-000000000002"


# ----- the aggregate -----


def escalated_to_supplier(supplier: str = "SUP-1") -> Inquiry:
    inquiry = new_inquiry()
    inquiry.escalate(target="SUPPLIER", to_tier=0, to_department="", to_supplier_id=supplier,
                     reason="製品不具合", **domain_meta())
    inquiry.collect_events()
    return inquiry


def engaged(inquiry: Inquiry, engagement_id: str = E1, supplier: str = "SUP-1") -> bool:
    return inquiry.record_supplier_engaged(engagement_id=engagement_id, supplier_id=supplier,
                                           contract_id="CT-1", coverage="COVERED",
                                           **domain_meta())


def ended(inquiry: Inquiry, engagement_id: str = E1,
          outcome: str = SupplierOutcome.RESOLVED, note: str = "設定を修正しました") -> bool:
    return inquiry.record_supplier_outcome(engagement_id=engagement_id, supplier_id="SUP-1",
                                           outcome=outcome, note=note, **domain_meta())


def test_an_engagement_puts_the_open_inquiry_on_hold_awaiting_the_supplier() -> None:
    inquiry = escalated_to_supplier()
    assert engaged(inquiry, supplier="SUP-9") is True
    (event,) = inquiry.collect_events()
    assert event_type_name(event) == "InquirySupplierEngaged"
    assert (event.engagement_id, event.supplier_id, event.contract_id, event.coverage,
            event.held) == (E1, "SUP-9", "CT-1", "COVERED", True)
    assert (inquiry.status, inquiry.hold_reason) == (Status.ON_HOLD,
                                                      HoldReason.AWAITING_SUPPLIER)
    assert inquiry.waited_on_supplier and inquiry.supplier_id == "SUP-9"
    assert inquiry.holding_engagement == E1
    assert inquiry.engagements[E1] == {"supplier_id": "SUP-9", "contract_id": "CT-1",
                                       "coverage": "COVERED", "engaged": True, "outcome": ""}


def test_a_repeated_engagement_records_nothing() -> None:
    inquiry = escalated_to_supplier()
    engaged(inquiry)
    inquiry.collect_events()
    state = dict(vars(inquiry))
    assert engaged(inquiry) is False
    assert inquiry.collect_events() == []
    assert vars(inquiry) == state


@pytest.mark.parametrize("outcome", list(SupplierOutcome))
def test_the_outcome_resumes_the_inquiry_it_held(outcome: SupplierOutcome) -> None:
    inquiry = escalated_to_supplier()
    engaged(inquiry)
    assert ended(inquiry, outcome=outcome) is True
    (_, event) = inquiry.collect_events()
    assert event_type_name(event) == "InquirySupplierOutcomeRecorded"
    assert (event.engagement_id, event.outcome, event.note, event.resumed) == (
        E1, outcome, "設定を修正しました", True)
    assert (inquiry.status, inquiry.hold_reason) == (Status.ESCALATED, "")
    assert inquiry.waited_on_supplier and inquiry.holding_engagement == ""
    assert inquiry.engagements[E1]["outcome"] == outcome
    assert ended(inquiry, outcome=outcome) is False  # a repeat
    assert ended(inquiry, outcome=SupplierOutcome.WITHDRAWN) is False  # one outcome each
    assert inquiry.collect_events() == []


def test_an_engagement_while_held_for_the_customer_does_not_take_over_the_hold() -> None:
    inquiry = escalated_to_supplier()
    inquiry.put_on_hold(reason=HoldReason.AWAITING_CUSTOMER, note="書類待ち", **domain_meta())
    assert engaged(inquiry) is True
    assert ended(inquiry) is True
    events = inquiry.collect_events()
    assert [getattr(e, "held", None) for e in events] == [None, False, None]
    assert events[-1].resumed is False
    assert (inquiry.status, inquiry.hold_reason) == (Status.ON_HOLD,
                                                      HoldReason.AWAITING_CUSTOMER)
    assert not inquiry.waited_on_supplier


def test_an_outcome_before_its_engagement_is_kept_and_holds_nothing() -> None:
    inquiry = escalated_to_supplier()
    assert ended(inquiry, outcome=SupplierOutcome.HANDED_BACK) is True
    assert inquiry.status == Status.ESCALATED
    assert engaged(inquiry) is True  # arrives late: recorded, but the engagement is over
    assert (inquiry.status, inquiry.hold_reason) == (Status.ESCALATED, "")
    outcome, engagement = inquiry.collect_events()
    assert (outcome.resumed, engagement.held) == (False, False)
    assert inquiry.engagements[E1]["engaged"] is True
    assert inquiry.engagements[E1]["outcome"] == SupplierOutcome.HANDED_BACK
    assert engaged(inquiry) is False and ended(inquiry) is False
    assert inquiry.collect_events() == []


def test_escalating_again_after_a_hand_back_opens_a_new_wait() -> None:
    inquiry = escalated_to_supplier()
    engaged(inquiry)
    ended(inquiry, outcome=SupplierOutcome.HANDED_BACK, note="対象外です")
    assert inquiry.status == Status.ESCALATED
    inquiry.escalate(target="SUPPLIER", to_tier=0, to_department="", to_supplier_id="SUP-2",
                     reason="別の保守業者へ", **domain_meta())
    assert engaged(inquiry, E2, supplier="SUP-2") is True
    assert (inquiry.status, inquiry.holding_engagement) == (Status.ON_HOLD, E2)
    assert ended(inquiry, E1) is False  # the first engagement is over already
    assert inquiry.status == Status.ON_HOLD
    assert ended(inquiry, E2) is True
    assert (inquiry.status, inquiry.escalation_count) == (Status.ESCALATED, 2)
    assert inquiry.supplier_id == "SUP-2"


def test_an_engagement_that_does_not_hold_the_inquiry_does_not_resume_it() -> None:
    inquiry = escalated_to_supplier()
    engaged(inquiry, E1)
    assert engaged(inquiry, E2) is True  # already on hold for E1: not held by E2
    assert ended(inquiry, E2) is True
    assert (inquiry.status, inquiry.holding_engagement) == (Status.ON_HOLD, E1)
    assert ended(inquiry, E1) is True
    assert inquiry.status == Status.ESCALATED
    events = inquiry.collect_events()
    assert [e.held for e in events if hasattr(e, "held")] == [True, False]
    assert [e.resumed for e in events if hasattr(e, "resumed")] == [False, True]


def test_a_hold_staff_ended_is_not_resumed_again_by_the_outcome() -> None:
    inquiry = escalated_to_supplier()
    engaged(inquiry)
    inquiry.resume(note="先に進めます", **domain_meta())
    inquiry.put_on_hold(reason=HoldReason.AWAITING_SUPPLIER, note="手動", **domain_meta())
    assert ended(inquiry) is True
    assert (inquiry.status, inquiry.hold_reason) == (Status.ON_HOLD,
                                                      HoldReason.AWAITING_SUPPLIER)
    assert inquiry.collect_events()[-1].resumed is False


def test_resolving_while_the_supplier_holds_it_then_the_withdrawal_is_kept() -> None:
    inquiry = escalated_to_supplier()
    engaged(inquiry)
    inquiry.resolve(resolution_code="WORKAROUND", resolution_text="回避策を案内",
                    faq_entry_id="", **domain_meta())
    assert (inquiry.status, inquiry.hold_reason, inquiry.holding_engagement) == (
        Status.RESOLVED, "", "")
    assert inquiry.resolved_at_first_contact is False
    assert ended(inquiry, outcome=SupplierOutcome.WITHDRAWN, note="窓口で解決済み") is True
    assert inquiry.status == Status.RESOLVED
    assert inquiry.collect_events()[-1].resumed is False
    inquiry.close(**domain_meta())
    assert engaged(inquiry, E2) is True  # a closed inquiry keeps the fact, and stays closed
    assert inquiry.status == Status.CLOSED
    assert inquiry.collect_events()[-1].held is False


def test_a_reopened_inquiry_is_not_held_by_a_finished_engagement() -> None:
    inquiry = escalated_to_supplier()
    engaged(inquiry)
    inquiry.resolve(resolution_code="FIXED", resolution_text="直りました", faq_entry_id="",
                    **domain_meta())
    inquiry.reopen(reason="再発", **domain_meta())
    assert ended(inquiry, outcome=SupplierOutcome.WITHDRAWN) is True
    assert inquiry.status == Status.ESCALATED
    assert inquiry.collect_events()[-1].resumed is False


# ----- the application -----


def app_with_inquiry() -> tuple[IntakeApplication, str]:
    app = make_app()
    iid = str(app.receive_inquiry(receive_cmd(key=f"k-{uuid4()}")).aggregate.id)
    app.escalate(iid, 0, meta(), "SUPPLIER", 0, "", "SUP-1", "製品不具合")
    return app, iid


def test_the_application_records_engagements_once() -> None:
    app, iid = app_with_inquiry()
    m = meta(actor="supplier-service", occurred_at=NOW - timedelta(minutes=1))
    first = app.record_supplier_engaged(iid, m, E1, "SUP-1", "CT-1", "COVERED")
    assert not first.replayed and first.aggregate.status == Status.ON_HOLD
    count = stored(app)
    again = app.record_supplier_engaged(iid, m, E1, "SUP-1", "CT-1", "COVERED")
    assert again.replayed and stored(app) == count
    done = app.record_supplier_outcome(iid, m, E1, "SUP-1", "RESOLVED", "交換しました")
    assert not done.replayed and done.aggregate.status == Status.ESCALATED
    assert app.record_supplier_outcome(iid, m, E1, "SUP-1", "RESOLVED", "").replayed
    assert stored(app) == count + 1
    history = app.history(iid)
    assert [h.event_type for h in history][-2:] == ["InquirySupplierEngaged",
                                                    "InquirySupplierOutcomeRecorded"]
    assert history[-1].actor == "supplier-service"
    assert history[-1].details["note"] == "交換しました" and history[-1].details["resumed"]
    replayed = app.repository.get(UUID(iid))
    assert vars(replayed) == vars(done.aggregate)


def test_the_application_refuses_what_cannot_be_recorded() -> None:
    app, iid = app_with_inquiry()
    with pytest.raises(NotFound):
        app.record_supplier_engaged(str(uuid4()), meta(), E1, "SUP-1", "", "NO_CONTRACT")
    with pytest.raises(InvalidField) as error:
        app.record_supplier_outcome(iid, meta(), "", "SUP-1", "DONE", "")
    assert {name for name, _ in error.value.violations} == {"engagement_id", "outcome"}
    with pytest.raises(InvalidField):
        app.record_supplier_engaged("not-a-uuid", meta(), E1, "SUP-1", "", "")


def test_escalations_stored_before_the_packet_read_it_as_empty() -> None:
    app, iid = app_with_inquiry()
    (stored_event,) = app.recorder.select_events(UUID(iid), gt=1, lte=2)
    state = app.mapper.transcoder.decode(stored_event.state)
    for name in ("class_version", "category", "priority", "kind", "subject"):
        state.pop(name)
    old = dataclasses.replace(stored_event, state=app.mapper.transcoder.encode(state))
    event = app.mapper.to_domain_event(old)
    assert (event.category, event.priority, event.kind, event.subject) == ("", "", "", "")
    assert event.to_supplier_id == "SUP-1"


# ----- the consumer of the supplier's engagement stream -----


@dataclass
class Message:
    """What kafka-python hands over: offset, key, value."""

    offset: int
    key: bytes | None
    value: bytes


def engagement_record(event_type: str, engagement_id: str, inquiry_id: str, version: int = 1,
                      occurred_at: datetime | None = None, **fields: Any) -> dict[str, Any]:
    """A complete Engagement* record: the envelope, the given fields, the rest empty."""
    schema = default_catalog().schema(event_type)
    moment = occurred_at or datetime.now(UTC)
    record: dict[str, Any] = {
        "event_id": uuid5(UUID(engagement_id), str(version)), "aggregate_id": engagement_id,
        "aggregate_version": version, "recorded_at": moment, "occurred_at": moment,
        "actor": "supplier-desk", "correlation_id": "corr-sup",
        "engagement_id": engagement_id, "inquiry_id": inquiry_id,
    }
    for field in schema["fields"]:
        if field["name"] not in record:
            record[field["name"]] = fields.get(
                field["name"], 0 if field["type"] in ("long", "int") else "")
    return record


def encoded(event_type: str, engagement_id: str, inquiry_id: str, **fields: Any) -> bytes:
    return default_catalog().encode(
        event_type, engagement_record(event_type, engagement_id, inquiry_id, **fields))


def opened(engagement_id: str, inquiry_id: str) -> bytes:
    return encoded("EngagementOpened", engagement_id, inquiry_id, supplier_id="SUP-1",
                   contract_id="CT-1", contract_version=2, coverage="COVERED",
                   category="account", priority="P3", kind="QUESTION",
                   subject="パスワードを忘れました", escalation_version=2)


@pytest.fixture
def consumer(tmp_path: Path) -> Any:
    app, iid = app_with_inquiry()
    db = SqlDatabase(parse_database_url(f"sqlite:///{tmp_path / 'intake.db'}"))
    handler = EngagementConsumer(app, ConsumerOffsets(db, CONSUMER_NAME))
    yield handler, app, iid
    db.close()


TP = TopicPartition("engagements", 1)


def feed(handler: EngagementConsumer, values: list[bytes], first_offset: int = 0) -> None:
    handler.handle("cluster-1", TP, [Message(first_offset + n, b"k", v)
                                     for n, v in enumerate(values)])


def test_the_consumer_holds_and_resumes_the_inquiry(consumer: Any) -> None:
    handler, app, iid = consumer
    feed(handler, [opened(E1, iid)])
    inquiry = app.get_inquiry(iid)
    assert (inquiry.status, inquiry.hold_reason) == (Status.ON_HOLD,
                                                     HoldReason.AWAITING_SUPPLIER)
    assert handler.stored_offsets("cluster-1", [TP]) == {TP: 1}
    feed(handler, [
        encoded("EngagementAcknowledged", E1, iid, supplier_id="SUP-1"),  # not the inquiry's
        encoded("EngagementResolved", E1, iid, supplier_id="SUP-1", resolution="再起動で復旧"),
    ], first_offset=1)
    inquiry = app.get_inquiry(iid)
    assert (inquiry.status, inquiry.hold_reason) == (Status.ESCALATED, "")
    last = app.history(iid)[-1]
    assert (last.event_type, last.actor) == ("InquirySupplierOutcomeRecorded",
                                             "supplier-service")
    assert (last.details["outcome"], last.details["note"]) == ("RESOLVED", "再起動で復旧")
    assert last.details["engagement_id"] == E1 and last.details["resumed"] is True
    assert handler.stored_offsets("cluster-1", [TP]) == {TP: 3}
    assert (handler.recorded, handler.duplicates) == (2, 0)


@pytest.mark.parametrize(("event_type", "note_field", "outcome"), [
    ("EngagementHandedBack", "reason", "HANDED_BACK"),
    ("EngagementWithdrawn", "reason", "WITHDRAWN"),
])
def test_each_ending_is_recorded_with_its_note(consumer: Any, event_type: str,
                                               note_field: str, outcome: str) -> None:
    handler, app, iid = consumer
    feed(handler, [opened(E1, iid), encoded(event_type, E1, iid, supplier_id="SUP-1",
                                            **{note_field: "理由あり"})])
    last = app.history(iid)[-1]
    assert (last.details["outcome"], last.details["note"]) == (outcome, "理由あり")
    assert app.get_inquiry(iid).status == Status.ESCALATED


def test_a_redelivered_batch_records_nothing_twice(consumer: Any) -> None:
    handler, app, iid = consumer
    batch = [opened(E1, iid), encoded("EngagementResolved", E1, iid, resolution="済")]
    feed(handler, batch)
    count = stored(app)
    feed(handler, batch)   # redelivered from the start (a crash before the offset)
    feed(handler, [opened(E1, iid)], first_offset=5)  # the supplier republished it
    assert stored(app) == count
    assert (handler.recorded, handler.duplicates) == (2, 3)
    assert app.get_inquiry(iid).status == Status.ESCALATED
    assert handler.stored_offsets("cluster-1", [TP]) == {TP: 6}


def test_unknown_inquiries_are_skipped_and_undecodable_messages_set_aside(
        consumer: Any) -> None:
    handler, app, iid = consumer
    feed(handler, [opened(E2, str(uuid4())), opened(E1, iid)[:-7], b"not avro",
                   opened(E1, iid)])
    assert (handler.skipped, handler.rejected, handler.recorded) == (1, 2, 1)
    assert app.get_inquiry(iid).status == Status.ON_HOLD
    assert handler.stored_offsets("cluster-1", [TP]) == {TP: 4}
    rows = handler.offsets.db.query(
        "SELECT message_offset, reason FROM rejected_messages ORDER BY message_offset")
    assert [offset for offset, _ in rows] == [1, 2]


def test_an_unknown_schema_stops_the_partition(consumer: Any) -> None:
    handler, _, _ = consumer
    with pytest.raises(UnknownSchema):
        feed(handler, [b"\xc3\x01" + b"\x00" * 8 + b"body"])
    assert handler.stored_offsets("cluster-1", [TP]) == {}

