"""Stored events remember the trace they were saved under, for the outbox relay.

The ``eventsourcing`` library's mapper, with one addition: when tracing is on, a new
domain event is stored with ``trace_context`` (the W3C traceparent of the span that
saved it). The relay reads it back and sends it as the message's ``traceparent``
header; the published Avro record is built from the schema's fields only, so it never
carries it. Snapshots are stored unchanged. Applications select it with
``MAPPER_TOPIC`` (see ``MAPPER_ENV``).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import CanSnapshotAggregate
from eventsourcing.persistence import Mapper, StoredEvent

from madoguchi.observability.tracing import TRACE_ATTRIBUTE, stored_trace

MAPPER_ENV = {"MAPPER_TOPIC": "madoguchi.observability.outbox_mapper:TraceCarryingMapper"}


class TraceCarryingMapper(Mapper[Any]):
    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        if isinstance(domain_event, CanSnapshotAggregate) \
                or TRACE_ATTRIBUTE in vars(domain_event):
            return super().to_stored_event(domain_event)
        carried = stored_trace(domain_event.originator_id)
        if carried:
            clone = object.__new__(type(domain_event))
            object.__setattr__(clone, "__dict__",
                               {**vars(domain_event), TRACE_ATTRIBUTE: carried})
            domain_event = clone
        return super().to_stored_event(domain_event)
