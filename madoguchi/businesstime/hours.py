"""Weekly opening hours: the constants, and parsing and checking "08:30-17:15" text and
the week of a calendar's plain data."""


from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
WHOLE_DAY: tuple[tuple[int, int], ...] = ((0, MINUTES_PER_DAY),)
# Japanese public-office hours (08:30-17:15, Monday to Friday): a safe default for a
# Japanese service desk; agreements normally state their own hours.
_OFFICE_DAY = ((8 * 60 + 30, 17 * 60 + 15),)
OFFICE_HOURS: tuple[tuple[tuple[int, int], ...], ...] = (_OFFICE_DAY,) * 5 + ((), ())
MAX_IDLE_DAYS = 3653  # ten years without any opening time: the calendar is never open

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_HOURS = re.compile(r" *([^- ]+) *- *([^- ]+) *")
MONTH_DAY = re.compile(r"[0-9]{2}-[0-9]{2}")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
FIELDS = ("time_zone", "weekly_hours", "holiday_country", "holiday_subdivision", "closures")


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


def format_hours(interval: tuple[int, int]) -> str:
    return f"{format_minute(interval[0])}-{format_minute(interval[1])}"


class Invalid(ValueError):
    """A rule broken by one part of a value; the caller prefixes where the value sits."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}")


