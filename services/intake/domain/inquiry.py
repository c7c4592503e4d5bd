"""The Inquiry aggregate (問い合わせ): one inquiry, every contact on every channel.

Each command checks the current status and then records one immutable, versioned
event; the event's ``apply`` is the only place state changes, so replaying the
history rebuilds exactly the same inquiry.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from services.intake.domain.errors import IdempotencyKeyReused, TransitionNotAllowed
from services.intake.domain.values import (
    OPEN_STATUSES,
    EscalationTarget,
    HoldReason,
    Status,
)

# Per engagement, what the inquiry knows of it: supplier_id, contract_id, coverage,
# engaged (SupplierEngaged recorded) and outcome ("" until SupplierOutcomeRecorded).
Engagement = dict[str, Any]

# Inquiry ids are derived from the idempotency key, so a retried creation finds the
# inquiry it created before instead of making a second one.
INQUIRY_NAMESPACE = UUID("6f1d7c1e-2f0b-4d5e-9a39-6d8f0e2b9a11")


def inquiry_id_for(idempotency_key: str) -> UUID:
    return uuid5(INQUIRY_NAMESPACE, "inquiry:" + idempotency_key)


def contact_digest(channel: str, direction: str, note: str) -> str:
    """Identifies a logged contact's content, to tell a retry from a reused key."""
    return hashlib.sha256("\x1f".join((channel, direction, note)).encode("utf-8")).hexdigest()


