"""Two SLA monitor processes share the work; kill -9 one, and then the other.

Every due breach is still raised exactly once: by the survivor, which takes over the
dead instance's partitions, and, after both died, by whichever restarts first, at once
for deadlines that passed while nobody was running.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from madoguchi.api.intake.v1 import intake_pb2_grpc
from madoguchi.api.sla.v1 import sla_monitor_pb2 as spb
from madoguchi.api.sla.v1 import sla_monitor_pb2_grpc
from madoguchi.rpc.channels import open_channel
from tests.conftest import free_port
from tests.support.processes import Service
from tests.support.requests import receive_request, ts
from tests.support.sla_support import fast_terms, signals
from tests.support.system import eventually

INQUIRIES = 12


def holds_partitions(log: Path) -> bool:
    """The instance's last assignment gave it at least one partition."""
    lines = [line for line in log.read_text("utf-8", errors="replace").splitlines()
             if "timers loaded for partitions" in line]
    return bool(lines) and "partitions []" not in lines[-1]


def breaches_per_inquiry(bootstrap: str, topic: str, expected: int) -> Counter:
    """Distinct breach events per inquiry (a republished event keeps its id)."""
    def complete() -> Counter | None:
        found = signals(bootstrap, topic)
        ids = {(str(r["inquiry_id"]), str(r["event_id"]))
               for t, r in found if t == "SlaBreached"}
        counts = Counter(inquiry for inquiry, _ in ids)
        return counts if len(counts) >= expected else None
    return eventually(complete, timeout=120, interval=1.0)


def test_breaches_are_raised_once_when_monitors_are_killed(broker, tmp_path: Path) -> None:
    suffix = uuid.uuid4().hex[:8]
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"agreements": [
        {"agreement_id": "fast", "default": True, "terms": fast_terms()}]}), "utf-8")
    env = dict(os.environ)
    env.update({
        "MADOGUCHI_DATA_DIR": str(tmp_path),
        "MADOGUCHI_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        "MADOGUCHI_INTAKE_PORT": str(free_port()),
        "MADOGUCHI_INTAKE_METRICS_PORT": "0",
        "MADOGUCHI_SLA_MONITOR_METRICS_PORT": "0",
        "MADOGUCHI_TOPIC_INQUIRIES": f"failover-inquiries-{suffix}",
        "MADOGUCHI_TOPIC_CONTACT_ATTEMPTS": f"failover-attempts-{suffix}",
        "MADOGUCHI_TOPIC_SLA_SIGNALS": f"failover-signals-{suffix}",
        "MADOGUCHI_TOPIC_SLA_AGREEMENTS": f"failover-agreements-{suffix}",
        "MADOGUCHI_TOPIC_PARTITIONS": "6",
        "MADOGUCHI_KAFKA_FETCH_MAX_WAIT_MS": "5",
        "MADOGUCHI_SLA_SEED_FILE": str(seed),
    })
    intake = Service("intake", env, tmp_path / "intake.log")
    monitors = [Service("sla_monitor", {**env, "MADOGUCHI_SLA_MONITOR_PORT": str(free_port())},
                        tmp_path / f"sla-{n}.log") for n in range(2)]
    signals_topic = env["MADOGUCHI_TOPIC_SLA_SIGNALS"]
    intake.start()
    for monitor in monitors:
        monitor.start()
    channel = open_channel(intake.address)
    stub = intake_pb2_grpc.IntakeServiceStub(channel)

    def receive(ago: float) -> str:
        at = datetime.now(UTC) - timedelta(seconds=ago)
        return stub.ReceiveInquiry(receive_request(agreement_id="fast", contacted_at=ts(at)),
                                   timeout=10).inquiry.inquiry_id

    try:
        eventually(lambda: all(holds_partitions(m.log) for m in monitors), timeout=60,
                   interval=0.5)
        first = [receive(ago=35) for _ in range(INQUIRIES)]      # due in ~25 s
        monitors[0].kill()                                        # kill -9, mid-stream
        counts = breaches_per_inquiry(broker.bootstrap, signals_topic, INQUIRIES)
        assert set(counts) == set(first)
        assert set(counts.values()) == {1}

        second = [receive(ago=45) for _ in range(INQUIRIES)]      # due in ~15 s
        due = datetime.now(UTC) + timedelta(seconds=16)
        survivor = sla_monitor_pb2_grpc.SlaMonitorServiceStub(
            open_channel(monitors[1].address))
        for inquiry in second:                                    # its clocks are stored
            eventually(lambda i=inquiry: survivor.GetInquiryClocks(
                spb.GetInquiryClocksRequest(inquiry_id=i)))
        monitors[1].kill()                                        # nobody is running now
        eventually(lambda: datetime.now(UTC) > due, timeout=30, interval=0.5)
        monitors[0].start()
        counts = breaches_per_inquiry(broker.bootstrap, signals_topic, 2 * INQUIRIES)
        assert set(counts) == set(first) | set(second)
        assert set(counts.values()) == {1}
    finally:
        channel.close()
        for service in (intake, *monitors):
            service.stop()
