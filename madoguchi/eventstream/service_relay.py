"""A service's outbox relay, assembled the one way every service needs it.

Its topics on the configured broker; on PostgreSQL a leader lock so that of several
replicas sharing one event store exactly one publishes (on SQLite there is one process);
woken by every save; and the same three gauges in every service's metrics.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.application import Application

from madoguchi.config import Settings
from madoguchi.eventstream.relay import LeaderLock, OutboxRelay, Router
from madoguchi.storage.urls import DatabaseUrl


def service_relay(app: Application[Any], route: Router, settings: Settings,
                  url: DatabaseUrl, *, topics: list[str], name: str,
                  lock_key: int) -> OutboxRelay:
    """The relay of ``app`` (whose event store is at ``url``), woken by its saves.

    ``lock_key``: the PostgreSQL advisory lock naming this event store's publisher.
    """
    relay = OutboxRelay(
        app, route, bootstrap=settings.bootstrap(), topics=topics,
        partitions=settings.topic_partitions,
        replication_factor=settings.topic_replication_factor, name=name,
        leader_lock=LeaderLock(url.psycopg_conninfo(), lock_key) if url.is_postgres else None)
    if hasattr(app, "add_listener"):
        app.add_listener(relay.wake)
    return relay


def relay_metrics(relay: OutboxRelay) -> list[tuple[str, str, Callable[[], float]]]:
    """The relay's gauges: published, lag (stored but not acknowledged), connected."""
    return [
        ("madoguchi_relay_published_total", "events published by this process",
         lambda: relay.published),
        ("madoguchi_relay_lag_events", "events stored but not yet acknowledged by Kafka",
         relay.lag),
        ("madoguchi_relay_connected", "1 when the relay holds a Kafka producer",
         lambda: int(relay.connected.is_set())),
    ]
