"""The arithmetic of the KPI reports, in one place so every report rounds alike.

- Percentiles use **linear interpolation between closest ranks** (NumPy's default,
  Hyndman & Fan type 7): for sorted values x[0..n-1], p-th percentile = x[i] + f ·
  (x[i+1] − x[i]) with h = (n − 1) · p / 100, i = floor(h), f = h − i. The median is the
  50th percentile (the middle value, or the mean of the two middle values).
- Rates are percentages rounded half up to 0.1 (12.25 → 12.3), computed exactly from
  the integer counts; means and percentiles of seconds are rounded half up to 0.1 s,
  means of satisfaction scores to 0.01.
- An empty sample or a zero denominator gives ``None`` ("no data"), never 0: a period
  without calls has no answer rate, which is not the same as an answer rate of 0 %.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def round_half_up(value: float | Decimal | None, digits: int = 1) -> float | None:
    """``value`` rounded half away from zero to ``digits`` decimals (Python's ``round``
    rounds halves to even and trips over binary floats: ``round(2.675, 2)`` is 2.67)."""
    if value is None:
        return None
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return float(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def rate_percent(numerator: int, denominator: int, digits: int = 1) -> float | None:
    """``numerator`` ÷ ``denominator`` as a percentage rounded to 0.1; None if nothing to
    divide by."""
    if not denominator:
        return None
    return round_half_up(Decimal(numerator) * 100 / Decimal(denominator), digits)


def mean(values: Iterable[float], digits: int = 1) -> float | None:
    """Arithmetic mean, rounded; None for no values."""
    sample = list(values)
    if not sample:
        return None
    return round_half_up(math.fsum(sample) / len(sample), digits)


def percentile(values: Iterable[float], p: float, digits: int = 1) -> float | None:
    """The ``p``-th percentile (0..100) by linear interpolation (see module doc); None for
    no values."""
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be within 0..100, got {p}")
    sample = sorted(values)
    if not sample:
        return None
    h = (len(sample) - 1) * p / 100
    i = math.floor(h)
    if i + 1 >= len(sample):
        return round_half_up(sample[-1], digits)
    lower, upper = sample[i], sample[i + 1]
    return round_half_up(lower + (h - i) * (upper - lower), digits)


def median(values: Iterable[float], digits: int = 1) -> float | None:
    """The 50th percentile: the middle value, or the mean of the two middle ones."""
    return percentile(values, 50, digits)


@dataclass
class InquiryMeasures:
    """What one inquiry contributes to a KPI summary (facts, clock stops folded in).

    ``*_seconds`` are business seconds from the customer SLA clock stops (MET or MISSED;
    a cancelled clock measured nothing), summed over the clock's cycles: a reopened
    inquiry's resolution time is the business time of all its resolution cycles. The
    ``*_met``/``*_missed`` counts are per clock cycle, as each cycle is a commitment.
    """

    answered_first_contact: bool = False
    escalated: bool = False
    reopened: bool = False
    complaint: bool = False
    satisfaction_score: int | None = None
    first_response_seconds: float | None = None
    resolution_seconds: float | None = None
    first_response_met: int = 0
    first_response_missed: int = 0
    resolution_met: int = 0
    resolution_missed: int = 0

    def add_stop(self, target: str, outcome: str, elapsed_seconds: float) -> None:
        """Fold in one customer clock stop of this inquiry."""
        if outcome not in ("MET", "MISSED"):
            return
        met, missed = int(outcome == "MET"), int(outcome == "MISSED")
        if target == "FIRST_RESPONSE":
            self.first_response_seconds = (self.first_response_seconds or 0.0) + elapsed_seconds
            self.first_response_met += met
            self.first_response_missed += missed
        elif target == "RESOLUTION":
            self.resolution_seconds = (self.resolution_seconds or 0.0) + elapsed_seconds
            self.resolution_met += met
            self.resolution_missed += missed


SUMMARY_MEASURES = (
    "received", "answered_first_contact", "completion_rate_percent", "escalated",
    "escalation_rate_percent", "reopened", "reopen_rate_percent", "complaints",
    "first_response_mean_seconds", "first_response_median_seconds",
    "first_response_p90_seconds", "resolution_mean_seconds", "resolution_median_seconds",
    "resolution_p90_seconds", "sla_first_response_met", "sla_first_response_missed",
    "sla_first_response_compliance_percent", "sla_resolution_met", "sla_resolution_missed",
    "sla_resolution_compliance_percent", "csat_responses", "csat_mean",
    "csat_share_10_percent",
)


def summarize(inquiries: Iterable[InquiryMeasures]) -> tuple[Any, ...]:
    """The ``SUMMARY_MEASURES`` of a group of inquiries (all received in one bucket).

    Rates divide by the inquiries received (completion, escalation, reopen); compliance
    divides by the clock cycles that stopped MET or MISSED; CSAT by the scores recorded.
    """
    group = list(inquiries)
    received = len(group)
    first_contact = sum(i.answered_first_contact for i in group)
    escalated = sum(i.escalated for i in group)
    reopened = sum(i.reopened for i in group)
    first_response = [i.first_response_seconds for i in group
                      if i.first_response_seconds is not None]
    resolution = [i.resolution_seconds for i in group if i.resolution_seconds is not None]
    fr_met = sum(i.first_response_met for i in group)
    fr_missed = sum(i.first_response_missed for i in group)
    res_met = sum(i.resolution_met for i in group)
    res_missed = sum(i.resolution_missed for i in group)
    scores = [i.satisfaction_score for i in group if i.satisfaction_score is not None]
    return (
        received, first_contact, rate_percent(first_contact, received),
        escalated, rate_percent(escalated, received),
        reopened, rate_percent(reopened, received),
        sum(i.complaint for i in group),
        mean(first_response), median(first_response), percentile(first_response, 90),
        mean(resolution), median(resolution), percentile(resolution, 90),
        fr_met, fr_missed, rate_percent(fr_met, fr_met + fr_missed),
        res_met, res_missed, rate_percent(res_met, res_met + res_missed),
        len(scores), mean(scores, 2),
        rate_percent(sum(1 for s in scores if s == 10), len(scores)),
    )
