"""The KPI read model's fact tables and reporting views."""

from __future__ import annotations

from typing import Any

from services.projections.adapters.read_models.sql_tables import SqlReadModelBase
from services.projections.domain import kpi_math
from services.projections.domain.periods import (
    empty_keys,
    local_keys,
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



class KpiTables(SqlReadModelBase):
    """Facts per inquiry, escalation, call and clock stop, keyed by local hour, day and month."""


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

    def _keys(self, moment: Any) -> tuple[str | None, ...]:
        keys = local_keys(moment, self.zone) if moment else empty_keys()
        return tuple(keys[k] for k in KEYS)
