"""Consume the topics into one generation of read models, one transaction per poll.

The batches of one poll (every partition's) are decoded, applied to every read model
that uses each event, and stored with each partition's next offset in one SQL
transaction, so a crash repeats a
batch rather than losing or doubling it (the read models' own keys make the repeat a
no-op). A message that cannot be decoded, or that a read model cannot apply, becomes a
dead letter with the reason, and the batch goes on without it: the batch is first tried
whole, and only when an event fails is it redone event by event under savepoints, so the
bad one is isolated without costing the good ones. A database that is unreachable is not
the message's fault: that error propagates and the batch is retried.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from madoguchi.eventstream.avro import SchemaCatalog, UnknownSchema, default_catalog
from madoguchi.eventstream.batches import StoredPositions
from madoguchi.jsonable import jsonable
from madoguchi.observability import tracing
from madoguchi.storage.offsets import ConsumerOffsets
from madoguchi.storage.sql import Cursor
from services.projections.application.ports import DeadLetter, DeadLetterStore, ReadModels

log = logging.getLogger(__name__)


def _transient_errors() -> tuple[type[BaseException], ...]:
    """Errors of the database, not of the message: the batch is retried, never set aside.

    A missing table or column, a permission, a server fault (psycopg's Programming- and
    InternalError; SQLite reports them as OperationalError) would otherwise turn every
    message into a dead letter while the offsets move on.
    """
    errors: list[type[BaseException]] = [sqlite3.OperationalError]
    try:
        import psycopg

        errors += [psycopg.OperationalError, psycopg.InterfaceError,
                   psycopg.ProgrammingError, psycopg.InternalError]
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pass
    return tuple(errors)


TRANSIENT = _transient_errors()


class _EventFailed(Exception):
    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class Projector(StoredPositions):
    """A ``BatchHandler`` over one generation's read models."""

    def __init__(self, models: ReadModels, offsets: ConsumerOffsets,
                 dead_letters: DeadLetterStore, catalog: SchemaCatalog | None = None) -> None:
        self.models = models
        self.offsets = offsets
        self.dead_letters = dead_letters
        self.catalog = catalog or default_catalog()
        self.applied = 0
        self.duplicates = 0
        self.skipped = 0
        self.dead = 0
        self.on_dead_letter: Any = None   # called after a batch that added dead letters

    def handle(self, cluster: str, partition: Any, records: list[Any]) -> None:
        self.handle_all(cluster, {partition: records})

    def handle_all(self, cluster: str, batches: dict[Any, list[Any]]) -> None:
        """Every partition's batch of one poll in one transaction (one commit, not one per
        partition: on PostgreSQL the commit is most of the cost of a small batch)."""
        events: list[tuple[Any, Any, str, dict[str, Any]]] = []
        letters: list[DeadLetter] = []
        for partition, records in batches.items():
            for message in records:
                try:
                    event_type, record = self.catalog.decode(message.value)
                except UnknownSchema:
                    raise   # a newer producer: stop rather than skip (deploy the newer reader)
                except (ValueError, TypeError) as error:
                    letters.append(self._letter(cluster, partition, message, "",
                                                f"undecodable: {error}"))
                    continue
                events.append((partition, message, event_type, jsonable(record)))
        try:
            counts = self._store(cluster, batches, events, letters, isolate=False)
        except _EventFailed:
            counts = self._store(cluster, batches, events, letters, isolate=True)
        applied, duplicates, skipped, dead = counts
        self.applied += applied
        self.duplicates += duplicates
        self.skipped += skipped
        self.dead += dead
        if dead and self.on_dead_letter is not None:
            self.on_dead_letter()

    def _letter(self, cluster: str, partition: Any, message: Any, event_type: str,
                reason: str) -> DeadLetter:
        return DeadLetter(cluster, partition.topic, partition.partition, message.offset,
                          self.offsets.consumer, reason, event_type, message.key,
                          message.value)

    def _store(self, cluster: str, batches: dict[Any, list[Any]],
               events: list[tuple[Any, Any, str, dict[str, Any]]], letters: list[DeadLetter],
               *, isolate: bool) -> tuple[int, int, int, int]:
        applied = duplicates = skipped = 0
        failed: list[DeadLetter] = []
        with self.models.db.transaction() as cur:
            for partition, message, event_type, record in events:
                models = self.models.for_event(event_type)
                if not models:
                    skipped += 1
                    continue
                if isolate:
                    cur.execute("SAVEPOINT projection_event")
                try:
                    with tracing.record_span(partition.topic, message, "project"):
                        fresh = self._apply(cur, models, event_type, record)
                except TRANSIENT:
                    raise
                except Exception as error:
                    if not isolate:
                        raise _EventFailed(error) from error
                    cur.execute("ROLLBACK TO SAVEPOINT projection_event")
                    cur.execute("RELEASE SAVEPOINT projection_event")
                    log.error("%s: cannot apply %s at %s[%d]@%d: %r", self.offsets.consumer,
                              event_type, partition.topic, partition.partition,
                              message.offset, error)
                    failed.append(self._letter(cluster, partition, message, event_type,
                                               f"unappliable: {type(error).__name__}: {error}"))
                    continue
                if isolate:
                    cur.execute("RELEASE SAVEPOINT projection_event")
                applied += fresh
                duplicates += not fresh
            dead = 0
            for letter in (*letters, *failed):
                dead += self.dead_letters.add(cur, letter)
            for partition, records in batches.items():
                if records:
                    self.offsets.save_offset(cur, cluster, partition.topic,
                                             partition.partition, records[-1].offset + 1)
        return applied, duplicates, skipped, dead

    @staticmethod
    def _apply(cur: Cursor, models: list[Any], event_type: str, record: dict[str, Any]) -> bool:
        fresh = False
        for model in models:
            fresh = model.apply(cur, event_type, record) or fresh
        return fresh
