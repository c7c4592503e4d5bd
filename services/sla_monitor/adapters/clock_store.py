"""SQL tables of every inquiry's and every supplier engagement's clocks, by next due time.

The monitor stores an inquiry's clocks, the partition it came from and the next time
one of its clocks reaches a threshold, in the same transaction as the partition's
consumed offset. Whichever instance is assigned a partition loads that partition's
due times into its timer queue from here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from madoguchi.storage.offsets import ConsumerOffsets
from madoguchi.storage.sql import Cursor, SqlDatabase
from services.sla_monitor.domain.clocks import InquiryClocks
from services.sla_monitor.domain.engagement_clocks import EngagementClocks

_DDL = """
CREATE TABLE IF NOT EXISTS sla_inquiry_clocks (
    inquiry_id TEXT PRIMARY KEY,
    partition_no INTEGER NOT NULL,
    version BIGINT NOT NULL,
    agreement_id TEXT NOT NULL,
    has_open_clocks BOOLEAN NOT NULL,
    next_due DOUBLE PRECISION,
    state_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sla_inquiry_clocks_due ON sla_inquiry_clocks (partition_no, next_due);
CREATE INDEX IF NOT EXISTS sla_inquiry_clocks_agreement
    ON sla_inquiry_clocks (agreement_id, has_open_clocks)
"""


class ClockStore:
    """Clocks per inquiry, plus the consumer's offsets, in the monitor's database."""

    def __init__(self, db: SqlDatabase, consumer: str = "sla_monitor") -> None:
        self.db = db
        self.db.executescript(_DDL)
        self.offsets = ConsumerOffsets(db, consumer)

    def load_many(self, inquiry_ids: Iterable[str]) -> dict[str, tuple[InquiryClocks, int]]:
        """(clocks, partition) of each inquiry that has a row."""
        ids = list(dict.fromkeys(inquiry_ids))
        found: dict[str, tuple[InquiryClocks, int]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for inquiry_id, partition, state in self.db.query(
                    f"SELECT inquiry_id, partition_no, state_json FROM sla_inquiry_clocks "
                    f"WHERE inquiry_id IN ({marks})", chunk):
                found[inquiry_id] = (InquiryClocks.from_dict(json.loads(state)), partition)
        return found

    def save(self, cur: Cursor, clocks: InquiryClocks, partition: int,
             next_due: datetime | None) -> None:
        cur.execute(
            "INSERT INTO sla_inquiry_clocks (inquiry_id, partition_no, version, agreement_id, "
            "has_open_clocks, next_due, state_json) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (inquiry_id) DO UPDATE SET partition_no = excluded.partition_no, "
            "version = excluded.version, agreement_id = excluded.agreement_id, "
            "has_open_clocks = excluded.has_open_clocks, next_due = excluded.next_due, "
            "state_json = excluded.state_json",
            (clocks.inquiry_id, partition, clocks.version, clocks.agreement_id,
             bool(clocks.open_clocks()), None if next_due is None else next_due.timestamp(),
             json.dumps(clocks.to_dict(), ensure_ascii=False)))

    def due_times(self, partitions: Iterable[int]) -> list[tuple[str, int, float]]:
        """(inquiry id, partition, next due as epoch seconds) of every scheduled inquiry."""
        parts = sorted(set(partitions))
        if not parts:
            return []
        marks = ", ".join("?" for _ in parts)
        return [(i, p, float(d)) for i, p, d in self.db.query(
            f"SELECT inquiry_id, partition_no, next_due FROM sla_inquiry_clocks "
            f"WHERE partition_no IN ({marks}) AND next_due IS NOT NULL", parts)]

    def open_of_agreement(self, agreement_id: str, partitions: Iterable[int]) -> list[str]:
        parts = sorted(set(partitions))
        if not parts:
            return []
        marks = ", ".join("?" for _ in parts)
        return [row[0] for row in self.db.query(
            f"SELECT inquiry_id FROM sla_inquiry_clocks WHERE agreement_id = ? AND "
            f"has_open_clocks = ? AND partition_no IN ({marks})",
            [agreement_id, True, *parts])]

    def open_clock_count(self) -> int:
        rows = self.db.query("SELECT COUNT(*) FROM sla_inquiry_clocks WHERE has_open_clocks = ?",
                             (True,))
        return int(rows[0][0]) if rows else 0

    def get(self, inquiry_id: str) -> InquiryClocks | None:
        found = self.load_many([inquiry_id])
        return found[inquiry_id][0] if inquiry_id in found else None


_ENGAGEMENT_DDL = """
CREATE TABLE IF NOT EXISTS sla_engagement_clocks (
    engagement_id TEXT PRIMARY KEY,
    inquiry_id TEXT NOT NULL,
    partition_no INTEGER NOT NULL,
    version BIGINT NOT NULL,
    has_open_clocks BOOLEAN NOT NULL,
    next_due DOUBLE PRECISION,
    state_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sla_engagement_clocks_due
    ON sla_engagement_clocks (partition_no, next_due);
CREATE INDEX IF NOT EXISTS sla_engagement_clocks_inquiry ON sla_engagement_clocks (inquiry_id)
"""


class EngagementClockStore:
    """Supplier clocks per engagement, plus the engagement consumer's own offsets.

    The engagements topic is keyed by inquiry id, so ``partition_no`` is the partition of
    the engagement's inquiry on that topic; timers load per partition as for inquiries.
    """

    def __init__(self, db: SqlDatabase, consumer: str = "sla_monitor_engagements") -> None:
        self.db = db
        self.db.executescript(_ENGAGEMENT_DDL)
        self.offsets = ConsumerOffsets(db, consumer)

    def load_many(self, engagement_ids: Iterable[str]
                  ) -> dict[str, tuple[EngagementClocks, int]]:
        """(clocks, partition) of each engagement that has a row."""
        ids = list(dict.fromkeys(engagement_ids))
        found: dict[str, tuple[EngagementClocks, int]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for engagement_id, partition, state in self.db.query(
                    f"SELECT engagement_id, partition_no, state_json FROM sla_engagement_clocks "
                    f"WHERE engagement_id IN ({marks})", chunk):
                found[engagement_id] = (EngagementClocks.from_dict(json.loads(state)),
                                        partition)
        return found

    def save(self, cur: Cursor, clocks: EngagementClocks, partition: int,
             next_due: datetime | None) -> None:
        cur.execute(
            "INSERT INTO sla_engagement_clocks (engagement_id, inquiry_id, partition_no, "
            "version, has_open_clocks, next_due, state_json) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (engagement_id) DO UPDATE SET inquiry_id = excluded.inquiry_id, "
            "partition_no = excluded.partition_no, version = excluded.version, "
            "has_open_clocks = excluded.has_open_clocks, next_due = excluded.next_due, "
            "state_json = excluded.state_json",
            (clocks.engagement_id, clocks.inquiry_id, partition, clocks.version,
             bool(clocks.open_clocks()), None if next_due is None else next_due.timestamp(),
             json.dumps(clocks.to_dict(), ensure_ascii=False)))

    def due_times(self, partitions: Iterable[int]) -> list[tuple[str, int, float]]:
        """(engagement id, partition, next due as epoch seconds) of every scheduled one."""
        parts = sorted(set(partitions))
        if not parts:
            return []
        marks = ", ".join("?" for _ in parts)
        return [(i, p, float(d)) for i, p, d in self.db.query(
            f"SELECT engagement_id, partition_no, next_due FROM sla_engagement_clocks "
            f"WHERE partition_no IN ({marks}) AND next_due IS NOT NULL", parts)]

    def of_inquiry(self, inquiry_id: str) -> list[EngagementClocks]:
        """Every engagement of one inquiry that has supplier clocks here."""
        rows = self.db.query("SELECT state_json FROM sla_engagement_clocks WHERE inquiry_id = ?",
                             (inquiry_id,))
        return [EngagementClocks.from_dict(json.loads(row[0])) for row in rows]

    def open_clock_count(self) -> int:
        rows = self.db.query(
            "SELECT COUNT(*) FROM sla_engagement_clocks WHERE has_open_clocks = ?", (True,))
        return int(rows[0][0]) if rows else 0

    def get(self, engagement_id: str) -> EngagementClocks | None:
        found = self.load_many([engagement_id])
        return found[engagement_id][0] if engagement_id in found else None
