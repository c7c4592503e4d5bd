"""The suppliers read model: suppliers, contracts, engagements, supplier clocks, penalties.

Every applied event id is recorded once (``supplier_applied``), so a redelivered or
replayed event changes nothing and counters never double. Rows merge what each event
says, in any order across topics: registry rows keep the fields of the newest version
seen per kind of fact (terms, termination, retirement); an engagement row may be started
by any of its events and is completed by ``EngagementOpened``; supplier clocks
(``SlaBreached`` / ``SlaClockStopped`` with scope SUPPLIER) and penalty lines are rows of
their own, joined when a query runs. Customer-scope SLA signals are ignored here (the
``sla`` read model has them). Definitions: ``services/projections/domain/
supplier_scorecard.py``.
"""

from __future__ import annotations

from services.projections.adapters.read_models.suppliers.fold import SupplierFold
from services.projections.adapters.read_models.suppliers.queries import SupplierQueries
from services.projections.adapters.read_models.suppliers.tables import (
    ENGAGEMENT_EVENTS,
    REGISTRY_EVENTS,
    SIGNAL_EVENTS,
)


class SupplierReadModel(SupplierQueries, SupplierFold):
    """Suppliers, contracts, engagements, clocks and penalties, for scorecards and risk."""

    name = "suppliers"

    event_types = REGISTRY_EVENTS | ENGAGEMENT_EVENTS | SIGNAL_EVENTS | {"PenaltyAccrued"}

