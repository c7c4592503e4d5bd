"""The KPI read model: service-desk measures by period (ISO/IEC 20000-1 8.3 reporting).

It keeps its own fact tables, so it can be rebuilt and read without the other models:

- ``kpi_inquiry_fact`` — one row per inquiry: its attributes at receipt, the receipt's
  local hour/day/month, and what became of it (first-contact resolution, escalations,
  reopens, the latest satisfaction score). Inquiry events arrive in version order; an
  event whose ``aggregate_version`` is not above the stored ``version`` was applied already.
- ``kpi_escalation`` — one row per escalation, keyed (inquiry_id, inquiry version).
- ``kpi_contact_attempt`` — one row per telephony attempt, keyed by the attempt id.
- ``kpi_clock_stop`` — one row per stopped *customer* SLA clock cycle, keyed (inquiry_id,
  target, cycle); supplier clocks are not the customer's service level and are skipped.
  A stop may arrive before its inquiry's events: it is stored anyway and counts as soon
  as the inquiry's receipt is there.

**Buckets.** Every inquiry measure of ``kpi_summary`` and ``kpi_escalations`` — including
its SLA clock stops, durations, escalations, reopens and satisfaction score — belongs to
the period in which the inquiry was **received** (a cohort view), and ``from``/``to``
filter on the received time. So each rate's numerator and denominator count the same
inquiries, and a period's figures settle as its inquiries are worked off. Telephony
(``kpi_calls``) is bucketed by each attempt's own time. The views also carry the event
times and their local keys for reports that want the other reading.

**Definitions.** answered at first contact (完結) = the inquiry's current resolution was at
first contact (intake's rule: one contact, no escalation, no reopen, no supplier wait) and
it was never escalated; a reopen clears it. Durations are business seconds from the
customer clock stops (``elapsed_seconds``, MET or MISSED cycles; cancelled clocks measured
nothing); SLA compliance counts each MET/MISSED cycle. See ``domain/kpi_math.py`` for the
arithmetic (linear-interpolation percentiles, rounding, None on empty denominators).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from madoguchi.storage.sql import Cursor
from services.projections.adapters.read_models.sql_tables import SqlReadModelBase
from services.projections.application.read_models import Param, QuerySpec
from services.projections.domain import kpi_math
from services.projections.domain.periods import (
    PERIODS,
    empty_keys,
    local_keys,
    period_column,
    period_start,
)

INQUIRY_EVENTS = frozenset({
    "InquiryReceived", "InquiryFirstResponseRecorded", "InquiryEscalated",
    "InquiryResolved", "InquiryReopened", "InquirySatisfactionRecorded",
})
CUSTOMER_SCOPES = ("", "CUSTOMER")
STOP_TARGETS = ("FIRST_RESPONSE", "RESOLUTION")
OUTCOMES = ("OFFERED", "ANSWERED", "ABANDONED")
ESCALATION_TARGETS = ("TIER", "DEPARTMENT", "SUPPLIER")
GROUP_BY = {"none": None, "channel": "channel", "category": "category",
            "department": "department", "agreement": "agreement_id"}
FILTERS = ("channel", "category", "department", "agreement_id")
KEYS = ("local_hour", "local_day", "local_month")

SUMMARY_COLUMNS = ("period_start", "period_key", "group_value", *kpi_math.SUMMARY_MEASURES)
CALL_COLUMNS = ("period_start", "period_key", "queue", "offered", "answered", "abandoned",
                "answer_rate_percent", "abandonment_rate_percent", "mean_wait_seconds",
                "mean_answer_wait_seconds")
ESCALATION_COLUMNS = ("period_start", "period_key", "target", "destination", "escalations",
                      "inquiries_escalated", "received", "escalation_rate_percent")


def _period_param() -> Param:
    return Param("period", "enum", "bucket size in the reporting time zone",
                 choices=PERIODS, default="day")


def _range_params(what: str) -> tuple[Param, Param]:
    return (Param("from", "time", f"{what} at or after this instant"),
            Param("to", "time", f"{what} before this instant"))


def _filter_params() -> tuple[Param, ...]:
    return tuple(Param(name, "text", f"only inquiries with this {name} (at receipt)")
                 for name in FILTERS)


def _page(rows: list[tuple[Any, ...]], offset: int, limit: int | None) -> list[tuple[Any, ...]]:
    return rows[offset:] if limit is None else rows[offset:offset + limit]


class KpiReadModel(SqlReadModelBase):
    """Inquiry, telephony and SLA facts, and the KPI queries and views over them."""

    name = "kpis"
    event_types = INQUIRY_EVENTS | {"ContactAttemptRecorded", "SlaClockStopped"}

    def ddl(self) -> str:
        t, ts, real = self.t, self.ts, self.real
        keys = "local_hour TEXT, local_day TEXT, local_month TEXT"
        return f"""
