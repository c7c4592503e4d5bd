"""From signals to people: index alerts, queue notifications, remind, escalate, watch.

The ``AlertFeed`` follows the monitor's own event log (like the relay does) and, per
batch, in one transaction with its position: indexes alerts for queries, and queues one
pending notification per recipient and channel. Pending notifications wait for their
group window, so a burst for one team becomes one message with a list. Reminders and
escalation steps are timers on the open alerts; each step is an event on the alert,
recorded once under optimistic concurrency, which then flows through the same feed.
Console watchers get every item the feed sees, live.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from madoguchi.background import BackgroundThread
from madoguchi.storage.sql import Cursor, SqlDatabase
from services.sla_monitor.application.app import SlaMonitorApplication
from services.sla_monitor.application.monitor_config import MonitorConfig, OnCall
from services.sla_monitor.domain.agreement import Agreement
from services.sla_monitor.domain.alert import Alert, ClockSignal
from services.sla_monitor.domain.directory import Directory
from services.sla_monitor.domain.monitor_alert import MonitorAlert
from services.sla_monitor.domain.oncall.notifications import Notification
from services.sla_monitor.domain.oncall.plain_data import alert_from_dict, alert_to_dict
from services.sla_monitor.domain.oncall.routing import AlertFacts
from services.sla_monitor.domain.oncall.teams import Team

log = logging.getLogger(__name__)
FEED_NAME = "alert-feed"
WEBHOOK = "WEBHOOK"
EMAIL = "EMAIL"


@dataclass(frozen=True)
class FeedItem:
    """One thing a console shows: a warning, breach, reminder, escalation, ack, stop…"""

    position: int
    kind: str            # WARNING BREACH REMINDER ESCALATION ACKNOWLEDGED RESOLVED STOPPED,
    #                      MONITOR_BLIND MONITOR_RECOVERED (the monitor about itself)
    alert_id: str        # the alert (or signal) aggregate id
    inquiry_id: str
    target: str
    cycle: int
    team: str
    at: datetime
    due_at: datetime | None = None
    percent: int = 0
    level: int = 0
    number: int = 0
    outcome: str = ""
    by: str = ""
    note: str = ""
    context: dict[str, str] = field(default_factory=dict)


def _epoch(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


class WatchHub:
    """Fan-out of feed items to live subscribers (gRPC console streams)."""

    def __init__(self, capacity: int = 10_000, max_subscribers: int = 16) -> None:
        self._subscribers: set[queue.Queue[FeedItem | None]] = set()
        self._lock = threading.Lock()
        self.capacity = capacity
        self.max_subscribers = max_subscribers   # each holds a gRPC worker thread

    def subscribe(self) -> queue.Queue[FeedItem | None] | None:
        """A new subscription, or None when too many consoles are watching already."""
        q: queue.Queue[FeedItem | None] = queue.Queue(self.capacity)
        with self._lock:
            if len(self._subscribers) >= self.max_subscribers:
                return None
            self._subscribers.add(q)
        return q

    def unsubscribe(self, q: queue.Queue[FeedItem | None]) -> None:
        with self._lock:
            self._subscribers.discard(q)

    def publish(self, items: list[FeedItem]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for q in subscribers:
            for item in items:
                try:
                    q.put_nowait(item)
                except queue.Full:
                    # A console that does not keep up is cut off; it resumes from its position.
                    self.unsubscribe(q)
                    q.queue.clear()
                    q.put_nowait(None)
                    break

    def close(self) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
            self._subscribers.clear()
        for q in subscribers:
            q.put(None)


class AlertRecords(Protocol):
    """What the feed needs stored: alerts, pending notifications, deliveries, its position."""

    db: SqlDatabase

    def position(self, name: str) -> int: ...

    def save_position(self, cur: Cursor, name: str, position: int) -> None: ...

    def upsert_alert(self, cur: Cursor, row: dict[str, Any]) -> None: ...

    def alert_row(self, alert_id: str) -> dict[str, Any] | None: ...

    def scheduled_alerts(self) -> list[tuple[str, float]]: ...

    def add_pending(self, cur: Cursor, pending_id: str, team: str, channel: str, address: str,
                    alert_id: str, facts: dict[str, Any], created_at: float) -> None: ...

    def oldest_pending(self) -> float | None: ...

    def ripe_groups(self, cutoff: float) -> list[tuple[str, str, str]]: ...

    def take_group(self, cur: Cursor, team: str, channel: str, address: str
                   ) -> list[tuple[str, dict[str, Any]]]: ...

    def add_delivery(self, cur: Cursor, delivery_id: str, key: str, team: str, channel: str,
                     address: str, subject: str, body: str, payload: dict[str, Any],
                     now: float) -> None: ...


class AlertFeed(BackgroundThread):
    def __init__(self, app: SlaMonitorApplication, store: AlertRecords, config: MonitorConfig,
                 *, group_window: float = 10.0, email_enabled: bool = False,
                 clock: Callable[[], datetime] | None = None, batch_size: int = 500,
                 on_config_change: Callable[[], None] | None = None) -> None:
        super().__init__("sla-alert-feed")
        self.app = app
        self.store = store
        self.config = config
        self.group_window = group_window
        self.email_enabled = email_enabled
        self.clock = clock or (lambda: datetime.now(UTC))
        self.batch_size = batch_size
        self.on_config_change = on_config_change
        self.hub = WatchHub()
        self._timers: list[tuple[float, int, str]] = []
        self._timer_due: dict[str, float] = {}
        self._seq = itertools.count()
        self.position = 0
        self.items_seen = 0
        self.notifications_grouped = 0

    # ----- lifecycle -----

    def start(self) -> None:
        self.position = self.store.position(FEED_NAME)
        for alert_id, when in self.store.scheduled_alerts():
            self._schedule(alert_id, when)
        super().start()

    def stop(self, timeout: float = 10.0) -> None:
        super().stop(timeout)
        self.hub.close()

    def _run(self) -> None:
        while not self.stopping:
            try:
                busy = self.follow()
                self.group_ripe()
                self.fire_alert_timers()
                if not busy:
                    self.idle(self._idle_wait())
            except Exception:
                log.exception("alert feed step failed; retrying")
                self._stop.wait(1.0)

    def _idle_wait(self) -> float:
        now = self.clock().timestamp()
        waits = [0.5]
        if self._timers:
            waits.append(self._timers[0][0] - now)
        oldest = self.store.oldest_pending()
        if oldest is not None:
            waits.append(oldest + self.group_window - now)
        return max(0.01, min(waits))

    # ----- following the event log -----

    def follow(self) -> int:
        """Index and queue one batch of new events; return how many were read."""
        notifications = self.app.recorder.select_notifications(
            start=self.position + 1, limit=self.batch_size)
        if not notifications:
            return 0
        items: list[FeedItem] = []
        rows: list[dict[str, Any]] = []
        schedule: list[tuple[str, float | None]] = []
        config_changed = False
        now = self.clock()
        on_call = self.config.on_call
        # Read the event store first, then write in one SQL transaction: on SQLite,
        # waiting for the event store while holding the write lock deadlocks.
        for n in notifications:
            event = self.app.mapper.to_domain_event(n)
            if isinstance(event, Agreement.Event | Directory.Event):
                config_changed = True
                continue
            alert = (self.app.repository.get(event.originator_id,
                                             version=event.originator_version)
                     if isinstance(event, Alert.Event | MonitorAlert.Event) else None)
            item = self._item(n.id, event, alert)
            if item is None:
                continue
            items.append(item)
            if isinstance(alert, Alert):
                next_at = next_action_at(alert, on_call.teams.get(alert.team))
                rows.append(alert_row(alert, next_at))
                schedule.append((str(alert.id), _epoch(next_at)))
        with self.store.db.transaction() as cur:
            for row in rows:
                self.store.upsert_alert(cur, row)
            for item in items:
                self._queue_notifications(cur, item, on_call, now)
            self.store.save_position(cur, FEED_NAME, notifications[-1].id)
        self.position = notifications[-1].id
        for alert_id, when in schedule:
            self._schedule(alert_id, when)
        self.items_seen += len(items)
        self.hub.publish(items)
        if config_changed and self.on_config_change is not None:
            self.on_config_change()
        return len(notifications)

    def replay(self, after: int) -> Iterator[FeedItem]:
        """Feed items after ``after`` from the event log, up to what this feed has seen."""
        position = after
        while position < self.position:
            notifications = self.app.recorder.select_notifications(
                start=position + 1, limit=self.batch_size)
            if not notifications:
                return
            for n in notifications:
                if n.id > self.position:
                    return
                item = self._item(n.id, self.app.mapper.to_domain_event(n))
                if item is not None:
                    yield item
            position = notifications[-1].id

    def _item(self, position: int, event: Any, alert: Alert | None = None
              ) -> FeedItem | None:
        """The feed item of one event; ``alert`` is the alert as of that event, if loaded."""
        alert_id = str(event.originator_id)
        if isinstance(event, MonitorAlert.Event):
            return self._monitor_item(position, event, alert)
        if isinstance(event, ClockSignal.WarningReached):
            return FeedItem(position, "WARNING", alert_id, event.inquiry_id, event.target,
                            event.cycle, event.context.get("team", ""), event.raised_at,
                            due_at=event.due_at, percent=event.percent,
                            context=dict(event.context))
        if isinstance(event, ClockSignal.Stopped):
            return FeedItem(position, "STOPPED", alert_id, event.inquiry_id, event.target,
                            event.cycle, event.context.get("team", ""), event.stopped_at,
                            outcome=event.outcome, context=dict(event.context))
        if not isinstance(event, Alert.Event):
            return None
        if alert is None:
            alert = self.app.repository.get(event.originator_id,
                                            version=event.originator_version)
        base = {"position": position, "alert_id": alert_id, "inquiry_id": alert.inquiry_id,
                "target": alert.target, "cycle": alert.cycle, "team": alert.team,
                "at": event.at, "due_at": alert.due_at, "level": alert.level,
                "context": dict(alert.context)}
        if isinstance(event, Alert.Raised):
            return FeedItem(kind="BREACH", percent=100, **base)
        if isinstance(event, Alert.Reminded):
            return FeedItem(kind="REMINDER", number=event.number, **base)
        if isinstance(event, Alert.Escalated):
            return FeedItem(kind="ESCALATION", **base)
        if isinstance(event, Alert.Acknowledged):
            return FeedItem(kind="ACKNOWLEDGED", by=event.by, note=event.note, **base)
        if isinstance(event, Alert.Resolved):
            return FeedItem(kind="RESOLVED", by=event.by, note=event.note,
                            outcome=event.reason, **base)
        return None

    def _monitor_item(self, position: int, event: Any, alert: Any) -> FeedItem:
        if alert is None:
            alert = self.app.repository.get(event.originator_id,
                                            version=event.originator_version)
        kind = "MONITOR_BLIND" if isinstance(event, MonitorAlert.Raised) else "MONITOR_RECOVERED"
        return FeedItem(position, kind, str(alert.id), "", alert.consumer, 0, alert.team,
                        event.at, due_at=alert.since, note=alert.reason,
                        context={"consumer": alert.consumer, "instance": alert.instance,
                                 "subject": f"{alert.reason} ({alert.instance})"})

    def _queue_monitor_alert(self, cur: Any, item: FeedItem, on_call: OnCall,
                             now: datetime) -> None:
        """The monitor about itself: the team's channels and whoever is on call, at once,
        in a message of its own (not grouped with inquiry alerts)."""
        team = on_call.teams.get(item.team)
        if team is None:
            log.error("monitor alert %s: no on-call team to tell (set default_team)",
                      item.alert_id)
            return
        targets = [(WEBHOOK, team.webhook_url), (EMAIL, team.email)]
        for person in team.recipients(0, now, on_call.people):
            targets += [(WEBHOOK, person.webhook_url), (EMAIL, person.email)]
        consumer, instance = item.context["consumer"], item.context["instance"]
        if item.kind == "MONITOR_BLIND":
            title = f"[Madoguchi] SLA monitor blind: {consumer} on {instance}"
            since = item.due_at.isoformat() if item.due_at else "-"
            text = (f"{title}\n\n{item.note}\nSince {since}: deadlines of its partitions "
                    "are held until it sees again, then raised, each once.\n")
        else:
            title = f"[Madoguchi] SLA monitor sees again: {consumer} on {instance}"
            text = f"{title}\n\nHeld deadlines are raised now, each once.\n"
        payload = {"kind": item.kind, "alert_id": item.alert_id, "consumer": consumer,
                   "instance": instance, "reason": item.note, "team": item.team,
                   "at": item.at.isoformat(), "title": title, "text": text}
        for channel, address in dict.fromkeys(targets):
            if not address or (channel == EMAIL and not self.email_enabled):
                continue
            delivery_id = hashlib.sha256(
                f"{item.alert_id}/{item.kind}/{channel}/{address}".encode()).hexdigest()[:32]
            self.store.add_delivery(cur, delivery_id, delivery_id, item.team, channel,
                                    address, title, text, payload, now.timestamp())

    def _queue_notifications(self, cur: Any, item: FeedItem, on_call: OnCall,
                             now: datetime) -> None:
        if item.kind.startswith("MONITOR_"):
            self._queue_monitor_alert(cur, item, on_call, now)
            return
        if item.kind not in ("WARNING", "BREACH", "REMINDER", "ESCALATION"):
            return
        team = on_call.teams.get(item.team)
        if team is None:
            return
        targets: list[tuple[str, str]] = []
        if team.webhook_url:
            targets.append((WEBHOOK, team.webhook_url))
        if team.email:
            targets.append((EMAIL, team.email))
        if item.kind != "WARNING":   # warnings go to the team's channels; breaches page people
            for person in team.recipients(item.level, now, on_call.people):
                if person.webhook_url:
                    targets.append((WEBHOOK, person.webhook_url))
                if person.email:
                    targets.append((EMAIL, person.email))
        facts = alert_to_dict(facts_of(item))
        for channel, address in dict.fromkeys(targets):
            if channel == EMAIL and not self.email_enabled:
                continue
            pending_id = f"{item.alert_id}/{item.kind}/{item.number}/{item.level}/" \
                         f"{item.percent}/{channel}/{address}"
            self.store.add_pending(cur, pending_id, item.team, channel, address, item.alert_id,
                                   facts, now.timestamp())

    # ----- grouping into notifications -----

    def group_ripe(self) -> int:
        now = self.clock()
        made = 0
        for team_id, channel, address in self.store.ripe_groups(
                now.timestamp() - self.group_window):
            with self.store.db.transaction() as cur:
                taken = self.store.take_group(cur, team_id, channel, address)
                alerts = [alert_from_dict(f) for _, f in taken
                          if self._still_worth_sending(f)]
                if not alerts:
                    continue
                team = self.config.on_call.teams.get(team_id)
                notification = Notification.create(team_id, alerts, now,
                                                   team_name=team.name if team else "")
                delivery_id = hashlib.sha256(
                    f"{notification.key}/{channel}/{address}".encode()).hexdigest()[:32]
                self.store.add_delivery(
                    cur, delivery_id, notification.key, team_id, channel, address,
                    notification.title(), notification.text(), notification.to_json(),
                    now.timestamp())
                made += 1
        self.notifications_grouped += made
        return made

    def _still_worth_sending(self, facts: dict[str, Any]) -> bool:
        """A breach already answered or resolved by the time its group is sent is dropped."""
        if facts["kind"] == "WARNING":
            return True
        row = self.store.alert_row(facts["alert_id"])
        return row is None or row["state"] == "OPEN" or (
            facts["kind"] == "BREACH" and row["state"] == "ACKNOWLEDGED")

    # ----- reminders and escalation -----

    def _schedule(self, alert_id: str, when: float | None) -> None:
        if when is None:
            self._timer_due.pop(alert_id, None)
            return
        if self._timer_due.get(alert_id) == when:
            return
        self._timer_due[alert_id] = when
        heapq.heappush(self._timers, (when, next(self._seq), alert_id))

    def fire_alert_timers(self) -> int:
        now = self.clock()
        fired = 0
        while self._timers and self._timers[0][0] <= now.timestamp():
            when, _, alert_id = heapq.heappop(self._timers)
            if self._timer_due.get(alert_id) != when:
                continue
            del self._timer_due[alert_id]
            try:
                self.app.change_alert(UUID(alert_id), lambda a: self._step(a, now))
                fired += 1
            except Exception as error:
                log.warning("alert %s: reminder/escalation failed: %s", alert_id, error)
        return fired

    def _step(self, alert: Alert, now: datetime) -> None:
        """Escalate if the next level is due, else remind if a reminder is due."""
        if not alert.is_open or alert.is_acknowledged:
            return
        team = self.config.on_call.teams.get(alert.team)
        escalation = next_escalation_at(alert, team)
        if escalation is not None and escalation <= now:
            alert.escalate(alert.level + 1, now)
            return
        reminder = alert.next_reminder_at()
        if reminder is not None and reminder <= now:
            alert.remind(now)


def next_escalation_at(alert: Alert, team: Team | None) -> datetime | None:
    if team is None or alert.level + 1 >= len(team.escalation):
        return None
    return team.level_due(alert.level + 1, alert.raised_at)


def next_action_at(alert: Alert, team: Team | None) -> datetime | None:
    if not alert.is_open or alert.is_acknowledged:
        return None
    times = [t for t in (next_escalation_at(alert, team), alert.next_reminder_at())
             if t is not None]
    return min(times, default=None)


def alert_row(alert: Alert, next_at: datetime | None) -> dict[str, Any]:
    import json

    return {
        "alert_id": str(alert.id), "inquiry_id": alert.inquiry_id, "target": alert.target,
        "cycle": alert.cycle, "team": alert.team, "state": alert.state, "level": alert.level,
        "reminders": alert.reminders, "raised_at": alert.raised_at.timestamp(),
        "due_at": alert.due_at.timestamp(), "acknowledged_by": alert.acknowledged_by,
        "resolution": alert.resolution, "priority": alert.context.get("priority", ""),
        "agreement_id": alert.context.get("agreement_id", ""),
        "next_action_at": _epoch(next_at),
        "facts_json": json.dumps(alert.context, ensure_ascii=False),
        "version": alert.version,
    }


def facts_of(item: FeedItem) -> AlertFacts:
    """What routing, grouping and the message need to know about one feed item."""
    return AlertFacts(
        alert_id=item.alert_id, inquiry_id=item.inquiry_id, target=item.target,
        kind=item.kind, agreement_id=item.context.get("agreement_id", ""),
        priority=item.context.get("priority", ""),
        category=item.context.get("category", ""),
        department=item.context.get("department", ""),
        subject=item.context.get("subject", ""), due_at=item.due_at or item.at,
        raised_at=item.at, threshold_percent=item.percent or 100)
