"""SLA replay and what-if: an inquiry's clocks recomputed from its timeline, as the monitor
runs them, on a business calendar (weekdays 08:30-17:15 Asia/Tokyo, Japanese holidays).

Dates used: 2026-11-13 and 2026-11-20 are Fridays; 2026-11-23 (Monday) is Labour
Thanksgiving Day, a Japanese public holiday; 2026-11-16 to 11-19 are ordinary weekdays.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, uuid5
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.errors import InvalidField
from madoguchi.servicelevels.clock import Stop
from madoguchi.servicelevels.inquiry_clocks import InquiryClocks
from madoguchi.servicelevels.terms import AgreementTerms, Target
from services.projections.application.what_if import WhatIfRow, recompute, terms_from_json
from services.projections.domain.sla_replay import ReplayResult, replay
from services.sla_monitor.application.inquiry_clock_events import InquiryClockEvents

TOKYO = ZoneInfo("Asia/Tokyo")
SEED = Path(__file__).resolve().parents[2] / "services/sla_monitor/seed/embedded.json"
OFFICE_CALENDAR = {
    "time_zone": "Asia/Tokyo",
    "weekly_hours": {**{d: ["08:30-17:15"] for d in ("mon", "tue", "wed", "thu", "fri")},
                     "sat": [], "sun": []},
    "holiday_country": "JP",
    "closures": [],
}
ALWAYS_OPEN = {
    "time_zone": "Asia/Tokyo",
    "weekly_hours": {d: ["00:00-24:00"] for d in
                     ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    "holiday_country": "",
    "closures": [],
}


def jst(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TOKYO)


def terms(p3_resolution: int = 960, calendar: dict[str, Any] | None = None,
          **extra: Any) -> AgreementTerms:
    """Terms in the seed's shape: P1 and P3 targets, AWAITING_CUSTOMER pausing resolution."""
    return AgreementTerms.from_dict({
        "name": "test agreement", "customer": "residents",
        "calendar": calendar or OFFICE_CALENDAR,
        "targets": [
            {"priority": "P1", "first_response_minutes": 15, "resolution_minutes": 240,
             "update_minutes": 60},
            {"priority": "P3", "first_response_minutes": 60,
             "resolution_minutes": p3_resolution, "update_minutes": 240},
        ],
        "warning_percents": [50, 75, 90],
        "pauses": {"AWAITING_CUSTOMER": ["RESOLUTION", "UPDATE"], "AWAITING_SUPPLIER": [],
                   "OTHER": []},
        "reminder_minutes": 30,
        **extra,
    })


