"""The supplier service's consumer of the inquiry stream and the SLA signals.

* ``InquiryEscalated`` with target SUPPLIER opens an engagement (one per escalation
  event: its id comes from the inquiry id and the event's aggregate version);
* ``InquiryResolved`` / ``InquiryClosed`` withdraw the inquiry's open engagements;
* ``SlaBreached`` / ``SlaClockStopped`` of a supplier clock (context scope SUPPLIER)
  accrue the contract's penalty.

Every effect is an idempotent event-store write, made first; then the rejects and the
partition's next offset are stored in one SQL transaction. A crash in between repeats
the batch, which records nothing new. The event store is never read while the SQL write
transaction is open (on SQLite that deadlocks).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from madoguchi.config import Topics
from madoguchi.eventstream.avro import SchemaCatalog, default_catalog
from madoguchi.eventstream.batches import CommandFeed
from madoguchi.storage.offsets import ConsumerOffsets
from madoguchi.storage.sql import SqlDatabase

CONSUMER = "supplier"
SUPPLIER_SCOPE = "SUPPLIER"


def _context(record: dict[str, Any]) -> dict[str, Any]:
    context = record.get("context") or {}
    return dict(context) if isinstance(context, dict) else {}


def _parse_time(text: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class SupplierStreamHandler(CommandFeed):
    """A ``BatchHandler`` for [topics.inquiries, topics.sla_signals]."""

    def __init__(self, app: Any, db: SqlDatabase, topics: Topics,
                 catalog: SchemaCatalog | None = None) -> None:
        self.app = app
        self.db = db
        self.topics = topics
        self.catalog = catalog or default_catalog()
        self.offsets = ConsumerOffsets(db, CONSUMER)
        self.applied = 0
        self.rejected = 0

    @property
    def topic_names(self) -> list[str]:
        return [self.topics.inquiries, self.topics.sla_signals]

    # ----- effects -----

    def apply(self, event_type: str, record: dict[str, Any]) -> bool:
        """Apply one decoded event; True when it concerned this service."""
        if event_type == "InquiryEscalated":
            if record.get("target") != "SUPPLIER":
                return False
            self.app.open_engagement(
                inquiry_id=str(record["aggregate_id"]),
                escalation_version=int(record["aggregate_version"]),
                supplier_id=str(record.get("to_supplier_id", "")),
                category=str(record.get("category", "")),
                priority=str(record.get("priority", "")), kind=str(record.get("kind", "")),
                subject=str(record.get("subject", "")), reason=str(record.get("reason", "")),
                escalated_at=record["occurred_at"],
                correlation_id=str(record.get("correlation_id", "")))
        elif event_type in ("InquiryResolved", "InquiryClosed"):
            what = "resolved" if event_type == "InquiryResolved" else "closed"
            self.app.withdraw_open_engagements(
                str(record["aggregate_id"]), f"the inquiry was {what} by the service desk",
                record["occurred_at"], before_version=int(record["aggregate_version"]),
                correlation_id=str(record.get("correlation_id", "")))
        elif event_type in ("SlaBreached", "SlaClockStopped"):
            return self._penalty(event_type, record)
        else:
            return False
        self.applied += 1
        return True

    def _penalty(self, event_type: str, record: dict[str, Any]) -> bool:
        context = _context(record)
        if context.get("scope") != SUPPLIER_SCOPE or not context.get("engagement_id"):
            return False
        stopped = event_type == "SlaClockStopped"
        breached = not stopped or bool(record.get("breached"))
        breached_at = _parse_time(str(context.get("breached_at", "")))
        if breached_at is None:
            breached_at = record["stopped_at"] if stopped else record["due_at"]
        self.app.accrue_penalty(
            signal_id=str(record["aggregate_id"]), engagement_id=str(context["engagement_id"]),
            target=str(record["target"]), cycle=int(record["cycle"]), stopped=stopped,
            breached_at=breached_at,
            elapsed_seconds=float(record.get("elapsed_seconds", 0.0) or 0.0),
            target_seconds=float(record.get("target_seconds", 0) or 0),
            correlation_id=str(record.get("correlation_id", "")), breached=breached)
        self.applied += 1
        return True
