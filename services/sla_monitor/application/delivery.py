"""Send queued notifications over one channel, retrying with backoff; never drop one.

One worker per channel, so a webhook that hangs does not hold up e-mail. A delivery is
claimed with a lease; a crash leaves the claim to expire and another attempt follows.
Only a permanent refusal, or running out of attempts, marks a delivery FAILED, and then
it stays in the table, visible, with its last error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from madoguchi.background import BackgroundThread
from services.sla_monitor.adapters.alert_store import AlertStore, Delivery
from services.sla_monitor.adapters.webhook import DeliveryError, backoff_seconds

log = logging.getLogger(__name__)


class DeliveryWorker(BackgroundThread):
    def __init__(self, store: AlertStore, channel: str, send: Callable[[Delivery], None], *,
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
