"""The knowledge read model: how FAQ entries are used, and where FAQ entries are missing.

Tables (its own; inquiry events arrive in version order, and an event whose
``aggregate_version`` is not above the stored ``version`` was applied already):

- ``knowledge_inquiry`` — one row per inquiry: category and subject at receipt (with the
  normalized subject), received time, escalation count, and its *current* resolution
  (FAQ entry, first-contact flag, time).
- ``knowledge_faq_use`` — one row per resolution that cited an FAQ entry, keyed (inquiry_id,
  inquiry version), with ``reopened`` = 1 once a later reopen withdrew that resolution.

**Reopens.** A reopen means the earlier resolution did not hold. The FAQ use stays
counted (the entry *was* used to answer) but is marked ``reopened`` and no longer counts as
at first contact (intake's rule too: a reopen clears first contact). For the candidates
the inquiry counts by its current state: a reopened inquiry is not "resolved" until it is
resolved again, and then by that resolution's FAQ entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from madoguchi.storage.sql import Cursor
from services.projections.adapters.read_models.sql_tables import SqlReadModelBase, page_slice
from services.projections.application.read_models import Param, QuerySpec
from services.projections.domain.faq_candidates import (
    CandidateInquiry,
    category_candidates,
    group_candidates,
    normalize_subject,
)
from services.projections.domain.kpi_math import rate_percent
from services.projections.domain.periods import empty_keys, local_keys

EVENTS = frozenset({"InquiryReceived", "InquiryEscalated", "InquiryResolved",
                    "InquiryReopened"})
KEYS = ("local_hour", "local_day", "local_month")

FAQ_USE_COLUMNS = ("faq_entry_id", "answered", "answered_first_contact", "reopened",
                   "categories", "first_used_at", "last_used_at")
CANDIDATE_COLUMNS = ("category", "normalized_subject", "count", "resolved_without_faq",
                     "escalated", "sample_subject", "example_inquiry_ids")
CATEGORY_COLUMNS = ("category", "inquiries", "candidates", "candidate_share_percent",
                    "resolved_without_faq", "escalated", "distinct_subjects",
                    "sample_subject", "example_inquiry_ids")


def _range_params(what: str) -> tuple[Param, ...]:
    return (
        Param("from_month", "month", f"{what} in this local month (YYYY-MM) or later"),
        Param("to_month", "month", f"{what} in this local month (YYYY-MM) or earlier"),
        Param("from", "time", f"{what} at or after this instant"),
        Param("to", "time", f"{what} before this instant"),
    )


def _min_count(params: dict[str, Any]) -> int:
    """``min_count``, default 3; below 1 means 1 (a group has at least one inquiry)."""
    value = params.get("min_count")
    return max(1, 3 if value is None else int(value))


class KnowledgeReadModel(SqlReadModelBase):
    """FAQ use per entry and FAQ candidates per (category, subject) and per category."""

    name = "knowledge"
    event_types = EVENTS

    def ddl(self) -> str:
        t, ts = self.t, self.ts
        return f"""
CREATE TABLE IF NOT EXISTS {t("knowledge_inquiry")} (
    inquiry_id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    category TEXT NOT NULL,
    subject TEXT NOT NULL,
    normalized_subject TEXT NOT NULL,
    received_at {ts},
    local_hour TEXT,
    local_day TEXT,
    local_month TEXT,
    escalation_count INTEGER NOT NULL,
    reopen_count INTEGER NOT NULL,
    resolved INTEGER NOT NULL,
    resolution_version BIGINT NOT NULL,
    faq_entry_id TEXT NOT NULL,
    at_first_contact INTEGER NOT NULL,
    resolved_at {ts},
    resolved_local_day TEXT,
    resolved_local_month TEXT
);
CREATE INDEX IF NOT EXISTS {t("knowledge_inquiry_received")}
    ON {t("knowledge_inquiry")} (received_at);
