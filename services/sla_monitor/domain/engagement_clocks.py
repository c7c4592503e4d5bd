"""Supplier SLA clocks of one engagement: acknowledge and resolve targets (pure).

An engagement opened under a contract (coverage COVERED) carries the contract version's
clock terms: a calendar, the acknowledge and resolve targets in business minutes
(0 = none), warning percentages and reminder minutes. ACKNOWLEDGE runs from opening to
the supplier's acknowledgement (or resolution), RESOLVE from opening to resolution; a
hand-back or withdrawal cancels what is still open. The clocks themselves are the
customer clocks' ``Clock``: the same signals, once each, at the same due times.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from madoguchi.businesstime.calendar import BusinessCalendar
from madoguchi.errors import InvalidField
from madoguchi.servicelevels.clock import Clock, ClockSet, Stop, SupplierTarget
from madoguchi.servicelevels.terms import MAX_TARGET_MINUTES

COVERED = "COVERED"


@dataclass(frozen=True)
class ClockTerms:
    """What an engagement's clocks run on, copied from the contract version."""

    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    acknowledge_minutes: int = 0
    resolve_minutes: int = 0
    warning_percents: tuple[int, ...] = ()
    reminder_minutes: int = 0

    def __post_init__(self) -> None:
        for name in ("acknowledge_minutes", "resolve_minutes"):
            if not 0 <= getattr(self, name) <= MAX_TARGET_MINUTES:
                raise _invalid(f"clock_terms.{name}",
                               f"must be between 0 and {MAX_TARGET_MINUTES}")
        percents = self.warning_percents
        if list(percents) != sorted(set(percents)) or any(not 0 < p < 100 for p in percents):
            raise _invalid("clock_terms.warning_percents",
                           "must be increasing percentages between 1 and 99")
        if not 0 <= self.reminder_minutes <= 24 * 60:
            raise _invalid("clock_terms.reminder_minutes", "must be between 0 and 1440")

    def target_seconds(self, target: SupplierTarget) -> int:
        minutes = (self.acknowledge_minutes if target == SupplierTarget.ACKNOWLEDGE
                   else self.resolve_minutes)
        return minutes * 60

    def to_dict(self) -> dict[str, Any]:
        return {"calendar": self.calendar.to_dict(),
                "acknowledge_minutes": self.acknowledge_minutes,
                "resolve_minutes": self.resolve_minutes,
                "warning_percents": list(self.warning_percents),
                "reminder_minutes": self.reminder_minutes}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClockTerms:
        """Build from the event's ``clock_terms_json`` shape; a bad value raises InvalidField."""
        if not isinstance(data, dict):
            raise _invalid("clock_terms", "must be an object")
        try:
            calendar = BusinessCalendar.from_dict(data.get("calendar") or {})
        except InvalidField:
            raise
        except (ValueError, TypeError, KeyError) as error:
            raise _invalid("clock_terms.calendar", str(error)) from error
        try:
            return cls(calendar=calendar,
                       acknowledge_minutes=int(data.get("acknowledge_minutes") or 0),
                       resolve_minutes=int(data.get("resolve_minutes") or 0),
                       warning_percents=tuple(int(p) for p in
                                              data.get("warning_percents") or ()),
                       reminder_minutes=int(data.get("reminder_minutes") or 0))
        except (TypeError, ValueError) as error:
            raise _invalid("clock_terms", f"has a non-integer number: {error}") from error

    @classmethod
    def from_json(cls, text: str) -> ClockTerms | None:
        """None for empty text (not COVERED); InvalidField for anything unreadable."""
        if not text.strip():
            return None
        try:
            data = json.loads(text)
        except ValueError as error:
            raise _invalid("clock_terms_json", f"is not JSON: {error}") from error
        return cls.from_dict(data)


def _invalid(field_name: str, message: str) -> InvalidField:
    return InvalidField([(field_name, message)])


class EngagementOutcome:
    RESOLVED = "RESOLVED"
    HANDED_BACK = "HANDED_BACK"
    WITHDRAWN = "WITHDRAWN"


