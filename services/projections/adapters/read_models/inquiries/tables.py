"""The inquiries read model's tables, reporting views and row conversion."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from madoguchi.errors import InvalidField
from madoguchi.storage.sql import Cursor, SqlDatabase
from services.projections.adapters.read_models.sql_tables import SqlReadModelBase
from services.projections.application.read_models import TableNames
from services.projections.domain import inquiry_view, sla_replay

log = logging.getLogger(__name__)


VIEW_COLUMNS = [*inquiry_view.new_view("").keys(), "next_deadline_at", "next_deadline_target"]


TIME_COLUMNS = {"received_at", "first_response_at", "resolved_at", "closed_at", "updated_at",
                "next_deadline_at"}


BOOL_COLUMNS = {"resolved_at_first_contact"}


OPEN_STATUSES = ("RECEIVED", "RESPONDED", "ASSIGNED", "ESCALATED", "ON_HOLD")


STATUSES = (*OPEN_STATUSES, "RESOLVED", "CLOSED")


CHANNELS = ("PHONE", "FAX", "EMAIL", "CHAT", "WEB_FORM", "WALK_IN", "LETTER")


KINDS = ("QUESTION", "REQUEST", "INCIDENT", "COMPLAINT")


SLA_STATES = ("ON_TRACK", "AT_RISK", "BREACHED", "MISSED")


QUEUE_DIMENSIONS = {"team": "team", "tier": "tier", "department": "department",
                    "assignee": "assignee", "supplier": "supplier_id",
                    "escalated_department": "escalated_department"}


INQUIRY_EVENTS = frozenset({
    "InquiryReceived", "InquiryContactLogged", "InquiryFirstResponseRecorded",
    "InquiryAssigned", "InquiryEscalated", "InquiryPriorityChanged", "InquiryPutOnHold",
    "InquiryResumed", "InquirySupplierEngaged", "InquirySupplierOutcomeRecorded",
    "InquiryResolved", "InquiryReopened", "InquiryClosed", "InquirySatisfactionRecorded",
})


AGREEMENT_CACHE_SECONDS = 10.0


MAX_AGE_MINUTES = 60 * 24 * 3660   # ten years


SIGNAL_EVENTS = frozenset({"SlaWarningReached", "SlaBreached", "SlaClockStopped"})


AGREEMENT_EVENTS = frozenset({"AgreementRegistered", "AgreementRevised"})



def month_bounds(month: str, zone: str) -> tuple[datetime, datetime]:
    """The instants where local ``month`` ('YYYY-MM') starts and the next one starts."""
    year, number = (int(part) for part in month.split("-"))
    tz = ZoneInfo(zone)
    start = datetime(year, number, 1, tzinfo=tz)
    end = datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


class InquiryTables(SqlReadModelBase):
    """Inquiries, timelines, customer clock states, contact attempts, agreement versions."""


    def __init__(self, db: SqlDatabase, tables: TableNames | None = None,
                 zone: str = "Asia/Tokyo") -> None:
        super().__init__(db, tables, zone)
        self._terms_cache: dict[tuple[str, int], Any] = {}
        self._versions: dict[str, tuple[float, list[tuple[int, str, str]]]] = {}

    def ddl(self) -> str:
        t, ts = self.t, self.ts
        return f"""
