import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InquiryView(_message.Message):
    __slots__ = ("inquiry_id", "version", "status", "channel", "kind", "subject", "category", "department", "priority", "agreement_id", "received_at", "first_response_at", "resolved_at", "closed_at", "team", "assignee", "tier", "supplier_id", "resolved_at_first_contact", "contact_count", "escalation_count", "reopen_count", "has_satisfaction", "satisfaction_score", "faq_entry_id", "timeline", "updated_at", "next_deadline_at", "next_deadline_target", "sla_state", "escalated_department", "hold_reason", "clocks")
    INQUIRY_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    FIRST_RESPONSE_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_AT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_AT_FIRST_CONTACT_FIELD_NUMBER: _ClassVar[int]
    CONTACT_COUNT_FIELD_NUMBER: _ClassVar[int]
    ESCALATION_COUNT_FIELD_NUMBER: _ClassVar[int]
    REOPEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    HAS_SATISFACTION_FIELD_NUMBER: _ClassVar[int]
    SATISFACTION_SCORE_FIELD_NUMBER: _ClassVar[int]
    FAQ_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    NEXT_DEADLINE_AT_FIELD_NUMBER: _ClassVar[int]
    NEXT_DEADLINE_TARGET_FIELD_NUMBER: _ClassVar[int]
    SLA_STATE_FIELD_NUMBER: _ClassVar[int]
    ESCALATED_DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    HOLD_REASON_FIELD_NUMBER: _ClassVar[int]
    CLOCKS_FIELD_NUMBER: _ClassVar[int]
    inquiry_id: str
    version: int
    status: str
    channel: str
    kind: str
    subject: str
    category: str
    department: str
    priority: str
    agreement_id: str
    received_at: _timestamp_pb2.Timestamp
    first_response_at: _timestamp_pb2.Timestamp
    resolved_at: _timestamp_pb2.Timestamp
    closed_at: _timestamp_pb2.Timestamp
    team: str
    assignee: str
    tier: int
    supplier_id: str
    resolved_at_first_contact: bool
    contact_count: int
    escalation_count: int
    reopen_count: int
    has_satisfaction: bool
    satisfaction_score: int
    faq_entry_id: str
    timeline: _containers.RepeatedCompositeFieldContainer[TimelineEntry]
    updated_at: _timestamp_pb2.Timestamp
    next_deadline_at: _timestamp_pb2.Timestamp
    next_deadline_target: str
    sla_state: str
    escalated_department: str
    hold_reason: str
    clocks: _containers.RepeatedCompositeFieldContainer[ClockState]
    def __init__(self, inquiry_id: _Optional[str] = ..., version: _Optional[int] = ..., status: _Optional[str] = ..., channel: _Optional[str] = ..., kind: _Optional[str] = ..., subject: _Optional[str] = ..., category: _Optional[str] = ..., department: _Optional[str] = ..., priority: _Optional[str] = ..., agreement_id: _Optional[str] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., first_response_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., team: _Optional[str] = ..., assignee: _Optional[str] = ..., tier: _Optional[int] = ..., supplier_id: _Optional[str] = ..., resolved_at_first_contact: _Optional[bool] = ..., contact_count: _Optional[int] = ..., escalation_count: _Optional[int] = ..., reopen_count: _Optional[int] = ..., has_satisfaction: _Optional[bool] = ..., satisfaction_score: _Optional[int] = ..., faq_entry_id: _Optional[str] = ..., timeline: _Optional[_Iterable[_Union[TimelineEntry, _Mapping]]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_deadline_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_deadline_target: _Optional[str] = ..., sla_state: _Optional[str] = ..., escalated_department: _Optional[str] = ..., hold_reason: _Optional[str] = ..., clocks: _Optional[_Iterable[_Union[ClockState, _Mapping]]] = ...) -> None: ...

class ClockState(_message.Message):
    __slots__ = ("target", "cycle", "state", "percent", "due_at")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    CYCLE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PERCENT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    target: str
    cycle: int
    state: str
    percent: int
    due_at: _timestamp_pb2.Timestamp
    def __init__(self, target: _Optional[str] = ..., cycle: _Optional[int] = ..., state: _Optional[str] = ..., percent: _Optional[int] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TimelineEntry(_message.Message):
    __slots__ = ("version", "event_type", "occurred_at", "actor", "details_json")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    DETAILS_JSON_FIELD_NUMBER: _ClassVar[int]
    version: int
    event_type: str
    occurred_at: _timestamp_pb2.Timestamp
    actor: str
    details_json: str
    def __init__(self, version: _Optional[int] = ..., event_type: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., details_json: _Optional[str] = ...) -> None: ...

class GetInquiryRequest(_message.Message):
    __slots__ = ("inquiry_id",)
    INQUIRY_ID_FIELD_NUMBER: _ClassVar[int]
    inquiry_id: str
    def __init__(self, inquiry_id: _Optional[str] = ...) -> None: ...

class ListInquiriesRequest(_message.Message):
    __slots__ = ("status", "channel", "kind", "category", "department", "received_from", "received_to", "page_size", "page_token", "team", "assignee", "tier", "escalated_department", "supplier_id", "agreement_id", "sla_state", "min_age_minutes", "max_age_minutes", "text")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_FROM_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_TO_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    ESCALATED_DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SLA_STATE_FIELD_NUMBER: _ClassVar[int]
    MIN_AGE_MINUTES_FIELD_NUMBER: _ClassVar[int]
    MAX_AGE_MINUTES_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    status: _containers.RepeatedScalarFieldContainer[str]
    channel: _containers.RepeatedScalarFieldContainer[str]
    kind: _containers.RepeatedScalarFieldContainer[str]
    category: str
    department: str
    received_from: _timestamp_pb2.Timestamp
    received_to: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    team: str
    assignee: str
    tier: _containers.RepeatedScalarFieldContainer[int]
    escalated_department: str
    supplier_id: str
    agreement_id: str
    sla_state: _containers.RepeatedScalarFieldContainer[str]
    min_age_minutes: int
    max_age_minutes: int
    text: str
    def __init__(self, status: _Optional[_Iterable[str]] = ..., channel: _Optional[_Iterable[str]] = ..., kind: _Optional[_Iterable[str]] = ..., category: _Optional[str] = ..., department: _Optional[str] = ..., received_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., received_to: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., team: _Optional[str] = ..., assignee: _Optional[str] = ..., tier: _Optional[_Iterable[int]] = ..., escalated_department: _Optional[str] = ..., supplier_id: _Optional[str] = ..., agreement_id: _Optional[str] = ..., sla_state: _Optional[_Iterable[str]] = ..., min_age_minutes: _Optional[int] = ..., max_age_minutes: _Optional[int] = ..., text: _Optional[str] = ...) -> None: ...

class ListInquiriesResponse(_message.Message):
    __slots__ = ("inquiries", "next_page_token", "total_size")
    INQUIRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    inquiries: _containers.RepeatedCompositeFieldContainer[InquiryView]
    next_page_token: str
    total_size: int
    def __init__(self, inquiries: _Optional[_Iterable[_Union[InquiryView, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...
