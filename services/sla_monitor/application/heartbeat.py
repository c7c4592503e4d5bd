"""The monitor watches itself: a heartbeat for the outside, an alert when it goes blind.

The monitor is the alarm, and an alarm that goes quiet without telling anyone is worse
than none. Two mechanisms, like Alertmanager's always-firing Watchdog:

* **heartbeat** (a dead man's switch): every ``interval`` seconds, whatever its state,
  the instance publishes an ``SlaMonitorHeartbeat`` on the signals topic and sends one
  to the on-call set-up's heartbeat receiver (webhook, e-mail). Whoever watches it pages
  when heartbeats stop: the monitor, its host or its way out is gone;
* **monitor blind**: a consumer that cannot follow its stream for longer than its limit
  (``ConsumerLimits``) raises a ``MonitorAlert`` through on-call, resolved once the
  consumer has seen again for ``settle`` seconds (a rejoin right after a reconnect does
  not page twice). The event store keeps working while the broker is away, and the
  alert reaches people by webhook or e-mail, not through Kafka.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from madoguchi.background import BackgroundThread
from services.sla_monitor.application.app import SlaMonitorApplication
from services.sla_monitor.application.monitor_config import MonitorConfig
from services.sla_monitor.domain.monitor_alert import MonitorAlert

log = logging.getLogger(__name__)
HEARTBEAT_TEAM = "heartbeat"   # the deliveries' team column for heartbeats


class Deliveries(Protocol):
    """Where a heartbeat notification is queued (the alert store's delivery table)."""

    def queue_heartbeat(self, delivery_id: str, channel: str, address: str, title: str,
                        text: str, payload: dict[str, Any], now: float) -> None: ...


def instance_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class MonitorWatchdog(BackgroundThread):
    def __init__(self, app: SlaMonitorApplication, config: MonitorConfig, *,
                 consumers: Callable[[], list[Any]], counts: Callable[[], tuple[int, int]],
                 publish: Callable[[dict[str, Any]], None], deliveries: Deliveries,
                 interval: float = 60.0, email_enabled: bool = False,
                 clock: Callable[[], datetime] | None = None, check_every: float = 1.0,
                 channels: tuple[str, str] = ("WEBHOOK", "EMAIL")) -> None:
        super().__init__("sla-watchdog")
        self.app = app
        self.config = config
        self.consumers = consumers
        self.counts = counts            # (open clocks, held timers)
        self.publish = publish
        self.deliveries = deliveries
        self.interval = interval
        self.email_enabled = email_enabled
        self.clock = clock or (lambda: datetime.now(UTC))
        self.check_every = check_every
        self.webhook, self.email = channels
        self.instance = instance_id()
        self.run_id = uuid.uuid4()
        self.beats = 0
        self.open_alerts: dict[str, MonitorAlert] = {}   # consumer name -> its alert
        self._healthy_since: dict[str, datetime] = {}
        self.settle = 5.0   # seconds a blind consumer must see again before it is resolved
        self._next_beat = 0.0

    def _run(self) -> None:
        while not self.stopping:
            try:
                self.step()
            except Exception:
                log.exception("watchdog step failed")
            self.idle(self.check_every)

    def step(self) -> None:
        statuses = self.consumers()
        self.watch(statuses)
        now = self.clock().timestamp()
        if self.interval > 0 and now >= self._next_beat:
            self._next_beat = now + self.interval
            self.beat(statuses)

    # ----- monitor blind -----

    def watch(self, statuses: list[Any]) -> None:
        """Raise an alert for each consumer that turned blind, resolve the healed ones."""
        now = self.clock()
        for status in statuses:
            alert = self.open_alerts.get(status.name)
            if not status.healthy:
                self._healthy_since.pop(status.name, None)
                if alert is None:
                    self._raise(status, now)
                continue
            since = self._healthy_since.setdefault(status.name, now)
            if alert is not None and (now - since).total_seconds() >= self.settle:
                alert.resolve(now)
                self.app.save(alert)
                del self.open_alerts[status.name]
                log.info("monitor alert resolved: %s sees again", status.name)

    def _raise(self, status: Any, now: datetime) -> None:
        since = datetime.fromtimestamp(now.timestamp() - status.state_seconds, UTC)
        if status.state == "ASSIGNED":   # behind, not out of its group
            since = datetime.fromtimestamp(now.timestamp() - status.behind_seconds, UTC)
        alert = MonitorAlert.raise_blind(
            instance=self.instance, consumer=status.name, reason=status.reason,
            since=since, team=self.config.on_call.default_team, at=now)
        self.app.record_once([alert])
        self.open_alerts[status.name] = alert
        log.error("monitor blind: %s %s; on-call team %r is told", status.name, status.reason,
                  alert.team or "(none)")

    # ----- heartbeat -----

    def beat(self, statuses: list[Any]) -> dict[str, Any]:
        self.beats += 1
        now = self.clock()
        blind = [s for s in statuses if not s.healthy]
        open_clocks, held = self.counts()
        record = {
            "event_id": uuid.uuid5(self.run_id, str(self.beats)),
            "aggregate_id": self.run_id, "aggregate_version": self.beats,
            "recorded_at": now, "occurred_at": now, "actor": "sla-monitor",
            "correlation_id": "", "instance": self.instance,
            "status": "BLIND" if blind else "OK",
            "reason": "; ".join(f"{s.name}: {s.reason}" for s in blind),
            "interval_seconds": round(self.interval),
            "partitions": sum(len(s.partitions) for s in statuses),
            "open_clocks": open_clocks, "held_timers": held,
        }
        try:
            self.publish(record)
        except Exception as error:
            log.warning("heartbeat not published to Kafka: %s", error)
        self._notify(record, now)
        return record

    def _notify(self, record: dict[str, Any], now: datetime) -> None:
        receiver = self.config.on_call.heartbeat
        payload = {"kind": "heartbeat", "instance": record["instance"],
                   "status": record["status"], "reason": record["reason"],
                   "at": now.isoformat(), "interval_seconds": record["interval_seconds"],
                   "open_clocks": record["open_clocks"], "held_timers": record["held_timers"]}
        title = f"[Madoguchi] SLA monitor heartbeat {record['status']} ({self.instance})"
        text = json.dumps(payload, ensure_ascii=False, indent=1) + "\n"
        targets = [(self.webhook, receiver.webhook_url)]
        if self.email_enabled:
            targets.append((self.email, receiver.email))
        for channel, address in targets:
            if address:
                self.deliveries.queue_heartbeat(
                    f"heartbeat/{self.run_id}/{self.beats}/{channel}", channel, address,
                    title, text, payload, now.timestamp())
