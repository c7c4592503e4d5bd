"""The supplier queries: scorecard, contract expiries, dependency risk, penalties."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.projections.adapters.read_models.sql_tables import page_slice
from services.projections.adapters.read_models.suppliers.tables import (
    EXPIRY_COLUMNS,
    PENALTY_QUERY_COLUMNS,
    RISK_COLUMNS,
    SCORECARD_COLUMNS,
    SupplierTables,
)
from services.projections.application.read_models import Param, QuerySpec
from services.projections.domain import supplier_scorecard as sc


class SupplierQueries(SupplierTables):
    def scorecard(self, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Per local month and supplier: engagements by month opened, penalties (JPY,
        net of reversals) by ledger month."""
        low, high = sc.month_range(params.get("month"), params.get("from_month"),
                                   params.get("to_month"))
        supplier_id = params.get("supplier_id") or ""
        eng, clock = self.t("supplier_engagement"), self.t("supplier_clock")
        clause, args = self._months("e.local_month", low, high)
        if supplier_id:
            clause += " AND e.supplier_id = ?"
            args.append(supplier_id)
        clocks: dict[str, list[sc.ClockFacts]] = {}
        for engagement_id, target, breach_signal, outcome, stop_breached in self.db.query(
                "SELECT c.engagement_id, c.target, c.breach_signal_id, c.outcome, "
                f"c.stop_breached FROM {clock} c JOIN {eng} e "
                f"ON e.engagement_id = c.engagement_id WHERE {clause}", args):
            clocks.setdefault(engagement_id, []).append(sc.ClockFacts(
                target, breach_signal is not None, outcome,
                None if stop_breached is None else bool(stop_breached)))
        engagements = [
            sc.EngagementFacts(
                supplier_id=row[1], month=row[2], coverage=row[3],
                acknowledged=row[4] is not None, resolved=row[5] is not None,
                handed_back=row[6] is not None, withdrawn=row[7] is not None,
                clocks=tuple(clocks.get(row[0], ())))
            for row in self.db.query(
                "SELECT e.engagement_id, e.supplier_id, e.local_month, e.coverage, "
                "e.acknowledged_at, e.resolved_at, e.handed_back_at, e.withdrawn_at "
                f"FROM {eng} e WHERE {clause}", args)]
        p_clause, p_args = self._months("month", low, high)
        if supplier_id:
            p_clause += " AND supplier_id = ?"
            p_args.append(supplier_id)
        penalties = self.db.query(
            f"SELECT supplier_id, month, SUM(amount_accrued) FROM {self.t('supplier_penalty')} "
            f"WHERE currency = 'JPY' AND {p_clause} GROUP BY supplier_id, month", p_args)
        lines = sc.scorecard(engagements, [(s, m, int(y or 0)) for s, m, y in penalties])
        names = self._names()
        return [(month, supplier, names.get(supplier, ""), *lines[(month, supplier)].values())
                for month, supplier in sorted(lines)]

    def contract_expiries(self, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Contracts whose valid_until is within ``within_days`` from ``as_of`` (not yet
        past), soonest first; terminated ones only on request."""
        as_of: date = params.get("as_of") or datetime.now(ZoneInfo(self.zone)).date()
        within = params.get("within_days")
        within = 90 if within is None else int(within)
        clauses = ["c.valid_until >= ?", "c.valid_until <= ?"]
        args: list[Any] = [as_of.isoformat(), (as_of + timedelta(days=within)).isoformat()]
        if not params.get("include_terminated"):
            clauses.append("c.terminated_on IS NULL")
        if params.get("supplier_id"):
            clauses.append("c.supplier_id = ?")
            args.append(params["supplier_id"])
        rows = self.db.query(
            "SELECT c.contract_id, c.supplier_id, s.name, c.version, c.title, c.valid_from, "
            "c.valid_until, c.terminated_on, c.expiry_warned_for "
            f"FROM {self.t('supplier_contract')} c LEFT JOIN {self.t('supplier')} s "
            f"ON s.supplier_id = c.supplier_id WHERE {' AND '.join(clauses)} "
            "ORDER BY c.valid_until, c.contract_id", args)
        return [(cid, sid, name or "", int(version), title, valid_from, valid_until,
                 sc.days_left(valid_until, as_of), terminated_on, warned == valid_until)
                for (cid, sid, name, version, title, valid_from, valid_until, terminated_on,
                     warned) in rows]

    def dependency_risk(self, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        clause, args = self._months("local_month", params.get("from_month"),
                                    params.get("to_month"))
        if params.get("category"):
            clause += " AND category = ?"
            args.append(params["category"])
        counts = self.db.query(
            f"SELECT category, supplier_id, COUNT(*) FROM {self.t('supplier_engagement')} "
            f"WHERE {clause} GROUP BY category, supplier_id", args)
        threshold = params.get("threshold_percent")
        names = self._names()
        return [(r.category, r.supplier_id, names.get(r.supplier_id, ""), r.engagements,
                 r.category_engagements, r.share_percent, r.single_supplier)
                for r in sc.dependency_risk([(c, s, int(n)) for c, s, n in counts],
                                            80 if threshold is None else int(threshold))]

    def penalties(self, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        low, high = sc.month_range(params.get("month"), params.get("from_month"),
                                   params.get("to_month"))
        clause, args = self._months("p.month", low, high)
        for name in ("supplier_id", "contract_id"):
            if params.get(name):
                clause += f" AND p.{name} = ?"
                args.append(params[name])
        rows = self.db.query(
            "SELECT p.supplier_id, s.name, p.contract_id, p.month, p.currency, COUNT(*), "
            "SUM(CASE WHEN p.amount_accrued < 0 THEN 1 ELSE 0 END), SUM(p.amount_due), "
            "SUM(p.amount_accrued), SUM(CASE WHEN p.capped THEN 1 ELSE 0 END) "
            f"FROM {self.t('supplier_penalty')} p LEFT JOIN {self.t('supplier')} s "
            f"ON s.supplier_id = p.supplier_id WHERE {clause} "
            "GROUP BY p.supplier_id, s.name, p.contract_id, p.month, p.currency "
            "ORDER BY p.supplier_id, p.contract_id, p.month, p.currency", args)
        return [(sid, name or "", cid, month, currency, int(lines), int(reversals or 0),
                 int(due or 0), int(accrued or 0), bool(capped))
                for sid, name, cid, month, currency, lines, reversals, due, accrued, capped
                in rows]

    def queries(self) -> list[QuerySpec]:
        month = Param("month", "month", "one local month (YYYY-MM); overrides from/to")
        from_month = Param("from_month", "month", "first month, inclusive")
        to_month = Param("to_month", "month", "last month, inclusive")
        supplier = Param("supplier_id", help="supplier id, exact")

        def paged(fn: Any) -> Any:
            def run(params: dict[str, Any], offset: int, limit: int | None) -> list[tuple]:
                return page_slice(fn(params), offset, limit)
            return run

        return [
            QuerySpec(
                "supplier_scorecard", "per local month and supplier: engagements opened that "
                "month (gaps = not COVERED), acknowledged / resolved and how many on time "
                "(supplier clock stopped MET), breaches (withdrawn ones excluded), hand-backs, "
                "withdrawals; penalties_yen = JPY penalties booked to that month, net of "
                "reversals", SCORECARD_COLUMNS, (month, supplier, from_month, to_month),
                paged(self.scorecard)),
            QuerySpec(
                "supplier_contract_expiries", "contracts (current version) whose valid_until "
                "falls within within_days of as_of, soonest first", EXPIRY_COLUMNS,
                (Param("as_of", "date", "count days from this date (default: today in the "
                       "reporting zone)"),
                 Param("within_days", "int", "look this many days ahead", default=90,
                       bounds=(0, 36_500)),
                 Param("include_terminated", "bool", "also terminated contracts",
                       default=False), supplier),
                paged(self.contract_expiries)),
            QuerySpec(
                "supplier_dependency_risk", "per category, each supplier's engagements and "
                "share; single_supplier when one supplier took all or at least "
                "threshold_percent of the category", RISK_COLUMNS,
                (from_month, to_month,
                 Param("threshold_percent", "int", "share that flags a single-supplier "
                       "dependency", default=80, bounds=(1, 100)),
                 Param("category", help="category, exact")),
                paged(self.dependency_risk)),
            QuerySpec(
                "supplier_penalties", "penalty lines per supplier, contract, ledger month and "
                "currency: lines, reversals (negative lines), amounts before and after the "
                "monthly cap (net), capped when any line was capped", PENALTY_QUERY_COLUMNS,
                (month, supplier, Param("contract_id", help="contract id, exact"), from_month,
                 to_month),
                paged(self.penalties)),
        ]
