"""The inquiry read model agrees with the aggregate it is folded from.

Each stored domain event is turned into its published Avro record (``to_record``), made
JSON-able, and folded in version order into ``inquiry_view``; the resulting row must say
what the Inquiry aggregate says, whatever sequence of commands produced it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from madoguchi.errors import TransitionNotAllowed
from madoguchi.eventstream.records import event_type_name, to_record
from madoguchi.jsonable import jsonable
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from services.intake.application import commands as c
from services.intake.application.app import IntakeApplication
from services.intake.domain.inquiry import Inquiry
from services.intake.domain.values import (
    OPEN_STATUSES,
    Channel,
    EscalationTarget,
    HoldReason,
    InquiryKind,
    Level,
    Limits,
    Priority,
    Status,
    SupplierOutcome,
)
from services.projections.adapters.read_models.inquiries.read_model import InquiryReadModel
from services.projections.application.read_models import TableNames
from services.projections.domain import inquiry_view
from tests.support.unit_helpers import NOW, make_app, meta, receive_cmd, stored_count

JST = timezone(timedelta(hours=9), "JST")

SAME = ("status", "channel", "kind", "subject", "body", "category", "department", "priority",
        "agreement_id", "team", "assignee", "tier", "escalated_department", "supplier_id",
        "hold_reason", "resolved_at_first_contact", "contact_count",
        "escalation_count", "reopen_count", "satisfaction_score", "faq_entry_id")
CONTACTS = {"c1": (Channel.PHONE, ""), "c2": (Channel.EMAIL, "OUTBOUND"),
            "c3": (Channel.CHAT, "INBOUND")}
TIMES = ("received_at", "first_response_at", "resolved_at", "closed_at")


def fold(app: IntakeApplication, inquiry_id: str, view: dict[str, Any] | None = None,
         ) -> dict[str, Any]:
    """Fold the stored events after ``view``'s version (all of them for a new view)."""
    view = view or inquiry_view.new_view(inquiry_id)
    for event in app.events.get(UUID(inquiry_id), gt=view["version"]):
        event_type, record = to_record(event)
        assert event_type == event_type_name(event)
        view = inquiry_view.apply(view, event_type, jsonable(record))
    return view


def instant(value: Any) -> datetime | None:
    if value is None:
        return None
    assert isinstance(value, str), value
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


def assert_view_agrees(view: dict[str, Any], inquiry: Inquiry) -> None:
    json.dumps(view)  # the row is plain JSON
    assert view["inquiry_id"] == str(inquiry.id)
    assert view["version"] == inquiry.version
    differences = {name: (view[name], getattr(inquiry, name)) for name in SAME
                   if view[name] != getattr(inquiry, name)}
    differences.update({name: (view[name], getattr(inquiry, name)) for name in TIMES
                        if instant(view[name]) != getattr(inquiry, name)})
    assert differences == {}


# ----- one whole life, step by step -----


