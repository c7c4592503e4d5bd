"""Commands accepted by intake, and the rules a caller's input must satisfy.

Validation is pure: it names every offending field (as a dotted path of the gRPC
request) so the adapter can return INVALID_ARGUMENT with field violations.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from services.intake.domain.errors import InvalidField
from services.intake.domain.values import (
    AttemptOutcome,
    Channel,
    Direction,
    EscalationTarget,
    HoldReason,
    InquiryKind,
    Level,
    Limits,
    Priority,
    SupplierOutcome,
)

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # no service desk record predates this
_KEY_RE = re.compile(r"^[\x21-\x7e]+$")
_PHONE_RE = re.compile(r"^[0-9+\-() ]+$")
_LANG_RE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class ContactDetails:
    name: str
    phone: str = ""
    email: str = ""
    preferred_language: str = "ja"


@dataclass(frozen=True)
class Meta:
    """Who did it, when it happened in the real world, and the trace id."""

    actor: str = ""
    occurred_at: datetime | None = None
    correlation_id: str = ""


@dataclass(frozen=True)
class ReceiveInquiry:
    idempotency_key: str
    channel: str
    kind: str
    contact: ContactDetails
    subject: str
    body: str
    category: str
    department: str
    impact: str
    urgency: str
    priority: str
    agreement_id: str
    contacted_at: datetime | None
    external_ref: str = ""
    meta: Meta = field(default_factory=Meta)

    def fingerprint(self) -> str:
        """A digest of the business content, to recognise a retry of the same request."""
        content = asdict(self)
        content.pop("meta")
        content["contacted_at"] = self.contacted_at.isoformat() if self.contacted_at else ""
        raw = json.dumps(content, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RecordContactAttempt:
    idempotency_key: str
    outcome: str
    queue: str
    wait_seconds: int
    attempted_at: datetime | None
    inquiry_id: str = ""
    call_id: str = ""
    correlation_id: str = ""

    def fingerprint(self) -> str:
        content = asdict(self)
        content.pop("correlation_id")
        content["attempted_at"] = self.attempted_at.isoformat() if self.attempted_at else ""
        raw = json.dumps(content, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


class Violations:
    """Collects (field, message) pairs and raises them together."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, name: str, message: str) -> None:
        self.items.append((name, message))

    def text(self, name: str, value: str, limit: int, *, required: bool = False) -> None:
        if required and not value.strip():
            self.add(name, "is required")
        elif len(value) > limit:
            self.add(name, f"must be at most {limit} characters (got {len(value)})")
        elif "\x00" in value:
            self.add(name, "must not contain NUL characters")

    def enum(self, name: str, value: str, enum: type[StrEnum], *, required: bool = True) -> None:
        if not value:
            if required:
                self.add(name, f"is required: one of {', '.join(e.value for e in enum)}")
            return
        if value not in enum.__members__:
            self.add(name, f"must be one of {', '.join(e.value for e in enum)}")

    def key(self, name: str, value: str) -> None:
        if not value:
            self.add(name, "is required")
        elif len(value) > Limits.IDEMPOTENCY_KEY or not _KEY_RE.match(value):
            self.add(name, f"must be 1-{Limits.IDEMPOTENCY_KEY} printable ASCII characters")

    def time(self, name: str, value: datetime | None, now: datetime, *,
             required: bool = False) -> None:
        if value is None:
            if required:
                self.add(name, "is required")
            return
        if value.tzinfo is None:
            self.add(name, "must carry a time zone")
        elif value > now + timedelta(seconds=Limits.FUTURE_SKEW_SECONDS):
            self.add(name, "must not lie in the future")
        elif value < EARLIEST:
            self.add(name, f"must not be before {EARLIEST.date().isoformat()}")

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidField(self.items)


def check_expected_version(expected_version: int) -> None:
    if expected_version < 0:
        raise InvalidField([("context.expected_version", "must be 0 (any) or a version >= 1")])