class Inquiry(Aggregate):
    """An inquiry from a contact, from receipt to closure."""

    class Event(Aggregate.Event):
        actor: str
        occurred_at: datetime
        correlation_id: str

    class Received(Aggregate.Created, Event):
        idempotency_key: str
        request_fingerprint: str
        channel: str
        kind: str
        contact: dict[str, str]
        subject: str
        body: str
        category: str
        department: str
        impact: str
        urgency: str
        priority: str
        agreement_id: str
        contacted_at: datetime
        external_ref: str

    class ContactLogged(Event):
        contact_key: str
        channel: str
        direction: str
        note: str

        def apply(self, aggregate: Inquiry) -> None:
            aggregate.contact_count += 1
            aggregate.contact_keys[self.contact_key] = contact_digest(
                self.channel, self.direction, self.note)

    class FirstResponseRecorded(Event):
        channel: str

        def apply(self, aggregate: Inquiry) -> None:
            aggregate.first_response_at = self.occurred_at
            if aggregate.status == Status.RECEIVED:
                aggregate.status = Status.RESPONDED

    class Assigned(Event):
        team: str
        assignee: str

        def apply(self, aggregate: Inquiry) -> None:
            aggregate.team = self.team
            aggregate.assignee = self.assignee
            if aggregate.status in (Status.RECEIVED, Status.RESPONDED):
                aggregate.status = Status.ASSIGNED

    class Escalated(Event):
        target: str
        from_tier: int
        to_tier: int
        from_department: str
        to_department: str
        to_supplier_id: str
        reason: str
        # The escalation packet: what the department or supplier is handed (schema v2).
        category: str
        priority: str
        kind: str
        subject: str

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Escalations stored before the packet existed carry it empty."""
            for name in ("category", "priority", "kind", "subject"):
                state.setdefault(name, "")

        def apply(self, aggregate: Inquiry) -> None:
            aggregate.status = Status.ESCALATED
            aggregate.tier = self.to_tier
            aggregate.escalation_count += 1
            if self.target == EscalationTarget.DEPARTMENT:
                aggregate.escalated_department = self.to_department
            if self.target == EscalationTarget.SUPPLIER:
                aggregate.supplier_id = self.to_supplier_id

    class PriorityChanged(Event):
        impact: str
        urgency: str
        priority: str
        previous_priority: str
        reason: str

        def apply(self, aggregate: Inquiry) -> None:
            aggregate.impact = self.impact
            aggregate.urgency = self.urgency
            aggregate.priority = self.priority

    class PutOnHold(Event):
        reason: str
        note: str

        def apply(self, aggregate: Inquiry) -> None:
            aggregate.status = Status.ON_HOLD
            aggregate.hold_reason = self.reason
            if self.reason == HoldReason.AWAITING_SUPPLIER:
                aggregate.waited_on_supplier = True

    class Resumed(Event):
        note: str

        def apply(self, aggregate: Inquiry) -> None:
            aggregate.status = aggregate.open_status()
            aggregate.hold_reason = ""
            aggregate.holding_engagement = ""

    class SupplierEngaged(Event):
        """The supplier service opened an engagement for this inquiry."""

        engagement_id: str
        supplier_id: str
        contract_id: str
        coverage: str
        held: bool

        def apply(self, aggregate: Inquiry) -> None:
            engagement = aggregate.engagement(self.engagement_id)
            engagement.update(engaged=True, contract_id=self.contract_id,
                              coverage=self.coverage)
            if self.supplier_id:
                engagement["supplier_id"] = self.supplier_id
                aggregate.supplier_id = self.supplier_id
            if self.held:
                aggregate.status = Status.ON_HOLD
                aggregate.hold_reason = HoldReason.AWAITING_SUPPLIER
                aggregate.waited_on_supplier = True
                aggregate.holding_engagement = self.engagement_id

    class SupplierOutcomeRecorded(Event):
        """The supplier service reported how an engagement ended."""

        engagement_id: str
        supplier_id: str
        outcome: str
        note: str
        resumed: bool

        def apply(self, aggregate: Inquiry) -> None:
            engagement = aggregate.engagement(self.engagement_id)
            engagement["outcome"] = self.outcome
            if self.supplier_id and not engagement["supplier_id"]:
                engagement["supplier_id"] = self.supplier_id
            if self.resumed:
                aggregate.status = aggregate.open_status()
                aggregate.hold_reason = ""
            if aggregate.holding_engagement == self.engagement_id:
                aggregate.holding_engagement = ""

    class Resolved(Event):
        resolution_code: str
        resolution_text: str
        faq_entry_id: str
        at_first_contact: bool

        def apply(self, aggregate: Inquiry) -> None:
            aggregate.status = Status.RESOLVED
            aggregate.hold_reason = ""
            aggregate.holding_engagement = ""
            aggregate.resolved_at = self.occurred_at
            aggregate.resolution_code = self.resolution_code
            aggregate.resolution_text = self.resolution_text
            aggregate.faq_entry_id = self.faq_entry_id
            aggregate.resolved_at_first_contact = self.at_first_contact

    class Reopened(Event):
        reason: str

        def apply(self, aggregate: Inquiry) -> None:
            aggregate.status = aggregate.open_status()
            aggregate.reopen_count += 1
            aggregate.resolved_at = None
            aggregate.resolved_at_first_contact = False

    class Closed(Event):
        def apply(self, aggregate: Inquiry) -> None:
            aggregate.status = Status.CLOSED
            aggregate.closed_at = self.occurred_at

    class SatisfactionRecorded(Event):
        score: int
        comment: str

        def apply(self, aggregate: Inquiry) -> None:
            aggregate.satisfaction_score = self.score
            aggregate.satisfaction_comment = self.comment

    def __init__(
        self,
        *,
        idempotency_key: str,
        request_fingerprint: str,
        channel: str,
        kind: str,
        contact: dict[str, str],
        subject: str,
        body: str,
        category: str,
        department: str,
        impact: str,
        urgency: str,
        priority: str,
        agreement_id: str,
        contacted_at: datetime,
        external_ref: str,
        actor: str,
        occurred_at: datetime,
        correlation_id: str,
    ) -> None:
        self.idempotency_key = idempotency_key
        self.request_fingerprint = request_fingerprint
        self.channel = channel
        self.kind = kind
        self.contact = dict(contact)
        self.subject = subject
        self.body = body
        self.category = category
        self.department = department
        self.impact = impact
        self.urgency = urgency
        self.priority = priority
        self.agreement_id = agreement_id
        self.external_ref = external_ref
        self.received_at = contacted_at
        self.received_by = actor
        self.status = Status.RECEIVED
        self.waited_on_supplier = False
        self.first_response_at: datetime | None = None
        self.resolved_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.team = ""
        self.assignee = ""
        self.tier = 1
        self.escalated_department = ""
        self.supplier_id = ""
        self.hold_reason = ""
        self.resolution_code = ""
        self.resolution_text = ""
        self.faq_entry_id = ""
        self.resolved_at_first_contact = False
        self.contact_count = 1
        self.contact_keys: dict[str, str] = {}  # contact idempotency key -> content digest
        self.escalation_count = 0
        self.reopen_count = 0
        self.satisfaction_score: int | None = None
        self.satisfaction_comment = ""
        self.engagements: dict[str, Engagement] = {}   # engagement id -> what is known
        self.holding_engagement = ""  # the engagement this inquiry is ON_HOLD for, if any

    # ----- creation -----

    @classmethod
    def receive(cls, *, inquiry_id: UUID, **fields: Any) -> Inquiry:
        return cls._create(cls.Received, id=inquiry_id, **fields)

    # ----- commands -----

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def open_status(self) -> Status:
        """The status an open inquiry has by its facts (after a hold ends or on reopen)."""
        if self.escalation_count:
            return Status.ESCALATED
        if self.team:
            return Status.ASSIGNED
        if self.first_response_at is not None:
            return Status.RESPONDED
        return Status.RECEIVED

    def is_logged_contact(self, contact_key: str, channel: str, direction: str,
                          note: str) -> bool:
        """True when this contact was logged before; the same key for other content raises."""
        digest = self.contact_keys.get(contact_key)
        if digest is None:
            return False
        if digest != contact_digest(channel, direction, note):
            raise IdempotencyKeyReused(
                "idempotency_key was already used for a different contact on this inquiry")
        return True

    def _require(self, allowed: bool, message: str) -> None:
        if not allowed:
            raise TransitionNotAllowed(message)

    def log_contact(self, *, contact_key: str, channel: str, direction: str, note: str,
                    **meta: Any) -> bool:
        """Log a further contact; False when this contact key was already logged."""
        if self.is_logged_contact(contact_key, channel, direction, note):
            return False
        self._require(self.status != Status.CLOSED,
                      "inquiry is CLOSED: a new contact opens a new inquiry")
        self.trigger_event(self.ContactLogged, contact_key=contact_key, channel=channel,
                           direction=direction, note=note, **meta)
        return True

    def record_first_response(self, *, channel: str, **meta: Any) -> None:
        self._require(self.first_response_at is None, "first response is already recorded")
        self._require(self.is_open, f"inquiry is {self.status}")
        self.trigger_event(self.FirstResponseRecorded, channel=channel, **meta)

    def assign(self, *, team: str, assignee: str, **meta: Any) -> None:
        self._require(self.is_open, f"inquiry is {self.status}: only open inquiries are assigned")
        self.trigger_event(self.Assigned, team=team, assignee=assignee, **meta)

    def escalate(self, *, target: str, to_tier: int, to_department: str, to_supplier_id: str,
                 reason: str, **meta: Any) -> None:
        self._require(self.is_open and self.status != Status.ON_HOLD,
                      f"inquiry is {self.status}: only open inquiries not on hold are escalated")
        if target == EscalationTarget.TIER:
            self._require(to_tier > self.tier,
                          f"to_tier {to_tier} is not above the current tier {self.tier}")
        new_tier = to_tier if target == EscalationTarget.TIER else self.tier
        self.trigger_event(
            self.Escalated, target=target, from_tier=self.tier, to_tier=new_tier,
            from_department=self.escalated_department or self.department,
            to_department=to_department, to_supplier_id=to_supplier_id, reason=reason,
            category=self.category, priority=self.priority, kind=self.kind,
            subject=self.subject, **meta,
        )

    def has_classification(self, impact: str, urgency: str, priority: str) -> bool:
        """True when the inquiry is already classified exactly so (impact, urgency, priority)."""
        return (self.impact, self.urgency, self.priority) == (impact, urgency, priority)

    def change_priority(self, *, impact: str, urgency: str, priority: str, reason: str,
                        **meta: Any) -> bool:
        """Re-classify an open inquiry; False when it is already classified so (a retry)."""
        if self.has_classification(impact, urgency, priority):
            return False
        self._require(self.is_open,
                      f"inquiry is {self.status}: only open inquiries change priority")
        self.trigger_event(self.PriorityChanged, impact=impact, urgency=urgency,
                           priority=priority, previous_priority=self.priority, reason=reason,
                           **meta)
        return True

    def put_on_hold(self, *, reason: str, note: str, **meta: Any) -> None:
        self._require(self.is_open and self.status != Status.ON_HOLD,
                      f"inquiry is {self.status}: only open inquiries not on hold can be held")
        self.trigger_event(self.PutOnHold, reason=reason, note=note, **meta)

    def resume(self, *, note: str, **meta: Any) -> None:
        self._require(self.status == Status.ON_HOLD, f"inquiry is {self.status}, not ON_HOLD")
        self.trigger_event(self.Resumed, note=note, **meta)

    # ----- supplier engagements (reported by the supplier service) -----

    def engagement(self, engagement_id: str) -> Engagement:
        """What is known of an engagement (created empty on first mention)."""
        return self.engagements.setdefault(engagement_id, {
            "supplier_id": "", "contract_id": "", "coverage": "", "engaged": False,
            "outcome": ""})

    def is_engagement_recorded(self, engagement_id: str) -> bool:
        """True when SupplierEngaged was recorded for this engagement."""
        return bool(self.engagements.get(engagement_id, {}).get("engaged"))

    def is_outcome_recorded(self, engagement_id: str) -> bool:
        """True when the engagement's outcome was recorded."""
        return bool(self.engagements.get(engagement_id, {}).get("outcome"))

    @property
    def is_awaiting_supplier(self) -> bool:
        return self.status == Status.ON_HOLD and self.hold_reason == HoldReason.AWAITING_SUPPLIER

    def record_supplier_engaged(self, *, engagement_id: str, supplier_id: str,
                                contract_id: str, coverage: str, **meta: Any) -> bool:
        """Record an opened engagement; False (nothing recorded) when it was recorded before.

        An open inquiry not on hold waits for the supplier: ON_HOLD AWAITING_SUPPLIER, so
        its own clocks stop. Otherwise (already on hold, resolved, closed, or the outcome
        arrived first) the fact is only recorded.
        """
        if self.is_engagement_recorded(engagement_id):
            return False
        finished = self.is_outcome_recorded(engagement_id)
        held = self.is_open and self.status != Status.ON_HOLD and not finished
        self.trigger_event(self.SupplierEngaged, engagement_id=engagement_id,
                           supplier_id=supplier_id, contract_id=contract_id,
                           coverage=coverage, held=held, **meta)
        return True

    def record_supplier_outcome(self, *, engagement_id: str, supplier_id: str, outcome: str,
                                note: str, **meta: Any) -> bool:
        """Record how an engagement ended; False (nothing recorded) when recorded before.

        When this engagement holds the inquiry (ON_HOLD AWAITING_SUPPLIER), the hold ends
        and the inquiry returns to its open status: its clocks resume.
        """
        if self.is_outcome_recorded(engagement_id):
            return False
        resumed = self.is_awaiting_supplier and self.holding_engagement == engagement_id
        self.trigger_event(self.SupplierOutcomeRecorded, engagement_id=engagement_id,
                           supplier_id=supplier_id, outcome=outcome, note=note,
                           resumed=resumed, **meta)
        return True

    def resolve(self, *, resolution_code: str, resolution_text: str, faq_entry_id: str,
                **meta: Any) -> None:
        self._require(self.is_open, f"inquiry is {self.status}: only open inquiries are resolved")
        at_first_contact = (
            self.escalation_count == 0 and self.reopen_count == 0 and self.contact_count == 1
            and not self.waited_on_supplier
        )
        self.trigger_event(self.Resolved, resolution_code=resolution_code,
                           resolution_text=resolution_text, faq_entry_id=faq_entry_id,
                           at_first_contact=at_first_contact, **meta)

    def reopen(self, *, reason: str, **meta: Any) -> None:
        self._require(self.status == Status.RESOLVED,
                      f"inquiry is {self.status}: only RESOLVED inquiries are reopened")
        self.trigger_event(self.Reopened, reason=reason, **meta)

    def close(self, **meta: Any) -> None:
        self._require(self.status == Status.RESOLVED,
                      f"inquiry is {self.status}: only RESOLVED inquiries are closed")
        self.trigger_event(self.Closed, **meta)

    def record_satisfaction(self, *, score: int, comment: str, **meta: Any) -> None:
        self._require(self.status in (Status.RESOLVED, Status.CLOSED),
                      f"inquiry is {self.status}: satisfaction is recorded after resolution")
        self._require(self.satisfaction_score is None, "satisfaction is already recorded")
        self.trigger_event(self.SatisfactionRecorded, score=score, comment=comment, **meta)
