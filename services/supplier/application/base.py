"""What every supplier use case stands on: the event store, the SQL index, lookups and
the one way to change an aggregate.

Every accepted command is committed before it returns. Errors are ``madoguchi.errors``
kinds: InvalidField (naming the request field, e.g.
``terms.targets[0].acknowledge_minutes``), NotFound, TransitionNotAllowed,
VersionConflict (stale ``expected_version``), IdempotencyKeyReused (same key/code,
different content), Unauthenticated (portal calls without a supplier identity).
Creating calls are idempotent by code or key; other commands retry on a concurrent
write (``madoguchi.aggregate_change``) unless the caller gave an ``expected_version``.
Listings, penalties and dependency risk read the SQL index (``index_feed``), caught up
first so a caller reads its own writes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from madoguchi.aggregate_change import change_aggregate
from madoguchi.errors import (
    InvalidField,
    NotFound,
    Unauthenticated,
)
from madoguchi.eventstream.save_listeners import SaveListeners
from services.supplier.application.index_feed import EngagementRecords, IndexFeed
from services.supplier.application.views import (
    EngagementView,
    engagement_view,
    penalty_line,
)
from services.supplier.domain.contract import Contract
from services.supplier.domain.engagement import Engagement
from services.supplier.domain.supplier import Supplier
from services.supplier.domain.values import (
    Limits,
    check_text,
    contract_uuid,
    supplier_uuid,
)

log = logging.getLogger(__name__)
SYSTEM_ACTOR = "supplier-service"


@dataclass(frozen=True)
class Meta:
    """Who did it, when it happened (None: now), and the trace id."""

    actor: str = ""
    occurred_at: datetime | None = None
    correlation_id: str = ""



class SupplierBase(SaveListeners, Application[UUID]):
    """The event store and the index; lookups shared by the use cases."""

    def __init__(self, env: dict[str, str] | None = None, *, index: EngagementRecords,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(env)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.index = index
        self.db = index.db
        self.index_feed = IndexFeed(self, self.index)
        self.add_listener(self.index_feed.wake)

    def close(self) -> None:
        self.index_feed.stop()
        super().close()
        self.db.close()

    def _meta(self, meta: Meta, violations: list[tuple[str, str]] | None = None
              ) -> dict[str, Any]:
        v: list[tuple[str, str]] = []
        check_text(v, "meta.actor", meta.actor, Limits.ACTOR)
        check_text(v, "meta.correlation_id", meta.correlation_id, Limits.CORRELATION_ID)
        occurred = meta.occurred_at
        now = self.clock()
        if occurred is not None:
            if occurred.tzinfo is None:
                v.append(("meta.occurred_at", "must carry a time zone"))
            elif occurred > now + timedelta(minutes=5):
                v.append(("meta.occurred_at", "must not be in the future"))
        v = (violations or []) + v
        if v:
            raise InvalidField(v)
        return {"actor": meta.actor, "occurred_at": occurred or now,
                "correlation_id": meta.correlation_id}

    def _find(self, aggregate_id: UUID, version: int | None = None) -> Any:
        try:
            return self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            return None

    def _create(self, aggregate: Any, replay: Callable[[Any], Any]) -> tuple[Any, bool]:
        """Save a new aggregate; if a concurrent call created it first, answer as its retry."""
        try:
            self.save(aggregate)
        except IntegrityError:
            existing = self._find(aggregate.id)
            replay(existing)
            return existing, True
        return aggregate, False

    def _change(self, aggregate_id: UUID, kind: type, missing: str,
                action: Callable[[Any], bool | None], expected_version: int = 0,
                is_retry: Callable[[Any], bool] | None = None) -> Any:
        """Load, check the version, apply ``action``, save; retry on a concurrent write.

        ``is_retry`` recognises a repeated call that already took effect before the
        version check, so an exact retry of a conditional call is answered as a replay.
        """
        if expected_version < 0:
            raise InvalidField([("expected_version", "must not be negative")])
        return change_aggregate(self, aggregate_id, kind=kind,
                                label=missing.removesuffix(" not found"), action=action,
                                expected_version=expected_version,
                                is_retry=is_retry).aggregate

    def _supplier(self, supplier_id: str) -> Supplier | None:
        found = self._find(supplier_uuid(supplier_id))
        return found if isinstance(found, Supplier) else None

    def _contract(self, contract_id: str, version: int | None = None) -> Contract:
        found = self._find(contract_uuid(contract_id), version) \
            if isinstance(contract_id, str) else None
        if not isinstance(found, Contract):
            raise NotFound(f"contract {contract_id} not found"
                           + (f" at version {version}" if version else ""))
        return found

    def _engagement(self, engagement_id: str, caller: str | None) -> Engagement:
        if caller is not None and not caller:
            raise Unauthenticated("a supplier identity is required")
        missing = f"engagement {engagement_id} not found"
        try:
            uid = UUID(engagement_id)
        except (ValueError, AttributeError, TypeError):
            raise NotFound(missing) from None
        found = self._find(uid)
        if not isinstance(found, Engagement) or (caller is not None
                                                 and found.supplier_id != caller):
            raise NotFound(missing)
        return found

    def _engagement_view(self, engagement: Engagement) -> EngagementView:
        lines = self.index.penalty_lines(engagement_id=engagement.engagement_id)
        return engagement_view(engagement, tuple(penalty_line(r) for r in lines))
