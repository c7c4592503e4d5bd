"""Run the projections service: topics into read models, gRPC queries, dead letters.

The service serves the ACTIVE generation of the read models. When a rebuild
(``madoguchi projections rebuild``) activates a new one, a watcher notices within a
second; queries switch at once, and the consumer, staying in its group, continues the
new generation from that generation's stored offsets at its next poll.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from madoguchi.api.projections.v1 import projections_pb2, projections_pb2_grpc
from madoguchi.config import Settings
from madoguchi.eventstream.consumer import PartitionConsumer
from madoguchi.rpc.process import serve_until_signalled
from madoguchi.rpc.server import GrpcServer
from madoguchi.storage.offsets import ConsumerOffsets
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from services.projections.adapters import query_api
from services.projections.adapters.dead_letters import DeadLetterPublisher, DeadLetters
from services.projections.adapters.generations import Generation, Generations
from services.projections.adapters.grpc_api import InquiryQueryServicer
from services.projections.adapters.read_models.read_model_set import ReadModelSet
from services.projections.adapters.topic_reader import TopicReader
from services.projections.application.ports import RebuildParts
from services.projections.application.projector import Projector
from services.projections.application.rebuild import RebuildResult, rebuild

GROUP_ID = "madoguchi-projections"
log = logging.getLogger("madoguchi.projections")


def projection_topics(settings: Settings) -> list[str]:
    """Every topic the read models are built from."""
    t = settings.topics
    return [t.inquiries, t.contact_attempts, t.sla_signals, t.sla_agreements,
            t.supplier_engagements, t.supplier_registry]


def rebuild_projections(settings: Settings, **options: Any) -> RebuildResult:
    """``rebuild`` over the configured database and topics (``madoguchi projections
    rebuild``); ``options`` as ``rebuild`` takes them."""
    db = SqlDatabase(parse_database_url(settings.database_urls["projections"]))
    parts = RebuildParts(
        db=db, generations=Generations(db), dead_letters=DeadLetters(db),
        read_models=lambda number: ReadModelSet(db, number, settings.reporting_time_zone),
        offsets=lambda consumer: ConsumerOffsets(db, consumer),
        open_reader=lambda client_id: TopicReader(
            settings.bootstrap(), projection_topics(settings), client_id=client_id,
            partitions=settings.topic_partitions,
            replication_factor=settings.topic_replication_factor,
            fetch_max_wait_ms=settings.fetch_max_wait_ms))
    return rebuild(parts, **options)


def live_generation(db: SqlDatabase, generations: Generations, zone: str) -> Generation:
    """The active generation; on a fresh database the first one, empty and active.

    Replicas starting together on a fresh database may both get here: the activation
    only takes effect while no generation is active, so one of them wins and the other
    serves the winner (its own empty generation is dropped).
    """
    active = generations.active()
    if active is None:
        first = generations.create("first start")
        models = ReadModelSet(db, first.number, zone)
        with db.transaction() as cur:
            won = generations.activate_first(cur, first.number, models.views())
        if not won:
            generations.forget(first.number)
        active = generations.active()
        assert active is not None
    return active


class ProjectionsService:
    def __init__(self, settings: Settings, *, address: str | None = None,
                 group_id: str = GROUP_ID, name: str = "projections-consumer",
                 watch_interval: float = 1.0) -> None:
        self.settings = settings
        self.group_id = group_id
        self.name = name
        self.watch_interval = watch_interval
        self.db = SqlDatabase(parse_database_url(settings.database_urls["projections"]))
        self.generations = Generations(self.db)
        self.dead_letters = DeadLetters(self.db)
        self.publisher = DeadLetterPublisher(
            self.dead_letters, bootstrap=settings.bootstrap(),
            topic=settings.topics.projections_dead_letters)
        self._switching = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._use(live_generation(self.db, self.generations, settings.reporting_time_zone))
        names = [projections_pb2.DESCRIPTOR.services_by_name["InquiryQueryService"].full_name,
                 query_api.SERVICE_FULL_NAME]
        self.grpc = GrpcServer(address or settings.address("projections"), names, self._register,
                               consumers=lambda: [self.consumer], name="projections")

    def _projector(self, generation: Generation) -> Projector:
        models = ReadModelSet(self.db, generation.number, self.settings.reporting_time_zone)
        projector = Projector(models, ConsumerOffsets(self.db, generation.consumer),
                              self.dead_letters)
        projector.on_dead_letter = self.publisher.wake
        return projector

    def _use(self, generation: Generation) -> None:
        """Build the projector and consumer for ``generation`` (not started)."""
        self.generation = generation
        self.projector = self._projector(generation)
        self.models = self.projector.models
        self.consumer = PartitionConsumer(
            self.projector, bootstrap=self.settings.bootstrap(), group_id=self.group_id,
            topics=projection_topics(self.settings), name=self.name,
            fetch_max_wait_ms=self.settings.fetch_max_wait_ms,
            limits=self.settings.consumer_limits, partitions=self.settings.topic_partitions,
            replication_factor=self.settings.topic_replication_factor,
        )

    def _register(self, server: object) -> None:
        projections_pb2_grpc.add_InquiryQueryServiceServicer_to_server(
            InquiryQueryServicer(lambda: self.models.inquiries), server)
        query_api.add_to_server(server, query_api.ReadModelQueryServicer(
            lambda: self.models.queries()))

    def metrics(self) -> list[tuple[str, str, Callable[[], float]]]:
        return [
            ("madoguchi_projection_applied_total", "messages that changed a read model "
             "(this generation, since start)", lambda: self.projector.applied),
            ("madoguchi_projection_duplicates_total",
             "messages already applied (redelivered or replayed)",
             lambda: self.projector.duplicates),
            ("madoguchi_projection_dead_letters_total",
             "messages set aside as dead letters (undecodable or unappliable)",
             lambda: self.projector.dead),
            ("madoguchi_projection_dead_letters_unpublished",
             "dead letters not yet on the dead-letter topic",
             lambda: self.dead_letters.count(published=False)),
            ("madoguchi_projection_generation", "the read-model generation served",
             lambda: self.generation.number),
            ("madoguchi_projection_assigned", "1 while this instance holds partitions",
             lambda: int(self.consumer.assigned.is_set())),
        ]

    def start(self) -> None:
        self.consumer.start()
        self.publisher.start()
        self.grpc.start()
        self.grpc.set_serving(True)
        self._watcher = threading.Thread(target=self._watch, name="projections-generations",
                                         daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        """Follow the active generation: a finished rebuild takes over without a restart."""
        while not self._stop.wait(self.watch_interval):
            try:
                active = self.generations.active()
                if active is not None and active.number != self.generation.number:
                    self.switch_to(active)
            except Exception as error:   # the database may be away for a moment
                log.warning("checking the active generation: %s", error)

    def switch_to(self, generation: Generation) -> None:
        """Serve ``generation``: queries at once, the consumer from its next poll on."""
        with self._switching:
            if self._stop.is_set() or generation.number == self.generation.number:
                return
            log.info("switching from read-model generation %d to %d",
                     self.generation.number, generation.number)
            projector = self._projector(generation)
            self.consumer.replace_handler(projector)
            self.projector, self.models = projector, projector.models
            self.generation = generation

    def stop(self) -> None:
        self._stop.set()
        self.grpc.stop(grace=5)
        with self._switching:
            self.consumer.stop(timeout=15)
        if self._watcher is not None:
            self._watcher.join(5)
        self.publisher.stop()
        self.db.close()


def run(settings: Settings) -> None:
    serve_until_signalled("projections", ProjectionsService(settings), settings)
