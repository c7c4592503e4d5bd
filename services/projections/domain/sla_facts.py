"""SLA signals as reportable facts, and why a breach happened (pure).

The SLA monitor publishes three kinds of signal per clock (customer clocks are owned by
the inquiry, supplier clocks by the engagement; each cycle of a target is one clock):

* ``SlaWarningReached`` — a threshold (percent of the target) was reached;
* ``SlaBreached`` — the target was passed; an alert opened;
* ``SlaClockStopped`` — the clock stopped MET, MISSED or CANCELLED.

The stop is authoritative: a breach raised before a late-arriving event showed the
clock stopped in time ends MET (``breached`` false) and is *withdrawn*; reports count it
neither as a miss nor as a breach. Each signal happens once per clock (its id derives
from owner, target, cycle and threshold), so one row per signal, keyed by event id,
never double counts.

Breach causes (``breach_cause``), for clocks that ended MISSED, and for breaches whose
clock has not stopped yet ("open"):

* ``SUPPLIER`` — a supplier's own clock (scope SUPPLIER), or a customer clock whose
  lateness happened mostly at a supplier: ``supplier_late_seconds`` more than half of the
  business seconds late (for an open breach, whose lateness is not known yet: a supplier
  held the inquiry when the breach fell due). Detail: the supplier id.
* ``DEPARTMENT`` — a RESOLUTION clock of an inquiry that belongs to a department
  (``context.department``: the department responsible since intake). Resolving is the
  department's work; first responses and updates are the desk's. Detail: the department.
* ``DESK`` — everything else: the contact desk's own first response, update or
  resolution. Detail: the on-call team the breach was routed to.

The SLA context carries neither later escalations to a department nor the team that
worked the inquiry (``team`` is the on-call routing), so "department" means the
responsible department recorded at intake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.projections.domain.kpi_math import rate_percent, round_half_up
from services.projections.domain.periods import empty_keys, local_keys

WARNING, BREACH, STOP = "WARNING", "BREACH", "STOP"
SIGNAL_KINDS = (WARNING, BREACH, STOP)
EVENT_KINDS = {"SlaWarningReached": WARNING, "SlaBreached": BREACH, "SlaClockStopped": STOP}
CUSTOMER, SUPPLIER = "CUSTOMER", "SUPPLIER"
SCOPES = (CUSTOMER, SUPPLIER)
CUSTOMER_TARGETS = ("FIRST_RESPONSE", "RESOLUTION", "UPDATE")
SUPPLIER_TARGETS = ("ACKNOWLEDGE", "RESOLVE")
TARGETS = CUSTOMER_TARGETS + SUPPLIER_TARGETS
MET, MISSED, CANCELLED = "MET", "MISSED", "CANCELLED"
OUTCOMES = (MET, MISSED, CANCELLED)
CAUSE_SUPPLIER, CAUSE_DEPARTMENT, CAUSE_DESK = "SUPPLIER", "DEPARTMENT", "DESK"
CAUSES = (CAUSE_SUPPLIER, CAUSE_DEPARTMENT, CAUSE_DESK)


def scope_of(context: dict[str, Any]) -> str:
    """The clock's scope; empty (events written before v2) means CUSTOMER."""
    return str(context.get("scope") or "") or CUSTOMER


def clock_key(scope: str, inquiry_id: str, engagement_id: str, target: str, cycle: int
              ) -> str:
    """One clock cycle: ``owner/target/cycle``, the owner being the engagement for
    supplier clocks (an inquiry may have several) and the inquiry otherwise."""
    owner = engagement_id if scope == SUPPLIER and engagement_id else inquiry_id
    return f"{owner}/{target}/{int(cycle)}"


def seconds_value(text: Any) -> float | None:
    """Decimal text of the context (``"90.000"``) as seconds; empty → None (not given)."""
    if text is None or str(text).strip() == "":
        return None
    return float(text)


def late_seconds(elapsed_seconds: float | None, target_seconds: float | None) -> float | None:
    """Business seconds past the target on a stop (0 when within it); None if unknown."""
    if elapsed_seconds is None or target_seconds is None:
        return None
    return max(0.0, float(elapsed_seconds) - float(target_seconds))


def share_percent(part: float | None, whole: float | None) -> float | None:
    """``part`` of ``whole`` in percent, rounded half up to 0.1; None when whole is 0."""
    if not whole:
        return None
    return round_half_up(float(part or 0.0) * 100.0 / float(whole), 1)


def compliance_percent(met: int, missed: int) -> float | None:
    """met / (met + missed) in percent, 0.1; None when no clock was met or missed
    (cancelled clocks say nothing about compliance)."""
    return rate_percent(met, met + missed)


