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


@dataclass
class DecodedBatch:
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # offset order
    rejects: list[tuple[Any, str]] = field(default_factory=list)           # (message, reason)


def decode_batch(catalog: SchemaCatalog, records: list[Any]) -> DecodedBatch:
    """Decode ``records``; UnknownSchema propagates (see the module docstring)."""
    batch = DecodedBatch()
    for message in records:
        try:
            batch.events.append(catalog.decode(message.value))
        except UnknownSchema:
            raise
        except (ValueError, TypeError) as error:
            batch.rejects.append((message, f"undecodable: {error}"))
    return batch
