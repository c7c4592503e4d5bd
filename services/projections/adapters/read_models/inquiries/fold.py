"""Applying events to the inquiries read model: inquiry events strictly in version order (a
timeline row once per version, folded when its predecessor is there), customer clock
signals (the furthest state wins), agreement versions, and each open inquiry's next
deadline replayed through the shared SLA clock rules."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from madoguchi.storage.sql import Cursor
from services.projections.adapters.read_models.inquiries.tables import (
    AGREEMENT_EVENTS,
    INQUIRY_EVENTS,
    OPEN_STATUSES,
    SIGNAL_EVENTS,
    InquiryTables,
)
from services.projections.domain import inquiry_view, sla_replay
from services.projections.domain.clock_states import CLOCK_RANK, clock_state


class InquiryFold(InquiryTables):
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
