"""Penalties for supplier SLA breaches, per contract and month, after the monthly cap.

A clock (engagement, target, cycle) accrues units: FIXED counts one per breach;
PER_STARTED_HOUR counts each started business hour late (one as soon as it breaches,
the final count when the clock stops). Each accrual records only the new units, so a
redelivered or repeated signal accrues nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from services.supplier.domain.values import PenaltyRule, ledger_uuid


def breach_units(rule: str, *, stopped: bool = False, elapsed_seconds: float = 0.0,
                 target_seconds: float = 0.0, breached: bool = True) -> int:
    """Units a breached clock has accrued: at the breach, or (``stopped``) at its stop.

    A clock that stopped within its target (``breached`` false) has none: its breach was
    raised before the event that stopped it in time had arrived, and is withdrawn.
    """
    if stopped and not breached:
        return 0
    if rule == PenaltyRule.PER_STARTED_HOUR and stopped:
        late = float(elapsed_seconds) - float(target_seconds)
        return max(1, math.ceil(late / 3600.0 - 1e-9))
    return 1


@dataclass(frozen=True)
class Accrual:
    units: int           # units counted so far for the clock
    amount_due: int      # this accrual before the cap
    amount_accrued: int  # after the cap
    month_total: int
    capped: bool


def accrual(previous_units: int, units: int, unit_amount: int, month_total: int,
            monthly_cap: int, previous_accrued: int = 0) -> Accrual | None:
    """The new accrual for a clock now at ``units``; None when nothing new is due.

    Units only grow, except back to 0 when the breach is withdrawn: that reverses exactly
    what the clock had accrued (negative amounts), which frees room under the cap.
    """
    if units == 0 and previous_units > 0:
        return Accrual(0, -previous_units * unit_amount, -previous_accrued,
                       month_total - previous_accrued, False)
    if units <= previous_units:
        return None
    due = (units - previous_units) * unit_amount
    accrued = due if not monthly_cap else max(0, min(due, monthly_cap - month_total))
    return Accrual(units, due, accrued, month_total + accrued, accrued < due)


class PenaltyLedger(Aggregate):
    """One contract's penalties in one month (YYYY-MM, contract calendar's zone)."""

    class Event(Aggregate.Event):
        contract_id: str
        supplier_id: str
        month: str
        actor: str
        occurred_at: datetime
        correlation_id: str

    class Accrued(Event):
        clock_key: str
        engagement_id: str
        inquiry_id: str
        target: str
        cycle: int
        rule: str
        units: int
        amount_due: int
        amount_accrued: int
        currency: str
        monthly_cap: int
        month_total: int
        capped: bool
        signal_id: str

        def apply(self, aggregate: PenaltyLedger) -> None:
            aggregate.units[self.clock_key] = self.units
            aggregate.accrued[self.clock_key] = (aggregate.accrued.get(self.clock_key, 0)
                                                 + self.amount_accrued)
            aggregate.total = self.month_total
            aggregate.total_before_cap += self.amount_due
            aggregate.currency = self.currency
            aggregate.monthly_cap = self.monthly_cap

    class Started(Aggregate.Created, Accrued):
        """The first accrual of the month (creates the ledger)."""

        def apply(self, aggregate: PenaltyLedger) -> None:
            PenaltyLedger.Accrued.apply(self, aggregate)

    def __init__(self, contract_id: str, supplier_id: str, month: str) -> None:
        self.contract_id = contract_id
        self.supplier_id = supplier_id
        self.month = month
        self.units: dict[str, int] = {}
        self.accrued: dict[str, int] = {}    # per clock, after the cap
        self.total = 0
        self.total_before_cap = 0
        self.currency = ""
        self.monthly_cap = 0

    @staticmethod
    def clock_key(engagement_id: str, target: str, cycle: int) -> str:
        return f"{engagement_id}/{target}/{cycle}"

    @classmethod
    def accrue_on(cls, ledger: PenaltyLedger | None, *, contract_id: str, supplier_id: str,
                  month: str, engagement_id: str, inquiry_id: str, target: str, cycle: int,
                  rule: str, units: int, unit_amount: int, currency: str, monthly_cap: int,
                  signal_id: str, **meta: Any) -> tuple[PenaltyLedger, Accrual] | None:
        """Accrue on ``ledger`` (None: the month's first accrual creates it)."""
        key = cls.clock_key(engagement_id, target, cycle)
        previous = ledger.units.get(key, 0) if ledger is not None else 0
        total = ledger.total if ledger is not None else 0
        accrued = ledger.accrued.get(key, 0) if ledger is not None else 0
        found = accrual(previous, units, unit_amount, total, monthly_cap, accrued)
        if found is None:
            return None
        fields = dict(contract_id=contract_id, supplier_id=supplier_id, month=month,
                      clock_key=key, engagement_id=engagement_id, inquiry_id=inquiry_id,
                      target=target, cycle=cycle, rule=rule, units=found.units,
                      amount_due=found.amount_due, amount_accrued=found.amount_accrued,
                      currency=currency, monthly_cap=monthly_cap,
                      month_total=found.month_total, capped=found.capped,
                      signal_id=signal_id, **meta)
        if ledger is None:
            ledger = cls._create(cls.Started, id=ledger_uuid(contract_id, month), **fields)
        else:
            ledger.trigger_event(cls.Accrued, **fields)
        return ledger, found
