"""Percentiles in milliseconds, as every benchmark script here reports them."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(sorted_values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile of already sorted values (None when there are none)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(pct / 100.0 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000.0, 1)


def summarize(latencies_s: list[float], prefix: str) -> dict[str, float | None]:
    """p50/p90/p99/max/mean in ms of latencies given in seconds, keys prefixed."""
    values = sorted(latencies_s)
    return {
        f"{prefix}p50_ms": ms(percentile(values, 50)),
        f"{prefix}p90_ms": ms(percentile(values, 90)),
        f"{prefix}p99_ms": ms(percentile(values, 99)),
        f"{prefix}max_ms": ms(values[-1] if values else None),
        f"{prefix}mean_ms": ms(sum(values) / len(values) if values else None),
    }
