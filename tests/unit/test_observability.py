"""Logs a shipper can read, and tracing that stays off until the environment asks."""

from __future__ import annotations

import json
import logging

import pytest
from opentelemetry.sdk.trace import TracerProvider

from madoguchi.config import load_settings
from madoguchi.observability import tracing
from madoguchi.observability.logs import JsonLines


def record(message: str, *args: object, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("boom")
        except ValueError:
            import sys
            exc_info = sys.exc_info()
    return logging.LogRecord("madoguchi.intake", logging.WARNING, __file__, 1, message, args,
                             exc_info)


def test_a_json_line_has_time_level_logger_and_the_message_in_utf8() -> None:
    line = json.loads(JsonLines().format(record("受付 %s", "山田")))
    assert line["level"] == "WARNING" and line["logger"] == "madoguchi.intake"
    assert line["message"] == "受付 山田"
    assert line["time"].endswith("Z")
    assert "trace_id" not in line     # no span: no ids


def test_a_json_line_carries_the_trace_and_span_of_the_work_it_was_written_in() -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("work") as span:
        line = json.loads(JsonLines().format(record("inside")))
    context = span.get_span_context()
    assert line["trace_id"] == format(context.trace_id, "032x")
    assert line["span_id"] == format(context.span_id, "016x")


def test_an_exception_is_kept_in_its_line() -> None:
    line = json.loads(JsonLines().format(record("failed", exc=True)))
    assert "ValueError: boom" in line["exception"]


def test_the_log_format_is_text_or_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MADOGUCHI_LOG_FORMAT", "json")
    assert load_settings().log_format == "json"
    monkeypatch.setenv("MADOGUCHI_LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="MADOGUCHI_LOG_FORMAT"):
        load_settings()


@pytest.mark.parametrize("env", [
    {},                                                       # nothing asked: off
    {"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x:4318"},
    {"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x:4318"},
])
def test_tracing_stays_off_unless_the_environment_asks(env: dict[str, str]) -> None:
    assert tracing.configure("madoguchi-test", env) is False
    assert not tracing.enabled()
    assert tracing.stored_trace(__import__("uuid").uuid4()) == ""


def test_a_traceparent_reads_back_as_its_context_and_garbage_as_none() -> None:
    value = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    context = tracing.context_from(value)
    assert context is not None and tracing.traceparent(context) == value
    assert tracing.context_from("not-a-traceparent") is None
    assert tracing.header_value([("event_type", b"X"), ("traceparent", value.encode())]) == value
