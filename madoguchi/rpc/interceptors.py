"""One server interceptor for every call, unary or streaming: safe parsing and metrics.

grpcio answers a request it cannot deserialize (e.g. invalid UTF-8 in a string field)
with a bare UNKNOWN/INTERNAL. Here the handler receives raw bytes and the request is
parsed inside the call, so a malformed message is INVALID_ARGUMENT like any other
caller mistake — for a server-streaming call (``WatchAlerts``) as for a unary one.
Every call is counted and timed by method and status code (a stream when it ends).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc
from google.protobuf.message import DecodeError

from madoguchi.rpc.metrics import GRPC_HANDLED, GRPC_LATENCY


class CallGuard(grpc.ServerInterceptor):
    def intercept_service(self, continuation: Callable[[Any], Any],
                          handler_call_details: grpc.HandlerCallDetails) -> Any:
        handler = continuation(handler_call_details)
        if handler is None or (handler.unary_unary is None and handler.unary_stream is None):
            return handler
        service, _, method = handler_call_details.method.lstrip("/").rpartition("/")
        call = _Call(service, method, handler.request_deserializer)
        if handler.unary_unary is not None:
            inner = handler.unary_unary

            def guarded(raw: bytes, context: grpc.ServicerContext) -> Any:
                with call.measured(context):
                    return inner(call.parse(raw, context), context)

            return grpc.unary_unary_rpc_method_handler(
                guarded, request_deserializer=None,
                response_serializer=handler.response_serializer)
        inner_stream = handler.unary_stream

        def guarded_stream(raw: bytes, context: grpc.ServicerContext) -> Iterator[Any]:
            with call.measured(context):
                yield from inner_stream(call.parse(raw, context), context)

        return grpc.unary_stream_rpc_method_handler(
            guarded_stream, request_deserializer=None,
            response_serializer=handler.response_serializer)


class _Call:
    """One method's parsing and accounting."""

    def __init__(self, service: str, method: str,
                 deserialize: Callable[[bytes], Any] | None) -> None:
        self.service = service
        self.method = method
        self.deserialize = deserialize

    def parse(self, raw: bytes, context: grpc.ServicerContext) -> Any:
        try:
            return self.deserialize(raw) if self.deserialize else raw
        except (DecodeError, UnicodeDecodeError, ValueError) as error:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                          f"request is not a valid {self.method} message: {error}")

    def measured(self, context: grpc.ServicerContext) -> _Measured:
        return _Measured(self, context)


class _Measured:
    """Times the call and counts it under the status it ended with."""

    def __init__(self, call: _Call, context: grpc.ServicerContext) -> None:
        self.call = call
        self.context = context
        self.started = time.perf_counter()

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        code = "OK"
        if kind is GeneratorExit:
            code = "CANCELLED"          # the client went away mid-stream
        elif kind is not None:
            code = self.context.code().name if self.context.code() else "UNKNOWN"
        call = self.call
        GRPC_LATENCY.labels(call.service, call.method).observe(
            time.perf_counter() - self.started)
        GRPC_HANDLED.labels(call.service, call.method, code).inc()