def check_meta(v: Violations, meta: Meta, now: datetime, prefix: str = "context.") -> None:
    v.text(prefix + "actor", meta.actor, Limits.ACTOR)
    v.text(prefix + "correlation_id", meta.correlation_id, Limits.CORRELATION_ID)
    v.time(prefix + "occurred_at", meta.occurred_at, now)


def check_classification(v: Violations, impact: str, urgency: str, priority: str) -> None:
    """Impact and urgency (priority by the matrix), or an explicit priority overriding it."""
    v.enum("priority", priority, Priority, required=False)
    v.enum("impact", impact, Level, required=not priority)
    v.enum("urgency", urgency, Level, required=not priority)


def validate_receive(cmd: ReceiveInquiry, now: datetime) -> None:
    v = Violations()
    v.key("idempotency_key", cmd.idempotency_key)
    v.enum("channel", cmd.channel, Channel)
    v.enum("kind", cmd.kind, InquiryKind)
    v.text("contact.name", cmd.contact.name, Limits.NAME, required=True)
    v.text("contact.phone", cmd.contact.phone, Limits.PHONE)
    if cmd.contact.phone and not _PHONE_RE.match(cmd.contact.phone):
        v.add("contact.phone", "may contain only digits, spaces and + - ( )")
    v.text("contact.email", cmd.contact.email, Limits.EMAIL)
    if cmd.contact.email and ("@" not in cmd.contact.email or " " in cmd.contact.email):
        v.add("contact.email", "must be an e-mail address")
    v.text("contact.preferred_language", cmd.contact.preferred_language, Limits.LANGUAGE)
    if cmd.contact.preferred_language and not _LANG_RE.match(cmd.contact.preferred_language):
        v.add("contact.preferred_language", "must be a BCP 47 language tag such as ja or en-US")
    v.text("subject", cmd.subject, Limits.SUBJECT, required=True)
    v.text("body", cmd.body, Limits.BODY)
    v.text("category", cmd.category, Limits.CATEGORY, required=True)
    v.text("department", cmd.department, Limits.DEPARTMENT)
    v.text("agreement_id", cmd.agreement_id, Limits.AGREEMENT_ID, required=True)
    v.text("external_ref", cmd.external_ref, Limits.EXTERNAL_REF)
    check_classification(v, cmd.impact, cmd.urgency, cmd.priority)
    v.time("contacted_at", cmd.contacted_at, now, required=True)
    check_meta(v, cmd.meta, now, prefix="")
    v.raise_if_any()


def validate_contact_attempt(cmd: RecordContactAttempt, now: datetime) -> None:
    v = Violations()
    v.key("idempotency_key", cmd.idempotency_key)
    v.enum("outcome", cmd.outcome, AttemptOutcome)
    v.text("queue", cmd.queue, Limits.QUEUE, required=True)
    if not 0 <= cmd.wait_seconds <= Limits.MAX_WAIT_SECONDS:
        v.add("wait_seconds", f"must be between 0 and {Limits.MAX_WAIT_SECONDS}")
    v.time("attempted_at", cmd.attempted_at, now, required=True)
    if cmd.inquiry_id and not _is_uuid(cmd.inquiry_id):
        v.add("inquiry_id", "must be empty or an inquiry id (UUID)")
    v.text("call_id", cmd.call_id, Limits.CALL_ID)
    v.text("correlation_id", cmd.correlation_id, Limits.CORRELATION_ID)
    v.raise_if_any()


def validate_log_contact(key: str, channel: str, direction: str, note: str, meta: Meta,
                         now: datetime) -> None:
    v = Violations()
    v.key("idempotency_key", key)
    v.enum("channel", channel, Channel)
    v.enum("direction", direction, Direction, required=False)
    v.text("note", note, Limits.NOTE)
    check_meta(v, meta, now)
    v.raise_if_any()


def validate_first_response(channel: str, meta: Meta, now: datetime) -> None:
    v = Violations()
    v.enum("channel", channel, Channel, required=False)
    check_meta(v, meta, now)
    v.raise_if_any()


