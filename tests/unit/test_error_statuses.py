"""Each error kind leaves the service as one documented gRPC status."""

from __future__ import annotations

import sqlite3

import pytest
from eventsourcing.persistence import OperationalError
from google.rpc import code_pb2, error_details_pb2

from madoguchi.errors import (
    IdempotencyKeyReused,
    InvalidField,
    NotFound,
    TransitionNotAllowed,
    VersionConflict,
)
from madoguchi.rpc.errors import status_for


@pytest.mark.parametrize(("error", "code"), [
    (InvalidField([("subject", "is required")]), code_pb2.INVALID_ARGUMENT),
    (NotFound("x"), code_pb2.NOT_FOUND),
    (TransitionNotAllowed("x"), code_pb2.FAILED_PRECONDITION),
    (VersionConflict("x"), code_pb2.ABORTED),
    (IdempotencyKeyReused("x"), code_pb2.ALREADY_EXISTS),
    (OperationalError("server closed the connection"), code_pb2.UNAVAILABLE),
    (sqlite3.OperationalError("database is locked"), code_pb2.UNAVAILABLE),
])
def test_error_kind_to_status(error: Exception, code: int) -> None:
    status = status_for(error)
    assert status is not None and status.code == code


def test_invalid_field_carries_bad_request_details() -> None:
    status = status_for(InvalidField([("contact.email", "must be an e-mail address"),
                                      ("subject", "is required")]))
    assert status is not None
    bad_request = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad_request)
    assert [v.field for v in bad_request.field_violations] == ["contact.email", "subject"]
    assert "contact.email" in status.message


def test_a_programming_error_is_not_mapped() -> None:
    assert status_for(KeyError("bug")) is None  # becomes INTERNAL, and is logged
