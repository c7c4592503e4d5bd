"""Run the SLA monitor: inquiry and engagement consumers with their clock timers, alert
feed, senders, relay, gRPC.

Customer clocks follow the inquiry topic and supplier clocks the engagements topic, each
with its own consumer group, keeper and timer queue, so partition ownership (and thus
which instance fires which timers) is decided per topic.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from madoguchi.api.sla.v1 import sla_monitor_pb2, sla_monitor_pb2_grpc
from madoguchi.config import Settings
from madoguchi.eventstream.consumer import PartitionConsumer
from madoguchi.eventstream.service_relay import relay_metrics, service_relay
from madoguchi.rpc.process import serve_until_signalled
from madoguchi.rpc.server import GrpcServer
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from services.sla_monitor.adapters.alert_store import AlertStore
from services.sla_monitor.adapters.clock_store import ClockStore, EngagementClockStore
from services.sla_monitor.adapters.email import EmailSender
from services.sla_monitor.adapters.grpc_api import SlaMonitorServicer
from services.sla_monitor.adapters.heartbeat_publisher import HeartbeatPublisher
from services.sla_monitor.adapters.publishing import SlaTopics, make_router
from services.sla_monitor.adapters.webhook import WebhookSender
from services.sla_monitor.application.alerting import EMAIL, WEBHOOK, AlertFeed
from services.sla_monitor.application.app import SlaMonitorApplication
from services.sla_monitor.application.clock_keeper import ClockKeeper
from services.sla_monitor.application.delivery import Delivery, DeliveryWorker
from services.sla_monitor.application.engagement_clock_events import EngagementClockEvents
from services.sla_monitor.application.heartbeat import MonitorWatchdog
from services.sla_monitor.application.monitor_config import MonitorConfig
from services.sla_monitor.application.seeding import seed_from_setting
from services.sla_monitor.application.watermarks import StreamWatermarks

log = logging.getLogger("madoguchi.sla_monitor")
GROUP_ID = "madoguchi-sla-monitor"
ENGAGEMENTS_GROUP_SUFFIX = "-engagements"   # the engagement consumer's group: GROUP_ID + this
RELAY_LOCK_KEY = 0x4D534C41  # "MSLA": one publishing relay per monitor event store
CONFIG_REFRESH_SECONDS = 2.0


def webhook_secret(settings: Settings) -> bytes:
    """The configured secret, else one generated once and kept in the data directory."""
    if settings.alerts.webhook_secret:
        return settings.alerts.webhook_secret.encode()
    path = settings.data_dir / "sla-webhook-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        log.info("generated the webhook signing secret in %s", path)
    return Path(path).read_text().strip().encode()


class SlaMonitorService:
    def __init__(self, settings: Settings, *, address: str | None = None,
                 group_id: str = GROUP_ID, name: str = "sla-consumer",
                 clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        url = parse_database_url(settings.database_urls["sla_monitor"])
        self.app = SlaMonitorApplication(env=url.eventsourcing_env(), clock=clock)
        seed_from_setting(self.app, settings.alerts.seed_file)
        self.db = SqlDatabase(url)
        self.config = MonitorConfig(self.app)
        self.config.refresh()
        self.clocks = ClockStore(self.db)
        self.alerts = AlertStore(self.db)
        self.keeper = ClockKeeper(self.app, self.clocks, self.config,
                                  inquiries_topic=settings.topics.inquiries, clock=clock,
                                  watermarks=StreamWatermarks(
                                      settle=settings.alerts.settle_seconds))
        self.consumer = PartitionConsumer(
            self.keeper, bootstrap=settings.bootstrap(), group_id=group_id,
            topics=[settings.topics.inquiries], name=name,
            fetch_max_wait_ms=settings.fetch_max_wait_ms, limits=settings.consumer_limits,
            partitions=settings.topic_partitions,
            replication_factor=settings.topic_replication_factor)
        self.engagement_clocks = EngagementClockStore(self.db)
        self.engagement_keeper = ClockKeeper(
            self.app, self.engagement_clocks, self.config,
            topic=settings.topics.supplier_engagements, model=EngagementClockEvents(),
            clock=clock, name="sla-supplier-timers",
            watermarks=StreamWatermarks(settle=settings.alerts.settle_seconds))
        self.engagement_consumer = PartitionConsumer(
            self.engagement_keeper, bootstrap=settings.bootstrap(),
            group_id=group_id + ENGAGEMENTS_GROUP_SUFFIX,
            topics=[settings.topics.supplier_engagements], name=f"{name}-engagements",
            fetch_max_wait_ms=settings.fetch_max_wait_ms, limits=settings.consumer_limits,
            partitions=settings.topic_partitions,
            replication_factor=settings.topic_replication_factor)
        topics = SlaTopics(settings.topics.sla_signals, settings.topics.sla_agreements)
        self.relay = service_relay(
            self.app, make_router(topics), settings, url,
            topics=[topics.signals, topics.agreements], name="sla-relay",
            lock_key=RELAY_LOCK_KEY)
        alerts = settings.alerts
        self.feed = AlertFeed(self.app, self.alerts, self.config,
                              group_window=alerts.group_window_seconds,
                              email_enabled=bool(alerts.smtp_host), clock=clock,
                              on_config_change=self.refresh_config)
        self.app.add_listener(self.feed.wake)
        webhook = WebhookSender(webhook_secret(settings))
        self.senders = [DeliveryWorker(self.alerts, WEBHOOK, lambda d: webhook.send(
            d.address, d.payload, d.notification_key), clock=clock)]
        if alerts.smtp_host:
            mail = EmailSender(alerts.smtp_host, alerts.smtp_port, alerts.smtp_sender,
                               username=alerts.smtp_username, password=alerts.smtp_password,
                               starttls=alerts.smtp_starttls)
            self.senders.append(DeliveryWorker(self.alerts, EMAIL, lambda d: _mail(mail, d),
                                               clock=clock))
        else:
            log.info("e-mail alerts are off (set MADOGUCHI_SLA_SMTP_HOST to send them)")
        service_name = sla_monitor_pb2.DESCRIPTOR.services_by_name["SlaMonitorService"]
        self.grpc = GrpcServer(
            address or settings.address("sla_monitor"), [service_name.full_name],
            lambda server: sla_monitor_pb2_grpc.add_SlaMonitorServiceServicer_to_server(
                SlaMonitorServicer(self.app, self.config, self.clocks, self.alerts, self.feed,
                                   on_change=self.refresh_config,
                                   engagements=self.engagement_clocks), server),
            consumers=lambda: [self.consumer, self.engagement_consumer], name="sla_monitor")
        self.heartbeats = HeartbeatPublisher(settings.bootstrap(), topics.signals)
        self.watchdog = MonitorWatchdog(
            self.app, self.config, consumers=self.grpc.readiness.statuses,
            counts=self._counts, publish=self.heartbeats, deliveries=self.alerts,
            interval=alerts.heartbeat_seconds, email_enabled=bool(alerts.smtp_host),
            clock=clock, channels=(WEBHOOK, EMAIL))
        self._stop = threading.Event()
        self._refresher: threading.Thread | None = None
        self._refresh_lock = threading.Lock()

    def _counts(self) -> tuple[int, int]:
        """(timers scheduled, timers held for a watermark) over both keepers."""
        keepers = (self.keeper, self.engagement_keeper)
        return (sum(len(k.timers) for k in keepers),
                sum(len(h) for k in keepers for h in k.held.values()))

    def refresh_config(self) -> None:
        """Re-read agreements and on-call; move open inquiries where a revision says so."""
        with self._refresh_lock:
            changed = self.config.refresh()
            for agreement_id in changed:
                moved = self.keeper.retarget_agreement(agreement_id)
                if moved:
                    log.info("agreement %s revised for open inquiries: %d re-targeted",
                             agreement_id, moved)

    def _refresh_loop(self) -> None:
        while not self._stop.wait(CONFIG_REFRESH_SECONDS):
            try:
                self.refresh_config()
            except Exception as error:
                log.warning("configuration refresh failed: %s", error)

    def metrics(self) -> list[tuple[str, str, Callable[[], float]]]:
        keeper, feed, supplier = self.keeper, self.feed, self.engagement_keeper
        return [
            ("madoguchi_sla_events_applied_total", "inquiry events applied to clocks",
             lambda: keeper.events_applied),
            ("madoguchi_sla_signals_total", "warnings, breaches and stops recorded here",
             lambda: keeper.signals_raised),
            ("madoguchi_sla_scheduled_inquiries", "inquiries with a timer on this instance",
             lambda: len(keeper.timers)),
            ("madoguchi_sla_rejected_total", "undecodable messages set aside",
             lambda: keeper.rejected),
            ("madoguchi_sla_alert_latency_max_seconds",
             "largest due-to-raised delay in the last timer batch",
             lambda: max(keeper.last_latencies, default=0.0)),
            ("madoguchi_sla_supplier_events_applied_total",
             "engagement events applied to supplier clocks",
             lambda: supplier.events_applied),
            ("madoguchi_sla_supplier_signals_total",
             "supplier clock warnings, breaches and stops recorded here",
             lambda: supplier.signals_raised),
            ("madoguchi_sla_scheduled_engagements",
             "engagements with a timer on this instance", lambda: len(supplier.timers)),
            ("madoguchi_sla_supplier_rejected_total",
             "undecodable engagement messages set aside", lambda: supplier.rejected),
            ("madoguchi_sla_supplier_alert_latency_max_seconds",
             "largest due-to-raised delay in the last supplier timer batch",
             lambda: max(supplier.last_latencies, default=0.0)),
            ("madoguchi_sla_feed_items_total", "alert feed items seen", lambda: feed.items_seen),
            ("madoguchi_sla_notifications_total", "grouped notifications queued",
             lambda: feed.notifications_grouped),
            ("madoguchi_sla_deliveries_sent_total", "notifications delivered",
             lambda: sum(s.sent for s in self.senders)),
            ("madoguchi_sla_delivery_failures_total", "failed delivery attempts",
             lambda: sum(s.failed_attempts for s in self.senders)),
            *relay_metrics(self.relay),
            ("madoguchi_sla_held_timers",
             "timers due but held until their partition is read that far",
             lambda: self._counts()[1]),
            ("madoguchi_sla_heartbeats_total", "heartbeats made", lambda: self.watchdog.beats),
            ("madoguchi_sla_assigned", "1 while this instance holds partitions",
             lambda: int(self.consumer.assigned.is_set())),
            ("madoguchi_sla_supplier_assigned",
             "1 while this instance holds engagement partitions",
             lambda: int(self.engagement_consumer.assigned.is_set())),
        ]

    def start(self) -> None:
        self.relay.start()
        self.feed.start()
        for sender in self.senders:
            sender.start()
        self.keeper.start()
        self.engagement_keeper.start()
        self.consumer.start()
        self.engagement_consumer.start()
        self.watchdog.start()
        self._refresher = threading.Thread(target=self._refresh_loop, name="sla-config",
                                           daemon=True)
        self._refresher.start()
        self.grpc.start()
        self.grpc.set_serving(True)

    def stop(self) -> None:
        self._stop.set()
        self.grpc.stop(grace=2)
        # Consumers first (no new batches), then their timers; then what reads their signals.
        self.watchdog.stop()
        self.heartbeats.close()
        self.consumer.stop(timeout=15)
        self.engagement_consumer.stop(timeout=15)
        self.keeper.stop()
        self.engagement_keeper.stop()
        self.feed.stop()
        for sender in self.senders:
            sender.stop()
        self.relay.stop(timeout=15)
        self.app.close()
        self.db.close()


def _mail(sender: EmailSender, delivery: Delivery) -> None:
    sender.send([delivery.address], delivery.subject, delivery.body, delivery.notification_key)


def run(settings: Settings) -> None:
    serve_until_signalled("sla_monitor", SlaMonitorService(settings), settings)
