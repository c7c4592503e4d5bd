"""SQL index of the supplier service's own events, for listings, penalties and risk.

Rows are derived from the application's notification log by the index feed
(``services.supplier.application.index_feed``), in one transaction with the feed's
position, so the index is never ahead of, nor silently behind, the event store. Upserts
only move a row forward in version, so two replicas following the same log agree.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from madoguchi.storage.sql import Cursor, SqlDatabase
from madoguchi.storage.urls import DatabaseUrl

_DDL = """
CREATE TABLE IF NOT EXISTS supplier_index_position (
    name TEXT PRIMARY KEY,
    position BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS supplier_suppliers (
    supplier_id TEXT PRIMARY KEY,
    retired INTEGER NOT NULL,
    version BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS supplier_contracts (
    contract_id TEXT PRIMARY KEY,
    supplier_id TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS supplier_contracts_supplier ON supplier_contracts (supplier_id);
CREATE TABLE IF NOT EXISTS supplier_reviews (
    review_id TEXT PRIMARY KEY,
    supplier_id TEXT NOT NULL,
    held_on TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS supplier_reviews_supplier ON supplier_reviews (supplier_id, held_on);
CREATE TABLE IF NOT EXISTS supplier_engagements (
    engagement_id TEXT PRIMARY KEY,
    inquiry_id TEXT NOT NULL,
    escalation_version BIGINT NOT NULL,
    supplier_id TEXT NOT NULL,
    contract_id TEXT NOT NULL,
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    coverage TEXT NOT NULL,
    status TEXT NOT NULL,
    opened_us BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS supplier_engagements_order
    ON supplier_engagements (opened_us, engagement_id);
CREATE INDEX IF NOT EXISTS supplier_engagements_inquiry ON supplier_engagements (inquiry_id);
CREATE INDEX IF NOT EXISTS supplier_engagements_supplier
    ON supplier_engagements (supplier_id, opened_us);
CREATE TABLE IF NOT EXISTS supplier_penalty_lines (
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
    monthly_cap BIGINT NOT NULL,
    month_total BIGINT NOT NULL,
    capped INTEGER NOT NULL,
    accrued_us BIGINT NOT NULL,
    PRIMARY KEY (ledger_id, ledger_version)
);
CREATE INDEX IF NOT EXISTS supplier_penalty_lines_engagement
    ON supplier_penalty_lines (engagement_id);
CREATE INDEX IF NOT EXISTS supplier_penalty_lines_month
    ON supplier_penalty_lines (contract_id, month)
"""

ENGAGEMENT_COLUMNS = ("engagement_id", "inquiry_id", "escalation_version", "supplier_id",
                      "contract_id", "category", "priority", "coverage", "status", "opened_us",
                      "version")
LINE_COLUMNS = ("ledger_id", "ledger_version", "contract_id", "supplier_id", "month",
                "engagement_id", "inquiry_id", "target", "cycle", "rule", "units",
                "amount_due", "amount_accrued", "currency", "monthly_cap", "month_total",
                "capped", "accrued_us")


class EngagementIndex:
    """The supplier service's query tables in its own database."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db
        self.db.executescript(_DDL)

    # ----- the feed's writes -----

    def position(self, name: str) -> int:
        rows = self.db.query("SELECT position FROM supplier_index_position WHERE name = ?",
                             (name,))
        return int(rows[0][0]) if rows else 0

    def save_position(self, cur: Cursor, name: str, position: int) -> None:
        cur.execute(
            "INSERT INTO supplier_index_position (name, position) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET position = excluded.position "
            "WHERE excluded.position > supplier_index_position.position", (name, position))

    def upsert_supplier(self, cur: Cursor, supplier_id: str, retired: bool,
                        version: int) -> None:
        cur.execute(
            "INSERT INTO supplier_suppliers (supplier_id, retired, version) VALUES (?, ?, ?) "
            "ON CONFLICT (supplier_id) DO UPDATE SET retired = excluded.retired, "
            "version = excluded.version WHERE excluded.version > supplier_suppliers.version",
            (supplier_id, int(retired), version))

    def upsert_contract(self, cur: Cursor, contract_id: str, supplier_id: str,
                        version: int) -> None:
        cur.execute(
            "INSERT INTO supplier_contracts (contract_id, supplier_id, version) VALUES (?, ?, ?) "
            "ON CONFLICT (contract_id) DO UPDATE SET version = excluded.version "
            "WHERE excluded.version > supplier_contracts.version",
            (contract_id, supplier_id, version))

    def add_review(self, cur: Cursor, review_id: str, supplier_id: str, held_on: str) -> None:
        cur.execute("INSERT INTO supplier_reviews (review_id, supplier_id, held_on) "
                    "VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (review_id, supplier_id, held_on))

    def add_engagement(self, cur: Cursor, row: dict[str, Any]) -> None:
        cols = ", ".join(ENGAGEMENT_COLUMNS)
        marks = ", ".join("?" for _ in ENGAGEMENT_COLUMNS)
        cur.execute(f"INSERT INTO supplier_engagements ({cols}) VALUES ({marks}) "
                    "ON CONFLICT DO NOTHING", [row[c] for c in ENGAGEMENT_COLUMNS])

    def set_engagement_status(self, cur: Cursor, engagement_id: str, status: str | None,
                              version: int) -> None:
        if status is None:
            cur.execute("UPDATE supplier_engagements SET version = ? "
                        "WHERE engagement_id = ? AND version < ?",
                        (version, engagement_id, version))
        else:
            cur.execute("UPDATE supplier_engagements SET status = ?, version = ? "
                        "WHERE engagement_id = ? AND version < ?",
                        (status, version, engagement_id, version))

    def add_penalty_line(self, cur: Cursor, row: dict[str, Any]) -> None:
        cols = ", ".join(LINE_COLUMNS)
        marks = ", ".join("?" for _ in LINE_COLUMNS)
        cur.execute(f"INSERT INTO supplier_penalty_lines ({cols}) VALUES ({marks}) "
                    "ON CONFLICT DO NOTHING", [row[c] for c in LINE_COLUMNS])

    # ----- queries -----

    def supplier_ids(self, include_retired: bool) -> list[str]:
        sql = "SELECT supplier_id FROM supplier_suppliers"
        if not include_retired:
            sql += " WHERE retired = 0"
        return [r[0] for r in self.db.query(sql + " ORDER BY supplier_id")]

    def contract_ids(self, supplier_id: str = "") -> list[str]:
        if supplier_id:
            rows = self.db.query("SELECT contract_id FROM supplier_contracts "
                                 "WHERE supplier_id = ? ORDER BY contract_id", (supplier_id,))
        else:
            rows = self.db.query("SELECT contract_id FROM supplier_contracts "
                                 "ORDER BY contract_id")
        return [r[0] for r in rows]

    def review_ids(self, supplier_id: str) -> list[str]:
        return [r[0] for r in self.db.query(
            "SELECT review_id FROM supplier_reviews WHERE supplier_id = ? "
            "ORDER BY held_on, review_id", (supplier_id,))]

    def engagements(self, *, supplier_id: str = "", status: str = "", coverage: str = "",
                    inquiry_id: str = "", after: tuple[int, str] | None = None,
                    limit: int = 50) -> list[dict[str, Any]]:
        """Newest first (opened_at, then engagement id, descending); keyset after ``after``."""
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("supplier_id", supplier_id), ("status", status),
                              ("coverage", coverage), ("inquiry_id", inquiry_id)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if after is not None:
            where.append("(opened_us < ? OR (opened_us = ? AND engagement_id < ?))")
            params += [after[0], after[0], after[1]]
        sql = f"SELECT {', '.join(ENGAGEMENT_COLUMNS)} FROM supplier_engagements"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY opened_us DESC, engagement_id DESC LIMIT ?"
        params.append(limit)
        return [dict(zip(ENGAGEMENT_COLUMNS, r, strict=True))
                for r in self.db.query(sql, params)]

    def open_engagements_of(self, inquiry_id: str) -> list[dict[str, Any]]:
        return [r for r in self.engagements(inquiry_id=inquiry_id, limit=10_000)
                if r["status"] in ("OPEN", "ACKNOWLEDGED")]

    def penalty_lines(self, *, supplier_id: str = "", contract_id: str = "", month: str = "",
                      engagement_id: str = "") -> list[dict[str, Any]]:
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("supplier_id", supplier_id), ("contract_id", contract_id),
                              ("month", month), ("engagement_id", engagement_id)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        sql = f"SELECT {', '.join(LINE_COLUMNS)} FROM supplier_penalty_lines"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY contract_id, month, ledger_version"
        return [dict(zip(LINE_COLUMNS, r, strict=True)) for r in self.db.query(sql, params)]

    def category_counts(self, since_us: int | None, until_us: int | None
                        ) -> list[tuple[str, str, int]]:
        where: list[str] = []
        params: Sequence[Any] = []
        if since_us is not None:
            where.append("opened_us >= ?")
            params = [*params, since_us]
        if until_us is not None:
            where.append("opened_us < ?")
            params = [*params, until_us]
        sql = "SELECT category, supplier_id, COUNT(*) FROM supplier_engagements"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " GROUP BY category, supplier_id"
        return [(r[0], r[1], int(r[2])) for r in self.db.query(sql, params)]


def index_database_for(env: dict[str, str] | None) -> SqlDatabase:
    """The SQL database of the index: the event store's own database.

    With the in-memory (POPO) store, a private temporary SQLite file.
    """
    env = {**os.environ, **(env or {})}
    module = env.get("PERSISTENCE_MODULE", "eventsourcing.popo")
    if module.endswith("sqlite"):
        return SqlDatabase(DatabaseUrl(kind="sqlite", path=Path(env["SQLITE_DBNAME"])))
    if module.endswith("postgres"):
        return SqlDatabase(DatabaseUrl(
            kind="postgres", dbname=env.get("POSTGRES_DBNAME", ""),
            host=env.get("POSTGRES_HOST", "localhost"),
            port=int(env.get("POSTGRES_PORT", "5432")), user=env.get("POSTGRES_USER", ""),
            password=env.get("POSTGRES_PASSWORD", ""), schema=env.get("POSTGRES_SCHEMA", "")))
    path = Path(tempfile.mkdtemp(prefix="madoguchi-supplier-index-")) / "index.db"
    return SqlDatabase(DatabaseUrl(kind="sqlite", path=path))
