import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_UNSPECIFIED: _ClassVar[Channel]
    PHONE: _ClassVar[Channel]
    FAX: _ClassVar[Channel]
    EMAIL: _ClassVar[Channel]
    CHAT: _ClassVar[Channel]
    WEB_FORM: _ClassVar[Channel]
    WALK_IN: _ClassVar[Channel]
    LETTER: _ClassVar[Channel]

class InquiryKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INQUIRY_KIND_UNSPECIFIED: _ClassVar[InquiryKind]
    QUESTION: _ClassVar[InquiryKind]
    REQUEST: _ClassVar[InquiryKind]
    INCIDENT: _ClassVar[InquiryKind]
    COMPLAINT: _ClassVar[InquiryKind]

class Level(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEVEL_UNSPECIFIED: _ClassVar[Level]
    HIGH: _ClassVar[Level]
    MEDIUM: _ClassVar[Level]
    LOW: _ClassVar[Level]

class Priority(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRIORITY_UNSPECIFIED: _ClassVar[Priority]
    P1: _ClassVar[Priority]
    P2: _ClassVar[Priority]
    P3: _ClassVar[Priority]
    P4: _ClassVar[Priority]
    P5: _ClassVar[Priority]

class InquiryStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INQUIRY_STATUS_UNSPECIFIED: _ClassVar[InquiryStatus]
    RECEIVED: _ClassVar[InquiryStatus]
    RESPONDED: _ClassVar[InquiryStatus]
    ASSIGNED: _ClassVar[InquiryStatus]
    ESCALATED: _ClassVar[InquiryStatus]
    ON_HOLD: _ClassVar[InquiryStatus]
    RESOLVED: _ClassVar[InquiryStatus]
    CLOSED: _ClassVar[InquiryStatus]

class HoldReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HOLD_REASON_UNSPECIFIED: _ClassVar[HoldReason]
    AWAITING_CUSTOMER: _ClassVar[HoldReason]
    AWAITING_SUPPLIER: _ClassVar[HoldReason]
    OTHER: _ClassVar[HoldReason]

class EscalationTarget(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ESCALATION_TARGET_UNSPECIFIED: _ClassVar[EscalationTarget]
    TIER: _ClassVar[EscalationTarget]
    DEPARTMENT: _ClassVar[EscalationTarget]
    SUPPLIER: _ClassVar[EscalationTarget]

class AttemptOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ATTEMPT_OUTCOME_UNSPECIFIED: _ClassVar[AttemptOutcome]
    OFFERED: _ClassVar[AttemptOutcome]
    ANSWERED: _ClassVar[AttemptOutcome]
    ABANDONED: _ClassVar[AttemptOutcome]
CHANNEL_UNSPECIFIED: Channel
PHONE: Channel
FAX: Channel
EMAIL: Channel
CHAT: Channel
WEB_FORM: Channel
WALK_IN: Channel
LETTER: Channel
INQUIRY_KIND_UNSPECIFIED: InquiryKind
QUESTION: InquiryKind
REQUEST: InquiryKind
INCIDENT: InquiryKind
COMPLAINT: InquiryKind
LEVEL_UNSPECIFIED: Level
HIGH: Level
MEDIUM: Level
LOW: Level
PRIORITY_UNSPECIFIED: Priority
P1: Priority
P2: Priority
P3: Priority
P4: Priority
P5: Priority
INQUIRY_STATUS_UNSPECIFIED: InquiryStatus
RECEIVED: InquiryStatus
RESPONDED: InquiryStatus
ASSIGNED: InquiryStatus
ESCALATED: InquiryStatus
ON_HOLD: InquiryStatus
RESOLVED: InquiryStatus
CLOSED: InquiryStatus
HOLD_REASON_UNSPECIFIED: HoldReason
AWAITING_CUSTOMER: HoldReason
AWAITING_SUPPLIER: HoldReason
OTHER: HoldReason
ESCALATION_TARGET_UNSPECIFIED: EscalationTarget
TIER: EscalationTarget
DEPARTMENT: EscalationTarget
SUPPLIER: EscalationTarget
ATTEMPT_OUTCOME_UNSPECIFIED: AttemptOutcome
OFFERED: AttemptOutcome
ANSWERED: AttemptOutcome
ABANDONED: AttemptOutcome

class Contact(_message.Message):
    __slots__ = ("name", "phone", "email", "preferred_language")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    name: str
    phone: str
    email: str
    preferred_language: str
    def __init__(self, name: _Optional[str] = ..., phone: _Optional[str] = ..., email: _Optional[str] = ..., preferred_language: _Optional[str] = ...) -> None: ...

class ReceiveInquiryRequest(_message.Message):
    __slots__ = ("idempotency_key", "channel", "kind", "contact", "subject", "body", "category", "department", "impact", "urgency", "priority", "agreement_id", "contacted_at", "external_ref", "actor", "correlation_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    IMPACT_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACTED_AT_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_REF_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    channel: Channel
    kind: InquiryKind
    contact: Contact
    subject: str
    body: str
    category: str
    department: str
    impact: Level
    urgency: Level
    priority: Priority
    agreement_id: str
    contacted_at: _timestamp_pb2.Timestamp
    external_ref: str
    actor: str
    correlation_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., channel: _Optional[_Union[Channel, str]] = ..., kind: _Optional[_Union[InquiryKind, str]] = ..., contact: _Optional[_Union[Contact, _Mapping]] = ..., subject: _Optional[str] = ..., body: _Optional[str] = ..., category: _Optional[str] = ..., department: _Optional[str] = ..., impact: _Optional[_Union[Level, str]] = ..., urgency: _Optional[_Union[Level, str]] = ..., priority: _Optional[_Union[Priority, str]] = ..., agreement_id: _Optional[str] = ..., contacted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., external_ref: _Optional[str] = ..., actor: _Optional[str] = ..., correlation_id: _Optional[str] = ...) -> None: ...

class Inquiry(_message.Message):
    __slots__ = ("inquiry_id", "version", "status", "channel", "kind", "contact", "subject", "body", "category", "department", "impact", "urgency", "priority", "agreement_id", "external_ref", "received_at", "first_response_at", "resolved_at", "closed_at", "team", "assignee", "tier", "escalated_department", "supplier_id", "hold_reason", "resolution_code", "resolution_text", "faq_entry_id", "resolved_at_first_contact", "contact_count", "escalation_count", "reopen_count", "has_satisfaction", "satisfaction_score", "satisfaction_comment")
    INQUIRY_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    IMPACT_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_REF_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    FIRST_RESPONSE_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_AT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    ESCALATED_DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    HOLD_REASON_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_CODE_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_TEXT_FIELD_NUMBER: _ClassVar[int]
    FAQ_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_AT_FIRST_CONTACT_FIELD_NUMBER: _ClassVar[int]
    CONTACT_COUNT_FIELD_NUMBER: _ClassVar[int]
    ESCALATION_COUNT_FIELD_NUMBER: _ClassVar[int]
    REOPEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    HAS_SATISFACTION_FIELD_NUMBER: _ClassVar[int]
    SATISFACTION_SCORE_FIELD_NUMBER: _ClassVar[int]
    SATISFACTION_COMMENT_FIELD_NUMBER: _ClassVar[int]
    inquiry_id: str
    version: int
    status: InquiryStatus
    channel: Channel
    kind: InquiryKind
    contact: Contact
    subject: str
    body: str
    category: str
    department: str
    impact: Level
    urgency: Level
    priority: Priority
    agreement_id: str
    external_ref: str
    received_at: _timestamp_pb2.Timestamp
    first_response_at: _timestamp_pb2.Timestamp
    resolved_at: _timestamp_pb2.Timestamp
    closed_at: _timestamp_pb2.Timestamp
    team: str
    assignee: str
    tier: int
    escalated_department: str
    supplier_id: str
    hold_reason: HoldReason
    resolution_code: str
    resolution_text: str
    faq_entry_id: str
    resolved_at_first_contact: bool
    contact_count: int
    escalation_count: int
    reopen_count: int
    has_satisfaction: bool
    satisfaction_score: int
    satisfaction_comment: str
    def __init__(self, inquiry_id: _Optional[str] = ..., version: _Optional[int] = ..., status: _Optional[_Union[InquiryStatus, str]] = ..., channel: _Optional[_Union[Channel, str]] = ..., kind: _Optional[_Union[InquiryKind, str]] = ..., contact: _Optional[_Union[Contact, _Mapping]] = ..., subject: _Optional[str] = ..., body: _Optional[str] = ..., category: _Optional[str] = ..., department: _Optional[str] = ..., impact: _Optional[_Union[Level, str]] = ..., urgency: _Optional[_Union[Level, str]] = ..., priority: _Optional[_Union[Priority, str]] = ..., agreement_id: _Optional[str] = ..., external_ref: _Optional[str] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., first_response_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., team: _Optional[str] = ..., assignee: _Optional[str] = ..., tier: _Optional[int] = ..., escalated_department: _Optional[str] = ..., supplier_id: _Optional[str] = ..., hold_reason: _Optional[_Union[HoldReason, str]] = ..., resolution_code: _Optional[str] = ..., resolution_text: _Optional[str] = ..., faq_entry_id: _Optional[str] = ..., resolved_at_first_contact: _Optional[bool] = ..., contact_count: _Optional[int] = ..., escalation_count: _Optional[int] = ..., reopen_count: _Optional[int] = ..., has_satisfaction: _Optional[bool] = ..., satisfaction_score: _Optional[int] = ..., satisfaction_comment: _Optional[str] = ...) -> None: ...

class HistoryEntry(_message.Message):
    __slots__ = ("version", "event_type", "recorded_at", "occurred_at", "actor", "details_json")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    DETAILS_JSON_FIELD_NUMBER: _ClassVar[int]
    version: int
    event_type: str
    recorded_at: _timestamp_pb2.Timestamp
    occurred_at: _timestamp_pb2.Timestamp
    actor: str
    details_json: str
    def __init__(self, version: _Optional[int] = ..., event_type: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., details_json: _Optional[str] = ...) -> None: ...

class ReceiveInquiryResponse(_message.Message):
    __slots__ = ("inquiry", "replayed")
    INQUIRY_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    inquiry: Inquiry
    replayed: bool
    def __init__(self, inquiry: _Optional[_Union[Inquiry, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class InquiryReply(_message.Message):
    __slots__ = ("inquiry", "replayed")
    INQUIRY_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    inquiry: Inquiry
    replayed: bool
    def __init__(self, inquiry: _Optional[_Union[Inquiry, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class CommandContext(_message.Message):
    __slots__ = ("inquiry_id", "expected_version", "actor", "occurred_at", "correlation_id")
    INQUIRY_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    inquiry_id: str
    expected_version: int
    actor: str
    occurred_at: _timestamp_pb2.Timestamp
    correlation_id: str
    def __init__(self, inquiry_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., actor: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., correlation_id: _Optional[str] = ...) -> None: ...

class LogContactRequest(_message.Message):
    __slots__ = ("context", "idempotency_key", "channel", "direction", "note")
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    context: CommandContext
    idempotency_key: str
    channel: Channel
    direction: str
    note: str
    def __init__(self, context: _Optional[_Union[CommandContext, _Mapping]] = ..., idempotency_key: _Optional[str] = ..., channel: _Optional[_Union[Channel, str]] = ..., direction: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class RecordFirstResponseRequest(_message.Message):
    __slots__ = ("context", "channel")
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    context: CommandContext
    channel: Channel
    def __init__(self, context: _Optional[_Union[CommandContext, _Mapping]] = ..., channel: _Optional[_Union[Channel, str]] = ...) -> None: ...

class AssignInquiryRequest(_message.Message):
    __slots__ = ("context", "team", "assignee")
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_FIELD_NUMBER: _ClassVar[int]
    context: CommandContext
    team: str
    assignee: str
    def __init__(self, context: _Optional[_Union[CommandContext, _Mapping]] = ..., team: _Optional[str] = ..., assignee: _Optional[str] = ...) -> None: ...

class EscalateInquiryRequest(_message.Message):
    __slots__ = ("context", "target", "to_tier", "to_department", "to_supplier_id", "reason")
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    TO_TIER_FIELD_NUMBER: _ClassVar[int]
    TO_DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    TO_SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    context: CommandContext
    target: EscalationTarget
    to_tier: int
    to_department: str
    to_supplier_id: str
    reason: str
    def __init__(self, context: _Optional[_Union[CommandContext, _Mapping]] = ..., target: _Optional[_Union[EscalationTarget, str]] = ..., to_tier: _Optional[int] = ..., to_department: _Optional[str] = ..., to_supplier_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ChangePriorityRequest(_message.Message):
    __slots__ = ("context", "impact", "urgency", "priority", "reason")
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    IMPACT_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    context: CommandContext
    impact: Level
    urgency: Level
    priority: Priority
    reason: str
    def __init__(self, context: _Optional[_Union[CommandContext, _Mapping]] = ..., impact: _Optional[_Union[Level, str]] = ..., urgency: _Optional[_Union[Level, str]] = ..., priority: _Optional[_Union[Priority, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class PutOnHoldRequest(_message.Message):
    __slots__ = ("context", "reason", "note")
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    context: CommandContext
    reason: HoldReason
    note: str
    def __init__(self, context: _Optional[_Union[CommandContext, _Mapping]] = ..., reason: _Optional[_Union[HoldReason, str]] = ..., note: _Optional[str] = ...) -> None: ...

class ResumeInquiryRequest(_message.Message):
    __slots__ = ("context", "note")
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    context: CommandContext
    note: str
    def __init__(self, context: _Optional[_Union[CommandContext, _Mapping]] = ..., note: _Optional[str] = ...) -> None: ...

class ResolveInquiryRequest(_message.Message):
    __slots__ = ("context", "resolution_code", "resolution_text", "faq_entry_id")
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_CODE_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_TEXT_FIELD_NUMBER: _ClassVar[int]
    FAQ_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    context: CommandContext
    resolution_code: str
    resolution_text: str
    faq_entry_id: str
    def __init__(self, context: _Optional[_Union[CommandContext, _Mapping]] = ..., resolution_code: _Optional[str] = ..., resolution_text: _Optional[str] = ..., faq_entry_id: _Optional[str] = ...) -> None: ...

class ReopenInquiryRequest(_message.Message):
    __slots__ = ("context", "reason")
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    context: CommandContext
    reason: str
    def __init__(self, context: _Optional[_Union[CommandContext, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class CloseInquiryRequest(_message.Message):
    __slots__ = ("context",)
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    context: CommandContext
    def __init__(self, context: _Optional[_Union[CommandContext, _Mapping]] = ...) -> None: ...

class RecordSatisfactionRequest(_message.Message):
    __slots__ = ("context", "score", "comment")
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    context: CommandContext
    score: int
    comment: str
    def __init__(self, context: _Optional[_Union[CommandContext, _Mapping]] = ..., score: _Optional[int] = ..., comment: _Optional[str] = ...) -> None: ...

class RecordContactAttemptRequest(_message.Message):
    __slots__ = ("idempotency_key", "outcome", "queue", "wait_seconds", "attempted_at", "inquiry_id", "call_id", "correlation_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    WAIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTED_AT_FIELD_NUMBER: _ClassVar[int]
    INQUIRY_ID_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    outcome: AttemptOutcome
    queue: str
    wait_seconds: int
    attempted_at: _timestamp_pb2.Timestamp
    inquiry_id: str
    call_id: str
    correlation_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., outcome: _Optional[_Union[AttemptOutcome, str]] = ..., queue: _Optional[str] = ..., wait_seconds: _Optional[int] = ..., attempted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., inquiry_id: _Optional[str] = ..., call_id: _Optional[str] = ..., correlation_id: _Optional[str] = ...) -> None: ...

class ContactAttempt(_message.Message):
    __slots__ = ("attempt_id", "outcome", "queue", "wait_seconds", "attempted_at", "inquiry_id", "call_id")
    ATTEMPT_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    WAIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTED_AT_FIELD_NUMBER: _ClassVar[int]
    INQUIRY_ID_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    attempt_id: str
    outcome: AttemptOutcome
    queue: str
    wait_seconds: int
    attempted_at: _timestamp_pb2.Timestamp
    inquiry_id: str
    call_id: str
    def __init__(self, attempt_id: _Optional[str] = ..., outcome: _Optional[_Union[AttemptOutcome, str]] = ..., queue: _Optional[str] = ..., wait_seconds: _Optional[int] = ..., attempted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., inquiry_id: _Optional[str] = ..., call_id: _Optional[str] = ...) -> None: ...

class RecordContactAttemptResponse(_message.Message):
    __slots__ = ("attempt", "replayed")
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    attempt: ContactAttempt
    replayed: bool
    def __init__(self, attempt: _Optional[_Union[ContactAttempt, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class GetInquiryRequest(_message.Message):
    __slots__ = ("inquiry_id", "include_history")
    INQUIRY_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_HISTORY_FIELD_NUMBER: _ClassVar[int]
    inquiry_id: str
    include_history: bool
    def __init__(self, inquiry_id: _Optional[str] = ..., include_history: _Optional[bool] = ...) -> None: ...

class GetInquiryResponse(_message.Message):
    __slots__ = ("inquiry", "history")
    INQUIRY_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    inquiry: Inquiry
    history: _containers.RepeatedCompositeFieldContainer[HistoryEntry]
    def __init__(self, inquiry: _Optional[_Union[Inquiry, _Mapping]] = ..., history: _Optional[_Iterable[_Union[HistoryEntry, _Mapping]]] = ...) -> None: ...
