"""Business calendars: when the service desk is open, so SLA targets count business time.

A calendar is a value: a time zone, weekly opening hours (local wall time, Monday first),
the public holidays of one country (from the ``holidays`` library) and local closures.
Every question is answered on UTC instants so the answer does not depend on the zone the
caller's datetimes happen to be expressed in; the local rules only decide *where* the
opening intervals lie.

How local opening hours become real time (the rules a reader must know):

* Business time is real elapsed time (a UTC difference) inside the opening intervals. A
  local day of 00:00-24:00 is 23 h on a spring-forward day and 25 h on a fall-back day,
  and a 24x7 calendar always equals wall-clock time: 24:00 of one day is 00:00 of the
  next, so consecutive days join without a gap or an overlap.
* A local time that occurs twice (fall back) means its *first* occurrence. Berlin
  02:00-03:00 on 2026-10-25 therefore covers two real hours (02:00 CEST to 03:00 CET),
  while 02:00-02:30 covers only the first half hour of the repeated hour.
* A local time that does not exist (the spring-forward gap) is clamped to the instant the
  clocks jumped. Berlin 02:00-02:30 on 2026-03-29 is empty; 02:30-04:00 starts at 03:00
  CEST and counts one hour.
* Both rules map wall time to UTC monotonically, so intervals never have a negative
  length and never overlap.

Intervals are computed once per (calendar, local date) and cached as integer
microseconds, which keeps ``add_business_seconds`` at a few microseconds per call for
deadlines days ahead, and makes sums exact (business seconds are additive).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
WHOLE_DAY: tuple[tuple[int, int], ...] = ((0, MINUTES_PER_DAY),)
# Japanese public-office hours (08:30-17:15, Monday to Friday): a safe default for a
# Japanese service desk; agreements normally state their own hours.
_OFFICE_DAY = ((8 * 60 + 30, 17 * 60 + 15),)
OFFICE_HOURS: tuple[tuple[tuple[int, int], ...], ...] = (_OFFICE_DAY,) * 5 + ((), ())
MAX_IDLE_DAYS = 3653  # ten years without any opening time: the calendar is never open

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_HOURS = re.compile(r" *([^- ]+) *- *([^- ]+) *")
_MONTH_DAY = re.compile(r"[0-9]{2}-[0-9]{2}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FIELDS = ("time_zone", "weekly_hours", "holiday_country", "holiday_subdivision", "closures")


# ----- small parsers -----


def _parse_time(text: str) -> int:
    """Minutes after local midnight for ``HH:MM``; ``24:00`` (1440) is the end of the day."""
    match = _TIME.fullmatch(text)
    if match is None:
        raise ValueError(f"{text} is not a time")
    hour, minute = int(match[1]), int(match[2])
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise ValueError(f"{text} is not a time")
    return hour * 60 + minute


def parse_hours(text: str) -> tuple[int, int]:
    """``"08:30-17:15"`` → ``(510, 1035)``: one opening interval in local minutes.

    The end may be ``24:00``; an interval must not be empty nor run past midnight (an
    overnight shift is two entries: ``22:00-24:00`` one day, ``00:00-06:00`` the next).
    """
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a string like '08:30-17:15'")
    match = _HOURS.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not like '08:30-17:15'")
    start, end = _parse_time(match[1]), _parse_time(match[2])
    if start >= end:
        raise ValueError(f"{text!r} does not end after it starts")
    return start, end


def format_minute(minute: int) -> str:
    """``510`` → ``"08:30"``; ``1440`` → ``"24:00"``."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _format_hours(interval: tuple[int, int]) -> str:
    return f"{format_minute(interval[0])}-{format_minute(interval[1])}"


