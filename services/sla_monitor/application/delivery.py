"""Send queued notifications over one channel, retrying with backoff; never drop one.

One worker per channel, so a webhook that hangs does not hold up e-mail. A delivery is
claimed with a lease; a crash leaves the claim to expire and another attempt follows.
Only a permanent refusal, or running out of attempts, marks a delivery FAILED, and then
it stays in the table, visible, with its last error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from madoguchi.background import BackgroundThread
from madoguchi.retry import backoff_seconds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    notification_key: str
    channel: str
    address: str
    subject: str
    body: str
    payload: dict[str, Any]
    attempts: int


class DeliveryError(Exception):
    """A message was not delivered; ``retryable`` says whether trying later can help."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status              # HTTP status or SMTP reply code, if there was one
        self.retry_after = retry_after    # seconds the receiver asked us to wait, if it did


class DeliveryQueue(Protocol):
    """The queued deliveries a worker claims and settles (the alert store)."""

    def claim(self, channel: str, now: float, lease_seconds: float, limit: int = 10
              ) -> list[Delivery]: ...

    def mark_sent(self, delivery_id: str, now: float) -> None: ...

    def mark_failed(self, delivery_id: str, error: str, retry_at: float | None) -> None: ...



class DeliveryWorker(BackgroundThread):
    def __init__(self, store: DeliveryQueue, channel: str, send: Callable[[Delivery], None], *,
                 max_attempts: int = 12, lease_seconds: float = 120.0,
                 poll_seconds: float = 0.5, backoff_base: float = 2.0,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(f"sla-send-{channel}")
        self.store = store
        self.channel = channel
        self.send = send
        self.max_attempts = max_attempts
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.backoff_base = backoff_base
        self.clock = clock or (lambda: datetime.now(UTC))
        self.sent = 0
        self.failed_attempts = 0

    def _run(self) -> None:
        while not self.stopping:
            try:
                if self.run_once():
                    continue
            except Exception:
                log.exception("%s deliveries: step failed", self.channel)
            self.idle(self.poll_seconds)

    def run_once(self) -> int:
        """Attempt every due delivery of this channel once; return how many were tried."""
        now = self.clock().timestamp()
        claimed = self.store.claim(self.channel, now, self.lease_seconds)
        for delivery in claimed:
            self._attempt(delivery)
        return len(claimed)

    def _attempt(self, delivery: Delivery) -> None:
        try:
            self.send(delivery)
        except Exception as error:
            self.failed_attempts += 1
            retryable = getattr(error, "retryable", True) if isinstance(
                error, DeliveryError) else True
            if not retryable or delivery.attempts >= self.max_attempts:
                log.error("%s to %s failed for good after %d attempt(s): %s", self.channel,
                          delivery.address, delivery.attempts, error)
                self.store.mark_failed(delivery.delivery_id, str(error), None)
                return
            retry_at = self.clock().timestamp() + backoff_seconds(
                delivery.attempts, base=self.backoff_base)
            log.warning("%s to %s failed (attempt %d), retrying: %s", self.channel,
                        delivery.address, delivery.attempts, error)
            self.store.mark_failed(delivery.delivery_id, str(error), retry_at)
            return
        self.store.mark_sent(delivery.delivery_id, self.clock().timestamp())
        self.sent += 1
