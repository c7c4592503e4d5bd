"""How suppliers did: engagement scorecards, contract expiries, dependency risk (pure).

Definitions the supplier reports share (ISO/IEC 20000-1 8.3.3):

* An engagement counts in the local month it was **opened** (a cohort): of the
  engagements opened in November, how many were acknowledged, resolved, on time, handed
  back. Penalties count in their ledger month (the breach month in the contract's zone,
  as the supplier service books them), net of reversals.
* **On time** = the supplier clock of that target (ACKNOWLEDGE, RESOLVE) stopped MET.
  An engagement that is not covered by a contract has no clocks and is never on time.
* A clock **breached** when its stop says so (``breached`` true: MISSED, or cancelled
  after the deadline); before it stops, when a breach was raised. A breach withdrawn by
  a stop within the target (a late event showed the supplier in time) is no breach: the
  stop is authoritative, and the supplier service reverses its penalty.
* **Acknowledged** includes engagements resolved without an explicit acknowledgement
  (resolving implies acknowledging).
* **Dependency risk**: per category, each supplier's share of the engagements opened;
  the category is ``single_supplier`` when one supplier took all of them or the largest
  share reaches the threshold (default 80 %), as the supplier service decides it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from madoguchi.servicelevels.supplier_risk import dependency_risk as supplier_risk
from services.projections.domain.kpi_math import rate_percent

COVERED = "COVERED"
ACKNOWLEDGE, RESOLVE = "ACKNOWLEDGE", "RESOLVE"
ON_TIME, LATE, BREACHED_OPEN, OPEN, CANCELLED = (
    "ON_TIME", "LATE", "BREACHED_OPEN", "OPEN", "CANCELLED")


def clock_verdict(breach_raised: bool, outcome: str | None) -> str:
    """A supplier clock's state: ON_TIME (stopped MET), LATE (MISSED), CANCELLED,
    BREACHED_OPEN (a breach raised, not stopped yet) or OPEN."""
    if outcome == "MET":
        return ON_TIME
    if outcome == "MISSED":
        return LATE
    if outcome:
        return CANCELLED
    return BREACHED_OPEN if breach_raised else OPEN


def is_breach(breach_raised: bool, outcome: str | None, stop_breached: bool | None) -> bool:
    """Did the clock breach? The stop decides once there is one (a withdrawn breach is
    none); before it, a raised breach counts."""
    if outcome:
        return bool(stop_breached)
    return breach_raised


@dataclass(frozen=True)
class ClockFacts:
    """What the SLA signals said about one supplier clock of an engagement."""

    target: str
    breach_raised: bool = False
    outcome: str | None = None
    stop_breached: bool | None = None


@dataclass(frozen=True)
class EngagementFacts:
    """One engagement, as the scorecard sees it."""

    supplier_id: str
    month: str                    # local month opened
    coverage: str
    acknowledged: bool
    resolved: bool
    handed_back: bool
    withdrawn: bool
    clocks: tuple[ClockFacts, ...] = ()

    def on_time(self, target: str) -> bool:
        return any(c.target == target and clock_verdict(c.breach_raised, c.outcome) == ON_TIME
                   for c in self.clocks)

    def breaches(self) -> int:
        return sum(is_breach(c.breach_raised, c.outcome, c.stop_breached) for c in self.clocks)


@dataclass
class ScorecardLine:
    """One supplier's month."""

    engagements_opened: int = 0
    gaps: int = 0
    acknowledged: int = 0
    acknowledged_on_time: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    breaches: int = 0
    hand_backs: int = 0
    withdrawn: int = 0
    penalties_yen: int = 0

    def add(self, e: EngagementFacts) -> None:
        self.engagements_opened += 1
        self.gaps += e.coverage != COVERED
        self.acknowledged += e.acknowledged or e.resolved
        self.acknowledged_on_time += e.on_time(ACKNOWLEDGE)
        self.resolved += e.resolved
        self.resolved_on_time += e.on_time(RESOLVE)
        self.breaches += e.breaches()
        self.hand_backs += e.handed_back
        self.withdrawn += e.withdrawn

    def values(self) -> tuple[int, ...]:
        return (self.engagements_opened, self.gaps, self.acknowledged,
                self.acknowledged_on_time, self.resolved, self.resolved_on_time,
                self.breaches, self.hand_backs, self.withdrawn, self.penalties_yen)


