"""Readiness that tells the truth: a service is ready only while its consumers see.

A gRPC server answering is not enough: a consumer that holds no partitions, cannot
reach the broker or stays far behind derives nothing, and what it feeds goes stale
without an error. ``Readiness`` reads each consumer's status every second and keeps the
health service's overall status (``""``) and ``madoguchi.Consumers`` SERVING only while
every consumer is healthy; each API's own name stays SERVING while the API can answer
(intake keeps taking inquiries while its engagement consumer is blind). Transitions are
logged. ``StatusServicer`` answers ``madoguchi.ops.v1.ServiceStatus/GetStatus``.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from typing import Any

import grpc

from madoguchi.api.ops.v1 import status_pb2, status_pb2_grpc
from madoguchi.background import BackgroundThread

log = logging.getLogger(__name__)
CONSUMERS_HEALTH_NAME = "madoguchi.Consumers"
STATUS_SERVICE_NAME = status_pb2.DESCRIPTOR.services_by_name["ServiceStatus"].full_name


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Readiness(BackgroundThread):
    def __init__(self, consumers: Callable[[], list[Any]],
                 publish: Callable[[bool], None], interval: float = 1.0) -> None:
        super().__init__("readiness")
        self.consumers = consumers
        self.publish = publish
        self.interval = interval
        self._unhealthy: dict[str, str] = {}

    def statuses(self) -> list[Any]:
        return [consumer.status() for consumer in self.consumers()]

    def check(self) -> bool:
        """Read every consumer now, log what changed, publish and return readiness."""
        statuses = self.statuses()
        now_unhealthy = {s.name: s.reason for s in statuses if not s.healthy}
        for name, reason in now_unhealthy.items():
            if name not in self._unhealthy:
                log.warning("consumer %s is blind: %s", name, reason)
        for name in self._unhealthy.keys() - now_unhealthy.keys():
            log.info("consumer %s sees again", name)
        self._unhealthy = now_unhealthy
        ready = not now_unhealthy
        self.publish(ready)
        return ready

    def _run(self) -> None:
        while not self.stopping:
            try:
                self.check()
            except Exception:
                log.exception("readiness check failed")
            self.idle(self.interval)


def _seconds(value: float | None) -> float:
    return -1.0 if value is None else round(value, 3)


def _or_minus_one(value: int | None) -> int:
    return -1 if value is None else value


def status_message(status: Any) -> status_pb2.ConsumerStatus:
    return status_pb2.ConsumerStatus(
        name=status.name, group=status.group, topics=list(status.topics),
        state=status.state, state_seconds=round(status.state_seconds, 3),
        partitions=[status_pb2.PartitionStatus(
            topic=p.topic, partition=p.partition, position=_or_minus_one(p.position),
            end_offset=_or_minus_one(p.end_offset), lag=_or_minus_one(p.lag),
            last_record_age_seconds=_seconds(p.last_record_age)) for p in status.partitions],
        behind_seconds=round(status.behind_seconds, 3),
        last_record_age_seconds=_seconds(status.last_record_age),
        rejoins=status.rejoins, last_rejoin_reason=status.last_rejoin_reason,
        healthy=status.healthy, reason=status.reason)


class StatusServicer(status_pb2_grpc.ServiceStatusServicer):
    def __init__(self, service: str, readiness: Readiness) -> None:
        self.service = service
        self.readiness = readiness

    def GetStatus(self, request: status_pb2.GetStatusRequest,
                  context: grpc.ServicerContext) -> status_pb2.GetStatusResponse:
        statuses = self.readiness.statuses()
        return status_pb2.GetStatusResponse(
            service=self.service, ready=all(s.healthy for s in statuses),
            consumers=[status_message(s) for s in statuses], instance=instance_name())
