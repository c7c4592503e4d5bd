"""Reading the inquiries read model: one inquiry, filtered lists with keyset paging,
queues and workload, and the named queries of the catalogue."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from madoguchi import page_tokens
from services.projections.adapters.read_models.inquiries.tables import (
    CHANNELS,
    KINDS,
    MAX_AGE_MINUTES,
    OPEN_STATUSES,
    QUEUE_DIMENSIONS,
    SLA_STATES,
    STATUSES,
    VIEW_COLUMNS,
)
from services.projections.adapters.read_models.inquiries.what_if import InquiryWhatIf
from services.projections.adapters.read_models.sql_tables import page_slice
from services.projections.application.read_models import Param, QuerySpec
from services.projections.domain import inquiry_view


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




def like_pattern(text: str) -> str:
    """``text`` as a LIKE substring pattern, its own ``%``, ``_`` and ``\\`` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"



class InquiryQueries(InquiryWhatIf):
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
            return page_slice(self.workload(params["by"], now, self._filter_from(params)),
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
                      lambda params, offset, limit: page_slice(self.agreements(
                          params.get("agreement_id") or ""), offset, limit)),
            QuerySpec("sla_what_if", "SLA compliance per target and priority as agreed, and "
                      "recomputed as if other terms had applied (nothing stored changes)",
                      ("target", "priority", "as_agreed_met", "as_agreed_missed",
                       "as_agreed_compliance_percent", "what_if_met", "what_if_missed",
                       "what_if_compliance_percent"),
                      what_if_params,
                      lambda params, offset, limit: page_slice(self.what_if(params), offset,
                                                               limit)),
        ]

    def agreements(self, agreement_id: str = "") -> list[tuple[Any, ...]]:
        where, args = ("WHERE agreement_id = ? ", [agreement_id]) if agreement_id else ("", [])
        return [(a, int(v), n, self.time_from_sql(r)) for a, v, n, r in self.db.query(
            f"SELECT agreement_id, version, name, recorded_at FROM "
            f"{self.t('agreement_version')} {where}ORDER BY agreement_id, version DESC", args)]
