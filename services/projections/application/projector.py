"""Consume intake's topics into the read models, one transaction per partition batch."""

from __future__ import annotations

import logging
from typing import Any

from madoguchi.eventstream.avro import SchemaCatalog, UnknownSchema, default_catalog
from madoguchi.jsonable import jsonable
from services.projections.adapters.sql_store import InquiryStore

log = logging.getLogger(__name__)


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
        applied = duplicates = rejected = 0
        with self.store.db.transaction() as cur:
            for message in records:
                try:
                    event_type, record = self.catalog.decode(message.value)
                except UnknownSchema:
                    # Written with a schema this build does not know (a newer producer):
                    # stop here and retry, rather than skip; deploy the newer consumer.
                    raise
                except ValueError as error:
                    self.store.offsets.reject(cur, cluster, partition.topic, partition.partition,
                                      message.offset, f"undecodable: {error}",
                                      message.key, message.value)
                    rejected += 1
                    continue
                record = jsonable(record)
                if event_type.startswith("Inquiry"):
                    fresh = self.store.apply_inquiry_event(cur, event_type, record)
                elif event_type == "ContactAttemptRecorded":
                    fresh = self.store.apply_contact_attempt(cur, record)
                else:
                    fresh = False  # an event type this read model does not use
                applied += fresh
                duplicates += not fresh
            self.store.offsets.save_offset(cur, cluster, partition.topic, partition.partition,
                                   records[-1].offset + 1)
        self.applied += applied
        self.duplicates += duplicates
        self.rejected += rejected
        if rejected:
            log.error("rejected %d undecodable message(s) on %s", rejected, partition)
