"""When to restart a crashed part, and when to give up (pure; the launcher applies it).

Like systemd's ``Restart=on-failure`` with ``StartLimitBurst``: a part that exits
unexpectedly is started again after a backoff that doubles with each crash in a row
(1, 2, 4 … up to ``max_delay`` seconds); a part that had run for ``stable_after``
seconds before crashing starts again at once. More than ``burst`` crashes within
``window`` seconds mean something is wrong that a restart will not fix: give up.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from madoguchi.retry import exponential


@dataclass
class RestartPolicy:
    burst: int = 5
    window: float = 300.0
    base_delay: float = 1.0
    max_delay: float = 30.0
    stable_after: float = 60.0
    _crashes: deque[float] = field(default_factory=deque)
    _in_a_row: int = 0
    restarts: int = 0

    def crashed(self, now: float, ran_for: float) -> float | None:
        """Seconds to wait before the restart, or None: give up."""
        self._crashes.append(now)
        while self._crashes and now - self._crashes[0] > self.window:
            self._crashes.popleft()
        if len(self._crashes) > self.burst:
            return None
        self._in_a_row = 1 if ran_for >= self.stable_after else self._in_a_row + 1
        self.restarts += 1
        if self._in_a_row == 1 and ran_for >= self.stable_after:
            return 0.0
        return exponential(self._in_a_row, self.base_delay, self.max_delay)
