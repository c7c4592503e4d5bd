"""Rotations: participants take turns in fixed-length shifts, handed off in local
wall-clock time (a daily 09:00 hand-off stays at 09:00 across daylight saving time)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.sla_monitor.domain.oncall.validation import (
    DEFAULT_TIME_ZONE,
    MAX_SHIFT_HOURS,
    TICK,
    OnCallError,
    ids_of,
    is_int,
    utc_of,
    zone_named,
)

# ----- rotations -----


@dataclass(frozen=True)
class Rotation:
    """Participants on call in turn, one shift each, from ``start`` on."""

    participants: tuple[str, ...]     # person ids in hand-off order; repeats allowed
    start: datetime                   # aware; the first participant is on call from here
    shift_hours: int = 168            # 24 = daily, 168 = weekly
    time_zone: str = DEFAULT_TIME_ZONE   # hand-offs keep their local wall-clock time here

    def __post_init__(self) -> None:
        object.__setattr__(self, "participants",
                           ids_of(self.participants, "rotation.participants"))
        zone_named(self.time_zone, "rotation.time_zone")
        object.__setattr__(self, "start", utc_of(self.start, "rotation.start"))
        if not is_int(self.shift_hours) or not 1 <= self.shift_hours <= MAX_SHIFT_HOURS:
            raise OnCallError("rotation.shift_hours",
                              f"must be a whole number of hours from 1 to {MAX_SHIFT_HOURS}")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def on_call(self, at: datetime) -> str:
        """The participant on call at ``at``; before ``start``, the first one."""
        return self.participants[self.shift_index(at) % len(self.participants)]

    def shift_index(self, at: datetime) -> int:
        """Which shift ``at`` falls in: 0 for the first (and any time before start)."""
        moment = utc_of(at, "at")
        if moment < self.start:
            return 0
        shift = timedelta(hours=self.shift_hours)
        # Wall-clock arithmetic is off by at most the DST changes in between; walk to fix.
        index = max(0, (wall_clock(moment, self.zone) - wall_clock(self.start, self.zone)) // shift)
        while index > 0 and self.handoff(index) > moment:
            index -= 1
        while self.handoff(index + 1) <= moment:
            index += 1
        return index

    def handoff(self, index: int) -> datetime:
        """When shift ``index`` begins (UTC): ``index`` shifts of local time after start.

        A local time that happens twice (clocks go back) means its first occurrence; one
        that never happens (clocks jump forward over it) means the moment of the jump.
        """
        if index <= 0:
            return self.start
        try:
            local = wall_clock(self.start, self.zone) + timedelta(hours=self.shift_hours * index)
        except OverflowError:
            return datetime.max.replace(tzinfo=UTC)
        return instant_of(local, self.zone)


def wall_clock(moment: datetime, zone: ZoneInfo) -> datetime:
    """What a clock on the wall in ``zone`` shows at ``moment`` (naive)."""
    return moment.astimezone(zone).replace(tzinfo=None, fold=0)


def instant_of(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant a local wall-clock time names (see ``Rotation.handoff``)."""
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if wall_clock(first, zone) == local:
        return first
    # In a gap: the wall clock reads < local before the jump and > local after it.
    other = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(first, other), max(first, other)
    while high - low > TICK:
        middle = low + (high - low) // 2
        if wall_clock(middle, zone) >= local:
            high = middle
        else:
            low = middle
    return high