class Timeline:
    """Builds an inquiry's timeline: (event_type, JSON-able record) in version order."""

    def __init__(self, inquiry_id: str = "11111111-1111-1111-1111-111111111111") -> None:
        self.inquiry_id = inquiry_id
        self.events: list[tuple[str, dict[str, Any]]] = []

    def add(self, event_type: str, at: datetime, **fields: Any) -> Timeline:
        version = len(self.events) + 1
        self.events.append((event_type, {
            "event_id": str(uuid5(NAMESPACE_URL, f"{self.inquiry_id}/{version}")),
            "aggregate_id": self.inquiry_id, "aggregate_version": version,
            "recorded_at": at.isoformat(), "occurred_at": at.isoformat(),
            "actor": "agent-7", "correlation_id": "", **fields}))
        return self

    def received(self, at: datetime, priority: str = "P3", kind: str = "QUESTION"
                 ) -> Timeline:
        return self.add(
            "InquiryReceived", at, idempotency_key=f"key-{self.inquiry_id}", channel="PHONE",
            kind=kind, contact={"name": "山田 太郎", "phone": "03-1234-5678", "email": "",
                                "preferred_language": "ja"},
            subject="住民票の写し", body="", category="certificates", department="区民課",
            impact="MEDIUM", urgency="MEDIUM", priority=priority,
            agreement_id="citizen-standard", contacted_at=at.isoformat(), external_ref="")

    def first_response(self, at: datetime) -> Timeline:
        return self.add("InquiryFirstResponseRecorded", at, channel="PHONE")

    def contact(self, at: datetime, direction: str = "OUTBOUND") -> Timeline:
        return self.add("InquiryContactLogged", at, contact_key="", channel="PHONE",
                        direction=direction, note="")

    def assigned(self, at: datetime) -> Timeline:
        return self.add("InquiryAssigned", at, team="counter", assignee="agent-7")

    def hold(self, at: datetime, reason: str = "AWAITING_CUSTOMER") -> Timeline:
        return self.add("InquiryPutOnHold", at, reason=reason, note="")

    def resumed(self, at: datetime) -> Timeline:
        return self.add("InquiryResumed", at, note="")

    def supplier_engaged(self, at: datetime, engagement_id: str = "e-1", held: bool = True
                         ) -> Timeline:
        return self.add("InquirySupplierEngaged", at, engagement_id=engagement_id,
                        supplier_id="s-1", contract_id="c-1", coverage="", held=held)

    def supplier_outcome(self, at: datetime, engagement_id: str = "e-1",
                         resumed: bool = True) -> Timeline:
        return self.add("InquirySupplierOutcomeRecorded", at, engagement_id=engagement_id,
                        supplier_id="s-1", outcome="FIXED", note="", resumed=resumed)

    def priority(self, at: datetime, priority: str, previous: str = "P3") -> Timeline:
        return self.add("InquiryPriorityChanged", at, impact="HIGH", urgency="HIGH",
                        priority=priority, previous_priority=previous, reason="")

    def resolved(self, at: datetime) -> Timeline:
        return self.add("InquiryResolved", at, resolution_code="ANSWERED",
                        resolution_text="", faq_entry_id="", at_first_contact=False)

    def reopened(self, at: datetime) -> Timeline:
        return self.add("InquiryReopened", at, reason="not fixed")

    def closed(self, at: datetime) -> Timeline:
        return self.add("InquiryClosed", at)


def clock(result: ReplayResult, target: Target, cycle: int = 1) -> Any:
    found = [c for c in result.clocks if c.target == target.value and c.cycle == cycle]
    assert len(found) == 1, f"{target} cycle {cycle}: {result.clocks}"
    return found[0]


# ----- business calendar -----


def test_friday_evening_receipt_is_due_monday_morning() -> None:
    # Friday 16:45-17:15 counts 30 minutes; the other 30 run Monday 08:30-09:00.
    result = replay(Timeline().received(jst(13, 16, 45)).events, terms())
    assert result.next_deadline is not None
    assert result.next_deadline.target == "FIRST_RESPONSE"
    assert result.next_deadline.due_at == jst(16, 9, 0)


def test_a_monday_holiday_moves_the_deadline_to_tuesday() -> None:
    assert terms().calendar.is_closed_day(date(2026, 11, 23))   # Labour Thanksgiving Day
    result = replay(Timeline().received(jst(20, 16, 45)).events, terms())
    assert result.next_deadline is not None
    assert result.next_deadline.due_at == jst(24, 9, 0)


def test_closed_hours_do_not_count_towards_a_response() -> None:
    events = Timeline().received(jst(13, 16, 45)).first_response(jst(16, 8, 55)).events
    first = clock(replay(events, terms()), Target.FIRST_RESPONSE)
    assert (first.outcome, first.elapsed_seconds) == ("MET", 55 * 60)
    assert first.stopped_at == jst(16, 8, 55) and first.breached_at is None


def test_the_seeded_lunch_break_is_skipped() -> None:
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    standard = next(a for a in seed["agreements"] if a["agreement_id"] == "citizen-standard")
    result = replay(Timeline().received(jst(16, 11, 30)).events,
                    AgreementTerms.from_dict(standard["terms"]))
    assert result.next_deadline is not None
    assert result.next_deadline.due_at == jst(16, 13, 30)   # 11:30-12:00, 13:00-13:30


# ----- holds, reopen, priority -----


def hold_and_reopen() -> Timeline:
    return (Timeline().received(jst(16, 9, 0)).first_response(jst(16, 9, 30))
            .hold(jst(16, 10, 0)).resumed(jst(17, 11, 0)).resolved(jst(17, 15, 0))
            .reopened(jst(18, 9, 0)))


