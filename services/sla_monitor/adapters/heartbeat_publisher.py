"""Publish the monitor's heartbeats straight to the signals topic (not via the outbox).

A heartbeat says "this instance is alive and reaches Kafka now"; stored and relayed
later it would say something false, so it is produced directly and dropped when the
broker is away (the silence is the message). Keyed by instance, Avro like every record.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from kafka import KafkaProducer

from madoguchi.eventstream.avro import SchemaCatalog, default_catalog
from madoguchi.eventstream.kafka_settings import producer_config
from madoguchi.eventstream.records import event_headers

EVENT_TYPE = "SlaMonitorHeartbeat"


class HeartbeatPublisher:
    def __init__(self, bootstrap: str, topic: str, catalog: SchemaCatalog | None = None,
                 timeout: float = 5.0) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.catalog = catalog or default_catalog()
        self.timeout = timeout
        self._producer: KafkaProducer | None = None
        self._lock = threading.Lock()

    def __call__(self, record: dict[str, Any]) -> None:
        value = self.catalog.encode(EVENT_TYPE, record)
        headers = event_headers(EVENT_TYPE, record, self.catalog.schema_ref(EVENT_TYPE))
        with self._lock:
            try:
                if self._producer is None:
                    self._producer = KafkaProducer(**producer_config(
                        self.bootstrap, "sla-heartbeat"))
                future = self._producer.send(self.topic, key=record["instance"].encode(),
                                             value=value, headers=headers)
                future.get(timeout=self.timeout)
            except Exception:
                self._close()
                raise

    def _close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                producer.close(timeout=1)

    def close(self) -> None:
        with self._lock:
            self._close()
