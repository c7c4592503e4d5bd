"""The outbox relay: publish a write application's event log to Kafka, at least once.

The relay follows the application's ordered notification log (its outbox) and records
how far it has published with an ``eventsourcing`` tracking record in the same database.
It advances that position only after the broker acknowledged every event of a batch
(acks=all), so a crash or a broker outage only delays publication and may repeat some
events; consumers deduplicate by aggregate id and version. Positions are kept per Kafka
cluster id, so pointing the relay at a new, empty cluster republishes everything.

With several replicas on PostgreSQL, only the holder of an advisory lock publishes.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Tracking
from kafka import KafkaProducer
from kafka.errors import KafkaTimeoutError

from madoguchi.background import BackgroundThread
from madoguchi.eventstream.kafka_settings import producer_config
from madoguchi.eventstream.topics import check_same_cluster, cluster_id, ensure_topics
from madoguchi.observability import tracing
from madoguchi.retry import Backoff

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Publication:
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


Router = Callable[[Any], Publication | None]   # None: the event is not published


class LeaderLock:
    """Holds a PostgreSQL advisory lock so one relay per event store publishes."""

    def __init__(self, conninfo: str, key: int) -> None:
        self._conninfo = conninfo
        self._key = key
        self._conn: Any = None

    def acquire(self) -> bool:
        import psycopg

        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self._conninfo, autocommit=True)
        row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (self._key,)).fetchone()
        return bool(row and row[0])

    def still_held(self) -> bool:
        try:
            self._conn.execute("SELECT 1")
            return True
        except Exception:
            return False

    def release(self) -> None:
        if self._conn is not None and not self._conn.closed:
            self._conn.close()


class OutboxRelay(BackgroundThread):
    """Publishes every event of ``app`` to Kafka in log order."""

    def __init__(self, app: Application[Any], route: Router, *, bootstrap: str,
                 topics: list[str], partitions: int, replication_factor: int = 1,
                 name: str = "kafka-relay",
                 batch_size: int = 500, idle_wait: float = 0.25,
                 leader_lock: LeaderLock | None = None) -> None:
        super().__init__(name)
        self.app = app
        self.route = route
        self.bootstrap = bootstrap
        self.topics = topics
        self.partitions = partitions
        self.replication_factor = replication_factor
        self.name = name
        self.batch_size = batch_size
        self.idle_wait = idle_wait
        self.leader_lock = leader_lock
        self.tracking = app.factory.tracking_recorder()
        self._producer: KafkaProducer | None = None
        self._cluster_id = ""
        self._position = 0  # last acknowledged notification id, as recorded in the store
        self.published = 0
        self.connected = threading.Event()

    # ----- lifecycle -----

    def stop(self, timeout: float = 10.0) -> None:
        """Publish what is pending if the broker is there, then stop."""
        super().stop(timeout)
        self._close_producer()
        if self.leader_lock is not None:
            self.leader_lock.release()

    @property
    def tracking_name(self) -> str:
        return f"{self.name}@{self._cluster_id}"

    def position(self) -> int:
        """Read from the store on connecting; afterwards only this relay advances it."""
        return self._position

    # ----- work -----

    def lag(self) -> int:
        """Events stored but not yet acknowledged by Kafka."""
        latest = self.app.recorder.max_notification_id() or 0
        return max(0, latest - self.position())

    def _run(self) -> None:
        backoff = Backoff(0.2, 5.0)
        while True:
            try:
                if self.leader_lock is not None and not self._lead():
                    if self._stop.wait(2.0):
                        return
                    continue
                self._connect()
                published = self.publish_pending()
                backoff.reset()
                if published:
                    continue
                if self.stopping:
                    return
                self.idle(self.idle_wait)
            except Exception as error:
                delay = backoff.next_delay()
                log.warning("relay %s: %s; retrying in %.1f s", self.name, error, delay)
                self._close_producer()
                if self._stop.wait(delay):
                    return

    def _lead(self) -> bool:
        assert self.leader_lock is not None
        if self.leader_lock.still_held() and self._producer is not None:
            return True
        if not self.leader_lock.acquire():
            return False
        self._close_producer()  # a new term: reconnect and re-read the stored position
        return True

    def _connect(self) -> None:
        if self._producer is not None:
            return
        self._cluster_id = cluster_id(self.bootstrap, f"{self.name}-admin")
        self._position = self.tracking.max_tracking_id(self.tracking_name) or 0
        ensure_topics(self.bootstrap, self.topics, self.partitions, f"{self.name}-admin",
                      self.replication_factor)
        self._producer = KafkaProducer(**producer_config(self.bootstrap, self.name))
        self.connected.set()
        log.info("relay %s connected to cluster %s at position %d", self.name,
                 self._cluster_id, self.position())

    def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        self.connected.clear()
        if producer is not None:
            with contextlib.suppress(Exception):
                producer.close(timeout=2)

    def _check_cluster(self) -> None:
        check_same_cluster(getattr(self._producer, "_metadata", None), self._cluster_id)

    def _flush(self, futures: list[Any], timeout: float = 30.0) -> None:
        """Wait for the acks in short steps, noticing a replaced cluster on the way."""
        assert self._producer is not None
        deadline = time.monotonic() + timeout
        while not all(f.is_done for f in futures):
            self._check_cluster()
            if time.monotonic() > deadline:
                raise TimeoutError(f"no acknowledgement from Kafka within {timeout} s")
            try:
                self._producer.flush(timeout=0.5)
            except KafkaTimeoutError:
                continue

    def publish_pending(self) -> int:
        """Publish one batch after the recorded position; return how many were published."""
        assert self._producer is not None
        self._check_cluster()
        position = self.position()
        notifications = self.app.recorder.select_notifications(
            start=position + 1, limit=self.batch_size
        )
        if not notifications:
            return 0
        futures: list[Any] = []   # one per notification; None for an unpublished event
        for notification in notifications:
            event = self.app.mapper.to_domain_event(notification)
            publication = self.route(event)
            if publication is None:
                futures.append(None)
                continue
            span = tracing.publish_span(publication.topic,
                                        getattr(event, tracing.TRACE_ATTRIBUTE, ""))
            futures.append(self._producer.send(
                publication.topic, key=publication.key, value=publication.value,
                headers=_traced(publication.headers, event, span)))
            if span is not None:
                span.end()
        sent = [f for f in futures if f is not None]
        try:
            self._flush(sent)
            for future in sent:
                future.get(timeout=0)  # raises the delivery error, if any
        except Exception:
            # Keep what Kafka did acknowledge: the longest acknowledged prefix of the log.
            acknowledged = 0
            for future in futures:
                if future is not None and not future.succeeded():
                    break
                acknowledged += 1
            if acknowledged:
                self._advance(notifications[acknowledged - 1].id, acknowledged)
            raise
        self._advance(notifications[-1].id, len(notifications))
        return len(notifications)

    def _advance(self, notification_id: int, count: int) -> None:
        self.tracking.insert_tracking(Tracking(self.tracking_name, notification_id))
        self._position = notification_id
        self.published += count


def _traced(headers: list[tuple[str, bytes]], event: Any, span: Any
            ) -> list[tuple[str, bytes]]:
    """The headers plus ``traceparent``: the publishing span's, else the one the event
    was stored under (W3C trace context, so any consumer can continue the trace)."""
    carried = tracing.span_traceparent(span) if span is not None \
        else getattr(event, tracing.TRACE_ATTRIBUTE, "")
    return [*headers, (tracing.HEADER, carried.encode("ascii"))] if carried else headers
