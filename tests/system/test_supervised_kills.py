"""``madoguchi up`` supervises: each service, then the broker, killed with SIGKILL in turn.

An upstream client keeps sending inquiries and answering every other one in time,
retrying with the same keys. The launcher starts each killed part again by itself; no
manual step. Afterwards every accepted inquiry is in the read model once, every due
breach was raised once, no inquiry answered in time was breached, the launcher counted
each restart, and ``madoguchi status`` shows every service SERVING.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from madoguchi.api.ops.v1 import status_pb2, status_pb2_grpc
from madoguchi.rpc.channels import open_channel
from tests.support.desk_client import NOTHING_WRONG, DeskClient, outcome
from tests.support.system import eventually
from tests.system.test_launcher import launcher_env, start_up, stop_up

SERVICES = ("intake", "projections", "sla_monitor", "supplier")


def address(env: dict[str, str], name: str) -> str:
    return f"127.0.0.1:{env[f'MADOGUCHI_{name.upper()}_PORT']}"


def service_pid(env: dict[str, str], name: str) -> int:
    """The process behind a service, from its own status (instance = host:pid)."""
    with open_channel(address(env, name)) as channel:
        reply = status_pb2_grpc.ServiceStatusStub(channel).GetStatus(
            status_pb2.GetStatusRequest(), timeout=3)
    return int(reply.instance.rsplit(":", 1)[1])


def broker_pid(env: dict[str, str]) -> int:
    """The embedded broker: the tansu process listening on the configured port."""
    wanted = f"tcp://127.0.0.1:{env['MADOGUCHI_EMBEDDED_KAFKA_PORT']}"
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"tansu" in a for a in argv[:1]) and wanted.encode() in argv:
            return int(entry.name)
    raise AssertionError("no embedded broker process found")


def serving(env: dict[str, str]) -> bool:
    done = subprocess.run([sys.executable, "-m", "madoguchi_cli", "status"], env=env,
                          capture_output=True, text=True, timeout=60)
    return done.returncode == 0


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def test_every_part_killed_in_turn_is_restarted_and_nothing_is_lost(tmp_path: Path) -> None:
    env = launcher_env(tmp_path / "data")
    env["MADOGUCHI_SLA_GROUP_WINDOW_SECONDS"] = "1"
    log = tmp_path / "up.log"
    process = start_up(env, log)
    client = DeskClient(address(env, "intake"))
    try:
        eventually(lambda: serving(env), timeout=60)
        client.start()
        for name in SERVICES:
            time.sleep(6)
            kill(service_pid(env, name))
        time.sleep(6)
        kill(broker_pid(env))
        time.sleep(4)
        client.stop_sending()
        client.finish(timeout=180)
        wait = (client.last_deadline() - datetime.now(UTC)).total_seconds()
        time.sleep(max(0.0, wait) + 1)
        found: dict[str, Any] = {}

        def nothing_wrong() -> bool:
            found.update(outcome(client, address(env, "projections"),
                                 f"127.0.0.1:{env['MADOGUCHI_EMBEDDED_KAFKA_PORT']}"))
            return found == NOTHING_WRONG

        try:
            eventually(nothing_wrong, timeout=90, interval=1)
        except AssertionError:
            pytest.fail(f"after the kills: {found}\n{log.read_text(encoding='utf-8')[-4000:]}")
        restarts = json.loads((tmp_path / "data" / "launcher-state.json").read_text())
        assert restarts["restarts"] == {name: 1 for name in (*SERVICES, "broker")}
        eventually(lambda: serving(env), timeout=60)
        assert len(client.sent) >= 100
        text = log.read_text(encoding="utf-8")
        assert all(f"{name} exited unexpectedly" in text for name in (*SERVICES, "broker"))
    finally:
        stop_up(process, log)
