"""One inquiry, one trace: from the upstream system's gRPC call into intake, through the
inquiries topic, to the SLA monitor's breach and to the projections' write.

The SDK's in-memory exporter collects what every part of this process exports; the
services run on the real broker and databases exactly as in production, with tracing
switched on as ``OTEL_EXPORTER_OTLP_ENDPOINT`` would switch it on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaConsumer
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from madoguchi.api.sla.v1 import sla_monitor_pb2 as spb
from madoguchi.eventstream.avro import default_catalog
from madoguchi.observability import tracing
from tests.support.databases import database_urls
from tests.support.requests import receive_request
from tests.support.sla_support import SlaSystem
from tests.support.system import RunningSystem, eventually, make_settings

RECEIVE = "/madoguchi.intake.v1.IntakeService/ReceiveInquiry"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tracing.install(SimpleSpanProcessor(exporter))
    yield exporter
    tracing.disable()
    exporter.clear()


def settings_for(tmp_path: Path, broker, request: pytest.FixtureRequest) -> tuple[object, str]:
    suffix = uuid.uuid4().hex[:10]
    urls = database_urls("sqlite", tmp_path, request)
    return make_settings(tmp_path, broker.bootstrap, urls, suffix), suffix


def trace_of(exporter: InMemorySpanExporter, name: str, kind: SpanKind) -> int:
    found = [s for s in exporter.get_finished_spans() if s.name == name and s.kind == kind]
    assert found, f"no {kind.name} span {name}"
    return found[-1].context.trace_id


def in_trace(exporter: InMemorySpanExporter, trace_id: int) -> list:
    return [s for s in exporter.get_finished_spans() if s.context.trace_id == trace_id]


def headers_of(bootstrap: str, topic: str, event_type: str) -> dict[str, str]:
    """The headers of the first message of ``event_type`` on ``topic``."""
    catalog = default_catalog()
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             fetch_max_wait_ms=5, consumer_timeout_ms=2000)
    try:
        for message in consumer:
            if catalog.decode(message.value)[0] == event_type:
                return {k: v.decode() for k, v in message.headers}
    finally:
        consumer.close()
    raise AssertionError(f"no {event_type} on {topic}")


def test_one_trace_runs_from_the_call_into_intake_to_the_monitors_breach(
        spans: InMemorySpanExporter, broker, tmp_path: Path,
        request: pytest.FixtureRequest) -> None:
    settings, suffix = settings_for(tmp_path, broker, request)
    sla = SlaSystem(settings, group_id=f"sla-{suffix}")
    try:
        sla.start_monitor()
        sla.register()
        watch = sla.sla_stub.WatchAlerts(spb.WatchAlertsRequest(), timeout=60)
        inquiry = sla.receive(ago=50)
        assert any(item.kind == "BREACH" and item.inquiry_id == inquiry for item in watch)
        watch.cancel()
        topics = settings.topics

        # The upstream system's call is the root: intake's server span is its child.
        root = trace_of(spans, RECEIVE, SpanKind.CLIENT)
        assert trace_of(spans, RECEIVE, SpanKind.SERVER) == root
        # The relay published the stored event in the same trace, and the monitor read it
        # in that trace.
        assert trace_of(spans, f"publish {topics.inquiries}", SpanKind.PRODUCER) == root
        assert trace_of(spans, f"clock {topics.inquiries}", SpanKind.CONSUMER) == root

        def breach_traced() -> bool:
            return any(s.name == "sla Raised" for s in in_trace(spans, root))
        # The breach, raised by a timer a few seconds later, continues the inquiry's trace.
        eventually(breach_traced, timeout=10)
        # ... and so does the SlaBreached message on the signals topic.
        headers = eventually(lambda: headers_of(settings.bootstrap(), topics.sla_signals,
                                                "SlaBreached"), timeout=10)
        assert headers["traceparent"].split("-")[1] == format(root, "032x")
        # The inquiry's own message carries the trace too.
        received = headers_of(settings.bootstrap(), topics.inquiries, "InquiryReceived")
        assert received["traceparent"].split("-")[1] == format(root, "032x")
        # How an event was traced is not part of its history.
        history = sla.intake.app.history(inquiry)
        assert history and all(tracing.TRACE_ATTRIBUTE not in item.details for item in history)
    finally:
        sla.stop()


def test_the_projections_write_is_in_the_trace_of_the_call(
        spans: InMemorySpanExporter, broker, tmp_path: Path,
        request: pytest.FixtureRequest) -> None:
    settings, suffix = settings_for(tmp_path, broker, request)
    system = RunningSystem(settings, group_id=f"projections-{suffix}")
    try:
        system.start_projections()
        inquiry = system.intake_stub.ReceiveInquiry(receive_request()).inquiry.inquiry_id
        eventually(lambda: system.projections.models.inquiries.get(inquiry))
        root = trace_of(spans, RECEIVE, SpanKind.CLIENT)
        assert trace_of(spans, f"project {settings.topics.inquiries}",
                        SpanKind.CONSUMER) == root
    finally:
        system.stop()


def test_nothing_is_traced_or_carried_while_tracing_is_off(broker, tmp_path: Path,
                                                           request: pytest.FixtureRequest
                                                           ) -> None:
    tracing.disable()
    settings, suffix = settings_for(tmp_path, broker, request)
    system = RunningSystem(settings, group_id=f"projections-{suffix}")
    try:
        system.intake_stub.ReceiveInquiry(receive_request())
        headers = eventually(lambda: headers_of(settings.bootstrap(), settings.topics.inquiries,
                                                "InquiryReceived"), timeout=10)
        assert "traceparent" not in headers
    finally:
        system.stop()
