"""What the monitor tells the world: clock signals and breach alerts (event-sourced).

Every signal's aggregate id is derived from what it says (inquiry, target, cycle,
threshold), so the event store's uniqueness of (id, version 1) makes each one happen at
most once, whichever instance or restart tries to record it. A breach opens an
``Alert`` that on-call staff acknowledge and resolve; until then it reminds and climbs
the team's escalation policy, each step recorded once thanks to optimistic concurrency.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from madoguchi.errors import TransitionNotAllowed

SIGNAL_NAMESPACE = uuid5(NAMESPACE_URL, "https://madoguchi.invalid/sla/signal")


def signal_id(clock_owner: str, target: str, cycle: int, what: str) -> UUID:
    """Id of one fact about one clock cycle: ``what`` is a percent, ``breach`` or ``stop``.

    ``clock_owner`` is the inquiry id for customer clocks, the engagement id for supplier
    clocks (an inquiry may have several engagements, each with its own cycles).
    """
    return uuid5(SIGNAL_NAMESPACE, f"{clock_owner}/{target}/{cycle}/{what}")


class ClockSignal(Aggregate):
    """A warning threshold reached, or a clock stopped: one event, recorded once."""

    class WarningReached(Aggregate.Created):
        inquiry_id: str
        target: str
        cycle: int
        percent: int
        due_at: datetime
        raised_at: datetime
        target_seconds: int
        context: dict[str, str]      # agreement, version, priority, kind, category, ...

    class Stopped(Aggregate.Created):
        inquiry_id: str
        target: str
        cycle: int
        outcome: str
        stopped_at: datetime
        elapsed_seconds: float
        target_seconds: int
        breached: bool
        context: dict[str, str]

    def __init__(self, **fields: Any) -> None:
        self.fields = fields


class AlertResolution:
    ANSWERED = "ANSWERED"     # the clock stopped: responded, resolved, or updated
    MANUAL = "MANUAL"         # someone resolved the alert over the API
    CLOSED = "CLOSED"         # the inquiry was closed


class Alert(Aggregate):
    """A breached target, from the breach to its resolution."""

    class Event(Aggregate.Event):
        at: datetime

    class Raised(Aggregate.Created, Event):
        inquiry_id: str
        target: str
        cycle: int
        due_at: datetime
        target_seconds: int
        team: str
        reminder_minutes: int
        context: dict[str, str]

    class Reminded(Event):
        number: int

        def apply(self, aggregate: Alert) -> None:
            aggregate.reminders = self.number
            aggregate.last_notified_at = self.at

    class Escalated(Event):
        level: int

        def apply(self, aggregate: Alert) -> None:
            aggregate.level = self.level
            aggregate.last_notified_at = self.at

    class Acknowledged(Event):
        by: str
        note: str

        def apply(self, aggregate: Alert) -> None:
            aggregate.acknowledged_by = self.by
            aggregate.acknowledged_at = self.at

    class Resolved(Event):
        by: str
        reason: str
        note: str

        def apply(self, aggregate: Alert) -> None:
            aggregate.resolved_at = self.at
            aggregate.resolution = self.reason

    def __init__(self, *, at: datetime, inquiry_id: str, target: str, cycle: int,
                 due_at: datetime, target_seconds: int, team: str, reminder_minutes: int,
                 context: dict[str, str]) -> None:
        self.raised_at = at
        self.inquiry_id = inquiry_id
        self.target = target
        self.cycle = cycle
        self.due_at = due_at
        self.team = team
        self.reminder_minutes = reminder_minutes
        self.context = context
        self.level = 0
        self.reminders = 0
        self.last_notified_at = at
        self.acknowledged_by = ""
        self.acknowledged_at: datetime | None = None
        self.resolved_at: datetime | None = None
        self.resolution = ""

    @classmethod
    def raise_breach(cls, *, inquiry_id: str, target: str, cycle: int, due_at: datetime,
                     raised_at: datetime, target_seconds: int, team: str,
                     reminder_minutes: int, context: dict[str, str],
                     clock_owner: str = "") -> Alert:
        """``clock_owner``: what the id derives from when not the inquiry (an engagement)."""
        return cls._create(
            cls.Raised, id=signal_id(clock_owner or inquiry_id, target, cycle, "breach"),
            at=raised_at,
            inquiry_id=inquiry_id, target=target, cycle=cycle, due_at=due_at,
            target_seconds=target_seconds, team=team, reminder_minutes=reminder_minutes,
            context=context,
        )

    # ----- state -----

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def state(self) -> str:
        if not self.is_open:
            return "RESOLVED"
        return "ACKNOWLEDGED" if self.is_acknowledged else "OPEN"

    def next_reminder_at(self) -> datetime | None:
        if not self.is_open or self.is_acknowledged or self.reminder_minutes <= 0:
            return None
        return self.last_notified_at + timedelta(minutes=self.reminder_minutes)

    # ----- commands -----

    def remind(self, at: datetime) -> None:
        self.trigger_event(self.Reminded, number=self.reminders + 1, at=at)

    def escalate(self, level: int, at: datetime) -> None:
        if level != self.level + 1:
            raise TransitionNotAllowed(f"alert is at level {self.level}, not {level - 1}")
        self.trigger_event(self.Escalated, level=level, at=at)

    def acknowledge(self, *, by: str, note: str, at: datetime) -> bool:
        """Stop reminders and escalation; acknowledging twice records nothing more."""
        if not self.is_open:
            raise TransitionNotAllowed("alert is already resolved")
        if self.is_acknowledged:
            return False
        self.trigger_event(self.Acknowledged, by=by, note=note, at=at)
        return True

    def resolve(self, *, by: str, reason: str, note: str, at: datetime) -> bool:
        if not self.is_open:
            return False
        self.trigger_event(self.Resolved, by=by, reason=reason, note=note, at=at)
        return True
