"""A consumer heals itself and says whether it sees (real broker over TCP).

A group left with a half-joined member (a client closed, or killed, in the middle of its
join) gets no assignment on tansu until the consumer gives up the join, clears the
group's stale state and joins again. A broker replaced by an empty one behind the same
address is followed in place, from the positions kept for the new cluster, without any
restart. While a consumer is blind, health is NOT_SERVING and the status says why.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from kafka import KafkaConsumer, KafkaProducer

from madoguchi.api.ops.v1 import status_pb2, status_pb2_grpc
from madoguchi.broker import EmbeddedBroker
from madoguchi.eventstream.consumer import PartitionConsumer
from madoguchi.eventstream.consumer_status import ConsumerLimits
from madoguchi.eventstream.kafka_settings import consumer_config
from madoguchi.eventstream.topics import ensure_topics
from madoguchi.localports import free_port
from madoguchi.rpc.channels import open_channel
from madoguchi.rpc.readiness import CONSUMERS_HEALTH_NAME
from madoguchi.rpc.server import GrpcServer
from tests.support.system import eventually

QUICK = ConsumerLimits(blind_after=2.0, rejoin_after=6.0, max_lag=60.0, probe_every=0.5)


class Recorder:
    """A handler that keeps what it got, per cluster, with positions in memory."""

    def __init__(self) -> None:
        self.got: list[tuple[str, bytes]] = []
        self.positions: dict[tuple[str, Any], int] = {}
        self.lock = threading.Lock()

    def stored_offsets(self, cluster: str, partitions: list[Any]) -> dict[Any, int]:
        with self.lock:
            return {tp: self.positions[(cluster, tp)] for tp in partitions
                    if (cluster, tp) in self.positions}

    def handle(self, cluster: str, partition: Any, records: list[Any]) -> None:
        with self.lock:
            self.got += [(cluster, r.value) for r in records]
            self.positions[(cluster, partition)] = records[-1].offset + 1

    def values(self, cluster: str) -> list[bytes]:
        """What was read from ``cluster``, each once (redelivery is allowed)."""
        with self.lock:
            return sorted({v for c, v in self.got if c == cluster})


def produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for value in values:
        producer.send(topic, key=value, value=value)
    producer.flush()
    producer.close()


def leave_half_joined(bootstrap: str, group: str, topic: str) -> None:
    """A member that closes while its first join is still pending at the coordinator."""
    member = KafkaConsumer(**consumer_config(bootstrap, group, "half-joined", 10))
    member.subscribe([topic])
    poller = threading.Thread(target=lambda: member.poll(timeout_ms=1500))
    poller.start()
    time.sleep(1.0)
    member.close(autocommit=False)
    poller.join()


@pytest.fixture
def own_broker() -> Iterator[EmbeddedBroker]:
    instance = EmbeddedBroker(free_port())
    instance.start()
    yield instance
    instance.stop()


def test_a_group_left_half_joined_is_healed_by_rejoining(broker: EmbeddedBroker) -> None:
    group, topic = f"heal-{uuid.uuid4().hex[:8]}", f"heal-{uuid.uuid4().hex[:8]}"
    ensure_topics(broker.bootstrap, [topic], 3, "test-admin")
    leave_half_joined(broker.bootstrap, group, topic)
    recorder = Recorder()
    consumer = PartitionConsumer(recorder, bootstrap=broker.bootstrap, group_id=group,
                                 topics=[topic], name="healer", partitions=3, limits=QUICK)
    consumer.start()
    try:
        assert consumer.assigned.wait(45), consumer.status()
        produce(broker.bootstrap, topic, [b"a", b"b"])
        eventually(lambda: len(recorder.got) == 2)
        status = consumer.status()
        assert status.healthy and len(status.partitions) == 3
    finally:
        consumer.stop()


def test_a_replaced_broker_is_followed_in_place(own_broker: EmbeddedBroker) -> None:
    topic = f"swap-{uuid.uuid4().hex[:8]}"
    recorder = Recorder()
    consumer = PartitionConsumer(recorder, bootstrap=own_broker.bootstrap, group_id="swap",
                                 topics=[topic], name="follower", partitions=3, limits=QUICK)
    consumer.start()
    replacement: EmbeddedBroker | None = None
    try:
        assert consumer.assigned.wait(30)
        produce(own_broker.bootstrap, topic, [b"old-1", b"old-2", b"old-3"])
        eventually(lambda: recorder.values(own_broker.cluster_id) == [b"old-1", b"old-2",
                                                                     b"old-3"])
        for round_ in range(2):          # the swap races the client's rejoin: try it twice
            own_broker.stop()
            replacement = EmbeddedBroker(own_broker.port)
            replacement.start()          # same address, new cluster id, nothing stored
            values = [f"new-{round_}-{n}".encode() for n in range(3)]
            produce(replacement.bootstrap, topic, values)
            eventually(lambda r=replacement, v=values: recorder.values(r.cluster_id) == v,
                       timeout=45)
            assert consumer.status().healthy
            own_broker = replacement
    finally:
        consumer.stop()
        if replacement is not None:
            replacement.stop()


def _health(channel: grpc.Channel, name: str) -> str:
    reply = health_pb2_grpc.HealthStub(channel).Check(
        health_pb2.HealthCheckRequest(service=name), timeout=2)
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


def test_health_is_not_serving_while_a_consumer_is_blind_and_serving_again_after(
        own_broker: EmbeddedBroker) -> None:
    topic = f"blind-{uuid.uuid4().hex[:8]}"
    consumer = PartitionConsumer(Recorder(), bootstrap=own_broker.bootstrap, group_id="blind",
                                 topics=[topic], name="watched", partitions=3, limits=QUICK)
    server = GrpcServer("127.0.0.1:0", ["test.Api"], lambda s: None,
                        consumers=lambda: [consumer], name="test")
    server.start()
    consumer.start()
    server.set_serving(True)
    channel = open_channel(server.address)
    status_stub = status_pb2_grpc.ServiceStatusStub(channel)
    try:
        assert consumer.assigned.wait(30)
        eventually(lambda: _health(channel, "") == "SERVING")
        own_broker.stop()                        # nothing to read from: blind
        eventually(lambda: _health(channel, "") == "NOT_SERVING", timeout=30)
        assert _health(channel, CONSUMERS_HEALTH_NAME) == "NOT_SERVING"
        assert _health(channel, "test.Api") == "SERVING"   # the API itself still answers
        reply = status_stub.GetStatus(status_pb2.GetStatusRequest(), timeout=2)
        assert not reply.ready
        [watched] = reply.consumers
        assert not watched.healthy and watched.reason
        own_broker.start()                       # back (a new, empty cluster)

        def healed() -> bool:
            reply = status_stub.GetStatus(status_pb2.GetStatusRequest(), timeout=2)
            # (tansu may have made the topic itself, with its default partition count)
            return (reply.ready and reply.consumers[0].state == "ASSIGNED"
                    and len(reply.consumers[0].partitions) >= 3)

        eventually(healed, timeout=45)
        eventually(lambda: _health(channel, "") == "SERVING")
    finally:
        channel.close()
        consumer.stop()
        server.stop(grace=0)
