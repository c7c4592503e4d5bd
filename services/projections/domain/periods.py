"""Reporting periods in a local time zone, as text keys that any SQL can GROUP BY.

Read models store instants in UTC, but a desk reports by its own calendar (a Tokyo day
runs 15:00Z to 15:00Z). Date functions differ between SQLite and PostgreSQL, so the
local bucket keys are computed here, once, when an event is applied, and stored as TEXT
columns (``local_hour``, ``local_day``, ``local_month``); keys sort in time order.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

PERIODS = ("hour", "day", "month")
DEFAULT_ZONE = "Asia/Tokyo"

_COLUMNS = {"hour": "local_hour", "day": "local_day", "month": "local_month"}
_KEY_FORMATS = {"hour": "%Y-%m-%dT%H", "day": "%Y-%m-%d", "month": "%Y-%m"}


def _moment(moment: datetime | str) -> datetime:
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if value.tzinfo is None:
        raise ValueError(f"time without a zone: {moment!r}")
    return value


def local_keys(moment: datetime | str, zone: str = DEFAULT_ZONE) -> dict[str, str]:
    """The hour, day and month keys of ``moment`` (aware, or ISO text with a zone) in ``zone``.

    ``local_keys("2026-11-22T15:30:00+00:00")`` → ``{"local_hour": "2026-11-23T00",
    "local_day": "2026-11-23", "local_month": "2026-11"}``.
    """
    local = _moment(moment).astimezone(ZoneInfo(zone))
    return {_COLUMNS[p]: local.strftime(_KEY_FORMATS[p]) for p in PERIODS}


def empty_keys() -> dict[str, str | None]:
    """The keys of an unknown instant: NULL, so the row falls in no period."""
    return {column: None for column in _COLUMNS.values()}


def period_column(period: str) -> str:
    """The stored key column of ``period`` (``"day"`` → ``"local_day"``)."""
    try:
        return _COLUMNS[period]
    except KeyError:
        raise ValueError(f"unknown period {period!r}; expected one of {PERIODS}") from None


def period_start(key: str, period: str, zone: str = DEFAULT_ZONE) -> str:
    """ISO 8601 start of the bucket ``key`` with its local offset, for readable reports.

    ``period_start("2026-11-23T10", "hour")`` → ``"2026-11-23T10:00:00+09:00"``.
    """
    period_column(period)
    start = datetime.strptime(key, _KEY_FORMATS[period]).replace(tzinfo=ZoneInfo(zone))
    return start.isoformat()
