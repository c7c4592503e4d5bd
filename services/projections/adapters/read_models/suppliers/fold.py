"""Applying supplier, contract, engagement, clock and penalty events (the newer version wins)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from madoguchi.storage.sql import Cursor
from services.projections.adapters.read_models.suppliers.tables import (
    ENGAGEMENT_EVENTS,
    ENGAGEMENT_TIMES,
    PENALTY_COLUMNS,
    SIGNAL_EVENTS,
    TERMS_EVENTS,
    SupplierTables,
)
from services.projections.domain import supplier_scorecard as sc
from services.projections.domain.periods import empty_keys, local_keys
from services.projections.domain.sla_facts import SUPPLIER, scope_of


def _newer(column: str) -> str:
    """SQL keeping the larger of ``column`` and the bound version (portable MAX of two)."""
    return f"{column} = CASE WHEN {column} < ? THEN ? ELSE {column} END"



class SupplierFold(SupplierTables):
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