def test_awaiting_customer_pauses_resolution_and_update_but_not_first_response() -> None:
    on_hold = Timeline().received(jst(16, 9, 0)).hold(jst(16, 9, 20)).events
    result = replay(on_hold, terms())
    assert result.hold_reason == "AWAITING_CUSTOMER"
    resolution = clock(result, Target.RESOLUTION)
    assert resolution.paused and resolution.due_at is None
    assert resolution.elapsed_seconds == 20 * 60
    assert result.next_deadline is not None
    assert (result.next_deadline.target, result.next_deadline.due_at) == \
        ("FIRST_RESPONSE", jst(16, 10, 0))


def test_a_paused_inquiry_has_no_deadline() -> None:
    events = hold_and_reopen().events[:3]   # received, responded, on hold
    result = replay(events, terms())
    assert [c.paused for c in result.open_clocks()] == [True, True]
    assert result.next_deadline is None


def test_time_on_hold_does_not_count_and_a_reopen_starts_cycle_2() -> None:
    result = replay(hold_and_reopen().events, terms())
    first = clock(result, Target.FIRST_RESPONSE)
    assert (first.outcome, first.elapsed_seconds) == ("MET", 30 * 60)
    resolution = clock(result, Target.RESOLUTION)   # 60 min Monday + 240 min Tuesday
    assert (resolution.outcome, resolution.elapsed_seconds) == ("MET", 300 * 60)
    update = clock(result, Target.UPDATE)           # 30 min Monday + 240 min Tuesday
    assert (update.outcome, update.elapsed_seconds) == ("MISSED", 270 * 60)
    assert update.breached_at == jst(17, 14, 30)
    again = clock(result, Target.RESOLUTION, cycle=2)
    assert again.outcome == "" and again.started_at == jst(18, 9, 0)
    assert again.due_at == jst(19, 16, 15)          # 495 min Wednesday + 465 Thursday
    assert clock(result, Target.UPDATE, cycle=2).due_at == jst(18, 13, 0)
    assert result.next_deadline is not None
    assert (result.next_deadline.target, result.next_deadline.cycle,
            result.next_deadline.due_at) == ("UPDATE", 2, jst(18, 13, 0))


def test_a_priority_change_retargets_open_clocks_and_keeps_their_time() -> None:
    events = (Timeline().received(jst(16, 9, 0)).priority(jst(16, 9, 20), "P1")
              .first_response(jst(16, 9, 25)).events)
    result = replay(events, terms())
    first = clock(result, Target.FIRST_RESPONSE)
    # The P1 target (15 min) was already passed when the priority changed.
    assert (first.outcome, first.target_seconds, first.priority) == ("MISSED", 900, "P1")
    assert first.breached_at == jst(16, 9, 20)
    assert clock(result, Target.RESOLUTION).due_at == jst(16, 13, 0)   # P1: 240 min
    assert result.next_deadline is not None
    assert (result.next_deadline.target, result.next_deadline.due_at) == \
        ("UPDATE", jst(16, 10, 25))


def test_a_supplier_hold_pauses_only_what_the_terms_say() -> None:
    events = (Timeline().received(jst(16, 9, 0)).supplier_engaged(jst(16, 9, 10))
              .supplier_outcome(jst(16, 11, 0)).resolved(jst(16, 12, 0)).events)
    # AWAITING_SUPPLIER pauses nothing in these terms…
    plain = clock(replay(events, terms()), Target.RESOLUTION)
    assert plain.elapsed_seconds == 180 * 60
    # …and RESOLUTION in terms that say so (the seeded citizen-priority agreement does).
    paused = terms(pauses={"AWAITING_SUPPLIER": ["RESOLUTION"]})
    assert clock(replay(events, paused), Target.RESOLUTION).elapsed_seconds == 70 * 60


# ----- two versions of the terms -----


