"""google.protobuf.Timestamp <-> aware UTC datetimes, for every service's gRPC adapter."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from madoguchi.errors import InvalidField


def read_time(message: Any, field: str, name: str | None = None) -> datetime | None:
    """The Timestamp ``field`` of a request as UTC, None when unset.

    Out-of-range values are the caller's mistake: InvalidField naming ``name`` (the
    field's path in the request, default ``field``).
    """
    if not message.HasField(field):
        return None
    try:
        return getattr(message, field).ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise InvalidField([(name or field, "is not a valid timestamp (years 1-9999, "
                                            "0 <= nanos < 1e9)")]) from None


def write_time(message: Any, field: str, value: datetime | str | None) -> None:
    """Set the Timestamp ``field`` from a datetime or ISO 8601 text; leave it unset for None."""
    if not value:
        return
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    timestamp = Timestamp()
    timestamp.FromDatetime(moment.astimezone(UTC))
    getattr(message, field).CopyFrom(timestamp)
