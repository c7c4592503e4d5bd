"""What if the targets had been X: SLA outcomes recomputed under other terms (pure).

A use case, not a read model: it replays each inquiry's timeline under the given terms
(``sla_replay``, the monitor's own clock rules) and counts the clocks that stopped MET or
MISSED, per target and per priority, so a proposed agreement version can be compared with
what was actually measured. CANCELLED and still-open clocks count in neither.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from madoguchi.errors import InvalidField
from madoguchi.servicelevels.clock import Outcome
from madoguchi.servicelevels.terms import PRIORITIES, AgreementTerms, Target
from services.projections.domain.kpi_math import rate_percent
from services.projections.domain.periods import DEFAULT_ZONE, local_keys
from services.projections.domain.sla_replay import replay, terms_from_json

ALL_PRIORITIES = ""   # the priority of a target's total row
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class WhatIfRow:
    """One target's outcomes, for one priority or (``priority == ""``) for all."""

    target: str
    priority: str
    met: int
    missed: int
    compliance_percent: float | None   # met ÷ (met + missed) × 100, half up to 0.1; None if 0


def recompute(inquiries: Iterable[tuple[str, Sequence[tuple[str, dict[str, Any]]]]],
              terms: AgreementTerms, *, zone: str = DEFAULT_ZONE,
              month: str | None = None) -> list[WhatIfRow]:
    """Replay every ``(inquiry_id, timeline)`` under ``terms`` and count per target.

    Only clocks that stopped in ``month`` ('YYYY-MM', local to ``zone``) count, or every
    stopped clock when ``month`` is None. Rows: for each target the terms have, its total
    (priority "") and then one row per priority that has the target or counted a clock,
    in target and priority order.
    """
    _check_zone(zone)
    if month is not None and not _MONTH.fullmatch(month):
        raise InvalidField([("month", f"{month!r} is not a month like 2026-11")])
    counts: Counter[tuple[str, str, str]] = Counter()
    for _inquiry_id, timeline in inquiries:
        for clock in replay(timeline, terms).stopped_clocks():
            if clock.outcome not in (Outcome.MET, Outcome.MISSED):
                continue
            assert clock.stopped_at is not None
            if month is not None and local_keys(clock.stopped_at, zone)["local_month"] != month:
                continue
            counts[(clock.target, clock.priority, clock.outcome)] += 1
    rows: list[WhatIfRow] = []
    for target in Target:
        priorities = [p for p in PRIORITIES
                      if _agreed(terms, p, target)
                      or counts[(target.value, p, Outcome.MET)]
                      or counts[(target.value, p, Outcome.MISSED)]]
        if not priorities:
            continue
        rows.append(_row(target.value, ALL_PRIORITIES,
                         sum(counts[(target.value, p, Outcome.MET)] for p in priorities),
                         sum(counts[(target.value, p, Outcome.MISSED)] for p in priorities)))
        rows += [_row(target.value, p, counts[(target.value, p, Outcome.MET)],
                      counts[(target.value, p, Outcome.MISSED)]) for p in priorities]
    return rows


def _row(target: str, priority: str, met: int, missed: int) -> WhatIfRow:
    return WhatIfRow(target, priority, met, missed, rate_percent(met, met + missed))


def _agreed(terms: AgreementTerms, priority: str, target: Target) -> bool:
    """Whether any target set of ``priority`` (general or per kind) has ``target``."""
    return any(t.priority == priority and t.minutes(target) > 0 for t in terms.targets)


def _check_zone(zone: str) -> None:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise InvalidField([("zone", f"{zone!r} is not a known IANA time zone")]) from None


__all__ = ["ALL_PRIORITIES", "WhatIfRow", "recompute", "terms_from_json"]