def test_the_view_follows_a_whole_life() -> None:
    app = make_app()
    when = iter(NOW - timedelta(minutes=m) for m in range(60, 0, -1))

    def m() -> c.Meta:
        return meta(occurred_at=next(when).astimezone(JST))

    inquiry = app.receive_inquiry(receive_cmd(priority="P2")).aggregate
    iid = str(inquiry.id)
    view = fold(app, iid)
    assert_view_agrees(view, inquiry)
    steps = [
        lambda: app.log_contact(iid, 0, m(), "fax-1", "FAX", "", "FAX受信"),
        lambda: app.log_contact(iid, 0, m(), "fax-1", "FAX", "", "FAX受信"),  # a retry
        lambda: app.record_first_response(iid, 0, m(), "PHONE"),
        lambda: app.assign(iid, 0, m(), "一次窓口", ""),
        lambda: app.assign(iid, 0, m(), "二次サポート", "agent-9"),
        lambda: app.change_priority(iid, 0, m(), "HIGH", "HIGH", "", "全庁に影響"),
        lambda: app.change_priority(iid, 0, m(), "HIGH", "HIGH", "", "全庁に影響"),  # a retry
        lambda: app.escalate(iid, 0, m(), "TIER", 3, "", "", "難しい"),
        lambda: app.escalate(iid, 0, m(), "DEPARTMENT", 0, "情報システム部", "", "権限"),
        lambda: app.put_on_hold(iid, 0, m(), "AWAITING_CUSTOMER", "回答待ち"),
        lambda: app.assign(iid, 0, m(), "三次サポート", "agent-3"),
        lambda: app.resume(iid, 0, m(), ""),
        lambda: app.escalate(iid, 0, m(), "SUPPLIER", 0, "", "SUP-7", "製品不具合"),
        lambda: app.put_on_hold(iid, 0, m(), "AWAITING_SUPPLIER", ""),
        lambda: app.resolve(iid, 0, m(), "WORKAROUND", "回避策を案内", "FAQ-12"),
        lambda: app.record_satisfaction(iid, 0, m(), 4, "遅い"),
        lambda: app.reopen(iid, 0, m(), "再発"),
        lambda: app.log_contact(iid, 0, m(), "mail-2", "EMAIL", "OUTBOUND", "連絡"),
        lambda: app.resolve(iid, 0, m(), "FIXED", "修正版を提供", ""),
        lambda: app.close_inquiry(iid, 0, m()),
    ]
    for step in steps:
        outcome = step()
        view = fold(app, iid, view)
        assert_view_agrees(view, outcome.aggregate)
        assert fold(app, iid) == view  # incremental and from-scratch folds agree
    assert view["status"] == "CLOSED"
    assert (view["tier"], view["escalation_count"], view["reopen_count"]) == (3, 3, 1)
    assert (view["contact_count"], view["satisfaction_score"]) == (3, 4)
    assert (view["team"], view["supplier_id"]) == ("三次サポート", "SUP-7")
    assert view["priority"] == "P1"
    assert view["version"] == 19


def test_the_received_row_takes_the_contact_time_and_the_priority() -> None:
    app = make_app()
    contacted = datetime(2024, 5, 1, 17, 30, tzinfo=JST)
    inquiry = app.receive_inquiry(receive_cmd(impact="HIGH", urgency="HIGH",
                                              contacted_at=contacted)).aggregate
    view = fold(app, str(inquiry.id))
    assert_view_agrees(view, inquiry)
    assert (view["status"], view["priority"], view["contact_count"]) == ("RECEIVED", "P1", 1)
    assert instant(view["received_at"]) == contacted


def test_the_row_takes_the_changed_priority() -> None:
    app = make_app()
    inquiry = app.receive_inquiry(receive_cmd(impact="LOW", urgency="LOW")).aggregate
    iid = str(inquiry.id)
    received = fold(app, iid)
    assert received["priority"] == "P5"
    changed = app.change_priority(iid, 0, meta(), "HIGH", "MEDIUM", "", "影響範囲が拡大")
    view = fold(app, iid, received)
    assert_view_agrees(view, changed.aggregate)
    assert (view["priority"], view["version"], view["status"]) == ("P2", 2, "RECEIVED")
    (event,) = app.events.get(inquiry.id, gt=1)
    details = inquiry_view.timeline_details(jsonable(to_record(event)[1]))
    assert details == {"impact": "HIGH", "urgency": "MEDIUM", "priority": "P2",
                       "previous_priority": "P5", "reason": "影響範囲が拡大"}


def test_the_row_follows_a_supplier_engagement() -> None:
    app = make_app()
    inquiry = app.receive_inquiry(receive_cmd()).aggregate
    iid = str(inquiry.id)
    app.escalate(iid, 0, meta(), "SUPPLIER", 0, "", "SUP-7", "製品不具合")
    supplier = meta(actor="supplier-service")
    engagement = str(uuid5(NAMESPACE_URL, "engagement-view"))
    held = app.record_supplier_engaged(iid, supplier, engagement, "SUP-8", "CT-1", "COVERED")
    view = fold(app, iid)
    assert_view_agrees(view, held.aggregate)
    assert (view["status"], view["hold_reason"], view["supplier_id"]) == (
        "ON_HOLD", "AWAITING_SUPPLIER", "SUP-8")
    assert app.record_supplier_engaged(iid, supplier, engagement, "SUP-8", "CT-1",
                                       "COVERED").replayed
    resumed = app.record_supplier_outcome(iid, supplier, engagement, "SUP-8", "RESOLVED",
                                          "ファームウェアを更新")
    view = fold(app, iid, view)
    assert_view_agrees(view, resumed.aggregate)
    assert (view["status"], view["hold_reason"], view["version"]) == ("ESCALATED", "", 4)
    engaged_event, ended_event = app.events.get(inquiry.id, gt=2)
    assert inquiry_view.timeline_details(jsonable(to_record(engaged_event)[1])) == {
        "engagement_id": engagement, "supplier_id": "SUP-8", "contract_id": "CT-1",
        "coverage": "COVERED", "held": True}
    assert inquiry_view.timeline_details(jsonable(to_record(ended_event)[1])) == {
        "engagement_id": engagement, "supplier_id": "SUP-8", "outcome": "RESOLVED",
        "note": "ファームウェアを更新", "resumed": True}


