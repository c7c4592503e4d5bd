"""Nothing lost, nothing doubled when intake and projections are killed with SIGKILL.

Each service runs as its own process (``madoguchi serve``) against the real broker and
SQLite files; the test kills them mid-stream, restarts them, and retries the calls that
failed with the same idempotency keys, as a client would.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import grpc
import pytest

from madoguchi.api.intake.v1 import intake_pb2 as pb
from madoguchi.api.intake.v1 import intake_pb2_grpc
from madoguchi.api.projections.v1 import projections_pb2 as qpb
from madoguchi.api.projections.v1 import projections_pb2_grpc
from madoguchi.rpc.channels import open_channel
from tests.conftest import free_port
from tests.support.processes import Service
from tests.support.requests import ctx, receive_request
from tests.support.system import eventually


def test_killed_services_lose_and_double_nothing(broker, tmp_path: Path) -> None:
    suffix = uuid.uuid4().hex[:8]
    env = dict(os.environ)
    env.update({
        "MADOGUCHI_DATA_DIR": str(tmp_path),
        "MADOGUCHI_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        "MADOGUCHI_INTAKE_PORT": str(free_port()),
        "MADOGUCHI_PROJECTIONS_PORT": str(free_port()),
        "MADOGUCHI_INTAKE_METRICS_PORT": "0",
        "MADOGUCHI_PROJECTIONS_METRICS_PORT": "0",
        "MADOGUCHI_TOPIC_INQUIRIES": f"crash-inquiries-{suffix}",
        "MADOGUCHI_TOPIC_CONTACT_ATTEMPTS": f"crash-attempts-{suffix}",
        "MADOGUCHI_TOPIC_PARTITIONS": "3",
        "MADOGUCHI_KAFKA_FETCH_MAX_WAIT_MS": "5",
    })
    intake = Service("intake", env, tmp_path / "intake.log")
    projections = Service("projections", env, tmp_path / "projections.log")
    intake.start()
    projections.start()
    intake_channel = open_channel(intake.address)
    query_channel = open_channel(projections.address)
    stub = intake_pb2_grpc.IntakeServiceStub(intake_channel)
    query = projections_pb2_grpc.InquiryQueryServiceStub(query_channel)
    requests = [receive_request(subject=f"停電中の問い合わせ {n}") for n in range(45)]
    ids: dict[int, str] = {}

    def send(n: int) -> None:
        """Receive and respond to inquiry n; safe to repeat (idempotent)."""
        iid = stub.ReceiveInquiry(requests[n], timeout=10).inquiry.inquiry_id
        ids[n] = iid
        stub.LogContact(pb.LogContactRequest(context=ctx(iid), idempotency_key=f"tel-{n}",
                                             channel=pb.PHONE, note="折り返し"), timeout=10)

    try:
        for n in range(15):
            send(n)
        intake.kill()  # SIGKILL: no drain, no clean shutdown
        with pytest.raises(grpc.RpcError) as caught:
            send(15)
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        intake.start()
        for n in range(15, 30):
            send(n)
        projections.kill()
        for n in range(30, 45):
            send(n)
        projections.start()
        for n in range(45):  # a client retrying everything it is unsure of
            send(n)

        def settled() -> bool:
            listed = query.ListInquiries(qpb.ListInquiriesRequest(page_size=100))
            return listed.total_size == 45 and all(v.version == 2 for v in listed.inquiries)

        eventually(settled, timeout=90)
        for iid in ids.values():
            view = query.GetInquiry(qpb.GetInquiryRequest(inquiry_id=iid))
            assert (view.version, view.contact_count, len(view.timeline)) == (2, 2, 2)
    finally:
        intake_channel.close()
        query_channel.close()
        intake.stop()
        projections.stop()
