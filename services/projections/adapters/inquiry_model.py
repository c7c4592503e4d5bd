"""The inquiries read model: current state, timeline, SLA state, queues and search.

Inquiry events are applied strictly in version order: a timeline row is stored once per
(inquiry, version) and folded into the view when its predecessor is there, so
redelivered, replayed or reordered messages never double-apply. SLA signals of customer
clocks keep one row per clock (the furthest state wins), which gives the "at risk" and
"breached" filters. Agreement versions are kept so each open inquiry's next deadline can
be worked out by replaying its timeline through the SLA clock rules.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from madoguchi import page_tokens
from madoguchi.errors import InvalidField
from madoguchi.storage.sql import Cursor, SqlDatabase
from services.projections.adapters.sql_tables import SqlReadModelBase
from services.projections.application.read_models import Param, QuerySpec, TableNames
from services.projections.domain import inquiry_view, sla_replay
from services.projections.domain.clock_states import CLOCK_RANK, clock_state

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


@dataclass(frozen=True)
class InquiryFilter:
    """Filters of ``ListInquiries``; empty values mean "any"."""

    statuses: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    category: str = ""
    department: str = ""
    received_from: datetime | None = None
    received_to: datetime | None = None
    team: str = ""
    assignee: str = ""
    tiers: tuple[int, ...] = ()
    escalated_department: str = ""
    supplier_id: str = ""
    agreement_id: str = ""
    sla_states: tuple[str, ...] = ()
    min_age_minutes: int = 0
    max_age_minutes: int = 0
    text: str = ""
    now: datetime | None = None        # age is measured to this instant (default: now)


def inquiry_position(values: list[Any]) -> tuple[str, str]:
    """Where the next page of inquiries starts: (received_at, inquiry_id) of the last one."""
    received_at, inquiry_id = values
    moment = datetime.fromisoformat(str(received_at))
    if moment.tzinfo is None or not 1900 <= moment.year <= 2999:
        raise ValueError("not a time this service issued")
    moment.astimezone(UTC)
    UUID(str(inquiry_id))
    return str(received_at), str(inquiry_id)


def month_bounds(month: str, zone: str) -> tuple[datetime, datetime]:
    """The instants where local ``month`` ('YYYY-MM') starts and the next one starts."""
    year, number = (int(part) for part in month.split("-"))
    tz = ZoneInfo(zone)
    start = datetime(year, number, 1, tzinfo=tz)
    end = datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def _page(rows: list[tuple[Any, ...]], offset: int, limit: int | None) -> list[tuple[Any, ...]]:
    return rows[offset:offset + limit] if limit is not None else rows[offset:]


def like_pattern(text: str) -> str:
    """``text`` as a LIKE substring pattern, its own ``%``, ``_`` and ``\\`` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


