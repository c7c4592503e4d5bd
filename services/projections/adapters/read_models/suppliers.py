"""The suppliers read model: suppliers, contracts, engagements, supplier clocks, penalties.

Every applied event id is recorded once (``supplier_applied``), so a redelivered or
replayed event changes nothing and counters never double. Rows merge what each event
says, in any order across topics: registry rows keep the fields of the newest version
seen per kind of fact (terms, termination, retirement); an engagement row may be started
by any of its events and is completed by ``EngagementOpened``; supplier clocks
(``SlaBreached`` / ``SlaClockStopped`` with scope SUPPLIER) and penalty lines are rows of
their own, joined when a query runs. Customer-scope SLA signals are ignored here (the
``sla`` read model has them). Definitions: ``services/projections/domain/
supplier_scorecard.py``.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from madoguchi.storage.sql import Cursor
from services.projections.adapters.read_models.sql_tables import SqlReadModelBase
from services.projections.application.read_models import Param, QuerySpec
from services.projections.domain import supplier_scorecard as sc
from services.projections.domain.periods import empty_keys, local_keys
from services.projections.domain.sla_facts import SUPPLIER, scope_of

REGISTRY_EVENTS = frozenset({
    "SupplierRegistered", "SupplierUpdated", "SupplierRetired", "ContractRegistered",
    "ContractAmended", "ContractRenewed", "ContractTerminated", "ContractExpiryWarned"})
ENGAGEMENT_EVENTS = frozenset({
    "EngagementOpened", "EngagementAcknowledged", "EngagementProgressNoted",
    "EngagementResolved", "EngagementHandedBack", "EngagementWithdrawn"})
SIGNAL_EVENTS = frozenset({"SlaBreached", "SlaClockStopped"})
TERMS_EVENTS = frozenset({"ContractRegistered", "ContractAmended", "ContractRenewed"})
# The engagement's time column each closing event sets (first one wins).
ENGAGEMENT_TIMES = {"EngagementAcknowledged": "acknowledged_at",
                    "EngagementResolved": "resolved_at",
                    "EngagementHandedBack": "handed_back_at",
                    "EngagementWithdrawn": "withdrawn_at"}
PENALTY_COLUMNS = (
    "event_id", "ledger_id", "ledger_version", "contract_id", "supplier_id", "month",
    "engagement_id", "inquiry_id", "target", "cycle", "rule", "units", "amount_due",
    "amount_accrued", "currency", "month_total", "capped", "signal_id", "occurred_at")
ENGAGEMENT_VIEW_COLUMNS = (
    "engagement_id", "inquiry_id", "supplier_id", "contract_id", "contract_version",
    "coverage", "gap_reason", "category", "priority", "kind", "escalation_version",
    "opened_at", "acknowledged_at", "resolved_at", "handed_back_at", "withdrawn_at",
    "hand_back_reason", "progress_notes", "local_day", "local_month")
SCORECARD_COLUMNS = ("month", "supplier_id", "supplier_name", *sc.SCORECARD_MEASURES)
EXPIRY_COLUMNS = (
    "contract_id", "supplier_id", "supplier_name", "version", "title", "valid_from",
    "valid_until", "days_left", "terminated_on", "expiry_warned")
RISK_COLUMNS = ("category", "supplier_id", "supplier_name", "engagements",
                "category_engagements", "share_percent", "single_supplier")
PENALTY_QUERY_COLUMNS = (
    "supplier_id", "supplier_name", "contract_id", "month", "currency", "lines",
    "reversals", "amount_due", "amount_accrued", "capped")


def _page(rows: list[tuple[Any, ...]], offset: int, limit: int | None) -> list[tuple[Any, ...]]:
    return rows[offset:offset + limit] if limit is not None else rows[offset:]


def _newer(column: str) -> str:
    """SQL keeping the larger of ``column`` and the bound version (portable MAX of two)."""
    return f"{column} = CASE WHEN {column} < ? THEN ? ELSE {column} END"


class SupplierReadModel(SqlReadModelBase):
    """Suppliers and how they did against their contracts, for the supplier reports."""

    name = "suppliers"
    event_types = REGISTRY_EVENTS | ENGAGEMENT_EVENTS | SIGNAL_EVENTS | {"PenaltyAccrued"}

    def ddl(self) -> str:
        t, ts, real = self.t, self.ts, self.real
        return f"""
