"""Prometheus metrics for every service: gRPC calls by method and code, and latencies.

Each service exposes ``/metrics`` on its own port (``MADOGUCHI_<SERVICE>_METRICS_PORT``;
0 turns it off). Stream metrics (relay and consumer progress) are collected on scrape
from the components themselves, so they cost nothing between scrapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

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


class ConsumerCollector(Collector):
    """Per consumer (label ``consumer``): partitions, lag, staleness, health, rejoins."""

    def __init__(self, statuses: Callable[[], list[Any]]) -> None:
        self.statuses = statuses

    def collect(self) -> Iterable[Any]:
        try:
            statuses = self.statuses()
        except Exception:
            return
        families = {
            "partitions": GaugeMetricFamily(
                "madoguchi_consumer_assigned_partitions", "partitions held", labels=["consumer"]),
            "lag": GaugeMetricFamily(
                "madoguchi_consumer_lag_records", "records between position and end",
                labels=["consumer"]),
            "behind": GaugeMetricFamily(
                "madoguchi_consumer_behind_seconds",
                "how long the consumer has been behind the end (0: caught up)",
                labels=["consumer"]),
            "age": GaugeMetricFamily(
                "madoguchi_consumer_last_record_age_seconds",
                "seconds since a record was handled (absent: none yet)", labels=["consumer"]),
            "healthy": GaugeMetricFamily(
                "madoguchi_consumer_healthy", "1 while the consumer sees (not blind)",
                labels=["consumer"]),
            "rejoins": CounterMetricFamily(
                "madoguchi_consumer_rejoins", "joins given up and started again",
                labels=["consumer"]),
        }
        for s in statuses:
            label = [s.name]
            families["partitions"].add_metric(label, len(s.partitions))
            if s.lag is not None:
                families["lag"].add_metric(label, s.lag)
            families["behind"].add_metric(label, s.behind_seconds)
            if s.last_record_age is not None:
                families["age"].add_metric(label, s.last_record_age)
            families["healthy"].add_metric(label, 1.0 if s.healthy else 0.0)
            families["rejoins"].add_metric(label, s.rejoins)
        yield from families.values()


def serve_metrics(host: str, port: int,
                  gauges: Iterable[tuple[str, str, Callable[[], float]]] = (),
                  consumers: Callable[[], list[Any]] | None = None) -> None:
    """Start the ``/metrics`` endpoint (port 0: off) and register scrape-time gauges."""
    gauges = list(gauges)
    if gauges:
        REGISTRY.register(GaugeCollector(gauges))
    if consumers is not None:
        REGISTRY.register(ConsumerCollector(consumers))
    if port:
        start_http_server(port, addr=host)
