"""Create the event topics if missing, and read the cluster's identity."""

from __future__ import annotations

import logging
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from madoguchi.eventstream.kafka_settings import admin_config

log = logging.getLogger(__name__)


class ClusterChanged(RuntimeError):
    """The bootstrap address now leads to another Kafka cluster (e.g. an empty new one)."""


def check_same_cluster(metadata: Any, expected: str) -> None:
    """Raise ClusterChanged when a client's metadata names a cluster other than ``expected``.

    Positions are kept per cluster id, so a client must notice when the address it uses
    leads to another cluster; kafka-python exposes the id only on its metadata object
    (``producer._metadata``, ``consumer._client.cluster``).
    """
    seen = getattr(metadata, "cluster_id", None)
    if seen and seen != expected:
        raise ClusterChanged(f"cluster changed from {expected} to {seen}")


def cluster_id(bootstrap: str, client_id: str) -> str:
    """The Kafka cluster id; positions are kept per cluster so a new cluster starts over."""
    admin = KafkaAdminClient(**admin_config(bootstrap, client_id))
    try:
        return str(admin.describe_cluster()["cluster_id"])
    finally:
        admin.close()


def ensure_topics(bootstrap: str, names: list[str], partitions: int, client_id: str,
                  replication_factor: int = 1) -> None:
    """Create each topic with ``partitions`` partitions unless it exists already.

    Production clusters should provision topics beforehand (see deploy/); this keeps the
    embedded default and tests working and never changes an existing topic.
    """
    admin = KafkaAdminClient(**admin_config(bootstrap, client_id))
    try:
        existing = set(admin.list_topics())
        missing = [n for n in names if n not in existing]
        if not missing:
            return
        try:
            admin.create_topics([NewTopic(n, partitions, replication_factor) for n in missing])
            log.info("created topics %s with %d partitions", missing, partitions)
        except TopicAlreadyExistsError:
            pass
    finally:
        admin.close()
