"""Customer clocks: what inquiry events do to an inquiry's clocks, and what signals say.

The inquiry stream (key = inquiry id, aggregate = inquiry) drives ``InquiryClocks``
under the agreement version pinned at receipt. A supplier engagement recorded on the
inquiry (``InquirySupplierEngaged`` / ``InquirySupplierOutcomeRecorded``) is, for the
clocks, a hold AWAITING_SUPPLIER when intake says so, and an interval whose running time
is counted per clock, so a report can show which part of a breach was at the supplier.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from madoguchi.servicelevels.clock import AWAITING_SUPPLIER, Signal, Stop
from madoguchi.servicelevels.inquiry_clocks import InquiryClocks
from madoguchi.servicelevels.terms import AgreementTerms
from services.sla_monitor.application.clock_events import VersionedClockEvents
from services.sla_monitor.application.monitor_config import MonitorConfig
from services.sla_monitor.domain.oncall.routing import AlertFacts

if TYPE_CHECKING:
    from services.sla_monitor.application.clock_keeper import Batch

log = logging.getLogger(__name__)
CUSTOMER = "CUSTOMER"


def seconds_text(seconds: float) -> str:
    """Seconds as decimal text with millisecond precision, e.g. ``"90.000"``."""
    return f"{max(0.0, seconds):.3f}"


class InquiryClockEvents(VersionedClockEvents):
    """``ClockEvents`` of customer clocks, one ``InquiryClocks`` per inquiry."""

    scope = CUSTOMER
    opening_event = "InquiryReceived"

    def __init__(self, config: MonitorConfig) -> None:
        self.config = config

    def accepts(self, event_type: str) -> bool:
        return event_type.startswith("Inquiry")

    def state_id(self, record: dict[str, Any]) -> str:
        return str(record["aggregate_id"])

    def rules(self, state: InquiryClocks) -> AgreementTerms | None:
        if not state.agreement_id:
            return None
        return self.config.terms(state.agreement_id, state.agreement_version)

    # ----- applying inquiry events -----

    def follow_revisions(self, state: InquiryClocks, batch: Batch,
                         at: datetime | None = None) -> None:
        if not state.agreement_id:
            return
        at = at or batch.now
        carried = self.config.carried_version(state.agreement_id, state.agreement_version)
        if carried > state.agreement_version:
            terms = self.config.terms(state.agreement_id, carried)
            batch.stopped(state, state.retarget(terms, at, agreement_version=carried), at)

    def step(self, state: InquiryClocks, event_type: str, record: dict[str, Any],
             at: datetime, batch: Batch) -> InquiryClocks:
        if not state.agreement_id:
            return state
        self.follow_revisions(state, batch, at)
        batch.raise_due(state, at)
        terms = self.config.terms(state.agreement_id, state.agreement_version)
        stops = state.apply_event(terms, event_type, record, at)
        batch.stopped(state, stops, at)
        return state

    def opened(self, record: dict[str, Any], at: datetime, version: int) -> InquiryClocks:
        requested = str(record.get("agreement_id", ""))
        applied = self.config.for_new_inquiry(requested, at)
        common = {"inquiry_id": str(record["aggregate_id"]), "priority": str(record["priority"]),
                  "kind": str(record["kind"]), "category": str(record.get("category", "")),
                  "department": str(record.get("department", "")),
                  "subject": str(record.get("subject", ""))[:200], "version": version}
        if applied is None:
            log.warning("inquiry %s: no agreement %r and no default agreement: no clocks",
                        common["inquiry_id"], requested)
            return InquiryClocks(agreement_id="", agreement_version=0, **common)
        agreement_id, version = applied
        if agreement_id != requested:
            log.warning("inquiry %s: unknown or retired agreement %r, measured under the "
                        "default %r", common["inquiry_id"], requested, agreement_id)
        return InquiryClocks.received(
            agreement_id=agreement_id, agreement_version=version,
            terms=self.config.terms(agreement_id, version), at=at, **common)

    # ----- signals -----

    def owner(self, state: InquiryClocks) -> str:
        return state.inquiry_id

    def inquiry_id(self, state: InquiryClocks) -> str:
        return state.inquiry_id

    def context(self, state: InquiryClocks) -> dict[str, str]:
        return {"agreement_id": state.agreement_id,
                "agreement_version": str(state.agreement_version),
                "priority": state.priority, "kind": state.kind, "category": state.category,
                "department": state.department, "subject": state.subject}

    def signal_context(self, state: InquiryClocks, signal: Signal) -> dict[str, str]:
        """A warning or breach that fell due while a supplier held the inquiry names it."""
        engagement_id = state.holding_engagement(signal.due_at)
        if not engagement_id:
            return {}
        return {"engagement_id": engagement_id,
                "supplier_id": state.engagement_suppliers.get(engagement_id, "")}

    def stop_context(self, state: InquiryClocks, stop: Stop) -> dict[str, str]:
        return {"supplier_held_seconds": seconds_text(stop.supplier_held_seconds),
                "supplier_late_seconds": seconds_text(stop.supplier_late_seconds)}

    def facts(self, state: InquiryClocks, target: str, due_at: datetime, now: datetime,
              percent: int) -> AlertFacts:
        return AlertFacts(
            alert_id="", inquiry_id=state.inquiry_id, target=target,
            kind="BREACH" if percent >= 100 else "WARNING",
            agreement_id=state.agreement_id, priority=state.priority,
            category=state.category, department=state.department, subject=state.subject,
            due_at=due_at, raised_at=now, threshold_percent=percent)


__all__ = ["AWAITING_SUPPLIER", "CUSTOMER", "InquiryClockEvents", "seconds_text"]
