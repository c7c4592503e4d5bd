"""The SLA read model: every warning, breach and clock stop, per agreement and target.

One row per signal event (``sla_signal``), keyed by its event id (and unique by signal
id, which the monitor derives from owner, target, cycle and threshold), so redelivery
and replay are no-ops and nothing is counted twice. Nothing is derived at apply time
from other rows: which breach a later stop withdrew, or what cause a miss has, is
decided when a query runs, so signals may arrive in any order (a stop before its
breach, a signal before the inquiry's own events). Semantics of the facts and of the
breach causes: ``services/projections/domain/sla_facts.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from madoguchi.storage.sql import Cursor
from services.projections.adapters.read_models.sql_tables import SqlReadModelBase, page_slice
from services.projections.application.read_models import Param, QuerySpec
from services.projections.domain import sla_facts as f
from services.projections.domain.periods import PERIODS, period_column

SIGNAL_COLUMNS = (
    "event_id", "signal_id", "signal_kind", "clock_key", "inquiry_id", "target", "cycle",
    "scope", "agreement_id", "agreement_version", "priority", "kind", "category",
    "department", "team", "engagement_id", "supplier_id", "contract_id", "contract_version",
    "percent", "outcome", "signal_at", "due_at", "raised_at", "stopped_at",
    "elapsed_seconds", "target_seconds", "late_seconds", "breached", "breached_at",
    "supplier_held_seconds", "supplier_late_seconds", "local_hour", "local_day",
    "local_month")
TIME_COLUMNS = frozenset({"signal_at", "due_at", "raised_at", "stopped_at", "breached_at"})
BOOL_COLUMNS = frozenset({"breached"})
EVENT_COLUMNS = (
    "signal_kind", "signal_at", "inquiry_id", "target", "cycle", "scope", "percent",
    "outcome", "breached", "due_at", "raised_at", "stopped_at", "elapsed_seconds",
    "target_seconds", "late_seconds", "breached_at", "supplier_held_seconds",
    "supplier_late_seconds", "agreement_id", "agreement_version", "priority", "kind",
    "category", "department", "team", "engagement_id", "supplier_id", "contract_id",
    "contract_version", "local_day", "event_id")
COMPLIANCE_COLUMNS = (
    "period", "agreement_id", "target", "scope", "stopped", "met", "missed", "cancelled",
    "compliance_percent", "warnings", "breaches")
CAUSE_COLUMNS = (
    "month", "agreement_id", "cause", "cause_detail", "breaches", "open_breaches",
    "late_seconds", "supplier_late_seconds")
SHARE_COLUMNS = (
    "month", "agreement_id", "missed", "missed_with_supplier", "late_seconds",
    "supplier_late_seconds", "supplier_share_percent", "supplier_held_seconds")


def _seconds(value: Any) -> float | None:
    return None if value is None else round(float(value), 3)


class SlaReadModel(SqlReadModelBase):
    """SLA signals of customer and supplier clocks, for compliance and breach reports."""

    name = "sla"
    event_types = frozenset(f.EVENT_KINDS)

    def ddl(self) -> str:
        t, ts, real = self.t, self.ts, self.real
        signal = t("sla_signal")
        return f"""
