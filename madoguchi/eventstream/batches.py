"""A partition's batch as every consumer reads it: decoded events, and what could not be.

Each message is decoded with the schema catalog. One that cannot be decoded is set aside
with the reason (the consumer moves on); one written with a schema this build does not
know raises ``UnknownSchema``, which stops the partition instead of skipping it (a newer
producer: deploy the newer consumer). The consumer then stores what it derived, the
rejects and the partition's next offset in one SQL transaction
(``ConsumerOffsets.finish_batch``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from madoguchi.eventstream.avro import SchemaCatalog, UnknownSchema
from madoguchi.observability import tracing
from madoguchi.storage.offsets import ConsumerOffsets


@dataclass
class DecodedBatch:
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # offset order
    messages: list[Any] = field(default_factory=list)   # the message of each event
    rejects: list[tuple[Any, str]] = field(default_factory=list)           # (message, reason)


def decode_batch(catalog: SchemaCatalog, records: list[Any]) -> DecodedBatch:
    """Decode ``records``; UnknownSchema propagates (see the module docstring)."""
    batch = DecodedBatch()
    for message in records:
        try:
            batch.events.append(catalog.decode(message.value))
            batch.messages.append(message)
        except UnknownSchema:
            raise
        except (ValueError, TypeError) as error:
            batch.rejects.append((message, f"undecodable: {error}"))
    return batch


class StoredPositions:
    """A ``BatchHandler``'s positions, kept by ``self.offsets`` in its own database."""

    offsets: ConsumerOffsets

    def stored_offsets(self, cluster: str, partitions: list[Any]) -> dict[Any, int]:
        return self.offsets.stored_offsets(cluster, partitions)

    def forget_other_clusters(self, cluster: str) -> None:
        self.offsets.forget_other_clusters(cluster)


class CommandFeed(StoredPositions):
    """A ``BatchHandler`` that turns each event into an idempotent command on an
    event-sourced application (``apply``), then stores the partition's position.

    The commands are written first and never under the SQL write transaction (on SQLite
    the event store shares the file, and waiting for it under the write lock deadlocks);
    a crash in between repeats commands that recognise themselves as done.
    """

    catalog: SchemaCatalog
    rejected: int

    def handle(self, cluster: str, partition: Any, records: list[Any]) -> None:
        batch = decode_batch(self.catalog, records)
        for message, (event_type, record) in zip(batch.messages, batch.events, strict=True):
            with tracing.record_span(partition.topic, message):
                self.apply(event_type, record)
        with self.offsets.db.transaction() as cur:
            self.offsets.finish_batch(cur, cluster, partition, records, batch.rejects)
        self.rejected += len(batch.rejects)

    def apply(self, event_type: str, record: dict[str, Any]) -> Any:
        raise NotImplementedError
