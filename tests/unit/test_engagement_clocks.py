"""Supplier clocks of one engagement, and customer clocks' supplier-held time (pure)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.businesstime.calendar import BusinessCalendar
from madoguchi.errors import InvalidField
from madoguchi.servicelevels.clock import AWAITING_SUPPLIER, Clock, Outcome, SupplierTarget
from madoguchi.servicelevels.inquiry_clocks import InquiryClocks
from madoguchi.servicelevels.terms import AgreementTerms, Target, TargetSet
from services.sla_monitor.domain.engagement_clocks import (
    ClockTerms,
    EngagementClocks,
    EngagementOutcome,
)

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)   # Tuesday 10:00 in Tokyo
ALWAYS = BusinessCalendar.always_open()
ACK, RES = SupplierTarget.ACKNOWLEDGE, SupplierTarget.RESOLVE


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def clock_terms(acknowledge: int = 30, resolve: int = 240, percents: tuple[int, ...] = (75,),
                calendar: BusinessCalendar = ALWAYS) -> ClockTerms:
    return ClockTerms(calendar=calendar, acknowledge_minutes=acknowledge,
                      resolve_minutes=resolve, warning_percents=percents, reminder_minutes=30)


def opened(terms: ClockTerms | None = None, coverage: str = "COVERED") -> EngagementClocks:
    return EngagementClocks.opened(
        engagement_id="e-1", inquiry_id="i-1", supplier_id="s-1", contract_id="c-1",
        contract_version=2, coverage=coverage, priority="P2", category="税",
        subject="住民税の照会", terms=terms or clock_terms(), at=T0)


# ----- clock terms -----


def test_clock_terms_read_the_event_s_json_shape() -> None:
    text = json.dumps({"calendar": ALWAYS.to_dict(), "acknowledge_minutes": 30,
                       "resolve_minutes": 0, "warning_percents": [50, 75],
                       "reminder_minutes": 15})
    terms = ClockTerms.from_json(text)
    assert terms is not None
    assert (terms.target_seconds(ACK), terms.target_seconds(RES)) == (1800, 0)
    assert terms.warning_percents == (50, 75) and terms.reminder_minutes == 15
    assert ClockTerms.from_dict(terms.to_dict()) == terms
    assert ClockTerms.from_json("") is None


@pytest.mark.parametrize("text, field", [
    ("{not json", "clock_terms_json"),
    ('{"acknowledge_minutes": -1}', "clock_terms.acknowledge_minutes"),
    ('{"warning_percents": [90, 50]}', "clock_terms.warning_percents"),
    ('{"resolve_minutes": "soon"}', "clock_terms"),
])
def test_unreadable_clock_terms_name_the_field(text: str, field: str) -> None:
    with pytest.raises(InvalidField) as caught:
        ClockTerms.from_json(text)
    assert caught.value.violations[0][0] == field


# ----- supplier clocks -----


def test_opening_starts_acknowledge_and_resolve_on_the_contract_terms() -> None:
    clocks = opened()
    assert {c.target for c in clocks.open_clocks()} == {ACK, RES}
    assert clocks.clocks[ACK].target_seconds == 30 * 60
    assert clocks.clocks[RES].target_seconds == 240 * 60


def test_a_zero_target_starts_no_clock_and_an_uncovered_engagement_none() -> None:
    assert set(opened(clock_terms(resolve=0)).clocks) == {ACK}
    uncovered = opened(coverage="NO_CONTRACT")
    assert uncovered.clocks == {} and not uncovered.measured
    assert uncovered.resolved(T0 + minutes(5)) == []


def test_warnings_and_the_breach_fall_due_once_on_the_calendar() -> None:
    clocks = opened()
    terms = clocks.terms
    assert terms is not None
    assert clocks.due_signals(terms, T0 + minutes(22)) == []
    warning, = clocks.due_signals(terms, T0 + minutes(22.5))
    assert (warning.target, warning.percent, warning.due_at) == (ACK, 75, T0 + minutes(22.5))
    breach, = clocks.due_signals(terms, T0 + minutes(31))
    assert breach.is_breach and breach.due_at == T0 + minutes(30)
    assert clocks.due_signals(terms, T0 + minutes(31)) == []
    assert clocks.next_due(terms) == T0 + minutes(180)   # RESOLVE at 75 %


def test_acknowledging_in_time_stops_acknowledge_as_met_and_keeps_resolve() -> None:
    clocks = opened()
    stop, = clocks.acknowledged_at(T0 + minutes(10))
    assert (stop.target, stop.outcome, stop.breached, stop.breached_at) == (
        ACK, Outcome.MET, False, None)
    assert clocks.acknowledged_at(T0 + minutes(11)) == []          # once
    assert [c.target for c in clocks.open_clocks()] == [RES]


def test_resolving_answers_both_clocks() -> None:
    clocks = opened()
    stops = clocks.resolved(T0 + minutes(45))
    assert [(s.target, s.outcome) for s in stops] == [(ACK, Outcome.MISSED),
                                                       (RES, Outcome.MET)]
    assert stops[0].breached_at == T0 + minutes(30)
    assert clocks.acknowledged and clocks.outcome == EngagementOutcome.RESOLVED
    assert clocks.resolved(T0 + minutes(46)) == []


@pytest.mark.parametrize("outcome", [EngagementOutcome.HANDED_BACK,
                                     EngagementOutcome.WITHDRAWN])
def test_hand_back_and_withdrawal_cancel_open_clocks_and_keep_the_breach(outcome: str) -> None:
    clocks = opened()
    assert clocks.terms is not None
    clocks.due_signals(clocks.terms, T0 + minutes(40))
    stops = clocks.ended(outcome, T0 + minutes(40))
    assert [(s.target, s.outcome, s.breached) for s in stops] == [
        (ACK, Outcome.CANCELLED, True), (RES, Outcome.CANCELLED, False)]
    assert stops[0].breached_at == T0 + minutes(30)
    assert clocks.open_clocks() == [] and clocks.acknowledged_at(T0 + minutes(41)) == []


def test_business_hours_move_the_supplier_deadline_over_the_night() -> None:
    week = {d: [] for d in ("mon", "thu", "fri", "sat", "sun")}
    week.update(tue=["09:00-17:00"], wed=["09:00-17:00"])
    office = BusinessCalendar.from_dict({"time_zone": "Asia/Tokyo", "holiday_country": "",
                                         "weekly_hours": week})
    at = datetime(2026, 11, 24, 7, 50, tzinfo=UTC)          # Tue 16:50 in Tokyo
    clocks = EngagementClocks.opened(engagement_id="e-1", inquiry_id="i-1",
                                     supplier_id="s-1", terms=clock_terms(calendar=office),
                                     at=at)
    assert clocks.terms is not None
    due = clocks.clocks[ACK].due_at(office, 100)
    assert due == datetime(2026, 11, 25, 0, 20, tzinfo=UTC)   # Wed 09:20 in Tokyo


def test_engagement_state_survives_a_round_trip_through_plain_data() -> None:
    clocks = opened()
    assert clocks.terms is not None
    clocks.due_signals(clocks.terms, T0 + minutes(31))
    clocks.acknowledged_at(T0 + minutes(35))
    again = EngagementClocks.from_dict(json.loads(json.dumps(clocks.to_dict())))
    assert again == clocks
    assert again.clocks[ACK].breached_at == T0 + minutes(30)


# ----- customer clocks and supplier-held time -----


def agreement(pauses: tuple[tuple[str, tuple[Target, ...]], ...] | None = None
              ) -> AgreementTerms:
    values: dict[str, object] = {
        "name": "test", "calendar": ALWAYS,
        "targets": (TargetSet("P3", first_response_minutes=60, resolution_minutes=120),),
        "warning_percents": (50,)}
    if pauses is not None:
        values["pauses"] = pauses
    return AgreementTerms(**values)  # type: ignore[arg-type]


def received(terms: AgreementTerms) -> InquiryClocks:
    return InquiryClocks.received(inquiry_id="i-1", agreement_id="a", agreement_version=1,
                                  terms=terms, priority="P3", kind="QUESTION", at=T0)


def test_time_while_a_supplier_holds_the_inquiry_is_counted_per_clock() -> None:
    t = agreement()
    clocks = received(t)
    clocks.supplier_engaged(t, "e-1", True, T0 + minutes(30))
    assert clocks.hold_reason == AWAITING_SUPPLIER
    clocks.supplier_outcome(t, "e-1", True, T0 + minutes(100))
    assert clocks.hold_reason == ""
    first, resolution = clocks.resolved(t, T0 + minutes(150))
    assert first.target == Target.FIRST_RESPONSE and first.outcome == Outcome.MISSED
    # First response (60 min): held 30 → 100 = 70 min, of which 60 → 100 after its target.
    assert first.supplier_held_seconds == 70 * 60
    assert first.supplier_late_seconds == 40 * 60
    assert first.breached_at == T0 + minutes(60)
    # Resolution (120 min): held 70 min, all of it before its target was passed.
    assert resolution.supplier_held_seconds == 70 * 60
    assert resolution.supplier_late_seconds == 0
    assert resolution.breached_at == T0 + minutes(120)


def test_a_clock_the_agreement_pauses_for_suppliers_accrues_no_supplier_time() -> None:
    t = agreement(pauses=(("AWAITING_SUPPLIER", (Target.RESOLUTION,)),))
    clocks = received(t)
    clocks.supplier_engaged(t, "e-1", True, T0 + minutes(10))
    clocks.supplier_outcome(t, "e-1", True, T0 + minutes(70))
    stops = {s.target: s for s in clocks.resolved(t, T0 + minutes(80))}
    assert stops[Target.RESOLUTION].elapsed_seconds == 20 * 60
    assert stops[Target.RESOLUTION].supplier_held_seconds == 0
    assert stops[Target.FIRST_RESPONSE].supplier_held_seconds == 60 * 60
    assert stops[Target.FIRST_RESPONSE].supplier_late_seconds == 10 * 60


def test_not_held_engagements_still_count_and_repeats_change_nothing() -> None:
    t = agreement()
    clocks = received(t)
    clocks.put_on_hold(t, "AWAITING_CUSTOMER", T0)
    clocks.supplier_engaged(t, "e-1", False, T0 + minutes(10))       # already on hold
    clocks.supplier_engaged(t, "e-1", False, T0 + minutes(20))       # redelivered
    assert clocks.hold_reason == "AWAITING_CUSTOMER"
    assert clocks.holding_engagement(T0 + minutes(15)) == "e-1"
    assert clocks.holding_engagement(T0 + minutes(5)) == ""
    clocks.supplier_outcome(t, "e-1", False, T0 + minutes(40))
    assert clocks.hold_reason == "AWAITING_CUSTOMER" and clocks.supplier_engagements == []
    first = clocks.first_response(t, T0 + minutes(50))[0]
    assert first.supplier_held_seconds == 30 * 60


def test_an_outcome_before_its_engagement_opens_no_supplier_interval() -> None:
    t = agreement()
    clocks = received(t)
    clocks.supplier_outcome(t, "e-1", False, T0 + minutes(10))
    clocks.supplier_engaged(t, "e-1", False, T0 + minutes(10))
    assert clocks.supplier_engagements == []
    assert clocks.first_response(t, T0 + minutes(20))[0].supplier_held_seconds == 0


def test_a_clock_started_while_a_supplier_holds_counts_from_its_start() -> None:
    t = agreement()
    clocks = received(t)
    clocks.resolved(t, T0 + minutes(5))
    clocks.supplier_engaged(t, "e-1", False, T0 + minutes(10))
    clocks.reopened(t, T0 + minutes(20))
    clocks.supplier_outcome(t, "e-1", False, T0 + minutes(50))
    stop, = clocks.resolved(t, T0 + minutes(60))
    assert (stop.target, stop.cycle, stop.supplier_held_seconds) == (Target.RESOLUTION, 2,
                                                                     30 * 60)


def test_states_stored_before_supplier_time_still_load() -> None:
    t = agreement()
    clocks = received(t)
    old = clocks.to_dict()
    for key in ("supplier_engagements", "supplier_since", "supplier_done",
                "engagement_suppliers"):
        del old[key]
    for clock in old["clocks"]:
        for key in ("breached_at", "supplier_held", "supplier_held_seconds",
                    "supplier_late_seconds"):
            del clock[key]
    loaded = InquiryClocks.from_dict(old)
    assert loaded == clocks
    assert Clock.from_dict(old["clocks"][0]).supplier_held_seconds == 0.0


EVENTS = st.lists(st.tuples(
    st.sampled_from(["engage", "engage_held", "outcome", "outcome_resume", "hold", "resume",
                     "respond", "update", "priority", "resolve", "reopen"]),
    st.integers(min_value=0, max_value=90),          # minutes after the previous event
    st.sampled_from(["e-1", "e-2"])), max_size=25)


@settings(max_examples=200, deadline=None)
@given(plan=EVENTS, pause_for_supplier=st.booleans())
def test_supplier_late_within_supplier_held_within_elapsed(
        plan: list[tuple[str, int, str]], pause_for_supplier: bool) -> None:
    pauses = (("AWAITING_SUPPLIER", (Target.UPDATE,) if pause_for_supplier else ()),
              ("AWAITING_CUSTOMER", (Target.RESOLUTION, Target.UPDATE)))
    t = AgreementTerms(name="p", calendar=ALWAYS, warning_percents=(50,), pauses=pauses,
                       targets=(TargetSet("P1", first_response_minutes=15,
                                          resolution_minutes=60, update_minutes=30),
                                TargetSet("P3", first_response_minutes=45,
                                          resolution_minutes=240, update_minutes=90)))
    clocks = received(t)
    at = T0
    stops = []
    for action, gap, engagement in plan:
        at += minutes(gap)
        clocks.due_signals(t, at)
        if action.startswith("engage"):
            clocks.supplier_engaged(t, engagement, action == "engage_held", at)
        elif action.startswith("outcome"):
            clocks.supplier_outcome(t, engagement, action == "outcome_resume", at)
        elif action == "hold":
            clocks.put_on_hold(t, "AWAITING_CUSTOMER", at)
        elif action == "resume":
            clocks.resumed(at)
        elif action == "respond":
            stops += clocks.first_response(t, at)
        elif action == "update":
            stops += clocks.responded_again(t, at)
        elif action == "priority":
            stops += clocks.retarget(t, at, priority="P1" if clocks.priority == "P3"
                                     else "P3")
        elif action == "resolve":
            stops += clocks.resolved(t, at)
        elif action == "reopen":
            clocks.reopened(t, at)
        for clock in clocks.clocks.values():
            assert 0 <= clock.supplier_late_seconds <= clock.supplier_held_seconds
            assert clock.supplier_held_seconds <= clock.elapsed
    stops += clocks.closed_at(t, at + minutes(1))
    for stop in stops:
        assert 0 <= stop.supplier_late_seconds <= stop.supplier_held_seconds
        assert stop.supplier_held_seconds <= stop.elapsed_seconds
        assert (stop.breached_at is not None) == stop.breached
        if stop.breached_at is not None:
            assert stop.breached_at <= stop.at
