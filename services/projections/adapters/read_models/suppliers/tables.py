"""The supplier read model's tables and reporting views."""

from __future__ import annotations

from typing import Any

from services.projections.adapters.read_models.sql_tables import SqlReadModelBase
from services.projections.domain import supplier_scorecard as sc

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





class SupplierTables(SqlReadModelBase):
    """Suppliers, contract terms, engagements, their clocks and penalty lines."""


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
