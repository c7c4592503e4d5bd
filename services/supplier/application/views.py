"""What the supplier application answers with: plain values, independent of aggregates.

The gRPC adapter maps these one to one onto protobuf messages; amounts are whole
currency units (yen), times are aware UTC datetimes, dates are ``datetime.date``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from services.supplier.domain.contract import Contract
from services.supplier.domain.engagement import Engagement
from services.supplier.domain.review import SupplierReview
from services.supplier.domain.supplier import Supplier
from services.supplier.domain.terms import terms_json


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


# ----- from aggregates -----


def supplier_view(s: Supplier) -> SupplierView:
    return SupplierView(
        supplier_id=s.supplier_id, name=s.name, services=tuple(s.services),
        contacts=tuple(ContactView(c["name"], c.get("role", ""), c.get("email", ""),
                                   c.get("phone", "")) for c in s.contacts),
        retired=s.retired, version=s.version,
        registered_at=s.registered_at or s.created_on, updated_at=s.updated_at or s.modified_on)


def contract_view(c: Contract, latest_version: int, at: datetime) -> ContractView:
    terms = c.terms_data
    return ContractView(
        contract_id=c.contract_id, supplier_id=c.supplier_id, version=c.version,
        latest_version=latest_version, terms=json.loads(terms_json(terms)),
        valid_from=date.fromisoformat(terms["valid_from"]),
        valid_until=date.fromisoformat(terms["valid_until"]),
        terminated_on=date.fromisoformat(c.terminated_on) if c.terminated_on else None,
        status=str(c.status_at(at)), expiry_warned=c.expiry_warned,
        recorded_at=c.recorded_at or c.modified_on)


def review_view(r: SupplierReview) -> ReviewView:
    return ReviewView(
        review_id=r.review_id, supplier_id=r.supplier_id,
        held_on=date.fromisoformat(r.held_on), attendees=tuple(r.attendees),
        findings=r.findings,
        actions=tuple(ReviewActionView(
            action_id=a["action_id"], description=a["description"], owner=a["owner"],
            due_on=date.fromisoformat(a["due_on"]) if a["due_on"] else None,
            status=a["status"]) for a in r.actions),
        version=r.version)


def penalty_line(row: dict[str, Any]) -> PenaltyLine:
    return PenaltyLine(
        contract_id=row["contract_id"], supplier_id=row["supplier_id"], month=row["month"],
        engagement_id=row["engagement_id"], inquiry_id=row["inquiry_id"],
        target=row["target"], rule=row["rule"], units=int(row["units"]),
        amount_due=int(row["amount_due"]), amount_accrued=int(row["amount_accrued"]),
        currency=row["currency"], capped=bool(row["capped"]),
        accrued_at=datetime.fromtimestamp(int(row["accrued_us"]) / 1_000_000, UTC))


def engagement_view(e: Engagement, penalties: tuple[PenaltyLine, ...] = ()) -> EngagementView:
    return EngagementView(
        engagement_id=e.engagement_id, inquiry_id=e.inquiry_id, supplier_id=e.supplier_id,
        contract_id=e.contract_id, contract_version=e.contract_version, coverage=e.coverage,
        gap_reason=e.gap_reason, category=e.category, priority=e.priority, kind=e.kind,
        subject=e.subject, reason=e.reason, status=str(e.status),
        opened_at=e.opened_at or e.created_on, acknowledged_at=e.acknowledged_at,
        closed_at=e.closed_at, resolution=e.resolution, hand_back_reason=e.hand_back_reason,
        version=e.version,
        notes=tuple(NoteView(n["at"], n["actor"], n["kind"], n["text"]) for n in e.notes),
        penalties=penalties)
