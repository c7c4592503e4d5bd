"""Record the supplier service's engagement events on their inquiries.

A ``BatchHandler`` on the supplier engagements topic: EngagementOpened puts an open
inquiry ON_HOLD AWAITING_SUPPLIER, and the engagement's end (resolved, handed back,
withdrawn) resumes it, so the inquiry's own clocks stop while the supplier holds it.

Each fact is written to the event store first (idempotent per engagement, so a
redelivered message records nothing), then the partition's next offset in one SQL
transaction. A crash between the two repeats the writes on restart, harmlessly.
"""

from __future__ import annotations

import logging
from typing import Any

from madoguchi.eventstream.avro import SchemaCatalog, default_catalog
from madoguchi.eventstream.batches import CommandFeed
from madoguchi.storage.offsets import ConsumerOffsets
from services.intake.application import commands as c
from services.intake.application.app import IntakeApplication
from services.intake.domain.errors import InvalidField, NotFound
from services.intake.domain.values import SupplierOutcome

log = logging.getLogger(__name__)

CONSUMER_NAME = "intake-engagements"
ACTOR = "supplier-service"
OPENED = "EngagementOpened"
# Event type -> (outcome recorded on the inquiry, the record field that is its note)
ENDINGS: dict[str, tuple[SupplierOutcome, str]] = {
    "EngagementResolved": (SupplierOutcome.RESOLVED, "resolution"),
    "EngagementHandedBack": (SupplierOutcome.HANDED_BACK, "reason"),
    "EngagementWithdrawn": (SupplierOutcome.WITHDRAWN, "reason"),
}


class EngagementConsumer(CommandFeed):
    """Applies engagement events to the intake event store; offsets in the intake DB."""

    def __init__(self, app: IntakeApplication, offsets: ConsumerOffsets,
                 catalog: SchemaCatalog | None = None) -> None:
        self.app = app
        self.offsets = offsets
        self.catalog = catalog or default_catalog()
        # figures for /metrics and tests
        self.recorded = 0      # facts newly recorded on an inquiry
        self.duplicates = 0    # facts the inquiry already had (redelivery, replay)
        self.skipped = 0       # facts about unknown inquiries or with unusable fields
        self.rejected = 0      # undecodable messages set aside

    # ----- one event -----

    def apply(self, event_type: str, record: dict[str, Any]) -> bool | None:
        """Record one engagement event on its inquiry: True new, False repeat, None skipped."""
        if event_type != OPENED and event_type not in ENDINGS:
            return None  # progress notes, acknowledgements, penalties: not the inquiry's
        inquiry_id = str(record.get("inquiry_id", ""))
        engagement_id = str(record["aggregate_id"])
        meta = c.Meta(actor=ACTOR, occurred_at=record.get("occurred_at"),
                      correlation_id=str(record.get("correlation_id", "")))
        supplier_id = str(record.get("supplier_id", ""))
        try:
            if event_type == OPENED:
                outcome = self.app.record_supplier_engaged(
                    inquiry_id, meta, engagement_id, supplier_id,
                    str(record.get("contract_id", "")), str(record.get("coverage", "")))
            else:
                ending, note_field = ENDINGS[event_type]
                outcome = self.app.record_supplier_outcome(
                    inquiry_id, meta, engagement_id, supplier_id, ending,
                    str(record.get(note_field, "")))
        except NotFound:
            log.warning("%s %s: inquiry %s not found; skipped", event_type, engagement_id,
                        inquiry_id)
            self.skipped += 1
            return None
        except InvalidField as error:
            log.warning("%s %s for inquiry %s is unusable (%s); skipped", event_type,
                        engagement_id, inquiry_id, error)
            self.skipped += 1
            return None
        if outcome.replayed:
            self.duplicates += 1
            return False
        self.recorded += 1
        return True
