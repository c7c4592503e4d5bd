"""Business calendars: what counts as business time for SLA targets (pure).

A calendar has a time zone, weekly opening hours, the public holidays of one country and
local closures. Business time is real elapsed time inside the opening intervals; a
deadline is the instant a given amount of business time has passed. The examples use
real 2026 dates, checked against the ``holidays`` library rather than assumed.
"""

from __future__ import annotations

import copy
import itertools
import json
import pickle
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.businesstime.calendar import BusinessCalendar
from madoguchi.businesstime.closures import Closure
from madoguchi.businesstime.hours import parse_hours

TOKYO = ZoneInfo("Asia/Tokyo")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
JP = holidays.country_holidays("JP", years=[2025, 2026, 2027])
MINUTE = timedelta(minutes=1)
TINY = timedelta(microseconds=1)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def week(weekdays: list[str], weekend: list[str] | None = None) -> dict[str, list[str]]:
    """Weekly hours as plain data: the same hours Monday to Friday, ``weekend`` on both."""
    return {day: list(weekdays if i < 5 else (weekend or [])) for i, day in enumerate(WEEKDAYS)}


def tokyo(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TOKYO)


def berlin(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BERLIN)


# A municipal office: Monday to Friday, 08:30-12:00 and 13:00-17:15, Japanese holidays.
OFFICE = BusinessCalendar.from_dict({
    "time_zone": "Asia/Tokyo", "holiday_country": "JP",
    "weekly_hours": week(["08:30-12:00", "13:00-17:15"]),
})
# A contact centre: every day 08:00-21:00, holidays included.
CONTACT_CENTRE = BusinessCalendar.from_dict({
    "time_zone": "Asia/Tokyo", "holiday_country": "",
    "weekly_hours": week(["08:00-21:00"], ["08:00-21:00"]),
})
NEW_YEAR = Closure("12-29", "01-03", "New Year break")


# ----- examples: deadlines on a Japanese office calendar -----


def test_a_friday_request_at_1700_with_30_minutes_left_is_due_monday_at_0845() -> None:
    assert date(2026, 11, 30) not in JP
    # 15 minutes on Friday until 17:15, the other 15 from 08:30 on Monday.
    due = OFFICE.add_business_seconds(tokyo(2026, 11, 27, 17, 0), 30 * 60)
    assert due == tokyo(2026, 11, 30, 8, 45)
    assert due.tzinfo is UTC


def test_a_monday_holiday_moves_the_deadline_to_tuesday() -> None:
    assert JP.get(date(2026, 1, 12)) == "Coming of Age Day"
    due = OFFICE.add_business_seconds(tokyo(2026, 1, 9, 17, 0), 30 * 60)
    assert due == tokyo(2026, 1, 13, 8, 45)


def test_golden_week_and_silver_week_are_skipped_whole() -> None:
    # 2026-05-03 to 05-06: Constitution Day, Greenery Day, Children's Day, substitute.
    assert all(date(2026, 5, d) in JP for d in (3, 4, 5, 6))
    assert OFFICE.add_business_seconds(tokyo(2026, 5, 1, 17, 0), 30 * 60) == tokyo(
        2026, 5, 7, 8, 45)
    # 2026-09-21 to 09-23: Respect for the Aged Day, a national holiday, the equinox.
    assert all(date(2026, 9, d) in JP for d in (21, 22, 23))
    assert OFFICE.add_business_seconds(tokyo(2026, 9, 18, 17, 0), 30 * 60) == tokyo(
        2026, 9, 24, 8, 45)


def test_the_lunch_break_is_not_business_time() -> None:
    assert OFFICE.add_business_seconds(tokyo(2026, 11, 25, 11, 50), 30 * 60) == tokyo(
        2026, 11, 25, 13, 20)
    assert OFFICE.business_seconds(tokyo(2026, 11, 25, 11, 0), tokyo(2026, 11, 25, 14, 0)) == (
        2 * 3600)
    assert not OFFICE.is_open(tokyo(2026, 11, 25, 12, 30))


