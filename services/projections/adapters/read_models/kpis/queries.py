"""The KPI queries: summary, volume, calls and escalations per period and group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.projections.adapters.read_models.kpis.tables import (
    CALL_COLUMNS,
    ESCALATION_COLUMNS,
    ESCALATION_TARGETS,
    FILTERS,
    GROUP_BY,
    SUMMARY_COLUMNS,
    KpiTables,
)
from services.projections.adapters.read_models.sql_tables import page_slice
from services.projections.application.read_models import Param, QuerySpec
from services.projections.domain import kpi_math
from services.projections.domain.periods import (
    PERIODS,
    period_column,
    period_start,
)


def _period_param() -> Param:
    return Param("period", "enum", "bucket size in the reporting time zone",
                 choices=PERIODS, default="day")


def _range_params(what: str) -> tuple[Param, Param]:
    return (Param("from", "time", f"{what} at or after this instant"),
            Param("to", "time", f"{what} before this instant"))


def _filter_params() -> tuple[Param, ...]:
    return tuple(Param(name, "text", f"only inquiries with this {name} (at receipt)")
                 for name in FILTERS)



class KpiQueries(KpiTables):
    def queries(self) -> Sequence[QuerySpec]:
        return (
            QuerySpec(
                "kpi_summary",
                "Inquiry KPIs per period of receipt (and group): completion (first-contact "
                "resolution), escalation, reopen and complaint counts and rates, business-"
                "time first response and resolution (mean, median, p90), SLA compliance and "
                "CSAT. Every measure belongs to the inquiry's received period.",
                SUMMARY_COLUMNS,
                (_period_param(), *_range_params("received"),
                 Param("group_by", "enum", "split each period by this attribute",
                       choices=tuple(GROUP_BY), default="none"),
                 *_filter_params()),
                self._summary),
            QuerySpec(
                "kpi_volume",
                "Inquiries received and inquiries resolved per period, each by its own time "
                "(received by receipt, resolved by the current resolution; a reopened "
                "inquiry counts as resolved again only when resolved again).",
                ("period_start", "period_key", "received", "resolved"),
                (_period_param(), Param("from", "time", "at or after this instant"),
                 Param("to", "time", "before this instant"), *_filter_params()),
                self._volume),
            QuerySpec(
                "kpi_calls",
                "Telephony per period (of each attempt) and queue: offered, answered, "
                "abandoned, answer rate (answered ÷ offered), abandonment rate (abandoned ÷ "
                "offered), mean wait of answered and abandoned calls, mean wait to answer.",
                CALL_COLUMNS,
                (_period_param(), *_range_params("attempted"),
                 Param("queue", "text", "only this telephony queue")),
                self._calls),
            QuerySpec(
                "kpi_escalations",
                "Escalations per period of receipt and destination (target TIER with the "
                "tier, DEPARTMENT with the department, SUPPLIER with the supplier id): "
                "escalations, inquiries escalated, and their share of the inquiries received.",
                ESCALATION_COLUMNS,
                (_period_param(), *_range_params("received"),
                 Param("target", "enum", "only this escalation target",
                       choices=ESCALATION_TARGETS),
                 *_filter_params()),
                self._escalations),
        )

    def _fact_where(self, params: dict[str, Any]) -> tuple[str, list[Any]]:
        """WHERE over facts ``f``: received, in range, matching the filters."""
        clauses, args = ["f.received_at IS NOT NULL"], []
        if params.get("from") is not None:
            clauses.append("f.received_at >= ?")
            args.append(self.time_to_sql(params["from"]))
        if params.get("to") is not None:
            clauses.append("f.received_at < ?")
            args.append(self.time_to_sql(params["to"]))
        for name in FILTERS:
            if params.get(name):
                clauses.append(f"f.{name} = ?")
                args.append(params[name])
        return " AND ".join(clauses), args

    def _summary(self, params: dict[str, Any], offset: int, limit: int | None
                 ) -> list[tuple[Any, ...]]:
        period = params.get("period") or "day"
        column = period_column(period)
        group = GROUP_BY[params.get("group_by") or "none"]
        group_sql = f"f.{group}" if group else "''"
        where, args = self._fact_where(params)
        facts = self.t("kpi_inquiry_fact")
        measures: dict[str, kpi_math.InquiryMeasures] = {}
        buckets: dict[tuple[str, str], list[kpi_math.InquiryMeasures]] = {}
        for (inquiry_id, key, value, first_contact, escalations, reopens, complaint,
             score) in self.db.query(
                f"SELECT f.inquiry_id, f.{column}, {group_sql}, f.answered_first_contact, "
                "f.escalation_count, f.reopen_count, f.complaint, f.satisfaction_score "
                f"FROM {facts} f WHERE {where}", args):
            m = kpi_math.InquiryMeasures(
                answered_first_contact=bool(first_contact), escalated=escalations > 0,
                reopened=reopens > 0, complaint=bool(complaint),
                satisfaction_score=None if score is None else int(score))
            measures[inquiry_id] = m
            buckets.setdefault((key, value), []).append(m)
        for inquiry_id, target, outcome, elapsed in self.db.query(
                f"SELECT s.inquiry_id, s.target, s.outcome, s.elapsed_seconds "
                f"FROM {self.t('kpi_clock_stop')} s JOIN {facts} f "
                f"ON f.inquiry_id = s.inquiry_id WHERE {where} "
                "ORDER BY s.inquiry_id, s.target, s.cycle", args):
            if inquiry_id in measures:   # (an inquiry received between the two reads)
                measures[inquiry_id].add_stop(target, outcome, float(elapsed))
        rows = [(period_start(key, period, self.zone), key, value, *kpi_math.summarize(members))
                for (key, value), members in sorted(buckets.items())]
        return page_slice(rows, offset, limit)

    def _volume(self, params: dict[str, Any], offset: int, limit: int | None
                ) -> list[tuple[Any, ...]]:
        period = params.get("period") or "day"
        column = period_column(period)
        facts = self.t("kpi_inquiry_fact")
        counts: dict[str, list[int]] = {}
        for index, (moment, key_column) in enumerate((("received_at", column),
                                                      ("resolved_at", f"resolved_{column}"))):
            clauses, args = [f"f.{key_column} IS NOT NULL"], []
            for name, op in (("from", ">="), ("to", "<")):
                if params.get(name) is not None:
                    clauses.append(f"f.{moment} {op} ?")
                    args.append(self.time_to_sql(params[name]))
            for name in FILTERS:
                if params.get(name):
                    clauses.append(f"f.{name} = ?")
                    args.append(params[name])
            for key, count in self.db.query(
                    f"SELECT f.{key_column}, COUNT(*) FROM {facts} f "
                    f"WHERE {' AND '.join(clauses)} GROUP BY f.{key_column}", args):
                counts.setdefault(key, [0, 0])[index] = int(count)
        rows = [(period_start(key, period, self.zone), key, *counts[key])
                for key in sorted(counts)]
        return page_slice(rows, offset, limit)

    def _calls(self, params: dict[str, Any], offset: int, limit: int | None
               ) -> list[tuple[Any, ...]]:
        period = params.get("period") or "day"
        column = period_column(period)
        clauses = [f"{column} IS NOT NULL", "outcome IN ('OFFERED', 'ANSWERED', 'ABANDONED')"]
        args: list[Any] = []
        for name, op in (("from", ">="), ("to", "<")):
            if params.get(name) is not None:
                clauses.append(f"attempted_at {op} ?")
                args.append(self.time_to_sql(params[name]))
        if params.get("queue"):
            clauses.append("queue = ?")
            args.append(params["queue"])
        sql = (
            f"SELECT {column}, queue, "
            "SUM(CASE WHEN outcome = 'OFFERED' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN outcome = 'ANSWERED' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN outcome = 'ABANDONED' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN outcome IN ('ANSWERED', 'ABANDONED') THEN wait_seconds ELSE 0 END), "
            "SUM(CASE WHEN outcome = 'ANSWERED' THEN wait_seconds ELSE 0 END) "
            f"FROM {self.t('kpi_contact_attempt')} WHERE {' AND '.join(clauses)} "
            f"GROUP BY {column}, queue ORDER BY {column}, queue")
        rows = []
        for key, queue, offered, answered, abandoned, wait, answer_wait in self.db.query(
                sql, args):
            offered, answered, abandoned = int(offered), int(answered), int(abandoned)
            ended = answered + abandoned
            rows.append((
                period_start(key, period, self.zone), key, queue, offered, answered, abandoned,
                kpi_math.rate_percent(answered, offered),
                kpi_math.rate_percent(abandoned, offered),
                kpi_math.round_half_up(int(wait) / ended) if ended else None,
                kpi_math.round_half_up(int(answer_wait) / answered) if answered else None,
            ))
        return page_slice(rows, offset, limit)

    def _escalations(self, params: dict[str, Any], offset: int, limit: int | None
                     ) -> list[tuple[Any, ...]]:
        period = params.get("period") or "day"
        column = period_column(period)
        where, args = self._fact_where(params)
        facts = self.t("kpi_inquiry_fact")
        received = dict(self.db.query(
            f"SELECT f.{column}, COUNT(*) FROM {facts} f WHERE {where} GROUP BY f.{column}",
            args))
        target_sql, target_args = "", []
        if params.get("target"):
            target_sql, target_args = " AND e.target = ?", [params["target"]]
        rows = []
        for key, target, destination, escalations, inquiries in self.db.query(
                f"SELECT f.{column}, e.target, e.destination, COUNT(*), "
                f"COUNT(DISTINCT e.inquiry_id) FROM {self.t('kpi_escalation')} e "
                f"JOIN {facts} f ON f.inquiry_id = e.inquiry_id WHERE {where}{target_sql} "
                f"GROUP BY f.{column}, e.target, e.destination "
                f"ORDER BY f.{column}, e.target, e.destination", [*args, *target_args]):
            total = int(received.get(key, 0))
            rows.append((period_start(key, period, self.zone), key, target, destination,
                         int(escalations), int(inquiries), total,
                         kpi_math.rate_percent(int(inquiries), total)))
        return page_slice(rows, offset, limit)
