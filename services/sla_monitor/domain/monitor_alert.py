"""The monitor's alarm about itself: one of its consumers cannot follow its stream.

A monitor that cannot read the inquiry or engagement stream raises nothing, and a
silence looks like a quiet day. So while a consumer is blind (not in its group, no
answer from the broker, or far behind) the monitor raises a ``MonitorAlert`` through
the same on-call routing and channels as breaches, and resolves it when the consumer
sees again. It is internal: not published on the signals topic (it is about the
monitor, not about an inquiry), recorded once per blind spell thanks to its derived id.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

MONITOR_ALERT_NAMESPACE = uuid5(NAMESPACE_URL, "https://madoguchi.invalid/sla/monitor-alert")
MONITOR_BLIND = "MONITOR_BLIND"


def monitor_alert_id(instance: str, consumer: str, since: datetime) -> UUID:
    """One alert per instance, consumer and blind spell (its start, to the second)."""
    return uuid5(MONITOR_ALERT_NAMESPACE,
                 f"{instance}/{consumer}/{int(since.timestamp())}")


class MonitorAlert(Aggregate):
    class Raised(Aggregate.Created):
        instance: str
        consumer: str
        reason: str
        since: datetime
        team: str
        at: datetime

    class Resolved(Aggregate.Event):
        at: datetime

        def apply(self, aggregate: MonitorAlert) -> None:
            aggregate.resolved_at = self.at

    def __init__(self, *, instance: str, consumer: str, reason: str, since: datetime,
                 team: str, at: datetime) -> None:
        self.instance = instance
        self.consumer = consumer
        self.reason = reason
        self.since = since
        self.team = team
        self.raised_at = at
        self.resolved_at: datetime | None = None

    @classmethod
    def raise_blind(cls, *, instance: str, consumer: str, reason: str, since: datetime,
                    team: str, at: datetime) -> MonitorAlert:
        return cls._create(cls.Raised, id=monitor_alert_id(instance, consumer, since),
                           instance=instance, consumer=consumer, reason=reason, since=since,
                           team=team, at=at)

    def resolve(self, at: datetime) -> None:
        if self.resolved_at is None:
            self.trigger_event(self.Resolved, at=at)
