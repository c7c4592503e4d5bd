"""On call: who is told about an SLA alert, when, and in how many messages (pure; no I/O).

The concepts are those of PagerDuty, Grafana OnCall and Prometheus Alertmanager:

* ``Rotation`` (a schedule layer): participants take turns in fixed-length shifts. Hand-offs
  are meant in local wall-clock time, so a daily 09:00 hand-off stays at 09:00 when
  daylight saving time starts or ends.
* ``Team`` with ``EscalationLevel``s (an escalation policy): level 0 is told at once, each
  further level a number of minutes after the alert was raised unless it was acknowledged.
* ``RouteRule`` and ``route`` (a routing tree): the first matching rule names the team.
* ``Grouper`` (Alertmanager's ``group_wait``): a burst of alerts for one team becomes one
  ``Notification``, whose ``key`` is the same whoever builds it, so retries and other
  instances send it under the same idempotency key.

Constructors validate; a bad value raises ``OnCallError`` (a ``ValueError`` and an
``InvalidField``, so the API reports INVALID_ARGUMENT) naming the field. Times must be
timezone-aware; they are kept and compared in UTC.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from madoguchi.errors import InvalidField
from madoguchi.servicelevels.clock import SupplierTarget
from madoguchi.servicelevels.terms import PRIORITIES, Target

DEFAULT_TIME_ZONE = "Asia/Tokyo"
TARGETS = tuple(t.value for t in (*Target, *SupplierTarget))   # customer, then supplier
ALERT_KINDS = ("WARNING", "BREACH", "REMINDER", "ESCALATION")
ROTATION = "rotation"            # escalation target: whoever is on call in the team's rotation
USER_PREFIX = "user:"            # escalation target: one person, "user:<person id>"
MAX_SHIFT_HOURS = 24 * 366
MAX_ESCALATION_MINUTES = 7 * 24 * 60
MAX_SUBJECT_IN_TITLE = 120

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+$")
_TICK = timedelta(microseconds=1)


class OnCallError(InvalidField, ValueError):
    """A value breaks a rule; ``field`` names it, e.g. ``team.escalation[1].after_minutes``."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__([(field_name, message)])
        self.field = field_name
        self.message = message

    def __str__(self) -> str:
        return f"{self.field} {self.message}"

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.field, self.message)


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
                           _ids(self.participants, "rotation.participants"))
        _zone(self.time_zone, "rotation.time_zone")
        object.__setattr__(self, "start", _utc(self.start, "rotation.start"))
        if not _is_int(self.shift_hours) or not 1 <= self.shift_hours <= MAX_SHIFT_HOURS:
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
        moment = _utc(at, "at")
        if moment < self.start:
            return 0
        shift = timedelta(hours=self.shift_hours)
        # Wall-clock arithmetic is off by at most the DST changes in between; walk to fix.
        index = max(0, (_wall(moment, self.zone) - _wall(self.start, self.zone)) // shift)
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
            local = _wall(self.start, self.zone) + timedelta(hours=self.shift_hours * index)
        except OverflowError:
            return datetime.max.replace(tzinfo=UTC)
        return _instant(local, self.zone)


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    """What a clock on the wall in ``zone`` shows at ``moment`` (naive)."""
    return moment.astimezone(zone).replace(tzinfo=None, fold=0)


def _instant(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant a local wall-clock time names (see ``Rotation.handoff``)."""
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(first, zone) == local:
        return first
    # In a gap: the wall clock reads < local before the jump and > local after it.
    other = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(first, other), max(first, other)
    while high - low > _TICK:
        middle = low + (high - low) // 2
        if _wall(middle, zone) >= local:
            high = middle
        else:
            low = middle
    return high


# ----- people, escalation, teams -----


@dataclass(frozen=True)
class Person:
    """Someone who can be on call, with their contact points."""

    id: str
    name: str
    email: str = ""
    webhook_url: str = ""

    def __post_init__(self) -> None:
        _text(self.id, "person.id")
        _text(self.name, "person.name")
        _email(self.email, "person.email")
        _url(self.webhook_url, "person.webhook_url")


@dataclass(frozen=True)
class EscalationLevel:
    """Who is told, and how long after the alert was raised, if nobody acknowledged it."""

    notify: tuple[str, ...]           # "rotation" or "user:<person id>"
    after_minutes: int                # wall-clock minutes after the alert was raised

    def __post_init__(self) -> None:
        notify = _ids(self.notify, "escalation_level.notify")
        for i, target in enumerate(notify):
            user = target.removeprefix(USER_PREFIX)
            if target != ROTATION and (user == target or not user.strip()):
                raise OnCallError(f"escalation_level.notify[{i}]",
                                  f"must be {ROTATION!r} or 'user:<person id>', not {target!r}")
            if target in notify[:i]:
                raise OnCallError(f"escalation_level.notify[{i}]", f"repeats {target!r}")
        object.__setattr__(self, "notify", notify)
        minutes = self.after_minutes
        if not _is_int(minutes) or not 0 <= minutes <= MAX_ESCALATION_MINUTES:
            raise OnCallError("escalation_level.after_minutes",
                              f"must be a whole number from 0 to {MAX_ESCALATION_MINUTES}")


@dataclass(frozen=True)
class HeartbeatReceiver:
    """Where the monitor's heartbeat goes (a dead man's switch such as healthchecks.io or
    an Alertmanager Watchdog receiver): it pages when the heartbeats stop."""

    webhook_url: str = ""
    email: str = ""

    def __post_init__(self) -> None:
        _url(self.webhook_url, "heartbeat.webhook_url")
        _email(self.email, "heartbeat.email")


def heartbeat_to_dict(receiver: HeartbeatReceiver) -> dict[str, Any]:
    return {"webhook_url": receiver.webhook_url, "email": receiver.email}


def heartbeat_from_dict(data: Mapping[str, Any] | None) -> HeartbeatReceiver:
    raw = _fields(data or {}, "heartbeat", (), ("webhook_url", "email"))
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
        _text(self.id, "team.id")
        _text(self.name, "team.name")
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
        _url(self.webhook_url, "team.webhook_url")
        _email(self.email, "team.email")

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
        return _utc(raised_at, "raised_at") + timedelta(minutes=minutes)

    def referenced_people(self) -> tuple[str, ...]:
        """Every person id the rotation and the escalation policy name, once each."""
        users = (t.removeprefix(USER_PREFIX) for level in self.escalation for t in level.notify
                 if t != ROTATION)
        return tuple(dict.fromkeys((*self.rotation.participants, *users)))

    def _level(self, level: int) -> EscalationLevel:
        if not _is_int(level) or not 0 <= level < len(self.escalation):
            raise OnCallError("level", f"must be from 0 to {len(self.escalation) - 1}")
        return self.escalation[level]


# ----- alerts and routing -----


@dataclass(frozen=True)
class AlertFacts:
    """What routing, grouping and messages need to know about one alert."""

    alert_id: str                     # may be empty while routing, before the alert exists
    inquiry_id: str
    target: str                       # FIRST_RESPONSE | RESOLUTION | UPDATE | ACKNOWLEDGE | RESOLVE
    kind: str                         # WARNING | BREACH | REMINDER | ESCALATION
    agreement_id: str
    priority: str
    category: str
    department: str
    subject: str
    due_at: datetime
    raised_at: datetime
    threshold_percent: int = 100

    def __post_init__(self) -> None:
        for name in ("alert_id", "inquiry_id", "agreement_id", "priority", "category",
                     "department", "subject"):
            if not isinstance(getattr(self, name), str):
                raise OnCallError(f"alert.{name}", "must be text")
        _text(self.inquiry_id, "alert.inquiry_id")
        object.__setattr__(self, "target", _choice(self.target, TARGETS, "alert.target"))
        object.__setattr__(self, "kind", _choice(self.kind, ALERT_KINDS, "alert.kind"))
        object.__setattr__(self, "due_at", _utc(self.due_at, "alert.due_at"))
        object.__setattr__(self, "raised_at", _utc(self.raised_at, "alert.raised_at"))
        if not _is_int(self.threshold_percent) or self.threshold_percent < 1:
            raise OnCallError("alert.threshold_percent", "must be a whole number from 1")


@dataclass(frozen=True)
class RouteRule:
    """Alerts matching every non-empty filter go to ``team``."""

    team: str
    agreement_ids: tuple[str, ...] = ()     # empty = any
    priorities: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _text(self.team, "route.team")
        for name in ("agreement_ids", "priorities", "categories", "departments"):
            object.__setattr__(self, name, _ids(getattr(self, name), f"route.{name}",
                                                allow_empty=True))
        for i, priority in enumerate(self.priorities):
            if priority not in PRIORITIES:
                raise OnCallError(f"route.priorities[{i}]",
                                  f"must be one of {', '.join(PRIORITIES)}")

    def matches(self, alert: AlertFacts) -> bool:
        pairs = ((self.agreement_ids, alert.agreement_id), (self.priorities, alert.priority),
                 (self.categories, alert.category), (self.departments, alert.department))
        return all(not allowed or value in allowed for allowed, value in pairs)


def route(alert: AlertFacts, rules: Sequence[RouteRule], default_team: str) -> str:
    """The team of the first rule that matches (like Alertmanager), else ``default_team``."""
    return next((rule.team for rule in rules if rule.matches(alert)), default_team)


# ----- notifications and grouping -----

_TARGET_WORDS = {"FIRST_RESPONSE": "first response", "RESOLUTION": "resolution",
                 "UPDATE": "update", "ACKNOWLEDGE": "supplier acknowledgement",
                 "RESOLVE": "supplier resolution"}
_KIND_NOUNS = {"WARNING": "warnings", "BREACH": "breaches", "REMINDER": "reminders",
               "ESCALATION": "escalations"}


def notification_key(team: str, alerts: Iterable[AlertFacts]) -> str:
    """sha256 over the team and the sorted (alert id, kind) pairs: the same in any process."""
    pairs = sorted({(a.alert_id, a.kind) for a in alerts})
    material = json.dumps([team, pairs], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Notification:
    """One message to one team about one or more alerts."""

    key: str                          # idempotency key; see ``notification_key``
    team: str
    alerts: tuple[AlertFacts, ...]
    created_at: datetime
    team_name: str = ""               # for people to read; not part of the key

    def __post_init__(self) -> None:
        _text(self.key, "notification.key")
        _text(self.team, "notification.team")
        object.__setattr__(self, "alerts", tuple(self.alerts))
        if not self.alerts:
            raise OnCallError("notification.alerts", "needs at least one alert")
        object.__setattr__(self, "created_at", _utc(self.created_at, "notification.created_at"))

    @classmethod
    def create(cls, team: str, alerts: Iterable[AlertFacts], created_at: datetime,
              team_name: str = "") -> Notification:
        """Key and order (by due time) follow from the alerts, not from their arrival order."""
        ordered = tuple(sorted(alerts, key=lambda a: (a.due_at, a.alert_id, a.kind)))
        return cls(notification_key(team, ordered), team, ordered, created_at, team_name)

    def title(self) -> str:
        """One line for a subject or a chat message."""
        if len(self.alerts) == 1:
            alert = self.alerts[0]
            about = _shorten(_one_line(alert.subject) or f"inquiry {alert.inquiry_id}")
            return _one_line(f"[Madoguchi] {_headline(alert)}: {about}")
        kinds = {a.kind for a in self.alerts}
        noun = _KIND_NOUNS[kinds.pop()] if len(kinds) == 1 else "alerts"
        return _one_line(f"[Madoguchi] {len(self.alerts)} SLA {noun} for "
                         f"{self.team_name or self.team}")

    def text(self, time_zone: str = DEFAULT_TIME_ZONE) -> str:
        """A plain-text body listing every alert, times local to ``time_zone``."""
        zone = _zone(time_zone, "time_zone")
        lines = [self.title(), ""]
        for n, alert in enumerate(self.alerts, start=1):
            lines.append(f"{n}. {_headline(alert)}: {_one_line(alert.subject) or '-'}")
            lines.append(f"   inquiry {alert.inquiry_id}, due {_local(alert.due_at, zone)}")
            extra = [f"{label} {value}" for label, value in (
                ("agreement", alert.agreement_id), ("category", alert.category),
                ("department", alert.department), ("alert", alert.alert_id)) if value]
            if extra:
                lines.append("   " + ", ".join(_one_line(x) for x in extra))
        lines += ["", f"Team: {_one_line(self.team_name or self.team)} ({self.team})",
                  f"Notification: {self.key}"]
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        """The webhook payload: plain JSON values, times as ISO 8601 UTC ("Z")."""
        return {"key": self.key, "team": self.team, "team_name": self.team_name,
                "created_at": _iso_z(self.created_at), "title": self.title(),
                "text": self.text(), "alerts": [alert_to_dict(a) for a in self.alerts]}


def _headline(alert: AlertFacts) -> str:
    what = {"BREACH": "breached", "REMINDER": "still breached",
            "ESCALATION": "breach escalated"}.get(alert.kind,
                                                  f"at {alert.threshold_percent}% of target")
    return _one_line(f"{alert.priority} {_TARGET_WORDS[alert.target]} {what}")


@dataclass
class _Group:
    opened_at: datetime
    team_name: str
    alerts: dict[tuple[str, str], AlertFacts] = field(default_factory=dict)


class Grouper:
    """Collects alerts per team for ``window_seconds`` (Alertmanager group_wait) so a burst
    becomes one notification. Not thread-safe: one dispatcher owns it."""

    def __init__(self, window_seconds: float = 10.0, max_group: int = 100) -> None:
        if (isinstance(window_seconds, bool) or not isinstance(window_seconds, int | float)
                or not math.isfinite(window_seconds) or window_seconds < 0):
            raise OnCallError("window_seconds", "must be a number of seconds >= 0")
        if not _is_int(max_group) or max_group < 1:
            raise OnCallError("max_group", "must be a whole number >= 1")
        self._window = timedelta(seconds=window_seconds)
        self._max = max_group
        self._open: dict[str, _Group] = {}
        self._ready: list[Notification] = []

    def add(self, team: str, alert: AlertFacts, now: datetime, *, team_name: str = "") -> None:
        """Hold ``alert`` for ``team``; the same alert id and kind again is ignored."""
        _text(team, "team")
        if not alert.alert_id:
            raise OnCallError("alert.alert_id", "is required to group alerts")
        moment = _utc(now, "now")
        group = self._open.setdefault(team, _Group(moment, team_name))
        group.alerts.setdefault((alert.alert_id, alert.kind), alert)
        group.team_name = team_name or group.team_name
        if len(group.alerts) >= self._max:
            self._ready.append(self._seal(team, moment))

    def due(self, now: datetime) -> list[Notification]:
        """Groups whose window (from their first alert) has passed or that filled up."""
        moment = _utc(now, "now")
        expired = sorted((g.opened_at, team) for team, g in self._open.items()
                         if moment >= g.opened_at + self._window)
        ready, self._ready = self._ready, []
        return ready + [self._seal(team, moment) for _, team in expired]

    def next_due(self) -> datetime | None:
        """When ``due`` will next return something (None: nothing is held)."""
        times = [n.created_at for n in self._ready]
        times += [g.opened_at + self._window for g in self._open.values()]
        return min(times, default=None)

    def flush(self, now: datetime) -> list[Notification]:
        """Everything held, whatever its window (e.g. at shutdown)."""
        moment = _utc(now, "now")
        ready, self._ready = self._ready, []
        teams = sorted(self._open, key=lambda team: (self._open[team].opened_at, team))
        return ready + [self._seal(team, moment) for team in teams]

    def pending(self) -> int:
        """How many alerts are held."""
        return sum(len(g.alerts) for g in self._open.values()) + sum(
            len(n.alerts) for n in self._ready)

    def _seal(self, team: str, now: datetime) -> Notification:
        group = self._open.pop(team)
        return Notification.create(team, group.alerts.values(), now, group.team_name)


# ----- plain data (seed file, directory events, webhook payloads) -----


def person_to_dict(person: Person) -> dict[str, Any]:
    return {"id": person.id, "name": person.name, "email": person.email,
            "webhook_url": person.webhook_url}


def person_from_dict(data: Mapping[str, Any]) -> Person:
    raw = _fields(data, "person", ("id", "name"), ("email", "webhook_url"))
    return Person(**raw)


def rotation_to_dict(rotation: Rotation) -> dict[str, Any]:
    return {"participants": list(rotation.participants),
            "start": rotation.start.astimezone(rotation.zone).isoformat(),
            "shift_hours": rotation.shift_hours, "time_zone": rotation.time_zone}


def rotation_from_dict(data: Mapping[str, Any]) -> Rotation:
    """``start`` is ISO 8601; without an offset it is read in ``time_zone``."""
    raw = _fields(data, "rotation", ("participants", "start"), ("shift_hours", "time_zone"))
    zone = _zone(raw.get("time_zone", DEFAULT_TIME_ZONE), "rotation.time_zone")
    start = _parse_time(raw["start"], "rotation.start", zone)
    return Rotation(participants=_list(raw["participants"], "rotation.participants"),
                    start=start, **{k: v for k, v in raw.items()
                                    if k in ("shift_hours", "time_zone")})


def escalation_level_to_dict(level: EscalationLevel) -> dict[str, Any]:
    return {"notify": list(level.notify), "after_minutes": level.after_minutes}


def escalation_level_from_dict(data: Mapping[str, Any]) -> EscalationLevel:
    raw = _fields(data, "escalation_level", ("notify", "after_minutes"), ())
    return EscalationLevel(notify=_list(raw["notify"], "escalation_level.notify"),
                           after_minutes=raw["after_minutes"])


def team_to_dict(team: Team) -> dict[str, Any]:
    return {"id": team.id, "name": team.name, "rotation": rotation_to_dict(team.rotation),
            "escalation": [escalation_level_to_dict(level) for level in team.escalation],
            "webhook_url": team.webhook_url, "email": team.email}


def team_from_dict(data: Mapping[str, Any]) -> Team:
    """Without ``escalation``, the team's rotation is told at once and nobody else."""
    raw = _fields(data, "team", ("id", "name", "rotation"),
                  ("escalation", "webhook_url", "email"))
    with _inside("team.rotation"):
        rotation = rotation_from_dict(raw.pop("rotation"))
    if "escalation" not in raw:
        return Team(rotation=rotation, **raw)
    levels = []
    for i, level in enumerate(_list(raw.pop("escalation"), "team.escalation")):
        with _inside(f"team.escalation[{i}]"):
            levels.append(escalation_level_from_dict(level))
    return Team(rotation=rotation, escalation=tuple(levels), **raw)


def route_rule_to_dict(rule: RouteRule) -> dict[str, Any]:
    return {"team": rule.team, "agreement_ids": list(rule.agreement_ids),
            "priorities": list(rule.priorities), "categories": list(rule.categories),
            "departments": list(rule.departments)}


def route_rule_from_dict(data: Mapping[str, Any]) -> RouteRule:
    filters = ("agreement_ids", "priorities", "categories", "departments")
    raw = _fields(data, "route", ("team",), filters)
    return RouteRule(team=raw["team"], **{k: _list(raw[k], f"route.{k}")
                                          for k in filters if k in raw})


def alert_to_dict(alert: AlertFacts) -> dict[str, Any]:
    return {"alert_id": alert.alert_id, "inquiry_id": alert.inquiry_id,
            "target": alert.target, "kind": alert.kind, "agreement_id": alert.agreement_id,
            "priority": alert.priority, "category": alert.category,
            "department": alert.department, "subject": alert.subject,
            "due_at": _iso_z(alert.due_at), "raised_at": _iso_z(alert.raised_at),
            "threshold_percent": alert.threshold_percent}


def alert_from_dict(data: Mapping[str, Any]) -> AlertFacts:
    required = ("inquiry_id", "target", "kind", "due_at", "raised_at")
    optional = ("alert_id", "agreement_id", "priority", "category", "department", "subject",
                "threshold_percent")
    raw = _fields(data, "alert", required, optional)
    for name in ("due_at", "raised_at"):
        raw[name] = _parse_time(raw[name], f"alert.{name}", None)
    text = {name: raw.pop(name, "") for name in optional[:-1]}
    return AlertFacts(**text, **raw)


# ----- helpers -----


@contextmanager
def _inside(where: str) -> Iterator[None]:
    """Name a nested value's error after where it sits: ``rotation.x`` → ``team.rotation.x``."""
    try:
        yield
    except OnCallError as error:
        rest = error.field.partition(".")[2]
        raise OnCallError(f"{where}.{rest}" if rest else where, error.message) from None


def _fields(data: Any, where: str, required: Sequence[str],
            optional: Sequence[str]) -> dict[str, Any]:
    """A copy of ``data``'s fields; a missing or unknown one (a typo) is an error."""
    if not isinstance(data, Mapping):
        raise OnCallError(where, "must be an object")
    for name in required:
        if name not in data:
            raise OnCallError(f"{where}.{name}", "is required")
    for name in data:
        if name not in required and name not in optional:
            raise OnCallError(f"{where}.{name}", "is not a known field")
    return dict(data)


def _list(value: Any, where: str) -> tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        raise OnCallError(where, "must be a list")
    return tuple(value)


def _ids(values: Any, where: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    """A tuple of non-blank texts (a bare text would be read letter by letter)."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise OnCallError(where, "must be a list of texts")
    values = tuple(values)
    if not values and not allow_empty:
        raise OnCallError(where, "needs at least one entry")
    for i, value in enumerate(values):
        _text(value, f"{where}[{i}]")
    return values


def _text(value: Any, where: str) -> None:
    if not isinstance(value, str):
        raise OnCallError(where, "must be text")
    if not value.strip():
        raise OnCallError(where, "is required")
    if _CONTROL.search(value):
        raise OnCallError(where, "must not contain control characters")


def _choice(value: Any, allowed: Sequence[str], where: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise OnCallError(where, f"must be one of {', '.join(allowed)}")
    return allowed[allowed.index(value)]   # a StrEnum member becomes the plain text


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _email(value: Any, where: str) -> None:
    if not isinstance(value, str) or (value and not _EMAIL.match(value)):
        raise OnCallError(where, "must be an e-mail address like name@example.jp")


def _url(value: Any, where: str) -> None:
    if not isinstance(value, str):
        raise OnCallError(where, "must be text")
    if not value:
        return
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname
            or any(c.isspace() for c in value) or _CONTROL.search(value)):
        raise OnCallError(where, "must be an http:// or https:// URL")


def _zone(name: Any, where: str) -> ZoneInfo:
    try:
        if not isinstance(name, str) or not name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise OnCallError(where, f"{name!r} is not an IANA time zone name") from None


def _utc(value: Any, where: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise OnCallError(where, "must be a timezone-aware datetime")
    return value.astimezone(UTC)


def _parse_time(value: Any, where: str, zone: ZoneInfo | None) -> datetime:
    """ISO 8601 text (or a datetime); naive ones are read in ``zone`` if one is given."""
    moment = value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise OnCallError(where, "must be an ISO 8601 date and time") from None
    if isinstance(moment, datetime) and moment.utcoffset() is None and zone is not None:
        moment = moment.replace(tzinfo=zone)
    return _utc(moment, where)


def _iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _local(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.isoformat(sep=' ', timespec='minutes')} ({local.tzname()})"


def _one_line(text: str) -> str:
    """No line breaks or control characters (they would break e-mail headers)."""
    return re.sub(" {2,}", " ", _CONTROL.sub(" ", text)).strip()


def _shorten(text: str) -> str:
    if len(text) <= MAX_SUBJECT_IN_TITLE:
        return text
    return text[:MAX_SUBJECT_IN_TITLE - 1].rstrip() + "…"
