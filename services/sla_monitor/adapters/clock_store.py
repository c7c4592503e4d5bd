"""SQL table of every inquiry's clocks, indexed by partition and next due time.

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
