"""Prometheus metrics for every service: gRPC calls by method and code, and latencies.

Each service exposes ``/metrics`` on its own port (``MADOGUCHI_<SERVICE>_METRICS_PORT``;
0 turns it off). Stream metrics (relay and consumer progress) are collected on scrape
from the components themselves, so they cost nothing between scrapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import REGISTRY, Counter, Histogram, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

GRPC_HANDLED = Counter(
    "madoguchi_grpc_server_handled_total", "gRPC calls completed, by method and status code",
    ["service", "method", "code"])
GRPC_LATENCY = Histogram(
    "madoguchi_grpc_server_handling_seconds", "gRPC call latency, by method",
    ["service", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


class GaugeCollector(Collector):
    """Reads values from callables at scrape time; names ending ``_total`` are counters."""

    def __init__(self, gauges: Iterable[tuple[str, str, Callable[[], float]]]) -> None:
        self.gauges = list(gauges)

    def collect(self) -> Iterable[GaugeMetricFamily]:
        for name, documentation, read in self.gauges:
            try:
                value = float(read())
            except Exception:
                continue
            if name.endswith("_total"):
                yield CounterMetricFamily(name.removesuffix("_total"), documentation,
                                          value=value)
            else:
                yield GaugeMetricFamily(name, documentation, value=value)


def serve_metrics(host: str, port: int,
                  gauges: Iterable[tuple[str, str, Callable[[], float]]] = ()) -> None:
    """Start the ``/metrics`` endpoint (port 0: off) and register scrape-time gauges."""
    gauges = list(gauges)
    if gauges:
        REGISTRY.register(GaugeCollector(gauges))
    if port:
        start_http_server(port, addr=host)
