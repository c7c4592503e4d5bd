"""Run intake and projections in-process against the real broker and databases."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import grpc

from madoguchi.api.intake.v1 import intake_pb2_grpc
from madoguchi.api.projections.v1 import projections_pb2_grpc
from madoguchi.config import AlertSettings, Settings, Topics
from madoguchi.rpc.channels import open_channel
from services.intake.main import IntakeService
from services.projections.main import ProjectionsService


def make_settings(tmp: Path, bootstrap: str, database_urls: dict[str, str],
                  topic_suffix: str) -> Settings:
    return Settings(
        data_dir=tmp,
        kafka_bootstrap=bootstrap,
        embedded_kafka_port=0,
        host="127.0.0.1",
        ports={"intake": 0, "projections": 0, "sla_monitor": 0, "supplier": 0},
        database_urls=database_urls,
        topics=Topics(inquiries=f"inquiries-{topic_suffix}",
                      contact_attempts=f"attempts-{topic_suffix}",
                      sla_signals=f"sla-signals-{topic_suffix}",
                      sla_agreements=f"sla-agreements-{topic_suffix}",
                      supplier_engagements=f"supplier-engagements-{topic_suffix}",
                      supplier_registry=f"supplier-registry-{topic_suffix}",
                      projections_dead_letters=f"projections-dlq-{topic_suffix}"),
        alerts=AlertSettings(seed_file="none", group_window_seconds=0.5, settle_seconds=3.0),
        topic_partitions=3,
        fetch_max_wait_ms=5,
    )


class RunningSystem:
    """Intake + projections with gRPC stubs; start/stop each part independently."""

    def __init__(self, settings: Settings, group_id: str) -> None:
        self.settings = settings
        self.group_id = group_id
        self.intake = IntakeService(settings, address="127.0.0.1:0")
        self.intake.start()
        self.intake_channel = open_channel(self.intake.grpc.address)
        self.intake_stub = intake_pb2_grpc.IntakeServiceStub(self.intake_channel)
        self.projections: ProjectionsService | None = None
        self.query_stub: Any = None
        self._query_channel: grpc.Channel | None = None

    def start_projections(self, wait_assigned: bool = True) -> ProjectionsService:
        self.projections = ProjectionsService(self.settings, address="127.0.0.1:0",
                                              group_id=self.group_id)
        self.projections.start()
        self._query_channel = open_channel(self.projections.grpc.address)
        self.query_stub = projections_pb2_grpc.InquiryQueryServiceStub(self._query_channel)
        if wait_assigned:
            assert self.projections.consumer.assigned.wait(30), "no partitions assigned"
        return self.projections

    def stop_projections(self) -> None:
        if self.projections is not None:
            self.projections.stop()
            self.projections = None
        if self._query_channel is not None:
            self._query_channel.close()
            self._query_channel = None

    def stop(self) -> None:
        self.stop_projections()
        self.intake_channel.close()
        self.intake.stop()


def eventually(check: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05) -> Any:
    """Poll ``check`` until it returns a truthy value or raise after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except (AssertionError, grpc.RpcError) as error:
            last_error = error
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s (last error: {last_error})")


__all__ = ["RunningSystem", "eventually", "make_settings", "replace"]
