"""Scale-out: projections instances share partitions; intake replicas share one relay."""

from __future__ import annotations

import pytest

from madoguchi.api.intake.v1 import intake_pb2_grpc
from madoguchi.rpc.channels import open_channel
from services.intake.main import IntakeService
from services.projections.main import ProjectionsService, projection_topics
from tests.integration.test_stream import live_inquiry, wait_for_version
from tests.support.requests import receive_request
from tests.support.system import RunningSystem, eventually


def owned(service: ProjectionsService) -> set[tuple[str, int]]:
    return {(tp.topic, tp.partition) for tp in service.consumer.owned}


def test_two_projection_instances_share_the_partitions(system: RunningSystem) -> None:
    first = system.start_projections()
    second = ProjectionsService(system.settings, address="127.0.0.1:0",
                                group_id=system.group_id, name="projections-consumer-2")
    second.start()
    try:
        all_partitions = {(t, p) for t in projection_topics(system.settings)
                          for p in range(system.settings.topic_partitions)}
        eventually(lambda: owned(first) and owned(second)
                   and owned(first) | owned(second) == all_partitions
                   and not owned(first) & owned(second), timeout=60)
        # Keys spread over partitions by hash: receive until both instances got some work
        # (bounded: 30 inquiries miss one instance's partitions with p < 1e-5).
        ids: list[str] = []
        while len(ids) < 30 and not (first.projector.applied and second.projector.applied):
            ids.append(live_inquiry(system, subject=f"分担テスト {len(ids)}"))
            wait_for_version(system, ids[-1], 4)
        assert first.projector.applied > 0 and second.projector.applied > 0
        for iid in ids:
            assert wait_for_version(system, iid, 4).status == "ON_HOLD"

        second.stop()  # its partitions move back to the first instance
        eventually(lambda: owned(first) == all_partitions, timeout=60)
        later = live_inquiry(system, subject="引き継ぎ後")
        assert wait_for_version(system, later, 4).status == "ON_HOLD"
    finally:
        second.stop()


@pytest.mark.parametrize("store", ["postgres"])  # replicas share a store only on PostgreSQL
def test_only_one_intake_replica_publishes_and_another_takes_over(
        system: RunningSystem, store: str) -> None:
    system.start_projections()
    replica = IntakeService(system.settings, address="127.0.0.1:0")
    replica.start()
    channel = open_channel(replica.grpc.address)
    try:
        stub = intake_pb2_grpc.IntakeServiceStub(channel)
        first = stub.ReceiveInquiry(receive_request()).inquiry.inquiry_id
        wait_for_version(system, first, 1)
        assert system.intake.relay.connected.is_set() != replica.relay.connected.is_set()
        leader, follower = ((system.intake, replica) if system.intake.relay.connected.is_set()
                            else (replica, system.intake))
        assert follower.relay.published == 0
        leader.relay.stop()  # the leader's relay goes away; the follower takes over
        second = stub.ReceiveInquiry(receive_request()).inquiry.inquiry_id
        wait_for_version(system, second, 1)
        assert follower.relay.published >= 1
    finally:
        channel.close()
        replica.stop()
