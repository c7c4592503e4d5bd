"""One server interceptor for every unary call: safe request parsing and metrics.

grpcio answers a request it cannot deserialize (e.g. invalid UTF-8 in a string field)
with a bare UNKNOWN/INTERNAL. Here the handler receives raw bytes and the request is
parsed inside the call, so a malformed message is INVALID_ARGUMENT like any other
caller mistake. Every call is counted and timed by method and status code.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import grpc
from google.protobuf.message import DecodeError

from madoguchi.rpc.metrics import GRPC_HANDLED, GRPC_LATENCY


class CallGuard(grpc.ServerInterceptor):
    def intercept_service(self, continuation: Callable[[Any], Any],
                          handler_call_details: grpc.HandlerCallDetails) -> Any:
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        service, _, method = handler_call_details.method.lstrip("/").rpartition("/")
        inner = handler.unary_unary
        deserialize = handler.request_deserializer

        def guarded(raw: bytes, context: grpc.ServicerContext) -> Any:
            started = time.perf_counter()
            code = "OK"
            try:
                try:
                    request = deserialize(raw) if deserialize else raw
                except (DecodeError, UnicodeDecodeError, ValueError) as error:
                    code = "INVALID_ARGUMENT"
                    context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                                  f"request is not a valid {method} message: {error}")
                return inner(request, context)
            except Exception:
                code = context.code().name if context.code() else "UNKNOWN"
                raise
            finally:
                GRPC_LATENCY.labels(service, method).observe(time.perf_counter() - started)
                GRPC_HANDLED.labels(service, method, code).inc()

        return grpc.unary_unary_rpc_method_handler(
            guarded, request_deserializer=None,
            response_serializer=handler.response_serializer)
