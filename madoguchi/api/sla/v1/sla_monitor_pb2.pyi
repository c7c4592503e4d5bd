import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Agreement(_message.Message):
    __slots__ = ("agreement_id", "version", "terms_json", "retired", "is_default")
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TERMS_JSON_FIELD_NUMBER: _ClassVar[int]
    RETIRED_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    agreement_id: str
    version: int
    terms_json: str
    retired: bool
    is_default: bool
    def __init__(self, agreement_id: _Optional[str] = ..., version: _Optional[int] = ..., terms_json: _Optional[str] = ..., retired: _Optional[bool] = ..., is_default: _Optional[bool] = ...) -> None: ...

class RegisterAgreementRequest(_message.Message):
    __slots__ = ("agreement_id", "terms_json", "make_default", "actor", "reason")
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TERMS_JSON_FIELD_NUMBER: _ClassVar[int]
    MAKE_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    agreement_id: str
    terms_json: str
    make_default: bool
    actor: str
    reason: str
    def __init__(self, agreement_id: _Optional[str] = ..., terms_json: _Optional[str] = ..., make_default: _Optional[bool] = ..., actor: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ReviseAgreementRequest(_message.Message):
    __slots__ = ("agreement_id", "terms_json", "apply_to_open", "expected_version", "actor", "reason")
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TERMS_JSON_FIELD_NUMBER: _ClassVar[int]
    APPLY_TO_OPEN_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    agreement_id: str
    terms_json: str
    apply_to_open: bool
    expected_version: int
    actor: str
    reason: str
    def __init__(self, agreement_id: _Optional[str] = ..., terms_json: _Optional[str] = ..., apply_to_open: _Optional[bool] = ..., expected_version: _Optional[int] = ..., actor: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RetireAgreementRequest(_message.Message):
    __slots__ = ("agreement_id", "actor", "reason")
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    agreement_id: str
    actor: str
    reason: str
    def __init__(self, agreement_id: _Optional[str] = ..., actor: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class GetAgreementRequest(_message.Message):
    __slots__ = ("agreement_id", "version")
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    agreement_id: str
    version: int
    def __init__(self, agreement_id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class ListAgreementsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListAgreementsResponse(_message.Message):
    __slots__ = ("agreements",)
    AGREEMENTS_FIELD_NUMBER: _ClassVar[int]
    agreements: _containers.RepeatedCompositeFieldContainer[Agreement]
    def __init__(self, agreements: _Optional[_Iterable[_Union[Agreement, _Mapping]]] = ...) -> None: ...

class GetAgreementHistoryRequest(_message.Message):
    __slots__ = ("agreement_id",)
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    agreement_id: str
    def __init__(self, agreement_id: _Optional[str] = ...) -> None: ...

class AgreementChange(_message.Message):
    __slots__ = ("version", "change", "recorded_at", "actor", "reason", "terms_json", "apply_to_open")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TERMS_JSON_FIELD_NUMBER: _ClassVar[int]
    APPLY_TO_OPEN_FIELD_NUMBER: _ClassVar[int]
    version: int
    change: str
    recorded_at: _timestamp_pb2.Timestamp
    actor: str
    reason: str
    terms_json: str
    apply_to_open: bool
    def __init__(self, version: _Optional[int] = ..., change: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., reason: _Optional[str] = ..., terms_json: _Optional[str] = ..., apply_to_open: _Optional[bool] = ...) -> None: ...

class AgreementHistory(_message.Message):
    __slots__ = ("agreement_id", "changes")
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    agreement_id: str
    changes: _containers.RepeatedCompositeFieldContainer[AgreementChange]
    def __init__(self, agreement_id: _Optional[str] = ..., changes: _Optional[_Iterable[_Union[AgreementChange, _Mapping]]] = ...) -> None: ...

class GetOnCallRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class OnCallSetup(_message.Message):
    __slots__ = ("on_call_json",)
    ON_CALL_JSON_FIELD_NUMBER: _ClassVar[int]
    on_call_json: str
    def __init__(self, on_call_json: _Optional[str] = ...) -> None: ...

class ConfigureOnCallRequest(_message.Message):
    __slots__ = ("on_call_json", "actor")
    ON_CALL_JSON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    on_call_json: str
    actor: str
    def __init__(self, on_call_json: _Optional[str] = ..., actor: _Optional[str] = ...) -> None: ...

class WhoIsOnCallRequest(_message.Message):
    __slots__ = ("team", "at")
    TEAM_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    team: str
    at: _timestamp_pb2.Timestamp
    def __init__(self, team: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Person(_message.Message):
    __slots__ = ("id", "name", "email", "webhook_url")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_URL_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    email: str
    webhook_url: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., email: _Optional[str] = ..., webhook_url: _Optional[str] = ...) -> None: ...

class EscalationStep(_message.Message):
    __slots__ = ("level", "after_minutes", "notify")
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    AFTER_MINUTES_FIELD_NUMBER: _ClassVar[int]
    NOTIFY_FIELD_NUMBER: _ClassVar[int]
    level: int
    after_minutes: int
    notify: _containers.RepeatedCompositeFieldContainer[Person]
    def __init__(self, level: _Optional[int] = ..., after_minutes: _Optional[int] = ..., notify: _Optional[_Iterable[_Union[Person, _Mapping]]] = ...) -> None: ...

class WhoIsOnCallResponse(_message.Message):
    __slots__ = ("team", "on_call", "escalation")
    TEAM_FIELD_NUMBER: _ClassVar[int]
    ON_CALL_FIELD_NUMBER: _ClassVar[int]
    ESCALATION_FIELD_NUMBER: _ClassVar[int]
    team: str
    on_call: Person
    escalation: _containers.RepeatedCompositeFieldContainer[EscalationStep]
    def __init__(self, team: _Optional[str] = ..., on_call: _Optional[_Union[Person, _Mapping]] = ..., escalation: _Optional[_Iterable[_Union[EscalationStep, _Mapping]]] = ...) -> None: ...

class GetInquiryClocksRequest(_message.Message):
    __slots__ = ("inquiry_id",)
    INQUIRY_ID_FIELD_NUMBER: _ClassVar[int]
    inquiry_id: str
    def __init__(self, inquiry_id: _Optional[str] = ...) -> None: ...

class Clock(_message.Message):
    __slots__ = ("target", "cycle", "state", "outcome", "target_seconds", "elapsed_seconds", "fired_percent", "started_at", "next_due_at", "next_percent", "scope", "engagement_id", "supplier_id", "contract_id")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    CYCLE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    TARGET_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_SECONDS_FIELD_NUMBER: _ClassVar[int]
    FIRED_PERCENT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    NEXT_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    NEXT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    ENGAGEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    target: str
    cycle: int
    state: str
    outcome: str
    target_seconds: int
    elapsed_seconds: float
    fired_percent: int
    started_at: _timestamp_pb2.Timestamp
    next_due_at: _timestamp_pb2.Timestamp
    next_percent: int
    scope: str
    engagement_id: str
    supplier_id: str
    contract_id: str
    def __init__(self, target: _Optional[str] = ..., cycle: _Optional[int] = ..., state: _Optional[str] = ..., outcome: _Optional[str] = ..., target_seconds: _Optional[int] = ..., elapsed_seconds: _Optional[float] = ..., fired_percent: _Optional[int] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_percent: _Optional[int] = ..., scope: _Optional[str] = ..., engagement_id: _Optional[str] = ..., supplier_id: _Optional[str] = ..., contract_id: _Optional[str] = ...) -> None: ...

class InquiryClocks(_message.Message):
    __slots__ = ("inquiry_id", "agreement_id", "agreement_version", "priority", "kind", "hold_reason", "clocks")
    INQUIRY_ID_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    HOLD_REASON_FIELD_NUMBER: _ClassVar[int]
    CLOCKS_FIELD_NUMBER: _ClassVar[int]
    inquiry_id: str
    agreement_id: str
    agreement_version: int
    priority: str
    kind: str
    hold_reason: str
    clocks: _containers.RepeatedCompositeFieldContainer[Clock]
    def __init__(self, inquiry_id: _Optional[str] = ..., agreement_id: _Optional[str] = ..., agreement_version: _Optional[int] = ..., priority: _Optional[str] = ..., kind: _Optional[str] = ..., hold_reason: _Optional[str] = ..., clocks: _Optional[_Iterable[_Union[Clock, _Mapping]]] = ...) -> None: ...

class Alert(_message.Message):
    __slots__ = ("alert_id", "inquiry_id", "target", "cycle", "team", "state", "level", "reminders", "raised_at", "due_at", "acknowledged_by", "resolution", "priority", "agreement_id", "subject")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    INQUIRY_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    CYCLE_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    REMINDERS_FIELD_NUMBER: _ClassVar[int]
    RAISED_AT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_BY_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    inquiry_id: str
    target: str
    cycle: int
    team: str
    state: str
    level: int
    reminders: int
    raised_at: _timestamp_pb2.Timestamp
    due_at: _timestamp_pb2.Timestamp
    acknowledged_by: str
    resolution: str
    priority: str
    agreement_id: str
    subject: str
    def __init__(self, alert_id: _Optional[str] = ..., inquiry_id: _Optional[str] = ..., target: _Optional[str] = ..., cycle: _Optional[int] = ..., team: _Optional[str] = ..., state: _Optional[str] = ..., level: _Optional[int] = ..., reminders: _Optional[int] = ..., raised_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., acknowledged_by: _Optional[str] = ..., resolution: _Optional[str] = ..., priority: _Optional[str] = ..., agreement_id: _Optional[str] = ..., subject: _Optional[str] = ...) -> None: ...

class AlertEvent(_message.Message):
    __slots__ = ("version", "kind", "at", "by", "note", "level", "number", "reason")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    version: int
    kind: str
    at: _timestamp_pb2.Timestamp
    by: str
    note: str
    level: int
    number: int
    reason: str
    def __init__(self, version: _Optional[int] = ..., kind: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., by: _Optional[str] = ..., note: _Optional[str] = ..., level: _Optional[int] = ..., number: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class Delivery(_message.Message):
    __slots__ = ("channel", "address", "state", "attempts", "last_error", "notification_key")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_KEY_FIELD_NUMBER: _ClassVar[int]
    channel: str
    address: str
    state: str
    attempts: int
    last_error: str
    notification_key: str
    def __init__(self, channel: _Optional[str] = ..., address: _Optional[str] = ..., state: _Optional[str] = ..., attempts: _Optional[int] = ..., last_error: _Optional[str] = ..., notification_key: _Optional[str] = ...) -> None: ...

class AlertDetail(_message.Message):
    __slots__ = ("alert", "history", "deliveries")
    ALERT_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    DELIVERIES_FIELD_NUMBER: _ClassVar[int]
    alert: Alert
    history: _containers.RepeatedCompositeFieldContainer[AlertEvent]
    deliveries: _containers.RepeatedCompositeFieldContainer[Delivery]
    def __init__(self, alert: _Optional[_Union[Alert, _Mapping]] = ..., history: _Optional[_Iterable[_Union[AlertEvent, _Mapping]]] = ..., deliveries: _Optional[_Iterable[_Union[Delivery, _Mapping]]] = ...) -> None: ...

class ListAlertsRequest(_message.Message):
    __slots__ = ("states", "team", "inquiry_id", "raised_from", "raised_to", "page_size", "page_token")
    STATES_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    INQUIRY_ID_FIELD_NUMBER: _ClassVar[int]
    RAISED_FROM_FIELD_NUMBER: _ClassVar[int]
    RAISED_TO_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    states: _containers.RepeatedScalarFieldContainer[str]
    team: str
    inquiry_id: str
    raised_from: _timestamp_pb2.Timestamp
    raised_to: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, states: _Optional[_Iterable[str]] = ..., team: _Optional[str] = ..., inquiry_id: _Optional[str] = ..., raised_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., raised_to: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAlertsResponse(_message.Message):
    __slots__ = ("alerts", "next_page_token")
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    alerts: _containers.RepeatedCompositeFieldContainer[Alert]
    next_page_token: str
    def __init__(self, alerts: _Optional[_Iterable[_Union[Alert, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetAlertRequest(_message.Message):
    __slots__ = ("alert_id",)
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    def __init__(self, alert_id: _Optional[str] = ...) -> None: ...

class AcknowledgeAlertRequest(_message.Message):
    __slots__ = ("alert_id", "by", "note")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    by: str
    note: str
    def __init__(self, alert_id: _Optional[str] = ..., by: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class ResolveAlertRequest(_message.Message):
    __slots__ = ("alert_id", "by", "note")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    by: str
    note: str
    def __init__(self, alert_id: _Optional[str] = ..., by: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class WatchAlertsRequest(_message.Message):
    __slots__ = ("team", "after_position", "include_stops")
    TEAM_FIELD_NUMBER: _ClassVar[int]
    AFTER_POSITION_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_STOPS_FIELD_NUMBER: _ClassVar[int]
    team: str
    after_position: int
    include_stops: bool
    def __init__(self, team: _Optional[str] = ..., after_position: _Optional[int] = ..., include_stops: _Optional[bool] = ...) -> None: ...

class FeedItem(_message.Message):
    __slots__ = ("position", "kind", "alert_id", "inquiry_id", "target", "cycle", "team", "at", "due_at", "percent", "level", "number", "outcome", "by", "priority", "agreement_id", "subject")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    INQUIRY_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    CYCLE_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    PERCENT_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    position: int
    kind: str
    alert_id: str
    inquiry_id: str
    target: str
    cycle: int
    team: str
    at: _timestamp_pb2.Timestamp
    due_at: _timestamp_pb2.Timestamp
    percent: int
    level: int
    number: int
    outcome: str
    by: str
    priority: str
    agreement_id: str
    subject: str
    def __init__(self, position: _Optional[int] = ..., kind: _Optional[str] = ..., alert_id: _Optional[str] = ..., inquiry_id: _Optional[str] = ..., target: _Optional[str] = ..., cycle: _Optional[int] = ..., team: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., percent: _Optional[int] = ..., level: _Optional[int] = ..., number: _Optional[int] = ..., outcome: _Optional[str] = ..., by: _Optional[str] = ..., priority: _Optional[str] = ..., agreement_id: _Optional[str] = ..., subject: _Optional[str] = ...) -> None: ...