CREATE TABLE IF NOT EXISTS {t("supplier_applied")} (
    event_id TEXT PRIMARY KEY,
    event_type TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS {t("supplier")} (
    supplier_id TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    services_json TEXT NOT NULL DEFAULT '[]',
    registered_at {ts},
    updated_at {ts},
    details_version BIGINT NOT NULL DEFAULT 0,
    retired BOOLEAN NOT NULL DEFAULT FALSE,
    retired_at {ts},
    retire_reason TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS {t("supplier_contract")} (
    contract_id TEXT PRIMARY KEY,
    supplier_id TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 0,
    terms_version BIGINT NOT NULL DEFAULT 0,
    title TEXT NOT NULL DEFAULT '',
    valid_from TEXT,
    valid_until TEXT,
    covers_json TEXT NOT NULL DEFAULT '[]',
    penalty_rule TEXT NOT NULL DEFAULT '',
    penalty_amount BIGINT,
    penalty_currency TEXT NOT NULL DEFAULT '',
    penalty_monthly_cap BIGINT,
    terminated_on TEXT,
    expiry_warned_for TEXT,
    registered_at {ts},
    updated_at {ts}
);
CREATE INDEX IF NOT EXISTS {t("supplier_contract_until")}
    ON {t("supplier_contract")} (valid_until, contract_id);
CREATE TABLE IF NOT EXISTS {t("supplier_engagement")} (
    engagement_id TEXT PRIMARY KEY,
    inquiry_id TEXT NOT NULL,
    supplier_id TEXT NOT NULL,
    contract_id TEXT NOT NULL DEFAULT '',
    contract_version BIGINT NOT NULL DEFAULT 0,
    coverage TEXT NOT NULL DEFAULT '',
    gap_reason TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    priority TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT '',
    escalation_version BIGINT NOT NULL DEFAULT 0,
    opened_at {ts},
    acknowledged_at {ts},
    resolved_at {ts},
    handed_back_at {ts},
    withdrawn_at {ts},
    hand_back_reason TEXT NOT NULL DEFAULT '',
    progress_notes INTEGER NOT NULL DEFAULT 0,
    local_day TEXT,
    local_month TEXT
);
CREATE INDEX IF NOT EXISTS {t("supplier_engagement_month")}
    ON {t("supplier_engagement")} (local_month, supplier_id);
CREATE TABLE IF NOT EXISTS {t("supplier_clock")} (
    engagement_id TEXT NOT NULL,
    target TEXT NOT NULL,
    cycle INTEGER NOT NULL,
    inquiry_id TEXT NOT NULL,
    supplier_id TEXT NOT NULL,
    contract_id TEXT NOT NULL,
    breach_signal_id TEXT,
    breach_due_at {ts},
    stop_signal_id TEXT,
    outcome TEXT,
    stopped_at {ts},
    stop_breached BOOLEAN,
    elapsed_seconds {real},
    target_seconds BIGINT,
    PRIMARY KEY (engagement_id, target, cycle)
);
CREATE TABLE IF NOT EXISTS {t("supplier_penalty")} (
    event_id TEXT PRIMARY KEY,
    ledger_id TEXT NOT NULL,
    ledger_version BIGINT NOT NULL,
    contract_id TEXT NOT NULL,
    supplier_id TEXT NOT NULL,
    month TEXT NOT NULL,
    engagement_id TEXT NOT NULL,
    inquiry_id TEXT NOT NULL,
    target TEXT NOT NULL,
    cycle INTEGER NOT NULL,
    rule TEXT NOT NULL,
    units INTEGER NOT NULL,
    amount_due BIGINT NOT NULL,
    amount_accrued BIGINT NOT NULL,
    currency TEXT NOT NULL,
    month_total BIGINT NOT NULL,
    capped BOOLEAN NOT NULL,
    signal_id TEXT NOT NULL,
    occurred_at {ts}
);
CREATE UNIQUE INDEX IF NOT EXISTS {t("supplier_penalty_once")}
    ON {t("supplier_penalty")} (ledger_id, ledger_version);
CREATE INDEX IF NOT EXISTS {t("supplier_penalty_month")}
    ON {t("supplier_penalty")} (supplier_id, month)
"""

    # ----- applying -----

    def apply(self, cur: Cursor, event_type: str, record: dict[str, Any]) -> bool:
        """Apply the event once (its id is remembered); customer SLA signals are skipped."""
        if event_type not in self.event_types:
            return False
        if event_type in SIGNAL_EVENTS and (
                scope_of(record.get("context") or {}) != SUPPLIER
                or not (record.get("context") or {}).get("engagement_id")):
            return False
        cur.execute(f"INSERT INTO {self.t('supplier_applied')} (event_id, event_type) "
                    "VALUES (?, ?) ON CONFLICT DO NOTHING",
                    [str(record["event_id"]), event_type])
        if cur.rowcount != 1:
            return False
        if event_type.startswith("Supplier"):
            self._supplier(cur, event_type, record)
        elif event_type.startswith("Contract"):
            self._contract(cur, event_type, record)
        elif event_type in ENGAGEMENT_EVENTS:
            self._engagement(cur, event_type, record)
        elif event_type in SIGNAL_EVENTS:
            self._clock(cur, event_type, record)
        else:
            self._penalty(cur, record)
        return True

    def _supplier(self, cur: Cursor, event_type: str, r: dict[str, Any]) -> None:
        table, version = self.t("supplier"), int(r["aggregate_version"])
        at = self.time_to_sql(r.get("occurred_at"))
        cur.execute(f"INSERT INTO {table} (supplier_id) VALUES (?) ON CONFLICT DO NOTHING",
                    [r["supplier_id"]])
        if event_type == "SupplierRetired":
            cur.execute(f"UPDATE {table} SET retired = ?, retired_at = ?, retire_reason = ? "
                        "WHERE supplier_id = ?",
                        [True, at, str(r.get("reason") or ""), r["supplier_id"]])
            return
        services = json.dumps(list(r.get("services") or []), ensure_ascii=False)
        cur.execute(f"UPDATE {table} SET name = ?, services_json = ?, updated_at = ?, "
                    "details_version = ? WHERE supplier_id = ? AND details_version < ?",
                    [str(r["name"]), services, at, version, r["supplier_id"], version])
        if event_type == "SupplierRegistered":
            cur.execute(f"UPDATE {table} SET registered_at = ? WHERE supplier_id = ?",
                        [at, r["supplier_id"]])

    def _contract(self, cur: Cursor, event_type: str, r: dict[str, Any]) -> None:
        table, version = self.t("supplier_contract"), int(r["aggregate_version"])
        at, key = self.time_to_sql(r.get("occurred_at")), r["contract_id"]
        cur.execute(f"INSERT INTO {table} (contract_id, supplier_id) VALUES (?, ?) "
                    "ON CONFLICT DO NOTHING", [key, r["supplier_id"]])
        cur.execute(f"UPDATE {table} SET {_newer('version')} WHERE contract_id = ?",
                    [version, version, key])
        if event_type in TERMS_EVENTS:
            terms = sc.contract_terms(str(r.get("terms_json") or ""))
            cur.execute(
                f"UPDATE {table} SET terms_version = ?, title = ?, valid_from = ?, "
                "valid_until = ?, covers_json = ?, penalty_rule = ?, penalty_amount = ?, "
                "penalty_currency = ?, penalty_monthly_cap = ?, updated_at = ? "
                "WHERE contract_id = ? AND terms_version < ?",
                [version, terms.title, terms.valid_from, terms.valid_until,
                 json.dumps(list(terms.covers), ensure_ascii=False), terms.penalty_rule,
                 terms.penalty_amount, terms.penalty_currency, terms.penalty_monthly_cap, at,
                 key, version])
            if event_type == "ContractRegistered":
                cur.execute(f"UPDATE {table} SET registered_at = ? WHERE contract_id = ?",
                            [at, key])
        elif event_type == "ContractTerminated":
            cur.execute(f"UPDATE {table} SET terminated_on = ? WHERE contract_id = ?",
                        [date.fromisoformat(str(r["terminated_on"])).isoformat(), key])
        else:   # ContractExpiryWarned: for which validity (a renewal re-arms it)
            cur.execute(
                f"UPDATE {table} SET expiry_warned_for = ? WHERE contract_id = ? AND "
                "(expiry_warned_for IS NULL OR expiry_warned_for < ?)",
                [str(r["valid_until"]), key, str(r["valid_until"])])

    def _engagement(self, cur: Cursor, event_type: str, r: dict[str, Any]) -> None:
        table, key = self.t("supplier_engagement"), str(r["engagement_id"])
        at = self.time_to_sql(r.get("occurred_at"))
        if event_type == "EngagementOpened":
            keys = local_keys(r["occurred_at"], self.zone) if r.get("occurred_at") \
                else empty_keys()
            cols = {"engagement_id": key, "inquiry_id": str(r["inquiry_id"]),
                    "supplier_id": str(r["supplier_id"]),
                    "contract_id": str(r.get("contract_id") or ""),
                    "contract_version": int(r.get("contract_version") or 0),
                    "coverage": str(r["coverage"]), "gap_reason": str(r.get("gap_reason") or ""),
                    "category": str(r.get("category") or ""),
                    "priority": str(r.get("priority") or ""), "kind": str(r.get("kind") or ""),
                    "escalation_version": int(r.get("escalation_version") or 0),
                    "opened_at": at, "local_day": keys["local_day"],
                    "local_month": keys["local_month"]}
            names = list(cols)
            cur.execute(
                f"INSERT INTO {table} ({', '.join(names)}) "
                f"VALUES ({', '.join('?' for _ in names)}) ON CONFLICT (engagement_id) "
                f"DO UPDATE SET {', '.join(f'{n} = excluded.{n}' for n in names[1:])}",
                list(cols.values()))
            return
        cur.execute(f"INSERT INTO {table} (engagement_id, inquiry_id, supplier_id) "
                    "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [key, str(r["inquiry_id"]), str(r["supplier_id"])])
        if event_type == "EngagementProgressNoted":
            cur.execute(f"UPDATE {table} SET progress_notes = progress_notes + 1 "
                        "WHERE engagement_id = ?", [key])
            return
        column = ENGAGEMENT_TIMES[event_type]
        cur.execute(f"UPDATE {table} SET {column} = COALESCE({column}, ?) "
                    "WHERE engagement_id = ?", [at, key])
        if event_type == "EngagementHandedBack":
            cur.execute(f"UPDATE {table} SET hand_back_reason = ? WHERE engagement_id = ?",
                        [str(r.get("reason") or ""), key])

    def _clock(self, cur: Cursor, event_type: str, r: dict[str, Any]) -> None:
        table, context = self.t("supplier_clock"), r.get("context") or {}
        key = [str(context["engagement_id"]), str(r["target"]), int(r["cycle"])]
        cur.execute(
            f"INSERT INTO {table} (engagement_id, target, cycle, inquiry_id, supplier_id, "
            "contract_id) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [*key, str(r["inquiry_id"]), str(context.get("supplier_id") or ""),
             str(context.get("contract_id") or context.get("agreement_id") or "")])
        where = "WHERE engagement_id = ? AND target = ? AND cycle = ?"
        if event_type == "SlaBreached":
            cur.execute(f"UPDATE {table} SET breach_signal_id = ?, breach_due_at = ? {where}",
                        [str(r["aggregate_id"]), self.time_to_sql(r["due_at"]), *key])
        else:
            cur.execute(
                f"UPDATE {table} SET stop_signal_id = ?, outcome = ?, stopped_at = ?, "
                f"stop_breached = ?, elapsed_seconds = ?, target_seconds = ? {where}",
                [str(r["aggregate_id"]), str(r["outcome"]), self.time_to_sql(r["stopped_at"]),
                 bool(r["breached"]), float(r["elapsed_seconds"]), int(r["target_seconds"]),
                 *key])

    def _penalty(self, cur: Cursor, r: dict[str, Any]) -> None:
        values = {
            "event_id": str(r["event_id"]), "ledger_id": str(r["aggregate_id"]),
            "ledger_version": int(r["aggregate_version"]), "contract_id": str(r["contract_id"]),
            "supplier_id": str(r["supplier_id"]), "month": str(r["month"]),
            "engagement_id": str(r["engagement_id"]), "inquiry_id": str(r["inquiry_id"]),
            "target": str(r["target"]), "cycle": int(r["cycle"]), "rule": str(r["rule"]),
            "units": int(r["units"]), "amount_due": int(r["amount_due"]),
            "amount_accrued": int(r["amount_accrued"]), "currency": str(r["currency"]),
            "month_total": int(r["month_total"]), "capped": bool(r["capped"]),
            "signal_id": str(r.get("signal_id") or ""),
            "occurred_at": self.time_to_sql(r.get("occurred_at"))}
        cur.execute(
            f"INSERT INTO {self.t('supplier_penalty')} ({', '.join(PENALTY_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in PENALTY_COLUMNS)}) ON CONFLICT DO NOTHING",
            [values[c] for c in PENALTY_COLUMNS])

    # ----- reading -----

    def _names(self) -> dict[str, str]:
        return dict(self.db.query(f"SELECT supplier_id, name FROM {self.t('supplier')}"))

    @staticmethod
    def _months(column: str, low: str | None, high: str | None) -> tuple[str, list[Any]]:
        clauses, args = [f"{column} IS NOT NULL"], []
        if low:
            clauses.append(f"{column} >= ?")
            args.append(low)
        if high:
            clauses.append(f"{column} <= ?")
            args.append(high)
        return " AND ".join(clauses), args

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

    # ----- the query catalogue -----

    def queries(self) -> list[QuerySpec]:
        month = Param("month", "month", "one local month (YYYY-MM); overrides from/to")
        from_month = Param("from_month", "month", "first month, inclusive")
        to_month = Param("to_month", "month", "last month, inclusive")
        supplier = Param("supplier_id", help="supplier id, exact")

        def paged(fn: Any) -> Any:
            def run(params: dict[str, Any], offset: int, limit: int | None) -> list[tuple]:
                return _page(fn(params), offset, limit)
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

    def views(self) -> dict[str, str]:
        t = self.t
        eng_cols = ", ".join(f"e.{c}" for c in ENGAGEMENT_VIEW_COLUMNS)
        clock_join = ("LEFT JOIN {clock} {a} ON {a}.engagement_id = e.engagement_id "
                      "AND {a}.target = '{target}' AND {a}.cycle = 1")
        return {
            "suppliers": "SELECT supplier_id, name, services_json, retired, retired_at, "
                         f"retire_reason, registered_at, updated_at FROM {t('supplier')}",
            "supplier_contracts": (
                "SELECT contract_id, supplier_id, version, title, valid_from, valid_until, "
                "covers_json, penalty_rule, penalty_amount, penalty_currency, "
                "penalty_monthly_cap, terminated_on, expiry_warned_for, registered_at, "
                f"updated_at FROM {t('supplier_contract')}"),
            "supplier_engagements": (
                f"SELECT {eng_cols}, CASE WHEN e.resolved_at IS NOT NULL THEN 'RESOLVED' "
                "WHEN e.handed_back_at IS NOT NULL THEN 'HANDED_BACK' "
                "WHEN e.withdrawn_at IS NOT NULL THEN 'WITHDRAWN' "
                "WHEN e.acknowledged_at IS NOT NULL THEN 'ACKNOWLEDGED' "
                "WHEN e.opened_at IS NOT NULL THEN 'OPEN' ELSE '' END AS status, "
                "a.outcome AS acknowledge_outcome, a.breach_due_at AS acknowledge_breach_due_at, "
                "a.elapsed_seconds AS acknowledge_elapsed_seconds, "
                "r.outcome AS resolve_outcome, r.breach_due_at AS resolve_breach_due_at, "
                "r.elapsed_seconds AS resolve_elapsed_seconds "
                f"FROM {t('supplier_engagement')} e "
                + clock_join.format(clock=t("supplier_clock"), a="a", target=sc.ACKNOWLEDGE)
                + " "
                + clock_join.format(clock=t("supplier_clock"), a="r", target=sc.RESOLVE)),
            "supplier_penalties": f"SELECT {', '.join(PENALTY_COLUMNS)} "
                                  f"FROM {t('supplier_penalty')}",
        }


__all__ = ["SupplierReadModel"]
