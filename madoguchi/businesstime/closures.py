"""Days a calendar is closed: local closures (one-off or every year) and public holidays
(from the ``holidays`` library)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import holidays

from madoguchi.businesstime.hours import DATE, MONTH_DAY, Invalid

# ----- closures -----


def parse_closure(start: object, end: object) -> tuple[bool, Any, Any]:
    """(recurring, first, last): (month, day) tuples, or dates for a one-off closure."""
    if not isinstance(start, str):
        raise Invalid("start", f"{start!r} is not a string")
    if not isinstance(end, str):
        raise Invalid("end", f"{end!r} is not a string")
    if MONTH_DAY.fullmatch(start):
        if not MONTH_DAY.fullmatch(end):
            raise Invalid("end", f"{end!r} must be MM-DD like start {start!r}")
        bounds = []
        for name, text in (("start", start), ("end", end)):
            month, day = int(text[:2]), int(text[3:])
            try:
                date(2000, month, day)  # a leap year, so 02-29 is allowed
            except ValueError:
                raise Invalid(name, f"{text!r} is not a month-day") from None
            bounds.append((month, day))
        return True, bounds[0], bounds[1]
    if DATE.fullmatch(start):
        if not DATE.fullmatch(end):
            raise Invalid("end", f"{end!r} must be YYYY-MM-DD like start {start!r}")
        days = []
        for name, text in (("start", start), ("end", end)):
            try:
                days.append(date.fromisoformat(text))
            except ValueError:
                raise Invalid(name, f"{text!r} is not a date") from None
        if days[1] < days[0]:
            raise Invalid("end", f"{end!r} is before start {start!r}")
        return False, days[0], days[1]
    raise Invalid("start", f"{start!r} is neither MM-DD (every year) nor YYYY-MM-DD (once)")


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
            recurring, first, last = parse_closure(self.start, self.end)
        except Invalid as error:
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
def check_holiday_region(country: str, subdivision: str) -> None:
    """Raise ValueError if ``holidays`` does not know the country or its subdivision."""
    try:
        holidays.country_holidays(country, subdiv=subdivision or None, years=[])
    except NotImplementedError as error:
        raise ValueError(str(error)) from None


@lru_cache(maxsize=4096)
def holiday_dates(country: str, subdivision: str, year: int) -> frozenset[date]:
    """Public holidays of one year; cached because ``holidays`` is slow on first use."""
    found = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    return frozenset(found.keys())


