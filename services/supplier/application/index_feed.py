"""Keep the engagement index in step with the application's notification log.

Like the SLA monitor's alert feed: read a batch of the log, derive the rows, then write
them and the new position in one SQL transaction (never holding the SQL write lock while
reading the event store: on SQLite that deadlocks). A crash between batches repeats the
last batch; the writes are idempotent. Queries call ``catch_up`` first, so a caller
always reads its own writes; the background loop keeps the index warm in between.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any, Protocol

from eventsourcing.application import Application

from madoguchi.background import BackgroundThread
from madoguchi.storage.sql import Cursor, SqlDatabase
from services.supplier.domain.contract import Contract
from services.supplier.domain.engagement import Engagement
from services.supplier.domain.penalty import PenaltyLedger
from services.supplier.domain.review import SupplierReview
from services.supplier.domain.supplier import Supplier

log = logging.getLogger(__name__)
FEED_NAME = "engagement-index"

_STATUS = {Engagement.Acknowledged: "ACKNOWLEDGED", Engagement.Resolved: "RESOLVED",
           Engagement.HandedBack: "HANDED_BACK", Engagement.Withdrawn: "WITHDRAWN"}


def epoch_us(at: datetime) -> int:
    return round(at.timestamp() * 1_000_000)


class EngagementRecords(Protocol):
    """The SQL index the use cases read, and the index feed writes (``index_feed``)."""

    db: SqlDatabase

    def position(self, name: str) -> int: ...

    def save_position(self, cur: Cursor, name: str, position: int) -> None: ...

    def upsert_supplier(self, cur: Cursor, supplier_id: str, retired: bool,
                        version: int) -> None: ...

    def upsert_contract(self, cur: Cursor, contract_id: str, supplier_id: str,
                        version: int) -> None: ...

    def add_review(self, cur: Cursor, review_id: str, supplier_id: str, held_on: str) -> None: ...

    def add_engagement(self, cur: Cursor, row: dict[str, Any]) -> None: ...

    def set_engagement_status(self, cur: Cursor, engagement_id: str, status: str | None,
                              version: int) -> None: ...

    def add_penalty_line(self, cur: Cursor, row: dict[str, Any]) -> None: ...

    def supplier_ids(self, include_retired: bool) -> list[str]: ...

    def contract_ids(self, supplier_id: str = "") -> list[str]: ...

    def review_ids(self, supplier_id: str) -> list[str]: ...

    def engagements(self, *, supplier_id: str = "", status: str = "", coverage: str = "",
                    inquiry_id: str = "", after: tuple[int, str] | None = None,
                    limit: int = 50) -> list[dict[str, Any]]: ...

    def open_engagements_of(self, inquiry_id: str) -> list[dict[str, Any]]: ...

    def penalty_lines(self, *, supplier_id: str = "", contract_id: str = "", month: str = "",
                      engagement_id: str = "") -> list[dict[str, Any]]: ...

    def category_counts(self, since_us: int | None, until_us: int | None
                        ) -> list[tuple[str, str, int]]: ...


class IndexFeed(BackgroundThread):
    def __init__(self, app: Application[Any], index: EngagementRecords, *,
                 batch_size: int = 500, poll_seconds: float = 1.0) -> None:
        super().__init__("supplier-index")
        self.app = app
        self.index = index
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self._lock = threading.Lock()

    def _run(self) -> None:
        while not self.stopping:
            try:
                self.catch_up()
            except Exception:
                log.exception("engagement index step failed; retrying")
                self._stop.wait(1.0)
            self.idle(self.poll_seconds)

    def catch_up(self) -> int:
        """Index everything the log holds now; return how many events were read."""
        read = 0
        with self._lock:
            while True:
                n = self._step()
                read += n
                if n < self.batch_size:
                    return read

    def _step(self) -> int:
        position = self.index.position(FEED_NAME)
        notifications = self.app.recorder.select_notifications(
            start=position + 1, limit=self.batch_size)
        if not notifications:
            return 0
        events = [self.app.mapper.to_domain_event(n) for n in notifications]
        with self.index.db.transaction() as cur:
            for event in events:
                self._apply(cur, event)
            self.index.save_position(cur, FEED_NAME, notifications[-1].id)
        return len(notifications)

    def _apply(self, cur: Any, event: Any) -> None:
        version = int(event.originator_version)
        if isinstance(event, Supplier.Event):
            self.index.upsert_supplier(cur, event.supplier_id,
                                       isinstance(event, Supplier.Retired), version)
        elif isinstance(event, Contract.Event):
            self.index.upsert_contract(cur, event.contract_id, event.supplier_id, version)
        elif isinstance(event, SupplierReview.Recorded):
            self.index.add_review(cur, event.review_id, event.supplier_id, event.held_on)
        elif isinstance(event, Engagement.Opened):
            self.index.add_engagement(cur, {
                "engagement_id": event.engagement_id, "inquiry_id": event.inquiry_id,
                "escalation_version": event.escalation_version,
                "supplier_id": event.supplier_id, "contract_id": event.contract_id,
                "category": event.category, "priority": event.priority,
                "coverage": event.coverage, "status": "OPEN",
                "opened_us": epoch_us(event.occurred_at), "version": version})
        elif isinstance(event, Engagement.Event):
            self.index.set_engagement_status(cur, event.engagement_id,
                                             _STATUS.get(type(event)), version)
        elif isinstance(event, PenaltyLedger.Accrued):
            self.index.add_penalty_line(cur, {
                "ledger_id": str(event.originator_id), "ledger_version": version,
                "contract_id": event.contract_id, "supplier_id": event.supplier_id,
                "month": event.month, "engagement_id": event.engagement_id,
                "inquiry_id": event.inquiry_id, "target": event.target, "cycle": event.cycle,
                "rule": event.rule, "units": event.units, "amount_due": event.amount_due,
                "amount_accrued": event.amount_accrued, "currency": event.currency,
                "monthly_cap": event.monthly_cap, "month_total": event.month_total,
                "capped": int(event.capped), "accrued_us": epoch_us(event.occurred_at)})
