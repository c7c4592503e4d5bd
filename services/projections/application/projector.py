"""Consume intake's topics into the read models, one transaction per partition batch."""

from __future__ import annotations

from typing import Any

from madoguchi.eventstream.avro import SchemaCatalog, default_catalog
from madoguchi.eventstream.batches import decode_batch
from madoguchi.jsonable import jsonable
from services.projections.adapters.sql_store import InquiryStore


class InquiryProjector:
    """A ``BatchHandler``: decode each message, apply it idempotently, store the offset."""

    def __init__(self, store: InquiryStore, catalog: SchemaCatalog | None = None) -> None:
        self.store = store
        self.catalog = catalog or default_catalog()
        self.applied = 0
        self.duplicates = 0
        self.rejected = 0

    def stored_offsets(self, cluster: str, partitions: list[Any]) -> dict[Any, int]:
        return self.store.offsets.stored_offsets(cluster, partitions)

    def forget_other_clusters(self, cluster: str) -> None:
        self.store.offsets.forget_other_clusters(cluster)

    def handle(self, cluster: str, partition: Any, records: list[Any]) -> None:
        applied = duplicates = 0
        batch = decode_batch(self.catalog, records)
        with self.store.db.transaction() as cur:
            for event_type, record in batch.events:
                record = jsonable(record)
                if event_type.startswith("Inquiry"):
                    fresh = self.store.apply_inquiry_event(cur, event_type, record)
                elif event_type == "ContactAttemptRecorded":
                    fresh = self.store.apply_contact_attempt(cur, record)
                else:
                    fresh = False  # an event type this read model does not use
                applied += fresh
                duplicates += not fresh
            self.store.offsets.finish_batch(cur, cluster, partition, records, batch.rejects)
        self.applied += applied
        self.duplicates += duplicates
        self.rejected += len(batch.rejects)
