"""The Engagement aggregate: one escalation of an inquiry to a supplier.

An escalation is always recorded, even when no contract covers it: the coverage says
what applies (COVERED) or names the gap. The supplier acknowledges, notes progress,
resolves or hands back; the service desk withdraws it when the inquiry is resolved or
closed meanwhile. Repeating a call that already took effect records nothing.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from madoguchi.errors import IdempotencyKeyReused, TransitionNotAllowed
from services.supplier.domain.values import OPEN_ENGAGEMENT, EngagementStatus, engagement_uuid

S = EngagementStatus


def note_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Engagement(Aggregate):
    class Event(Aggregate.Event):
        engagement_id: str
        inquiry_id: str
        supplier_id: str
        actor: str
        occurred_at: datetime
        correlation_id: str

    class Opened(Aggregate.Created, Event):
        contract_id: str
        contract_version: int
        coverage: str
        gap_reason: str
        category: str
        priority: str
        kind: str
        subject: str
        reason: str
        escalation_version: int
        clock_terms_json: str

        def apply(self, aggregate: Engagement) -> None:
            aggregate.opened_at = self.occurred_at
            aggregate._note(self, "OPENED", self.reason)

    class Acknowledged(Event):
        note: str

        def apply(self, aggregate: Engagement) -> None:
            aggregate.status = S.ACKNOWLEDGED
            aggregate.acknowledged_at = self.occurred_at
            aggregate._note(self, "ACKNOWLEDGED", self.note)

    class ProgressNoted(Event):
        note_key: str
        note: str

        def apply(self, aggregate: Engagement) -> None:
            aggregate.note_keys[self.note_key] = note_digest(self.note)
            aggregate._note(self, "PROGRESS", self.note)

    class Resolved(Event):
        resolution: str

        def apply(self, aggregate: Engagement) -> None:
            aggregate.status = S.RESOLVED
            if aggregate.acknowledged_at is None:   # resolving implies acknowledging
                aggregate.acknowledged_at = self.occurred_at
            aggregate.resolution = self.resolution
            aggregate.closed_at = self.occurred_at
            aggregate._note(self, "RESOLVED", self.resolution)

    class HandedBack(Event):
        reason: str

        def apply(self, aggregate: Engagement) -> None:
            aggregate.status = S.HANDED_BACK
            aggregate.hand_back_reason = self.reason
            aggregate.closed_at = self.occurred_at
            aggregate._note(self, "HANDED_BACK", self.reason)

    class Withdrawn(Event):
        reason: str

        def apply(self, aggregate: Engagement) -> None:
            aggregate.status = S.WITHDRAWN
            aggregate.withdraw_reason = self.reason
            aggregate.closed_at = self.occurred_at
            aggregate._note(self, "WITHDRAWN", self.reason)

    def __init__(self, engagement_id: str, inquiry_id: str, supplier_id: str,
                 contract_id: str, contract_version: int, coverage: str, gap_reason: str,
                 category: str, priority: str, kind: str, subject: str, reason: str,
                 escalation_version: int, clock_terms_json: str) -> None:
        self.engagement_id = engagement_id
        self.inquiry_id = inquiry_id
        self.supplier_id = supplier_id
        self.contract_id = contract_id
        self.contract_version = contract_version
        self.coverage = coverage
        self.gap_reason = gap_reason
        self.category = category
        self.priority = priority
        self.kind = kind
        self.subject = subject
        self.reason = reason
        self.escalation_version = escalation_version
        self.clock_terms_json = clock_terms_json
        self.status = S.OPEN
        self.opened_at: datetime | None = None
        self.acknowledged_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.resolution = ""
        self.hand_back_reason = ""
        self.withdraw_reason = ""
        self.note_keys: dict[str, str] = {}
        self.notes: list[dict[str, Any]] = []

    def _note(self, event: Any, kind: str, text: str) -> None:
        self.notes.append({"at": event.occurred_at, "actor": event.actor, "kind": kind,
                           "text": text})

    @classmethod
    def open(cls, *, inquiry_id: str, escalation_version: int, supplier_id: str,
             contract_id: str, contract_version: int, coverage: str, gap_reason: str,
             category: str, priority: str, kind: str, subject: str, reason: str,
             clock_terms_json: str, **meta: Any) -> Engagement:
        uid = engagement_uuid(inquiry_id, escalation_version)
        return cls._create(
            cls.Opened, id=uid, engagement_id=str(uid), inquiry_id=inquiry_id,
            supplier_id=supplier_id, contract_id=contract_id,
            contract_version=contract_version, coverage=coverage, gap_reason=gap_reason,
            category=category, priority=priority, kind=kind, subject=subject, reason=reason,
            escalation_version=escalation_version, clock_terms_json=clock_terms_json, **meta)

    # ----- questions -----

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ENGAGEMENT

    def _ids(self) -> dict[str, str]:
        return {"engagement_id": self.engagement_id, "inquiry_id": self.inquiry_id,
                "supplier_id": self.supplier_id}

    # ----- the supplier's calls -----

    def acknowledge(self, note: str, **meta: Any) -> bool:
        if self.status == S.OPEN:
            self.trigger_event(self.Acknowledged, note=note, **self._ids(), **meta)
            return True
        if self.acknowledged_at is not None:
            return False     # acknowledged already (or resolved, which implies it)
        raise TransitionNotAllowed(f"engagement is {self.status}: it cannot be acknowledged")

    def note_progress(self, note_key: str, note: str, **meta: Any) -> bool:
        known = self.note_keys.get(note_key)
        if known is not None:
            if known != note_digest(note):
                raise IdempotencyKeyReused(
                    "idempotency_key was already used for a different note")
            return False
        if not self.is_open:
            raise TransitionNotAllowed(f"engagement is {self.status}: no more progress notes")
        self.trigger_event(self.ProgressNoted, note_key=note_key, note=note, **self._ids(),
                           **meta)
        return True

    def resolve(self, resolution: str, **meta: Any) -> bool:
        if self.status == S.RESOLVED and self.resolution == resolution:
            return False
        self._require_open("resolved")
        self.trigger_event(self.Resolved, resolution=resolution, **self._ids(), **meta)
        return True

    def hand_back(self, reason: str, **meta: Any) -> bool:
        if self.status == S.HANDED_BACK and self.hand_back_reason == reason:
            return False
        self._require_open("handed back")
        self.trigger_event(self.HandedBack, reason=reason, **self._ids(), **meta)
        return True

    # ----- the service desk -----

    def withdraw(self, reason: str, **meta: Any) -> bool:
        """The inquiry was resolved or closed while the supplier held it; closed: nothing."""
        if not self.is_open:
            return False
        self.trigger_event(self.Withdrawn, reason=reason, **self._ids(), **meta)
        return True

    def _require_open(self, what: str) -> None:
        if not self.is_open:
            raise TransitionNotAllowed(f"engagement is {self.status}: it cannot be {what}")
