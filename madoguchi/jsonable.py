"""Event values as JSON-able data (times as ISO 8601 text), for histories and timelines."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID


def jsonable(value: Any) -> Any:
    """Datetimes to ISO 8601 strings and UUIDs to text, recursively; the rest unchanged."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value
