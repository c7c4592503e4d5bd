"""The broker dies under load; no service is restarted; nothing is lost, doubled or invented.

All four services run as their own processes (``madoguchi serve``) against a tansu
broker on a fixed address, as an operator would run them. An upstream client keeps
sending inquiries under a one-minute first-response target, and answers every other
one in time, retrying through the outage. Then:

* the broker is killed and an empty one (new cluster id) starts on the same address
  15 s later;
* or the broker is gone for 60 s, and an empty one comes back.

Afterwards the read model holds every accepted inquiry once, every unanswered inquiry's
breach was raised exactly once, and no inquiry answered in time has a breach, however
late its answer reached the monitor. The times from the new broker's start until the
read model and the monitor had caught up are printed (``-s``).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest

from madoguchi.api.ops.v1 import status_pb2, status_pb2_grpc
from madoguchi.broker import EmbeddedBroker
from madoguchi.localports import free_port
from madoguchi.rpc.channels import open_channel
from tests.support.desk_client import NOTHING_WRONG, DeskClient, outcome, read_model_ids
from tests.support.processes import Service
from tests.support.system import eventually

NAMES = ("intake", "projections", "sla_monitor", "supplier")


def desk_env(data: Path, bootstrap: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"MADOGUCHI_DATA_DIR": str(data), "MADOGUCHI_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                "MADOGUCHI_KAFKA_FETCH_MAX_WAIT_MS": "5", "MADOGUCHI_TOPIC_PARTITIONS": "3",
                "MADOGUCHI_SLA_GROUP_WINDOW_SECONDS": "1", "MADOGUCHI_LOG_LEVEL": "INFO"})
    for name in NAMES:
        env[f"MADOGUCHI_{name.upper()}_PORT"] = str(free_port())
        env[f"MADOGUCHI_{name.upper()}_METRICS_PORT"] = "0"
    return env


def status(address: str) -> Any:
    with open_channel(address) as channel:
        return status_pb2_grpc.ServiceStatusStub(channel).GetStatus(
            status_pb2.GetStatusRequest(), timeout=3)


def caught_up(address: str) -> bool:
    """Every consumer of the service holds partitions and has read them to the end."""
    try:
        reply = status(address)
    except grpc.RpcError:
        return False
    return reply.ready and all(
        c.state == "ASSIGNED" and c.partitions and all(p.lag == 0 for p in c.partitions)
        for c in reply.consumers)


class Desk:
    """The four services on one broker address, and the client."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.broker = EmbeddedBroker(self.port, log_file=tmp / "broker-1.log")
        self.broker.start()
        self.env = desk_env(tmp / "data", self.broker.bootstrap)
        self.services = {n: Service(n, self.env, tmp / f"{n}.log") for n in NAMES}
        for service in self.services.values():
            service.start()
        eventually(lambda: all(caught_up(s.address) for s in self.services.values()),
                   timeout=60)
        self.client = DeskClient(self.services["intake"].address)

    def address(self, name: str) -> str:
        return self.services[name].address

    def kill_broker(self) -> None:
        assert self.broker.process is not None
        self.broker.process.send_signal(signal.SIGKILL)
        self.broker.process.wait(10)

    def new_broker(self, n: int) -> float:
        self.broker = EmbeddedBroker(self.port, log_file=self.tmp / f"broker-{n}.log")
        self.broker.start()
        return time.monotonic()

    def catch_up_times(self, since: float, accepted_before: set[str]) -> dict[str, float]:
        """Seconds from ``since`` until the read model held ``accepted_before`` and the
        monitor's consumers had read to the end."""
        times: dict[str, float] = {}

        def check() -> bool:
            if "read_model" not in times and accepted_before <= set(
                    read_model_ids(self.address("projections"))):
                times["read_model"] = round(time.monotonic() - since, 1)
            if "monitor" not in times and caught_up(self.address("sla_monitor")):
                times["monitor"] = round(time.monotonic() - since, 1)
            return len(times) == 2

        eventually(check, timeout=90, interval=0.5)
        return times

    def settle_and_check(self) -> None:
        self.client.stop_sending()
        t0 = time.monotonic()
        self.client.finish()
        wait = (self.client.last_deadline() - datetime.now(UTC)).total_seconds()
        print(f"finish took {time.monotonic() - t0:.1f} s; waiting {wait:.1f} s for deadlines")
        time.sleep(max(0.0, wait) + 1)
        t0 = time.monotonic()
        found: dict[str, Any] = {}

        def nothing_wrong() -> bool:
            t1 = time.monotonic()
            found.update(outcome(self.client, self.address("projections"),
                                 self.broker.bootstrap))
            print(f"  outcome in {time.monotonic() - t1:.1f} s:",
                  {k: (len(v) if isinstance(v, list) else v) for k, v in found.items()})
            return found == NOTHING_WRONG

        try:
            eventually(nothing_wrong, timeout=60, interval=1)
        except AssertionError:
            pytest.fail(f"after the disturbance: {found}")
        print(f"checked in {time.monotonic() - t0:.1f} s")

    def stop(self) -> None:
        for name in NAMES:
            self.services[name].stop()
        self.broker.stop()


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    t0 = time.monotonic()
    running = Desk(tmp_path)
    print(f"\ndesk started in {time.monotonic() - t0:.1f} s")
    yield running
    running.stop()


def test_a_broker_replaced_under_load_loses_nothing_and_invents_no_breach(desk: Desk) -> None:
    desk.client.start()
    time.sleep(12)
    desk.kill_broker()                    # intake keeps accepting into its event store
    time.sleep(15)
    accepted = {s.inquiry_id for s in desk.client.sent if s.inquiry_id}
    started = desk.new_broker(2)          # same address, new cluster id, nothing stored
    time.sleep(3)
    times = desk.catch_up_times(started, accepted)
    print(f"\nreplaced broker: caught up {times} s after the new broker started; "
          f"{len(desk.client.sent)} inquiries")
    desk.settle_and_check()
    assert len(desk.client.sent) >= 100


def test_a_broker_gone_for_a_minute_loses_nothing_and_invents_no_breach(desk: Desk) -> None:
    desk.client.start()
    time.sleep(8)
    desk.kill_broker()
    time.sleep(15)
    desk.client.stop_sending()            # accepted during the outage, published after
    eventually(lambda: not any(
        c.healthy for c in status(desk.address("sla_monitor")).consumers), timeout=30)
    time.sleep(45)                        # 60 s without a broker in all
    accepted = {s.inquiry_id for s in desk.client.sent if s.inquiry_id}
    started = desk.new_broker(2)
    times = desk.catch_up_times(started, accepted)
    print(f"\nbroker back after 60 s: caught up {times} s after it started; "
          f"{len(desk.client.sent)} inquiries")
    desk.settle_and_check()
    assert len(desk.client.sent) >= 80
