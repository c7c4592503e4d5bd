"""What a service level agreement promises (ISO/IEC 20000-1 8.3.3): terms as a value.

Shared because two services run the same rules: the SLA monitor runs clocks under these
terms live, and the projections replay them for deadlines, reports and what-if. The
monitor's ``Agreement`` aggregate keeps each revision; this module only says what terms
are valid and how they read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from madoguchi.businesstime.calendar import BusinessCalendar
from madoguchi.errors import InvalidField

PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
KINDS = ("", "QUESTION", "REQUEST", "INCIDENT", "COMPLAINT")
HOLD_REASONS = ("AWAITING_CUSTOMER", "AWAITING_SUPPLIER", "OTHER")
MAX_TARGET_MINUTES = 60 * 24 * 366   # a year of business minutes is already absurd


class Target(StrEnum):
    """What a clock measures."""

    FIRST_RESPONSE = "FIRST_RESPONSE"   # receipt → first response
    RESOLUTION = "RESOLUTION"           # receipt (or reopen) → resolution
    UPDATE = "UPDATE"                   # last response → next response, while open


@dataclass(frozen=True)
class TargetSet:
    """Targets in business minutes for one priority (and optionally one kind); 0 = none."""

    priority: str
    kind: str = ""
    first_response_minutes: int = 0
    resolution_minutes: int = 0
    update_minutes: int = 0

    def minutes(self, target: Target) -> int:
        return {Target.FIRST_RESPONSE: self.first_response_minutes,
                Target.RESOLUTION: self.resolution_minutes,
                Target.UPDATE: self.update_minutes}[target]


DEFAULT_PAUSES: dict[str, tuple[Target, ...]] = {
    "AWAITING_CUSTOMER": (Target.RESOLUTION, Target.UPDATE),
    "AWAITING_SUPPLIER": (),
    "OTHER": (),
}


@dataclass(frozen=True)
class AgreementTerms:
    """Everything agreed with one customer; validated on construction."""

    name: str
    customer: str = ""
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    targets: tuple[TargetSet, ...] = ()
    warning_percents: tuple[int, ...] = (50, 75, 90)
    pauses: tuple[tuple[str, tuple[Target, ...]], ...] = tuple(DEFAULT_PAUSES.items())
    reminder_minutes: int = 30   # wall-clock minutes between reminders after a breach; 0 = none

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise _invalid("terms.name", "is required")
        if not self.targets:
            raise _invalid("terms.targets", "needs at least one priority's targets")
        seen: set[tuple[str, str]] = set()
        for i, t in enumerate(self.targets):
            where = f"terms.targets[{i}]"
            if t.priority not in PRIORITIES:
                raise _invalid(f"{where}.priority", f"must be one of {', '.join(PRIORITIES)}")
            if t.kind not in KINDS:
                raise _invalid(f"{where}.kind", "must be empty or an inquiry kind")
            if (t.priority, t.kind) in seen:
                raise _invalid(where, f"{t.priority}/{t.kind or '*'} is given twice")
            seen.add((t.priority, t.kind))
            for target in Target:
                minutes = t.minutes(target)
                if not 0 <= minutes <= MAX_TARGET_MINUTES:
                    raise _invalid(f"{where}.{target.lower()}_minutes",
                                       f"must be between 0 and {MAX_TARGET_MINUTES}")
        percents = self.warning_percents
        if list(percents) != sorted(set(percents)) or any(not 0 < p < 100 for p in percents):
            raise _invalid("terms.warning_percents",
                               "must be increasing percentages between 1 and 99")
        for reason, _ in self.pauses:
            if reason not in HOLD_REASONS:
                raise _invalid("terms.pauses", f"{reason!r} is not a hold reason")
        if not 0 <= self.reminder_minutes <= 24 * 60:
            raise _invalid("terms.reminder_minutes", "must be between 0 and 1440")

    def target_set(self, priority: str, kind: str) -> TargetSet | None:
        """The kind-specific targets if agreed, else the priority's general ones."""
        general = None
        for t in self.targets:
            if t.priority == priority and t.kind == kind:
                return t
            if t.priority == priority and not t.kind:
                general = t
        return general

    def target_seconds(self, priority: str, kind: str, target: Target) -> int:
        found = self.target_set(priority, kind)
        return found.minutes(target) * 60 if found else 0

    def pauses_for(self, hold_reason: str) -> tuple[Target, ...]:
        return dict(self.pauses).get(hold_reason, ())

    # ----- plain data (seed file, gRPC, events) -----

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "customer": self.customer,
            "calendar": self.calendar.to_dict(),
            "targets": [
                {"priority": t.priority, "kind": t.kind,
                 "first_response_minutes": t.first_response_minutes,
                 "resolution_minutes": t.resolution_minutes,
                 "update_minutes": t.update_minutes}
                for t in self.targets
            ],
            "warning_percents": list(self.warning_percents),
            "pauses": {reason: [t.value for t in targets] for reason, targets in self.pauses},
            "reminder_minutes": self.reminder_minutes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AgreementTerms:
        """Build from plain data; a bad value raises ``InvalidField`` naming it."""
        try:
            calendar = BusinessCalendar.from_dict(data.get("calendar") or {})
        except InvalidField:
            raise
        except (ValueError, TypeError, KeyError) as error:
            raise _invalid("terms.calendar", str(error)) from error
        targets = []
        for i, raw in enumerate(data.get("targets") or []):
            try:
                targets.append(TargetSet(
                    priority=str(raw.get("priority", "")), kind=str(raw.get("kind", "") or ""),
                    first_response_minutes=int(raw.get("first_response_minutes", 0)),
                    resolution_minutes=int(raw.get("resolution_minutes", 0)),
                    update_minutes=int(raw.get("update_minutes", 0)),
                ))
            except (TypeError, ValueError, AttributeError) as error:
                raise _invalid(f"terms.targets[{i}]", f"is malformed: {error}") from error
        pauses_raw = data.get("pauses")
        pauses = DEFAULT_PAUSES if pauses_raw is None else pauses_raw
        try:
            pause_items = tuple(
                (str(reason), tuple(Target(t) for t in targets_))
                for reason, targets_ in dict(pauses).items()
            )
        except (ValueError, TypeError) as error:
            raise _invalid("terms.pauses", f"is malformed: {error}") from error
        try:
            percents = tuple(int(p) for p in data.get("warning_percents", (50, 75, 90)))
            reminder = int(data.get("reminder_minutes", 30))
        except (TypeError, ValueError) as error:
            raise _invalid("terms", f"has a non-integer number: {error}") from error
        return cls(
            name=str(data.get("name", "")), customer=str(data.get("customer", "")),
            calendar=calendar, targets=tuple(targets), warning_percents=percents,
            pauses=pause_items, reminder_minutes=reminder,
        )


def _invalid(field_name: str, message: str) -> InvalidField:
    return InvalidField([(field_name, message)])