def test_the_same_timeline_misses_under_120_minutes_and_meets_under_480() -> None:
    events = (Timeline().received(jst(16, 9, 0)).first_response(jst(16, 9, 10))
              .resolved(jst(16, 13, 0)).events)   # 240 business minutes
    strict = clock(replay(events, terms(p3_resolution=120), agreement_version=1),
                   Target.RESOLUTION)
    lenient = clock(replay(events, terms(p3_resolution=480), agreement_version=2),
                    Target.RESOLUTION)
    assert (strict.outcome, strict.breached_at) == ("MISSED", jst(16, 11, 0))
    assert (lenient.outcome, lenient.breached_at) == ("MET", None)
    assert strict.elapsed_seconds == lenient.elapsed_seconds == 240 * 60


# ----- tolerance -----


def test_without_its_receipt_an_inquiry_has_no_clocks() -> None:
    events = Timeline().received(jst(16, 9, 0)).first_response(jst(16, 9, 30)).events[1:]
    result = replay(events, terms())
    assert result == ReplayResult()
    assert result.clocks == () and result.next_deadline is None and not result.received


def test_other_events_and_redeliveries_change_nothing() -> None:
    base = (Timeline().received(jst(16, 9, 0)).first_response(jst(16, 9, 30))
            .contact(jst(16, 9, 40)))
    noisy = (Timeline().received(jst(16, 9, 0)).assigned(jst(16, 9, 5))
             .first_response(jst(16, 9, 30)).contact(jst(16, 9, 40)))
    events = [*noisy.events, noisy.events[3], noisy.events[0],   # redelivered
              ("ContactAttemptRecorded", {"occurred_at": jst(16, 9, 50).isoformat()})]
    result = replay(events, terms())
    assert result.clocks == replay(base.events, terms()).clocks
    assert [c.cycle for c in result.clocks if c.target == "UPDATE"] == [1, 2]


def test_now_measures_open_clocks_and_marks_a_passed_breach() -> None:
    events = Timeline().received(jst(16, 9, 0)).events
    result = replay(events, terms(), now=jst(16, 10, 30))
    first = clock(result, Target.FIRST_RESPONSE)
    assert first.elapsed_seconds == 90 * 60
    assert first.breached_at == first.due_at == jst(16, 10, 0)
    assert result.as_of == jst(16, 10, 30)


# ----- the monitor's own code path gives the same clocks -----


class _MonitorConfig:
    """What ``InquiryClockEvents`` asks of its config, for one agreement version."""

    def __init__(self, terms: AgreementTerms) -> None:
        self._terms = terms

    def for_new_inquiry(self, agreement_id: str, at: datetime) -> tuple[str, int]:
        return agreement_id, 1

    def terms(self, agreement_id: str, version: int) -> AgreementTerms:
        return self._terms

    def carried_version(self, agreement_id: str, version: int) -> int:
        return version


class _MonitorBatch:
    """What ``InquiryClockEvents`` asks of a keeper batch, minus the event store."""

    def __init__(self, terms: AgreementTerms, now: datetime) -> None:
        self.terms = terms
        self.now = now
        self.stops: list[Stop] = []

    def raise_due(self, state: InquiryClocks, at: datetime) -> None:
        state.due_signals(self.terms, min(at, self.now))

    def stopped(self, state: InquiryClocks, stops: list[Stop], at: datetime) -> None:
        self.stops += stops


def monitor_run(events: list[tuple[str, dict[str, Any]]], t: AgreementTerms
                ) -> tuple[InquiryClocks | None, list[Stop]]:
    """Apply the events as the monitor's consumer does (records decoded: datetimes)."""
    model = InquiryClockEvents(_MonitorConfig(t))  # type: ignore[arg-type]
    batch = _MonitorBatch(t, datetime(2100, 1, 1, tzinfo=UTC))
    state = None
    for event_type, record in events:
        if model.accepts(event_type):
            decoded = {**record, "occurred_at": datetime.fromisoformat(record["occurred_at"])}
            state = model.apply(state, event_type, decoded, batch)  # type: ignore[arg-type]
    return state, batch.stops