def test_opening_intervals_are_half_open() -> None:
    assert OFFICE.is_open(tokyo(2026, 11, 25, 8, 30))
    assert not OFFICE.is_open(tokyo(2026, 11, 25, 8, 30) - TINY)
    assert OFFICE.is_open(tokyo(2026, 11, 25, 12, 0) - TINY)
    assert not OFFICE.is_open(tokyo(2026, 11, 25, 12, 0))
    assert not OFFICE.is_open(tokyo(2026, 11, 25, 17, 15))


def test_a_deadline_at_the_end_of_an_interval_stays_there() -> None:
    # Exactly the 15 minutes left on Friday: due at 17:15, not at 08:30 on Monday.
    assert OFFICE.add_business_seconds(tokyo(2026, 11, 27, 17, 0), 15 * 60) == tokyo(
        2026, 11, 27, 17, 15)


def test_a_start_outside_hours_waits_for_the_next_opening() -> None:
    saturday = tokyo(2026, 11, 28, 10, 0)
    assert OFFICE.add_business_seconds(saturday, 60) == tokyo(2026, 11, 30, 8, 31)
    assert OFFICE.business_seconds(saturday, tokyo(2026, 11, 30, 8, 30)) == 0.0


def test_business_days_exclude_weekends_holidays_and_closures() -> None:
    assert OFFICE.is_business_day(date(2026, 1, 13))
    assert not OFFICE.is_business_day(date(2026, 1, 12))    # Coming of Age Day
    assert not OFFICE.is_business_day(date(2026, 5, 5))     # Children's Day
    assert not OFFICE.is_business_day(date(2026, 1, 10))    # a Saturday
    assert CONTACT_CENTRE.is_business_day(date(2026, 5, 5))  # no holidays configured
    with pytest.raises(ValueError, match="local date"):
        OFFICE.is_business_day(tokyo(2026, 1, 13))


def test_open_intervals_list_the_opening_time_in_utc() -> None:
    intervals = list(OFFICE.open_intervals(tokyo(2026, 11, 27, 10, 0), tokyo(2026, 12, 1)))
    assert intervals == [
        (tokyo(2026, 11, 27, 10, 0), tokyo(2026, 11, 27, 12, 0)),
        (tokyo(2026, 11, 27, 13, 0), tokyo(2026, 11, 27, 17, 15)),
        (tokyo(2026, 11, 30, 8, 30), tokyo(2026, 11, 30, 12, 0)),
        (tokyo(2026, 11, 30, 13, 0), tokyo(2026, 11, 30, 17, 15)),
    ]
    assert all(a.tzinfo is UTC and b.tzinfo is UTC for a, b in intervals)


# ----- examples: closures -----


def test_a_recurring_closure_spans_the_year_end() -> None:
    office = BusinessCalendar.from_dict({**OFFICE.to_dict(), "closures": [NEW_YEAR.to_dict()]})
    assert office.is_business_day(date(2026, 12, 28))
    assert not any(office.is_business_day(date(2026, 12, d)) for d in (29, 30, 31))
    assert not any(office.is_business_day(date(2027, 1, d)) for d in (1, 2, 3))
    assert not office.is_business_day(date(2025, 12, 31))      # every year
    assert date(2027, 1, 4) not in JP and office.is_business_day(date(2027, 1, 4))
    assert office.add_business_seconds(tokyo(2026, 12, 28, 17, 0), 30 * 60) == tokyo(
        2027, 1, 4, 8, 45)


def test_a_one_off_closure_closes_its_dates_once() -> None:
    migration = Closure("2026-08-12", "2026-08-14", "system migration")
    office = BusinessCalendar.from_dict({**OFFICE.to_dict(), "closures": [migration.to_dict()]})
    assert [office.is_business_day(date(2026, 8, d)) for d in (10, 11, 12, 13, 14, 17)] == [
        True, False, False, False, False, True]   # 08-11 is Mountain Day
    assert office.is_business_day(date(2027, 8, 12))


