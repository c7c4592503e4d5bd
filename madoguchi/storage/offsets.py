"""A consumer's Kafka positions and set-aside messages, kept in the consumer's own database.

Consumers write the next offset of a partition in the same transaction as the state they
derive from its messages, so the database, not Kafka's committed offsets, says how far
they got. Positions are kept per cluster id: a new, empty cluster starts over.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from madoguchi.storage.sql import Cursor, SqlDatabase

log = logging.getLogger(__name__)


def _ddl(ts: str, blob: str) -> str:
    return f"""
CREATE TABLE IF NOT EXISTS consumer_offsets (
    consumer TEXT NOT NULL,
    cluster_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    partition_no INTEGER NOT NULL,
    next_offset BIGINT NOT NULL,
    PRIMARY KEY (consumer, cluster_id, topic, partition_no)
);
CREATE TABLE IF NOT EXISTS rejected_messages (
    cluster_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    partition_no INTEGER NOT NULL,
    message_offset BIGINT NOT NULL,
    reason TEXT NOT NULL,
    message_key {blob},
    message_value {blob},
    rejected_at {ts},
    PRIMARY KEY (cluster_id, topic, partition_no, message_offset)
)
"""


class ConsumerOffsets:
    """Positions of one named consumer, plus the messages it could not decode."""

    def __init__(self, db: SqlDatabase, consumer: str, *, create: bool = True) -> None:
        self.db = db
        self.consumer = consumer
        if create:
            self.db.executescript(_ddl("TIMESTAMPTZ" if db.is_postgres else "TEXT",
                                       "BYTEA" if db.is_postgres else "BLOB"))

    def stored_offsets(self, cluster: str, topic_partitions: list[Any]) -> dict[Any, int]:
        rows = self.db.query(
            "SELECT topic, partition_no, next_offset FROM consumer_offsets "
            "WHERE consumer = ? AND cluster_id = ?", (self.consumer, cluster))
        known = {(t, p): o for t, p, o in rows}
        return {tp: known[(tp.topic, tp.partition)] for tp in topic_partitions
                if (tp.topic, tp.partition) in known}

    def forget_other_clusters(self, cluster: str) -> None:
        """Drop positions kept for other clusters (e.g. a previous embedded broker)."""
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM consumer_offsets WHERE consumer = ? AND cluster_id <> ?",
                        (self.consumer, cluster))

    def forget_all(self, cur: Cursor) -> None:
        """Drop every position of this consumer (its state is being dropped too)."""
        cur.execute("DELETE FROM consumer_offsets WHERE consumer = ?", (self.consumer,))

    def save_offset(self, cur: Cursor, cluster: str, topic: str, partition: int,
                    next_offset: int) -> None:
        cur.execute(
            "INSERT INTO consumer_offsets (consumer, cluster_id, topic, partition_no, "
            "next_offset) VALUES (?, ?, ?, ?, ?) ON CONFLICT (consumer, cluster_id, topic, "
            "partition_no) DO UPDATE SET next_offset = excluded.next_offset",
            (self.consumer, cluster, topic, partition, next_offset))

    def finish_batch(self, cur: Cursor, cluster: str, partition: Any, records: list[Any],
                     rejects: list[tuple[Any, str]]) -> None:
        """Set the batch's rejects aside and move the partition's position past it."""
        for message, reason in rejects:
            self.reject(cur, cluster, partition.topic, partition.partition, message.offset,
                        reason, message.key, message.value)
        self.save_offset(cur, cluster, partition.topic, partition.partition,
                         records[-1].offset + 1)
        if rejects:
            log.error("%s: rejected %d undecodable message(s) on %s[%d]", self.consumer,
                      len(rejects), partition.topic, partition.partition)

    def reject(self, cur: Cursor, cluster: str, topic: str, partition: int, offset: int,
               reason: str, key: bytes | None, value: bytes | None) -> None:
        """Set a message aside with its raw bytes, so it can be inspected and replayed."""
        now = datetime.now(UTC)
        cur.execute(
            "INSERT INTO rejected_messages (cluster_id, topic, partition_no, message_offset, "
            "reason, message_key, message_value, rejected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (cluster, topic, partition, offset, reason[:2000], key, value,
             now if self.db.is_postgres else now.isoformat(timespec="microseconds")))
