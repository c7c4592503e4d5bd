"""Supplier clocks: what engagement events do to an engagement's clocks, and what its
signals say.

The supplier service publishes an engagement's life on the engagements topic (key =
inquiry id, aggregate = engagement). An engagement opened COVERED carries the contract's
clock terms; its ACKNOWLEDGE and RESOLVE clocks run on them. Signal ids derive from the
engagement id; signals carry the inquiry id, and in their context the scope SUPPLIER and
the engagement, supplier and contract. ``agreement_id``/``agreement_version`` of the
published context (required by the SlaContext record) carry the contract and its version.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from madoguchi.errors import InvalidField
from madoguchi.servicelevels.clock import Signal, Stop
from services.sla_monitor.application.clock_events import VersionedClockEvents
from services.sla_monitor.domain.engagement_clocks import (
    COVERED,
    ClockTerms,
    EngagementClocks,
    EngagementOutcome,
)
from services.sla_monitor.domain.oncall.routing import AlertFacts

if TYPE_CHECKING:
    from services.sla_monitor.application.clock_keeper import Batch

log = logging.getLogger(__name__)
SUPPLIER = "SUPPLIER"
ENGAGEMENT_EVENTS = frozenset({
    "EngagementOpened", "EngagementAcknowledged", "EngagementProgressNoted",
    "EngagementResolved", "EngagementHandedBack", "EngagementWithdrawn"})


class EngagementClockEvents(VersionedClockEvents):
    """``ClockEvents`` of supplier clocks, one ``EngagementClocks`` per engagement."""

    scope = SUPPLIER
    opening_event = "EngagementOpened"

    def accepts(self, event_type: str) -> bool:
        return event_type in ENGAGEMENT_EVENTS   # PenaltyAccrued and the rest: not clocks

    def state_id(self, record: dict[str, Any]) -> str:
        return str(record["aggregate_id"])

    def rules(self, state: EngagementClocks) -> ClockTerms | None:
        return state.terms

    # ----- applying engagement events -----

    def step(self, state: EngagementClocks, event_type: str, record: dict[str, Any],
             at: datetime, batch: Batch) -> EngagementClocks:
        if not state.measured:
            return state
        batch.raise_due(state, at)
        stops: list[Stop] = []
        if event_type == "EngagementAcknowledged":
            stops = state.acknowledged_at(at)
        elif event_type == "EngagementResolved":
            stops = state.resolved(at)
        elif event_type == "EngagementHandedBack":
            stops = state.ended(EngagementOutcome.HANDED_BACK, at)
        elif event_type == "EngagementWithdrawn":
            stops = state.ended(EngagementOutcome.WITHDRAWN, at)
        batch.stopped(state, stops, at)
        return state

    def opened(self, record: dict[str, Any], at: datetime, version: int
                ) -> EngagementClocks:
        engagement_id = str(record["aggregate_id"])
        inquiry_id = str(record.get("inquiry_id", ""))
        coverage = str(record.get("coverage", ""))
        terms: ClockTerms | None = None
        if not _is_uuid(inquiry_id):
            # Signals are keyed by (and carry) the inquiry's UUID: none can be published.
            log.error("engagement %s: inquiry id %r is not a UUID: not measured",
                      engagement_id, inquiry_id)
        elif coverage == COVERED:
            try:
                terms = ClockTerms.from_json(str(record.get("clock_terms_json", "")))
            except InvalidField as error:
                log.error("engagement %s: unreadable clock terms, not measured: %s",
                          engagement_id, error)
            if terms is None:
                log.warning("engagement %s is COVERED but has no clock terms: no clocks",
                            engagement_id)
        return EngagementClocks.opened(
            engagement_id=engagement_id, inquiry_id=inquiry_id,
            supplier_id=str(record.get("supplier_id", "")), terms=terms, at=at,
            contract_id=str(record.get("contract_id", "")),
            contract_version=int(record.get("contract_version") or 0), coverage=coverage,
            category=str(record.get("category", "")), priority=str(record.get("priority", "")),
            kind=str(record.get("kind", "")), subject=str(record.get("subject", ""))[:200],
            version=version)

    # ----- signals -----

    def owner(self, state: EngagementClocks) -> str:
        return state.engagement_id

    def inquiry_id(self, state: EngagementClocks) -> str:
        return state.inquiry_id

    def context(self, state: EngagementClocks) -> dict[str, str]:
        return {"agreement_id": state.contract_id,
                "agreement_version": str(state.contract_version),
                "priority": state.priority, "kind": state.kind, "category": state.category,
                "department": "", "subject": state.subject,
                "engagement_id": state.engagement_id, "supplier_id": state.supplier_id,
                "contract_id": state.contract_id,
                "contract_version": str(state.contract_version)}

    def signal_context(self, state: EngagementClocks, signal: Signal) -> dict[str, str]:
        return {}

    def stop_context(self, state: EngagementClocks, stop: Stop) -> dict[str, str]:
        return {}

    def facts(self, state: EngagementClocks, target: str, due_at: datetime, now: datetime,
              percent: int) -> AlertFacts:
        return AlertFacts(
            alert_id="", inquiry_id=state.inquiry_id, target=target,
            kind="BREACH" if percent >= 100 else "WARNING",
            agreement_id=state.contract_id, priority=state.priority,
            category=state.category, department="", subject=state.subject,
            due_at=due_at, raised_at=now, threshold_percent=percent)


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


__all__ = ["ENGAGEMENT_EVENTS", "SUPPLIER", "EngagementClockEvents"]
