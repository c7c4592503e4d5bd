"""The SupplierReview aggregate: a periodic review meeting and the actions agreed."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from madoguchi.errors import IdempotencyKeyReused, NotFound
from services.supplier.domain.values import review_uuid


def review_fingerprint(supplier_id: str, held_on: str, attendees: list[str], findings: str,
                       actions: list[dict[str, str]]) -> str:
    body = json.dumps([supplier_id, held_on, attendees, findings, actions],
                      ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class SupplierReview(Aggregate):
    class Event(Aggregate.Event):
        review_id: str
        supplier_id: str
        actor: str
        occurred_at: datetime
        correlation_id: str

    class Recorded(Aggregate.Created, Event):
        idempotency_key: str
        request_fingerprint: str
        held_on: str
        attendees: list[str]
        findings: str
        actions: list[dict[str, str]]

    class ActionUpdated(Event):
        action_id: str
        status: str
        note: str

        def apply(self, aggregate: SupplierReview) -> None:
            for action in aggregate.actions:
                if action["action_id"] == self.action_id:
                    action["status"] = self.status
            aggregate.action_notes[self.action_id] = self.note

    def __init__(self, review_id: str, supplier_id: str, idempotency_key: str,
                 request_fingerprint: str, held_on: str, attendees: list[str], findings: str,
                 actions: list[dict[str, str]]) -> None:
        self.review_id = review_id
        self.supplier_id = supplier_id
        self.idempotency_key = idempotency_key
        self.request_fingerprint = request_fingerprint
        self.held_on = held_on
        self.attendees = list(attendees)
        self.findings = findings
        self.actions = [dict(a) for a in actions]
        self.action_notes: dict[str, str] = {}

    @classmethod
    def record(cls, idempotency_key: str, supplier_id: str, held_on: str,
               attendees: list[str], findings: str, actions: list[dict[str, str]],
               **meta: Any) -> SupplierReview:
        uid = review_uuid(idempotency_key)
        return cls._create(
            cls.Recorded, id=uid, review_id=str(uid), supplier_id=supplier_id,
            idempotency_key=idempotency_key,
            request_fingerprint=review_fingerprint(supplier_id, held_on, attendees, findings,
                                                   actions),
            held_on=held_on, attendees=list(attendees), findings=findings, actions=actions,
            **meta)

    def check_replay(self, fingerprint: str) -> None:
        if fingerprint != self.request_fingerprint:
            raise IdempotencyKeyReused(
                "idempotency_key was already used for a different review")

    def update_action(self, action_id: str, status: str, note: str, **meta: Any) -> bool:
        """Change an action's status; the same status and note again record nothing."""
        action = next((a for a in self.actions if a["action_id"] == action_id), None)
        if action is None:
            raise NotFound(f"review {self.review_id} has no action {action_id!r}")
        if action["status"] == status and self.action_notes.get(action_id, "") == note:
            return False
        self.trigger_event(self.ActionUpdated, review_id=self.review_id,
                           supplier_id=self.supplier_id, action_id=action_id, status=status,
                           note=note, **meta)
        return True
