"""IntakeApplication: the use cases of intake on top of an ``eventsourcing`` event store.

Every accepted command is stored (committed to the database) before the call returns,
so a reply always means "durable". Idempotent creation derives aggregate ids from the
caller's idempotency key; concurrent writers are detected by the store's unique
(aggregate id, version) constraint and retried, or reported as ABORTED when the caller
asked for a specific version.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from madoguchi.aggregate_change import change_aggregate
from madoguchi.eventstream.records import event_type_name
from madoguchi.eventstream.save_listeners import SaveListeners
from madoguchi.jsonable import jsonable
from madoguchi.observability.outbox_mapper import MAPPER_ENV
from madoguchi.observability.tracing import TRACE_ATTRIBUTE
from services.intake.application import commands as c
from services.intake.domain.contact_attempt import ContactAttempt, attempt_id_for
from services.intake.domain.errors import IdempotencyKeyReused, NotFound
from services.intake.domain.inquiry import Inquiry, inquiry_id_for
from services.intake.domain.values import Direction, Level, Priority, derive_priority


@dataclass(frozen=True)
class Outcome:
    """An aggregate after a command, and whether the command was a replayed retry."""

    aggregate: Any
    replayed: bool = False


@dataclass(frozen=True)
class HistoryItem:
    version: int
    event_type: str
    recorded_at: datetime
    occurred_at: datetime | None
    actor: str
    details: dict[str, Any]


_ENVELOPE = {"originator_id", "originator_version", "originator_topic", "timestamp", "actor",
             "occurred_at", "correlation_id"}


class IntakeApplication(SaveListeners, Application[UUID]):
    """Intake's write side."""

    name = "intake"
    env: ClassVar[dict[str, str]] = {"IS_SNAPSHOTTING_ENABLED": "n", **MAPPER_ENV}

    def __init__(self, env: dict[str, str] | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(env)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()

    def _meta(self, meta: c.Meta, now: datetime) -> dict[str, Any]:
        return {"actor": meta.actor, "occurred_at": meta.occurred_at or now,
                "correlation_id": meta.correlation_id}

    # ----- creating calls -----

    def receive_inquiry(self, cmd: c.ReceiveInquiry) -> Outcome:
        now = self._clock()
        c.validate_receive(cmd, now)
        inquiry_id = inquiry_id_for(cmd.idempotency_key)
        fingerprint = cmd.fingerprint()
        existing = self._find(inquiry_id)
        if existing is not None:
            return self._replay(existing, fingerprint)
        priority = cmd.priority or derive_priority(Level(cmd.impact), Level(cmd.urgency))
        inquiry = Inquiry.receive(
            inquiry_id=inquiry_id,
            idempotency_key=cmd.idempotency_key,
            request_fingerprint=fingerprint,
            channel=cmd.channel,
            kind=cmd.kind,
            contact={
                "name": cmd.contact.name,
                "phone": cmd.contact.phone,
                "email": cmd.contact.email,
                "preferred_language": cmd.contact.preferred_language or "ja",
            },
            subject=cmd.subject,
            body=cmd.body,
            category=cmd.category,
            department=cmd.department,
            impact=cmd.impact,
            urgency=cmd.urgency,
            priority=str(Priority(priority)),
            agreement_id=cmd.agreement_id,
            contacted_at=cmd.contacted_at,
            external_ref=cmd.external_ref,
            **self._meta(c.Meta(cmd.meta.actor, cmd.meta.occurred_at or cmd.contacted_at,
                                cmd.meta.correlation_id), now),
        )
        try:
            self.save(inquiry)
        except IntegrityError:
            # A concurrent call with the same key won the race: answer as a retry.
            return self._replay(self._get(inquiry_id), fingerprint)
        return Outcome(inquiry)

    def record_contact_attempt(self, cmd: c.RecordContactAttempt) -> Outcome:
        now = self._clock()
        c.validate_contact_attempt(cmd, now)
        attempt_id = attempt_id_for(cmd.idempotency_key)
        fingerprint = cmd.fingerprint()
        existing = self._find(attempt_id)
        if existing is not None:
            return self._replay(existing, fingerprint)
        attempt = ContactAttempt.record(
            attempt_id=attempt_id, idempotency_key=cmd.idempotency_key,
            request_fingerprint=fingerprint, outcome=cmd.outcome, queue=cmd.queue,
            wait_seconds=cmd.wait_seconds, attempted_at=cmd.attempted_at,
            inquiry_id=cmd.inquiry_id, call_id=cmd.call_id, correlation_id=cmd.correlation_id,
        )
        try:
            self.save(attempt)
        except IntegrityError:
            return self._replay(self._get(attempt_id), fingerprint)
        return Outcome(attempt)

    def _replay(self, aggregate: Any, fingerprint: str) -> Outcome:
        if aggregate.request_fingerprint != fingerprint:
            raise IdempotencyKeyReused(
                "idempotency_key was already used for a different request"
            )
        return Outcome(aggregate, replayed=True)

    # ----- commands on an existing inquiry -----

    @staticmethod
    def _validate(inquiry_id: str, validate: Callable[[], None]) -> None:
        """Run ``validate`` and the id check together, so every bad field is reported."""
        violations: list[tuple[str, str]] = []
        try:
            parse_id(inquiry_id, "context.inquiry_id")
        except c.InvalidField as error:
            violations += error.violations
        try:
            validate()
        except c.InvalidField as error:
            violations += error.violations
        if violations:
            raise c.InvalidField(violations)

    def _change(self, inquiry_id: str, expected_version: int, meta: c.Meta,
                action: Callable[[Inquiry, dict[str, Any]], bool | None],
                is_retry: Callable[[Inquiry], bool] | None = None) -> Outcome:
        """Load, check the expected version, apply ``action``, save; retry on races.

        ``is_retry`` recognises a repeated idempotent call before the version check, so an
        exact retry of a conditional call that succeeded is answered as a replay.
        """
        uid = parse_id(inquiry_id, "context.inquiry_id")
        c.check_expected_version(expected_version)
        now = self._clock()
        change = change_aggregate(
            self, uid, kind=Inquiry, label=f"inquiry {inquiry_id}",
            action=lambda inquiry: action(inquiry, self._meta(meta, now)),
            expected_version=expected_version, is_retry=is_retry)
        return Outcome(change.aggregate, replayed=change.replayed)

    def log_contact(self, inquiry_id: str, expected_version: int, meta: c.Meta,
                    idempotency_key: str, channel: str, direction: str, note: str) -> Outcome:
        self._validate(inquiry_id, lambda: c.validate_log_contact(
            idempotency_key, channel, direction, note, meta, self._clock()))
        direction = direction or Direction.INBOUND
        return self._change(
            inquiry_id, expected_version, meta,
            lambda i, m: i.log_contact(contact_key=idempotency_key, channel=channel,
                                       direction=direction, note=note, **m),
            is_retry=lambda i: i.is_logged_contact(idempotency_key, channel, direction, note))

    def record_first_response(self, inquiry_id: str, expected_version: int, meta: c.Meta,
                              channel: str) -> Outcome:
        self._validate(inquiry_id, lambda: c.validate_first_response(channel, meta, self._clock()))
        return self._change(inquiry_id, expected_version, meta,
                            lambda i, m: i.record_first_response(channel=channel or i.channel,
                                                                 **m))

    def assign(self, inquiry_id: str, expected_version: int, meta: c.Meta, team: str,
               assignee: str) -> Outcome:
        self._validate(inquiry_id, lambda: c.validate_assign(team, assignee, meta, self._clock()))
        return self._change(inquiry_id, expected_version, meta,
                            lambda i, m: i.assign(team=team, assignee=assignee, **m))

    def escalate(self, inquiry_id: str, expected_version: int, meta: c.Meta, target: str,
                 to_tier: int, to_department: str, to_supplier_id: str, reason: str) -> Outcome:
        self._validate(inquiry_id, lambda: c.validate_escalate(
            target, to_tier, to_department, to_supplier_id, reason, meta, self._clock()))
        return self._change(inquiry_id, expected_version, meta, lambda i, m: i.escalate(
            target=target, to_tier=to_tier, to_department=to_department,
            to_supplier_id=to_supplier_id, reason=reason, **m))

    def change_priority(self, inquiry_id: str, expected_version: int, meta: c.Meta,
                        impact: str, urgency: str, priority: str, reason: str) -> Outcome:
        """Re-classify an open inquiry, as at receipt: impact × urgency, or an explicit priority.

        The classification the inquiry already has is answered as a replay and stores
        nothing, so a retried (even conditional) change is safe.
        """
        self._validate(inquiry_id, lambda: c.validate_change_priority(
            impact, urgency, priority, reason, meta, self._clock()))
        derived = str(Priority(priority or derive_priority(Level(impact), Level(urgency))))
        return self._change(
            inquiry_id, expected_version, meta,
            lambda i, m: i.change_priority(impact=impact, urgency=urgency, priority=derived,
                                           reason=reason, **m),
            is_retry=lambda i: i.has_classification(impact, urgency, derived))

    def put_on_hold(self, inquiry_id: str, expected_version: int, meta: c.Meta, reason: str,
                    note: str) -> Outcome:
        self._validate(inquiry_id, lambda: c.validate_hold(reason, note, meta, self._clock()))
        return self._change(inquiry_id, expected_version, meta,
                            lambda i, m: i.put_on_hold(reason=reason, note=note, **m))

    def resume(self, inquiry_id: str, expected_version: int, meta: c.Meta,
               note: str) -> Outcome:
        self._validate(inquiry_id, lambda: c.validate_note("note", note, meta, self._clock()))
        return self._change(inquiry_id, expected_version, meta,
                            lambda i, m: i.resume(note=note, **m))

    def resolve(self, inquiry_id: str, expected_version: int, meta: c.Meta, code: str,
                text: str, faq_entry_id: str) -> Outcome:
        self._validate(inquiry_id, lambda: c.validate_resolve(
            code, text, faq_entry_id, meta, self._clock()))
        return self._change(inquiry_id, expected_version, meta, lambda i, m: i.resolve(
            resolution_code=code, resolution_text=text, faq_entry_id=faq_entry_id, **m))

    def reopen(self, inquiry_id: str, expected_version: int, meta: c.Meta,
               reason: str) -> Outcome:
        self._validate(inquiry_id, lambda: c.validate_note(
            "reason", reason, meta, self._clock(), required=True, limit=c.Limits.REASON))
        return self._change(inquiry_id, expected_version, meta,
                            lambda i, m: i.reopen(reason=reason, **m))

    def close_inquiry(self, inquiry_id: str, expected_version: int, meta: c.Meta) -> Outcome:
        self._validate(inquiry_id, lambda: c.validate_note("note", "", meta, self._clock()))
        return self._change(inquiry_id, expected_version, meta, lambda i, m: i.close(**m))

    def record_satisfaction(self, inquiry_id: str, expected_version: int, meta: c.Meta,
                            score: int, comment: str) -> Outcome:
        self._validate(inquiry_id, lambda: c.validate_satisfaction(
            score, comment, meta, self._clock()))
        return self._change(inquiry_id, expected_version, meta,
                            lambda i, m: i.record_satisfaction(score=score, comment=comment,
                                                               **m))

    # ----- supplier engagements (from the supplier service's stream) -----

    def record_supplier_engaged(self, inquiry_id: str, meta: c.Meta, engagement_id: str,
                                supplier_id: str, contract_id: str, coverage: str) -> Outcome:
        """Record an opened engagement on the inquiry (ON_HOLD AWAITING_SUPPLIER if open).

        Idempotent per engagement: a repeat stores nothing and is answered as a replay.
        """
        self._validate(inquiry_id, lambda: c.validate_supplier_engaged(
            engagement_id, supplier_id, contract_id, coverage))
        return self._change(
            inquiry_id, 0, meta,
            lambda i, m: i.record_supplier_engaged(
                engagement_id=engagement_id, supplier_id=supplier_id,
                contract_id=contract_id, coverage=coverage, **m),
            is_retry=lambda i: i.is_engagement_recorded(engagement_id))

    def record_supplier_outcome(self, inquiry_id: str, meta: c.Meta, engagement_id: str,
                                supplier_id: str, outcome: str, note: str) -> Outcome:
        """Record how an engagement ended; ends the hold it caused, so the clocks resume.

        Idempotent per engagement: a repeat stores nothing and is answered as a replay.
        """
        self._validate(inquiry_id, lambda: c.validate_supplier_outcome(
            engagement_id, supplier_id, outcome, note))
        return self._change(
            inquiry_id, 0, meta,
            lambda i, m: i.record_supplier_outcome(
                engagement_id=engagement_id, supplier_id=supplier_id, outcome=outcome,
                note=note, **m),
            is_retry=lambda i: i.is_outcome_recorded(engagement_id))

    # ----- queries -----

    def get_inquiry(self, inquiry_id: str) -> Inquiry:
        uid = parse_id(inquiry_id, "inquiry_id")
        inquiry = self._find(uid)
        if not isinstance(inquiry, Inquiry):
            raise NotFound(f"inquiry {inquiry_id} not found")
        return inquiry

    def history(self, inquiry_id: str) -> list[HistoryItem]:
        inquiry = self.get_inquiry(inquiry_id)
        return [history_item(e) for e in self.events.get(inquiry.id)]

    def _find(self, aggregate_id: UUID) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def _get(self, aggregate_id: UUID) -> Any:
        found = self._find(aggregate_id)
        if found is None:
            raise NotFound(f"{aggregate_id} not found")
        return found


def history_item(event: Any) -> HistoryItem:
    details = {k: jsonable(v) for k, v in event.__dict__.items() if k not in _ENVELOPE}
    details.pop("request_fingerprint", None)
    details.pop(TRACE_ATTRIBUTE, None)   # how it was traced is not part of its history
    return HistoryItem(
        version=event.originator_version,
        event_type=event_type_name(event),
        recorded_at=event.timestamp,
        occurred_at=getattr(event, "occurred_at", None),
        actor=getattr(event, "actor", ""),
        details=details,
    )


def parse_id(value: str, field_name: str) -> UUID:
    """Parse an aggregate id given by a caller; malformed ids are INVALID_ARGUMENT."""
    try:
        return UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise c.InvalidField([(field_name, "must be a UUID")]) from None


def history_json(details: dict[str, Any]) -> str:
    return json.dumps(details, ensure_ascii=False, sort_keys=True)