class InquiryReadModel(SqlReadModelBase):
    """Inquiries, their timelines, customer clock states and agreement terms."""

    name = "inquiries"
    event_types = INQUIRY_EVENTS | SIGNAL_EVENTS | AGREEMENT_EVENTS | {"ContactAttemptRecorded"}

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

    # ----- value conversion between the fold's JSON-able values and SQL -----

    def _from_sql(self, column: str, value: Any) -> Any:
        if column in TIME_COLUMNS:
            return self.time_from_sql(value)
        if column in BOOL_COLUMNS:
            return bool(value)
        return value

    def _row(self, row: Sequence[Any]) -> dict[str, Any]:
        return {c: self._from_sql(c, v) for c, v in zip(VIEW_COLUMNS, row, strict=True)}

    # ----- applying events -----

    def apply(self, cur: Cursor, event_type: str, record: dict[str, Any]) -> bool:
        if event_type in INQUIRY_EVENTS:
            return self.apply_inquiry_event(cur, event_type, record)
        if event_type in SIGNAL_EVENTS:
            return self._apply_signal(cur, event_type, record)
        if event_type in AGREEMENT_EVENTS:
            return self._apply_agreement(cur, record)
        return self._apply_contact_attempt(cur, record)

    def apply_inquiry_event(self, cur: Cursor, event_type: str, record: dict[str, Any]) -> bool:
        """Store the event on the timeline and fold what is now contiguous; False if seen."""
        t = self.t
        inquiry_id = str(record["aggregate_id"])
        version = int(record["aggregate_version"])
        cur.execute(
            f"INSERT INTO {t('inquiry_timeline')} (inquiry_id, version, event_id, event_type, "
            "occurred_at, recorded_at, actor, record_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (inquiry_id, version) DO NOTHING",
            (inquiry_id, version, str(record["event_id"]), event_type,
             self.time_to_sql(record.get("occurred_at")),
             self.time_to_sql(record.get("recorded_at")),
             record.get("actor", ""), json.dumps(record, ensure_ascii=False)))
        if cur.rowcount == 0:
            return False
        view = self._load_view(cur, inquiry_id) or inquiry_view.new_view(inquiry_id)
        if version != view["version"] + 1:
            return True  # an earlier version is still to come; folded when it arrives
        before = dict(view)
        view = inquiry_view.apply(view, event_type, record)
        folded = [event_type]
        timeline: list[tuple[str, dict[str, Any]]] | None = None
        if version == 1 or event_type in sla_replay.CLOCK_EVENTS:
            timeline = self._timeline(cur, inquiry_id)   # for the deadline, and what waits
            later = [entry for entry in timeline
                     if int(entry[1]["aggregate_version"]) > version]
        else:
            later = [(et, json.loads(j)) for et, j in cur.execute(
                f"SELECT event_type, record_json FROM {t('inquiry_timeline')} "
                "WHERE inquiry_id = ? AND version > ? ORDER BY version",
                (inquiry_id, version)).fetchall()]
        # Fold any later versions that arrived before this one.
        for later_type, later_record in later:
            if int(later_record["aggregate_version"]) != view["version"] + 1:
                break
            view = inquiry_view.apply(view, later_type, later_record)
            folded.append(later_type)
        if (view["status"] != before["status"] or view["agreement_id"] != before["agreement_id"]
                or any(et in sla_replay.CLOCK_EVENTS for et in folded)):
            if timeline is None:
                timeline = self._timeline(cur, inquiry_id)
            self._set_deadline(cur, view, timeline)
        self._save_view(cur, view)
        return True

    def _apply_contact_attempt(self, cur: Cursor, record: dict[str, Any]) -> bool:
        cur.execute(
            f"INSERT INTO {self.t('contact_attempt_view')} (attempt_id, outcome, queue, "
            "wait_seconds, attempted_at, inquiry_id, call_id) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (attempt_id) DO NOTHING",
            (str(record["aggregate_id"]), record["outcome"], record["queue"],
             int(record["wait_seconds"]), self.time_to_sql(record["attempted_at"]),
             record.get("inquiry_id", ""), record.get("call_id", "")))
        return cur.rowcount > 0

    def _apply_signal(self, cur: Cursor, event_type: str, record: dict[str, Any]) -> bool:
        """Keep the furthest state of each customer clock (stop > breach > warning)."""
        context = record.get("context") or {}
        if context.get("scope", "") not in ("", "CUSTOMER"):
            return False   # supplier clocks belong to the suppliers read model
        state = clock_state(event_type, record)
        rank = CLOCK_RANK[state]
        percent = int(record.get("percent") or (100 if event_type != "SlaWarningReached" else 0))
        key = (str(record["inquiry_id"]), record["target"], int(record["cycle"]))
        row = cur.execute(
            f"SELECT state_rank, percent FROM {self.t('inquiry_clock')} "
            "WHERE inquiry_id = ? AND target = ? AND cycle = ?", key).fetchone()
        if row is not None and (row[0], row[1]) >= (rank, percent):
            return False
        cur.execute(
            f"INSERT INTO {self.t('inquiry_clock')} (inquiry_id, target, cycle, state, "
            "state_rank, percent, due_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (inquiry_id, target, cycle) DO UPDATE SET state = excluded.state, "
            "state_rank = excluded.state_rank, percent = excluded.percent, "
            "due_at = excluded.due_at, updated_at = excluded.updated_at",
            (*key, state, rank, percent, self.time_to_sql(record.get("due_at")),
             self.time_to_sql(record.get("occurred_at"))))
        return True

    def _apply_agreement(self, cur: Cursor, record: dict[str, Any]) -> bool:
        terms_json = record.get("terms_json") or "{}"
        try:
            name = str(json.loads(terms_json).get("name", ""))
        except ValueError:
            name = ""
        cur.execute(
            f"INSERT INTO {self.t('agreement_version')} (agreement_id, version, name, "
            "terms_json, recorded_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (agreement_id, version) DO NOTHING",
            (record["agreement_id"], int(record["aggregate_version"]), name, terms_json,
             self.time_to_sql(record.get("occurred_at"))))
        if cur.rowcount == 0:
            return False
        self._versions.pop(record["agreement_id"], None)
        # Open inquiries of that agreement may have been folded before their terms came.
        for (inquiry_id,) in cur.execute(
                f"SELECT inquiry_id FROM {self.t('inquiry_view')} WHERE agreement_id = ? "
                f"AND status IN ({', '.join('?' for _ in OPEN_STATUSES)})",
                (record["agreement_id"], *OPEN_STATUSES)).fetchall():
            view = self._load_view(cur, inquiry_id)
            if view is not None:
                self._set_deadline(cur, view)
                # Only the deadline, and only if no later event was folded meanwhile (by
                # the replica that owns the inquiry's partition): that one set it already.
                cur.execute(
                    f"UPDATE {self.t('inquiry_view')} SET next_deadline_at = ?, "
                    "next_deadline_target = ? WHERE inquiry_id = ? AND version = ?",
                    (self.time_to_sql(view["next_deadline_at"]),
                     view["next_deadline_target"], inquiry_id, view["version"]))
        return True

    # ----- next deadline -----

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

    def _set_deadline(self, cur: Cursor, view: dict[str, Any],
                      timeline: list[tuple[str, dict[str, Any]]] | None = None) -> None:
        """The nearest breach of a running clock, by replaying the timeline folded so far.

        Only events that move a clock can change it (``sla_replay.CLOCK_EVENTS``), so the
        fold calls this for those alone; the rest keep the deadline already stored.
        """
        view["next_deadline_at"], view["next_deadline_target"] = None, ""
        if view["status"] not in OPEN_STATUSES or not view["agreement_id"]:
            return
        agreement = self.agreement_terms(cur, view["agreement_id"], view["received_at"])
        if agreement is None:
            return
        terms = self._terms(view["agreement_id"], *agreement)
        if terms is None:
            return
        timeline = [entry for entry in (timeline or self._timeline(cur, view["inquiry_id"]))
                    if int(entry[1]["aggregate_version"]) <= view["version"]]
        found = sla_replay.next_deadline(timeline, terms, agreement_version=agreement[0])
        if found is not None:
            view["next_deadline_target"] = found.target
            view["next_deadline_at"] = found.due_at.astimezone(UTC).isoformat(
                timespec="microseconds")

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

    # ----- rows -----

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

    # ----- queries -----

    def get(self, inquiry_id: str) -> dict[str, Any] | None:
        t = self.t
        with self.db.transaction() as cur:
            view = self._load_view(cur, inquiry_id)
            if view is None or view["version"] == 0:
                return None
            rows = cur.execute(
                "SELECT version, event_type, occurred_at, actor, record_json "
                f"FROM {t('inquiry_timeline')} WHERE inquiry_id = ? AND version <= ? "
                "ORDER BY version", (inquiry_id, view["version"])).fetchall()
            clocks = cur.execute(
                f"SELECT target, cycle, state, percent, due_at FROM {t('inquiry_clock')} "
                "WHERE inquiry_id = ? ORDER BY cycle, target", (inquiry_id,)).fetchall()
        view["timeline"] = [
            {"version": v, "event_type": et, "occurred_at": self.time_from_sql(o),
             "actor": a, "details": inquiry_view.timeline_details(json.loads(j))}
            for v, et, o, a, j in rows
        ]
        view["clocks"] = [
            {"target": target, "cycle": cycle, "state": state, "percent": percent,
             "due_at": self.time_from_sql(due)}
            for target, cycle, state, percent, due in clocks
        ]
        view["sla_state"] = self._sla_state_of(view["clocks"])
        return view

    @staticmethod
    def _sla_state_of(clocks: list[dict[str, Any]]) -> str:
        states = {c["state"] for c in clocks}
        for state in ("BREACHED", "AT_RISK"):
            if state in states:
                return state
        return "MISSED" if "MISSED" in states else "ON_TRACK"

    def _where(self, flt: InquiryFilter) -> tuple[str, list[Any]]:
        t = self.t
        where: list[str] = ["version > 0"]
        params: list[Any] = []
        for column, values in (("status", flt.statuses), ("channel", flt.channels),
                               ("kind", flt.kinds), ("tier", flt.tiers)):
            if values:
                where.append(f"{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        for column, value in (("category", flt.category), ("department", flt.department),
                              ("team", flt.team), ("assignee", flt.assignee),
                              ("escalated_department", flt.escalated_department),
                              ("supplier_id", flt.supplier_id),
                              ("agreement_id", flt.agreement_id)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if flt.received_from is not None:
            where.append("received_at >= ?")
            params.append(self.time_to_sql(flt.received_from))
        if flt.received_to is not None:
            where.append("received_at < ?")
            params.append(self.time_to_sql(flt.received_to))
        now = flt.now or datetime.now(UTC)
        if flt.min_age_minutes:
            where.append("received_at <= ?")
            params.append(self.time_to_sql(now - timedelta(minutes=flt.min_age_minutes)))
        if flt.max_age_minutes:
            where.append("received_at >= ?")
            params.append(self.time_to_sql(now - timedelta(minutes=flt.max_age_minutes)))
        if flt.text:
            where.append("search_text LIKE ? ESCAPE '\\'")
            params.append(like_pattern(flt.text))
        if flt.sla_states:
            alternatives = []
            clocks = t("inquiry_clock")
            for state in flt.sla_states:
                if state == "ON_TRACK":
                    alternatives.append(
                        f"NOT EXISTS (SELECT 1 FROM {clocks} c WHERE c.inquiry_id = "
                        f"{t('inquiry_view')}.inquiry_id AND c.state IN "
                        "('AT_RISK', 'BREACHED', 'MISSED'))")
                else:
                    alternatives.append(
                        f"EXISTS (SELECT 1 FROM {clocks} c WHERE c.inquiry_id = "
                        f"{t('inquiry_view')}.inquiry_id AND c.state = ?)")
                    params.append(state)
            where.append(f"({' OR '.join(alternatives)})")
        return " AND ".join(where), params

    def list(self, flt: InquiryFilter, page_size: int, page_token: str
             ) -> tuple[list[dict[str, Any]], str, int]:
        clause, params = self._where(flt)
        table = self.t("inquiry_view")
        total = self.db.query(f"SELECT COUNT(*) FROM {table} WHERE {clause}", params)[0][0]
        page_params = list(params)
        page_clause = clause
        after = page_tokens.decode(page_token, inquiry_position)
        if after is not None:
            received_at, inquiry_id = after
            page_clause += " AND (received_at < ? OR (received_at = ? AND inquiry_id < ?))"
            moment = self.time_to_sql(received_at)
            page_params.extend([moment, moment, inquiry_id])
        rows = self.db.query(
            f"SELECT {', '.join(VIEW_COLUMNS)} FROM {table} WHERE {page_clause} "
            f"ORDER BY received_at DESC, inquiry_id DESC LIMIT ?",
            [*page_params, page_size + 1])
        views = [self._row(row) for row in rows]
        next_token = ""
        if len(views) > page_size:
            views = views[:page_size]
            last = views[-1]
            next_token = page_tokens.encode([last["received_at"], last["inquiry_id"]])
        return views, next_token, int(total)

    # ----- queues and workload -----

    def workload(self, dimension: str, now: datetime, flt: InquiryFilter
                 ) -> list[tuple[Any, ...]]:
        """Open inquiries per queue: count, at risk, breached, oldest, mean age, next deadline."""
        column = QUEUE_DIMENSIONS[dimension]
        t = self.t
        clause, params = self._where(flt)
        open_marks = ", ".join("?" for _ in OPEN_STATUSES)
        rows = self.db.query(
            f"SELECT {column}, inquiry_id, received_at, next_deadline_at FROM {t('inquiry_view')} "
            f"WHERE {clause} AND status IN ({open_marks})", [*params, *OPEN_STATUSES])
        states = self._clock_states([r[1] for r in rows])
        groups: dict[Any, dict[str, Any]] = {}
        for queue, inquiry_id, received, deadline in rows:
            g = groups.setdefault(queue, {"open": 0, "at_risk": 0, "breached": 0, "ages": [],
                                          "oldest": None, "deadline": None})
            g["open"] += 1
            state = self._sla_state_of([{"state": s} for s in states.get(inquiry_id, [])])
            g["at_risk"] += state == "AT_RISK"
            g["breached"] += state == "BREACHED"
            received_iso = self.time_from_sql(received)
            if received_iso:
                g["ages"].append((now - datetime.fromisoformat(received_iso)).total_seconds())
                g["oldest"] = min(filter(None, [g["oldest"], received_iso]))
            deadline_iso = self.time_from_sql(deadline)
            if deadline_iso:
                g["deadline"] = min(filter(None, [g["deadline"], deadline_iso]))
        result = []
        for queue in sorted(groups, key=lambda q: (str(q) == "", str(q))):
            g = groups[queue]
            ages = g["ages"]
            result.append((str(queue) if queue is not None else "", g["open"], g["at_risk"],
                           g["breached"], g["oldest"],
                           round(max(ages), 1) if ages else None,
                           round(sum(ages) / len(ages), 1) if ages else None, g["deadline"]))
        return result

    def _clock_states(self, inquiry_ids: list[str]) -> dict[str, list[str]]:
        states: dict[str, list[str]] = {}
        for start in range(0, len(inquiry_ids), 500):
            chunk = inquiry_ids[start:start + 500]
            if not chunk:
                break
            for inquiry_id, state in self.db.query(
                    f"SELECT inquiry_id, state FROM {self.t('inquiry_clock')} WHERE inquiry_id "
                    f"IN ({', '.join('?' for _ in chunk)})", chunk):
                states.setdefault(inquiry_id, []).append(state)
        return states

    def queue_items(self, flt: InquiryFilter, now: datetime, offset: int, limit: int | None
                    ) -> list[tuple[Any, ...]]:
        """Open inquiries, the nearest deadline first (those without one last), then oldest."""
        clause, params = self._where(flt)
        open_marks = ", ".join("?" for _ in OPEN_STATUSES)
        rows = self.db.query(
            "SELECT inquiry_id, status, priority, channel, category, team, assignee, tier, "
            "department, escalated_department, supplier_id, subject, received_at, "
            f"next_deadline_at, next_deadline_target FROM {self.t('inquiry_view')} "
            f"WHERE {clause} AND status IN ({open_marks}) "
            "ORDER BY CASE WHEN next_deadline_at IS NULL THEN 1 ELSE 0 END, next_deadline_at, "
            "received_at, inquiry_id" + (" LIMIT ? OFFSET ?" if limit is not None else ""),
            [*params, *OPEN_STATUSES, *([limit, offset] if limit is not None else [])])
        states = self._clock_states([r[0] for r in rows])
        out = []
        for r in rows:
            received = self.time_from_sql(r[12])
            age = (now - datetime.fromisoformat(received)).total_seconds() if received else None
            state = self._sla_state_of([{"state": s} for s in states.get(r[0], [])])
            out.append((*r[:12], received, round(age, 1) if age is not None else None,
                        self.time_from_sql(r[13]), r[14], state))
        return out[offset:] if limit is None and offset else out

    # ----- the query catalogue -----

    def _filter_from(self, params: dict[str, Any]) -> InquiryFilter:
        return InquiryFilter(
            statuses=tuple(params.get("status") or ()), channels=tuple(params.get("channel") or ()),
            kinds=tuple(params.get("kind") or ()), category=params.get("category") or "",
            department=params.get("department") or "", team=params.get("team") or "",
            assignee=params.get("assignee") or "", tiers=tuple(params.get("tier") or ()),
            escalated_department=params.get("escalated_department") or "",
            supplier_id=params.get("supplier_id") or "",
            agreement_id=params.get("agreement_id") or "",
            sla_states=tuple(params.get("sla_state") or ()),
            min_age_minutes=params.get("min_age_minutes") or 0,
            max_age_minutes=params.get("max_age_minutes") or 0,
            text=params.get("text") or "", received_from=params.get("from"),
            received_to=params.get("to"), now=params.get("now"))

    def queries(self) -> list[QuerySpec]:
        filters = (
            Param("status", "enum", "any of these statuses", STATUSES, repeated=True),
            Param("channel", "enum", "any of these channels", CHANNELS, repeated=True),
            Param("kind", "enum", "any of these kinds", KINDS, repeated=True),
            Param("category", help="category, exact"),
            Param("department", help="department at receipt, exact"),
            Param("team", help="assigned team, exact"),
            Param("assignee", help="assignee, exact"),
            Param("tier", "int", "escalation tier(s)", repeated=True, bounds=(1, 9)),
            Param("escalated_department", help="department escalated to, exact"),
            Param("supplier_id", help="supplier escalated to, exact"),
            Param("agreement_id", help="customer agreement, exact"),
            Param("sla_state", "enum", "ON_TRACK, AT_RISK (a warning), BREACHED (open clock "
                  "past its target) or MISSED (a clock that ended late)", SLA_STATES,
                  repeated=True),
            Param("min_age_minutes", "int", "received at least this long ago",
                  bounds=(0, MAX_AGE_MINUTES)),
            Param("max_age_minutes", "int", "received at most this long ago",
                  bounds=(0, MAX_AGE_MINUTES)),
            Param("text", help="substring of subject or body (works for Japanese)"),
            Param("from", "time", "received at or after"),
            Param("to", "time", "received before"),
        )
        columns = ("inquiry_id", "status", "channel", "kind", "priority", "category",
                   "department", "agreement_id", "team", "assignee", "tier",
                   "escalated_department", "supplier_id", "subject", "received_at",
                   "first_response_at", "resolved_at", "closed_at", "resolved_at_first_contact",
                   "escalation_count", "reopen_count", "satisfaction_score", "faq_entry_id",
                   "next_deadline_at", "next_deadline_target")

        def run_list(params: dict[str, Any], offset: int, limit: int | None) -> list[tuple]:
            clause, args = self._where(self._filter_from(params))
            rows = self.db.query(
                f"SELECT {', '.join(VIEW_COLUMNS)} FROM {self.t('inquiry_view')} "
                f"WHERE {clause} ORDER BY received_at DESC, inquiry_id DESC"
                + (" LIMIT ? OFFSET ?" if limit is not None else ""),
                [*args, *([limit, offset] if limit is not None else [])])
            views = [self._row(r) for r in rows]
            if limit is None and offset:
                views = views[offset:]
            return [tuple(v[c] for c in columns) for v in views]

        def run_workload(params: dict[str, Any], offset: int, limit: int | None) -> list[tuple]:
            now = params.get("now") or datetime.now(UTC)
            return _page(self.workload(params["by"], now, self._filter_from(params)),
                         offset, limit)

        def run_queue(params: dict[str, Any], offset: int, limit: int | None) -> list[tuple]:
            now = params.get("now") or datetime.now(UTC)
            return self.queue_items(self._filter_from(params), now, offset, limit)

        now = Param("now", "time", "measure ages to this instant (default: now)")
        what_if_params = (
            Param("agreement_id", help="the customer agreement", required=True),
            Param("month", "month", "clocks that stopped in this month (reporting zone)",
                  required=True),
            Param("terms_json", help="the terms to try, as agreement terms JSON (see "
                  "README \"SLA monitor\"); or give agreement_version", max_length=200_000),
            Param("agreement_version", "int", "a recorded version of the agreement to try",
                  bounds=(1, 2**31 - 1)),
        )
        return [
            QuerySpec("inquiries", "inquiries with their current state, newest first",
                      columns, filters, run_list),
            QuerySpec("queue_workload", "open inquiries per queue with ages, SLA state and "
                      "the nearest deadline",
                      ("queue", "open", "at_risk", "breached", "oldest_received_at",
                       "max_age_seconds", "mean_age_seconds", "next_deadline_at"),
                      (Param("by", "enum", "queue dimension", tuple(QUEUE_DIMENSIONS),
                             default="team"), *filters, now), run_workload),
            QuerySpec("queue_items", "open inquiries, nearest SLA deadline first",
                      ("inquiry_id", "status", "priority", "channel", "category", "team",
                       "assignee", "tier", "department", "escalated_department", "supplier_id",
                       "subject", "received_at", "age_seconds", "next_deadline_at",
                       "next_deadline_target", "sla_state"),
                      (*filters, now), run_queue),
            QuerySpec("agreements", "customer agreements and their versions as published by "
                      "the SLA monitor, newest version first",
                      ("agreement_id", "version", "name", "recorded_at"),
                      (Param("agreement_id", help="one agreement, exact"),),
                      lambda params, offset, limit: _page(self.agreements(
                          params.get("agreement_id") or ""), offset, limit)),
            QuerySpec("sla_what_if", "SLA compliance per target and priority as agreed, and "
                      "recomputed as if other terms had applied (nothing stored changes)",
                      ("target", "priority", "as_agreed_met", "as_agreed_missed",
                       "as_agreed_compliance_percent", "what_if_met", "what_if_missed",
                       "what_if_compliance_percent"),
                      what_if_params,
                      lambda params, offset, limit: _page(self.what_if(params), offset, limit)),
        ]

    def agreements(self, agreement_id: str = "") -> list[tuple[Any, ...]]:
        where, args = ("WHERE agreement_id = ? ", [agreement_id]) if agreement_id else ("", [])
        return [(a, int(v), n, self.time_from_sql(r)) for a, v, n, r in self.db.query(
            f"SELECT agreement_id, version, name, recorded_at FROM "
            f"{self.t('agreement_version')} {where}ORDER BY agreement_id, version DESC", args)]

    # ----- what if -----

    def what_if(self, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Replay the month's inquiries of an agreement under the pinned and the given terms."""
        from services.projections.application.what_if import recompute

        agreement_id, month = params["agreement_id"], params["month"]
        trial = self._trial_terms(agreement_id, params.get("terms_json"),
                                  params.get("agreement_version"))
        start, end = month_bounds(month, self.zone)
        rows = self.db.query(
            f"SELECT inquiry_id, received_at FROM {self.t('inquiry_view')} "
            "WHERE agreement_id = ? AND received_at < ? AND updated_at >= ?",
            (agreement_id, self.time_to_sql(end), self.time_to_sql(start)))
        by_version: dict[int, list[tuple[str, list[tuple[str, dict[str, Any]]]]]] = {}
        everything: list[tuple[str, list[tuple[str, dict[str, Any]]]]] = []
        with self.db.transaction() as cur:
            for inquiry_id, received_at in rows:
                timeline = self._timeline(cur, inquiry_id)
                pinned = self.agreement_terms(cur, agreement_id, self.time_from_sql(received_at))
                if pinned is not None:
                    by_version.setdefault(pinned[0], []).append((inquiry_id, timeline))
                everything.append((inquiry_id, timeline))
            versions = {v: self.agreement_terms_version(cur, agreement_id, v)
                        for v in by_version}
        agreed: dict[tuple[str, str], list[int]] = {}
        for version, inquiries in by_version.items():
            terms = self._terms(agreement_id, version, versions[version] or "{}")
            if terms is None:
                continue
            for row in recompute(inquiries, terms, zone=self.zone, month=month):
                counts = agreed.setdefault((row.target, row.priority), [0, 0])
                counts[0] += row.met
                counts[1] += row.missed
        trial_rows = recompute(everything, trial, zone=self.zone, month=month)
        from services.projections.domain.kpi_math import rate_percent

        out = []
        keys = [(r.target, r.priority) for r in trial_rows]
        keys += [k for k in sorted(agreed) if k not in keys]
        trial_by_key = {(r.target, r.priority): r for r in trial_rows}
        for key in keys:
            met, missed = agreed.get(key, [0, 0])
            trial_row = trial_by_key.get(key)
            out.append((*key, met, missed, rate_percent(met, met + missed),
                        trial_row.met if trial_row else 0, trial_row.missed if trial_row else 0,
                        trial_row.compliance_percent if trial_row else None))
        return out

    def _trial_terms(self, agreement_id: str, terms_json: str | None,
                     version: int | None) -> Any:
        if terms_json:
            try:
                return sla_replay.terms_from_json(terms_json)
            except InvalidField as error:
                raise InvalidField([(f"params.terms_json ({name})", message)
                                    for name, message in error.violations]) from None
        if version is None:
            raise InvalidField([("params.terms_json", "give terms_json or agreement_version")])
        with self.db.transaction() as cur:
            found = self.agreement_terms_version(cur, agreement_id, version)
        if found is None:
            raise InvalidField([("params.agreement_version",
                                 f"agreement {agreement_id} has no version {version} here")])
        terms = self._terms(agreement_id, version, found)
        if terms is None:
            raise InvalidField([("params.agreement_version",
                                 f"version {version} has terms the clocks cannot use")])
        return terms

    def agreement_terms_version(self, cur: Cursor, agreement_id: str, version: int
                                ) -> str | None:
        row = cur.execute(
            f"SELECT terms_json FROM {self.t('agreement_version')} WHERE agreement_id = ? "
            "AND version = ?", (agreement_id, version)).fetchone()
        return None if row is None else str(row[0])

    def _timeline(self, cur: Cursor, inquiry_id: str) -> list[tuple[str, dict[str, Any]]]:
        return [(event_type, json.loads(record_json)) for event_type, record_json in
                cur.execute(f"SELECT event_type, record_json FROM {self.t('inquiry_timeline')}"
                            " WHERE inquiry_id = ? ORDER BY version", (inquiry_id,)).fetchall()]

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
