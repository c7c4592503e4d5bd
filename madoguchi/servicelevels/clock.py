"""SLA clocks of one inquiry: start, pause, resume, stop, re-target, restart (pure).

A clock accrues business time on its agreement's calendar while it runs. Each clock
signals its warning thresholds and its breach (100 %) at most once per cycle: the
``fired_percent`` high-water mark only rises. Times come from the inquiry's events
(``occurred_at``), so the same events always give the same signals, whenever they are
processed; ``due_signals(now)`` raises what fell due up to ``now`` with its due time.

A customer clock also counts the business time it ran while a supplier held the inquiry
(``supplier_held_seconds``), and the part of that after its own target was passed
(``supplier_late_seconds``): the share of a breach that happened at the supplier.
Supplier clocks (``SupplierTarget``) use the same ``Clock``; see ``engagement_clocks``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from madoguchi.businesstime.calendar import BusinessCalendar
from madoguchi.servicelevels.terms import Target

BREACH = 100
AWAITING_SUPPLIER = "AWAITING_SUPPLIER"


class SupplierTarget(StrEnum):
    """What a supplier engagement's clock measures (the contract's targets)."""

    ACKNOWLEDGE = "ACKNOWLEDGE"   # engagement opened → acknowledged (or resolved)
    RESOLVE = "RESOLVE"           # engagement opened → resolved


ClockTarget = Target | SupplierTarget
_TARGETS: dict[str, ClockTarget] = {t.value: t for t in (*Target, *SupplierTarget)}


def clock_target(value: str) -> ClockTarget:
    return _TARGETS[value]


class ClockRules(Protocol):
    """What running clocks need from their terms (an agreement, or a contract's clock terms)."""

    @property
    def calendar(self) -> BusinessCalendar: ...

    @property
    def warning_percents(self) -> tuple[int, ...]: ...

    @property
    def reminder_minutes(self) -> int: ...


class Outcome:
    MET = "MET"             # stopped within its target
    MISSED = "MISSED"       # stopped after its target
    CANCELLED = "CANCELLED" # the inquiry was closed with the clock still open


@dataclass(frozen=True)
class Signal:
    """A threshold (or the breach) a clock reached."""

    target: ClockTarget
    cycle: int
    percent: int                 # 100 = breach
    due_at: datetime             # when business time reached the threshold
    target_seconds: int

    @property
    def is_breach(self) -> bool:
        return self.percent >= BREACH


@dataclass(frozen=True)
class Stop:
    """A clock stopped: the target was met, missed, or cancelled."""

    target: ClockTarget
    cycle: int
    outcome: str
    at: datetime
    elapsed_seconds: float
    target_seconds: int
    breached: bool
    breached_at: datetime | None = None       # when business time passed the target
    supplier_held_seconds: float = 0.0
    supplier_late_seconds: float = 0.0
    signalled: bool = False                   # a breach was raised for it (its alert exists)


@dataclass
class Clock:
    target: ClockTarget
    cycle: int
    target_seconds: int
    started_at: datetime
    elapsed: float = 0.0                  # business seconds accrued before ``since``
    since: datetime | None = None         # running since; None while paused or stopped
    paused: bool = False
    fired_percent: int = 0
    stopped_at: datetime | None = None
    outcome: str = ""
    breached_at: datetime | None = None   # when business time passed the target
    supplier_held: bool = False           # a supplier holds the inquiry now
    supplier_held_seconds: float = 0.0    # business seconds run while a supplier held it
    supplier_late_seconds: float = 0.0    # … of which after the target was passed

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None

    @property
    def is_running(self) -> bool:
        return self.since is not None

    def elapsed_at(self, calendar: BusinessCalendar, at: datetime) -> float:
        if self.since is None or at <= self.since:
            return self.elapsed
        return self.elapsed + calendar.business_seconds(self.since, at)

    def _accrue(self, calendar: BusinessCalendar, at: datetime) -> None:
        if self.since is None:
            return
        before, after = self.elapsed, self.elapsed_at(calendar, at)
        if after > before:
            target = self.target_seconds
            if self.breached_at is None and self.fired_percent < BREACH and 0 < target < after:
                # Passed the target in this stretch (or, after a lower target, at its start).
                self.breached_at = calendar.add_business_seconds(
                    self.since, max(0.0, target - before))
            if self.supplier_held:
                # Clamped: rounding must never make a part larger than its whole.
                self.supplier_held_seconds = min(
                    self.supplier_held_seconds + (after - before), after)
                self.supplier_late_seconds = min(
                    self.supplier_late_seconds + max(0.0, after - max(before, target)),
                    self.supplier_held_seconds)
        self.elapsed = after
        self.since = max(self.since, at)

    def hold_by_supplier(self, calendar: BusinessCalendar, at: datetime, held: bool) -> None:
        """From ``at`` on, running time counts (or stops counting) as supplier-held."""
        if self.is_open and self.supplier_held != held:
            self._accrue(calendar, at)
            self.supplier_held = held

    def pause(self, calendar: BusinessCalendar, at: datetime) -> None:
        if self.is_running:
            self._accrue(calendar, at)
            self.since = None
            self.paused = True

    def resume(self, at: datetime) -> None:
        if self.paused and self.is_open:
            self.paused = False
            self.since = at

    def stop(self, calendar: BusinessCalendar, at: datetime, *, cancel: bool = False) -> Stop:
        self._accrue(calendar, at)
        # The outcome follows the facts (business time up to ``at``), not what was signalled:
        # a breach raised while a late-arriving event that stops the clock earlier was still
        # in flight is withdrawn here (its alert resolves; a penalty is reversed).
        breached = self.elapsed > self.target_seconds
        if cancel:
            self.outcome = Outcome.CANCELLED
        else:
            self.outcome = Outcome.MISSED if breached else Outcome.MET
        self.since = None
        self.paused = False
        self.stopped_at = at
        return Stop(self.target, self.cycle, self.outcome, at, self.elapsed,
                    self.target_seconds, breached,
                    breached_at=self.breached_at if breached else None,
                    supplier_held_seconds=self.supplier_held_seconds,
                    supplier_late_seconds=self.supplier_late_seconds,
                    signalled=self.fired_percent >= BREACH)

    def next_threshold(self, percents: tuple[int, ...]) -> int | None:
        for percent in (*percents, BREACH):
            if percent > self.fired_percent:
                return percent
        return None

    def due_at(self, calendar: BusinessCalendar, percent: int) -> datetime | None:
        """When business time reaches ``percent`` of the target, if the clock keeps running."""
        if self.since is None or self.target_seconds <= 0:
            return None
        needed = self.target_seconds * percent / 100 - self.elapsed
        return calendar.add_business_seconds(self.since, max(0.0, needed))

    def next_due(self, calendar: BusinessCalendar, percents: tuple[int, ...]
                 ) -> tuple[int, datetime] | None:
        percent = self.next_threshold(percents)
        if percent is None or not self.is_open:
            return None
        due = self.due_at(calendar, percent)
        return None if due is None else (percent, due)

    # ----- plain data -----

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target.value, "cycle": self.cycle,
            "target_seconds": self.target_seconds, "started_at": _iso(self.started_at),
            "elapsed": self.elapsed, "since": _iso(self.since), "paused": self.paused,
            "fired_percent": self.fired_percent, "stopped_at": _iso(self.stopped_at),
            "outcome": self.outcome, "breached_at": _iso(self.breached_at),
            "supplier_held": self.supplier_held,
            "supplier_held_seconds": self.supplier_held_seconds,
            "supplier_late_seconds": self.supplier_late_seconds,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Clock:
        """Also reads states stored before breach times and supplier time were kept."""
        return cls(
            target=clock_target(data["target"]), cycle=int(data["cycle"]),
            target_seconds=int(data["target_seconds"]),
            started_at=_parse(data["started_at"]) or datetime.min.replace(tzinfo=UTC),
            elapsed=float(data["elapsed"]), since=_parse(data["since"]),
            paused=bool(data["paused"]), fired_percent=int(data["fired_percent"]),
            stopped_at=_parse(data["stopped_at"]), outcome=str(data["outcome"]),
            breached_at=_parse(data.get("breached_at")),
            supplier_held=bool(data.get("supplier_held", False)),
            supplier_held_seconds=float(data.get("supplier_held_seconds", 0.0)),
            supplier_late_seconds=float(data.get("supplier_late_seconds", 0.0)),
        )


class ClockSet:
    """Reading and signalling over ``self.clocks``, shared by inquiry and engagement clocks."""

    clocks: dict[Any, Clock]

    def open_clocks(self) -> list[Clock]:
        return [c for c in self.clocks.values() if c.is_open]

    def due_signals(self, terms: ClockRules, now: datetime) -> list[Signal]:
        """Every threshold reached by ``now`` that has not been signalled, oldest first."""
        signals: list[Signal] = []
        for clock in self.open_clocks():
            while True:
                nxt = clock.next_due(terms.calendar, terms.warning_percents)
                if nxt is None or nxt[1] > now:
                    break
                percent, due = nxt
                clock.fired_percent = percent
                if percent >= BREACH and clock.breached_at is None:
                    clock.breached_at = due
                signals.append(Signal(clock.target, clock.cycle, percent, due,
                                      clock.target_seconds))
        return sorted(signals, key=lambda s: (s.due_at, s.percent))

    def next_due(self, terms: ClockRules) -> datetime | None:
        dues = [nxt[1] for c in self.open_clocks()
                if (nxt := c.next_due(terms.calendar, terms.warning_percents)) is not None]
        return min(dues, default=None)

    def _stop_clock(self, calendar: BusinessCalendar, target: ClockTarget, at: datetime,
                    cancel: bool = False) -> list[Stop]:
        clock = self.clocks.get(target)
        if clock is None or not clock.is_open:
            return []
        return [clock.stop(calendar, at, cancel=cancel)]


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
