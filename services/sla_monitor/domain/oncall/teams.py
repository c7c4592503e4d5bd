"""People, teams and their escalation levels, and the heartbeat receiver of the dead
man's switch."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from services.sla_monitor.domain.oncall.rotation import Rotation
from services.sla_monitor.domain.oncall.validation import (
    MAX_ESCALATION_MINUTES,
    ROTATION,
    USER_PREFIX,
    OnCallError,
    check_email,
    check_text,
    check_url,
    fields_of,
    ids_of,
    is_int,
    utc_of,
)

# ----- people, escalation, teams -----


@dataclass(frozen=True)
class Person:
    """Someone who can be on call, with their contact points."""

    id: str
    name: str
    email: str = ""
    webhook_url: str = ""

    def __post_init__(self) -> None:
        check_text(self.id, "person.id")
        check_text(self.name, "person.name")
        check_email(self.email, "person.email")
        check_url(self.webhook_url, "person.webhook_url")


@dataclass(frozen=True)
class EscalationLevel:
    """Who is told, and how long after the alert was raised, if nobody acknowledged it."""

    notify: tuple[str, ...]           # "rotation" or "user:<person id>"
    after_minutes: int                # wall-clock minutes after the alert was raised

    def __post_init__(self) -> None:
        notify = ids_of(self.notify, "escalation_level.notify")
        for i, target in enumerate(notify):
            user = target.removeprefix(USER_PREFIX)
            if target != ROTATION and (user == target or not user.strip()):
                raise OnCallError(f"escalation_level.notify[{i}]",
                                  f"must be {ROTATION!r} or 'user:<person id>', not {target!r}")
            if target in notify[:i]:
                raise OnCallError(f"escalation_level.notify[{i}]", f"repeats {target!r}")
        object.__setattr__(self, "notify", notify)
        minutes = self.after_minutes
        if not is_int(minutes) or not 0 <= minutes <= MAX_ESCALATION_MINUTES:
            raise OnCallError("escalation_level.after_minutes",
                              f"must be a whole number from 0 to {MAX_ESCALATION_MINUTES}")


@dataclass(frozen=True)
class HeartbeatReceiver:
    """Where the monitor's heartbeat goes (a dead man's switch such as healthchecks.io or
    an Alertmanager Watchdog receiver): it pages when the heartbeats stop."""

    webhook_url: str = ""
    email: str = ""

    def __post_init__(self) -> None:
        check_url(self.webhook_url, "heartbeat.webhook_url")
        check_email(self.email, "heartbeat.email")


def heartbeat_to_dict(receiver: HeartbeatReceiver) -> dict[str, Any]:
    return {"webhook_url": receiver.webhook_url, "email": receiver.email}


def heartbeat_from_dict(data: Mapping[str, Any] | None) -> HeartbeatReceiver:
    raw = fields_of(data or {}, "heartbeat", (), ("webhook_url", "email"))
    return HeartbeatReceiver(**raw)


def notify_on_call() -> tuple[EscalationLevel, ...]:
    """The default policy: whoever is on call, at once, and nobody else."""
    return (EscalationLevel(notify=(ROTATION,), after_minutes=0),)


@dataclass(frozen=True)
class Team:
    """A team, its rotation and escalation policy, and its shared channels."""

    id: str
    name: str
    rotation: Rotation
    escalation: tuple[EscalationLevel, ...] = field(default_factory=notify_on_call)
    webhook_url: str = ""             # team channel (optional)
    email: str = ""                   # team mailbox (optional)

    def __post_init__(self) -> None:
        check_text(self.id, "team.id")
        check_text(self.name, "team.name")
        if not isinstance(self.rotation, Rotation):
            raise OnCallError("team.rotation", "must be a Rotation")
        levels = self.escalation
        if isinstance(levels, str | bytes) or not isinstance(levels, Iterable):
            raise OnCallError("team.escalation", "must be a list of levels")
        levels = tuple(levels)
        object.__setattr__(self, "escalation", levels)
        if not levels:
            raise OnCallError("team.escalation", "needs at least one level")
        for i, level in enumerate(levels):
            if not isinstance(level, EscalationLevel):
                raise OnCallError(f"team.escalation[{i}]", "must be an EscalationLevel")
            previous = levels[i - 1].after_minutes if i else -1
            if level.after_minutes <= previous:
                raise OnCallError(f"team.escalation[{i}].after_minutes",
                                  f"must be greater than level {i - 1}'s ({previous})")
        check_url(self.webhook_url, "team.webhook_url")
        check_email(self.email, "team.email")

    def recipients(self, level: int, at: datetime, people: Mapping[str, Person]) -> list[Person]:
        """The people level ``level`` tells at ``at``, in its order, each once.

        A target naming nobody in ``people`` raises ``OnCallError``: a silently skipped
        escalation would leave an alert unanswered. Check ``referenced_people`` on load.
        """
        found: dict[str, Person] = {}
        for i, target in enumerate(self._level(level).notify):
            person_id = (self.rotation.on_call(at) if target == ROTATION
                         else target.removeprefix(USER_PREFIX))
            person = people.get(person_id)
            if person is None:
                raise OnCallError(f"team.escalation[{level}].notify[{i}]",
                                  f"names no known person ({person_id!r})")
            found.setdefault(person_id, person)
        return list(found.values())

    def level_due(self, level: int, raised_at: datetime) -> datetime:
        """When level ``level`` is to be told (UTC), unless acknowledged by then."""
        minutes = self._level(level).after_minutes
        return utc_of(raised_at, "raised_at") + timedelta(minutes=minutes)

    def referenced_people(self) -> tuple[str, ...]:
        """Every person id the rotation and the escalation policy name, once each."""
        users = (t.removeprefix(USER_PREFIX) for level in self.escalation for t in level.notify
                 if t != ROTATION)
        return tuple(dict.fromkeys((*self.rotation.participants, *users)))

    def _level(self, level: int) -> EscalationLevel:
        if not is_int(level) or not 0 <= level < len(self.escalation):
            raise OnCallError("level", f"must be from 0 to {len(self.escalation) - 1}")
        return self.escalation[level]


