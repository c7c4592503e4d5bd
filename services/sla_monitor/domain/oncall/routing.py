"""Which team an alert goes to: the alert's facts and the first matching route rule."""


from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from madoguchi.servicelevels.terms import PRIORITIES
from services.sla_monitor.domain.oncall.validation import (
    ALERT_KINDS,
    TARGETS,
    OnCallError,
    check_text,
    choice_of,
    ids_of,
    is_int,
    utc_of,
)

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
        check_text(self.inquiry_id, "alert.inquiry_id")
        object.__setattr__(self, "target", choice_of(self.target, TARGETS, "alert.target"))
        object.__setattr__(self, "kind", choice_of(self.kind, ALERT_KINDS, "alert.kind"))
        object.__setattr__(self, "due_at", utc_of(self.due_at, "alert.due_at"))
        object.__setattr__(self, "raised_at", utc_of(self.raised_at, "alert.raised_at"))
        if not is_int(self.threshold_percent) or self.threshold_percent < 1:
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
        check_text(self.team, "route.team")
        for name in ("agreement_ids", "priorities", "categories", "departments"):
            object.__setattr__(self, name, ids_of(getattr(self, name), f"route.{name}",
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


