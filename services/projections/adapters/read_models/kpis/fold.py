"""Applying events to the KPI facts: each fact once, by its event's identity."""

from __future__ import annotations

from typing import Any

from madoguchi.storage.sql import Cursor
from services.projections.adapters.read_models.kpis.tables import (
    CUSTOMER_SCOPES,
    INQUIRY_EVENTS,
    KpiTables,
)


class KpiFold(KpiTables):
    def apply(self, cur: Cursor, event_type: str, record: dict[str, Any]) -> bool:
        """Apply one event; False when it was applied before (or is not a customer stop)."""
        if event_type == "ContactAttemptRecorded":
            return self._apply_attempt(cur, record)
        if event_type == "SlaClockStopped":
            return self._apply_stop(cur, record)
        if event_type in INQUIRY_EVENTS:
            return self._apply_inquiry(cur, event_type, record)
        return False

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
