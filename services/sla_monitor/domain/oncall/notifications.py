"""Grouping a burst of alerts for one team into one notification with a stable key
(Alertmanager's ``group_wait``), so retries and other instances send it once."""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from services.sla_monitor.domain.oncall.plain_data import alert_to_dict
from services.sla_monitor.domain.oncall.routing import AlertFacts
from services.sla_monitor.domain.oncall.validation import (
    DEFAULT_TIME_ZONE,
    OnCallError,
    check_text,
    is_int,
    iso_z,
    local_text,
    one_line,
    shorten,
    utc_of,
    zone_named,
)

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
        check_text(self.key, "notification.key")
        check_text(self.team, "notification.team")
        object.__setattr__(self, "alerts", tuple(self.alerts))
        if not self.alerts:
            raise OnCallError("notification.alerts", "needs at least one alert")
        object.__setattr__(self, "created_at", utc_of(self.created_at, "notification.created_at"))

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
            about = shorten(one_line(alert.subject) or f"inquiry {alert.inquiry_id}")
            return one_line(f"[Madoguchi] {headline_of(alert)}: {about}")
        kinds = {a.kind for a in self.alerts}
        noun = _KIND_NOUNS[kinds.pop()] if len(kinds) == 1 else "alerts"
        return one_line(f"[Madoguchi] {len(self.alerts)} SLA {noun} for "
                         f"{self.team_name or self.team}")

    def text(self, time_zone: str = DEFAULT_TIME_ZONE) -> str:
        """A plain-text body listing every alert, times local to ``time_zone``."""
        zone = zone_named(time_zone, "time_zone")
        lines = [self.title(), ""]
        for n, alert in enumerate(self.alerts, start=1):
            lines.append(f"{n}. {headline_of(alert)}: {one_line(alert.subject) or '-'}")
            lines.append(f"   inquiry {alert.inquiry_id}, due {local_text(alert.due_at, zone)}")
            extra = [f"{label} {value}" for label, value in (
                ("agreement", alert.agreement_id), ("category", alert.category),
                ("department", alert.department), ("alert", alert.alert_id)) if value]
            if extra:
                lines.append("   " + ", ".join(one_line(x) for x in extra))
        lines += ["", f"Team: {one_line(self.team_name or self.team)} ({self.team})",
                  f"Notification: {self.key}"]
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        """The webhook payload: plain JSON values, times as ISO 8601 UTC ("Z")."""
        return {"key": self.key, "team": self.team, "team_name": self.team_name,
                "created_at": iso_z(self.created_at), "title": self.title(),
                "text": self.text(), "alerts": [alert_to_dict(a) for a in self.alerts]}


def headline_of(alert: AlertFacts) -> str:
    what = {"BREACH": "breached", "REMINDER": "still breached",
            "ESCALATION": "breach escalated"}.get(alert.kind,
                                                  f"at {alert.threshold_percent}% of target")
    return one_line(f"{alert.priority} {_TARGET_WORDS[alert.target]} {what}")


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
        if not is_int(max_group) or max_group < 1:
            raise OnCallError("max_group", "must be a whole number >= 1")
        self._window = timedelta(seconds=window_seconds)
        self._max = max_group
        self._open: dict[str, _Group] = {}
        self._ready: list[Notification] = []

    def add(self, team: str, alert: AlertFacts, now: datetime, *, team_name: str = "") -> None:
        """Hold ``alert`` for ``team``; the same alert id and kind again is ignored."""
        check_text(team, "team")
        if not alert.alert_id:
            raise OnCallError("alert.alert_id", "is required to group alerts")
        moment = utc_of(now, "now")
        group = self._open.setdefault(team, _Group(moment, team_name))
        group.alerts.setdefault((alert.alert_id, alert.kind), alert)
        group.team_name = team_name or group.team_name
        if len(group.alerts) >= self._max:
            self._ready.append(self._seal(team, moment))

    def due(self, now: datetime) -> list[Notification]:
        """Groups whose window (from their first alert) has passed or that filled up."""
        moment = utc_of(now, "now")
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
        moment = utc_of(now, "now")
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


