"""The inquiries read model: current state, timeline, SLA state, queues and search.

Inquiry events are applied strictly in version order: a timeline row is stored once per
(inquiry, version) and folded into the view when its predecessor is there, so
redelivered, replayed or reordered messages never double-apply. SLA signals of customer
clocks keep one row per clock (the furthest state wins), which gives the "at risk" and
"breached" filters. Agreement versions are kept so each open inquiry's next deadline can
be worked out by replaying its timeline through the SLA clock rules.

Its parts: ``tables`` (definitions and views), ``fold`` (applying events), ``queries``
(reading) and ``what_if``."""

from __future__ import annotations

from services.projections.adapters.read_models.inquiries.fold import InquiryFold
from services.projections.adapters.read_models.inquiries.queries import InquiryQueries
from services.projections.adapters.read_models.inquiries.tables import (
    AGREEMENT_EVENTS,
    INQUIRY_EVENTS,
    SIGNAL_EVENTS,
)


class InquiryReadModel(InquiryQueries, InquiryFold):
    """Inquiries, their timelines, customer clock states and agreement terms."""

    name = "inquiries"
    event_types = INQUIRY_EVENTS | SIGNAL_EVENTS | AGREEMENT_EVENTS | {"ContactAttemptRecorded"}

