"""Run the projections service: topic consumer into read models, gRPC query server."""

from __future__ import annotations

from collections.abc import Callable

from madoguchi.api.projections.v1 import projections_pb2, projections_pb2_grpc
from madoguchi.config import Settings
from madoguchi.eventstream.consumer import PartitionConsumer
from madoguchi.rpc.process import serve_until_signalled
from madoguchi.rpc.server import GrpcServer
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from services.projections.adapters.grpc_api import InquiryQueryServicer
from services.projections.adapters.sql_store import InquiryStore
from services.projections.application.projector import InquiryProjector

GROUP_ID = "madoguchi-projections"


class ProjectionsService:
    def __init__(self, settings: Settings, *, address: str | None = None,
                 group_id: str = GROUP_ID, name: str = "projections-consumer") -> None:
        self.db = SqlDatabase(parse_database_url(settings.database_urls["projections"]))
        self.store = InquiryStore(self.db)
        self.projector = InquiryProjector(self.store)
        self.consumer = PartitionConsumer(
            self.projector, bootstrap=settings.bootstrap(), group_id=group_id,
            topics=[settings.topics.inquiries, settings.topics.contact_attempts],
            name=name, fetch_max_wait_ms=settings.fetch_max_wait_ms,
            partitions=settings.topic_partitions,
            replication_factor=settings.topic_replication_factor,
        )
        service_name = projections_pb2.DESCRIPTOR.services_by_name["InquiryQueryService"]
        self.grpc = GrpcServer(
            address or settings.address("projections"), [service_name.full_name],
            lambda server: projections_pb2_grpc.add_InquiryQueryServiceServicer_to_server(
                InquiryQueryServicer(self.store), server),
        )

    def metrics(self) -> list[tuple[str, str, Callable[[], float]]]:
        projector = self.projector
        return [
            ("madoguchi_projection_applied_total", "messages that changed a read model",
             lambda: projector.applied),
            ("madoguchi_projection_duplicates_total",
             "messages already applied (redelivered or replayed)", lambda: projector.duplicates),
            ("madoguchi_projection_rejected_total", "undecodable messages set aside",
             lambda: projector.rejected),
            ("madoguchi_projection_assigned", "1 while this instance holds partitions",
             lambda: int(self.consumer.assigned.is_set())),
        ]

    def start(self) -> None:
        self.consumer.start()
        self.grpc.start()
        self.grpc.set_serving(True)

    def stop(self) -> None:
        self.grpc.stop(grace=5)
        self.consumer.stop(timeout=15)
        self.db.close()


def run(settings: Settings) -> None:
    serve_until_signalled("projections", ProjectionsService(settings), settings)
