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
from typing import Any, Generic, TypeVar

from madoguchi.servicelevels.inquiry_clocks import InquiryClocks
from madoguchi.storage.offsets import ConsumerOffsets
from madoguchi.storage.sql import Cursor, SqlDatabase
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


S = TypeVar("S", InquiryClocks, EngagementClocks)


class _ClockTable(Generic[S]):
    """One row of state per clock owner, with its partition and next due time."""

    table = ""
    key = ""
    state: type[S]

    def __init__(self, db: SqlDatabase, ddl: str, consumer: str) -> None:
        self.db = db
        self.db.executescript(ddl)
        self.offsets = ConsumerOffsets(db, consumer)

    def load_many(self, ids: Iterable[str]) -> dict[str, tuple[S, int]]:
        """(state, partition) of each owner that has a row."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, tuple[S, int]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for owner, partition, state in self.db.query(
                    f"SELECT {self.key}, partition_no, state_json FROM {self.table} "
                    f"WHERE {self.key} IN ({marks})", chunk):
                found[owner] = (self.state.from_dict(json.loads(state)), partition)
        return found

    def _upsert(self, cur: Cursor, clocks: S, partition: int, next_due: datetime | None,
                **columns: Any) -> None:
        values = {self.key: getattr(clocks, self.key), **columns, "partition_no": partition,
                  "version": clocks.version, "has_open_clocks": bool(clocks.open_clocks()),
                  "next_due": None if next_due is None else next_due.timestamp(),
                  "state_json": json.dumps(clocks.to_dict(), ensure_ascii=False)}
        names = ", ".join(values)
        updates = ", ".join(f"{n} = excluded.{n}" for n in values if n != self.key)
        cur.execute(
            f"INSERT INTO {self.table} ({names}) VALUES ({', '.join('?' for _ in values)}) "
            f"ON CONFLICT ({self.key}) DO UPDATE SET {updates}", tuple(values.values()))

    def due_times(self, partitions: Iterable[int]) -> list[tuple[str, int, float]]:
        """(owner id, partition, next due as epoch seconds) of everything scheduled."""
        parts = sorted(set(partitions))
        if not parts:
            return []
        marks = ", ".join("?" for _ in parts)
        return [(i, p, float(d)) for i, p, d in self.db.query(
            f"SELECT {self.key}, partition_no, next_due FROM {self.table} "
            f"WHERE partition_no IN ({marks}) AND next_due IS NOT NULL", parts)]

    def open_clock_count(self) -> int:
        rows = self.db.query(f"SELECT COUNT(*) FROM {self.table} WHERE has_open_clocks = ?",
                             (True,))
        return int(rows[0][0]) if rows else 0

    def get(self, owner_id: str) -> S | None:
        found = self.load_many([owner_id])
        return found[owner_id][0] if owner_id in found else None


class ClockStore(_ClockTable[InquiryClocks]):
    """Clocks per inquiry, plus the consumer's offsets, in the monitor's database."""

    table, key, state = "sla_inquiry_clocks", "inquiry_id", InquiryClocks

    def __init__(self, db: SqlDatabase, consumer: str = "sla_monitor") -> None:
        super().__init__(db, _DDL, consumer)

    def save(self, cur: Cursor, clocks: InquiryClocks, partition: int,
             next_due: datetime | None) -> None:
        self._upsert(cur, clocks, partition, next_due, agreement_id=clocks.agreement_id)

    def open_of_agreement(self, agreement_id: str, partitions: Iterable[int]) -> list[str]:
        parts = sorted(set(partitions))
        if not parts:
            return []
        marks = ", ".join("?" for _ in parts)
        return [row[0] for row in self.db.query(
            f"SELECT inquiry_id FROM sla_inquiry_clocks WHERE agreement_id = ? AND "
            f"has_open_clocks = ? AND partition_no IN ({marks})",
            [agreement_id, True, *parts])]


class EngagementClockStore(_ClockTable[EngagementClocks]):
    """Supplier clocks per engagement, plus the engagement consumer's own offsets.

    The engagements topic is keyed by inquiry id, so ``partition_no`` is the partition of
    the engagement's inquiry on that topic; timers load per partition as for inquiries.
    """

    table, key, state = "sla_engagement_clocks", "engagement_id", EngagementClocks

    def __init__(self, db: SqlDatabase, consumer: str = "sla_monitor_engagements") -> None:
        super().__init__(db, _ENGAGEMENT_DDL, consumer)

    def save(self, cur: Cursor, clocks: EngagementClocks, partition: int,
             next_due: datetime | None) -> None:
        self._upsert(cur, clocks, partition, next_due, inquiry_id=clocks.inquiry_id)

    def of_inquiry(self, inquiry_id: str) -> list[EngagementClocks]:
        """Every engagement of one inquiry that has supplier clocks here."""
        rows = self.db.query("SELECT state_json FROM sla_engagement_clocks WHERE inquiry_id = ?",
                             (inquiry_id,))
        return [EngagementClocks.from_dict(json.loads(row[0])) for row in rows]
