"""``madoguchi status``: each service's health and, per Kafka consumer, what it sees.

Health comes from the gRPC health service (overall status: SERVING only while every
consumer of the service sees); the details from ``madoguchi.ops.v1.ServiceStatus``:
state, partitions held, lag in records, how long ago a record was last handled, how
long the consumer has been behind, and why it is blind when it is.
"""

from __future__ import annotations

import json
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from madoguchi.api.ops.v1 import status_pb2, status_pb2_grpc
from madoguchi.config import SERVICES, Settings
from madoguchi.rpc.channels import open_channel


def _age(seconds: float) -> str:
    return "-" if seconds < 0 else f"{seconds:.1f}s"


def health_of(address: str, timeout: float = 1.0) -> str:
    """SERVING, NOT_SERVING (answers, but a consumer is blind) or DOWN."""
    with open_channel(address) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=timeout)
        except grpc.RpcError:
            return "DOWN"
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


def status_of(address: str, timeout: float = 2.0) -> status_pb2.GetStatusResponse | None:
    with open_channel(address) as channel:
        try:
            return status_pb2_grpc.ServiceStatusStub(channel).GetStatus(
                status_pb2.GetStatusRequest(), timeout=timeout)
        except grpc.RpcError:
            return None


def consumer_lines(status: status_pb2.GetStatusResponse) -> list[str]:
    lines = []
    for c in status.consumers:
        held = len(c.partitions)
        lag = ("-" if any(p.lag < 0 for p in c.partitions)
               else str(sum(p.lag for p in c.partitions)))
        line = (f"    {c.name:<30} {c.state:<12} partitions {held:<3} lag {lag:<8} "
                f"last record {_age(c.last_record_age_seconds):<8} "
                f"behind {_age(c.behind_seconds)}")
        if c.rejoins:
            line += f"  rejoins {c.rejoins} ({c.last_rejoin_reason})"
        if not c.healthy:
            line += f"  BLIND: {c.reason}"
        lines.append(line)
    return lines


def launcher_lines(data_dir: Path) -> list[str]:
    """Restarts counted by ``madoguchi up`` (its state file), when it runs."""
    path = data_dir / "launcher-state.json"
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    restarts = state.get("restarts", {})
    if not restarts:
        return ["launcher     no restarts"]
    return ["launcher     restarts: " + ", ".join(f"{k} {v}" for k, v in sorted(
        restarts.items()))]


def print_status(settings: Settings) -> int:
    """Print every service's health and consumers; 0 when all are SERVING."""
    healthy = True
    for name in SERVICES:
        address = settings.address(name)
        health = health_of(address)
        healthy &= health == "SERVING"
        print(f"{name:<12} {address:<22} {health}")
        status = status_of(address) if health != "DOWN" else None
        if status is not None:
            print("\n".join(consumer_lines(status)) or "    (no consumers)")
    for line in launcher_lines(settings.data_dir):
        print(line)
    return 0 if healthy else 1
