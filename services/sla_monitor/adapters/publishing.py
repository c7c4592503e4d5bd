"""Route the monitor's events to Kafka: signals and alerts, and agreement changes.

Clock signals (warnings, clock stops) are keyed by inquiry id, so one inquiry's signals
stay in order; alert events are keyed by the alert id, so one alert's life stays in
order; agreement events are keyed by the agreement id. The directory (on-call set-up)
is internal and not published.

A signal's context (scope, engagement, supplier and contract of supplier clocks;
``breached_at`` and supplier-held seconds of clock stops) fills the ``SlaContext`` record
of the newest schema (v2) field by field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from madoguchi.eventstream.avro import default_catalog
from madoguchi.eventstream.records import event_headers, to_record
from madoguchi.eventstream.relay import Publication
from services.sla_monitor.domain.agreement import Agreement
from services.sla_monitor.domain.alert import Alert, ClockSignal

MONITOR_ACTOR = "sla-monitor"


@dataclass(frozen=True)
class SlaTopics:
    signals: str = "madoguchi.sla.signals.v1"
    agreements: str = "madoguchi.sla.agreements.v1"


def _context(event: Any, team: str = "") -> dict[str, str]:
    context = dict(event.context)
    context.setdefault("team", team)
    return context


def _shape(event: Any) -> tuple[str, str, str, dict[str, Any]] | None:
    """(event type, topic kind, key, extra values) of a publishable event."""
    if isinstance(event, ClockSignal.WarningReached):
        return "SlaWarningReached", "signals", event.inquiry_id, {
            "occurred_at": event.raised_at, "actor": MONITOR_ACTOR,
            "context": _context(event)}
    if isinstance(event, ClockSignal.Stopped):
        return "SlaClockStopped", "signals", event.inquiry_id, {
            "occurred_at": event.stopped_at, "actor": MONITOR_ACTOR,
            "context": _context(event)}
    alert_key = str(event.originator_id)
    if isinstance(event, Alert.Raised):
        return "SlaBreached", "signals", alert_key, {
            "actor": MONITOR_ACTOR, "context": _context(event, event.team)}
    if isinstance(event, Alert.Reminded):
        return "SlaAlertReminded", "signals", alert_key, {"actor": MONITOR_ACTOR}
    if isinstance(event, Alert.Escalated):
        return "SlaAlertEscalated", "signals", alert_key, {"actor": MONITOR_ACTOR}
    if isinstance(event, Alert.Acknowledged):
        return "SlaAlertAcknowledged", "signals", alert_key, {"actor": event.by}
    if isinstance(event, Alert.Resolved):
        return "SlaAlertResolved", "signals", alert_key, {"actor": event.by}
    if isinstance(event, Agreement.Event):
        values: dict[str, Any] = {"occurred_at": event.timestamp}
        if hasattr(event, "terms"):
            values["terms_json"] = json.dumps(event.terms, ensure_ascii=False, sort_keys=True)
        name = "Agreement" + type(event).__name__
        return name, "agreements", "", values
    return None


def make_router(topics: SlaTopics):
    catalog = default_catalog()

    def route(event: Any) -> Publication | None:
        shape = _shape(event)
        if shape is None:
            return None
        event_type, kind, key, values = shape
        if kind == "agreements":
            key = event.agreement_id
        if isinstance(event, Alert.Event):
            values.setdefault("occurred_at", event.at)
        event_type, record = to_record(event, catalog, event_type=event_type, values=values)
        value = catalog.encode(event_type, record)
        headers = event_headers(event_type, record, catalog.schema_ref(event_type))
        topic = topics.agreements if kind == "agreements" else topics.signals
        return Publication(topic=topic, key=key.encode(), value=value, headers=headers)

    return route
