"""Route intake's domain events to their Kafka topic, key, Avro value and headers."""

from __future__ import annotations

from typing import Any

from madoguchi.config import Topics
from madoguchi.eventstream.avro import default_catalog
from madoguchi.eventstream.records import event_headers, to_record
from madoguchi.eventstream.relay import Publication
from services.intake.domain.contact_attempt import ContactAttempt


def make_router(topics: Topics):
    catalog = default_catalog()

    def route(event: Any) -> Publication:
        event_type, record = to_record(event)
        value = catalog.encode(event_type, record)
        headers = event_headers(event_type, record, catalog.schema_ref(event_type))
        topic = (topics.contact_attempts if isinstance(event, ContactAttempt.Recorded)
                 else topics.inquiries)
        return Publication(topic=topic, key=str(event.originator_id).encode(), value=value,
                           headers=headers)

    return route