def _utc_text(text: str) -> str | None:
    """The context's ``breached_at`` ("ISO-8601 UTC"): empty → None; no zone → UTC."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def signal_fact(event_type: str, record: dict[str, Any], zone: str) -> dict[str, Any]:
    """One signal event as a flat row: times stay ISO text, absent values None.

    ``signal_at`` is the moment the signal is about — when the threshold or the target
    was reached (``due_at``), or when the clock stopped — and the local keys bucket it.
    """
    kind = EVENT_KINDS[event_type]
    context = dict(record.get("context") or {})
    scope = scope_of(context)
    inquiry_id = str(record["inquiry_id"])
    engagement_id = str(context.get("engagement_id") or "")
    target, cycle = str(record["target"]), int(record["cycle"])
    target_seconds = int(record["target_seconds"])
    elapsed = float(record["elapsed_seconds"]) if kind == STOP else None
    if kind == STOP:
        at = record["stopped_at"]
        breached = bool(record["breached"])
        breached_at = _utc_text(str(context.get("breached_at") or ""))
    else:
        at = record["due_at"]
        breached = kind == BREACH
        breached_at = record["due_at"] if kind == BREACH else None
    raised_at = record.get("raised_at") if kind == WARNING else record.get("occurred_at")
    keys = local_keys(at, zone) if at else empty_keys()
    return {
        "event_id": str(record["event_id"]),
        "signal_id": str(record["aggregate_id"]),
        "signal_kind": kind,
        "clock_key": clock_key(scope, inquiry_id, engagement_id, target, cycle),
        "inquiry_id": inquiry_id,
        "target": target,
        "cycle": cycle,
        "scope": scope,
        "agreement_id": str(context.get("agreement_id") or ""),
        "agreement_version": str(context.get("agreement_version") or ""),
        "priority": str(context.get("priority") or ""),
        "kind": str(context.get("kind") or ""),
        "category": str(context.get("category") or ""),
        "department": str(context.get("department") or ""),
        "team": str(context.get("team") or record.get("team") or ""),
        "engagement_id": engagement_id,
        "supplier_id": str(context.get("supplier_id") or ""),
        "contract_id": str(context.get("contract_id") or ""),
        "contract_version": str(context.get("contract_version") or ""),
        "percent": int(record["percent"]) if kind == WARNING else (100 if kind == BREACH
                                                                    else None),
        "outcome": str(record["outcome"]) if kind == STOP else None,
        "signal_at": at,
        "due_at": record.get("due_at") if kind != STOP else None,
        "raised_at": raised_at or None,
        "stopped_at": at if kind == STOP else None,
        "elapsed_seconds": elapsed,
        "target_seconds": target_seconds,
        "late_seconds": late_seconds(elapsed, target_seconds) if kind == STOP else None,
        "breached": breached,
        "breached_at": breached_at,
        "supplier_held_seconds": seconds_value(context.get("supplier_held_seconds")),
        "supplier_late_seconds": seconds_value(context.get("supplier_late_seconds")),
        **keys,
    }


@dataclass(frozen=True)
class BreachFacts:
    """What decides a breach's cause; ``late_seconds`` None for an open breach."""

    scope: str
    target: str
    late_seconds: float | None
    supplier_late_seconds: float | None
    supplier_id: str = ""       # the stop's, else the breach signal's (supplier holding it)
    department: str = ""
    team: str = ""


def breach_cause(facts: BreachFacts) -> tuple[str, str]:
    """(cause, cause_detail) of one missed clock or open breach; rules in the module doc."""
    if facts.scope == SUPPLIER:
        return CAUSE_SUPPLIER, facts.supplier_id
    if facts.late_seconds is None:
        at_supplier = bool(facts.supplier_id)
    else:
        at_supplier = (facts.late_seconds > 0
                       and 2 * float(facts.supplier_late_seconds or 0.0) > facts.late_seconds)
    if at_supplier:
        return CAUSE_SUPPLIER, facts.supplier_id
    if facts.target == "RESOLUTION" and facts.department:
        return CAUSE_DEPARTMENT, facts.department
    return CAUSE_DESK, facts.team


@dataclass
class CauseTotals:
    """Missed clocks and open breaches of one (month, agreement, cause, detail)."""

    breaches: int = 0
    open_breaches: int = 0
    late_seconds: float = 0.0
    supplier_late_seconds: float = 0.0


def cause_totals(items: list[tuple[tuple[str, ...], BreachFacts]]
                 ) -> dict[tuple[str, ...], CauseTotals]:
    """Sum by (group…, cause, detail); a missed clock adds its lateness, an open breach
    counts once with no lateness yet."""
    totals: dict[tuple[str, ...], CauseTotals] = {}
    for group, facts in items:
        cause, detail = breach_cause(facts)
        line = totals.setdefault((*group, cause, detail), CauseTotals())
        if facts.late_seconds is None:
            line.open_breaches += 1
        else:
            line.breaches += 1
            line.late_seconds += facts.late_seconds
            line.supplier_late_seconds += float(facts.supplier_late_seconds or 0.0)
    return totals


__all__ = [
    "BREACH", "CANCELLED", "CAUSES", "CAUSE_DEPARTMENT", "CAUSE_DESK", "CAUSE_SUPPLIER",
    "CUSTOMER", "CUSTOMER_TARGETS", "EVENT_KINDS", "MET", "MISSED", "OUTCOMES", "SCOPES",
    "SIGNAL_KINDS", "STOP", "SUPPLIER", "SUPPLIER_TARGETS", "TARGETS", "WARNING",
    "BreachFacts", "CauseTotals", "breach_cause", "cause_totals", "clock_key",
    "compliance_percent", "late_seconds", "scope_of", "seconds_value", "share_percent",
    "signal_fact",
]
