"""Domain events as public Avro records and Kafka headers (the published contract).

The record is built from the newest schema of the event type, field by field, so the
schema files (not the services) define what is published; internal attributes such as
``request_fingerprint`` never leave a service. The event id is derived from the
aggregate id and version, so an event republished after a relay crash keeps its id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any
from uuid import UUID, uuid5

from madoguchi.eventstream.avro import CONTENT_TYPE, SchemaCatalog, default_catalog

ENVELOPE_FIELDS = ("event_id", "aggregate_id", "aggregate_version", "recorded_at",
                   "occurred_at", "actor", "correlation_id")

# Events without their own occurred_at (facts reported by machines): where the
# envelope's occurred_at comes from instead.
_OCCURRED_AT_FROM = {"ContactAttemptRecorded": "attempted_at"}


def event_type_name(event: Any) -> str:
    """Public name of an event type, e.g. ``InquiryReceived`` or ``ContactAttemptRecorded``."""
    owner, _, name = type(event).__qualname__.rpartition(".")
    return f"{owner}{name}"


def event_id_for(aggregate_id: UUID, version: int) -> UUID:
    """Deterministic event id: UUIDv5(namespace=aggregate id, name=str(version))."""
    return uuid5(aggregate_id, str(version))


def to_record(event: Any, catalog: SchemaCatalog | None = None, event_type: str = "",
              values: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """(event type, Avro record for the newest schema of that type) of a domain event.

    ``event_type`` defaults to the event class's public name; ``values`` supplies fields
    the event does not carry as attributes of the same name.
    """
    catalog = catalog or default_catalog()
    event_type = event_type or event_type_name(event)
    values = values or {}
    schema = catalog.schema(event_type)
    aggregate_id: UUID = event.originator_id
    version = int(event.originator_version)
    occurred_at = getattr(event, "occurred_at", None)
    if occurred_at is None:
        occurred_at = getattr(event, _OCCURRED_AT_FROM.get(event_type, "timestamp"))
    record: dict[str, Any] = {
        "event_id": event_id_for(aggregate_id, version),
        "aggregate_id": aggregate_id,
        "aggregate_version": version,
        "recorded_at": event.timestamp,
        "occurred_at": occurred_at,
        "actor": getattr(event, "actor", "") or "",
        "correlation_id": getattr(event, "correlation_id", "") or "",
    }
    for field in schema["fields"]:
        name = field["name"]
        if name in record:
            continue
        if name in values:
            record[name] = _convert(values[name], field["type"], f"{event_type}.{name}")
        elif hasattr(event, name):
            record[name] = _convert(getattr(event, name), field["type"], f"{event_type}.{name}")
        elif "default" not in field:
            raise ValueError(f"{event_type} has no attribute {name!r} required by "
                             f"{catalog.schema_ref(event_type)}")
    return event_type, record


def _convert(value: Any, schema: Any, where: str) -> Any:
    """Domain value -> Avro value: enums and ids to text, nested dicts to records."""
    if isinstance(schema, dict) and schema.get("type") == "record" and isinstance(value, dict):
        nested: dict[str, Any] = {}
        for field in schema["fields"]:
            name = field["name"]
            if name in value:
                nested[name] = _convert(value[name], field["type"], f"{where}.{name}")
            elif "default" not in field:
                raise ValueError(f"{where} has no {name!r}")
        return nested
    if isinstance(value, Enum):
        return value.value
    if schema == "string" and isinstance(value, UUID):
        return str(value)
    return value


def _iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_headers(event_type: str, record: dict[str, Any], schema_ref: str
                  ) -> list[tuple[str, bytes]]:
    """Kafka headers (UTF-8) that let consumers route and dedupe without decoding."""
    values = [
        ("event_type", event_type),
        ("schema", schema_ref),
        ("event_id", str(record["event_id"])),
        ("aggregate_id", str(record["aggregate_id"])),
        ("aggregate_version", str(int(record["aggregate_version"]))),
        ("occurred_at", _iso_utc(record["occurred_at"])),
        ("correlation_id", str(record.get("correlation_id", ""))),
        ("content_type", CONTENT_TYPE),
    ]
    return [(name, value.encode("utf-8")) for name, value in values]
