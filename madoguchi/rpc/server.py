"""Start a gRPC server with health checking, status and reflection; stop it gracefully.

Health: each API's own service name is SERVING while the server serves; the overall
status (``""``) and ``madoguchi.Consumers`` also need every Kafka consumer of the process
to see (``madoguchi.rpc.readiness``). ``madoguchi.ops.v1.ServiceStatus`` says why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent import futures
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from madoguchi.api.ops.v1 import status_pb2_grpc
from madoguchi.observability import tracing
from madoguchi.rpc.interceptors import CallGuard
from madoguchi.rpc.readiness import (
    CONSUMERS_HEALTH_NAME,
    STATUS_SERVICE_NAME,
    Readiness,
    StatusServicer,
)

log = logging.getLogger(__name__)


class GrpcServer:
    """A service's gRPC server: its servicers, the health service and reflection."""

    def __init__(self, address: str, service_names: Iterable[str],
                 register: Callable[[grpc.Server], None], *, max_workers: int = 32,
                 consumers: Callable[[], list[Any]] = list, name: str = "") -> None:
        self.server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=max_workers),
            interceptors=[*tracing.grpc_server_interceptors(), CallGuard()],
            options=[
                ("grpc.max_receive_message_length", 4 * 1024 * 1024),
                # Long-lived streams (the SLA watch) cross NATs and proxies that drop idle
                # connections: ping idle clients, and let clients ping us every 20 s.
                ("grpc.keepalive_time_ms", 60_000),
                ("grpc.keepalive_timeout_ms", 20_000),
                ("grpc.keepalive_permit_without_calls", 1),
                ("grpc.http2.min_ping_interval_without_data_ms", 20_000),
                ("grpc.http2.max_pings_without_data", 0),
            ],
        )
        register(self.server)
        self.health = health.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        self.service_names = list(service_names)
        self._serving = False
        self._consumers_ready = False
        self._readiness_started = False
        self.readiness = Readiness(consumers, self._set_consumers_ready)
        status_pb2_grpc.add_ServiceStatusServicer_to_server(
            StatusServicer(name or (self.service_names or ["?"])[0], self.readiness),
            self.server)
        self.set_serving(False)  # until the service says it is ready
        reflection.enable_server_reflection(
            [*self.service_names, STATUS_SERVICE_NAME, health.SERVICE_NAME,
             reflection.SERVICE_NAME], self.server
        )
        self.port = self.server.add_insecure_port(address)
        if self.port == 0:
            raise OSError(f"cannot listen on {address}")
        host = address.rsplit(":", 1)[0]
        self.address = f"{host}:{self.port}"  # the real port when asked for port 0

    def start(self) -> None:
        self.server.start()
        log.info("gRPC listening on %s", self.address)

    def set_serving(self, serving: bool) -> None:
        """The APIs serve (or stop serving); readiness follows the consumers from now on."""
        self._serving = serving
        for name in self.service_names:
            self.health.set(name, _status(serving))
        if serving:
            self.readiness.check()
            if not self._readiness_started:
                self._readiness_started = True
                self.readiness.start()
        self._publish()

    def _set_consumers_ready(self, ready: bool) -> None:
        self._consumers_ready = ready
        self._publish()

    def _publish(self) -> None:
        ready = self._serving and self._consumers_ready
        self.health.set(CONSUMERS_HEALTH_NAME, _status(ready))
        self.health.set("", _status(ready))

    def stop(self, grace: float = 5.0) -> None:
        self.readiness.stop(timeout=2)
        self.set_serving(False)
        self.server.stop(grace).wait()

    def wait(self) -> None:
        self.server.wait_for_termination()


def _status(serving: bool) -> Any:
    return (health_pb2.HealthCheckResponse.SERVING if serving
            else health_pb2.HealthCheckResponse.NOT_SERVING)
