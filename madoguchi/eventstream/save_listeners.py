"""Let an ``eventsourcing`` application tell others (its relay, its feed) it saved events.

Uses the library's ``_notify`` hook, called after every successful save. Listeners are
hints to wake up early; the readers of the notification log also poll, so a missed call
only delays them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class SaveListeners:
    """Mixin for an ``eventsourcing.application.Application`` subclass (list it first)."""

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every successful save."""
        self.__dict__.setdefault("_save_listeners", []).append(listener)

    def notify_listeners(self) -> None:
        for listener in self.__dict__.get("_save_listeners", ()):
            listener()

    def _notify(self, recordings: list[Any]) -> None:
        super()._notify(recordings)  # type: ignore[misc]
        if recordings:
            self.notify_listeners()