def test_an_outcome_that_resumed_nothing_leaves_the_row_as_it_was() -> None:
    app = make_app()
    inquiry = app.receive_inquiry(receive_cmd()).aggregate
    iid = str(inquiry.id)
    app.escalate(iid, 0, meta(), "SUPPLIER", 0, "", "SUP-7", "製品不具合")
    app.put_on_hold(iid, 0, meta(), "AWAITING_CUSTOMER", "")
    engagement = str(uuid5(NAMESPACE_URL, "engagement-not-held"))
    supplier = meta(actor="supplier-service")
    app.record_supplier_engaged(iid, supplier, engagement, "SUP-7", "", "NO_CONTRACT")
    last = app.record_supplier_outcome(iid, supplier, engagement, "SUP-7", "HANDED_BACK", "")
    view = fold(app, iid)
    assert_view_agrees(view, last.aggregate)
    assert (view["status"], view["hold_reason"]) == ("ON_HOLD", "AWAITING_CUSTOMER")


def test_the_stored_row_folds_supplier_events_in_version_order(tmp_path: Path) -> None:
    """Delivered backwards, the engagement events wait for their predecessors."""
    app = make_app()
    inquiry = app.receive_inquiry(receive_cmd()).aggregate
    iid = str(inquiry.id)
    app.escalate(iid, 0, meta(), "SUPPLIER", 0, "", "SUP-7", "製品不具合")
    engagement = str(uuid5(NAMESPACE_URL, "engagement-sql"))
    app.record_supplier_engaged(iid, meta(), engagement, "SUP-7", "CT-1", "COVERED")
    last = app.record_supplier_outcome(iid, meta(), engagement, "SUP-7", "WITHDRAWN", "取消")
    db = SqlDatabase(parse_database_url(f"sqlite:///{tmp_path / 'projections.db'}"))
    store = InquiryReadModel(db, TableNames("g1_"))
    store.create()
    records = [to_record(e) for e in app.events.get(inquiry.id)]
    try:
        for event_type, record in reversed(records):
            with db.transaction() as cur:
                assert store.apply_inquiry_event(cur, event_type, jsonable(record))
            if record["aggregate_version"] > 1:
                assert store.get(iid) is None  # nothing folded until version 1 arrives
        with db.transaction() as cur:  # redelivered: stored once, folded once
            assert not store.apply_inquiry_event(cur, *map(jsonable, records[2]))
        row = store.get(iid)
        assert row is not None
        assert_view_agrees({k: v for k, v in row.items() if k != "timeline"}, last.aggregate)
        assert (row["status"], row["version"]) == ("ESCALATED", 4)
        assert [t["event_type"] for t in row["timeline"]][2:] == [
            "InquirySupplierEngaged", "InquirySupplierOutcomeRecorded"]
        assert row["timeline"][3]["details"]["note"] == "取消"
    finally:
        db.close()


# ----- any life: a state machine choosing among the commands the status allows -----

times = st.one_of(
    st.none(),  # the server's clock
    st.builds(lambda minutes, tz: (NOW - timedelta(minutes=minutes)).astimezone(tz),
              st.integers(0, 60 * 24 * 30), st.sampled_from([UTC, JST])),
)
metas = st.builds(c.Meta, actor=st.sampled_from(["", "agent-1", "田中"]), occurred_at=times,
                  correlation_id=st.sampled_from(["", "corr-1"]))