@dataclass
class EngagementClocks(ClockSet):
    """The clocks of one supplier engagement, under the terms it was opened with."""

    engagement_id: str
    inquiry_id: str
    supplier_id: str
    contract_id: str = ""
    contract_version: int = 0
    coverage: str = ""
    category: str = ""
    priority: str = ""
    kind: str = ""
    subject: str = ""
    terms: ClockTerms | None = None           # None: not covered, nothing measured
    version: int = 0                          # last engagement event version applied
    acknowledged: bool = False
    outcome: str = ""                         # RESOLVED, HANDED_BACK, WITHDRAWN once over
    clocks: dict[SupplierTarget, Clock] = field(default_factory=dict)

    @property
    def measured(self) -> bool:
        return self.terms is not None

    # ----- the engagement's life -----

    @classmethod
    def opened(cls, *, engagement_id: str, inquiry_id: str, supplier_id: str,
               terms: ClockTerms | None, at: datetime, contract_id: str = "",
               contract_version: int = 0, coverage: str = COVERED, category: str = "",
               priority: str = "", kind: str = "", subject: str = "",
               version: int = 1) -> EngagementClocks:
        clocks = cls(engagement_id=engagement_id, inquiry_id=inquiry_id,
                     supplier_id=supplier_id, contract_id=contract_id,
                     contract_version=contract_version, coverage=coverage,
                     category=category, priority=priority, kind=kind, subject=subject,
                     terms=terms if coverage == COVERED else None, version=version)
        if clocks.terms is not None:
            for target in SupplierTarget:
                seconds = clocks.terms.target_seconds(target)
                if seconds > 0:
                    clocks.clocks[target] = Clock(target=target, cycle=1,
                                                  target_seconds=seconds, started_at=at,
                                                  since=at)
        return clocks

    def _stop(self, target: SupplierTarget, at: datetime, cancel: bool = False
              ) -> list[Stop]:
        if self.terms is None:
            return []
        return self._stop_clock(self.terms.calendar, target, at, cancel)

    def acknowledged_at(self, at: datetime) -> list[Stop]:
        if self.acknowledged or self.outcome:
            return []
        self.acknowledged = True
        return self._stop(SupplierTarget.ACKNOWLEDGE, at)

    def resolved(self, at: datetime) -> list[Stop]:
        """A resolution also answers the engagement: both clocks stop."""
        if self.outcome:
            return []
        self.outcome = EngagementOutcome.RESOLVED
        self.acknowledged = True
        return (self._stop(SupplierTarget.ACKNOWLEDGE, at)
                + self._stop(SupplierTarget.RESOLVE, at))

    def ended(self, outcome: str, at: datetime) -> list[Stop]:
        """Handed back or withdrawn: whatever is still open is cancelled."""
        if self.outcome:
            return []
        self.outcome = outcome
        return (self._stop(SupplierTarget.ACKNOWLEDGE, at, cancel=True)
                + self._stop(SupplierTarget.RESOLVE, at, cancel=True))

    # ----- plain data -----

    def to_dict(self) -> dict[str, Any]:
        return {
            "engagement_id": self.engagement_id, "inquiry_id": self.inquiry_id,
            "supplier_id": self.supplier_id, "contract_id": self.contract_id,
            "contract_version": self.contract_version, "coverage": self.coverage,
            "category": self.category, "priority": self.priority, "kind": self.kind,
            "subject": self.subject,
            "terms": None if self.terms is None else self.terms.to_dict(),
            "version": self.version, "acknowledged": self.acknowledged,
            "outcome": self.outcome, "clocks": [c.to_dict() for c in self.clocks.values()],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EngagementClocks:
        clocks = [Clock.from_dict(c) for c in data.get("clocks") or []]
        terms = data.get("terms")
        return cls(
            engagement_id=data["engagement_id"], inquiry_id=data["inquiry_id"],
            supplier_id=data.get("supplier_id", ""), contract_id=data.get("contract_id", ""),
            contract_version=int(data.get("contract_version", 0)),
            coverage=data.get("coverage", ""), category=data.get("category", ""),
            priority=data.get("priority", ""), kind=data.get("kind", ""),
            subject=data.get("subject", ""),
            terms=None if terms is None else ClockTerms.from_dict(terms),
            version=int(data.get("version", 0)), acknowledged=bool(data.get("acknowledged")),
            outcome=data.get("outcome", ""),
            clocks={SupplierTarget(c.target): c for c in clocks},
        )


__all__ = ["COVERED", "ClockTerms", "EngagementClocks", "EngagementOutcome", "SupplierTarget"]
