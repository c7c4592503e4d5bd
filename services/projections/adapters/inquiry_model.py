"""SQL tables of the projections service: read models, consumed offsets, rejected messages.

The tables are a public interface for reporting tools (see README "Read models").
Each consumed batch is applied in one transaction together with the partition's next
offset. Inquiry events are applied strictly in version order: a timeline row is stored
once per (inquiry, version) and folded into the view when its predecessor is there, so
redelivered, replayed or reordered messages never double-apply.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from madoguchi.storage.offsets import ConsumerOffsets
from madoguchi.storage.sql import Cursor, SqlDatabase
from services.projections.domain import inquiry_view

VIEW_COLUMNS = list(inquiry_view.new_view("").keys())
TIME_COLUMNS = {"received_at", "first_response_at", "resolved_at", "closed_at", "updated_at"}
BOOL_COLUMNS = {"resolved_at_first_contact"}


def _ddl(ts: str) -> str:
    return f"""
CREATE TABLE IF NOT EXISTS inquiry_view (
    inquiry_id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT NOT NULL,
    department TEXT NOT NULL,
    priority TEXT NOT NULL,
    agreement_id TEXT NOT NULL,
    received_at {ts},
    first_response_at {ts},
    resolved_at {ts},
    closed_at {ts},
    team TEXT NOT NULL,
    assignee TEXT NOT NULL,
    tier INTEGER NOT NULL,
    escalated_department TEXT NOT NULL,
    supplier_id TEXT NOT NULL,
    hold_reason TEXT NOT NULL,
    resolved_at_first_contact BOOLEAN NOT NULL,
    contact_count INTEGER NOT NULL,
    escalation_count INTEGER NOT NULL,
    reopen_count INTEGER NOT NULL,
    satisfaction_score INTEGER,
    faq_entry_id TEXT NOT NULL,
    updated_at {ts}
);
CREATE INDEX IF NOT EXISTS inquiry_view_received ON inquiry_view (received_at, inquiry_id);
CREATE INDEX IF NOT EXISTS inquiry_view_status ON inquiry_view (status);
CREATE INDEX IF NOT EXISTS inquiry_view_category ON inquiry_view (category);
CREATE INDEX IF NOT EXISTS inquiry_view_department ON inquiry_view (department);
CREATE TABLE IF NOT EXISTS inquiry_timeline (
    inquiry_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    occurred_at {ts},
    recorded_at {ts},
    actor TEXT NOT NULL,
    record_json TEXT NOT NULL,
    PRIMARY KEY (inquiry_id, version)
);
CREATE TABLE IF NOT EXISTS contact_attempt_view (
    attempt_id TEXT PRIMARY KEY,
    outcome TEXT NOT NULL,
    queue TEXT NOT NULL,
    wait_seconds INTEGER NOT NULL,
    attempted_at {ts},
    inquiry_id TEXT NOT NULL,
    call_id TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class InquiryFilter:
    statuses: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    category: str = ""
    department: str = ""
    received_from: datetime | None = None
    received_to: datetime | None = None


class PageTokenError(ValueError):
    """The page token was not issued by this service."""


def encode_token(received_at: str, inquiry_id: str) -> str:
    raw = json.dumps([received_at, inquiry_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        received_at, inquiry_id = json.loads(raw)
        datetime.fromisoformat(str(received_at))
        UUID(str(inquiry_id))
        return str(received_at), str(inquiry_id)
    except (ValueError, TypeError) as error:
        raise PageTokenError("page_token is not valid") from error


class InquiryStore:
    """The inquiry read model and the consumer's offsets, in one database."""

    def __init__(self, db: SqlDatabase, consumer: str = "projections") -> None:
        self.db = db
        self.consumer = consumer
        self.db.executescript(_ddl("TIMESTAMPTZ" if db.is_postgres else "TEXT"))
        self.offsets = ConsumerOffsets(db, consumer)   # positions and set-aside messages

    # ----- value conversion between the fold's JSON-able values and SQL -----

    def _to_sql(self, column: str, value: Any) -> Any:
        if column in TIME_COLUMNS or column in ("occurred_at", "recorded_at", "attempted_at"):
            if value is None:
                return None
            moment = datetime.fromisoformat(value) if isinstance(value, str) else value
            moment = moment.astimezone(UTC)
            return moment if self.db.is_postgres else moment.isoformat(timespec="microseconds")
        return value

    def _from_sql(self, column: str, value: Any) -> Any:
        if column in TIME_COLUMNS and value is not None:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else value
            return moment.astimezone(UTC).isoformat(timespec="microseconds")
        if column in BOOL_COLUMNS:
            return bool(value)
        return value

    # ----- applying events -----

    def apply_inquiry_event(self, cur: Cursor, event_type: str, record: dict[str, Any]) -> bool:
        """Store the event on the timeline and fold what is now contiguous; False if seen."""
        inquiry_id = str(record["aggregate_id"])
        version = int(record["aggregate_version"])
        cur.execute(
            "INSERT INTO inquiry_timeline (inquiry_id, version, event_id, event_type, "
            "occurred_at, recorded_at, actor, record_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (inquiry_id, version) DO NOTHING",
            (inquiry_id, version, str(record["event_id"]), event_type,
             self._to_sql("occurred_at", record.get("occurred_at")),
             self._to_sql("recorded_at", record.get("recorded_at")),
             record.get("actor", ""), json.dumps(record, ensure_ascii=False)))
        if cur.rowcount == 0:
            return False
        view = self._load_view(cur, inquiry_id) or inquiry_view.new_view(inquiry_id)
        if version != view["version"] + 1:
            return True  # an earlier version is still to come; folded when it arrives
        view = inquiry_view.apply(view, event_type, record)
        # Fold any later versions that arrived before this one.
        pending = cur.execute(
            "SELECT version, event_type, record_json FROM inquiry_timeline "
            "WHERE inquiry_id = ? AND version > ? ORDER BY version",
            (inquiry_id, version)).fetchall()
        for later_version, later_type, later_json in pending:
            if later_version != view["version"] + 1:
                break
            view = inquiry_view.apply(view, later_type, json.loads(later_json))
        self._save_view(cur, view)
        return True

    def apply_contact_attempt(self, cur: Cursor, record: dict[str, Any]) -> bool:
        cur.execute(
            "INSERT INTO contact_attempt_view (attempt_id, outcome, queue, wait_seconds, "
            "attempted_at, inquiry_id, call_id) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (attempt_id) DO NOTHING",
            (str(record["aggregate_id"]), record["outcome"], record["queue"],
             int(record["wait_seconds"]), self._to_sql("attempted_at", record["attempted_at"]),
             record.get("inquiry_id", ""), record.get("call_id", "")))
        return cur.rowcount > 0

    def _load_view(self, cur: Cursor, inquiry_id: str) -> dict[str, Any] | None:
        row = cur.execute(
            f"SELECT {', '.join(VIEW_COLUMNS)} FROM inquiry_view WHERE inquiry_id = ?",
            (inquiry_id,)).fetchone()
        if row is None:
            return None
        return {c: self._from_sql(c, v) for c, v in zip(VIEW_COLUMNS, row, strict=True)}

    def _save_view(self, cur: Cursor, view: dict[str, Any]) -> None:
        columns = ", ".join(VIEW_COLUMNS)
        marks = ", ".join("?" for _ in VIEW_COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in VIEW_COLUMNS if c != "inquiry_id")
        cur.execute(
            f"INSERT INTO inquiry_view ({columns}) VALUES ({marks}) "
            f"ON CONFLICT (inquiry_id) DO UPDATE SET {updates}",
            tuple(self._to_sql(c, view[c]) for c in VIEW_COLUMNS))

    # ----- queries -----

    def get(self, inquiry_id: str) -> dict[str, Any] | None:
        with self.db.transaction() as cur:
            view = self._load_view(cur, inquiry_id)
            if view is None:
                return None
            rows = cur.execute(
                "SELECT version, event_type, occurred_at, actor, record_json "
                "FROM inquiry_timeline WHERE inquiry_id = ? AND version <= ? ORDER BY version",
                (inquiry_id, view["version"])).fetchall()
        view["timeline"] = [
            {"version": v, "event_type": t, "occurred_at": self._from_sql("updated_at", o),
             "actor": a, "details": inquiry_view.timeline_details(json.loads(j))}
            for v, t, o, a, j in rows
        ]
        return view

    def list(self, flt: InquiryFilter, page_size: int, page_token: str
             ) -> tuple[list[dict[str, Any]], str, int]:
        where: list[str] = ["version > 0"]
        params: list[Any] = []
        for column, values in (("status", flt.statuses), ("channel", flt.channels),
                               ("kind", flt.kinds)):
            if values:
                where.append(f"{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        for column, value in (("category", flt.category), ("department", flt.department)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if flt.received_from is not None:
            where.append("received_at >= ?")
            params.append(self._to_sql("received_at", flt.received_from))
        if flt.received_to is not None:
            where.append("received_at < ?")
            params.append(self._to_sql("received_at", flt.received_to))
        clause = " AND ".join(where)
        total = self.db.query(f"SELECT COUNT(*) FROM inquiry_view WHERE {clause}", params)[0][0]
        page_params = list(params)
        page_clause = clause
        if page_token:
            received_at, inquiry_id = decode_token(page_token)
            page_clause += " AND (received_at < ? OR (received_at = ? AND inquiry_id < ?))"
            moment = self._to_sql("received_at", received_at)
            page_params.extend([moment, moment, inquiry_id])
        rows = self.db.query(
            f"SELECT {', '.join(VIEW_COLUMNS)} FROM inquiry_view WHERE {page_clause} "
            f"ORDER BY received_at DESC, inquiry_id DESC LIMIT ?",
            [*page_params, page_size + 1])
        views = [{c: self._from_sql(c, v) for c, v in zip(VIEW_COLUMNS, row, strict=True)}
                 for row in rows]
        next_token = ""
        if len(views) > page_size:
            views = views[:page_size]
            last = views[-1]
            next_token = encode_token(last["received_at"], last["inquiry_id"])
        return views, next_token, int(total)
