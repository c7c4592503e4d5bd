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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from madoguchi.businesstime.closures import (
    Closure,
    check_holiday_region,
    holiday_dates,
    parse_closure,
)
from madoguchi.businesstime.hours import (
    FIELDS,
    MAX_IDLE_DAYS,
    MINUTES_PER_DAY,
    OFFICE_HOURS,
    WEEKDAYS,
    WHOLE_DAY,
    Invalid,
    format_hours,
    parse_hours,
)
from madoguchi.businesstime.instants import aware, from_us, to_us, wall_to_us

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
                check_holiday_region(self.holiday_country, self.holiday_subdivision)
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
        unknown = sorted(str(key) for key in data if key not in FIELDS)
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
                day: [format_hours(interval) for interval in hours]
                for day, hours in zip(WEEKDAYS, self.weekly_hours, strict=True)
            },
            "holiday_country": self.holiday_country,
            "holiday_subdivision": self.holiday_subdivision,
            "closures": [closure.to_dict() for closure in self.closures],
        }

    # ----- questions -----

    def is_closed_day(self, day: date) -> bool:
        """Whether the local date is a public holiday or in a closure (hours aside)."""
        if self.holiday_country and day in holiday_dates(
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
        us = to_us(aware(at, "at"))
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
        low, high = to_us(aware(start, "start")), to_us(aware(end, "end"))
        pending: tuple[int, int] | None = None
        for a, b in self._clipped(low, high):
            if pending is not None and a <= pending[1]:
                pending = (pending[0], max(pending[1], b))
                continue
            if pending is not None:
                yield from_us(pending[0]), from_us(pending[1])
            pending = (a, b)
        if pending is not None:
            yield from_us(pending[0]), from_us(pending[1])

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Opening time in ``[start, end)`` in seconds; ``0.0`` if ``end <= start``."""
        low, high = to_us(aware(start, "start")), to_us(aware(end, "end"))
        return sum(b - a for a, b in self._clipped(low, high)) / 1_000_000

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The deadline: the earliest UTC instant ``t >= start`` with ``seconds`` of
        business time in ``[start, t)``.

        For ``seconds > 0`` the result lies inside an opening interval or exactly at its
        end (never at the start of the next one). ``seconds`` is rounded to whole
        microseconds; ``seconds <= 0`` returns ``start`` in UTC. Raises ``ValueError`` if
        the calendar has no opening time at all for ten years.
        """
        us = to_us(aware(start, "start"))
        if not math.isfinite(seconds):
            raise ValueError(f"seconds must be finite, not {seconds!r}")
        remaining = round(seconds * 1_000_000)
        if remaining <= 0:
            return from_us(us)
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
                        return from_us(begin + remaining)
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
        return from_us(us).astimezone(self._zone).toordinal()  # type: ignore[attr-defined,no-any-return]

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
        a = wall_to_us(zone, midnight + timedelta(minutes=start))
        b = wall_to_us(zone, midnight + timedelta(minutes=end))
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
                    f"{format_hours(intervals[-1])!r}"
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
            parse_closure(item["start"], item["end"])
        except Invalid as error:
            raise ValueError(f"{where}.{error.where}: {error.message}") from None
        closures.append(Closure(item["start"], item["end"], name))
    return tuple(closures)