def assert_same_as_monitor(events: list[tuple[str, dict[str, Any]]], t: AgreementTerms
                           ) -> None:
    state, stops = monitor_run(events, t)
    result = replay(events, t)
    assert sorted((c.stopped_at, c.target, c.cycle, c.outcome, c.elapsed_seconds,
                   c.target_seconds, c.breached_at) for c in result.stopped_clocks()) == \
        sorted((s.at, str(s.target), s.cycle, s.outcome, s.elapsed_seconds, s.target_seconds,
                s.breached_at) for s in stops)
    assert state is not None
    assert result.as_of is not None
    monitor_open = sorted((str(c.target), c.cycle, c.target_seconds, c.paused,
                           c.elapsed_at(t.calendar, result.as_of),
                           c.due_at(t.calendar, 100) if c.elapsed <= c.target_seconds
                           else c.breached_at if c.is_running else None)
                          for c in state.open_clocks())
    assert sorted((c.target, c.cycle, c.target_seconds, c.paused, c.elapsed_seconds, c.due_at)
                  for c in result.open_clocks()) == monitor_open


def test_a_full_life_replays_as_the_monitor_measures_it() -> None:
    life = (Timeline().received(jst(13, 16, 45)).first_response(jst(16, 9, 30))
            .contact(jst(16, 11, 0)).supplier_engaged(jst(16, 13, 0))
            .priority(jst(16, 14, 0), "P1").supplier_outcome(jst(17, 10, 0))
            .hold(jst(17, 11, 0)).resumed(jst(18, 9, 0)).resolved(jst(18, 10, 0))
            .reopened(jst(19, 9, 0)).contact(jst(19, 9, 30), "INBOUND"))
    assert_same_as_monitor(life.events, terms())        # open: same clocks, same deadlines
    assert_same_as_monitor(life.closed(jst(19, 12, 0)).events, terms())   # all stopped


STEPS = st.sampled_from([
    ("first_response", ()), ("contact", ("OUTBOUND",)), ("contact", ("INBOUND",)),
    ("hold", ("AWAITING_CUSTOMER",)), ("hold", ("AWAITING_SUPPLIER",)), ("hold", ("OTHER",)),
    ("resumed", ()), ("supplier_engaged", ("e-1", True)), ("supplier_engaged", ("e-2", False)),
    ("supplier_outcome", ("e-1", True)), ("supplier_outcome", ("e-2", False)),
    ("priority", ("P1",)), ("priority", ("P3",)), ("priority", ("P5",)),
    ("resolved", ()), ("reopened", ()), ("closed", ()), ("assigned", ()),
])


@settings(max_examples=80, deadline=None)
@given(plan=st.lists(st.tuples(STEPS, st.integers(0, 3 * 24 * 60)), max_size=14),
       priority=st.sampled_from(["P1", "P3"]))
def test_any_timeline_replays_as_the_monitor_measures_it(
        plan: list[tuple[tuple[str, tuple[Any, ...]], int]], priority: str) -> None:
    timeline = Timeline().received(jst(13, 16, 45), priority=priority)
    at = jst(13, 16, 45)
    for (step, args), gap in plan:
        at += timedelta(minutes=gap)
        getattr(timeline, step)(at, *args)
    assert_same_as_monitor(timeline.events, terms())


# ----- what if -----


def what_if_inquiries() -> list[tuple[str, list[tuple[str, dict[str, Any]]]]]:
    a = (Timeline("a").received(jst(20, 10, 0, month=10)).first_response(jst(20, 10, 30, 10))
         .resolved(jst(20, 20, 0, month=10)))
    # Resolved 2026-11-01 08:30 in Tokyo, which is still 31 October in UTC.
    b = (Timeline("b").received(jst(31, 10, 0, month=10)).first_response(jst(31, 12, 0, 10))
         .resolved(jst(1, 8, 30)))
    c = Timeline("c").received(jst(2, 9, 0), "P1").first_response(jst(2, 9, 5))   # still open
    d = Timeline("d").received(jst(3, 9, 0), "P1").closed(jst(3, 10, 0))          # cancelled
    return [(t.inquiry_id, t.events) for t in (a, b, c, d)]


