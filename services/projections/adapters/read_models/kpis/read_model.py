"""The KPI read model: service-desk measures by period (ISO/IEC 20000-1 8.3 reporting).

It keeps its own fact tables, so it can be rebuilt and read without the other models:

- ``kpi_inquiry_fact`` — one row per inquiry: its attributes at receipt, the receipt's
  local hour/day/month, and what became of it (first-contact resolution, escalations,
  reopens, the latest satisfaction score). Inquiry events arrive in version order; an
  event whose ``aggregate_version`` is not above the stored ``version`` was applied already.
- ``kpi_escalation`` — one row per escalation, keyed (inquiry_id, inquiry version).
- ``kpi_contact_attempt`` — one row per telephony attempt, keyed by the attempt id.
- ``kpi_clock_stop`` — one row per stopped *customer* SLA clock cycle, keyed (inquiry_id,
  target, cycle); supplier clocks are not the customer's service level and are skipped.
  A stop may arrive before its inquiry's events: it is stored anyway and counts as soon
  as the inquiry's receipt is there.

**Buckets.** Every inquiry measure of ``kpi_summary`` and ``kpi_escalations`` — including
its SLA clock stops, durations, escalations, reopens and satisfaction score — belongs to
the period in which the inquiry was **received** (a cohort view), and ``from``/``to``
filter on the received time. So each rate's numerator and denominator count the same
inquiries, and a period's figures settle as its inquiries are worked off. Telephony
(``kpi_calls``) is bucketed by each attempt's own time. The views also carry the event
times and their local keys for reports that want the other reading.

**Definitions.** answered at first contact (完結) = the inquiry's current resolution was at
first contact (intake's rule: one contact, no escalation, no reopen, no supplier wait) and
it was never escalated; a reopen clears it. Durations are business seconds from the
customer clock stops (``elapsed_seconds``, MET or MISSED cycles; cancelled clocks measured
nothing); SLA compliance counts each MET/MISSED cycle. See ``domain/kpi_math.py`` for the
arithmetic (linear-interpolation percentiles, rounding, None on empty denominators).
"""

from __future__ import annotations

from services.projections.adapters.read_models.kpis.fold import KpiFold
from services.projections.adapters.read_models.kpis.queries import KpiQueries
from services.projections.adapters.read_models.kpis.tables import INQUIRY_EVENTS


class KpiReadModel(KpiQueries, KpiFold):
    """Inquiry, telephony and SLA facts, and the KPI queries and views over them."""

    name = "kpis"

    event_types = INQUIRY_EVENTS | {"ContactAttemptRecorded", "SlaClockStopped"}

