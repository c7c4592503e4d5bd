"""How long to wait before trying again: the one backoff rule every retry loop uses.

Two shapes of the same rule (exponential, capped): ``backoff_seconds`` for a retry
counted by a store (an alert delivery's attempt number), with "full jitter" so many
senders do not return in step; ``Backoff`` for a loop that keeps its own count (a
relay or consumer reconnecting, a launcher restarting a service) and resets it after a
success.
"""

from __future__ import annotations

import math
import random


def backoff_seconds(attempt: int, base: float = 1.0, cap: float = 300.0, *,
                    rng: random.Random | None = None) -> float:
    """Seconds to wait before retry ``attempt`` (1, 2, ...): exponential, full jitter.

    A uniform draw from ``[0, min(cap, base * 2 ** (attempt - 1))]`` (AWS "full jitter")
    spreads retries of many senders out instead of having them return in step.
    """
    if isinstance(attempt, bool) or not isinstance(attempt, int) or attempt < 1:
        raise ValueError("attempt must be a whole number >= 1")
    return (rng or random).uniform(0.0, exponential(attempt, base, cap))


def exponential(attempt: int, base: float, cap: float) -> float:
    """``min(cap, base * 2 ** (attempt - 1))`` for ``attempt`` >= 1, without overflow."""
    if not (math.isfinite(base) and math.isfinite(cap)) or base < 0 or cap < 0:
        raise ValueError("base and cap must be finite and >= 0")
    return min(cap, base * 2.0 ** min(max(attempt, 1) - 1, 1000))


class Backoff:
    """Delays for failures in a row: ``base``, twice that, ... up to ``cap``; ``reset()``
    after a success starts over."""

    def __init__(self, base: float, cap: float) -> None:
        self.base = base
        self.cap = cap
        self.failures = 0

    def next_delay(self) -> float:
        """Count one more failure and say how long to wait before the next try."""
        self.failures += 1
        return exponential(self.failures, self.base, self.cap)

    def reset(self) -> None:
        self.failures = 0
