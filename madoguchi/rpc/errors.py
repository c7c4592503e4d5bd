"""Map domain errors to gRPC statuses with ``google.rpc`` details (via ``grpcio-status``).

A caller's mistake never becomes INTERNAL: invalid fields give INVALID_ARGUMENT with a
``google.rpc.BadRequest`` listing each field; unknown ids NOT_FOUND; forbidden transitions
FAILED_PRECONDITION; stale versions ABORTED; a reused idempotency key ALREADY_EXISTS.
A database that is down or locked is UNAVAILABLE, which clients retry.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from madoguchi.errors import (
    IdempotencyKeyReused,
    InvalidField,
    NotFound,
    TransitionNotAllowed,
    Unauthenticated,
    VersionConflict,
)

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def invalid_argument(violations: list[tuple[str, str]]) -> status_pb2.Status:
    bad_request = error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=f, description=d)
            for f, d in violations
        ]
    )
    detail = any_pb2.Any()
    detail.Pack(bad_request)
    message = "invalid argument: " + "; ".join(f"{f} {d}" for f, d in violations)
    return status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=message, details=[detail])


def _status(code: int, message: str) -> status_pb2.Status:
    return status_pb2.Status(code=code, message=message)


def _store_unavailable(error: Exception) -> bool:
    """A database that is down, locked or timing out: the caller should retry later."""
    import sqlite3

    from eventsourcing.persistence import InterfaceError, OperationalError

    if isinstance(error, InterfaceError | OperationalError | sqlite3.OperationalError):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(error, psycopg.OperationalError | psycopg.InterfaceError)


def status_for(error: Exception) -> status_pb2.Status | None:
    if _store_unavailable(error):
        return _status(code_pb2.UNAVAILABLE,
                       "the store is temporarily unavailable; retry (with the same "
                       "idempotency key)")
    if isinstance(error, InvalidField):
        return invalid_argument(error.violations)
    if isinstance(error, NotFound):
        return _status(code_pb2.NOT_FOUND, str(error))
    if isinstance(error, TransitionNotAllowed):
        return _status(code_pb2.FAILED_PRECONDITION, str(error))
    if isinstance(error, VersionConflict):
        return _status(code_pb2.ABORTED, str(error))
    if isinstance(error, IdempotencyKeyReused):
        return _status(code_pb2.ALREADY_EXISTS, str(error))
    if isinstance(error, Unauthenticated):
        return _status(code_pb2.UNAUTHENTICATED, str(error))
    return None


def translate_errors(method: F) -> F:
    """Decorate a servicer method so domain errors leave as the right gRPC status."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return method(self, request, context)
        except Exception as error:
            status = status_for(error)
            if status is None:
                log.exception("unexpected error in %s", method.__name__)
                context.abort_with_status(rpc_status.to_status(
                    _status(code_pb2.INTERNAL, "internal error; see the server log")))
            context.abort_with_status(rpc_status.to_status(status))

    return wrapper  # type: ignore[return-value]
