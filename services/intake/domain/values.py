"""Value types of an inquiry: enumerations, the priority matrix and documented limits."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    PHONE = "PHONE"
    FAX = "FAX"
    EMAIL = "EMAIL"
    CHAT = "CHAT"
    WEB_FORM = "WEB_FORM"
    WALK_IN = "WALK_IN"
    LETTER = "LETTER"


class InquiryKind(StrEnum):
    QUESTION = "QUESTION"
    REQUEST = "REQUEST"
    INCIDENT = "INCIDENT"
    COMPLAINT = "COMPLAINT"


class Level(StrEnum):
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"
    P5 = "P5"


class Status(StrEnum):
    RECEIVED = "RECEIVED"
    RESPONDED = "RESPONDED"
    ASSIGNED = "ASSIGNED"
    ESCALATED = "ESCALATED"
    ON_HOLD = "ON_HOLD"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


OPEN_STATUSES = frozenset(
    {Status.RECEIVED, Status.RESPONDED, Status.ASSIGNED, Status.ESCALATED, Status.ON_HOLD}
)


class HoldReason(StrEnum):
    AWAITING_CUSTOMER = "AWAITING_CUSTOMER"
    AWAITING_SUPPLIER = "AWAITING_SUPPLIER"
    OTHER = "OTHER"


class EscalationTarget(StrEnum):
    TIER = "TIER"
    DEPARTMENT = "DEPARTMENT"
    SUPPLIER = "SUPPLIER"


class SupplierOutcome(StrEnum):
    """How a supplier engagement ended, as the supplier service reports it."""

    RESOLVED = "RESOLVED"
    HANDED_BACK = "HANDED_BACK"
    WITHDRAWN = "WITHDRAWN"


class AttemptOutcome(StrEnum):
    OFFERED = "OFFERED"
    ANSWERED = "ANSWERED"
    ABANDONED = "ABANDONED"


class Direction(StrEnum):
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


# ITIL-style impact × urgency matrix. Rows: impact; columns: urgency.
#              urgency HIGH  MEDIUM  LOW
# impact HIGH          P1    P2      P3
#        MEDIUM        P2    P3      P4
#        LOW           P3    P4      P5
PRIORITY_MATRIX: dict[tuple[Level, Level], Priority] = {
    (Level.HIGH, Level.HIGH): Priority.P1,
    (Level.HIGH, Level.MEDIUM): Priority.P2,
    (Level.HIGH, Level.LOW): Priority.P3,
    (Level.MEDIUM, Level.HIGH): Priority.P2,
    (Level.MEDIUM, Level.MEDIUM): Priority.P3,
    (Level.MEDIUM, Level.LOW): Priority.P4,
    (Level.LOW, Level.HIGH): Priority.P3,
    (Level.LOW, Level.MEDIUM): Priority.P4,
    (Level.LOW, Level.LOW): Priority.P5,
}


def derive_priority(impact: Level, urgency: Level) -> Priority:
    """Priority from impact and urgency by the documented matrix."""
    return PRIORITY_MATRIX[(impact, urgency)]


class Limits:
    """Documented size limits, counted in Unicode characters (not bytes)."""

    IDEMPOTENCY_KEY = 128
    NAME = 100
    PHONE = 32
    EMAIL = 254
    LANGUAGE = 35
    SUBJECT = 200
    BODY = 10_000
    CATEGORY = 100
    DEPARTMENT = 100
    AGREEMENT_ID = 64
    EXTERNAL_REF = 128
    ACTOR = 100
    TEAM = 100
    REASON = 1_000
    NOTE = 10_000
    RESOLUTION_CODE = 64
    RESOLUTION_TEXT = 10_000
    FAQ_ENTRY_ID = 64
    COMMENT = 2_000
    QUEUE = 100
    CALL_ID = 128
    CORRELATION_ID = 128
    MAX_TIER = 9
    MAX_WAIT_SECONDS = 86_400
    FUTURE_SKEW_SECONDS = 300