texts = st.text(alphabet="あいう abcXYZ-", min_size=1, max_size=12).filter(str.strip)
levels = st.sampled_from(list(Level)).map(str)
classifications = st.one_of(
    st.tuples(levels, levels, st.just("")),  # priority by the matrix
    st.tuples(st.sampled_from(["", *Level]).map(str), st.sampled_from(["", *Level]).map(str),
              st.sampled_from(list(Priority)).map(str)),  # an explicit priority
)
engagement_ids = st.sampled_from([str(uuid5(NAMESPACE_URL, f"engagement-{n}")) for n in range(3)])
receive_cmds = st.builds(
    lambda channel, kind, impact, urgency, priority, contacted, subject, department:
    receive_cmd(channel=channel, kind=kind, impact=impact, urgency=urgency, priority=priority,
                contacted_at=contacted, subject=subject, department=department),
    st.sampled_from(list(Channel)).map(str), st.sampled_from(list(InquiryKind)).map(str),
    st.sampled_from(list(Level)).map(str), st.sampled_from(list(Level)).map(str),
    st.sampled_from(["", *Priority]).map(str),
    st.builds(lambda minutes: NOW - timedelta(minutes=minutes), st.integers(0, 10_000)),
    texts, st.sampled_from(["", "総務部", "営業部"]),
)


def _open(self: InquiryLife) -> bool:
    return self.inquiry is not None and self.inquiry.is_open


def _escalatable(self: InquiryLife) -> bool:
    return _open(self) and self.inquiry.status != Status.ON_HOLD


def _status_is(*statuses: Status) -> Any:
    return lambda self: self.inquiry is not None and self.inquiry.status in statuses


