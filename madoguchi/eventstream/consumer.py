"""A per-partition Kafka consumer whose progress lives in the consumer's own database.

The handler stores derived state and the next offset of each partition in one
transaction; on assignment the consumer seeks to the stored offsets, so Kafka's own
committed offsets are only a convenience for lag monitoring. Offsets are kept per
cluster id: on a new, empty cluster the consumer starts from the beginning, relying on
the handler's idempotency (it must tolerate any message more than once).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any, Protocol

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.structs import OffsetAndMetadata

from madoguchi.eventstream.kafka_settings import consumer_config
from madoguchi.eventstream.topics import check_same_cluster, cluster_id, ensure_topics

log = logging.getLogger(__name__)


class BatchHandler(Protocol):
    def stored_offsets(self, cluster: str, partitions: list[TopicPartition]
                       ) -> dict[TopicPartition, int]:
        """Next offset to read for each partition that has a stored position."""

    def handle(self, cluster: str, partition: TopicPartition, records: list[Any]) -> None:
        """Apply ``records`` (in offset order) and store the next offset, atomically."""

    # Optional: ``forget_other_clusters(cluster)``, ``partitions_revoked(partitions)``, and
    # ``handle_all(cluster, {partition: records})``: a whole poll at once (used instead of
    # ``handle``), so a handler can store it in one transaction.


def describe(partitions: Any) -> str:
    """``topic[0,1,2]`` per topic, for short log lines."""
    by_topic: dict[str, list[int]] = {}
    for tp in partitions:
        by_topic.setdefault(tp.topic, []).append(tp.partition)
    return " ".join(f"{t}{sorted(p)}" for t, p in sorted(by_topic.items())) or "nothing"


class _Seeker(ConsumerRebalanceListener):
    def __init__(self, owner: PartitionConsumer) -> None:
        self.owner = owner

    def on_partitions_revoked(self, revoked: Any) -> None:
        self.owner.owned = frozenset()
        revoke = getattr(self.owner.handler, "partitions_revoked", None)
        if revoke is not None:
            revoke(list(revoked))  # e.g. stop timers for partitions another member gets
        log.info("%s: revoked %s", self.owner.name, describe(revoked))

    def on_partitions_assigned(self, assigned: Any) -> None:
        self.owner.seek_to_stored(list(assigned))


class PartitionConsumer:
    """Consumes ``topics`` as member of ``group_id`` and feeds each partition's batches."""

    def __init__(self, handler: BatchHandler, *, bootstrap: str, group_id: str,
                 topics: list[str], name: str, fetch_max_wait_ms: int = 10,
                 poll_timeout_ms: int = 100, partitions: int = 6,
                 replication_factor: int = 1) -> None:
        self.handler = handler
        self.bootstrap = bootstrap
        self.group_id = group_id
        self.topics = topics
        self.name = name
        self.fetch_max_wait_ms = fetch_max_wait_ms
        self.poll_timeout_ms = poll_timeout_ms
        self.partitions = partitions
        self.replication_factor = replication_factor
        self._consumer: KafkaConsumer | None = None
        self._cluster = ""
        self._stop = threading.Event()
        # Held while the handler runs (a batch, or reading stored offsets on assignment):
        # ``stop`` waits for it, so nothing is handled, or read, once ``stop`` returns.
        self._handling = threading.Lock()
        self._thread: threading.Thread | None = None
        self.assigned = threading.Event()
        self.owned: frozenset[TopicPartition] = frozenset()  # partitions held right now
        self.handled = 0
        self._next_handler: BatchHandler | None = None
        self._swap_lock = threading.Lock()
        self.handler_replaced = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0, leave_grace: float = 0.5) -> None:
        """Stop handling now; the thread then leaves the group on its own.

        Returns once no batch is being handled (none starts afterwards) and the thread has
        ended, or after ``leave_grace`` seconds while it is still inside a poll: a group
        join cannot be interrupted (it lasts up to half the session timeout), and nothing
        is written from there. The thread closes its consumer, leaving the group, when
        the poll returns. ``timeout`` bounds the wait for a batch being handled.
        """
        self._stop.set()
        if self._handling.acquire(timeout=timeout):
            self._handling.release()
        if self._thread is not None:
            self._thread.join(leave_grace)

    def replace_handler(self, handler: BatchHandler) -> None:
        """Hand every later batch to ``handler``, from the positions it has stored.

        Staying in the group (no rejoin, no pause of several seconds): the consumer thread
        swaps the handler between two polls and seeks its partitions to the new handler's
        offsets, so no batch is split between the two. ``handler_replaced`` is set once
        the new handler is in place.
        """
        with self._swap_lock:
            self.handler_replaced.clear()
            self._next_handler = handler

    def _swap_handler(self) -> None:
        with self._swap_lock:
            handler, self._next_handler = self._next_handler, None
        if handler is None:
            return
        with self._handling:
            self.handler = handler
        if self._consumer is not None and self.owned:
            self.seek_to_stored(list(self.owned))
        self.handler_replaced.set()

    def seek_to_stored(self, partitions: list[TopicPartition]) -> None:
        assert self._consumer is not None
        with self._handling:
            if self._stop.is_set():
                return   # stopping: the handler's store may be closed already
            stored = self.handler.stored_offsets(self._cluster, partitions)
        for tp in partitions:
            if tp in stored:
                self._consumer.seek(tp, stored[tp])
            else:
                self._consumer.seek_to_beginning(tp)
        self.owned = frozenset(partitions)
        log.info("%s: assigned %s", self.name, describe(partitions))
        if partitions:
            self.assigned.set()

    def _run(self) -> None:
        backoff = 0.2
        while not self._stop.is_set():
            try:
                if self._consumer is None:
                    self._open()
                    if self._consumer is None:
                        break   # stopped while opening
                self._poll_once()
                backoff = 0.2
            except Exception as error:
                log.warning("%s: %s; retrying in %.1f s", self.name, error, backoff)
                self._close()
                if self._stop.wait(backoff):
                    break
                backoff = min(backoff * 2, 5.0)
        self._close()

    def _open(self) -> None:
        self._cluster = cluster_id(self.bootstrap, f"{self.name}-admin")
        forget = getattr(self.handler, "forget_other_clusters", None)
        with self._handling:
            if self._stop.is_set():
                return
            if forget is not None:
                forget(self._cluster)  # positions in a cluster no longer read: dead weight
        # A group subscribed to missing topics gets no partitions until a metadata refresh
        # finds them; creating them (a no-op where they are provisioned) avoids the wait.
        ensure_topics(self.bootstrap, self.topics, self.partitions, f"{self.name}-admin",
                      self.replication_factor)
        self._consumer = KafkaConsumer(**consumer_config(
            self.bootstrap, self.group_id, self.name, self.fetch_max_wait_ms))
        self._consumer.subscribe(self.topics, listener=_Seeker(self))
        log.info("%s: joined group %s on cluster %s", self.name, self.group_id, self._cluster)

    def _close(self) -> None:
        consumer, self._consumer = self._consumer, None
        self.assigned.clear()
        self.owned = frozenset()
        if consumer is not None:
            with contextlib.suppress(Exception):
                consumer.close(autocommit=False)

    def _check_cluster(self) -> None:
        """Stored offsets belong to one cluster; another one behind the address starts over."""
        assert self._consumer is not None
        client = getattr(self._consumer, "_client", None)
        check_same_cluster(getattr(client, "cluster", None), self._cluster)

    def _poll_once(self) -> None:
        assert self._consumer is not None
        self._swap_handler()
        self._check_cluster()
        batches = self._consumer.poll(timeout_ms=self.poll_timeout_ms, max_records=500)
        if batches:
            self._check_cluster()  # never hand on records read from another cluster
        with self._handling:
            if not self._stop.is_set():
                self._handle(batches)

    def _handle(self, batches: dict[TopicPartition, list[Any]]) -> None:
        assert self._consumer is not None
        handle_all = getattr(self.handler, "handle_all", None)
        if handle_all is not None:
            if batches:
                try:
                    handle_all(self._cluster, batches)   # every partition, one transaction
                except Exception:
                    # Nothing was stored: read every batch again after reconnecting.
                    for tp, records in batches.items():
                        self._consumer.seek(tp, records[0].offset)
                    raise
                self.handled += sum(len(records) for records in batches.values())
        else:
            for tp, records in batches.items():
                try:
                    self.handler.handle(self._cluster, tp, records)
                except Exception:
                    # Nothing was stored: read the batch again after reconnecting.
                    self._consumer.seek(tp, records[0].offset)
                    raise
                self.handled += len(records)
        if batches:
            # Kafka's committed offsets only serve lag monitoring; ours are in the database.
            offsets = {tp: OffsetAndMetadata(records[-1].offset + 1, "", -1)
                       for tp, records in batches.items()}
            try:
                self._consumer.commit_async(offsets=offsets)
            except Exception as error:
                log.debug("%s: commit_async failed: %s", self.name, error)
