"""Messages the projections could not decode or apply, kept and sent to a dead-letter topic.

A dead letter is written in the same transaction as the partition's next offset, so the
consumer moves on without losing it; a publisher thread then copies it, raw bytes and
all, to the dead-letter topic with the reason in its headers, and marks it sent. One row
per source message (cluster, topic, partition, offset): a rebuild meeting the same bad
message again does not publish it twice. Publication is at least once; receivers can
recognise a repeat by the ``madoguchi-dlq-source`` header.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaProducer

from madoguchi.background import BackgroundThread
from madoguchi.eventstream.kafka_settings import producer_config
from madoguchi.storage.sql import Cursor, SqlDatabase
from services.projections.application.ports import DeadLetter

log = logging.getLogger(__name__)


class DeadLetters:
    """The ``projection_dead_letters`` table."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db
        ts = "TIMESTAMPTZ" if db.is_postgres else "TEXT"
        blob = "BYTEA" if db.is_postgres else "BLOB"
        db.executescript(f"""
CREATE TABLE IF NOT EXISTS projection_dead_letters (
    cluster_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    partition_no INTEGER NOT NULL,
    message_offset BIGINT NOT NULL,
    consumer TEXT NOT NULL,
    reason TEXT NOT NULL,
    event_type TEXT NOT NULL,
    message_key {blob},
    message_value {blob},
    dead_at {ts} NOT NULL,
    published_at {ts},
    PRIMARY KEY (cluster_id, topic, partition_no, message_offset)
)""")

    def _now(self) -> Any:
        now = datetime.now(UTC)
        return now if self.db.is_postgres else now.isoformat(timespec="microseconds")

    def add(self, cur: Cursor, letter: DeadLetter) -> bool:
        cur.execute(
            "INSERT INTO projection_dead_letters (cluster_id, topic, partition_no, "
            "message_offset, consumer, reason, event_type, message_key, message_value, "
            "dead_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (letter.cluster_id, letter.topic, letter.partition, letter.offset, letter.consumer,
             letter.reason[:2000], letter.event_type, letter.key, letter.value, self._now()))
        return cur.rowcount > 0

    def unpublished(self, limit: int = 100) -> list[DeadLetter]:
        rows = self.db.query(
            "SELECT cluster_id, topic, partition_no, message_offset, consumer, reason, "
            "event_type, message_key, message_value FROM projection_dead_letters "
            "WHERE published_at IS NULL ORDER BY dead_at, topic, partition_no, message_offset "
            "LIMIT ?", (limit,))
        return [DeadLetter(c, t, int(p), int(o), con, r, e,
                           None if k is None else bytes(k), None if v is None else bytes(v))
                for c, t, p, o, con, r, e, k, v in rows]

    def mark_published(self, letters: list[DeadLetter]) -> None:
        with self.db.transaction() as cur:
            for letter in letters:
                cur.execute(
                    "UPDATE projection_dead_letters SET published_at = ? WHERE cluster_id = ? "
                    "AND topic = ? AND partition_no = ? AND message_offset = ?",
                    (self._now(), letter.cluster_id, letter.topic, letter.partition,
                     letter.offset))

    def count(self, published: bool | None = None) -> int:
        clause = {None: "", True: " WHERE published_at IS NOT NULL",
                  False: " WHERE published_at IS NULL"}[published]
        return int(self.db.query(f"SELECT COUNT(*) FROM projection_dead_letters{clause}")[0][0])


def dead_letter_headers(letter: DeadLetter) -> list[tuple[str, bytes]]:
    source = f"{letter.topic}/{letter.partition}/{letter.offset}"
    return [("madoguchi-dlq-reason", letter.reason.encode()),
            ("madoguchi-dlq-source", source.encode()),
            ("madoguchi-dlq-source-topic", letter.topic.encode()),
            ("madoguchi-dlq-source-partition", str(letter.partition).encode()),
            ("madoguchi-dlq-source-offset", str(letter.offset).encode()),
            ("madoguchi-dlq-consumer", letter.consumer.encode()),
            ("madoguchi-dlq-event-type", letter.event_type.encode())]


class DeadLetterPublisher(BackgroundThread):
    """Copies new dead letters to the dead-letter topic; retries while the broker is away."""

    def __init__(self, letters: DeadLetters, *, bootstrap: str, topic: str,
                 interval: float = 1.0) -> None:
        super().__init__("projections-dead-letters")
        self.letters = letters
        self.bootstrap = bootstrap
        self.topic = topic
        self.interval = interval
        self.published = 0
        self._producer: KafkaProducer | None = None

    def publish_pending(self) -> int:
        letters = self.letters.unpublished()
        if not letters:
            return 0
        if self._producer is None:
            self._producer = KafkaProducer(**producer_config(self.bootstrap,
                                                             "projections-dead-letters"))
        futures = [self._producer.send(self.topic, key=letter.key, value=letter.value,
                                       headers=dead_letter_headers(letter))
                   for letter in letters]
        self._producer.flush(timeout=30)
        for future in futures:
            future.get(timeout=30)   # raises if any send failed: retried next round
        self.letters.mark_published(letters)
        self.published += len(letters)
        return len(letters)

    def _run(self) -> None:
        while not self.stopping:
            try:
                while self.publish_pending():
                    pass
            except Exception as error:   # broker away: keep them, try again later
                log.warning("dead letters not published yet: %s", error)
                self._close()
            self.idle(self.interval)
        self._close()

    def _close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.close(timeout=5)
            except Exception as error:
                log.debug("closing the dead-letter producer: %s", error)
