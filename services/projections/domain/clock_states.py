"""A customer clock's reportable state from the monitor's signals, furthest first wins.

A stop is final (MET, MISSED or CANCELLED); before it, a breach outranks a warning. Ranks
make redelivered or reordered signals harmless: a row only ever moves forward.
"""

from __future__ import annotations

from typing import Any

CLOCK_RANK = {"AT_RISK": 1, "BREACHED": 2, "MET": 3, "MISSED": 3, "CANCELLED": 3}


def clock_state(event_type: str, record: dict[str, Any]) -> str:
    """AT_RISK for a warning, BREACHED for a breach, the outcome for a stop."""
    if event_type == "SlaWarningReached":
        return "AT_RISK"
    if event_type == "SlaBreached":
        return "BREACHED"
    return str(record.get("outcome") or "CANCELLED")
