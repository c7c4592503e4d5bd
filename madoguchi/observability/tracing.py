"""OpenTelemetry tracing: a span per gRPC call, the W3C ``traceparent`` in every Kafka
message's headers, and consumer spans that continue the producer's trace.

Off by default: nothing is created or exported until a process is configured with the
standard variables — ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``…_TRACES_ENDPOINT``, or
``OTEL_TRACES_EXPORTER=otlp|console``), honouring ``OTEL_SDK_DISABLED``,
``OTEL_SERVICE_NAME`` and the rest that the SDK and the OTLP exporter read themselves.

An event is published long after the request that caused it, by the outbox relay in
another thread, so the request's trace context travels with the stored event
(``trace_context``, written by ``outbox_mapper.TraceCarryingMapper``; it is not part of
the published Avro record) and the relay puts it in the message's headers.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from typing import Any
from uuid import UUID

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACE_ATTRIBUTE = "trace_context"    # on stored events: the traceparent they were saved under
HEADER = "traceparent"
_propagator = TraceContextTextMapPropagator()
_enabled = False
_overrides: contextvars.ContextVar[Mapping[UUID, str] | None] = contextvars.ContextVar(
    "madoguchi_trace_overrides", default=None)


def configure(service_name: str, env: Mapping[str, str] | None = None) -> bool:
    """Install the SDK with an OTLP (or console) exporter if the environment asks for
    one; return whether tracing is on. Called once per process, before servers start."""
    env = os.environ if env is None else env
    if env.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    exporter_name = env.get("OTEL_TRACES_EXPORTER", "").lower()
    wanted = exporter_name in ("otlp", "console") or bool(
        env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
    if not wanted or exporter_name == "none":
        return False
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    exporter: Any
    if exporter_name == "console":
        exporter = ConsoleSpanExporter()
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()   # reads the OTEL_EXPORTER_OTLP_* variables itself
    install(BatchSpanProcessor(exporter), env.get("OTEL_SERVICE_NAME") or service_name)
    return True


def install(processor: Any, service_name: str = "madoguchi") -> None:
    """Switch tracing on with this span processor (tests pass one with an in-memory
    exporter). The SDK's provider is global and set once; later calls add processors."""
    global _enabled
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
        trace.set_tracer_provider(provider)
    provider.add_span_processor(processor)
    _enabled = True


def disable() -> None:
    """Stop creating spans and carrying contexts (tests; the SDK stays installed)."""
    global _enabled
    _enabled = False


def enabled() -> bool:
    return _enabled


def tracer() -> trace.Tracer:
    return trace.get_tracer("madoguchi")


def traceparent(ctx: otel_context.Context | None = None) -> str:
    """The W3C traceparent of ``ctx`` (default: the current one); empty if it has no span."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier, context=ctx)
    return carrier.get(HEADER, "")


def context_from(value: str) -> otel_context.Context | None:
    """The context a traceparent names; None for none (or one that does not parse)."""
    if not value:
        return None
    ctx = _propagator.extract({HEADER: value})
    return ctx if trace.get_current_span(ctx).get_span_context().is_valid else None


def header_value(headers: Any) -> str:
    """The traceparent among a Kafka message's headers ((name, bytes) pairs), or empty."""
    for name, value in headers or ():
        if name == HEADER and value:
            return bytes(value).decode("ascii", "replace")
    return ""


def stored_trace(event_id: UUID) -> str:
    """The traceparent to store with an event of ``event_id``'s aggregate: one given for
    it (``traces_for``), else the current span's; empty when tracing is off."""
    if not _enabled:
        return ""
    given = _overrides.get()
    return (given.get(event_id, "") if given else "") or traceparent()


@contextmanager
def traces_for(mapping: Mapping[UUID, str]) -> Iterator[None]:
    """Store these aggregates' new events under these traceparents (work done later on
    behalf of a traced request, such as a breach raised by a timer)."""
    token = _overrides.set(mapping)
    try:
        yield
    finally:
        _overrides.reset(token)


def record_span(topic: str, message: Any, operation: str = "process") -> Any:
    """A CONSUMER span for one message, continuing the trace in its headers (a context
    manager; one that does nothing while tracing is off, at no cost per message)."""
    if not _enabled:
        return _NOTHING
    return _record_span(topic, message, operation)


_NOTHING = nullcontext()


@contextmanager
def _record_span(topic: str, message: Any, operation: str) -> Iterator[None]:
    parent = context_from(header_value(getattr(message, "headers", None)))
    attributes = {"messaging.system": "kafka", "messaging.destination.name": topic,
                  "messaging.operation.type": operation,
                  "messaging.kafka.offset": int(getattr(message, "offset", -1))}
    partition = getattr(message, "partition", None)
    if partition is not None:
        attributes["messaging.destination.partition.id"] = str(partition)
    with tracer().start_as_current_span(f"{operation} {topic}", context=parent,
                                        kind=SpanKind.CONSUMER, attributes=attributes):
        yield


def publish_span(topic: str, stored: str) -> Any:
    """A PRODUCER span for publishing one stored event (ended by the caller), child of
    the trace it was stored under; None when tracing is off or the event has none."""
    if not _enabled or not stored:
        return None
    return tracer().start_span(f"publish {topic}", context=context_from(stored),
                               kind=SpanKind.PRODUCER,
                               attributes={"messaging.system": "kafka",
                                           "messaging.destination.name": topic,
                                           "messaging.operation.type": "publish"})


def span_traceparent(span: Any) -> str:
    return traceparent(trace.set_span_in_context(span))


def follow_up_span(name: str, stored: str, links: tuple[str, ...] = ()) -> Any:
    """A span (ended by the caller) for work done later on behalf of a trace, such as a
    breach raised by a timer; None when tracing is off or there is no trace."""
    if not _enabled or not stored:
        return None
    linked = [Link(trace.get_current_span(c).get_span_context())
              for c in (context_from(t) for t in links) if c is not None]
    return tracer().start_span(name, context=context_from(stored), links=linked)


def grpc_server_interceptors() -> list[Any]:
    """The OpenTelemetry server interceptor while tracing is on (a span per call)."""
    if not _enabled:
        return []
    from opentelemetry.instrumentation.grpc import server_interceptor

    return [server_interceptor()]


def traced_channel(channel: Any) -> Any:
    """``channel`` whose unary calls are client spans while tracing is on.

    Streaming calls stay untraced on the client (the server still traces them): the
    instrumentation turns a stream into a bare generator, and the watch console must
    be able to cancel its stream.
    """
    if not _enabled:
        return channel
    from opentelemetry.instrumentation.grpc import client_interceptor, grpcext

    return _UnaryTraced(channel, grpcext.intercept_channel(channel, client_interceptor()))


class _UnaryTraced:
    """A channel: unary calls through the traced one, everything else the plain one."""

    def __init__(self, plain: Any, traced: Any) -> None:
        self._plain = plain
        self._traced = traced

    def unary_unary(self, *args: Any, **kwargs: Any) -> Any:
        return self._traced.unary_unary(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._plain, name)

    def __enter__(self) -> _UnaryTraced:
        return self

    def __exit__(self, *exc: object) -> None:
        self._plain.close()