CREATE TABLE IF NOT EXISTS {t("kpi_inquiry_fact")} (
    inquiry_id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    department TEXT NOT NULL,
    priority TEXT NOT NULL,
    agreement_id TEXT NOT NULL,
    complaint INTEGER NOT NULL,
    received_at {ts},
    {keys},
    first_response_at {ts},
    resolved_at {ts},
    resolved_local_hour TEXT,
    resolved_local_day TEXT,
    resolved_local_month TEXT,
    answered_first_contact INTEGER NOT NULL,
    resolution_count INTEGER NOT NULL,
    escalation_count INTEGER NOT NULL,
    reopen_count INTEGER NOT NULL,
    satisfaction_score INTEGER,
    satisfaction_recorded_at {ts},
    updated_at {ts}
);
CREATE INDEX IF NOT EXISTS {t("kpi_inquiry_fact_received")}
    ON {t("kpi_inquiry_fact")} (received_at);
CREATE INDEX IF NOT EXISTS {t("kpi_inquiry_fact_day")} ON {t("kpi_inquiry_fact")} (local_day);
CREATE TABLE IF NOT EXISTS {t("kpi_escalation")} (
    inquiry_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    target TEXT NOT NULL,
    destination TEXT NOT NULL,
    to_tier INTEGER NOT NULL,
    to_department TEXT NOT NULL,
    to_supplier_id TEXT NOT NULL,
    from_department TEXT NOT NULL,
    escalated_at {ts},
    {keys},
    PRIMARY KEY (inquiry_id, version)
);
CREATE TABLE IF NOT EXISTS {t("kpi_contact_attempt")} (
    attempt_id TEXT PRIMARY KEY,
    outcome TEXT NOT NULL,
    queue TEXT NOT NULL,
    wait_seconds INTEGER NOT NULL,
    attempted_at {ts},
    {keys},
    inquiry_id TEXT NOT NULL,
    call_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS {t("kpi_contact_attempt_at")}
    ON {t("kpi_contact_attempt")} (attempted_at);
CREATE TABLE IF NOT EXISTS {t("kpi_clock_stop")} (
    inquiry_id TEXT NOT NULL,
    target TEXT NOT NULL,
    cycle INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    elapsed_seconds {real} NOT NULL,
    target_seconds BIGINT NOT NULL,
    breached INTEGER NOT NULL,
    stopped_at {ts},
    {keys},
    agreement_id TEXT NOT NULL,
    priority TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    department TEXT NOT NULL,
    supplier_held_seconds {real},
    PRIMARY KEY (inquiry_id, target, cycle)
)
"""

    # ----- applying events -----

    def apply(self, cur: Cursor, event_type: str, record: dict[str, Any]) -> bool:
        """Apply one event; False when it was applied before (or is not a customer stop)."""
        if event_type == "ContactAttemptRecorded":
            return self._apply_attempt(cur, record)
        if event_type == "SlaClockStopped":
            return self._apply_stop(cur, record)
        if event_type in INQUIRY_EVENTS:
            return self._apply_inquiry(cur, event_type, record)
        return False

    def _keys(self, moment: Any) -> tuple[str | None, ...]:
        keys = local_keys(moment, self.zone) if moment else empty_keys()
        return tuple(keys[k] for k in KEYS)

    def _apply_inquiry(self, cur: Cursor, event_type: str, r: dict[str, Any]) -> bool:
        facts = self.t("kpi_inquiry_fact")
        inquiry_id, version = str(r["aggregate_id"]), int(r["aggregate_version"])
        row = cur.execute(f"SELECT version FROM {facts} WHERE inquiry_id = ?",
                          (inquiry_id,)).fetchone()
        if row is not None and version <= int(row[0]):
            return False
        if row is None:   # normally InquiryReceived; else a topic read from the middle
            cur.execute(
                f"INSERT INTO {facts} (inquiry_id, version, channel, kind, category, "
                "department, priority, agreement_id, complaint, answered_first_contact, "
                "resolution_count, escalation_count, reopen_count) "
                "VALUES (?, 0, '', '', '', '', '', '', 0, 0, 0, 0, 0)", (inquiry_id,))
        at = self.time_to_sql(r.get("occurred_at"))
        # One UPDATE per event: its own columns, then the version it brings.
        sets: list[str] = []
        args: list[Any] = []
        if event_type == "InquiryReceived":
            received = r.get("contacted_at") or r.get("occurred_at")
            sets = ["channel = ?", "kind = ?", "category = ?", "department = ?",
                    "priority = ?", "agreement_id = ?", "complaint = ?", "received_at = ?",
                    "local_hour = ?", "local_day = ?", "local_month = ?"]
            args = [r.get("channel", ""), r.get("kind", ""), r.get("category", ""),
                    r.get("department", ""), r.get("priority", ""), r.get("agreement_id", ""),
                    int(r.get("kind") == "COMPLAINT"), self.time_to_sql(received),
                    *self._keys(received)]
        elif event_type == "InquiryFirstResponseRecorded":
            sets, args = ["first_response_at = COALESCE(first_response_at, ?)"], [at]
        elif event_type == "InquiryEscalated":
            self._insert_escalation(cur, inquiry_id, version, r)
            sets = ["escalation_count = escalation_count + 1", "answered_first_contact = 0"]
        elif event_type == "InquiryResolved":
            sets = ["resolved_at = ?", "resolution_count = resolution_count + 1",
                    "answered_first_contact = CASE WHEN escalation_count = 0 THEN ? ELSE 0 END",
                    "resolved_local_hour = ?", "resolved_local_day = ?",
                    "resolved_local_month = ?"]
            args = [at, int(bool(r.get("at_first_contact"))), *self._keys(r.get("occurred_at"))]
        elif event_type == "InquiryReopened":
            sets = ["resolved_at = NULL", "answered_first_contact = 0",
                    "resolved_local_hour = NULL", "resolved_local_day = NULL",
                    "resolved_local_month = NULL", "reopen_count = reopen_count + 1"]
        elif event_type == "InquirySatisfactionRecorded":
            sets = ["satisfaction_score = ?", "satisfaction_recorded_at = ?"]
            args = [int(r["score"]), at]
        cur.execute(f"UPDATE {facts} SET {', '.join([*sets, 'version = ?', 'updated_at = ?'])} "
                    "WHERE inquiry_id = ?",
                    (*args, version, self.time_to_sql(r.get("recorded_at")), inquiry_id))
        return True

    def _insert_escalation(self, cur: Cursor, inquiry_id: str, version: int,
                           r: dict[str, Any]) -> None:
        target = str(r.get("target", ""))
        to_tier = int(r.get("to_tier") or 0)
        destination = {"DEPARTMENT": r.get("to_department", ""),
                       "SUPPLIER": r.get("to_supplier_id", "")}.get(target, str(to_tier))
        cur.execute(
            f"INSERT INTO {self.t('kpi_escalation')} (inquiry_id, version, event_id, target, "
            "destination, to_tier, to_department, to_supplier_id, from_department, "
            "escalated_at, local_hour, local_day, local_month) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (inquiry_id, version) DO NOTHING",
            (inquiry_id, version, str(r.get("event_id", "")), target, destination or "",
             to_tier, r.get("to_department", ""), r.get("to_supplier_id", ""),
             r.get("from_department", ""), self.time_to_sql(r.get("occurred_at")),
             *self._keys(r.get("occurred_at"))))

    def _apply_attempt(self, cur: Cursor, r: dict[str, Any]) -> bool:
        attempted = r.get("attempted_at") or r.get("occurred_at")
        cur.execute(
            f"INSERT INTO {self.t('kpi_contact_attempt')} (attempt_id, outcome, queue, "
            "wait_seconds, attempted_at, local_hour, local_day, local_month, inquiry_id, "
            "call_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (attempt_id) DO NOTHING",
            (str(r["aggregate_id"]), r.get("outcome", ""), r.get("queue", ""),
             int(r.get("wait_seconds") or 0), self.time_to_sql(attempted),
             *self._keys(attempted), str(r.get("inquiry_id", "")), r.get("call_id", "")))
        return cur.rowcount > 0

    def _apply_stop(self, cur: Cursor, r: dict[str, Any]) -> bool:
        context = r.get("context") or {}
        if context.get("scope", "") not in CUSTOMER_SCOPES:
            return False      # a supplier engagement's clock: not the customer's service
        held = context.get("supplier_held_seconds", "")
        cur.execute(
            f"INSERT INTO {self.t('kpi_clock_stop')} (inquiry_id, target, cycle, event_id, "
            "outcome, elapsed_seconds, target_seconds, breached, stopped_at, local_hour, "
            "local_day, local_month, agreement_id, priority, kind, category, department, "
            "supplier_held_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (inquiry_id, target, cycle) DO NOTHING",
            (str(r["inquiry_id"]), r["target"], int(r["cycle"]), str(r.get("event_id", "")),
             r["outcome"], float(r["elapsed_seconds"]), int(r.get("target_seconds") or 0),
             int(bool(r.get("breached"))), self.time_to_sql(r.get("stopped_at")),
             *self._keys(r.get("stopped_at")), context.get("agreement_id", ""),
             context.get("priority", ""), context.get("kind", ""),
             context.get("category", ""), context.get("department", ""),
             float(held) if held else None))
        return cur.rowcount > 0

    # ----- queries -----

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
        return _page(rows, offset, limit)

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
        return _page(rows, offset, limit)

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
        return _page(rows, offset, limit)

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
        return _page(rows, offset, limit)

    # ----- reporting views -----

    def views(self) -> dict[str, str]:
        """Public SQL views (``report_v1_<name>``); times in UTC, local keys in the zone.

        - ``kpi_inquiry_facts``: one row per received inquiry — inquiry_id, channel, kind,
          category, department, priority, agreement_id, complaint (0/1), received_at,
          local_hour/day/month (of receipt), first_response_at, resolved_at (current
          resolution; NULL while open or reopened), answered_first_contact (0/1),
          resolution_count, escalation_count, reopen_count, satisfaction_score (latest,
          NULL if none), satisfaction_recorded_at, version (last inquiry event applied).
        - ``kpi_escalation_facts``: one row per escalation — inquiry_id, inquiry_version,
          target, destination, to_tier, to_department, to_supplier_id, from_department,
          escalated_at, local_hour/day/month (of the escalation), received_local_day and
          received_local_month of the inquiry (NULL until its receipt is known).
        - ``kpi_contact_attempts``: one row per telephony attempt — attempt_id, outcome
          (OFFERED/ANSWERED/ABANDONED), queue, wait_seconds, attempted_at,
          local_hour/day/month, inquiry_id, call_id.
        - ``kpi_clock_stops``: one row per stopped customer SLA clock cycle — inquiry_id,
          target, cycle, outcome (MET/MISSED/CANCELLED), elapsed_seconds and
          target_seconds (business time), breached (0/1), stopped_at, local_hour/day/month
          (of the stop), agreement_id, priority, kind, category, department (as the
          monitor saw them), supplier_held_seconds, received_local_day and
          received_local_month of the inquiry (NULL until its receipt is known).
        - ``kpi_daily``: per local_day × channel × category × department × agreement_id
          of receipt (local_month too, to roll up) — counts and sums that add up:
          received, answered_first_contact, escalated, reopened, complaints,
          first_response_measured and first_response_seconds_sum (mean = sum ÷
          measured), resolution_measured and resolution_seconds_sum,
          sla_first_response_met/missed, sla_resolution_met/missed (per clock cycle),
          csat_responses, csat_score_sum, csat_score_10.
        """
        facts, esc = self.t("kpi_inquiry_fact"), self.t("kpi_escalation")
        attempts, stops = self.t("kpi_contact_attempt"), self.t("kpi_clock_stop")
        done = "s.outcome IN ('MET', 'MISSED')"
        per_inquiry = (
            "SELECT s.inquiry_id, "
            f"SUM(CASE WHEN s.target = 'FIRST_RESPONSE' AND {done} THEN 1 ELSE 0 END) "
            "AS fr_cycles, "
            f"SUM(CASE WHEN s.target = 'FIRST_RESPONSE' AND {done} "
            "THEN s.elapsed_seconds ELSE 0 END) AS fr_seconds, "
            "SUM(CASE WHEN s.target = 'FIRST_RESPONSE' AND s.outcome = 'MET' "
            "THEN 1 ELSE 0 END) AS fr_met, "
            "SUM(CASE WHEN s.target = 'FIRST_RESPONSE' AND s.outcome = 'MISSED' "
            "THEN 1 ELSE 0 END) AS fr_missed, "
            f"SUM(CASE WHEN s.target = 'RESOLUTION' AND {done} THEN 1 ELSE 0 END) "
            "AS res_cycles, "
            f"SUM(CASE WHEN s.target = 'RESOLUTION' AND {done} "
            "THEN s.elapsed_seconds ELSE 0 END) AS res_seconds, "
            "SUM(CASE WHEN s.target = 'RESOLUTION' AND s.outcome = 'MET' "
            "THEN 1 ELSE 0 END) AS res_met, "
            "SUM(CASE WHEN s.target = 'RESOLUTION' AND s.outcome = 'MISSED' "
            "THEN 1 ELSE 0 END) AS res_missed "
            f"FROM {stops} s GROUP BY s.inquiry_id")
        return {
            "kpi_inquiry_facts": (
                "SELECT inquiry_id, channel, kind, category, department, priority, "
                "agreement_id, complaint, received_at, local_hour, local_day, local_month, "
                "first_response_at, resolved_at, answered_first_contact, resolution_count, "
                "escalation_count, reopen_count, satisfaction_score, "
                f"satisfaction_recorded_at, version FROM {facts} "
                "WHERE received_at IS NOT NULL"),
            "kpi_escalation_facts": (
                "SELECT e.inquiry_id, e.version AS inquiry_version, e.target, e.destination, "
                "e.to_tier, e.to_department, e.to_supplier_id, e.from_department, "
                "e.escalated_at, e.local_hour, e.local_day, e.local_month, "
                "f.local_day AS received_local_day, f.local_month AS received_local_month "
                f"FROM {esc} e LEFT JOIN {facts} f ON f.inquiry_id = e.inquiry_id"),
            "kpi_contact_attempts": (
                "SELECT attempt_id, outcome, queue, wait_seconds, attempted_at, local_hour, "
                f"local_day, local_month, inquiry_id, call_id FROM {attempts}"),
            "kpi_clock_stops": (
                "SELECT s.inquiry_id, s.target, s.cycle, s.outcome, s.elapsed_seconds, "
                "s.target_seconds, s.breached, s.stopped_at, s.local_hour, s.local_day, "
                "s.local_month, s.agreement_id, s.priority, s.kind, s.category, "
                "s.department, s.supplier_held_seconds, "
                "f.local_day AS received_local_day, f.local_month AS received_local_month "
                f"FROM {stops} s LEFT JOIN {facts} f ON f.inquiry_id = s.inquiry_id"),
            "kpi_daily": (
                "SELECT f.local_day, f.local_month, f.channel, f.category, f.department, "
                "f.agreement_id, COUNT(*) AS received, "
                "SUM(f.answered_first_contact) AS answered_first_contact, "
                "SUM(CASE WHEN f.escalation_count > 0 THEN 1 ELSE 0 END) AS escalated, "
                "SUM(CASE WHEN f.reopen_count > 0 THEN 1 ELSE 0 END) AS reopened, "
                "SUM(f.complaint) AS complaints, "
                "SUM(CASE WHEN s.fr_cycles > 0 THEN 1 ELSE 0 END) "
                "AS first_response_measured, "
                "COALESCE(SUM(s.fr_seconds), 0) AS first_response_seconds_sum, "
                "SUM(CASE WHEN s.res_cycles > 0 THEN 1 ELSE 0 END) AS resolution_measured, "
                "COALESCE(SUM(s.res_seconds), 0) AS resolution_seconds_sum, "
                "COALESCE(SUM(s.fr_met), 0) AS sla_first_response_met, "
                "COALESCE(SUM(s.fr_missed), 0) AS sla_first_response_missed, "
                "COALESCE(SUM(s.res_met), 0) AS sla_resolution_met, "
                "COALESCE(SUM(s.res_missed), 0) AS sla_resolution_missed, "
                "SUM(CASE WHEN f.satisfaction_score IS NOT NULL THEN 1 ELSE 0 END) "
                "AS csat_responses, "
                "COALESCE(SUM(f.satisfaction_score), 0) AS csat_score_sum, "
                "SUM(CASE WHEN f.satisfaction_score = 10 THEN 1 ELSE 0 END) AS csat_score_10 "
                f"FROM {facts} f LEFT JOIN ({per_inquiry}) s ON s.inquiry_id = f.inquiry_id "
                "WHERE f.local_day IS NOT NULL "
                "GROUP BY f.local_day, f.local_month, f.channel, f.category, f.department, "
                "f.agreement_id"),
        }
