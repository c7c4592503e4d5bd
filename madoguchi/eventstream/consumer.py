"""A per-partition Kafka consumer whose progress lives in the consumer's own database.

The handler stores derived state and the next offset of each partition in one
transaction; on assignment the consumer seeks to the stored offsets, so Kafka's own
committed offsets are only a convenience for lag monitoring. Offsets are kept per
cluster id: on a new, empty cluster the consumer starts from the beginning, relying on
the handler's idempotency (it must tolerate any message more than once).

It heals itself. A broker replaced behind the same address is followed in place: the
client already rejoined the new cluster's group, so the consumer only switches to the
positions it keeps for that cluster (closing it there, in the middle of its join, would
leave a half-joined member behind). A join that has not finished after
``ConsumerLimits.rejoin_after`` (a normal one ends within the rebalance timeout) is given
up: the consumer leaves, asks the coordinator to drop the group's stale state
(DeleteGroups, which Kafka refuses while the group has live members, and which clears
a member a broker never expired), and joins again with backoff. A client call that
hangs (kafka-python's poll was seen waiting for ever on a coordinator lookup after a
broker swap) is cut short by a guard thread that closes the client, so the consumer
opens a new one. Its ``tracker`` says at any time whether it sees: the service's
health and ``madoguchi status`` read it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any, Protocol

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.structs import OffsetAndMetadata

from madoguchi.eventstream.consumer_status import ConsumerLimits, ConsumerTracker
from madoguchi.eventstream.kafka_settings import admin_config, consumer_config
from madoguchi.eventstream.topics import cluster_id, ensure_topics
from madoguchi.retry import Backoff

log = logging.getLogger(__name__)
# While the handler waits to learn that its partitions are read to the end (SLA timers
# due), the consumer asks the broker for the end offsets at most this often, and polls
# at most this long while the handler acts on the last answer.
PROBE_GAP_SECONDS = 0.02
WAITING_POLL_MS = 5
REPORT_EVERY_SECONDS = 0.25   # positions reported at most this often unless a handler waits
HUNG_POLL_SECONDS = 15.0   # a poll lasts its timeout, or a join (half the session timeout)


class BatchHandler(Protocol):
    def stored_offsets(self, cluster: str, partitions: list[TopicPartition]
                       ) -> dict[TopicPartition, int]:
        """Next offset to read for each partition that has a stored position."""

    def handle(self, cluster: str, partition: TopicPartition, records: list[Any]) -> None:
        """Apply ``records`` (in offset order) and store the next offset, atomically."""

    # Optional: ``forget_other_clusters(cluster)``, ``partitions_revoked(partitions)``,
    # ``handle_all(cluster, {partition: records})``: a whole poll at once (used instead of
    # ``handle``), so a handler can store it in one transaction; ``caught_up(partitions,
    # as_of)``: these partitions have been read to the end they had at ``as_of`` (the
    # time the broker was asked for its end offsets); and ``progress_wanted_at()``: the
    # epoch second from which the handler waits for such news (None: it does not); the
    # consumer then asks the broker at that moment, and again after every poll while
    # the handler still waits.


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
        self.owner.tracker.joining()
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
                 replication_factor: int = 1, limits: ConsumerLimits | None = None) -> None:
        self.handler = handler
        self.bootstrap = bootstrap
        self.group_id = group_id
        self.topics = topics
        self.name = name
        self.fetch_max_wait_ms = fetch_max_wait_ms
        self.poll_timeout_ms = poll_timeout_ms
        self.partitions = partitions
        self.replication_factor = replication_factor
        self.limits = limits or ConsumerLimits()
        self.tracker = ConsumerTracker(name, group_id, tuple(topics), self.limits)
        self._consumer: KafkaConsumer | None = None
        self._cluster = ""
        self._cluster_lock = threading.RLock()
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
        self._probed_at = 0.0
        self._reported_at = 0.0   # monotonic time positions were last reported
        self._asked_at = 0.0   # epoch second of the last request for end offsets
        self._heal_backoff = Backoff(1.0, 30.0)
        # Ends asked of the broker and not yet read up to: partition -> (end, asked at).
        self._marks: dict[TopicPartition, tuple[int, datetime]] = {}
        self._topics_checked = False   # made sure the topics exist on the current cluster
        self._polling_since: float | None = None   # monotonic start of the current poll

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        threading.Thread(target=self._guard, name=f"{self.name}-guard", daemon=True).start()

    def _guard(self) -> None:
        """Close a client whose poll hangs: the consumer thread then opens a new one."""
        while not self._stop.wait(1.0):
            since, consumer = self._polling_since, self._consumer
            if since is None or consumer is None:
                continue
            if time.monotonic() - since > HUNG_POLL_SECONDS:
                log.warning("%s: the Kafka client has been inside poll for %.0f s; closing it "
                            "to start a new one", self.name, time.monotonic() - since)
                self.tracker.rejoined("the Kafka client hung in poll")
                self._polling_since = None
                with contextlib.suppress(Exception):
                    consumer.close(autocommit=False, timeout_ms=2_000)

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

    def status(self) -> Any:
        """A ``ConsumerStatus``: membership, partitions, lag, and whether it sees."""
        return self.tracker.status()

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
        self._follow_cluster()   # an assignment from a new cluster: its positions, not ours
        with self._handling:
            if self._stop.is_set():
                return   # stopping: the handler's store may be closed already
            stored = self.handler.stored_offsets(self._cluster, partitions)
        for tp in partitions:
            if tp in stored:
                self._consumer.seek(tp, stored[tp])
            else:
                self._consumer.seek_to_beginning(tp)
        with self._cluster_lock:
            self._marks.clear()
        self.owned = frozenset(partitions)
        self.tracker.assigned(partitions, stored)
        self._heal_backoff.reset()
        log.info("%s: assigned %s", self.name, describe(partitions))
        if partitions:
            self.assigned.set()

    # ----- the thread -----

    def _run(self) -> None:
        backoff = Backoff(0.2, 5.0)
        while not self._stop.is_set():
            try:
                if self._consumer is None:
                    self._open()
                    if self._consumer is None:
                        break   # stopped while opening
                self._poll_once()
                self._look_after()
                backoff.reset()
            except Exception as error:
                delay = backoff.next_delay()
                log.warning("%s: %s; retrying in %.1f s", self.name, error, delay)
                self.tracker.disconnected()
                self._interrupted()
                self._close()
                if self._stop.wait(delay):
                    break
        self._close()
        self.tracker.stopped()

    def _open(self) -> None:
        self._cluster = cluster_id(self.bootstrap, f"{self.name}-admin")
        forget = getattr(self.handler, "forget_other_clusters", None)
        with self._handling:
            if self._stop.is_set():
                return
            if forget is not None:
                forget(self._cluster)  # positions in a cluster no longer read: dead weight
        self._ensure_topics()
        self._consumer = KafkaConsumer(**consumer_config(
            self.bootstrap, self.group_id, self.name, self.fetch_max_wait_ms))
        self.tracker.joining(anew=True)
        self._consumer.subscribe(self.topics, listener=_Seeker(self))
        log.info("%s: joining group %s on cluster %s", self.name, self.group_id,
                 self._cluster)

    def _ensure_topics(self) -> None:
        """A group subscribed to missing topics gets no partitions until a metadata refresh
        finds them; creating them (a no-op where they are provisioned) avoids the wait."""
        ensure_topics(self.bootstrap, self.topics, self.partitions, f"{self.name}-admin",
                      self.replication_factor)
        self._topics_checked = True

    def _close(self) -> None:
        consumer, self._consumer = self._consumer, None
        self.assigned.clear()
        self.owned = frozenset()
        if consumer is not None:
            with contextlib.suppress(Exception):
                consumer.close(autocommit=False)

    def _follow_cluster(self) -> bool:
        """Switch to the positions of the cluster the client now talks to; True if it did.

        Positions are kept per cluster id, so the consumer notices when the address leads
        to another cluster (an empty broker in place of the old one) and reads that one
        from the positions it keeps for it: from the beginning, for a new cluster.
        Called from the consumer thread and from the client's rebalance callbacks.
        """
        consumer = self._consumer
        client = getattr(consumer, "_client", None)
        seen = getattr(getattr(client, "cluster", None), "cluster_id", None)
        with self._cluster_lock:
            if not seen or seen == self._cluster or consumer is None:
                return False
            previous, self._cluster = self._cluster, str(seen)
            self._marks.clear()
            self._topics_checked = False
        log.warning("%s: the broker now belongs to cluster %s (was %s): reading it from the "
                    "positions kept for it", self.name, seen, previous)
        self._interrupted()
        owned = list(self.owned)
        forget = getattr(self.handler, "forget_other_clusters", None)
        with self._handling:
            if self._stop.is_set():
                return True
            if forget is not None:
                forget(str(seen))
            stored = self.handler.stored_offsets(str(seen), owned)
        for tp in owned:
            if tp in stored:
                consumer.seek(tp, stored[tp])
            else:
                consumer.seek_to_beginning(tp)
        return True

    def _poll_once(self) -> None:
        assert self._consumer is not None
        self._swap_handler()
        self._follow_cluster()
        if not self._topics_checked:
            self._ensure_topics()
        self._polling_since = time.monotonic()
        try:
            batches = self._consumer.poll(timeout_ms=self._poll_timeout(), max_records=500)
        finally:
            self._polling_since = None
        if batches and self._follow_cluster():
            return   # read with the old cluster's positions: read again from the new ones
        # Never wait for the client while holding ``_handling``: its rebalance callbacks
        # (on the client's I/O thread) take it too.
        with self._handling:
            if self._stop.is_set():
                return
            self._handle(batches)
        self._commit(batches)
        self._report_progress()

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
        for tp, records in batches.items():
            self.tracker.handled(tp, records[-1].offset + 1, len(records))

    def _commit(self, batches: dict[TopicPartition, list[Any]]) -> None:
        """Kafka's committed offsets only serve lag monitoring; ours are in the database."""
        if not batches or self._consumer is None:
            return
        offsets = {tp: OffsetAndMetadata(records[-1].offset + 1, "", -1)
                   for tp, records in batches.items()}
        try:
            self._consumer.commit_async(offsets=offsets)
        except Exception as error:
            log.debug("%s: commit_async failed: %s", self.name, error)

    def _positions(self) -> dict[TopicPartition, int | None]:
        consumer = self._consumer
        assert consumer is not None
        positions: dict[TopicPartition, int | None] = {}
        for tp in self.owned:
            with contextlib.suppress(Exception):
                positions[tp] = consumer.position(tp, timeout_ms=0)
        return positions

    def _report_progress(self) -> None:
        """Positions after a poll (lag); tell the handler which asked-for ends are read.

        Asking the client for positions costs more than a small poll itself, so it is done
        after every poll only while the handler waits for asked-for ends, else at most
        every ``REPORT_EVERY_SECONDS`` (lag and blindness need no finer grain).
        """
        consumer = self._consumer
        assert consumer is not None
        now = time.monotonic()
        if not self._marks and now - self._reported_at < REPORT_EVERY_SECONDS:
            return
        self._reported_at = now
        positions = self._positions()
        ends: dict[Any, int | None] = {}
        for tp in positions:
            with contextlib.suppress(Exception):
                ends[tp] = consumer.highwater(tp)
        self.tracker.positions(positions, ends, from_broker=False)
        self._certify(positions)

    def _certify(self, positions: dict[TopicPartition, int | None]) -> None:
        caught_up = getattr(self.handler, "caught_up", None)
        if self._stop.is_set():
            return
        with self._cluster_lock:
            done: dict[datetime, list[TopicPartition]] = {}
            for tp, (end, asked_at) in list(self._marks.items()):
                position = positions.get(tp)
                if position is not None and position >= end:
                    del self._marks[tp]
                    done.setdefault(asked_at, []).append(tp)
        if caught_up is not None:
            for asked_at, partitions in sorted(done.items()):
                caught_up(partitions, asked_at)

    def _look_after(self) -> None:
        """Ask the broker for the end offsets now and then (more often while the handler
        waits for them), and give up a join that does not end."""
        now = time.monotonic()
        if self._probe_due() == 0 or now - self._probed_at >= self.limits.probe_every:
            self._probed_at = now
            self._probe()
        if self.tracker.join_overdue():
            self._rejoin(f"no assignment {self.limits.rejoin_after:.0f} s after joining")

    def _wanted_at(self) -> float | None:
        wanted = getattr(self.handler, "progress_wanted_at", None)
        return None if wanted is None or not self.owned else wanted()

    def _probe_due(self) -> float | None:
        """Seconds until the handler needs the broker asked for the end offsets (0: now).

        A probe asked at or after the moment wanted answers for every moment before it,
        so the broker is asked again only for a later moment, and not more often than
        every ``PROBE_GAP_SECONDS``.
        """
        wanted = self._wanted_at()
        if wanted is None or wanted <= self._asked_at:
            return None
        return max(0.0, wanted - time.time(), self._asked_at + PROBE_GAP_SECONDS - time.time())

    def _poll_timeout(self) -> int:
        """The poll's timeout, cut short when the broker is to be asked before it ends,
        or while the handler is acting on what the last answer allowed (more may follow
        at once)."""
        wanted = self._wanted_at()
        if wanted is None:
            return self.poll_timeout_ms
        if wanted <= self._asked_at:
            return WAITING_POLL_MS
        due = max(0.0, wanted - time.time(), self._asked_at + PROBE_GAP_SECONDS - time.time())
        return max(1, min(self.poll_timeout_ms, int(due * 1000)))

    def _interrupted(self) -> None:
        interrupted = getattr(self.handler, "stream_interrupted", None)
        if interrupted is not None:
            interrupted()

    def _probe(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        owned = list(self.owned)
        if not owned or self._follow_cluster():
            return   # nothing held, or positions just reset for a new cluster
        cluster = self._cluster
        asked_at = datetime.now(UTC)
        self._asked_at = asked_at.timestamp()
        try:
            ends = consumer.end_offsets(owned, timeout_ms=1_000)
        except Exception as error:
            log.debug("%s: end offsets not available: %s", self.name, error)
            self.tracker.broker_silent()
            self._interrupted()
            return
        if self._follow_cluster() or cluster != self._cluster:
            return   # the answer came from another cluster than our positions
        self.tracker.positions({}, dict(ends), from_broker=True)
        with self._cluster_lock:
            for tp, end in ends.items():
                if tp in self.owned:
                    self._marks.setdefault(tp, (int(end), asked_at))  # oldest unread first
        self._certify(self._positions())

    def _rejoin(self, reason: str) -> None:
        delay = self._heal_backoff.next_delay()
        log.warning("%s: %s; leaving, clearing the group's stale state and joining again "
                    "in %.0f s", self.name, reason, delay)
        self.tracker.rejoined(reason)
        self._close()
        self._clear_stale_group()
        self._stop.wait(delay)

    def _clear_stale_group(self) -> None:
        """DeleteGroups: dropped only when no live member is left (Kafka's own rule)."""
        admin = None
        try:
            admin = KafkaAdminClient(**admin_config(self.bootstrap, f"{self.name}-admin"))
            outcome = admin.delete_groups([self.group_id])
            log.info("%s: stale state of group %s cleared: %s", self.name, self.group_id,
                     outcome)
        except Exception as error:
            log.info("%s: group %s kept (%s)", self.name, self.group_id, error)
        finally:
            if admin is not None:
                with contextlib.suppress(Exception):
                    admin.close()
