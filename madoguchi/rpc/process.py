"""Run one service as its own process: metrics, signal handling, ready and stop lines.

Every service's ``main.run`` is this: serve Prometheus metrics, start, log
``<name> ready on <address>`` (the launcher's and benchmarks' cue), wait for SIGINT or
SIGTERM, then stop the service in its own safe order.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from madoguchi.config import Settings
from madoguchi.rpc.metrics import serve_metrics


class Service(Protocol):
    grpc: Any

    def metrics(self) -> list[tuple[str, str, Callable[[], float]]]: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...


def serve_until_signalled(name: str, service: Service, settings: Settings) -> None:
    """Run ``service`` (configured as ``name``) until SIGINT or SIGTERM."""
    log = logging.getLogger(f"madoguchi.{name}")
    serve_metrics(settings.host, settings.metrics_ports.get(name, 0), service.metrics(),
                  consumers=service.grpc.readiness.statuses)
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    service.start()
    log.info("%s ready on %s (Kafka %s) at %s", name, service.grpc.address,
             settings.bootstrap(), datetime.now(UTC).isoformat(timespec="seconds"))
    stopping.wait()
    log.info("%s stopping", name)
    service.stop()
    log.info("%s stopped", name)