CREATE TABLE IF NOT EXISTS {t("inquiry_view")} (
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
    updated_at {ts},
    next_deadline_at {ts},
    next_deadline_target TEXT NOT NULL DEFAULT '',
    search_text TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS {t("inquiry_view_received")}
    ON {t("inquiry_view")} (received_at, inquiry_id);
CREATE INDEX IF NOT EXISTS {t("inquiry_view_status")} ON {t("inquiry_view")} (status);
CREATE INDEX IF NOT EXISTS {t("inquiry_view_team")} ON {t("inquiry_view")} (team, status);
CREATE INDEX IF NOT EXISTS {t("inquiry_view_agreement")}
    ON {t("inquiry_view")} (agreement_id, status);
CREATE TABLE IF NOT EXISTS {t("inquiry_timeline")} (
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
CREATE TABLE IF NOT EXISTS {t("inquiry_clock")} (
    inquiry_id TEXT NOT NULL,
    target TEXT NOT NULL,
    cycle INTEGER NOT NULL,
    state TEXT NOT NULL,
    state_rank INTEGER NOT NULL,
    percent INTEGER NOT NULL,
    due_at {ts},
    updated_at {ts},
    PRIMARY KEY (inquiry_id, target, cycle)
);
CREATE TABLE IF NOT EXISTS {t("agreement_version")} (
    agreement_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    terms_json TEXT NOT NULL,
    recorded_at {ts},
    PRIMARY KEY (agreement_id, version)
);
CREATE TABLE IF NOT EXISTS {t("contact_attempt_view")} (
    attempt_id TEXT PRIMARY KEY,
    outcome TEXT NOT NULL,
    queue TEXT NOT NULL,
    wait_seconds INTEGER NOT NULL,
    attempted_at {ts},
    inquiry_id TEXT NOT NULL,
    call_id TEXT NOT NULL
)
"""

    def views(self) -> dict[str, str]:
        t = self.t
        view_cols = ", ".join(c for c in VIEW_COLUMNS)
        return {
            "inquiries": f"SELECT {view_cols} FROM {t('inquiry_view')} WHERE version > 0",
            "inquiry_timeline": "SELECT inquiry_id, version, event_id, event_type, occurred_at, "
                                f"recorded_at, actor, record_json FROM {t('inquiry_timeline')}",
            "inquiry_clocks": "SELECT inquiry_id, target, cycle, state, percent, due_at, "
                              f"updated_at FROM {t('inquiry_clock')}",
            "contact_attempts": "SELECT attempt_id, outcome, queue, wait_seconds, attempted_at, "
                                f"inquiry_id, call_id FROM {t('contact_attempt_view')}",
            "agreement_versions": "SELECT agreement_id, version, name, terms_json, recorded_at "
                                  f"FROM {t('agreement_version')}",
        }

    def _from_sql(self, column: str, value: Any) -> Any:
        if column in TIME_COLUMNS:
            return self.time_from_sql(value)
        if column in BOOL_COLUMNS:
            return bool(value)
        return value

    def _row(self, row: Sequence[Any]) -> dict[str, Any]:
        return {c: self._from_sql(c, v) for c, v in zip(VIEW_COLUMNS, row, strict=True)}

    def _load_view(self, cur: Cursor, inquiry_id: str) -> dict[str, Any] | None:
        row = cur.execute(
            f"SELECT {', '.join(VIEW_COLUMNS)} FROM {self.t('inquiry_view')} "
            "WHERE inquiry_id = ?", (inquiry_id,)).fetchone()
        return None if row is None else self._row(row)

    def _save_view(self, cur: Cursor, view: dict[str, Any]) -> None:
        columns = [*VIEW_COLUMNS, "search_text"]
        values = [view[c] for c in VIEW_COLUMNS]
        values = [self.time_to_sql(v) if c in TIME_COLUMNS else v
                  for c, v in zip(VIEW_COLUMNS, values, strict=True)]
        values.append(f"{view['subject']}\n{view['body']}".lower())
        marks = ", ".join("?" for _ in columns)
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "inquiry_id")
        table = self.t("inquiry_view")
        # Never back: a row already at a later version (written meanwhile) stays as it is.
        cur.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "
            f"ON CONFLICT (inquiry_id) DO UPDATE SET {updates} "
            f"WHERE {table}.version <= excluded.version", tuple(values))

    def agreement_terms(self, cur: Cursor, agreement_id: str, at: str | None = None
                        ) -> tuple[int, str] | None:
        """The agreement version in force at ``at`` (as the monitor pins it at receipt),
        else the earliest known one; None while no version of it has arrived.

        Versions are kept for a few seconds: stored versions never change, a version this
        instance applies clears the entry at once (``_apply_agreement``), and one another
        instance applied (it owns the agreements partition) is seen within the TTL.
        """
        cached = self._versions.get(agreement_id)
        if cached is None or time.monotonic() - cached[0] > AGREEMENT_CACHE_SECONDS:
            rows = cur.execute(
                f"SELECT version, recorded_at, terms_json FROM {self.t('agreement_version')} "
                "WHERE agreement_id = ? ORDER BY version", (agreement_id,)).fetchall()
            cached = (time.monotonic(),
                      [(int(v), self.time_from_sql(r) or "", str(j)) for v, r, j in rows])
            self._versions[agreement_id] = cached
        versions = cached[1]
        if not versions:
            return None
        moment = datetime.fromisoformat(at) if at else None
        in_force = [v for v in versions
                    if moment is not None and v[1] and datetime.fromisoformat(v[1]) <= moment]
        version, _, terms_json = in_force[-1] if in_force else versions[0]
        return version, terms_json

    def _terms(self, agreement_id: str, version: int, terms_json: str) -> Any:
        """Parsed terms, cached: calendars are costly to build on every event."""
        key = (agreement_id, version)
        if key not in self._terms_cache:
            try:
                self._terms_cache[key] = sla_replay.terms_from_json(terms_json)
            except InvalidField as error:
                log.warning("agreement %s v%d has terms the clocks cannot use: %s",
                            agreement_id, version, error)
                self._terms_cache[key] = None
        return self._terms_cache[key]

    def _timeline(self, cur: Cursor, inquiry_id: str) -> list[tuple[str, dict[str, Any]]]:
        return [(event_type, json.loads(record_json)) for event_type, record_json in
                cur.execute(f"SELECT event_type, record_json FROM {self.t('inquiry_timeline')}"
                            " WHERE inquiry_id = ? ORDER BY version", (inquiry_id,)).fetchall()]
