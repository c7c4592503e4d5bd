"""The supplier application on SQLite and PostgreSQL, and its stream handler fed Avro records.

No broker: records are encoded with the schema catalog exactly as the relay publishes
them and handed to the handler in batches, redelivered and with garbage in between.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4, uuid5

import pytest
from kafka import TopicPartition

from madoguchi.config import Topics
from madoguchi.errors import (
    IdempotencyKeyReused,
    InvalidField,
    NotFound,
    TransitionNotAllowed,
    Unauthenticated,
    VersionConflict,
)
from madoguchi.eventstream.avro import default_catalog
from madoguchi.eventstream.records import event_id_for
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from services.supplier.adapters.stream_handler import SupplierStreamHandler
from services.supplier.application.app import SupplierApplication
from services.supplier.application.base import Meta
from services.supplier.application.expiry import ExpiryWatcher
from services.supplier.application.views import ContactView
from services.supplier.main import build_application
from tests.support.contract_terms import terms
from tests.support.databases import database_urls

T0 = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)      # 12:00 Tokyo
M = Meta(actor="admin", correlation_id="c-1")
SUP = "kcc-operator"


class Harness:
    def __init__(self, url: str) -> None:
        self.url = url
        self.now = T0
        self.app = self.open()

    def open(self) -> SupplierApplication:
        parsed = parse_database_url(self.url)
        return build_application(parsed.eventsourcing_env(), clock=lambda: self.now,
                                 db=SqlDatabase(parsed))

    def close(self) -> None:
        self.app.close()


@pytest.fixture
def h(store: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Harness]:
    harness = Harness(database_urls(store, tmp_path, request)["supplier"])
    yield harness
    harness.close()


def setup_contract(h: Harness, **changes: Any) -> None:
    h.app.register_supplier(SUP, "KCCオペレーター", ["コールセンター運営"],
                            [ContactView("エスカレーション窓口", "ESCALATION")], M)
    h.app.register_contract("KCC-2026", SUP, terms(**changes), M)


def escalate(h: Harness, inquiry: str = "", version: int = 3, category: str = "税",
             supplier: str = SUP):
    return h.app.open_engagement(inquiry or str(uuid4()), version, supplier, category, "P1",
                                 "INCIDENT", "住民税の通知が届かない", "委託先対応", h.now)


def test_registration_is_idempotent_and_conflicts_are_named(h: Harness) -> None:
    setup_contract(h)
    view, replayed = h.app.register_supplier(
        SUP, "KCCオペレーター", ["コールセンター運営"],
        [ContactView("エスカレーション窓口", "ESCALATION")], M)
    assert replayed and view.version == 1
    with pytest.raises(IdempotencyKeyReused):
        h.app.register_supplier(SUP, "別名", [], [], M)
    _, replayed = h.app.register_contract("KCC-2026", SUP, terms(), M)
    assert replayed
    with pytest.raises(IdempotencyKeyReused):
        h.app.register_contract("KCC-2026", SUP, terms(title="別"), M)
    with pytest.raises(InvalidField) as error:
        h.app.register_contract("KCC-X", SUP, terms(
            targets=[{"priority": "P1", "acknowledge_minutes": "soon"}]), M)
    assert error.value.violations[0][0] == "terms.targets[0].acknowledge_minutes"
    amended = h.app.amend_contract("KCC-2026", terms(title="改定"), M, expected_version=1)
    again = h.app.amend_contract("KCC-2026", terms(title="改定"), M, expected_version=1)
    assert amended.version == again.version == 2
    with pytest.raises(VersionConflict):
        h.app.amend_contract("KCC-2026", terms(title="三版"), M, expected_version=1)
    assert h.app.get_contract("KCC-2026", version=1).terms["title"] == \
        "コールセンター運営業務委託"
    assert [c.version for c in h.app.contract_history("KCC-2026")] == [1, 2]
    assert [s.supplier_id for s in h.app.list_suppliers()] == [SUP]
    assert [c.contract_id for c in h.app.list_contracts(supplier_id=SUP)] == ["KCC-2026"]


def test_a_replayed_escalation_opens_one_engagement_with_the_pinned_terms(h: Harness) -> None:
    setup_contract(h)
    inquiry = str(uuid4())
    first = escalate(h, inquiry)
    second = escalate(h, inquiry)
    assert first.engagement_id == second.engagement_id
    assert (first.coverage, first.contract_id, first.contract_version) == ("COVERED",
                                                                           "KCC-2026", 1)
    page = h.app.list_engagements(inquiry_id=inquiry)
    assert [e.engagement_id for e in page.items] == [first.engagement_id]
    gap = escalate(h, category="ごみ")
    assert gap.coverage == "NO_CONTRACT" and "ごみ" in gap.gap_reason
    unknown = escalate(h, supplier="nobody")
    assert unknown.coverage == "UNKNOWN_SUPPLIER"
    h.app.retire_supplier(SUP, M)
    h.now += timedelta(minutes=1)
    assert escalate(h).coverage == "SUPPLIER_RETIRED"


def test_callers_see_only_their_own_engagements(h: Harness) -> None:
    setup_contract(h)
    view = escalate(h)
    with pytest.raises(NotFound) as other:
        h.app.acknowledge("other-supplier", view.engagement_id, "", M)
    with pytest.raises(NotFound) as missing:
        h.app.get_engagement(str(uuid4()), caller=SUP)
    assert str(other.value) == f"engagement {view.engagement_id} not found"   # as if missing
    assert "not found" in str(missing.value)
    with pytest.raises(Unauthenticated):
        h.app.acknowledge("", view.engagement_id, "", M)
    acked = h.app.acknowledge(SUP, view.engagement_id, "受領しました", M)
    assert acked.status == "ACKNOWLEDGED"
    assert h.app.acknowledge(SUP, view.engagement_id, "受領しました", M).version == acked.version
    noted = h.app.add_progress_note(SUP, view.engagement_id, "n-1", "調査中", M)
    assert h.app.add_progress_note(SUP, view.engagement_id, "n-1", "調査中", M).version == \
        noted.version
    with pytest.raises(IdempotencyKeyReused):
        h.app.add_progress_note(SUP, view.engagement_id, "n-1", "違う", M)
    done = h.app.resolve(SUP, view.engagement_id, "再送しました", M)
    assert done.status == "RESOLVED" and done.closed_at is not None
    assert h.app.resolve(SUP, view.engagement_id, "再送しました", M).version == done.version
    with pytest.raises(TransitionNotAllowed):
        h.app.hand_back(SUP, view.engagement_id, "範囲外", M)
    assert [n.kind for n in h.app.get_engagement(view.engagement_id).notes] == [
        "OPENED", "ACKNOWLEDGED", "PROGRESS", "RESOLVED"]


def test_pages_filters_and_dependency_risk(h: Harness) -> None:
    setup_contract(h, covers=[])
    h.app.register_supplier("hw-maint", "保守", [], [], M)
    for i in range(5):
        h.now = T0 + timedelta(minutes=i)
        escalate(h, category="税")
    escalate(h, category="道路", supplier="hw-maint")
    escalate(h, category="道路")
    seen: list[str] = []
    token = ""
    while True:
        page = h.app.list_engagements(page_size=2, page_token=token)
        seen += [e.engagement_id for e in page.items]
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == len(set(seen)) == 7
    assert len(h.app.list_engagements(supplier_id="hw-maint").items) == 1
    with pytest.raises(InvalidField):
        h.app.list_engagements(page_token="garbage!")
    risks = {r.category: r for r in h.app.dependency_risk(threshold=0.9)}
    assert risks["税"].single_supplier and risks["税"].engagements == 5
    assert not risks["道路"].single_supplier and risks["道路"].top_share == 0.5
    assert h.app.dependency_risk(since=T0 + timedelta(hours=1)) == []


def test_penalties_per_started_hour_with_cap(h: Harness) -> None:
    setup_contract(h, penalty={"rule": "PER_STARTED_HOUR", "amount": 10_000,
                               "currency": "JPY", "monthly_cap": 35_000})
    view = escalate(h)
    e = view.engagement_id
    breach = h.app.accrue_penalty(signal_id="b", engagement_id=e, target="ACKNOWLEDGE",
                                  cycle=1, stopped=False, breached_at=T0)
    assert breach is not None and breach.units == 1 and breach.amount_accrued == 10_000
    assert h.app.accrue_penalty(signal_id="b", engagement_id=e, target="ACKNOWLEDGE",
                                cycle=1, stopped=False, breached_at=T0) is None
    stop = h.app.accrue_penalty(signal_id="s", engagement_id=e, target="ACKNOWLEDGE", cycle=1,
                                stopped=True, breached_at=T0, elapsed_seconds=1800 + 3 * 3600 + 1,
                                target_seconds=1800)
    assert stop is not None and stop.units == 4 and stop.amount_due == 30_000
    assert stop.amount_accrued == 25_000 and stop.capped
    month = h.app.penalties(contract_id="KCC-2026")
    assert len(month) == 1 and month[0].month == "2026-05"
    assert (month[0].total, month[0].total_before_cap, month[0].monthly_cap) == (35_000,
                                                                                40_000, 35_000)
    assert len(h.app.get_engagement(e).penalties) == 2


def test_the_index_survives_a_crash_between_its_writes_and_its_position(h: Harness) -> None:
    setup_contract(h)
    inquiry = str(uuid4())
    view = escalate(h, inquiry)
    h.app.accrue_penalty(signal_id="b", engagement_id=view.engagement_id, target="RESOLVE",
                         cycle=1, stopped=False, breached_at=T0)
    assert len(h.app.list_engagements().items) == 1
    # Crash after rows but before the position: the next catch-up repeats the batch.
    with h.app.db.transaction() as cur:
        cur.execute("UPDATE supplier_index_position SET position = 0")
    h.app.close()
    h.app = h.open()
    assert len(h.app.list_engagements().items) == 1
    assert len(h.app.penalties()) == 1 and len(h.app.penalties()[0].lines) == 1
    assert h.app.withdraw_open_engagements(inquiry, "closed", h.now) == 1
    assert h.app.withdraw_open_engagements(inquiry, "closed", h.now) == 0
    assert h.app.list_engagements(status="WITHDRAWN").items[0].engagement_id == \
        view.engagement_id


def test_expiry_watcher_warns_once(h: Harness) -> None:
    setup_contract(h)
    h.now = datetime(2027, 2, 1, tzinfo=UTC)
    watcher = ExpiryWatcher(h.app, interval_seconds=0.05)
    watcher.start()
    try:
        deadline = datetime.now(UTC) + timedelta(seconds=5)
        while watcher.raised < 1 and datetime.now(UTC) < deadline:
            watcher.idle(0.05)
    finally:
        watcher.stop()
    assert watcher.raised == 1
    assert h.app.get_contract("KCC-2026").expiry_warned
    assert h.app.list_contracts(expiring_within_days=90, at=h.now)[0].contract_id == "KCC-2026"


# ----- the stream handler -----

@dataclass
class Message:
    offset: int
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]] | None = None


def envelope(aggregate_id: str, version: int, at: datetime) -> dict[str, Any]:
    uid = UUID(aggregate_id)
    return {"event_id": event_id_for(uid, version), "aggregate_id": uid,
            "aggregate_version": version, "recorded_at": at, "occurred_at": at,
            "actor": "agent-7", "correlation_id": "corr"}


def escalated(inquiry: str, version: int, at: datetime, supplier: str = SUP) -> dict[str, Any]:
    return {**envelope(inquiry, version, at), "target": "SUPPLIER", "from_tier": 1,
            "to_tier": 1, "from_department": "", "to_department": "",
            "to_supplier_id": supplier, "reason": "委託先へ", "category": "税",
            "priority": "P1", "kind": "INCIDENT", "subject": "通知が届かない"}


def test_stream_handler_opens_withdraws_and_accrues(h: Harness) -> None:
    setup_contract(h)
    catalog = default_catalog()
    topics = Topics()
    handler = SupplierStreamHandler(h.app, h.app.db, topics)
    part = TopicPartition(topics.inquiries, 0)
    inquiry = str(uuid4())
    records = [
        Message(0, inquiry.encode(), catalog.encode("InquiryEscalated",
                                                    escalated(inquiry, 3, T0))),
        Message(1, b"x", b"not avro"),
        Message(2, inquiry.encode(), catalog.encode("InquiryEscalated",
                                                    escalated(inquiry, 3, T0))),  # replayed
    ]
    handler.handle("cluster", part, records)
    handler.handle("cluster", part, records)                  # redelivered
    page = h.app.list_engagements(inquiry_id=inquiry)
    assert len(page.items) == 1 and page.items[0].priority == "P1"
    assert handler.stored_offsets("cluster", [part]) == {part: 3}
    assert h.app.db.query("SELECT COUNT(*) FROM rejected_messages")[0][0] == 1
    engagement_id = page.items[0].engagement_id

    # A supplier clock's breach (as the SLA monitor's signal decodes, scope SUPPLIER).
    signal = uuid5(UUID(inquiry), "breach")
    breach = {**envelope(str(signal), 1, T0), "inquiry_id": inquiry, "target": "ACKNOWLEDGE",
              "cycle": 1, "due_at": T0, "target_seconds": 1800, "team": "", "reminder_minutes": 0,
              "context": {"scope": "SUPPLIER", "engagement_id": engagement_id,
                          "supplier_id": SUP, "contract_id": "KCC-2026"}}
    assert handler.apply("SlaBreached", breach)
    assert handler.apply("SlaBreached", breach)               # again: nothing new
    assert h.app.penalties()[0].total == 50_000
    customer = {**breach, "context": {"agreement_id": "a", "agreement_version": "1",
                                      "priority": "P1", "kind": "", "category": "",
                                      "department": "", "subject": "", "team": ""}}
    sla_part = TopicPartition(topics.sla_signals, 0)
    handler.handle("cluster", sla_part, [Message(0, inquiry.encode(),
                                                 catalog.encode("SlaBreached", customer))])
    assert h.app.penalties()[0].total == 50_000               # a customer clock: no penalty
    # As the monitor publishes it: the v2 record, its context naming scope and engagement.
    h.app.register_contract("KCC-OTHER", SUP, terms(covers=["ごみ"]), M)
    other = escalate(h, category="ごみ")
    context = {**customer["context"], "scope": "SUPPLIER",
               "engagement_id": other.engagement_id,
               "breached_at": "2026-06-01T00:00:00+00:00"}
    handler.handle("cluster", sla_part, [Message(
        1, other.inquiry_id.encode(),
        catalog.encode("SlaBreached", {**customer, "context": context}))])
    june = h.app.penalties(contract_id="KCC-OTHER")
    assert [(p.month, p.total) for p in june] == [("2026-06", 50_000)]

    resolved = {**envelope(inquiry, 7, T0 + timedelta(hours=1)), "resolution_code": "DONE",
                "resolution_text": "", "faq_entry_id": "", "at_first_contact": False}
    handler.handle("cluster", part, [Message(3, inquiry.encode(),
                                             catalog.encode("InquiryResolved", resolved))])
    assert h.app.get_engagement(engagement_id).status == "WITHDRAWN"
    assert handler.stored_offsets("cluster", [part, sla_part]) == {part: 4, sla_part: 2}
