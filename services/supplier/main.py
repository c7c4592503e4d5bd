"""Run the supplier service: event store, stream consumer, expiry watcher, relay, gRPC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import grpc

from madoguchi.api.supplier.v1 import supplier_pb2, supplier_pb2_grpc
from madoguchi.config import Settings
from madoguchi.eventstream.consumer import PartitionConsumer
from madoguchi.eventstream.service_relay import relay_metrics, service_relay
from madoguchi.rpc.process import serve_until_signalled
from madoguchi.rpc.server import GrpcServer
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from services.supplier.adapters.engagement_index import EngagementIndex, index_database_for
from services.supplier.adapters.grpc_api import (
    SupplierManagementServicer,
    SupplierPortalServicer,
)
from services.supplier.adapters.publishing import make_router
from services.supplier.adapters.stream_handler import SupplierStreamHandler
from services.supplier.application.app import SupplierApplication
from services.supplier.application.expiry import ExpiryWatcher

GROUP_ID = "madoguchi-supplier"
RELAY_LOCK_KEY = 0x4D535550  # "MSUP": one publishing relay per supplier event store
SERVICE_NAMES = ("SupplierManagementService", "SupplierPortalService")


def build_application(env: dict[str, str] | None = None, *,
                      clock: Callable[[], datetime] | None = None,
                      db: SqlDatabase | None = None) -> SupplierApplication:
    """The application over its SQL index: ``db``, else the event store's own database
    (a private SQLite file for the in-memory store). Closing the application closes it."""
    return SupplierApplication(env, index=EngagementIndex(db or index_database_for(env)),
                               clock=clock)


class SupplierService:
    """The supplier process's parts, started and stopped in a safe order."""

    def __init__(self, settings: Settings, *, address: str | None = None,
                 group_id: str = GROUP_ID, name: str = "supplier-consumer",
                 clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        topics = settings.topics
        url = parse_database_url(settings.database_urls["supplier"])
        self.db = SqlDatabase(url)   # the index, offsets and rejected messages
        self.app = build_application(url.eventsourcing_env(), clock=clock, db=self.db)
        self.relay = service_relay(
            self.app, make_router(topics), settings, url,
            topics=[topics.supplier_engagements, topics.supplier_registry],
            name="supplier-relay", lock_key=RELAY_LOCK_KEY)
        # Escalations (inquiries) open engagements; SLA signals of supplier clocks
        # accrue penalties. Offsets are kept in this service's own database.
        self.handler = SupplierStreamHandler(self.app, self.db, topics)
        self.consumer = PartitionConsumer(
            self.handler, bootstrap=settings.bootstrap(), group_id=group_id,
            topics=[topics.inquiries, topics.sla_signals], name=name,
            fetch_max_wait_ms=settings.fetch_max_wait_ms, limits=settings.consumer_limits,
            partitions=settings.topic_partitions,
            replication_factor=settings.topic_replication_factor)
        self.expiry = ExpiryWatcher(self.app)
        names = [supplier_pb2.DESCRIPTOR.services_by_name[n].full_name for n in SERVICE_NAMES]
        self.grpc = GrpcServer(address or settings.address("supplier"), names, self._register,
                               consumers=lambda: [self.consumer], name="supplier")

    def _register(self, server: grpc.Server) -> None:
        supplier_pb2_grpc.add_SupplierManagementServiceServicer_to_server(
            SupplierManagementServicer(self.app), server)
        supplier_pb2_grpc.add_SupplierPortalServiceServicer_to_server(
            SupplierPortalServicer(self.app), server)

    def metrics(self) -> list[tuple[str, str, Callable[[], float]]]:
        return [
            *relay_metrics(self.relay),
            ("madoguchi_supplier_records_total", "stream records (inquiries, SLA signals) handled",
             lambda: self.consumer.handled),
            ("madoguchi_supplier_records_applied_total",
             "escalations, withdrawals and SLA signals applied", lambda: self.handler.applied),
            ("madoguchi_supplier_rejected_total", "undecodable records set aside",
             lambda: self.handler.rejected),
            ("madoguchi_supplier_expiry_warnings_total", "contract expiry warnings raised here",
             lambda: self.expiry.raised),
            ("madoguchi_supplier_assigned", "1 while this instance holds partitions",
             lambda: int(self.consumer.assigned.is_set())),
        ]

    def start(self) -> None:
        """Publishing first (so nothing waits on it), then the work, then the API."""
        self.relay.start()
        self.app.index_feed.start()   # keeps the SQL index warm; queries also catch it up
        self.expiry.start()
        self.consumer.start()
        self.grpc.start()
        self.grpc.set_serving(True)

    def stop(self) -> None:
        """Stop taking requests and stream work, then drain the relay, then close stores."""
        self.grpc.stop(grace=5)
        self.consumer.stop(timeout=15)
        self.expiry.stop()
        self.relay.stop(timeout=15)
        self.app.close()
        self.db.close()


def run(settings: Settings) -> None:
    serve_until_signalled("supplier", SupplierService(settings), settings)
