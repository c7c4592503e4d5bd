"""The life of an Inquiry: which commands each status allows, and what they lead to.

RECEIVED → RESPONDED → [ASSIGNED] → [ESCALATED] → [ON_HOLD ⇄ resume] → RESOLVED → CLOSED,
with reopen from RESOLVED. A forbidden command raises TransitionNotAllowed and records
nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from itertools import count

import pytest

from madoguchi.errors import TransitionNotAllowed
from services.intake.domain.inquiry import Inquiry
from services.intake.domain.values import HoldReason, Status
from tests.support.unit_helpers import NOW, domain_meta, make_app, meta, new_inquiry, receive_cmd

_keys = count(1)

# ----- the commands, with valid arguments -----


def first_response(i: Inquiry) -> None:
    i.record_first_response(channel="EMAIL", **domain_meta())


def assign(i: Inquiry) -> None:
    i.assign(team="二次サポート", assignee="agent-9", **domain_meta())


def escalate_tier(i: Inquiry) -> None:
    i.escalate(target="TIER", to_tier=i.tier + 1, to_department="", to_supplier_id="",
               reason="needs specialist", **domain_meta())


def escalate_department(i: Inquiry) -> None:
    i.escalate(target="DEPARTMENT", to_tier=0, to_department="経理部", to_supplier_id="",
               reason="billing question", **domain_meta())


def escalate_supplier(i: Inquiry) -> None:
    i.escalate(target="SUPPLIER", to_tier=0, to_department="", to_supplier_id="SUP-1",
               reason="vendor defect", **domain_meta())


def change_priority(i: Inquiry) -> None:
    assert i.change_priority(impact="HIGH", urgency="HIGH", priority="P1",
                             reason="窓口が全面停止", **domain_meta())


def hold(i: Inquiry, reason: str = HoldReason.AWAITING_CUSTOMER) -> None:
    i.put_on_hold(reason=reason, note="waiting", **domain_meta())


def resume(i: Inquiry) -> None:
    i.resume(note="back", **domain_meta())


def resolve(i: Inquiry) -> None:
    i.resolve(resolution_code="ANSWERED", resolution_text="教えました", faq_entry_id="FAQ-1",
              **domain_meta())


def reopen(i: Inquiry) -> None:
    i.reopen(reason="still broken", **domain_meta())


def close(i: Inquiry) -> None:
    i.close(**domain_meta())


def satisfaction(i: Inquiry) -> None:
    i.record_satisfaction(score=9, comment="助かりました", **domain_meta())


def log_contact(i: Inquiry) -> None:
    assert i.log_contact(contact_key=f"contact-{next(_keys)}", channel="EMAIL",
                         direction="INBOUND", note="追加の連絡", **domain_meta())


def supplier_engaged(i: Inquiry) -> None:
    assert i.record_supplier_engaged(engagement_id=f"engagement-{next(_keys)}",
                                     supplier_id="SUP-1", contract_id="CT-1",
                                     coverage="COVERED", **domain_meta())


def supplier_outcome(i: Inquiry) -> None:
    assert i.record_supplier_outcome(engagement_id=f"engagement-{next(_keys)}",
                                     supplier_id="SUP-1", outcome="RESOLVED", note="直しました",
                                     **domain_meta())


Op = Callable[[Inquiry], None]

# How to reach each status from a fresh inquiry (the shortest way).
PATHS: dict[Status, list[Op]] = {
    Status.RECEIVED: [],
    Status.RESPONDED: [first_response],
    Status.ASSIGNED: [assign],
    Status.ESCALATED: [escalate_tier],
    Status.ON_HOLD: [hold],
    Status.RESOLVED: [resolve],
    Status.CLOSED: [resolve, close],
}


def inquiry_in(status: Status) -> Inquiry:
    inquiry = new_inquiry()
    for op in PATHS[status]:
        op(inquiry)
    inquiry.collect_events()
    assert inquiry.status == status
    return inquiry


# ----- the transition table: status after the command, or None when forbidden -----

S = Status
_ = None
COLUMNS = (S.RECEIVED, S.RESPONDED, S.ASSIGNED, S.ESCALATED, S.ON_HOLD, S.RESOLVED, S.CLOSED)
TABLE: dict[str, tuple[Op, tuple[Status | None, ...]]] = {
    #                          RECEIVED     RESPONDED    ASSIGNED     ESCALATED    ON_HOLD
    #                          RESOLVED     CLOSED
    "record_first_response": (first_response, (
        S.RESPONDED, _, S.ASSIGNED, S.ESCALATED, S.ON_HOLD, _, _)),
    "assign": (assign, (
        S.ASSIGNED, S.ASSIGNED, S.ASSIGNED, S.ESCALATED, S.ON_HOLD, _, _)),
    "escalate TIER": (escalate_tier, (
        S.ESCALATED, S.ESCALATED, S.ESCALATED, S.ESCALATED, _, _, _)),
    "escalate DEPARTMENT": (escalate_department, (
        S.ESCALATED, S.ESCALATED, S.ESCALATED, S.ESCALATED, _, _, _)),
    "escalate SUPPLIER": (escalate_supplier, (
        S.ESCALATED, S.ESCALATED, S.ESCALATED, S.ESCALATED, _, _, _)),
    "change_priority": (change_priority, (
        S.RECEIVED, S.RESPONDED, S.ASSIGNED, S.ESCALATED, S.ON_HOLD, _, _)),
    "put_on_hold": (hold, (
        S.ON_HOLD, S.ON_HOLD, S.ON_HOLD, S.ON_HOLD, _, _, _)),
    "resume": (resume, (
        _, _, _, _, S.RECEIVED, _, _)),
    "resolve": (resolve, (
        S.RESOLVED, S.RESOLVED, S.RESOLVED, S.RESOLVED, S.RESOLVED, _, _)),
    "reopen": (reopen, (
        _, _, _, _, _, S.RECEIVED, _)),
    "close": (close, (
        _, _, _, _, _, S.CLOSED, _)),
    "record_satisfaction": (satisfaction, (
        _, _, _, _, _, S.RESOLVED, S.CLOSED)),
    "log_contact": (log_contact, (
        S.RECEIVED, S.RESPONDED, S.ASSIGNED, S.ESCALATED, S.ON_HOLD, S.RESOLVED, _)),
    # Facts reported by the supplier service are never refused; only an open inquiry not
    # on hold waits for the supplier, and an outcome without a hold by its engagement
    # changes nothing (see test_supplier_engagement_on_inquiry.py).
    "record_supplier_engaged": (supplier_engaged, (
        S.ON_HOLD, S.ON_HOLD, S.ON_HOLD, S.ON_HOLD, S.ON_HOLD, S.RESOLVED, S.CLOSED)),
    "record_supplier_outcome": (supplier_outcome, (
        S.RECEIVED, S.RESPONDED, S.ASSIGNED, S.ESCALATED, S.ON_HOLD, S.RESOLVED, S.CLOSED)),
}
ALLOWED = [pytest.param(op, before, after, id=f"{name}@{before}")
           for name, (op, row) in TABLE.items()
           for before, after in zip(COLUMNS, row, strict=True) if after is not None]
FORBIDDEN = [pytest.param(op, before, id=f"{name}@{before}")
             for name, (op, row) in TABLE.items()
             for before, after in zip(COLUMNS, row, strict=True) if after is None]


@pytest.mark.parametrize(("op", "before", "after"), ALLOWED)
def test_allowed_transition(op: Op, before: Status, after: Status) -> None:
    inquiry = inquiry_in(before)
    version = inquiry.version
    op(inquiry)
    assert inquiry.status == after
    assert inquiry.version == version + 1
    assert len(inquiry.collect_events()) == 1


@pytest.mark.parametrize(("op", "before"), FORBIDDEN)
def test_forbidden_transition_raises_and_records_nothing(op: Op, before: Status) -> None:
    inquiry = inquiry_in(before)
    version, state = inquiry.version, dict(vars(inquiry))
    with pytest.raises(TransitionNotAllowed):
        op(inquiry)
    assert inquiry.collect_events() == []
    assert inquiry.version == version
    assert vars(inquiry) == state


def assert_forbidden(inquiry: Inquiry, op: Op) -> None:
    inquiry.collect_events()
    version = inquiry.version
    with pytest.raises(TransitionNotAllowed):
        op(inquiry)
    assert inquiry.collect_events() == []
    assert inquiry.version == version


# ----- single rules -----


def test_a_new_inquiry() -> None:
    inquiry = new_inquiry()
    assert inquiry.status == Status.RECEIVED
    assert inquiry.version == 1
    assert inquiry.tier == 1
    assert inquiry.contact_count == 1
    assert (inquiry.escalation_count, inquiry.reopen_count) == (0, 0)
    assert inquiry.first_response_at is None
    assert inquiry.resolved_at is None
    assert inquiry.satisfaction_score is None


def test_first_response_only_once() -> None:
    inquiry = inquiry_in(Status.ASSIGNED)
    first_response(inquiry)
    assert inquiry.first_response_at == NOW
    assert_forbidden(inquiry, first_response)


def test_hold_twice_is_forbidden() -> None:
    inquiry = inquiry_in(Status.ASSIGNED)
    hold(inquiry)
    assert_forbidden(inquiry, lambda i: hold(i, HoldReason.OTHER))
    assert inquiry.hold_reason == HoldReason.AWAITING_CUSTOMER


@pytest.mark.parametrize("before", [S.RECEIVED, S.RESPONDED, S.ASSIGNED, S.ESCALATED])
def test_resume_returns_to_the_status_before_the_hold(before: Status) -> None:
    inquiry = inquiry_in(before)
    hold(inquiry, HoldReason.AWAITING_SUPPLIER)
    assert (inquiry.status, inquiry.hold_reason) == (S.ON_HOLD, HoldReason.AWAITING_SUPPLIER)
    resume(inquiry)
    assert (inquiry.status, inquiry.hold_reason) == (before, "")


def test_resume_after_a_first_response_during_the_hold_is_responded() -> None:
    inquiry = inquiry_in(Status.RECEIVED)
    hold(inquiry)
    first_response(inquiry)
    resume(inquiry)
    assert inquiry.first_response_at is not None
    assert inquiry.status == Status.RESPONDED


def test_resume_after_an_assignment_during_the_hold_is_assigned() -> None:
    inquiry = inquiry_in(Status.RESPONDED)
    hold(inquiry)
    assign(inquiry)
    resume(inquiry)
    assert inquiry.team
    assert inquiry.status == Status.ASSIGNED


def test_resolving_while_on_hold_ends_the_hold() -> None:
    inquiry = inquiry_in(Status.ON_HOLD)
    resolve(inquiry)
    assert (inquiry.status, inquiry.hold_reason) == (S.RESOLVED, "")
    assert_forbidden(inquiry, resume)


def test_tier_escalation_must_go_above_the_current_tier() -> None:
    inquiry = new_inquiry()

    def to_tier(n: int) -> Op:
        return lambda i: i.escalate(target="TIER", to_tier=n, to_department="",
                                    to_supplier_id="", reason="r", **domain_meta())

    assert_forbidden(inquiry, to_tier(1))
    to_tier(3)(inquiry)
    assert (inquiry.status, inquiry.tier) == (S.ESCALATED, 3)
    event = inquiry.collect_events()[0]
    assert (event.from_tier, event.to_tier) == (1, 3)
    assert_forbidden(inquiry, to_tier(3))
    assert_forbidden(inquiry, to_tier(2))
    to_tier(4)(inquiry)
    assert (inquiry.tier, inquiry.escalation_count) == (4, 2)


def test_department_and_supplier_escalations_keep_the_tier() -> None:
    inquiry = new_inquiry()
    escalate_tier(inquiry)
    escalate_department(inquiry)
    assert (inquiry.tier, inquiry.escalated_department) == (2, "経理部")
    escalate_supplier(inquiry)
    assert (inquiry.tier, inquiry.supplier_id, inquiry.escalation_count) == (2, "SUP-1", 3)
    events = inquiry.collect_events()
    assert [(e.target, e.from_tier, e.to_tier) for e in events] == [
        ("TIER", 1, 2), ("DEPARTMENT", 2, 2), ("SUPPLIER", 2, 2)]
    assert [e.from_department for e in events] == ["総務部", "総務部", "経理部"]


def test_an_escalation_carries_the_inquirys_packet() -> None:
    inquiry = new_inquiry()
    change_priority(inquiry)
    escalate_supplier(inquiry)
    (_, event) = inquiry.collect_events()
    assert (event.category, event.priority, event.kind) == ("account", "P1", "QUESTION")
    assert event.subject == "パスワードを忘れました"


def test_satisfaction_only_after_resolution_and_only_once() -> None:
    inquiry = inquiry_in(Status.ASSIGNED)
    assert_forbidden(inquiry, satisfaction)
    resolve(inquiry)
    satisfaction(inquiry)
    assert inquiry.satisfaction_score == 9
    assert_forbidden(inquiry, satisfaction)
    close(inquiry)
    assert_forbidden(inquiry, satisfaction)


def test_satisfaction_may_follow_closure() -> None:
    inquiry = inquiry_in(Status.CLOSED)
    satisfaction(inquiry)
    assert (inquiry.status, inquiry.satisfaction_score) == (S.CLOSED, 9)


def test_close_records_the_time() -> None:
    inquiry = inquiry_in(Status.RESOLVED)
    inquiry.close(**domain_meta(minutes_ago=1))
    assert inquiry.closed_at == NOW - timedelta(minutes=1)


# ----- further contacts -----


def test_log_contact_counts_each_contact_key_once() -> None:
    inquiry = new_inquiry()
    kwargs = {"contact_key": "mail-1", "channel": "EMAIL", "direction": "INBOUND", "note": "x"}
    assert inquiry.log_contact(**kwargs, **domain_meta()) is True
    assert inquiry.contact_count == 2
    inquiry.collect_events()
    version = inquiry.version
    assert inquiry.log_contact(**kwargs, **domain_meta()) is False
    assert inquiry.collect_events() == []
    assert (inquiry.version, inquiry.contact_count) == (version, 2)


def test_a_retried_contact_on_a_closed_inquiry_is_a_no_op_but_a_new_one_is_forbidden() -> None:
    inquiry = new_inquiry()
    kwargs = {"channel": "PHONE", "direction": "OUTBOUND", "note": ""}
    assert inquiry.log_contact(contact_key="call-1", **kwargs, **domain_meta())
    resolve(inquiry)
    close(inquiry)
    inquiry.collect_events()
    assert inquiry.log_contact(contact_key="call-1", **kwargs, **domain_meta()) is False
    assert_forbidden(inquiry, lambda i: i.log_contact(contact_key="call-2", **kwargs,
                                                      **domain_meta()))


# ----- priority changes -----


def reclassify(impact: str, urgency: str, priority: str, reason: str = "影響範囲が拡大") -> Op:
    return lambda i: i.change_priority(impact=impact, urgency=urgency, priority=priority,
                                       reason=reason, **domain_meta())


def test_a_priority_change_reclassifies_and_records_the_previous_priority() -> None:
    inquiry = inquiry_in(Status.ASSIGNED)
    assert (inquiry.impact, inquiry.urgency, inquiry.priority) == ("MEDIUM", "MEDIUM", "P3")
    change_priority(inquiry)
    assert (inquiry.impact, inquiry.urgency, inquiry.priority) == ("HIGH", "HIGH", "P1")
    assert inquiry.status == Status.ASSIGNED
    (event,) = inquiry.collect_events()
    assert (event.impact, event.urgency, event.priority) == ("HIGH", "HIGH", "P1")
    assert (event.previous_priority, event.reason) == ("P3", "窓口が全面停止")
    assert (event.actor, event.occurred_at) == ("agent-7", NOW)


def test_the_classification_the_inquiry_already_has_records_nothing() -> None:
    inquiry = new_inquiry()
    change_priority(inquiry)
    inquiry.collect_events()
    version = inquiry.version
    assert reclassify("HIGH", "HIGH", "P1", reason="another reason")(inquiry) is False
    assert inquiry.collect_events() == []
    assert (inquiry.version, inquiry.priority) == (version, "P1")


def test_new_impact_and_urgency_with_the_same_priority_is_still_a_change() -> None:
    inquiry = new_inquiry()
    assert reclassify("HIGH", "LOW", "P3")(inquiry) is True
    assert reclassify("LOW", "HIGH", "P3")(inquiry) is True
    events = inquiry.collect_events()
    assert [(e.impact, e.urgency, e.previous_priority, e.priority) for e in events] == [
        ("HIGH", "LOW", "P3", "P3"), ("LOW", "HIGH", "P3", "P3")]


def test_an_explicit_priority_without_impact_and_urgency_clears_them() -> None:
    inquiry = new_inquiry()
    assert reclassify("", "", "P2")(inquiry) is True
    assert (inquiry.impact, inquiry.urgency, inquiry.priority) == ("", "", "P2")


def test_a_retried_change_on_a_closed_inquiry_is_a_no_op_but_a_new_one_is_forbidden() -> None:
    inquiry = new_inquiry()
    change_priority(inquiry)
    resolve(inquiry)
    close(inquiry)
    inquiry.collect_events()
    assert reclassify("HIGH", "HIGH", "P1")(inquiry) is False
    assert_forbidden(inquiry, reclassify("LOW", "LOW", "P5"))


def test_a_resolved_inquiry_changes_priority_again_once_reopened() -> None:
    inquiry = inquiry_in(Status.RESOLVED)
    assert_forbidden(inquiry, change_priority)
    reopen(inquiry)
    change_priority(inquiry)
    assert inquiry.priority == "P1"


# ----- resolved at first contact (完結) -----


@pytest.mark.parametrize("ops", [
    pytest.param([], id="straight-away"),
    pytest.param([first_response, assign], id="responded-and-assigned"),
    pytest.param([hold, resume], id="held-for-the-customer"),
    pytest.param([hold], id="resolved-while-held-for-the-customer"),
])
def test_resolved_at_first_contact(ops: list[Op]) -> None:
    inquiry = new_inquiry()
    for op in ops:
        op(inquiry)
    resolve(inquiry)
    assert inquiry.resolved_at_first_contact is True
    assert inquiry.collect_events()[-1].at_first_contact is True


@pytest.mark.parametrize("ops", [
    pytest.param([escalate_tier], id="escalated-tier"),
    pytest.param([escalate_department], id="escalated-department"),
    pytest.param([escalate_supplier], id="escalated-supplier"),
    pytest.param([log_contact], id="second-contact"),
    pytest.param([resolve, reopen], id="reopened"),
    pytest.param([lambda i: hold(i, HoldReason.AWAITING_SUPPLIER)], id="waiting-on-supplier"),
])
def test_not_resolved_at_first_contact(ops: list[Op]) -> None:
    inquiry = new_inquiry()
    for op in ops:
        op(inquiry)
    resolve(inquiry)
    assert inquiry.resolved_at_first_contact is False


def test_not_resolved_at_first_contact_after_having_waited_on_a_supplier() -> None:
    inquiry = new_inquiry()
    hold(inquiry, HoldReason.AWAITING_SUPPLIER)
    resume(inquiry)
    resolve(inquiry)
    assert inquiry.resolved_at_first_contact is False


# ----- reopening -----


@pytest.mark.parametrize(("ops", "status"), [
    pytest.param([], S.RECEIVED, id="no-response-team-or-escalation"),
    pytest.param([first_response], S.RESPONDED, id="responded"),
    pytest.param([assign], S.ASSIGNED, id="team"),
    pytest.param([escalate_department], S.ESCALATED, id="escalated"),
    pytest.param([assign, escalate_tier], S.ESCALATED, id="team-and-escalated"),
    pytest.param([escalate_supplier, hold], S.ESCALATED, id="escalated-then-held"),
])
def test_reopen_status_rule(ops: list[Op], status: Status) -> None:
    inquiry = new_inquiry()
    for op in ops:
        op(inquiry)
    resolve(inquiry)
    assert inquiry.resolved_at == NOW
    reopen(inquiry)
    assert inquiry.status == status
    assert inquiry.reopen_count == 1
    assert inquiry.resolved_at is None
    assert inquiry.resolved_at_first_contact is False


def test_reopen_and_resolve_again() -> None:
    inquiry = inquiry_in(Status.RESOLVED)
    reopen(inquiry)
    resolve(inquiry)
    reopen(inquiry)
    assert inquiry.reopen_count == 2
    resolve(inquiry)
    assert inquiry.resolved_at == NOW
    assert inquiry.resolved_at_first_contact is False


# ----- events -----


def test_events_are_immutable() -> None:
    inquiry = new_inquiry()
    assign(inquiry)
    (event,) = inquiry.collect_events()
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.team = "someone else"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        event.originator_version = 99  # type: ignore[misc]
    assert event.team == "二次サポート"


def test_replaying_the_stored_events_rebuilds_the_same_inquiry() -> None:
    app = make_app()
    inquiry = app.receive_inquiry(receive_cmd()).aggregate
    iid = str(inquiry.id)
    app.log_contact(iid, 0, meta(), "mail-1", "EMAIL", "", "続報")
    app.record_first_response(iid, 0, meta(), "")
    app.assign(iid, 0, meta(), "二次サポート", "agent-9")
    app.escalate(iid, 0, meta(), "TIER", 2, "", "", "難しい")
    app.change_priority(iid, 0, meta(), "HIGH", "MEDIUM", "", "複数の部署に影響")
    app.escalate(iid, 0, meta(), "SUPPLIER", 0, "", "SUP-1", "製品不具合")
    app.put_on_hold(iid, 0, meta(), "AWAITING_SUPPLIER", "")
    app.resume(iid, 0, meta(), "回答あり")
    app.resolve(iid, 0, meta(), "FIXED", "修正済み", "FAQ-9")
    app.reopen(iid, 0, meta(), "再発")
    app.resolve(iid, 0, meta(), "FIXED", "再修正", "")
    app.close_inquiry(iid, 0, meta())
    last = app.record_satisfaction(iid, 0, meta(), 7, "まあまあ").aggregate

    replayed = app.repository.get(inquiry.id)
    assert replayed is not last
    assert vars(replayed) == vars(last)
    assert replayed.version == 14
    assert (replayed.impact, replayed.urgency, replayed.priority) == ("HIGH", "MEDIUM", "P2")
    assert (replayed.status, replayed.tier, replayed.contact_count) == (S.CLOSED, 2, 2)
    assert (replayed.escalation_count, replayed.reopen_count) == (2, 1)
    assert set(replayed.contact_keys) == {"mail-1"}
    assert (replayed.supplier_id, replayed.satisfaction_score) == ("SUP-1", 7)
