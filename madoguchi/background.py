"""A daemon thread with a stop flag and a wake-up hint, for the services' background loops.

The relay, the alert feed and the delivery workers each run one loop that idles between
rounds; ``wake`` cuts the idle wait short when there is news (they also poll, so a lost
wake-up only delays, never loses, work).
"""

from __future__ import annotations

import threading


class BackgroundThread:
    def __init__(self, thread_name: str) -> None:
        self.thread_name = thread_name
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """New work may be there (a hint; the loop also polls)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the loop to end and wait up to ``timeout`` seconds for it."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def idle(self, seconds: float) -> None:
        """Wait until woken, stopped, or ``seconds`` passed."""
        self._wake.wait(seconds)
        self._wake.clear()

    def _run(self) -> None:
        raise NotImplementedError
