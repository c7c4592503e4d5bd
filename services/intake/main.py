"""Run the intake service: event store, outbox relay to Kafka, gRPC server, and the
consumer that records supplier engagements on their inquiries."""

from __future__ import annotations

from collections.abc import Callable

from madoguchi.api.intake.v1 import intake_pb2, intake_pb2_grpc
from madoguchi.config import Settings, Topics
from madoguchi.eventstream.consumer import PartitionConsumer
from madoguchi.eventstream.service_relay import relay_metrics, service_relay
from madoguchi.rpc.process import serve_until_signalled
from madoguchi.rpc.server import GrpcServer
from madoguchi.storage.offsets import ConsumerOffsets
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from services.intake.adapters.engagement_consumer import CONSUMER_NAME, EngagementConsumer
from services.intake.adapters.grpc_api import IntakeServicer
from services.intake.adapters.publishing import make_router
from services.intake.application.app import IntakeApplication

RELAY_LOCK_KEY = 0x4D41444F  # "MADO": one publishing relay per intake event store
ENGAGEMENTS_GROUP_ID = "madoguchi-intake-engagements"


def engagement_group_for(topics: Topics) -> str:
    """The engagement consumer's group: ``madoguchi-intake-engagements`` on the standard
    topic, else one group per engagements topic, so that deployments (or test runs)
    sharing a cluster under their own topic names never share, or block, a group.
    Positions live in the intake database, so the group only decides who reads what."""
    if topics.supplier_engagements == Topics().supplier_engagements:
        return ENGAGEMENTS_GROUP_ID
    return f"{ENGAGEMENTS_GROUP_ID}.{topics.supplier_engagements}"


class IntakeService:
    """The intake process's parts, started and stopped in a safe order."""

    def __init__(self, settings: Settings, *, address: str | None = None,
                 engagements_group_id: str | None = None) -> None:
        self.settings = settings
        url = parse_database_url(settings.database_urls["intake"])
        self.app = IntakeApplication(env=url.eventsourcing_env())
        self.relay = service_relay(
            self.app, make_router(settings.topics), settings, url,
            topics=[settings.topics.inquiries, settings.topics.contact_attempts],
            name="intake-relay", lock_key=RELAY_LOCK_KEY)
        # The engagement consumer's offsets live in the intake database itself.
        self.db = SqlDatabase(url)
        self.engagements = EngagementConsumer(self.app, ConsumerOffsets(self.db, CONSUMER_NAME))
        self.consumer = PartitionConsumer(
            self.engagements, bootstrap=settings.bootstrap(),
            group_id=engagements_group_id or engagement_group_for(settings.topics),
            topics=[settings.topics.supplier_engagements], name="intake-engagements",
            fetch_max_wait_ms=settings.fetch_max_wait_ms, limits=settings.consumer_limits,
            partitions=settings.topic_partitions,
            replication_factor=settings.topic_replication_factor,
        )
        self.grpc = GrpcServer(
            address or settings.address("intake"),
            [intake_pb2.DESCRIPTOR.services_by_name["IntakeService"].full_name],
            lambda server: intake_pb2_grpc.add_IntakeServiceServicer_to_server(
                IntakeServicer(self.app), server),
            consumers=lambda: [self.consumer], name="intake",
        )

    def metrics(self) -> list[tuple[str, str, Callable[[], float]]]:
        return [
            *relay_metrics(self.relay),
            ("madoguchi_intake_engagement_facts_total",
             "supplier engagement facts newly recorded on inquiries",
             lambda: self.engagements.recorded),
            ("madoguchi_intake_engagement_skipped_total",
             "engagement events about unknown inquiries or with unusable fields",
             lambda: self.engagements.skipped),
            ("madoguchi_intake_engagement_rejected_total",
             "undecodable engagement messages set aside", lambda: self.engagements.rejected),
        ]

    def start(self) -> None:
        self.relay.start()
        self.consumer.start()
        self.grpc.start()
        self.grpc.set_serving(True)

    def stop(self) -> None:
        """Stop taking requests, let in-flight ones finish, stop consuming, drain the relay."""
        self.grpc.stop(grace=5)
        self.consumer.stop(timeout=15)
        self.relay.stop(timeout=15)
        self.db.close()
        self.app.close()


def run(settings: Settings) -> None:
    serve_until_signalled("intake", IntakeService(settings), settings)