class InquiryLife(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.app = make_app()
        self.inquiry: Inquiry | None = None
        self.iid = ""
        self.view: dict[str, Any] = {}

    def run(self, call: Any) -> None:
        self.inquiry = call().aggregate

    @initialize(cmd=receive_cmds)
    def receive(self, cmd: c.ReceiveInquiry) -> None:
        self.run(lambda: self.app.receive_inquiry(cmd))
        self.iid = str(self.inquiry.id)
        self.view = inquiry_view.new_view(self.iid)

    @precondition(lambda self: self.inquiry is not None and self.inquiry.status != Status.CLOSED)
    @rule(key=st.sampled_from(list(CONTACTS)), m=metas)
    def log_contact(self, key: str, m: c.Meta) -> None:
        # A key always stands for the same contact: repeating it is a retry.
        channel, direction = CONTACTS[key]
        self.run(lambda: self.app.log_contact(self.iid, 0, m, key, channel, direction, ""))

    @precondition(lambda self: _open(self) and self.inquiry.first_response_at is None)
    @rule(m=metas, channel=st.sampled_from(["", *Channel]))
    def first_response(self, m: c.Meta, channel: str) -> None:
        self.run(lambda: self.app.record_first_response(self.iid, 0, m, channel))

    @precondition(_open)
    @rule(m=metas, team=st.sampled_from(["一次", "二次", "三次"]),
          assignee=st.sampled_from(["", "agent-1", "agent-2"]))
    def assign(self, m: c.Meta, team: str, assignee: str) -> None:
        self.run(lambda: self.app.assign(self.iid, 0, m, team, assignee))

    @precondition(lambda self: _escalatable(self) and self.inquiry.tier < Limits.MAX_TIER)
    @rule(m=metas, step=st.integers(1, 3))
    def escalate_tier(self, m: c.Meta, step: int) -> None:
        to_tier = min(Limits.MAX_TIER, self.inquiry.tier + step)
        self.run(lambda: self.app.escalate(self.iid, 0, m, EscalationTarget.TIER, to_tier,
                                           "", "", "r"))

    @precondition(_escalatable)
    @rule(m=metas, department=st.sampled_from(["経理部", "法務部"]))
    def escalate_department(self, m: c.Meta, department: str) -> None:
        self.run(lambda: self.app.escalate(self.iid, 0, m, EscalationTarget.DEPARTMENT, 0,
                                           department, "", "r"))

    @precondition(_escalatable)
    @rule(m=metas, supplier=st.sampled_from(["SUP-1", "SUP-2"]))
    def escalate_supplier(self, m: c.Meta, supplier: str) -> None:
        self.run(lambda: self.app.escalate(self.iid, 0, m, EscalationTarget.SUPPLIER, 0, "",
                                           supplier, "r"))

    @precondition(_open)
    @rule(m=metas, classification=classifications)
    def change_priority(self, m: c.Meta, classification: tuple[str, str, str]) -> None:
        # The classification the inquiry already has is a retry: it stores nothing.
        impact, urgency, priority = classification
        self.run(lambda: self.app.change_priority(self.iid, 0, m, impact, urgency, priority,
                                                  "再評価"))

    @precondition(_escalatable)
    @rule(m=metas, reason=st.sampled_from(list(HoldReason)))
    def put_on_hold(self, m: c.Meta, reason: str) -> None:
        self.run(lambda: self.app.put_on_hold(self.iid, 0, m, reason, ""))

    @precondition(_status_is(Status.ON_HOLD))
    @rule(m=metas)
    def resume(self, m: c.Meta) -> None:
        self.run(lambda: self.app.resume(self.iid, 0, m, ""))

    @precondition(_open)
    @rule(m=metas, faq=st.sampled_from(["", "FAQ-1", "FAQ-2"]))
    def resolve(self, m: c.Meta, faq: str) -> None:
        self.run(lambda: self.app.resolve(self.iid, 0, m, "FIXED", "done", faq))

    @precondition(_status_is(Status.RESOLVED))
    @rule(m=metas)
    def reopen(self, m: c.Meta) -> None:
        self.run(lambda: self.app.reopen(self.iid, 0, m, "again"))

    @precondition(_status_is(Status.RESOLVED))
    @rule(m=metas)
    def close(self, m: c.Meta) -> None:
        self.run(lambda: self.app.close_inquiry(self.iid, 0, m))

    @precondition(lambda self: _status_is(Status.RESOLVED, Status.CLOSED)(self)
                  and self.inquiry.satisfaction_score is None)
    @rule(m=metas, score=st.integers(0, 10))
    def satisfaction(self, m: c.Meta, score: int) -> None:
        self.run(lambda: self.app.record_satisfaction(self.iid, 0, m, score, ""))

    @precondition(lambda self: self.inquiry is not None)
    @rule(m=metas, engagement=engagement_ids, supplier=st.sampled_from(["", "SUP-1", "SUP-2"]))
    def supplier_engaged(self, m: c.Meta, engagement: str, supplier: str) -> None:
        # In any status, in any order with its outcome, and repeated: never refused.
        self.run(lambda: self.app.record_supplier_engaged(self.iid, m, engagement, supplier,
                                                          "CT-1", "COVERED"))

    @precondition(lambda self: self.inquiry is not None)
    @rule(m=metas, engagement=engagement_ids, outcome=st.sampled_from(list(SupplierOutcome)))
    def supplier_outcome(self, m: c.Meta, engagement: str, outcome: str) -> None:
        self.run(lambda: self.app.record_supplier_outcome(self.iid, m, engagement, "SUP-1",
                                                          outcome, "対応済み"))

    @precondition(lambda self: self.inquiry is not None)
    @rule(which=st.integers(0, 10), m=metas)
    def attempt_anything(self, which: int, m: c.Meta) -> None:
        """Any command regardless of status: allowed ones apply, forbidden ones store nothing."""
        app, iid = self.app, self.iid
        calls = [
            lambda: app.record_first_response(iid, 0, m, ""),
            lambda: app.assign(iid, 0, m, "四次", ""),
            lambda: app.escalate(iid, 0, m, "TIER", 2, "", "", "r"),
            lambda: app.put_on_hold(iid, 0, m, "OTHER", ""),
            lambda: app.resume(iid, 0, m, ""),
            lambda: app.resolve(iid, 0, m, "C", "T", ""),
            lambda: app.reopen(iid, 0, m, "r"),
            lambda: app.close_inquiry(iid, 0, m),
            lambda: app.record_satisfaction(iid, 0, m, 10, ""),
            lambda: app.log_contact(iid, 0, m, "c-new", "CHAT", "", ""),
            lambda: app.change_priority(iid, 0, m, "LOW", "LOW", "", "r"),
        ]
        before = stored_count(app)
        try:
            self.run(calls[which])
        except TransitionNotAllowed:
            assert stored_count(app) == before

    @invariant()
    def view_agrees_with_the_aggregate(self) -> None:
        if self.inquiry is None:
            return
        replayed = self.app.repository.get(self.inquiry.id)
        assert vars(replayed) == vars(self.inquiry)  # replay rebuilds the same state
        self.view = fold(self.app, self.iid, self.view)
        assert_view_agrees(self.view, replayed)
        assert self.inquiry.status in (*OPEN_STATUSES, Status.RESOLVED, Status.CLOSED)


InquiryLife.TestCase.settings = settings(
    max_examples=50, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestInquiryLife = InquiryLife.TestCase