CREATE TABLE IF NOT EXISTS {t("knowledge_faq_use")} (
    inquiry_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    faq_entry_id TEXT NOT NULL,
    category TEXT NOT NULL,
    at_first_contact INTEGER NOT NULL,
    reopened INTEGER NOT NULL,
    resolved_at {ts},
    local_hour TEXT,
    local_day TEXT,
    local_month TEXT,
    PRIMARY KEY (inquiry_id, version)
);
CREATE INDEX IF NOT EXISTS {t("knowledge_faq_use_entry")}
    ON {t("knowledge_faq_use")} (faq_entry_id, resolved_at)
"""

    # ----- applying events -----

    def _keys(self, moment: Any) -> tuple[str | None, ...]:
        keys = local_keys(moment, self.zone) if moment else empty_keys()
        return tuple(keys[k] for k in KEYS)

    def apply(self, cur: Cursor, event_type: str, record: dict[str, Any]) -> bool:
        """Apply one inquiry event in version order; False when it was applied before."""
        if event_type not in EVENTS:
            return False
        table = self.t("knowledge_inquiry")
        inquiry_id, version = str(record["aggregate_id"]), int(record["aggregate_version"])
        row = cur.execute(f"SELECT version, resolution_version, category FROM {table} "
                          "WHERE inquiry_id = ?", (inquiry_id,)).fetchone()
        if row is not None and version <= int(row[0]):
            return False
        if row is None:
            cur.execute(
                f"INSERT INTO {table} (inquiry_id, version, category, subject, "
                "normalized_subject, escalation_count, reopen_count, resolved, "
                "resolution_version, faq_entry_id, at_first_contact) "
                "VALUES (?, 0, '', '', '', 0, 0, 0, 0, '', 0)", (inquiry_id,))
            resolution_version, category = 0, ""
        else:
            resolution_version, category = int(row[1]), str(row[2])
        at = record.get("occurred_at")
        # One UPDATE per event: its own columns, then the version it brings.
        sets: list[str] = []
        args: list[Any] = []
        if event_type == "InquiryReceived":
            received = record.get("contacted_at") or at
            subject = str(record.get("subject", ""))
            sets = ["category = ?", "subject = ?", "normalized_subject = ?", "received_at = ?",
                    "local_hour = ?", "local_day = ?", "local_month = ?"]
            args = [record.get("category", ""), subject, normalize_subject(subject),
                    self.time_to_sql(received), *self._keys(received)]
        elif event_type == "InquiryEscalated":
            sets = ["escalation_count = escalation_count + 1"]
        elif event_type == "InquiryResolved":
            faq_entry_id = str(record.get("faq_entry_id") or "")
            first_contact = int(bool(record.get("at_first_contact")))
            keys = self._keys(at)
            sets = ["resolved = 1", "resolution_version = ?", "faq_entry_id = ?",
                    "at_first_contact = ?", "resolved_at = ?", "resolved_local_day = ?",
                    "resolved_local_month = ?"]
            args = [version, faq_entry_id, first_contact, self.time_to_sql(at), keys[1],
                    keys[2]]
            if faq_entry_id:
                cur.execute(
                    f"INSERT INTO {self.t('knowledge_faq_use')} (inquiry_id, version, "
                    "faq_entry_id, category, at_first_contact, reopened, resolved_at, "
                    "local_hour, local_day, local_month) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?) "
                    "ON CONFLICT (inquiry_id, version) DO NOTHING",
                    (inquiry_id, version, faq_entry_id, category, first_contact,
                     self.time_to_sql(at), *keys))
        elif event_type == "InquiryReopened":
            sets = ["resolved = 0", "faq_entry_id = ''", "at_first_contact = 0",
                    "resolved_at = NULL", "resolved_local_day = NULL",
                    "resolved_local_month = NULL", "reopen_count = reopen_count + 1"]
            cur.execute(f"UPDATE {self.t('knowledge_faq_use')} SET reopened = 1 "
                        "WHERE inquiry_id = ? AND version = ?", (inquiry_id, resolution_version))
        cur.execute(f"UPDATE {table} SET {', '.join([*sets, 'version = ?'])} "
                    "WHERE inquiry_id = ?", (*args, version, inquiry_id))
        return True

    # ----- queries -----

    def queries(self) -> Sequence[QuerySpec]:
        return (
            QuerySpec(
                "knowledge_faq_use",
                "Per FAQ entry, resolutions that cited it in the range (by resolution time): "
                "answered (all of them), answered_first_contact (at first contact and not "
                "reopened), reopened (the resolution did not hold), categories used in "
                "(comma-separated), first and last use. Most used first.",
                FAQ_USE_COLUMNS,
                (*_range_params("resolved"),
                 Param("category", "text", "only uses in this category")),
                self._faq_use),
            QuerySpec(
                "knowledge_faq_candidates",
                "FAQ candidates: inquiries received in the range that are resolved without "
                "an FAQ entry or were escalated, grouped by category and normalized subject "
                "(NFKC, case-folded, punctuation removed); groups of at least min_count, "
                "most frequent first, with the usual spelling and up to 3 example ids.",
                CANDIDATE_COLUMNS,
                (*_range_params("received"),
                 Param("min_count", "int", "smallest group reported", default=3,
                       bounds=(1, 1_000_000)),
                 Param("category", "text", "only this category")),
                self._candidates),
            QuerySpec(
                "knowledge_faq_candidate_categories",
                "Categories often resolved without an FAQ entry or escalated, whatever the "
                "subjects: inquiries received in the range, candidates among them (at least "
                "min_count) and their share, distinct normalized subjects, examples.",
                CATEGORY_COLUMNS,
                (*_range_params("received"),
                 Param("min_count", "int", "fewest candidates reported", default=3,
                       bounds=(1, 1_000_000))),
                self._candidate_categories),
        )

    def _range_where(self, params: dict[str, Any], time_column: str, month_column: str
                     ) -> tuple[list[str], list[Any]]:
        clauses, args = [f"{time_column} IS NOT NULL"], []
        for name, sql in (("from_month", f"{month_column} >= ?"),
                          ("to_month", f"{month_column} <= ?"),
                          ("from", f"{time_column} >= ?"), ("to", f"{time_column} < ?")):
            value = params.get(name)
            if value is None or value == "":
                continue
            clauses.append(sql)
            args.append(value if name.endswith("month") else self.time_to_sql(value))
        return clauses, args

    def _faq_use(self, params: dict[str, Any], offset: int, limit: int | None
                 ) -> list[tuple[Any, ...]]:
        clauses, args = self._range_where(params, "resolved_at", "local_month")
        if params.get("category"):
            clauses.append("category = ?")
            args.append(params["category"])
        entries: dict[str, dict[str, Any]] = {}
        for entry, category, answered, first_contact, reopened, first, last in self.db.query(
                "SELECT faq_entry_id, category, COUNT(*), "
                "SUM(CASE WHEN at_first_contact = 1 AND reopened = 0 THEN 1 ELSE 0 END), "
                "SUM(reopened), MIN(resolved_at), MAX(resolved_at) "
                f"FROM {self.t('knowledge_faq_use')} WHERE {' AND '.join(clauses)} "
                "GROUP BY faq_entry_id, category ORDER BY faq_entry_id, category", args):
            e = entries.setdefault(entry, {"answered": 0, "first_contact": 0, "reopened": 0,
                                           "categories": [], "first": None, "last": None})
            e["answered"] += int(answered)
            e["first_contact"] += int(first_contact)
            e["reopened"] += int(reopened)
            e["categories"].append(category)
            first, last = self.time_from_sql(first), self.time_from_sql(last)
            e["first"] = first if e["first"] is None else min(e["first"], first)
            e["last"] = last if e["last"] is None else max(e["last"], last)
        rows = [(entry, e["answered"], e["first_contact"], e["reopened"],
                 ",".join(sorted(e["categories"])), e["first"], e["last"])
                for entry, e in entries.items()]
        rows.sort(key=lambda r: (-r[1], r[0]))
        return page_slice(rows, offset, limit)

    def _inquiries(self, params: dict[str, Any]) -> list[CandidateInquiry]:
        clauses, args = self._range_where(params, "received_at", "local_month")
        if params.get("category"):
            clauses.append("category = ?")
            args.append(params["category"])
        return [
            CandidateInquiry(
                inquiry_id=inquiry_id, category=category, subject=subject,
                received_at=self.time_from_sql(received_at) or "",
                resolved_without_faq=bool(resolved) and not faq_entry_id,
                escalated=int(escalations) > 0)
            for inquiry_id, category, subject, received_at, resolved, faq_entry_id, escalations
            in self.db.query(
                "SELECT inquiry_id, category, subject, received_at, resolved, faq_entry_id, "
                f"escalation_count FROM {self.t('knowledge_inquiry')} "
                f"WHERE {' AND '.join(clauses)}", args)
        ]

    def _candidates(self, params: dict[str, Any], offset: int, limit: int | None
                    ) -> list[tuple[Any, ...]]:
        groups = group_candidates(self._inquiries(params), _min_count(params))
        rows = [(g.category, g.normalized_subject, g.count, g.resolved_without_faq, g.escalated,
                 g.sample_subject, ",".join(g.example_inquiry_ids)) for g in groups]
        return page_slice(rows, offset, limit)

    def _candidate_categories(self, params: dict[str, Any], offset: int, limit: int | None
                              ) -> list[tuple[Any, ...]]:
        found = category_candidates(self._inquiries(params), _min_count(params))
        rows = [(c.category, c.inquiries, c.candidates, rate_percent(c.candidates, c.inquiries),
                 c.resolved_without_faq, c.escalated, c.distinct_subjects, c.sample_subject,
                 ",".join(c.example_inquiry_ids)) for c in found]
        return page_slice(rows, offset, limit)

    # ----- reporting views -----

    def views(self) -> dict[str, str]:
        """Public SQL views (``report_v1_<name>``); times in UTC, local keys in the zone.

        - ``knowledge_resolutions``: one row per received inquiry — inquiry_id, category,
          subject, normalized_subject, received_at, received_local_day,
          received_local_month, escalated (0/1), escalation_count, reopen_count, resolved
          (0/1: resolved now, i.e. not reopened since), faq_entry_id ('' if none or not
          resolved), at_first_contact (0/1), resolved_at, resolved_local_day,
          resolved_local_month (NULL while open).
        - ``knowledge_faq_uses``: one row per resolution citing an FAQ entry — inquiry_id,
          inquiry_version, faq_entry_id, category, at_first_contact (0/1), reopened (0/1:
          the resolution was withdrawn by a reopen), resolved_at, local_hour/day/month.
        """
        inquiries, uses = self.t("knowledge_inquiry"), self.t("knowledge_faq_use")
        return {
            "knowledge_resolutions": (
                "SELECT inquiry_id, category, subject, normalized_subject, received_at, "
                "local_day AS received_local_day, local_month AS received_local_month, "
                "CASE WHEN escalation_count > 0 THEN 1 ELSE 0 END AS escalated, "
                "escalation_count, reopen_count, resolved, faq_entry_id, at_first_contact, "
                "resolved_at, resolved_local_day, resolved_local_month "
                f"FROM {inquiries} WHERE received_at IS NOT NULL"),
            "knowledge_faq_uses": (
                "SELECT inquiry_id, version AS inquiry_version, faq_entry_id, category, "
                "at_first_contact, reopened, resolved_at, local_hour, local_day, local_month "
                f"FROM {uses}"),
        }
