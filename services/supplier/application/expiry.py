"""Raise contract expiry warnings when they fall due: at start, then every interval."""

from __future__ import annotations

import logging
from typing import Any

from madoguchi.background import BackgroundThread

log = logging.getLogger(__name__)


class ExpiryWatcher(BackgroundThread):
    def __init__(self, app: Any, interval_seconds: float = 60.0) -> None:
        super().__init__("supplier-expiry")
        self.app = app
        self.interval_seconds = interval_seconds
        self.raised = 0

    def _run(self) -> None:
        while not self.stopping:
            try:
                self.raised += self.app.raise_expiry_warnings(self.app.clock())
            except Exception:
                log.exception("expiry warnings failed; retrying")
            self._stop.wait(self.interval_seconds)
