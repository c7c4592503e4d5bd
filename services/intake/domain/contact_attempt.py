"""A telephony contact attempt (offered, answered, abandoned): the basis of the answer rate."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

ATTEMPT_NAMESPACE = UUID("0c9d5b7e-8e0a-4f6f-b1a4-3b0f7f5d2c44")


def attempt_id_for(idempotency_key: str) -> UUID:
    return uuid5(ATTEMPT_NAMESPACE, "attempt:" + idempotency_key)


class ContactAttempt(Aggregate):
    """One call attempt reported by the telephony system; never changes once recorded."""

    class Recorded(Aggregate.Created):
        idempotency_key: str
        request_fingerprint: str
        outcome: str
        queue: str
        wait_seconds: int
        attempted_at: datetime
        inquiry_id: str
        call_id: str
        correlation_id: str

    def __init__(self, *, idempotency_key: str, request_fingerprint: str, outcome: str,
                 queue: str, wait_seconds: int, attempted_at: datetime, inquiry_id: str,
                 call_id: str, correlation_id: str) -> None:
        self.idempotency_key = idempotency_key
        self.request_fingerprint = request_fingerprint
        self.outcome = outcome
        self.queue = queue
        self.wait_seconds = wait_seconds
        self.attempted_at = attempted_at
        self.inquiry_id = inquiry_id
        self.call_id = call_id
        self.correlation_id = correlation_id

    @classmethod
    def record(cls, *, attempt_id: UUID, **fields: object) -> ContactAttempt:
        return cls._create(cls.Recorded, id=attempt_id, **fields)