def test_a_closure_may_be_a_single_day() -> None:
    assert Closure("06-15", "06-15").covers(date(2031, 6, 15))
    assert not Closure("06-15", "06-15").covers(date(2031, 6, 16))


# ----- examples: round the clock -----


def test_a_24x7_calendar_counts_wall_clock_time() -> None:
    always = BusinessCalendar.always_open()
    start = tokyo(2026, 12, 31, 23, 0)
    assert always.business_seconds(start, start + timedelta(days=9)) == 9 * 86400
    assert always.add_business_seconds(start, 86400.5) == start + timedelta(days=1, seconds=0.5)
    # Consecutive 00:00-24:00 days join into one interval.
    assert list(always.open_intervals(start, start + timedelta(days=9))) == [
        (start, start + timedelta(days=9))]


def test_a_contact_centre_open_every_day_from_0800_to_2100() -> None:
    assert date(2026, 11, 23) in JP                 # Labor Thanksgiving Day: still open
    assert CONTACT_CENTRE.is_open(tokyo(2026, 11, 23, 12, 0))
    assert CONTACT_CENTRE.add_business_seconds(tokyo(2026, 11, 28, 20, 50), 30 * 60) == tokyo(
        2026, 11, 29, 8, 20)
    assert CONTACT_CENTRE.business_seconds(tokyo(2026, 11, 23), tokyo(2026, 11, 30)) == (
        7 * 13 * 3600)
    closed_on_holidays = BusinessCalendar.from_dict(
        {**CONTACT_CENTRE.to_dict(), "holiday_country": "JP"})
    assert closed_on_holidays.add_business_seconds(tokyo(2026, 11, 22, 20, 50), 30 * 60) == (
        tokyo(2026, 11, 24, 8, 20))


def test_touching_intervals_join_seamlessly() -> None:
    halves = BusinessCalendar(weekly_hours=(((0, 720), (720, 1440)),) * 7, holiday_country="")
    start = tokyo(2026, 6, 1, 6, 0)
    assert list(halves.open_intervals(start, start + timedelta(days=3))) == [
        (start, start + timedelta(days=3))]


# ----- examples: daylight saving time (Europe/Berlin: 2026-03-29 and 2026-10-25) -----


def every_day(*hours: tuple[int, int], zone: str = "Europe/Berlin") -> BusinessCalendar:
    return BusinessCalendar(time_zone=zone, weekly_hours=(hours,) * 7, holiday_country="")


@pytest.mark.parametrize(("day", "hours"), [
    (date(2026, 3, 28), 24), (date(2026, 3, 29), 23), (date(2026, 10, 25), 25),
])
def test_a_whole_local_day_counts_its_real_length(day: date, hours: int) -> None:
    whole_days = every_day((0, 1440))
    midnight = datetime(day.year, day.month, day.day, tzinfo=BERLIN)
    next_midnight = datetime.combine(day + timedelta(days=1), midnight.timetz())
    assert whole_days.business_seconds(midnight, next_midnight) == hours * 3600
    assert BusinessCalendar.always_open("Europe/Berlin").business_seconds(
        midnight, next_midnight) == hours * 3600


def test_office_hours_away_from_the_change_are_unaffected() -> None:
    nine_to_five = every_day((9 * 60, 17 * 60))
    for day in (29, 30):
        assert nine_to_five.business_seconds(berlin(2026, 3, day), berlin(2026, 3, day + 1)) == (
            8 * 3600)


def test_a_local_time_in_the_spring_forward_gap_is_clamped_to_the_jump() -> None:
    # 02:00-03:00 does not exist on 2026-03-29: clocks go from 02:00 CET to 03:00 CEST.
    inside_gap = every_day((120, 150))
    assert not inside_gap.is_business_day(date(2026, 3, 29))
    assert inside_gap.is_business_day(date(2026, 3, 30))
    across_gap = every_day((150, 240))        # "02:30" is the jump, 01:00 UTC
    assert list(across_gap.open_intervals(berlin(2026, 3, 29), berlin(2026, 3, 30))) == [
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 3, 29, 2, 0, tzinfo=UTC))]


