"""Penalties a supplier's breaches accrue under its contract, and dependency risk."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from eventsourcing.persistence import IntegrityError

from madoguchi.aggregate_change import ATTEMPTS
from madoguchi.errors import (
    InvalidField,
    NotFound,
    VersionConflict,
)
from madoguchi.servicelevels.supplier_risk import dependency_risk
from services.supplier.application.base import SYSTEM_ACTOR, SupplierBase
from services.supplier.application.index_feed import epoch_us
from services.supplier.application.views import (
    DependencyRisk,
    PenaltyLine,
    PenaltyMonth,
    SupplierShare,
    penalty_line,
)
from services.supplier.domain.penalty import PenaltyLedger, breach_units
from services.supplier.domain.values import (
    ledger_uuid,
)

log = logging.getLogger(__name__)


class Penalties(SupplierBase):
    def accrue_penalty(self, *, signal_id: str, engagement_id: str, target: str, cycle: int,
                       stopped: bool, breached_at: datetime, elapsed_seconds: float = 0.0,
                       target_seconds: float = 0.0, correlation_id: str = "",
                       breached: bool = True) -> PenaltyLine | None:
        """Accrue what a supplier clock's breach (or its breached stop) adds; None: nothing.

        ``breached_at`` picks the ledger month (contract zone). The penalty rule is the
        one of the contract version the engagement pinned. Idempotent per clock. A stop
        within target (``breached`` false) reverses what the clock's breach had accrued,
        in the month it was booked.
        """
        try:
            engagement = self._engagement(engagement_id, None)
        except NotFound:
            log.warning("penalty signal %s: no engagement %s", signal_id, engagement_id)
            return None
        if not engagement.contract_id or not engagement.contract_version:
            return None
        contract = self._contract(engagement.contract_id, engagement.contract_version)
        terms = contract.terms
        if terms.penalty is None or not terms.penalty.amount:
            return None
        penalty = terms.penalty
        units = breach_units(penalty.rule, stopped=stopped, elapsed_seconds=elapsed_seconds,
                             target_seconds=target_seconds, breached=breached)
        month = terms.month_of(breached_at)
        if units == 0:
            self.index_feed.catch_up()
            booked = [row for row in self.index.penalty_lines(
                engagement_id=engagement.engagement_id, contract_id=contract.contract_id)
                if row["target"] == target and int(row["cycle"]) == int(cycle)]
            if not booked:
                return None
            month = str(booked[0]["month"])
        lid = ledger_uuid(contract.contract_id, month)
        at = self.clock()
        for _ in range(ATTEMPTS):
            ledger = self._find(lid)
            result = PenaltyLedger.accrue_on(
                ledger, contract_id=contract.contract_id, supplier_id=contract.supplier_id,
                month=month, engagement_id=engagement.engagement_id,
                inquiry_id=engagement.inquiry_id, target=target, cycle=int(cycle),
                rule=penalty.rule, units=units, unit_amount=penalty.amount,
                currency=penalty.currency, monthly_cap=penalty.monthly_cap,
                signal_id=signal_id, actor=SYSTEM_ACTOR, occurred_at=at,
                correlation_id=correlation_id)
            if result is None:
                return None
            ledger, found = result
            try:
                self.save(ledger)
            except IntegrityError:
                continue
            # The line as recorded, without a round trip through the index (hot path).
            return PenaltyLine(
                contract_id=contract.contract_id, supplier_id=contract.supplier_id,
                month=month, engagement_id=engagement.engagement_id,
                inquiry_id=engagement.inquiry_id, target=target, rule=penalty.rule,
                units=found.units, amount_due=found.amount_due,
                amount_accrued=found.amount_accrued, currency=penalty.currency,
                capped=found.capped, accrued_at=at)
        raise VersionConflict(f"penalty ledger {contract.contract_id}/{month} is too busy")

    def penalties(self, *, supplier_id: str = "", contract_id: str = "", month: str = ""
                  ) -> list[PenaltyMonth]:
        self.index_feed.catch_up()
        months: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for row in self.index.penalty_lines(supplier_id=supplier_id, contract_id=contract_id,
                                            month=month):
            months.setdefault((row["contract_id"], row["month"]), []).append(row)
        out = []
        for (cid, mon), rows in months.items():
            last = rows[-1]
            out.append(PenaltyMonth(
                contract_id=cid, supplier_id=last["supplier_id"], month=mon,
                currency=last["currency"], monthly_cap=int(last["monthly_cap"]),
                total=sum(int(r["amount_accrued"]) for r in rows),
                total_before_cap=sum(int(r["amount_due"]) for r in rows),
                lines=tuple(penalty_line(r) for r in rows)))
        return out

    def dependency_risk(self, *, since: datetime | None = None, until: datetime | None = None,
                        threshold: float = 0.8) -> list[DependencyRisk]:
        if not 0 < threshold <= 1:
            raise InvalidField([("threshold", "must be in (0, 1]")])
        self.index_feed.catch_up()
        counts = self.index.category_counts(epoch_us(since) if since else None,
                                            epoch_us(until) if until else None)
        return [DependencyRisk(
            category=r.category, engagements=r.engagements,
            suppliers=tuple(SupplierShare(s, n, share) for s, n, share in r.shares),
            single_supplier=r.single_supplier, top_share=r.top_share)
            for r in dependency_risk(counts, threshold)]