def what_if_terms() -> AgreementTerms:
    return AgreementTerms.from_dict({
        "name": "24x7 proposal", "calendar": ALWAYS_OPEN,
        "targets": [
            {"priority": "P1", "first_response_minutes": 15, "resolution_minutes": 240,
             "update_minutes": 60},
            {"priority": "P3", "first_response_minutes": 60, "resolution_minutes": 960},
        ]})


def counts(rows: list[WhatIfRow]) -> dict[tuple[str, str], tuple[int, int, float | None]]:
    return {(r.target, r.priority): (r.met, r.missed, r.compliance_percent) for r in rows}


def test_what_if_counts_clocks_by_the_local_month_they_stopped_in() -> None:
    november = recompute(what_if_inquiries(), what_if_terms(), month="2026-11")
    assert [(r.target, r.priority) for r in november] == [
        ("FIRST_RESPONSE", ""), ("FIRST_RESPONSE", "P1"), ("FIRST_RESPONSE", "P3"),
        ("RESOLUTION", ""), ("RESOLUTION", "P1"), ("RESOLUTION", "P3"),
        ("UPDATE", ""), ("UPDATE", "P1"),
    ]
    assert counts(november) == {
        ("FIRST_RESPONSE", ""): (1, 0, 100.0), ("FIRST_RESPONSE", "P1"): (1, 0, 100.0),
        ("FIRST_RESPONSE", "P3"): (0, 0, None),
        ("RESOLUTION", ""): (0, 1, 0.0), ("RESOLUTION", "P1"): (0, 0, None),
        ("RESOLUTION", "P3"): (0, 1, 0.0),
        ("UPDATE", ""): (0, 0, None), ("UPDATE", "P1"): (0, 0, None),
    }
    october = counts(recompute(what_if_inquiries(), what_if_terms(), month="2026-10"))
    assert october[("FIRST_RESPONSE", "P3")] == (1, 1, 50.0)
    assert october[("RESOLUTION", "P3")] == (1, 0, 100.0)


def test_what_if_months_follow_the_zone() -> None:
    utc = counts(recompute(what_if_inquiries(), what_if_terms(), zone="UTC",
                           month="2026-10"))
    assert utc[("RESOLUTION", "P3")] == (1, 1, 50.0)


def test_what_if_without_a_month_counts_every_stopped_clock() -> None:
    everything = counts(recompute(what_if_inquiries(), what_if_terms()))
    assert everything[("FIRST_RESPONSE", "")] == (2, 1, 66.7)
    assert everything[("RESOLUTION", "")] == (1, 1, 50.0)


def test_what_if_under_other_terms_changes_the_outcomes() -> None:
    lenient = AgreementTerms.from_dict({
        **what_if_terms().to_dict(),
        "targets": [{"priority": "P1", "first_response_minutes": 15},
                    {"priority": "P3", "first_response_minutes": 180,
                     "resolution_minutes": 2880}]})
    everything = counts(recompute(what_if_inquiries(), lenient))
    assert everything[("RESOLUTION", "P3")] == (2, 0, 100.0)
    assert everything[("FIRST_RESPONSE", "P3")] == (2, 0, 100.0)
    assert ("UPDATE", "") not in everything


@pytest.mark.parametrize(("month", "zone"), [("2026-13", "Asia/Tokyo"), ("Nov", "Asia/Tokyo"),
                                             ("2026-11", "Mars/Olympus")])
def test_what_if_rejects_a_bad_month_or_zone(month: str, zone: str) -> None:
    with pytest.raises(InvalidField):
        recompute([], what_if_terms(), zone=zone, month=month)


def test_terms_json_is_validated_by_the_monitor_s_rules() -> None:
    good = what_if_terms().to_dict()
    assert terms_from_json(json.dumps(good)) == what_if_terms()
    bad = {**good, "targets": [{"priority": "P9", "first_response_minutes": 15}]}
    with pytest.raises(InvalidField) as error:
        terms_from_json(json.dumps(bad))
    assert error.value.violations[0][0] == "terms.targets[0].priority"
    for text, field in (("{not json", "terms_json"), ("[]", "terms_json"),
                        (json.dumps({**good, "targets": 5}), "terms")):
        with pytest.raises(InvalidField) as error:
            terms_from_json(text)
        assert error.value.violations[0][0] == field