def test_an_ambiguous_local_time_means_its_first_occurrence() -> None:
    # 02:00-03:00 happens twice on 2026-10-25: first in CEST (00:00 UTC), then in CET.
    repeated_hour = every_day((120, 180))
    assert list(repeated_hour.open_intervals(berlin(2026, 10, 25), berlin(2026, 10, 26))) == [
        (datetime(2026, 10, 25, 0, 0, tzinfo=UTC), datetime(2026, 10, 25, 2, 0, tzinfo=UTC))]
    half = every_day((120, 150), (150, 180))
    assert half.business_seconds(berlin(2026, 10, 25), berlin(2026, 10, 26)) == 2 * 3600


def test_new_york_changes_on_its_own_dates() -> None:
    whole_days = every_day((0, 1440), zone="America/New_York")
    for day, hours in ((date(2026, 3, 8), 23), (date(2026, 11, 1), 25)):
        midnight = datetime(day.year, day.month, day.day, tzinfo=NEW_YORK)
        after = datetime.combine(day + timedelta(days=1), midnight.timetz())
        assert whole_days.business_seconds(midnight, after) == hours * 3600


# ----- examples: inputs and edge cases -----


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 11, 27, 17, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        OFFICE.business_seconds(naive, tokyo(2026, 11, 30))
    with pytest.raises(ValueError, match="timezone-aware"):
        OFFICE.add_business_seconds(naive, 60)
    with pytest.raises(ValueError, match="timezone-aware"):
        OFFICE.is_open(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        list(OFFICE.open_intervals(tokyo(2026, 11, 27), naive))


def test_nothing_to_add_returns_the_start_in_utc() -> None:
    start = tokyo(2026, 11, 28, 10, 0)    # a Saturday: closed, and still the answer
    for seconds in (0, 0.0, -5):
        due = OFFICE.add_business_seconds(start, seconds)
        assert due == start and due.tzinfo is UTC


def test_an_empty_or_backward_range_has_no_business_time() -> None:
    start = tokyo(2026, 11, 27, 10, 0)
    assert OFFICE.business_seconds(start, start) == 0.0
    assert OFFICE.business_seconds(start, start - timedelta(hours=3)) == 0.0
    assert list(OFFICE.open_intervals(start, start - MINUTE)) == []


def test_a_calendar_that_never_opens_cannot_give_a_deadline() -> None:
    never = BusinessCalendar(weekly_hours=((),) * 7, holiday_country="")
    with pytest.raises(ValueError, match="no opening hours"):
        never.add_business_seconds(tokyo(2026, 1, 1), 60)
    all_year = BusinessCalendar(weekly_hours=OFFICE.weekly_hours, holiday_country="",
                                closures=(Closure("01-01", "12-31"),))
    with pytest.raises(ValueError, match="ten years"):
        all_year.add_business_seconds(tokyo(2026, 1, 1), 60)
    with pytest.raises(ValueError, match="finite"):
        OFFICE.add_business_seconds(tokyo(2026, 1, 1), float("inf"))


@pytest.mark.parametrize(("text", "minutes"), [
    ("08:30-17:15", (510, 1035)), ("00:00-24:00", (0, 1440)), ("8:00 - 12:00", (480, 720)),
])
def test_parse_hours_reads_local_intervals(text: str, minutes: tuple[int, int]) -> None:
    assert parse_hours(text) == minutes


@pytest.mark.parametrize(("text", "problem"), [
    ("25:00-26:00", "25:00 is not a time"), ("08:60-09:00", "is not a time"),
    ("24:00-24:00", "does not end after it starts"), ("17:00-08:00", "does not end after"),
    ("08:30", "is not like"), ("24:30-24:45", "is not a time"), ("", "is not like"),
])
def test_parse_hours_refuses_what_is_not_an_interval(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_hours(text)


# ----- plain data -----


@pytest.mark.parametrize("calendar", [
    OFFICE, CONTACT_CENTRE, BusinessCalendar(), BusinessCalendar.always_open("Europe/Berlin"),
    BusinessCalendar(time_zone="America/New_York", holiday_country="US",
                     holiday_subdivision="NY",
                     closures=(NEW_YEAR, Closure("2026-08-12", "2026-08-14", "migration"))),
], ids=["office", "contact-centre", "default", "berlin-24x7", "new-york"])
def test_plain_data_round_trips(calendar: BusinessCalendar) -> None:
    data = calendar.to_dict()
    again = BusinessCalendar.from_dict(json.loads(json.dumps(data)))
    assert again == calendar and hash(again) == hash(calendar)


def test_a_calendar_is_a_value_that_copies_and_pickles() -> None:
    for again in (copy.deepcopy(OFFICE), pickle.loads(pickle.dumps(OFFICE))):
        assert again == OFFICE and hash(again) == hash(OFFICE)
        assert again.add_business_seconds(tokyo(2026, 1, 9, 17, 0), 1800) == tokyo(
            2026, 1, 13, 8, 45)


def test_plain_data_shows_hours_as_text() -> None:
    data = OFFICE.to_dict()
    assert data["weekly_hours"]["mon"] == ["08:30-12:00", "13:00-17:15"]
    assert data["weekly_hours"]["sun"] == []
    assert BusinessCalendar.always_open().to_dict()["weekly_hours"]["sat"] == ["00:00-24:00"]


def test_missing_fields_take_the_defaults() -> None:
    assert BusinessCalendar.from_dict({}) == BusinessCalendar()
    assert BusinessCalendar.from_dict({"time_zone": "Europe/Berlin"}).weekly_hours == (
        BusinessCalendar().weekly_hours)


def with_day(day: str, hours: list[Any]) -> dict[str, Any]:
    return {"weekly_hours": {**week(["08:30-17:15"]), day: hours}}


@pytest.mark.parametrize(("data", "message"), [
    (with_day("wed", ["25:00-26:00"]), "calendar.weekly_hours.wed[0]: 25:00 is not a time"),
    (with_day("fri", ["08:00-12:00", "11:00-13:00"]), "calendar.weekly_hours.fri[1]:"),
    (with_day("sat", "08:00-12:00"), "calendar.weekly_hours.sat:"),
    ({"weekly_hours": {"mon": []}}, "calendar.weekly_hours.tue: is missing"),
    ({"weekly_hours": {**week([]), "monday": []}}, "calendar.weekly_hours.monday:"),
    ({"weekly_hours": ["08:00-12:00"]}, "calendar.weekly_hours:"),
    ({"time_zone": "Asia/Osaka"}, "calendar.time_zone:"),
    ({"time_zone": 9}, "calendar.time_zone:"),
    ({"holiday_country": "XX"}, "calendar.holiday_country:"),
    ({"holiday_subdivision": "13"}, "calendar.holiday_subdivision:"),
    ({"holiday_country": "", "holiday_subdivision": "NY"}, "calendar.holiday_subdivision:"),
    ({"closures": [{"start": "12-32", "end": "01-03"}]}, "calendar.closures[0].start:"),
    ({"closures": [{"start": "12-29", "end": "2027-01-03"}]}, "calendar.closures[0].end:"),
    ({"closures": [{"start": "2026-08-14", "end": "2026-08-12"}]},
     "calendar.closures[0].end:"),
    ({"closures": [NEW_YEAR.to_dict(), {"start": "08-13"}]}, "calendar.closures[1].end:"),
    ({"closures": [{"start": "08-13", "end": "08-16", "why": "obon"}]},
     "calendar.closures[0].why:"),
    ({"closures": "12-29..01-03"}, "calendar.closures:"),
    ({"timezone": "Europe/Berlin"}, "calendar.timezone:"),
    ("Asia/Tokyo", "calendar:"),
])
def test_bad_plain_data_is_refused_naming_the_field(data: Any, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        BusinessCalendar.from_dict(data)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(("changes", "message"), [
    ({"weekly_hours": ((),) * 6}, "calendar.weekly_hours:"),
    ({"weekly_hours": ((),) * 2 + (((600, 1500),),) + ((),) * 4}, "calendar.weekly_hours[2][0]:"),
    ({"weekly_hours": ((((600, 900), (800, 1000)),)) + ((),) * 6},
     "calendar.weekly_hours[0][1]:"),
    ({"time_zone": "Nowhere/Special"}, "calendar.time_zone:"),
    ({"holiday_country": "ZZ"}, "calendar.holiday_country:"),
    ({"closures": ("12-29..01-03",)}, "calendar.closures[0]:"),
])
def test_the_constructor_validates_too(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        BusinessCalendar(**changes)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(("start", "end", "message"), [
    ("12-32", "01-03", "closure.start:"), ("02-29", "13-01", "closure.end:"),
    ("2026-02-30", "2026-03-01", "closure.start:"), ("12-29", "2027-01-03", "closure.end:"),
    ("2026-01-05", "2026-01-01", "closure.end:"), ("Christmas", "12-26", "closure.start:"),
])
def test_a_closure_must_name_whole_days(start: str, end: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        Closure(start, end)
    assert str(raised.value).startswith(message)


# ----- properties -----

ZONES = {"Asia/Tokyo": "JP", "Europe/Berlin": "DE", "America/New_York": "US"}
# The 2026 changes of daylight saving time, as UTC instants (Tokyo has none).
CHANGES = [datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC),
           datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)]
CLOSURES = [NEW_YEAR, Closure("08-13", "08-16", "Obon"), Closure("2026-03-27", "2026-03-30")]

# Minutes biased towards midnight and the DST hours 02:00-03:00.
minutes = st.one_of(st.sampled_from([0, 60, 120, 150, 180, 510, 720, 780, 1035, 1440]),
                    st.integers(min_value=0, max_value=1440))


@st.composite
def day_hours(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    cuts = sorted(draw(st.lists(minutes, unique=True, max_size=6)))
    return tuple(zip(cuts[0::2], cuts[1::2], strict=False))


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    zone = draw(st.sampled_from(sorted(ZONES)))
    if draw(st.booleans()):
        return BusinessCalendar.always_open(zone)
    return BusinessCalendar(
        time_zone=zone,
        weekly_hours=tuple(draw(day_hours()) for _ in range(7)),
        holiday_country=draw(st.sampled_from(["", ZONES[zone]])),
        closures=tuple(draw(st.lists(st.sampled_from(CLOSURES), unique=True, max_size=2))),
    )


def weekly_seconds(calendar: BusinessCalendar) -> int:
    return sum(end - start for day in calendar.weekly_hours for start, end in day) * 60


open_calendars = calendars().filter(lambda c: weekly_seconds(c) > 0)
anywhere = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2027, 1, 31),
                        timezones=st.just(UTC))
near_a_change = st.builds(lambda at, s: at + timedelta(seconds=s), st.sampled_from(CHANGES),
                          st.integers(min_value=-2 * 86400, max_value=2 * 86400))
instants = st.one_of(anywhere, near_a_change)
spans = st.integers(min_value=0, max_value=10 * 86400 * 10**6).map(
    lambda us: timedelta(microseconds=us))
SETTINGS = settings(max_examples=120, deadline=None)


@SETTINGS
@given(calendars(), instants, spans, spans)
def test_business_time_never_decreases_as_the_end_moves_later(
        calendar: BusinessCalendar, start: datetime, first: timedelta, more: timedelta) -> None:
    assert calendar.business_seconds(start, start + first) <= calendar.business_seconds(
        start, start + first + more)


@SETTINGS
@given(calendars(), instants, spans, spans)
def test_business_time_adds_up_over_consecutive_ranges(
        calendar: BusinessCalendar, a: datetime, ab: timedelta, bc: timedelta) -> None:
    b, c = a + ab, a + ab + bc
    total = calendar.business_seconds(a, b) + calendar.business_seconds(b, c)
    assert abs(total - calendar.business_seconds(a, c)) < 1e-6


@SETTINGS
@given(calendars(), instants, spans)
def test_business_time_never_exceeds_wall_time(
        calendar: BusinessCalendar, start: datetime, span: timedelta) -> None:
    assert 0 <= calendar.business_seconds(start, start + span) <= span.total_seconds() + 1e-6


@SETTINGS
@given(open_calendars, instants, st.data())
def test_the_deadline_is_the_earliest_instant_with_that_much_business_time(
        calendar: BusinessCalendar, start: datetime, data: st.DataObject) -> None:
    us = data.draw(st.integers(min_value=1, max_value=3 * weekly_seconds(calendar) * 10**6))
    seconds = us / 10**6
    due = calendar.add_business_seconds(start, seconds)
    assert due.tzinfo is UTC and due >= start
    assert abs(calendar.business_seconds(start, due) - seconds) < 1e-6
    # Earliest: a microsecond before, it has not yet passed, and the desk was open.
    assert calendar.business_seconds(start, due - TINY) < seconds
    assert calendar.is_open(due - TINY)


@SETTINGS
@given(calendars(), instants, spans)
def test_open_intervals_are_ordered_disjoint_and_sum_to_the_business_time(
        calendar: BusinessCalendar, start: datetime, span: timedelta) -> None:
    intervals = list(calendar.open_intervals(start, start + span))
    for a, b in intervals:
        assert a.tzinfo is UTC and b.tzinfo is UTC
        assert start <= a < b <= start + span
        assert calendar.is_open(a) and calendar.is_open(b - TINY)
    for (_, end), (next_start, _) in itertools.pairwise(intervals):
        assert end < next_start                      # touching intervals were joined
        assert not calendar.is_open(end)
    total = sum((b - a).total_seconds() for a, b in intervals)
    assert abs(total - calendar.business_seconds(start, start + span)) < 1e-6


@SETTINGS
@given(calendars(), instants)
def test_is_open_agrees_with_business_time(calendar: BusinessCalendar, at: datetime) -> None:
    assert calendar.is_open(at) == (calendar.business_seconds(at, at + TINY) > 0)


@SETTINGS
@given(open_calendars, instants, spans, st.sampled_from([TOKYO, BERLIN, NEW_YORK]))
def test_answers_do_not_depend_on_the_zone_inputs_are_expressed_in(
        calendar: BusinessCalendar, start: datetime, span: timedelta, zone: ZoneInfo) -> None:
    local_start, local_end = start.astimezone(zone), (start + span).astimezone(zone)
    assert calendar.is_open(local_start) == calendar.is_open(start)
    assert calendar.business_seconds(local_start, local_end) == calendar.business_seconds(
        start, start + span)
    seconds = span.total_seconds() % weekly_seconds(calendar)
    assert calendar.add_business_seconds(local_start, seconds) == (
        calendar.add_business_seconds(start, seconds))
    assert list(calendar.open_intervals(local_start, local_end)) == list(
        calendar.open_intervals(start, start + span))


@SETTINGS
@given(st.sampled_from(sorted(ZONES)), instants, spans)
def test_round_the_clock_equals_wall_time_even_across_dst(
        zone: str, start: datetime, span: timedelta) -> None:
    for always in (BusinessCalendar.always_open(zone), every_day((0, 1440), zone=zone)):
        assert always.business_seconds(start, start + span) == span.total_seconds()
        assert always.add_business_seconds(start, span.total_seconds()) == start + span


@settings(max_examples=60, deadline=None)
@given(calendars())
def test_every_calendar_survives_plain_data(calendar: BusinessCalendar) -> None:
    again = BusinessCalendar.from_dict(json.loads(json.dumps(calendar.to_dict())))
    assert again == calendar