CREATE TABLE IF NOT EXISTS {signal} (
    event_id TEXT PRIMARY KEY,
    signal_id TEXT NOT NULL,
    signal_kind TEXT NOT NULL,
    clock_key TEXT NOT NULL,
    inquiry_id TEXT NOT NULL,
    target TEXT NOT NULL,
    cycle INTEGER NOT NULL,
    scope TEXT NOT NULL,
    agreement_id TEXT NOT NULL,
    agreement_version TEXT NOT NULL,
    priority TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    department TEXT NOT NULL,
    team TEXT NOT NULL,
    engagement_id TEXT NOT NULL,
    supplier_id TEXT NOT NULL,
    contract_id TEXT NOT NULL,
    contract_version TEXT NOT NULL,
    percent INTEGER,
    outcome TEXT,
    signal_at {ts} NOT NULL,
    due_at {ts},
    raised_at {ts},
    stopped_at {ts},
    elapsed_seconds {real},
    target_seconds BIGINT NOT NULL,
    late_seconds {real},
    breached BOOLEAN NOT NULL,
    breached_at {ts},
    supplier_held_seconds {real},
    supplier_late_seconds {real},
    local_hour TEXT,
    local_day TEXT,
    local_month TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS {t("sla_signal_once")} ON {signal} (signal_id);
CREATE INDEX IF NOT EXISTS {t("sla_signal_clock")} ON {signal} (clock_key, signal_kind);
CREATE INDEX IF NOT EXISTS {t("sla_signal_at")} ON {signal} (signal_at, event_id);
CREATE INDEX IF NOT EXISTS {t("sla_signal_month")} ON {signal} (local_month, agreement_id);
CREATE INDEX IF NOT EXISTS {t("sla_signal_inquiry")} ON {signal} (inquiry_id)
"""

    # ----- applying -----

    def apply(self, cur: Cursor, event_type: str, record: dict[str, Any]) -> bool:
        """Store the signal once; a redelivered one (same event or signal id) is skipped."""
        if event_type not in self.event_types:
            return False
        fact = f.signal_fact(event_type, record, self.zone)
        values = [self.time_to_sql(fact[c]) if c in TIME_COLUMNS else fact[c]
                  for c in SIGNAL_COLUMNS]
        cur.execute(
            f"INSERT INTO {self.t('sla_signal')} ({', '.join(SIGNAL_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in SIGNAL_COLUMNS)}) ON CONFLICT DO NOTHING",
            values)
        return cur.rowcount == 1

    # ----- reading -----

    def _cell(self, column: str, value: Any) -> Any:
        if column in TIME_COLUMNS:
            return self.time_from_sql(value)
        if column in BOOL_COLUMNS:
            return None if value is None else bool(value)
        if column.endswith("_seconds") and column != "target_seconds":
            return _seconds(value)
        return value

    @staticmethod
    def _where(params: dict[str, Any], filters: Sequence[tuple[str, str]], alias: str = ""
               ) -> tuple[str, list[Any]]:
        """``column = ?`` for each (param, column) whose param is given."""
        clauses, args = ["1 = 1"], []
        for name, column in filters:
            value = params.get(name)
            if value not in (None, ""):
                clauses.append(f"{alias}{column} = ?")
                args.append(value)
        return " AND ".join(clauses), args

    def _time_range(self, params: dict[str, Any], column: str) -> tuple[str, list[Any]]:
        clauses, args = [], []
        if params.get("from") is not None:
            clauses.append(f"{column} >= ?")
            args.append(self.time_to_sql(params["from"]))
        if params.get("to") is not None:
            clauses.append(f"{column} < ?")
            args.append(self.time_to_sql(params["to"]))
        return "".join(f" AND {c}" for c in clauses), args

    def events(self, params: dict[str, Any], offset: int, limit: int | None
               ) -> list[tuple[Any, ...]]:
        """Signals matching the filters, newest first (by the moment they are about)."""
        clause, args = self._where(params, (
            ("agreement_id", "agreement_id"), ("target", "target"), ("scope", "scope"),
            ("signal", "signal_kind"), ("outcome", "outcome"), ("inquiry_id", "inquiry_id"),
            ("supplier_id", "supplier_id")))
        extra, more = self._time_range(params, "signal_at")
        page = " LIMIT ? OFFSET ?" if limit is not None else ""
        rows = self.db.query(
            f"SELECT {', '.join(EVENT_COLUMNS)} FROM {self.t('sla_signal')} "
            f"WHERE {clause}{extra} ORDER BY signal_at DESC, event_id DESC{page}",
            [*args, *more, *([limit, offset] if limit is not None else [])])
        out = [tuple(self._cell(c, v) for c, v in zip(EVENT_COLUMNS, r, strict=True))
               for r in rows]
        return out if limit is not None else out[offset:]

    def compliance(self, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Per period, agreement, target and scope: stops by outcome (in the period the
        clock stopped), warnings and breaches (in the period they fell due); a breach
        whose clock later stopped within its target is withdrawn and not counted."""
        key = period_column(params.get("period") or "day")
        clause, args = self._where(params, (
            ("agreement_id", "agreement_id"), ("target", "target"), ("scope", "scope")),
            alias="s.")
        extra, more = self._time_range(params, "s.signal_at")
        signal = self.t("sla_signal")
        group = f"s.{key}, s.agreement_id, s.target, s.scope"
        stops = self.db.query(
            f"SELECT {group}, COUNT(*), "
            "SUM(CASE WHEN s.outcome = 'MET' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN s.outcome = 'MISSED' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN s.outcome = 'CANCELLED' THEN 1 ELSE 0 END) "
            f"FROM {signal} s WHERE s.signal_kind = 'STOP' AND {clause}{extra} "
            f"GROUP BY {group}", [*args, *more])
        warnings = self.db.query(
            f"SELECT {group}, COUNT(*) FROM {signal} s "
            f"WHERE s.signal_kind = 'WARNING' AND {clause}{extra} GROUP BY {group}",
            [*args, *more])
        breaches = self.db.query(
            f"SELECT {group}, COUNT(*) FROM {signal} s "
            f"LEFT JOIN {signal} x ON x.clock_key = s.clock_key AND x.signal_kind = 'STOP' "
            f"WHERE s.signal_kind = 'BREACH' AND (x.event_id IS NULL OR x.breached = ?) "
            f"AND {clause}{extra} GROUP BY {group}", [True, *args, *more])
        lines: dict[tuple[str, str, str, str], list[int]] = {}
        for row in stops:
            lines.setdefault(tuple(row[:4]), [0] * 6)[:4] = [int(v or 0) for v in row[4:8]]
        for row in warnings:
            lines.setdefault(tuple(row[:4]), [0] * 6)[4] = int(row[4])
        for row in breaches:
            lines.setdefault(tuple(row[:4]), [0] * 6)[5] = int(row[4])
        out = []
        for group_key in sorted(lines, key=lambda k: tuple(str(v or "") for v in k)):
            stopped, met, missed, cancelled, warned, breached = lines[group_key]
            out.append((*group_key, stopped, met, missed, cancelled,
                        f.compliance_percent(met, missed), warned, breached))
        return out

    def _breach_items(self, params: dict[str, Any], customer_only: bool
                      ) -> list[tuple[tuple[str, ...], f.BreachFacts]]:
        """Missed clocks stopped in the month, and breaches of the month whose clock has
        not stopped yet (open), with what decides their cause."""
        clause, args = self._where(params, (("agreement_id", "agreement_id"),
                                            ("scope", "scope")), alias="s.")
        if customer_only:
            clause += " AND s.scope = 'CUSTOMER'"
        signal = self.t("sla_signal")
        missed = self.db.query(
            "SELECT s.local_month, s.agreement_id, s.scope, s.target, s.late_seconds, "
            "s.supplier_late_seconds, s.supplier_id, b.supplier_id, s.department, "
            "s.team, b.team "
            f"FROM {signal} s LEFT JOIN {signal} b "
            "ON b.clock_key = s.clock_key AND b.signal_kind = 'BREACH' "
            f"WHERE s.signal_kind = 'STOP' AND s.outcome = 'MISSED' AND s.local_month = ? "
            f"AND {clause}", [params["month"], *args])
        open_ = self.db.query(
            "SELECT s.local_month, s.agreement_id, s.scope, s.target, s.supplier_id, "
            "s.department, s.team "
            f"FROM {signal} s LEFT JOIN {signal} x "
            "ON x.clock_key = s.clock_key AND x.signal_kind = 'STOP' "
            "WHERE s.signal_kind = 'BREACH' AND x.event_id IS NULL AND s.local_month = ? "
            f"AND {clause}", [params["month"], *args])
        items: list[tuple[tuple[str, ...], f.BreachFacts]] = []
        for (month, agreement, scope, target, late, supplier_late, stop_supplier,
             breach_supplier, department, stop_team, breach_team) in missed:
            items.append(((month, agreement), f.BreachFacts(
                scope=scope, target=target, late_seconds=float(late or 0.0),
                supplier_late_seconds=float(supplier_late or 0.0),
                supplier_id=stop_supplier or breach_supplier or "",
                department=department, team=breach_team or stop_team or "")))
        for month, agreement, scope, target, supplier, department, team in open_:
            items.append(((month, agreement), f.BreachFacts(
                scope=scope, target=target, late_seconds=None, supplier_late_seconds=None,
                supplier_id=supplier, department=department, team=team)))
        return items

    def breach_causes(self, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        totals = f.cause_totals(self._breach_items(params, customer_only=False))
        return [(*key, t.breaches, t.open_breaches, _seconds(t.late_seconds),
                 _seconds(t.supplier_late_seconds))
                for key, t in sorted(totals.items(), key=lambda kv: (
                    kv[0][0], kv[0][1], -(kv[1].breaches + kv[1].open_breaches),
                    kv[0][2], kv[0][3]))]

    def supplier_share(self, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Per month and agreement, customer clocks that ended MISSED: business seconds
        late, and the part of them the inquiry spent at a supplier."""
        clause, args = self._where(params, (("agreement_id", "agreement_id"),))
        rows = self.db.query(
            "SELECT local_month, agreement_id, COUNT(*), "
            "SUM(CASE WHEN supplier_late_seconds > 0 THEN 1 ELSE 0 END), "
            "SUM(late_seconds), SUM(supplier_late_seconds), SUM(supplier_held_seconds) "
            f"FROM {self.t('sla_signal')} WHERE signal_kind = 'STOP' AND outcome = 'MISSED' "
            f"AND scope = 'CUSTOMER' AND local_month = ? AND {clause} "
            "GROUP BY local_month, agreement_id ORDER BY local_month, agreement_id",
            [params["month"], *args])
        out = []
        for month, agreement, missed, with_supplier, late, supplier_late, held in rows:
            late_s, supplier_s = float(late or 0.0), float(supplier_late or 0.0)
            out.append((month, agreement, int(missed), int(with_supplier or 0),
                        _seconds(late_s), _seconds(supplier_s),
                        f.share_percent(supplier_s, late_s), _seconds(float(held or 0.0))))
        return out

    # ----- the query catalogue -----

    def queries(self) -> list[QuerySpec]:
        agreement = Param("agreement_id", help="agreement id (supplier clocks: contract id)")
        target = Param("target", "enum", "clock target", f.TARGETS)
        scope = Param("scope", "enum", "CUSTOMER (inquiry clocks) or SUPPLIER (engagement "
                      "clocks)", f.SCOPES)
        start = Param("from", "time", "signals about moments at or after this")
        end = Param("to", "time", "signals about moments before this")
        month = Param("month", "month", "local month (YYYY-MM)", required=True)

        def run_events(params: dict[str, Any], offset: int, limit: int | None) -> list[tuple]:
            return self.events(params, offset, limit)

        def run_compliance(params: dict[str, Any], offset: int, limit: int | None
                           ) -> list[tuple]:
            return page_slice(self.compliance(params), offset, limit)

        def run_causes(params: dict[str, Any], offset: int, limit: int | None) -> list[tuple]:
            return page_slice(self.breach_causes(params), offset, limit)

        def run_share(params: dict[str, Any], offset: int, limit: int | None) -> list[tuple]:
            return page_slice(self.supplier_share(params), offset, limit)

        return [
            QuerySpec(
                "sla_events", "SLA warnings, breaches and clock stops, newest first (by the "
                "moment each is about: due time, or stop time)", EVENT_COLUMNS,
                (agreement, target, scope,
                 Param("signal", "enum", "kind of signal", f.SIGNAL_KINDS),
                 Param("outcome", "enum", "stop outcome", f.OUTCOMES),
                 Param("inquiry_id", help="inquiry id, exact"),
                 Param("supplier_id", help="supplier id named by the signal, exact "
                       "(customer clock stops name none; their breach names the supplier "
                       "holding the inquiry)"),
                 start, end),
                run_events),
            QuerySpec(
                "sla_compliance", "per local period, agreement, target and scope: clocks "
                "stopped (met, missed, cancelled) in the period, compliance_percent = met / "
                "(met + missed), warnings and breaches that fell due in it (breaches a later "
                "stop within target withdrew are not counted)", COMPLIANCE_COLUMNS,
                (Param("period", "enum", "bucket size (local time)", PERIODS, default="day"),
                 agreement, target, scope, start, end),
                run_compliance),
            QuerySpec(
                "sla_breach_causes", "per local month and agreement: clocks that ended "
                "MISSED (in the month they stopped) and still-open breaches (in the month "
                "they fell due), by cause SUPPLIER / DEPARTMENT / DESK with detail, with "
                "business seconds late and the supplier's part", CAUSE_COLUMNS,
                (month, agreement, scope), run_causes),
            QuerySpec(
                "sla_supplier_share", "per local month and agreement: business seconds late "
                "of customer clocks that ended MISSED, and the part that happened while a "
                "supplier held the inquiry (supplier share of breach time)", SHARE_COLUMNS,
                (month, agreement), run_share),
        ]

    def views(self) -> dict[str, str]:
        signal = self.t("sla_signal")
        outcome_cols = ", ".join(f"s.{c}" for c in (
            "event_id", "signal_id", "clock_key", "inquiry_id", "target", "cycle", "scope",
            "agreement_id", "agreement_version", "priority", "kind", "category",
            "department", "team", "engagement_id", "supplier_id", "contract_id",
            "contract_version", "outcome", "stopped_at", "elapsed_seconds",
            "target_seconds", "late_seconds", "breached", "breached_at",
            "supplier_held_seconds", "supplier_late_seconds", "local_hour", "local_day",
            "local_month"))
        return {
            "sla_signals": f"SELECT {', '.join(SIGNAL_COLUMNS)} FROM {signal}",
            "sla_outcomes": (
                f"SELECT {outcome_cols}, CASE WHEN EXISTS (SELECT 1 FROM {signal} b "
                "WHERE b.clock_key = s.clock_key AND b.signal_kind = 'BREACH') "
                "THEN 1 ELSE 0 END AS breach_signalled "
                f"FROM {signal} s WHERE s.signal_kind = 'STOP'"),
        }


__all__ = ["SlaReadModel"]
