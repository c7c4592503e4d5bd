"""From a breach to people: grouping, reminders, escalation, delivery retries.

The monitor's event store and tables are real (SQLite files); time is a test clock,
so reminders due in minutes are checked without waiting for them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from services.sla_monitor.adapters.alert_store import AlertStore
from services.sla_monitor.application.alerting import AlertFeed
from services.sla_monitor.application.app import SlaMonitorApplication
from services.sla_monitor.application.delivery import Delivery, DeliveryError, DeliveryWorker
from services.sla_monitor.application.monitor_config import MonitorConfig
from services.sla_monitor.domain.alert import Alert

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
ON_CALL = {
    "people": [
        {"id": "sato", "name": "佐藤 花子", "email": "sato@city.example"},
        {"id": "takahashi", "name": "高橋 美咲", "email": "takahashi@city.example"},
    ],
    "teams": [{
        "id": "desk", "name": "区民相談チーム", "webhook_url": "https://hooks.example/desk",
        "rotation": {"participants": ["sato"], "start": "2026-01-05T09:00:00"},
        "escalation": [{"notify": ["rotation"], "after_minutes": 0},
                       {"notify": ["user:takahashi"], "after_minutes": 15}],
    }],
    "routes": [], "default_team": "desk",
}


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[SlaMonitorApplication, AlertFeed, Clock]]:
    url = parse_database_url(f"sqlite:///{tmp_path / 'sla.db'}")
    clock = Clock()
    app = SlaMonitorApplication(env=url.eventsourcing_env(), clock=clock)
    app.configure_on_call(ON_CALL)
    db = SqlDatabase(url)
    config = MonitorConfig(app)
    config.refresh()
    feed = AlertFeed(app, AlertStore(db), config, group_window=10, email_enabled=True,
                     clock=clock)
    yield app, feed, clock
    app.close()
    db.close()


def breach(app: SlaMonitorApplication, inquiry: str, at: datetime, reminder_minutes: int = 5
           ) -> UUID:
    alert = Alert.raise_breach(
        inquiry_id=inquiry, target="FIRST_RESPONSE", cycle=1, due_at=at, raised_at=at,
        target_seconds=900, team="desk", reminder_minutes=reminder_minutes,
        context={"agreement_id": "a", "agreement_version": "1", "priority": "P2",
                 "kind": "QUESTION", "category": "税", "department": "税務課",
                 "subject": f"固定資産税の納付書 {inquiry}", "team": "desk"})
    assert app.record_once([alert]) == 1
    return alert.id


def deliveries(feed: AlertFeed) -> list[dict[str, Any]]:
    return feed.store.deliveries()


def test_a_burst_of_breaches_becomes_one_message_per_recipient(parts) -> None:
    app, feed, clock = parts
    for n in range(3):
        breach(app, f"inq-{n}", T0)
    feed.follow()
    assert feed.group_ripe() == 0                  # the group window is still open
    clock.now = T0 + timedelta(seconds=11)
    assert feed.group_ripe() == 2                  # the team's webhook and sato's mail
    sent = {(d["channel"], d["address"]): d for d in deliveries(feed)}
    assert set(sent) == {("WEBHOOK", "https://hooks.example/desk"),
                         ("EMAIL", "sato@city.example")}
    payload = json.loads(sent[("WEBHOOK", "https://hooks.example/desk")]["payload_json"])
    assert len(payload["alerts"]) == 3 and payload["team_name"] == "区民相談チーム"
    assert sent[("EMAIL", "sato@city.example")]["subject"] == (
        "[Madoguchi] 3 SLA breaches for 区民相談チーム")


def test_following_the_log_again_queues_nothing_twice(parts) -> None:
    app, feed, clock = parts
    breach(app, "inq-1", T0)
    feed.follow()
    again = AlertFeed(app, feed.store, feed.config, group_window=10, email_enabled=True,
                      clock=clock)    # a second instance, or a restart that lost its place
    again.follow()
    clock.now = T0 + timedelta(seconds=11)
    feed.group_ripe()
    again.group_ripe()
    assert len(deliveries(feed)) == 2


def test_reminders_repeat_and_the_policy_escalates_until_acknowledged(parts) -> None:
    app, feed, clock = parts
    alert_id = breach(app, "inq-1", T0)
    feed.follow()
    steps = []
    for minute in range(1, 40):
        clock.now = T0 + timedelta(minutes=minute)
        if minute == 22:
            app.change_alert(alert_id, lambda a: a.acknowledge(by="takahashi", note="",
                                                               at=clock.now))
        feed.follow()
        if feed.fire_alert_timers():
            steps.append(minute)
        feed.follow()
        feed.group_ripe()
    history = [type(e).__name__ for e in app.events.get(alert_id)]
    assert history == ["Raised", "Reminded", "Reminded", "Escalated", "Reminded",
                       "Acknowledged"]
    assert steps == [5, 10, 15, 20]               # reminder, reminder, level 1, reminder
    escalated = app.alert(alert_id)
    assert escalated.level == 1 and escalated.reminders == 3
    addresses = {d["address"] for d in deliveries(feed)}
    assert "takahashi@city.example" in addresses   # level 1 was paged


def test_a_breach_answered_within_the_group_window_pages_nobody(parts) -> None:
    app, feed, clock = parts
    alert_id = breach(app, "inq-1", T0)
    feed.follow()
    app.change_alert(alert_id, lambda a: a.resolve(by="sla-monitor", reason="ANSWERED",
                                                   note="", at=T0 + timedelta(seconds=3)))
    feed.follow()
    clock.now = T0 + timedelta(seconds=11)
    assert feed.group_ripe() == 0
    assert deliveries(feed) == []


def test_a_watcher_sees_every_item_in_order(parts) -> None:
    app, feed, _clock = parts
    subscription = feed.hub.subscribe()
    assert subscription is not None
    alert_id = breach(app, "inq-1", T0)
    app.change_alert(alert_id, lambda a: a.acknowledge(by="sato", note="確認", at=T0))
    feed.follow()
    items = [subscription.get_nowait() for _ in range(2)]
    assert [i.kind for i in items] == ["BREACH", "ACKNOWLEDGED"]
    assert items[0].position < items[1].position
    assert [i.kind for i in feed.replay(after=0)] == ["BREACH", "ACKNOWLEDGED"]
    assert [i.kind for i in feed.replay(after=items[0].position)] == ["ACKNOWLEDGED"]


def test_deliveries_retry_with_backoff_and_a_failing_channel_blocks_no_other(parts) -> None:
    app, feed, clock = parts
    breach(app, "inq-1", T0)
    feed.follow()
    clock.now = T0 + timedelta(seconds=11)
    feed.group_ripe()
    attempts: list[str] = []

    def flaky_webhook(delivery: Delivery) -> None:
        attempts.append(delivery.delivery_id)
        if len(attempts) < 3:
            raise DeliveryError("503 from receiver", retryable=True)

    def refusing_mail(delivery: Delivery) -> None:
        raise DeliveryError("550 no such user", retryable=False)

    webhook = DeliveryWorker(feed.store, "WEBHOOK", flaky_webhook, clock=clock,
                             backoff_base=1.0)
    mail = DeliveryWorker(feed.store, "EMAIL", refusing_mail, clock=clock)
    assert mail.run_once() == 1
    for _ in range(3):
        webhook.run_once()
        clock.now += timedelta(seconds=400)       # past any backoff (capped at 300 s)
    states = {d["channel"]: (d["state"], d["attempts"]) for d in deliveries(feed)}
    assert states == {"WEBHOOK": ("SENT", 3), "EMAIL": ("FAILED", 1)}
    assert len(set(attempts)) == 1                # the same delivery, same idempotency key