SCORECARD_MEASURES = (
    "engagements_opened", "gaps", "acknowledged", "acknowledged_on_time", "resolved",
    "resolved_on_time", "breaches", "hand_backs", "withdrawn", "penalties_yen")


def scorecard(engagements: Iterable[EngagementFacts],
              penalties: Iterable[tuple[str, str, int]]
              ) -> dict[tuple[str, str], ScorecardLine]:
    """Lines by (month, supplier_id): engagements by month opened, penalties
    (supplier_id, month, yen; reversals negative) by ledger month."""
    lines: dict[tuple[str, str], ScorecardLine] = {}
    for e in engagements:
        lines.setdefault((e.month, e.supplier_id), ScorecardLine()).add(e)
    for supplier_id, month, yen in penalties:
        lines.setdefault((month, supplier_id), ScorecardLine()).penalties_yen += int(yen)
    return lines


@dataclass(frozen=True)
class RiskLine:
    category: str
    supplier_id: str
    engagements: int
    category_engagements: int
    share_percent: float | None
    single_supplier: bool


def dependency_risk(counts: Iterable[tuple[str, str, int]], threshold_percent: int = 80
                    ) -> list[RiskLine]:
    """Each (category, supplier) share of the category's engagements, from
    (category, supplier_id, engagements) counts, one row per supplier.

    The rule is the shared one the supplier service runs too
    (``madoguchi.servicelevels.supplier_risk``, pure):
    ``single_supplier`` (the same on every row of the category) when one supplier took
    all of them or the largest share reaches ``threshold_percent``; riskiest categories
    first (largest share, then volume), suppliers by engagements.
    """
    return [RiskLine(risk.category, supplier_id, n, risk.engagements,
                     rate_percent(n, risk.engagements), risk.single_supplier)
            for risk in supplier_risk(counts, threshold_percent / 100)
            for supplier_id, n, _share in risk.shares]


@dataclass(frozen=True)
class ContractTermsFacts:
    """The reportable part of a contract's ``terms_json`` (see docs/suppliers.md)."""

    title: str = ""
    valid_from: str | None = None
    valid_until: str | None = None
    covers: tuple[str, ...] = ()
    penalty_rule: str = ""
    penalty_amount: int | None = None
    penalty_currency: str = ""
    penalty_monthly_cap: int | None = None


def contract_terms(terms_json: str) -> ContractTermsFacts:
    """Validity, covered categories and penalty of ``terms_json``; dates are ISO text.

    The supplier service validated the terms; a value that is not a date here raises
    ValueError (the event becomes a dead letter rather than a wrong row).
    """
    data: dict[str, Any] = json.loads(terms_json) if terms_json.strip() else {}
    if not isinstance(data, dict):
        raise ValueError("terms_json is not a JSON object")
    penalty = data.get("penalty") or {}

    def day(name: str) -> str | None:
        raw = data.get(name)
        return date.fromisoformat(str(raw)).isoformat() if raw else None

    return ContractTermsFacts(
        title=str(data.get("title") or ""), valid_from=day("valid_from"),
        valid_until=day("valid_until"),
        covers=tuple(str(c) for c in data.get("covers") or ()),
        penalty_rule=str(penalty.get("rule") or ""),
        penalty_amount=int(penalty["amount"]) if penalty.get("amount") is not None else None,
        penalty_currency=str(penalty.get("currency") or ""),
        penalty_monthly_cap=(int(penalty["monthly_cap"])
                             if penalty.get("monthly_cap") is not None else None))


def days_left(valid_until: str, as_of: date) -> int:
    """Days from ``as_of`` to the last day in force (0 = expires at the end of today)."""
    return (date.fromisoformat(valid_until) - as_of).days


def month_range(month: str | None, from_month: str | None, to_month: str | None
                ) -> tuple[str | None, str | None]:
    """Inclusive (low, high) month keys; ``month`` narrows to that one month."""
    if month:
        return month, month
    return from_month or None, to_month or None


__all__ = [
    "ACKNOWLEDGE", "BREACHED_OPEN", "CANCELLED", "COVERED", "LATE", "ON_TIME", "OPEN",
    "RESOLVE", "SCORECARD_MEASURES", "ClockFacts", "ContractTermsFacts", "EngagementFacts",
    "RiskLine", "ScorecardLine", "clock_verdict", "contract_terms", "days_left",
    "dependency_risk", "is_breach", "month_range", "scorecard",
]