def validate_assign(team: str, assignee: str, meta: Meta, now: datetime) -> None:
    v = Violations()
    v.text("team", team, Limits.TEAM, required=True)
    v.text("assignee", assignee, Limits.ACTOR)
    check_meta(v, meta, now)
    v.raise_if_any()


def validate_escalate(target: str, to_tier: int, to_department: str, to_supplier_id: str,
                      reason: str, meta: Meta, now: datetime) -> None:
    v = Violations()
    v.enum("target", target, EscalationTarget)
    if target == EscalationTarget.TIER and not 2 <= to_tier <= Limits.MAX_TIER:
        v.add("to_tier", f"must be between 2 and {Limits.MAX_TIER} for a TIER escalation")
    if target != EscalationTarget.TIER and to_tier:
        v.add("to_tier", "is only allowed for a TIER escalation")
    v.text("to_department", to_department, Limits.DEPARTMENT,
           required=target == EscalationTarget.DEPARTMENT)
    v.text("to_supplier_id", to_supplier_id, Limits.AGREEMENT_ID,
           required=target == EscalationTarget.SUPPLIER)
    v.text("reason", reason, Limits.REASON, required=True)
    check_meta(v, meta, now)
    v.raise_if_any()


def validate_change_priority(impact: str, urgency: str, priority: str, reason: str,
                             meta: Meta, now: datetime) -> None:
    v = Violations()
    check_classification(v, impact, urgency, priority)
    v.text("reason", reason, Limits.REASON, required=True)
    check_meta(v, meta, now)
    v.raise_if_any()


def validate_hold(reason: str, note: str, meta: Meta, now: datetime) -> None:
    v = Violations()
    v.enum("reason", reason, HoldReason)
    v.text("note", note, Limits.NOTE)
    check_meta(v, meta, now)
    v.raise_if_any()


def validate_note(name: str, note: str, meta: Meta, now: datetime, *,
                  required: bool = False, limit: int = Limits.NOTE) -> None:
    v = Violations()
    v.text(name, note, limit, required=required)
    check_meta(v, meta, now)
    v.raise_if_any()


def validate_resolve(code: str, text: str, faq_entry_id: str, meta: Meta, now: datetime) -> None:
    v = Violations()
    v.text("resolution_code", code, Limits.RESOLUTION_CODE, required=True)
    v.text("resolution_text", text, Limits.RESOLUTION_TEXT, required=True)
    v.text("faq_entry_id", faq_entry_id, Limits.FAQ_ENTRY_ID)
    check_meta(v, meta, now)
    v.raise_if_any()


def validate_satisfaction(score: int, comment: str, meta: Meta, now: datetime) -> None:
    v = Violations()
    if not 0 <= score <= 10:
        v.add("score", "must be between 0 and 10")
    v.text("comment", comment, Limits.COMMENT)
    check_meta(v, meta, now)
    v.raise_if_any()


# Supplier facts come from the supplier service's stream, not from a person: only what
# would make the record meaningless is refused, so a reported fact is never lost to a
# limit (long texts are the supplier's to bound).
ENGAGEMENT_ID_LIMIT = 64


def _check_engagement(v: Violations, engagement_id: str, supplier_id: str) -> None:
    v.text("engagement_id", engagement_id, ENGAGEMENT_ID_LIMIT, required=True)
    v.text("supplier_id", supplier_id, Limits.NOTE)


def validate_supplier_engaged(engagement_id: str, supplier_id: str, contract_id: str,
                              coverage: str) -> None:
    v = Violations()
    _check_engagement(v, engagement_id, supplier_id)
    v.text("contract_id", contract_id, Limits.NOTE)
    v.text("coverage", coverage, Limits.NOTE)
    v.raise_if_any()


def validate_supplier_outcome(engagement_id: str, supplier_id: str, outcome: str,
                              note: str) -> None:
    v = Violations()
    _check_engagement(v, engagement_id, supplier_id)
    v.enum("outcome", outcome, SupplierOutcome)
    v.text("note", note, 1_000_000)
    v.raise_if_any()