class _Invalid(ValueError):
    """A rule broken by one part of a value; the caller prefixes where the value sits."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}")


# ----- closures -----


def _parse_closure(start: object, end: object) -> tuple[bool, Any, Any]:
    """(recurring, first, last): (month, day) tuples, or dates for a one-off closure."""
    if not isinstance(start, str):
        raise _Invalid("start", f"{start!r} is not a string")
    if not isinstance(end, str):
        raise _Invalid("end", f"{end!r} is not a string")
    if _MONTH_DAY.fullmatch(start):
        if not _MONTH_DAY.fullmatch(end):
            raise _Invalid("end", f"{end!r} must be MM-DD like start {start!r}")
        bounds = []
        for name, text in (("start", start), ("end", end)):
            month, day = int(text[:2]), int(text[3:])
            try:
                date(2000, month, day)  # a leap year, so 02-29 is allowed
            except ValueError:
                raise _Invalid(name, f"{text!r} is not a month-day") from None
            bounds.append((month, day))
        return True, bounds[0], bounds[1]
    if _DATE.fullmatch(start):
        if not _DATE.fullmatch(end):
            raise _Invalid("end", f"{end!r} must be YYYY-MM-DD like start {start!r}")
        days = []
        for name, text in (("start", start), ("end", end)):
            try:
                days.append(date.fromisoformat(text))
            except ValueError:
                raise _Invalid(name, f"{text!r} is not a date") from None
        if days[1] < days[0]:
            raise _Invalid("end", f"{end!r} is before start {start!r}")
        return False, days[0], days[1]
    raise _Invalid("start", f"{start!r} is neither MM-DD (every year) nor YYYY-MM-DD (once)")


@dataclass(frozen=True)
class Closure:
    """Whole local days the desk is closed, both ends included.

    ``"MM-DD"`` bounds recur every year and may wrap the year end (``12-29`` to ``01-03``
    is the Japanese New Year break); ``"YYYY-MM-DD"`` bounds close once.
    """

    start: str
    end: str
    name: str = ""

    def __post_init__(self) -> None:
        try:
            recurring, first, last = _parse_closure(self.start, self.end)
        except _Invalid as error:
            raise ValueError(f"closure.{error.where}: {error.message}") from None
        if not isinstance(self.name, str):
            raise ValueError(f"closure.name: {self.name!r} is not a string")
        object.__setattr__(self, "_recurring", recurring)
        object.__setattr__(self, "_first", first)
        object.__setattr__(self, "_last", last)

    @property
    def recurring(self) -> bool:
        """True for a yearly ``MM-DD`` closure."""
        return self._recurring  # type: ignore[attr-defined,no-any-return]

    def covers(self, day: date) -> bool:
        """Whether the local date ``day`` falls in this closure."""
        first, last = self._first, self._last  # type: ignore[attr-defined]
        if not self._recurring:  # type: ignore[attr-defined]
            return bool(first <= day <= last)
        key = (day.month, day.day)
        if first <= last:
            return bool(first <= key <= last)
        return bool(key >= first or key <= last)  # wraps the year end

    def to_dict(self) -> dict[str, str]:
        return {"start": self.start, "end": self.end, "name": self.name}


# ----- holidays -----


@lru_cache(maxsize=256)
def _check_holiday_region(country: str, subdivision: str) -> None:
    """Raise ValueError if ``holidays`` does not know the country or its subdivision."""
    try:
        holidays.country_holidays(country, subdiv=subdivision or None, years=[])
    except NotImplementedError as error:
        raise ValueError(str(error)) from None


@lru_cache(maxsize=4096)
def _holiday_dates(country: str, subdivision: str, year: int) -> frozenset[date]:
    """Public holidays of one year; cached because ``holidays`` is slow on first use."""
    found = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    return frozenset(found.keys())


# ----- instants as integer microseconds since the epoch (UTC) -----


def _aware(at: datetime, name: str) -> datetime:
    if not isinstance(at, datetime):
        raise ValueError(f"{name} must be a datetime, not {type(at).__name__}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware: {at.isoformat()} is naive")
    return at


def _to_us(at: datetime) -> int:
    return (at - _EPOCH) // _US


def _from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _wall_to_us(zone: ZoneInfo, wall: datetime) -> int:
    """UTC microseconds of a naive local wall time; see the module docstring for DST.

    Ambiguous wall times take their first occurrence (``fold=0``); a wall time in a
    spring-forward gap is clamped to the instant of the jump, found by bisection.
    """
    first = _to_us(wall.replace(tzinfo=zone))
    if _from_us(first).astimezone(zone).replace(tzinfo=None) == wall:
        return first
    other = _to_us(wall.replace(tzinfo=zone, fold=1))
    low, high = min(first, other), max(first, other)
    offset = _from_us(low).astimezone(zone).utcoffset()
    while high - low > 1:  # the jump lies in (low, high]
        middle = (low + high) // 2
        if _from_us(middle).astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high


# ----- the calendar -----


@dataclass(frozen=True)
class BusinessCalendar:
    """When business time runs: local weekly hours, minus public holidays and closures.

    ``weekly_hours`` has seven entries, Monday first; each is a sorted tuple of
    non-overlapping ``(start_minute, end_minute)`` local intervals with
    ``0 <= start < end <= 1440``. The default is Japanese public-office hours, 08:30 to
    17:15 Monday to Friday, with Japanese public holidays.
    """

    time_zone: str = "Asia/Tokyo"
    weekly_hours: tuple[tuple[tuple[int, int], ...], ...] = OFFICE_HOURS
    holiday_country: str = "JP"
    holiday_subdivision: str = ""
    closures: tuple[Closure, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.time_zone, str) or not self.time_zone:
            raise ValueError(f"calendar.time_zone: {self.time_zone!r} is not a time zone name")
        try:
            zone = ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(
                f"calendar.time_zone: {self.time_zone!r} is not a known IANA time zone"
            ) from None
        object.__setattr__(self, "weekly_hours", _checked_week(self.weekly_hours))
        for name in ("holiday_country", "holiday_subdivision"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"calendar.{name}: {getattr(self, name)!r} is not a string")
        if self.holiday_country:
            try:
                _check_holiday_region(self.holiday_country, self.holiday_subdivision)
            except ValueError as error:
                where = "holiday_subdivision" if self.holiday_subdivision else "holiday_country"
                raise ValueError(f"calendar.{where}: {error}") from None
        elif self.holiday_subdivision:
            raise ValueError("calendar.holiday_subdivision: needs a holiday_country")
        if isinstance(self.closures, (str, bytes)) or not isinstance(self.closures, Sequence):
            raise ValueError(f"calendar.closures: {self.closures!r} is not a sequence")
        for i, closure in enumerate(self.closures):
            if not isinstance(closure, Closure):
                raise ValueError(f"calendar.closures[{i}]: {closure!r} is not a Closure")
        object.__setattr__(self, "closures", tuple(self.closures))
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "_hash", hash((self.time_zone, self.weekly_hours,
                                                self.holiday_country, self.holiday_subdivision,
                                                self.closures)))

    def __hash__(self) -> int:
        # Cached: the calendar keys the per-day interval cache on every call.
        return self._hash  # type: ignore[attr-defined,no-any-return]

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuild through __init__ on unpickling and copying: string hashes differ between
        # processes, so the cached hash must never travel.
        return (type(self), (self.time_zone, self.weekly_hours, self.holiday_country,
                             self.holiday_subdivision, self.closures))

    # ----- construction -----

    @classmethod
    def always_open(cls, time_zone: str = "Asia/Tokyo") -> BusinessCalendar:
        """24x7: no holidays, no closures; business time equals wall-clock time."""
        return cls(time_zone=time_zone, weekly_hours=(WHOLE_DAY,) * 7, holiday_country="")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        """Build from plain data (seed files, events); the inverse of ``to_dict``.

        Missing fields take their defaults; an unknown field, or any bad value, raises
        ``ValueError`` naming it, e.g. ``calendar.weekly_hours.wed[0]: 25:00 is not a
        time``. ``weekly_hours`` must name all seven days (an empty list is closed).
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"calendar: {data!r} is not an object")
        unknown = sorted(str(key) for key in data if key not in _FIELDS)
        if unknown:
            raise ValueError(f"calendar.{unknown[0]}: is not a calendar field")
        values: dict[str, Any] = {}
        for name in ("time_zone", "holiday_country", "holiday_subdivision"):
            if name in data:
                if not isinstance(data[name], str):
                    raise ValueError(f"calendar.{name}: {data[name]!r} is not a string")
                values[name] = data[name]
        if "weekly_hours" in data:
            values["weekly_hours"] = _week_from_dict(data["weekly_hours"])
        if "closures" in data:
            values["closures"] = _closures_from_list(data["closures"])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data: hours as ``{"mon": ["08:30-12:00", "13:00-17:15"], ...}``."""
        return {
            "time_zone": self.time_zone,
            "weekly_hours": {
                day: [_format_hours(interval) for interval in hours]
                for day, hours in zip(WEEKDAYS, self.weekly_hours, strict=True)
            },
            "holiday_country": self.holiday_country,
            "holiday_subdivision": self.holiday_subdivision,
            "closures": [closure.to_dict() for closure in self.closures],
        }

    # ----- questions -----

    def is_closed_day(self, day: date) -> bool:
        """Whether the local date is a public holiday or in a closure (hours aside)."""
        if self.holiday_country and day in _holiday_dates(
            self.holiday_country, self.holiday_subdivision, day.year
        ):
            return True
        return any(closure.covers(day) for closure in self.closures)

    def is_business_day(self, day: date) -> bool:
        """Whether the local date has any opening time (not a holiday nor a closure)."""
        if isinstance(day, datetime) or not isinstance(day, date):
            raise ValueError(f"day must be a local date, not {type(day).__name__}")
        return bool(_day_table(self, day.toordinal()))

    def is_open(self, at: datetime) -> bool:
        """Whether the instant lies inside an opening interval ``[start, end)``."""
        us = _to_us(_aware(at, "at"))
        ordinal = self._local_ordinal(us)
        for day in (ordinal - 1, ordinal, ordinal + 1):
            table = _day_table(self, day)
            for i in range(0, len(table), 2):
                if table[i] <= us < table[i + 1]:
                    return True
        return False

    def open_intervals(
        self, start: datetime, end: datetime
    ) -> Iterator[tuple[datetime, datetime]]:
        """UTC ``(start, end)`` opening intervals overlapping ``[start, end)``, clipped.

        Intervals that touch (across midnight, or ``08:00-12:00`` and ``12:00-13:00``) are
        yielded as one, so a 24x7 calendar yields a single interval.
        """
        low, high = _to_us(_aware(start, "start")), _to_us(_aware(end, "end"))
        pending: tuple[int, int] | None = None
        for a, b in self._clipped(low, high):
            if pending is not None and a <= pending[1]:
                pending = (pending[0], max(pending[1], b))
                continue
            if pending is not None:
                yield _from_us(pending[0]), _from_us(pending[1])
            pending = (a, b)
        if pending is not None:
            yield _from_us(pending[0]), _from_us(pending[1])

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Opening time in ``[start, end)`` in seconds; ``0.0`` if ``end <= start``."""
        low, high = _to_us(_aware(start, "start")), _to_us(_aware(end, "end"))
        return sum(b - a for a, b in self._clipped(low, high)) / 1_000_000

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The deadline: the earliest UTC instant ``t >= start`` with ``seconds`` of
        business time in ``[start, t)``.

        For ``seconds > 0`` the result lies inside an opening interval or exactly at its
        end (never at the start of the next one). ``seconds`` is rounded to whole
        microseconds; ``seconds <= 0`` returns ``start`` in UTC. Raises ``ValueError`` if
        the calendar has no opening time at all for ten years.
        """
        us = _to_us(_aware(start, "start"))
        if not math.isfinite(seconds):
            raise ValueError(f"seconds must be finite, not {seconds!r}")
        remaining = round(seconds * 1_000_000)
        if remaining <= 0:
            return _from_us(us)
        if not any(self.weekly_hours):
            raise ValueError("calendar has no opening hours on any weekday")
        day = self._local_ordinal(us) - 1
        idle = 0
        while True:
            table = _day_table(self, day)
            if table:
                idle = 0
                for i in range(0, len(table), 2):
                    end = table[i + 1]
                    if end <= us:
                        continue
                    begin = table[i] if table[i] > us else us
                    if remaining <= end - begin:
                        return _from_us(begin + remaining)
                    remaining -= end - begin
            else:
                idle += 1
                if idle > MAX_IDLE_DAYS:
                    raise ValueError(
                        f"calendar has no opening time in the ten years after "
                        f"{date.fromordinal(day - idle).isoformat()}"
                    )
            day += 1

    # ----- internals -----

    def _local_ordinal(self, us: int) -> int:
        return _from_us(us).astimezone(self._zone).toordinal()  # type: ignore[attr-defined,no-any-return]

    def _clipped(self, low: int, high: int) -> Iterator[tuple[int, int]]:
        """Opening intervals clipped to ``[low, high)``, in order, in microseconds."""
        if high <= low:
            return
        day, last = self._local_ordinal(low) - 1, self._local_ordinal(high) + 1
        while day <= last:
            table = _day_table(self, day)
            for i in range(0, len(table), 2):
                a = table[i] if table[i] > low else low
                b = table[i + 1] if table[i + 1] < high else high
                if a < b:
                    yield a, b
            day += 1


@lru_cache(maxsize=1 << 16)
def _day_table(calendar: BusinessCalendar, ordinal: int) -> tuple[int, ...]:
    """Opening intervals of one local date as flat UTC microseconds ``(a0, b0, a1, b1...)``.

    Empty intervals (inside a DST gap) are dropped and touching ones merged.
    """
    day = date.fromordinal(ordinal)
    hours = calendar.weekly_hours[day.weekday()]
    if not hours or calendar.is_closed_day(day):
        return ()
    zone: ZoneInfo = calendar._zone  # type: ignore[attr-defined]
    midnight = datetime(day.year, day.month, day.day)
    table: list[int] = []
    for start, end in hours:
        a = _wall_to_us(zone, midnight + timedelta(minutes=start))
        b = _wall_to_us(zone, midnight + timedelta(minutes=end))
        if b <= a:
            continue
        if table and a <= table[-1]:
            table[-1] = max(table[-1], b)
        else:
            table += (a, b)
    return tuple(table)


# ----- validation -----


def _checked_week(week: object) -> tuple[tuple[tuple[int, int], ...], ...]:
    """The weekly hours as nested tuples, or ValueError naming the bad entry."""
    if isinstance(week, (str, bytes)) or not isinstance(week, Sequence) or len(week) != 7:
        raise ValueError("calendar.weekly_hours: needs 7 entries, Monday to Sunday")
    days = []
    for d, hours in enumerate(week):
        where = f"calendar.weekly_hours[{d}]"
        if isinstance(hours, (str, bytes)) or not isinstance(hours, Sequence):
            raise ValueError(f"{where}: {hours!r} is not a sequence of (start, end) minutes")
        intervals = []
        for i, interval in enumerate(hours):
            ok = (
                isinstance(interval, Sequence)
                and len(interval) == 2
                and all(type(m) is int for m in interval)
                and 0 <= interval[0] < interval[1] <= MINUTES_PER_DAY
            )
            if not ok:
                raise ValueError(
                    f"{where}[{i}]: {interval!r} is not (start, end) minutes with "
                    f"0 <= start < end <= 1440"
                )
            if intervals and interval[0] < intervals[-1][1]:
                raise ValueError(f"{where}[{i}]: {interval!r} overlaps or precedes the one before")
            intervals.append((interval[0], interval[1]))
        days.append(tuple(intervals))
    return tuple(days)


def _week_from_dict(raw: object) -> tuple[tuple[tuple[int, int], ...], ...]:
    if not isinstance(raw, Mapping):
        raise ValueError(
            'calendar.weekly_hours: must be an object like {"mon": ["08:30-17:15"], ...}'
        )
    for key in raw:
        if key not in WEEKDAYS:
            raise ValueError(f"calendar.weekly_hours.{key}: is not one of {', '.join(WEEKDAYS)}")
    week = []
    for day in WEEKDAYS:
        where = f"calendar.weekly_hours.{day}"
        if day not in raw:
            raise ValueError(f"{where}: is missing (give [] for a closed day)")
        texts = raw[day]
        if isinstance(texts, (str, bytes)) or not isinstance(texts, Sequence):
            raise ValueError(f"{where}: {texts!r} is not a list like ['08:30-17:15']")
        intervals: list[tuple[int, int]] = []
        for i, text in enumerate(texts):
            try:
                interval = parse_hours(text)
            except ValueError as error:
                raise ValueError(f"{where}[{i}]: {error}") from None
            if intervals and interval[0] < intervals[-1][1]:
                raise ValueError(
                    f"{where}[{i}]: {text!r} overlaps or precedes "
                    f"{_format_hours(intervals[-1])!r}"
                )
            intervals.append(interval)
        week.append(tuple(intervals))
    return tuple(week)


def _closures_from_list(raw: object) -> tuple[Closure, ...]:
    if isinstance(raw, (str, bytes)) or not isinstance(raw, Sequence):
        raise ValueError(f"calendar.closures: {raw!r} is not a list")
    closures = []
    for i, item in enumerate(raw):
        where = f"calendar.closures[{i}]"
        if not isinstance(item, Mapping):
            raise ValueError(f"{where}: {item!r} is not an object")
        unknown = sorted(str(key) for key in item if key not in ("start", "end", "name"))
        if unknown:
            raise ValueError(f"{where}.{unknown[0]}: is not a closure field")
        for key in ("start", "end"):
            if key not in item:
                raise ValueError(f"{where}.{key}: is required")
        name = item.get("name", "")
        if not isinstance(name, str):
            raise ValueError(f"{where}.name: {name!r} is not a string")
        try:
            _parse_closure(item["start"], item["end"])
        except _Invalid as error:
            raise ValueError(f"{where}.{error.where}: {error.message}") from None
        closures.append(Closure(item["start"], item["end"], name))
    return tuple(closures)
