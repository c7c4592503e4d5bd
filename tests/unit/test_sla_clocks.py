"""SLA clocks of one inquiry: what starts, pauses, stops and signals, and when (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.businesstime.calendar import BusinessCalendar
from madoguchi.servicelevels.clock import Outcome
from madoguchi.servicelevels.inquiry_clocks import InquiryClocks
from madoguchi.servicelevels.terms import AgreementTerms, Target, TargetSet

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)   # Tuesday 10:00 in Tokyo
ALWAYS = BusinessCalendar.always_open()


def terms(calendar: BusinessCalendar = ALWAYS, **overrides: object) -> AgreementTerms:
    values: dict[str, object] = {
        "name": "test", "calendar": calendar,
        "targets": (
            TargetSet("P1", first_response_minutes=15, resolution_minutes=120,
                      update_minutes=30),
            TargetSet("P3", first_response_minutes=60, resolution_minutes=480,
                      update_minutes=120),
            TargetSet("P3", kind="COMPLAINT", first_response_minutes=30,
                      resolution_minutes=240),
        ),
        "warning_percents": (50, 75, 90),
    }
    values.update(overrides)
    return AgreementTerms(**values)  # type: ignore[arg-type]


def received(t: AgreementTerms, priority: str = "P3", kind: str = "QUESTION",
             at: datetime = T0) -> InquiryClocks:
    return InquiryClocks.received(inquiry_id="i-1", agreement_id="a", agreement_version=1,
                                  terms=t, priority=priority, kind=kind, at=at)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def test_receipt_starts_first_response_and_resolution_clocks() -> None:
    clocks = received(terms())
    assert {c.target for c in clocks.open_clocks()} == {Target.FIRST_RESPONSE,
                                                       Target.RESOLUTION}
    assert clocks.clocks[Target.FIRST_RESPONSE].target_seconds == 60 * 60


def test_kind_specific_targets_win_over_the_priority_s_general_ones() -> None:
    clocks = received(terms(), kind="COMPLAINT")
    assert clocks.clocks[Target.FIRST_RESPONSE].target_seconds == 30 * 60


def test_each_threshold_and_the_breach_is_signalled_once_at_its_time() -> None:
    t = terms()
    clocks = received(t)
    assert clocks.due_signals(t, T0 + minutes(29)) == []
    first = clocks.due_signals(t, T0 + minutes(30))
    assert [(s.target, s.percent) for s in first] == [(Target.FIRST_RESPONSE, 50)]
    assert first[0].due_at == T0 + minutes(30)
    assert clocks.due_signals(t, T0 + minutes(30)) == []   # never twice
    later = clocks.due_signals(t, T0 + minutes(61))
    assert [s.percent for s in later] == [75, 90, 100]
    assert later[-1].is_breach and later[-1].due_at == T0 + minutes(60)


def test_a_late_look_raises_what_was_missed_with_its_real_due_time() -> None:
    t = terms()
    clocks = received(t)
    signals = clocks.due_signals(t, T0 + timedelta(days=1))
    due = {(s.target, s.percent): s.due_at for s in signals}
    assert due[(Target.FIRST_RESPONSE, 100)] == T0 + minutes(60)
    assert due[(Target.RESOLUTION, 100)] == T0 + minutes(480)
    assert signals == sorted(signals, key=lambda s: (s.due_at, s.percent))


def test_next_due_is_the_earliest_unsignalled_threshold() -> None:
    t = terms()
    clocks = received(t)
    assert clocks.next_due(t) == T0 + minutes(30)
    clocks.due_signals(t, T0 + minutes(30))
    assert clocks.next_due(t) == T0 + minutes(45)


def test_first_response_in_time_is_met_and_starts_the_update_clock() -> None:
    t = terms()
    clocks = received(t)
    stops = clocks.first_response(t, T0 + minutes(20))
    assert [(s.target, s.outcome, s.breached) for s in stops] == [
        (Target.FIRST_RESPONSE, Outcome.MET, False)]
    assert stops[0].elapsed_seconds == 20 * 60
    assert clocks.clocks[Target.UPDATE].is_running
    assert clocks.first_response(t, T0 + minutes(25)) == []   # only the first one counts


def test_a_late_response_is_missed_even_when_the_breach_was_not_signalled_yet() -> None:
    t = terms()
    clocks = received(t)
    stops = clocks.first_response(t, T0 + minutes(61))
    assert stops[0].outcome == Outcome.MISSED and stops[0].breached


def test_awaiting_customer_pauses_resolution_but_not_first_response() -> None:
    t = terms()
    clocks = received(t)
    clocks.put_on_hold(t, "AWAITING_CUSTOMER", T0 + minutes(10))
    assert not clocks.clocks[Target.RESOLUTION].is_running
    assert clocks.clocks[Target.FIRST_RESPONSE].is_running
    clocks.resumed(T0 + minutes(70))
    stops = clocks.resolved(t, T0 + minutes(100))
    resolution = next(s for s in stops if s.target == Target.RESOLUTION)
    assert resolution.elapsed_seconds == (10 + 30) * 60   # the hour on hold did not count


def test_paused_time_moves_the_deadline_by_the_pause() -> None:
    t = terms()
    clocks = received(t)
    clocks.put_on_hold(t, "AWAITING_CUSTOMER", T0 + minutes(100))
    clocks.resumed(T0 + minutes(160))
    clocks.first_response(t, T0 + minutes(170))
    resolution = clocks.clocks[Target.RESOLUTION]
    assert resolution.due_at(ALWAYS, 100) == T0 + minutes(480 + 60)


def test_a_hold_reason_that_pauses_nothing_leaves_clocks_running() -> None:
    t = terms()
    clocks = received(t)
    clocks.put_on_hold(t, "AWAITING_SUPPLIER", T0)
    assert all(c.is_running for c in clocks.open_clocks())
    agreed = terms(pauses=(("AWAITING_SUPPLIER", (Target.RESOLUTION,)),))
    clocks = received(agreed)
    clocks.put_on_hold(agreed, "AWAITING_SUPPLIER", T0)
    assert not clocks.clocks[Target.RESOLUTION].is_running


def test_an_outbound_contact_restarts_the_update_clock_as_a_new_cycle() -> None:
    t = terms()
    clocks = received(t)
    clocks.first_response(t, T0 + minutes(5))
    stops = clocks.responded_again(t, T0 + minutes(100))
    assert [(s.target, s.cycle, s.outcome) for s in stops] == [
        (Target.UPDATE, 1, Outcome.MET)]
    assert clocks.clocks[Target.UPDATE].cycle == 2


def test_resolution_stops_every_clock_and_reopen_restarts_resolution() -> None:
    t = terms()
    clocks = received(t)
    clocks.first_response(t, T0 + minutes(5))
    stops = clocks.resolved(t, T0 + minutes(50))
    assert {s.target for s in stops} == {Target.RESOLUTION, Target.UPDATE}
    assert not clocks.open_clocks()
    clocks.reopened(t, T0 + minutes(200))
    resolution = clocks.clocks[Target.RESOLUTION]
    assert resolution.cycle == 2 and resolution.elapsed == 0
    assert resolution.started_at == T0 + minutes(200)


def test_closing_cancels_open_clocks() -> None:
    t = terms()
    clocks = received(t)
    stops = clocks.closed_at(t, T0 + minutes(5))
    assert {s.outcome for s in stops} == {Outcome.CANCELLED}
    assert not clocks.open_clocks()


def test_a_priority_change_retargets_open_clocks_and_keeps_their_time() -> None:
    t = terms()
    clocks = received(t, priority="P3")
    clocks.due_signals(t, T0 + minutes(31))     # 50 % of the 60-minute target
    stops = clocks.retarget(t, T0 + minutes(40), priority="P1")
    assert stops == []
    first = clocks.clocks[Target.FIRST_RESPONSE]
    assert first.target_seconds == 15 * 60 and first.elapsed == 40 * 60
    signals = clocks.due_signals(t, T0 + minutes(40))
    assert [s.percent for s in signals if s.target == Target.FIRST_RESPONSE] == [75, 90, 100]
    assert clocks.priority == "P1"


def test_a_breached_stop_carries_the_breach_time_signalled_or_not() -> None:
    t = terms()
    signalled = received(t)
    signalled.due_signals(t, T0 + minutes(70))
    stop = signalled.first_response(t, T0 + minutes(75))[0]
    assert (stop.breached, stop.breached_at) == (True, T0 + minutes(60))
    unsignalled = received(t)                         # a late stream: no breach raised yet
    stop = unsignalled.first_response(t, T0 + minutes(75))[0]
    assert (stop.breached, stop.breached_at) == (True, T0 + minutes(60))
    in_time = received(t).first_response(t, T0 + minutes(59))[0]
    assert (in_time.breached, in_time.breached_at) == (False, None)


def test_a_breach_time_skips_paused_time_and_a_lower_target_breaches_at_once() -> None:
    t = terms()
    clocks = received(t)
    clocks.put_on_hold(t, "AWAITING_CUSTOMER", T0 + minutes(100))   # resolution pauses
    clocks.resumed(T0 + minutes(160))
    stops = {s.target: s for s in clocks.resolved(t, T0 + minutes(600))}
    assert stops[Target.RESOLUTION].breached_at == T0 + minutes(480 + 60)
    lowered = received(t)
    lowered.retarget(t, T0 + minutes(40), priority="P1")             # 15 min: passed
    stop = lowered.first_response(t, T0 + minutes(41))[0]
    assert stop.breached_at == T0 + minutes(40)


def test_business_hours_carry_a_deadline_over_the_weekend() -> None:
    weekdays = BusinessCalendar.from_dict({
        "time_zone": "Asia/Tokyo", "holiday_country": "JP",
        "weekly_hours": {"mon": ["08:30-17:15"], "tue": ["08:30-17:15"],
                         "wed": ["08:30-17:15"], "thu": ["08:30-17:15"],
                         "fri": ["08:30-17:15"], "sat": [], "sun": []}})
    t = terms(calendar=weekdays)
    friday_5pm = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)   # 17:00 JST
    clocks = received(t, kind="COMPLAINT", at=friday_5pm)
    # 15 minutes on Friday; the remaining 15 on Monday 30 Nov from 08:30 JST.
    assert clocks.clocks[Target.FIRST_RESPONSE].due_at(weekdays, 100) == datetime(
        2026, 11, 29, 23, 45, tzinfo=UTC)


def test_state_survives_a_round_trip_through_plain_data() -> None:
    t = terms()
    clocks = received(t)
    clocks.due_signals(t, T0 + minutes(31))
    clocks.put_on_hold(t, "AWAITING_CUSTOMER", T0 + minutes(32))
    again = InquiryClocks.from_dict(clocks.to_dict())
    assert again == clocks


# ----- properties -----

steps = st.lists(st.tuples(st.sampled_from(["wait", "hold", "resume", "priority", "look"]),
                           st.integers(min_value=0, max_value=400)), max_size=25)


@settings(max_examples=150, deadline=None)
@given(steps)
def test_elapsed_never_decreases_and_no_signal_repeats(plan: list[tuple[str, int]]) -> None:
    t = terms()
    clocks = received(t)
    now = T0
    seen: set[tuple[str, int, int]] = set()
    last_elapsed = {target: 0.0 for target in Target}
    for action, amount in plan:
        now += minutes(amount)
        if action == "hold":
            clocks.put_on_hold(t, "AWAITING_CUSTOMER", now)
        elif action == "resume":
            clocks.resumed(now)
        elif action == "priority":
            clocks.retarget(t, now, priority="P1" if clocks.priority == "P3" else "P3")
        for signal in clocks.due_signals(t, now):
            key = (signal.target.value, signal.cycle, signal.percent)
            assert key not in seen
            assert signal.due_at <= now
            seen.add(key)
        for clock in clocks.open_clocks():
            elapsed = clock.elapsed_at(ALWAYS, now)
            assert elapsed >= last_elapsed[clock.target] - 1e-6
            assert elapsed <= (now - T0).total_seconds() + 1e-6
            last_elapsed[clock.target] = elapsed


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=300), st.integers(min_value=1, max_value=600))
def test_time_on_hold_never_counts(before: int, held: int) -> None:
    t = terms()
    clocks = received(t)
    clocks.put_on_hold(t, "AWAITING_CUSTOMER", T0 + minutes(before))
    clocks.resumed(T0 + minutes(before + held))
    resolution = clocks.clocks[Target.RESOLUTION]
    assert resolution.elapsed_at(ALWAYS, T0 + minutes(before + held + 10)) == (
        (before + 10) * 60)
