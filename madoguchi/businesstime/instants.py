"""Instants as integer microseconds since the epoch (UTC), and local wall time to UTC
(the first occurrence of a repeated time; a skipped one clamped to the jump)."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from madoguchi.businesstime.hours import EPOCH, US

# ----- instants as integer microseconds since the epoch (UTC) -----


def aware(at: datetime, name: str) -> datetime:
    if not isinstance(at, datetime):
        raise ValueError(f"{name} must be a datetime, not {type(at).__name__}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware: {at.isoformat()} is naive")
    return at


def to_us(at: datetime) -> int:
    return (at - EPOCH) // US


def from_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def wall_to_us(zone: ZoneInfo, wall: datetime) -> int:
    """UTC microseconds of a naive local wall time; see the module docstring for DST.

    Ambiguous wall times take their first occurrence (``fold=0``); a wall time in a
    spring-forward gap is clamped to the instant of the jump, found by bisection.
    """
    first = to_us(wall.replace(tzinfo=zone))
    if from_us(first).astimezone(zone).replace(tzinfo=None) == wall:
        return first
    other = to_us(wall.replace(tzinfo=zone, fold=1))
    low, high = min(first, other), max(first, other)
    offset = from_us(low).astimezone(zone).utcoffset()
    while high - low > 1:  # the jump lies in (low, high]
        middle = (low + high) // 2
        if from_us(middle).astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high


