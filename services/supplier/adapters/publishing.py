"""Route the supplier service's events to Kafka: engagements and penalties, and the registry.

Engagement events and penalty accruals go to the engagements topic keyed by inquiry id
(UTF-8), so one inquiry's supplier story stays in order next to its SLA signals;
supplier, contract and review events go to the registry topic keyed by supplier id.
Terms travel as JSON text (``terms_json``).
"""

from __future__ import annotations

from typing import Any

from madoguchi.config import Topics
from madoguchi.eventstream.avro import default_catalog
from madoguchi.eventstream.records import event_headers, to_record
from madoguchi.eventstream.relay import Publication
from services.supplier.domain.contract import Contract
from services.supplier.domain.engagement import Engagement
from services.supplier.domain.penalty import PenaltyLedger
from services.supplier.domain.review import SupplierReview
from services.supplier.domain.supplier import Supplier
from services.supplier.domain.terms import terms_json


def shape(event: Any) -> tuple[str, str, str, dict[str, Any]] | None:
    """(event type, topic kind, key, extra values) of a publishable event, else None."""
    if isinstance(event, PenaltyLedger.Accrued):
        return "PenaltyAccrued", "engagements", event.inquiry_id, {}
    if isinstance(event, Engagement.Event):
        return f"Engagement{type(event).__name__}", "engagements", event.inquiry_id, {}
    if isinstance(event, Supplier.Event):
        return f"Supplier{type(event).__name__}", "registry", event.supplier_id, {}
    if isinstance(event, Contract.Event):
        values = {"terms_json": terms_json(event.terms)} if hasattr(event, "terms") else {}
        return f"Contract{type(event).__name__}", "registry", event.supplier_id, values
    if isinstance(event, SupplierReview.Event):
        return f"SupplierReview{type(event).__name__}", "registry", event.supplier_id, {}
    return None


def make_router(topics: Topics):
    catalog = default_catalog()

    def route(event: Any) -> Publication | None:
        found = shape(event)
        if found is None:
            return None
        event_type, kind, key, values = found
        event_type, record = to_record(event, catalog, event_type=event_type, values=values)
        value = catalog.encode(event_type, record)
        headers = event_headers(event_type, record, catalog.schema_ref(event_type))
        topic = topics.supplier_engagements if kind == "engagements" \
            else topics.supplier_registry
        return Publication(topic=topic, key=key.encode("utf-8"), value=value, headers=headers)

    return route
