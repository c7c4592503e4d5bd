import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RequestMeta(_message.Message):
    __slots__ = ("actor", "occurred_at", "correlation_id")
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    actor: str
    occurred_at: _timestamp_pb2.Timestamp
    correlation_id: str
    def __init__(self, actor: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., correlation_id: _Optional[str] = ...) -> None: ...

class Contact(_message.Message):
    __slots__ = ("name", "role", "email", "phone")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    name: str
    role: str
    email: str
    phone: str
    def __init__(self, name: _Optional[str] = ..., role: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ...) -> None: ...

class Supplier(_message.Message):
    __slots__ = ("supplier_id", "name", "services", "contacts", "retired", "version", "registered_at", "updated_at")
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    RETIRED_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    supplier_id: str
    name: str
    services: _containers.RepeatedScalarFieldContainer[str]
    contacts: _containers.RepeatedCompositeFieldContainer[Contact]
    retired: bool
    version: int
    registered_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, supplier_id: _Optional[str] = ..., name: _Optional[str] = ..., services: _Optional[_Iterable[str]] = ..., contacts: _Optional[_Iterable[_Union[Contact, _Mapping]]] = ..., retired: _Optional[bool] = ..., version: _Optional[int] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SupplierReply(_message.Message):
    __slots__ = ("supplier", "replayed")
    SUPPLIER_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    supplier: Supplier
    replayed: bool
    def __init__(self, supplier: _Optional[_Union[Supplier, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class RegisterSupplierRequest(_message.Message):
    __slots__ = ("supplier_id", "name", "services", "contacts", "reason", "meta")
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    supplier_id: str
    name: str
    services: _containers.RepeatedScalarFieldContainer[str]
    contacts: _containers.RepeatedCompositeFieldContainer[Contact]
    reason: str
    meta: RequestMeta
    def __init__(self, supplier_id: _Optional[str] = ..., name: _Optional[str] = ..., services: _Optional[_Iterable[str]] = ..., contacts: _Optional[_Iterable[_Union[Contact, _Mapping]]] = ..., reason: _Optional[str] = ..., meta: _Optional[_Union[RequestMeta, _Mapping]] = ...) -> None: ...

class UpdateSupplierRequest(_message.Message):
    __slots__ = ("supplier_id", "name", "services", "contacts", "reason", "expected_version", "meta")
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    supplier_id: str
    name: str
    services: _containers.RepeatedScalarFieldContainer[str]
    contacts: _containers.RepeatedCompositeFieldContainer[Contact]
    reason: str
    expected_version: int
    meta: RequestMeta
    def __init__(self, supplier_id: _Optional[str] = ..., name: _Optional[str] = ..., services: _Optional[_Iterable[str]] = ..., contacts: _Optional[_Iterable[_Union[Contact, _Mapping]]] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ..., meta: _Optional[_Union[RequestMeta, _Mapping]] = ...) -> None: ...

class RetireSupplierRequest(_message.Message):
    __slots__ = ("supplier_id", "reason", "meta")
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    supplier_id: str
    reason: str
    meta: RequestMeta
    def __init__(self, supplier_id: _Optional[str] = ..., reason: _Optional[str] = ..., meta: _Optional[_Union[RequestMeta, _Mapping]] = ...) -> None: ...

class GetSupplierRequest(_message.Message):
    __slots__ = ("supplier_id",)
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    supplier_id: str
    def __init__(self, supplier_id: _Optional[str] = ...) -> None: ...

class ListSuppliersRequest(_message.Message):
    __slots__ = ("include_retired",)
    INCLUDE_RETIRED_FIELD_NUMBER: _ClassVar[int]
    include_retired: bool
    def __init__(self, include_retired: _Optional[bool] = ...) -> None: ...

class ListSuppliersResponse(_message.Message):
    __slots__ = ("suppliers",)
    SUPPLIERS_FIELD_NUMBER: _ClassVar[int]
    suppliers: _containers.RepeatedCompositeFieldContainer[Supplier]
    def __init__(self, suppliers: _Optional[_Iterable[_Union[Supplier, _Mapping]]] = ...) -> None: ...

class Contract(_message.Message):
    __slots__ = ("contract_id", "supplier_id", "version", "latest_version", "terms_json", "valid_from", "valid_until", "terminated_on", "status", "expiry_warned", "recorded_at")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    LATEST_VERSION_FIELD_NUMBER: _ClassVar[int]
    TERMS_JSON_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    TERMINATED_ON_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_WARNED_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    supplier_id: str
    version: int
    latest_version: int
    terms_json: str
    valid_from: str
    valid_until: str
    terminated_on: str
    status: str
    expiry_warned: bool
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, contract_id: _Optional[str] = ..., supplier_id: _Optional[str] = ..., version: _Optional[int] = ..., latest_version: _Optional[int] = ..., terms_json: _Optional[str] = ..., valid_from: _Optional[str] = ..., valid_until: _Optional[str] = ..., terminated_on: _Optional[str] = ..., status: _Optional[str] = ..., expiry_warned: _Optional[bool] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ContractReply(_message.Message):
    __slots__ = ("contract", "replayed")
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    contract: Contract
    replayed: bool
    def __init__(self, contract: _Optional[_Union[Contract, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class RegisterContractRequest(_message.Message):
    __slots__ = ("contract_id", "supplier_id", "terms_json", "reason", "meta")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    TERMS_JSON_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    supplier_id: str
    terms_json: str
    reason: str
    meta: RequestMeta
    def __init__(self, contract_id: _Optional[str] = ..., supplier_id: _Optional[str] = ..., terms_json: _Optional[str] = ..., reason: _Optional[str] = ..., meta: _Optional[_Union[RequestMeta, _Mapping]] = ...) -> None: ...

class AmendContractRequest(_message.Message):
    __slots__ = ("contract_id", "terms_json", "reason", "expected_version", "meta")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    TERMS_JSON_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    terms_json: str
    reason: str
    expected_version: int
    meta: RequestMeta
    def __init__(self, contract_id: _Optional[str] = ..., terms_json: _Optional[str] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ..., meta: _Optional[_Union[RequestMeta, _Mapping]] = ...) -> None: ...

class RenewContractRequest(_message.Message):
    __slots__ = ("contract_id", "valid_until", "terms_json", "reason", "expected_version", "meta")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    TERMS_JSON_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    valid_until: str
    terms_json: str
    reason: str
    expected_version: int
    meta: RequestMeta
    def __init__(self, contract_id: _Optional[str] = ..., valid_until: _Optional[str] = ..., terms_json: _Optional[str] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ..., meta: _Optional[_Union[RequestMeta, _Mapping]] = ...) -> None: ...

class TerminateContractRequest(_message.Message):
    __slots__ = ("contract_id", "terminated_on", "reason", "meta")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    TERMINATED_ON_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    terminated_on: str
    reason: str
    meta: RequestMeta
    def __init__(self, contract_id: _Optional[str] = ..., terminated_on: _Optional[str] = ..., reason: _Optional[str] = ..., meta: _Optional[_Union[RequestMeta, _Mapping]] = ...) -> None: ...

class GetContractRequest(_message.Message):
    __slots__ = ("contract_id", "version")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    version: int
    def __init__(self, contract_id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class GetContractHistoryRequest(_message.Message):
    __slots__ = ("contract_id",)
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    def __init__(self, contract_id: _Optional[str] = ...) -> None: ...

class ContractHistory(_message.Message):
    __slots__ = ("contract_id", "versions")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    versions: _containers.RepeatedCompositeFieldContainer[Contract]
    def __init__(self, contract_id: _Optional[str] = ..., versions: _Optional[_Iterable[_Union[Contract, _Mapping]]] = ...) -> None: ...

class ListContractsRequest(_message.Message):
    __slots__ = ("supplier_id", "expiring_within_days", "at")
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRING_WITHIN_DAYS_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    supplier_id: str
    expiring_within_days: int
    at: _timestamp_pb2.Timestamp
    def __init__(self, supplier_id: _Optional[str] = ..., expiring_within_days: _Optional[int] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListContractsResponse(_message.Message):
    __slots__ = ("contracts",)
    CONTRACTS_FIELD_NUMBER: _ClassVar[int]
    contracts: _containers.RepeatedCompositeFieldContainer[Contract]
    def __init__(self, contracts: _Optional[_Iterable[_Union[Contract, _Mapping]]] = ...) -> None: ...

class ReviewAction(_message.Message):
    __slots__ = ("action_id", "description", "owner", "due_on", "status")
    ACTION_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    DUE_ON_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    action_id: str
    description: str
    owner: str
    due_on: str
    status: str
    def __init__(self, action_id: _Optional[str] = ..., description: _Optional[str] = ..., owner: _Optional[str] = ..., due_on: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class Review(_message.Message):
    __slots__ = ("review_id", "supplier_id", "held_on", "attendees", "findings", "actions", "version")
    REVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    HELD_ON_FIELD_NUMBER: _ClassVar[int]
    ATTENDEES_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    review_id: str
    supplier_id: str
    held_on: str
    attendees: _containers.RepeatedScalarFieldContainer[str]
    findings: str
    actions: _containers.RepeatedCompositeFieldContainer[ReviewAction]
    version: int
    def __init__(self, review_id: _Optional[str] = ..., supplier_id: _Optional[str] = ..., held_on: _Optional[str] = ..., attendees: _Optional[_Iterable[str]] = ..., findings: _Optional[str] = ..., actions: _Optional[_Iterable[_Union[ReviewAction, _Mapping]]] = ..., version: _Optional[int] = ...) -> None: ...

class ReviewReply(_message.Message):
    __slots__ = ("review", "replayed")
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    review: Review
    replayed: bool
    def __init__(self, review: _Optional[_Union[Review, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class RecordReviewRequest(_message.Message):
    __slots__ = ("idempotency_key", "supplier_id", "held_on", "attendees", "findings", "actions", "meta")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    HELD_ON_FIELD_NUMBER: _ClassVar[int]
    ATTENDEES_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    supplier_id: str
    held_on: str
    attendees: _containers.RepeatedScalarFieldContainer[str]
    findings: str
    actions: _containers.RepeatedCompositeFieldContainer[ReviewAction]
    meta: RequestMeta
    def __init__(self, idempotency_key: _Optional[str] = ..., supplier_id: _Optional[str] = ..., held_on: _Optional[str] = ..., attendees: _Optional[_Iterable[str]] = ..., findings: _Optional[str] = ..., actions: _Optional[_Iterable[_Union[ReviewAction, _Mapping]]] = ..., meta: _Optional[_Union[RequestMeta, _Mapping]] = ...) -> None: ...

class UpdateReviewActionRequest(_message.Message):
    __slots__ = ("review_id", "action_id", "status", "note", "meta")
    REVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    review_id: str
    action_id: str
    status: str
    note: str
    meta: RequestMeta
    def __init__(self, review_id: _Optional[str] = ..., action_id: _Optional[str] = ..., status: _Optional[str] = ..., note: _Optional[str] = ..., meta: _Optional[_Union[RequestMeta, _Mapping]] = ...) -> None: ...

class ListReviewsRequest(_message.Message):
    __slots__ = ("supplier_id",)
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    supplier_id: str
    def __init__(self, supplier_id: _Optional[str] = ...) -> None: ...

class ListReviewsResponse(_message.Message):
    __slots__ = ("reviews",)
    REVIEWS_FIELD_NUMBER: _ClassVar[int]
    reviews: _containers.RepeatedCompositeFieldContainer[Review]
    def __init__(self, reviews: _Optional[_Iterable[_Union[Review, _Mapping]]] = ...) -> None: ...

class EngagementNote(_message.Message):
    __slots__ = ("at", "actor", "kind", "text")
    AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    at: _timestamp_pb2.Timestamp
    actor: str
    kind: str
    text: str
    def __init__(self, at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., kind: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class PenaltyLine(_message.Message):
    __slots__ = ("contract_id", "supplier_id", "month", "engagement_id", "inquiry_id", "target", "rule", "units", "amount_due", "amount_accrued", "currency", "capped", "accrued_at")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    ENGAGEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    INQUIRY_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_DUE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_ACCRUED_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CAPPED_FIELD_NUMBER: _ClassVar[int]
    ACCRUED_AT_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    supplier_id: str
    month: str
    engagement_id: str
    inquiry_id: str
    target: str
    rule: str
    units: int
    amount_due: int
    amount_accrued: int
    currency: str
    capped: bool
    accrued_at: _timestamp_pb2.Timestamp
    def __init__(self, contract_id: _Optional[str] = ..., supplier_id: _Optional[str] = ..., month: _Optional[str] = ..., engagement_id: _Optional[str] = ..., inquiry_id: _Optional[str] = ..., target: _Optional[str] = ..., rule: _Optional[str] = ..., units: _Optional[int] = ..., amount_due: _Optional[int] = ..., amount_accrued: _Optional[int] = ..., currency: _Optional[str] = ..., capped: _Optional[bool] = ..., accrued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Engagement(_message.Message):
    __slots__ = ("engagement_id", "inquiry_id", "supplier_id", "contract_id", "contract_version", "coverage", "gap_reason", "category", "priority", "kind", "subject", "reason", "status", "opened_at", "acknowledged_at", "closed_at", "resolution", "hand_back_reason", "version", "notes", "penalties")
    ENGAGEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    INQUIRY_ID_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_VERSION_FIELD_NUMBER: _ClassVar[int]
    COVERAGE_FIELD_NUMBER: _ClassVar[int]
    GAP_REASON_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OPENED_AT_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_AT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    HAND_BACK_REASON_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    PENALTIES_FIELD_NUMBER: _ClassVar[int]
    engagement_id: str
    inquiry_id: str
    supplier_id: str
    contract_id: str
    contract_version: int
    coverage: str
    gap_reason: str
    category: str
    priority: str
    kind: str
    subject: str
    reason: str
    status: str
    opened_at: _timestamp_pb2.Timestamp
    acknowledged_at: _timestamp_pb2.Timestamp
    closed_at: _timestamp_pb2.Timestamp
    resolution: str
    hand_back_reason: str
    version: int
    notes: _containers.RepeatedCompositeFieldContainer[EngagementNote]
    penalties: _containers.RepeatedCompositeFieldContainer[PenaltyLine]
    def __init__(self, engagement_id: _Optional[str] = ..., inquiry_id: _Optional[str] = ..., supplier_id: _Optional[str] = ..., contract_id: _Optional[str] = ..., contract_version: _Optional[int] = ..., coverage: _Optional[str] = ..., gap_reason: _Optional[str] = ..., category: _Optional[str] = ..., priority: _Optional[str] = ..., kind: _Optional[str] = ..., subject: _Optional[str] = ..., reason: _Optional[str] = ..., status: _Optional[str] = ..., opened_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., acknowledged_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolution: _Optional[str] = ..., hand_back_reason: _Optional[str] = ..., version: _Optional[int] = ..., notes: _Optional[_Iterable[_Union[EngagementNote, _Mapping]]] = ..., penalties: _Optional[_Iterable[_Union[PenaltyLine, _Mapping]]] = ...) -> None: ...

class ListEngagementsRequest(_message.Message):
    __slots__ = ("supplier_id", "status", "coverage", "inquiry_id", "page_size", "page_token")
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COVERAGE_FIELD_NUMBER: _ClassVar[int]
    INQUIRY_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    supplier_id: str
    status: str
    coverage: str
    inquiry_id: str
    page_size: int
    page_token: str
    def __init__(self, supplier_id: _Optional[str] = ..., status: _Optional[str] = ..., coverage: _Optional[str] = ..., inquiry_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListEngagementsResponse(_message.Message):
    __slots__ = ("engagements", "next_page_token")
    ENGAGEMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    engagements: _containers.RepeatedCompositeFieldContainer[Engagement]
    next_page_token: str
    def __init__(self, engagements: _Optional[_Iterable[_Union[Engagement, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetEngagementRequest(_message.Message):
    __slots__ = ("engagement_id",)
    ENGAGEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    engagement_id: str
    def __init__(self, engagement_id: _Optional[str] = ...) -> None: ...

class PenaltyMonth(_message.Message):
    __slots__ = ("contract_id", "supplier_id", "month", "currency", "monthly_cap", "total", "total_before_cap", "lines")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    MONTHLY_CAP_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    TOTAL_BEFORE_CAP_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    supplier_id: str
    month: str
    currency: str
    monthly_cap: int
    total: int
    total_before_cap: int
    lines: _containers.RepeatedCompositeFieldContainer[PenaltyLine]
    def __init__(self, contract_id: _Optional[str] = ..., supplier_id: _Optional[str] = ..., month: _Optional[str] = ..., currency: _Optional[str] = ..., monthly_cap: _Optional[int] = ..., total: _Optional[int] = ..., total_before_cap: _Optional[int] = ..., lines: _Optional[_Iterable[_Union[PenaltyLine, _Mapping]]] = ...) -> None: ...

class GetPenaltiesRequest(_message.Message):
    __slots__ = ("supplier_id", "contract_id", "month")
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    supplier_id: str
    contract_id: str
    month: str
    def __init__(self, supplier_id: _Optional[str] = ..., contract_id: _Optional[str] = ..., month: _Optional[str] = ...) -> None: ...

class GetPenaltiesResponse(_message.Message):
    __slots__ = ("months",)
    MONTHS_FIELD_NUMBER: _ClassVar[int]
    months: _containers.RepeatedCompositeFieldContainer[PenaltyMonth]
    def __init__(self, months: _Optional[_Iterable[_Union[PenaltyMonth, _Mapping]]] = ...) -> None: ...

class SupplierShare(_message.Message):
    __slots__ = ("supplier_id", "engagements", "share")
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    ENGAGEMENTS_FIELD_NUMBER: _ClassVar[int]
    SHARE_FIELD_NUMBER: _ClassVar[int]
    supplier_id: str
    engagements: int
    share: float
    def __init__(self, supplier_id: _Optional[str] = ..., engagements: _Optional[int] = ..., share: _Optional[float] = ...) -> None: ...

class DependencyRisk(_message.Message):
    __slots__ = ("category", "engagements", "suppliers", "single_supplier", "top_share")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    ENGAGEMENTS_FIELD_NUMBER: _ClassVar[int]
    SUPPLIERS_FIELD_NUMBER: _ClassVar[int]
    SINGLE_SUPPLIER_FIELD_NUMBER: _ClassVar[int]
    TOP_SHARE_FIELD_NUMBER: _ClassVar[int]
    category: str
    engagements: int
    suppliers: _containers.RepeatedCompositeFieldContainer[SupplierShare]
    single_supplier: bool
    top_share: float
    def __init__(self, category: _Optional[str] = ..., engagements: _Optional[int] = ..., suppliers: _Optional[_Iterable[_Union[SupplierShare, _Mapping]]] = ..., single_supplier: _Optional[bool] = ..., top_share: _Optional[float] = ...) -> None: ...

class GetDependencyRiskRequest(_message.Message):
    __slots__ = ("since", "until", "threshold")
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    since: _timestamp_pb2.Timestamp
    until: _timestamp_pb2.Timestamp
    threshold: float
    def __init__(self, since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., threshold: _Optional[float] = ...) -> None: ...

class GetDependencyRiskResponse(_message.Message):
    __slots__ = ("categories",)
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    categories: _containers.RepeatedCompositeFieldContainer[DependencyRisk]
    def __init__(self, categories: _Optional[_Iterable[_Union[DependencyRisk, _Mapping]]] = ...) -> None: ...

class ListMyEngagementsRequest(_message.Message):
    __slots__ = ("status", "page_size", "page_token")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    status: str
    page_size: int
    page_token: str
    def __init__(self, status: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class GetMyEngagementRequest(_message.Message):
    __slots__ = ("engagement_id",)
    ENGAGEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    engagement_id: str
    def __init__(self, engagement_id: _Optional[str] = ...) -> None: ...

class AcknowledgeEngagementRequest(_message.Message):
    __slots__ = ("engagement_id", "note", "meta")
    ENGAGEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    engagement_id: str
    note: str
    meta: RequestMeta
    def __init__(self, engagement_id: _Optional[str] = ..., note: _Optional[str] = ..., meta: _Optional[_Union[RequestMeta, _Mapping]] = ...) -> None: ...

class AddProgressNoteRequest(_message.Message):
    __slots__ = ("engagement_id", "idempotency_key", "note", "meta")
    ENGAGEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    engagement_id: str
    idempotency_key: str
    note: str
    meta: RequestMeta
    def __init__(self, engagement_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., note: _Optional[str] = ..., meta: _Optional[_Union[RequestMeta, _Mapping]] = ...) -> None: ...

class ResolveEngagementRequest(_message.Message):
    __slots__ = ("engagement_id", "resolution", "meta")
    ENGAGEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    engagement_id: str
    resolution: str
    meta: RequestMeta
    def __init__(self, engagement_id: _Optional[str] = ..., resolution: _Optional[str] = ..., meta: _Optional[_Union[RequestMeta, _Mapping]] = ...) -> None: ...

class HandBackEngagementRequest(_message.Message):
    __slots__ = ("engagement_id", "reason", "meta")
    ENGAGEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    engagement_id: str
    reason: str
    meta: RequestMeta
    def __init__(self, engagement_id: _Optional[str] = ..., reason: _Optional[str] = ..., meta: _Optional[_Union[RequestMeta, _Mapping]] = ...) -> None: ...
