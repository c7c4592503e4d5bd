"""Read every partition of the projection topics from stored positions, outside any group.

A rebuild must not join the live consumer group (that would take partitions away from
the serving generation), so it assigns all partitions to itself and tracks how far
behind the end of each it is.
"""

from __future__ import annotations

import time
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from madoguchi.eventstream.kafka_settings import consumer_config
from madoguchi.eventstream.topics import check_same_cluster, cluster_id, ensure_topics


class TopicReader:
    def __init__(self, bootstrap: str, topics: list[str], *, client_id: str,
                 partitions: int, replication_factor: int, fetch_max_wait_ms: int,
                 metadata_timeout: float = 30.0) -> None:
        ensure_topics(bootstrap, topics, partitions, f"{client_id}-admin", replication_factor)
        self.cluster = cluster_id(bootstrap, f"{client_id}-admin")
        config = consumer_config(bootstrap, "", client_id, fetch_max_wait_ms)
        config["group_id"] = None          # no group: nothing is taken from the live consumer
        config["max_poll_records"] = self.max_records = 2000
        self.consumer = KafkaConsumer(**config)
        self.partitions = self._partitions(topics, metadata_timeout)
        self.consumer.assign(self.partitions)

    def _partitions(self, topics: list[str], timeout: float) -> list[TopicPartition]:
        """Every partition of ``topics``; waits for metadata of topics just created (a
        rebuild that missed a topic would silently leave its read models empty)."""
        deadline = time.monotonic() + timeout
        while True:
            known = {topic: self.consumer.partitions_for_topic(topic) for topic in topics}
            missing = [topic for topic, found in known.items() if not found]
            if not missing:
                return [TopicPartition(topic, p) for topic in topics
                        for p in sorted(known[topic] or ())]
            if time.monotonic() > deadline:
                raise RuntimeError(f"no partition metadata for {', '.join(missing)}")
            self.consumer.topics()   # refreshes the cluster metadata
            time.sleep(0.2)

    def seek(self, positions: dict[TopicPartition, int]) -> None:
        """Start each partition at its stored position, or at its beginning."""
        for tp in self.partitions:
            if tp in positions:
                self.consumer.seek(tp, positions[tp])
            else:
                self.consumer.seek_to_beginning(tp)

    def read(self, timeout_ms: int = 500) -> dict[TopicPartition, list[Any]]:
        batches = self.consumer.poll(timeout_ms=timeout_ms)
        check_same_cluster(getattr(self.consumer._client, "cluster", None), self.cluster)
        return batches

    def lag(self) -> int:
        """Messages between the reader's positions and the ends of the partitions."""
        ends = self.consumer.end_offsets(self.partitions)
        return sum(max(0, ends[tp] - self.consumer.position(tp)) for tp in self.partitions)

    def close(self) -> None:
        self.consumer.close(autocommit=False)
