"""What the supplier application answers with: plain values, independent of aggregates.

The gRPC adapter maps these one to one onto protobuf messages; amounts are whole
currency units (yen), times are aware UTC datetimes, dates are ``datetime.date``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class ContactView:
    name: str
    role: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class SupplierView:
    supplier_id: str            # the supplier's code, e.g. "kcc-operator"
    name: str
    services: tuple[str, ...]
    contacts: tuple[ContactView, ...]
    retired: bool
    version: int
    registered_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ContractView:
    contract_id: str            # the contract's code, e.g. "KCC-2026"
    supplier_id: str
    version: int                # the version these terms are (latest unless asked)
    latest_version: int
    terms: dict[str, Any]       # contract terms JSON shape (docs/suppliers.md)
    valid_from: date
    valid_until: date
    terminated_on: date | None
    status: str                 # PENDING, ACTIVE, EXPIRED, TERMINATED (at the time asked)
    expiry_warned: bool         # the expiry warning for this validity has been raised
    recorded_at: datetime


@dataclass(frozen=True)
class NoteView:
    at: datetime
    actor: str
    kind: str                   # OPENED, ACKNOWLEDGED, PROGRESS, RESOLVED, HANDED_BACK, WITHDRAWN
    text: str


@dataclass(frozen=True)
class EngagementView:
    engagement_id: str
    inquiry_id: str
    supplier_id: str
    contract_id: str            # empty when no contract applies
    contract_version: int
    coverage: str               # COVERED, NO_CONTRACT, UNKNOWN_SUPPLIER, SUPPLIER_RETIRED
    gap_reason: str
    category: str
    priority: str
    kind: str
    subject: str
    reason: str
    status: str                 # OPEN, ACKNOWLEDGED, RESOLVED, HANDED_BACK, WITHDRAWN
    opened_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None  # resolved, handed back or withdrawn
    resolution: str
    hand_back_reason: str
    version: int
    notes: tuple[NoteView, ...] = ()
    penalties: tuple[PenaltyLine, ...] = ()


@dataclass(frozen=True)
class PenaltyLine:
    contract_id: str
    supplier_id: str
    month: str                  # YYYY-MM in the contract calendar's zone
    engagement_id: str
    inquiry_id: str
    target: str                 # ACKNOWLEDGE or RESOLVE
    rule: str                   # FIXED or PER_STARTED_HOUR
    units: int
    amount_due: int
    amount_accrued: int
    currency: str
    capped: bool
    accrued_at: datetime


@dataclass(frozen=True)
class PenaltyMonth:
    contract_id: str
    supplier_id: str
    month: str
    currency: str
    monthly_cap: int            # 0 = no cap
    total: int                  # accrued after the cap
    total_before_cap: int
    lines: tuple[PenaltyLine, ...] = ()


@dataclass(frozen=True)
class ReviewActionView:
    action_id: str
    description: str
    owner: str
    due_on: date | None
    status: str                 # OPEN, IN_PROGRESS, DONE, DROPPED


@dataclass(frozen=True)
class ReviewView:
    review_id: str
    supplier_id: str
    held_on: date
    attendees: tuple[str, ...]
    findings: str
    actions: tuple[ReviewActionView, ...]
    version: int


@dataclass(frozen=True)
class SupplierShare:
    supplier_id: str
    engagements: int
    share: float                # 0..1 of the category's engagements


@dataclass(frozen=True)
class DependencyRisk:
    category: str
    engagements: int
    suppliers: tuple[SupplierShare, ...]
    single_supplier: bool       # one supplier holds the whole category (or >= the threshold)
    top_share: float


@dataclass(frozen=True)
class Page:
    items: list[Any] = field(default_factory=list)
    next_page_token: str = ""
