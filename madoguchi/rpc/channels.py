"""The one way to open a gRPC channel to a Madoguchi service.

Every client in the repository — the command line, the launcher's health checks, the
demo, the watch console, the benches and the tests — opens its channels here, so the
transport's settings live in one place: this is where credentials and TLS attach.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import grpc

from madoguchi.observability import tracing

# Clients ping an idle connection every 30 s (servers allow 20 s), so a long-lived
# stream such as WatchAlerts notices a dead peer behind a NAT that dropped it.
KEEPALIVE_OPTIONS: tuple[tuple[str, Any], ...] = (
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
)


def open_channel(address: str, *, options: Sequence[tuple[str, Any]] = ()) -> grpc.Channel:
    """A channel to ``address`` (``host:port``); ``options`` add to or override ours.

    Plaintext for now: the embedded system listens on loopback only. While tracing is
    on, every call is a client span whose context the server continues.
    """
    merged = dict(KEEPALIVE_OPTIONS)
    merged.update(dict(options))
    return tracing.traced_channel(grpc.insecure_channel(address, options=list(merged.items())))
