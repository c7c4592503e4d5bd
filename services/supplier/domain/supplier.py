"""The Supplier aggregate: an outside party the service desk escalates to (8.3.3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from madoguchi.errors import IdempotencyKeyReused, TransitionNotAllowed
from services.supplier.domain.values import supplier_uuid


class Supplier(Aggregate):
    class Event(Aggregate.Event):
        supplier_id: str      # carried by every event: the Kafka key and the public code
        actor: str
        occurred_at: datetime
        correlation_id: str

    class Registered(Aggregate.Created, Event):
        name: str
        services: list[str]
        contacts: list[dict[str, str]]
        reason: str

        def apply(self, aggregate: Supplier) -> None:
            aggregate.registered_at = self.occurred_at
            aggregate.updated_at = self.occurred_at

    class Updated(Event):
        name: str
        services: list[str]
        contacts: list[dict[str, str]]
        reason: str

        def apply(self, aggregate: Supplier) -> None:
            aggregate.name = self.name
            aggregate.services = list(self.services)
            aggregate.contacts = [dict(c) for c in self.contacts]
            aggregate.updated_at = self.occurred_at

    class Retired(Event):
        reason: str

        def apply(self, aggregate: Supplier) -> None:
            aggregate.retired = True
            aggregate.retired_at = self.occurred_at
            aggregate.updated_at = self.occurred_at

    def __init__(self, supplier_id: str, name: str, services: list[str],
                 contacts: list[dict[str, str]]) -> None:
        self.supplier_id = supplier_id
        self.name = name
        self.services = list(services)
        self.contacts = [dict(c) for c in contacts]
        self.retired = False
        self.retired_at: datetime | None = None
        self.registered_at: datetime | None = None
        self.updated_at: datetime | None = None

    @classmethod
    def register(cls, supplier_id: str, name: str, services: list[str],
                 contacts: list[dict[str, str]], reason: str, **meta: Any) -> Supplier:
        return cls._create(cls.Registered, id=supplier_uuid(supplier_id),
                           supplier_id=supplier_id, name=name, services=list(services),
                           contacts=contacts, reason=reason, **meta)

    def same_content(self, name: str, services: list[str],
                     contacts: list[dict[str, str]]) -> bool:
        return (self.name, self.services, self.contacts) == (name, list(services), contacts)

    def check_replay(self, name: str, services: list[str],
                     contacts: list[dict[str, str]]) -> None:
        if not self.same_content(name, services, contacts):
            raise IdempotencyKeyReused(
                f"supplier {self.supplier_id} is registered with other details: update it")

    def update(self, name: str, services: list[str], contacts: list[dict[str, str]],
               reason: str, **meta: Any) -> bool:
        """Record the full new details; the same details again record nothing."""
        if self.same_content(name, services, contacts):
            return False
        if self.retired:
            raise TransitionNotAllowed(f"supplier {self.supplier_id} is retired")
        self.trigger_event(self.Updated, supplier_id=self.supplier_id, name=name,
                           services=list(services), contacts=contacts, reason=reason, **meta)
        return True

    def retire(self, reason: str, **meta: Any) -> bool:
        if self.retired:
            return False
        self.trigger_event(self.Retired, supplier_id=self.supplier_id, reason=reason, **meta)
        return True

    def retired_by(self, at: datetime) -> bool:
        """Whether the supplier had been retired at ``at``."""
        return self.retired and (self.retired_at is None or self.retired_at <= at)
