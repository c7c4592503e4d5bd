"""The supplier service's gRPC API: staff management calls and the supplier portal.

Thin on purpose: check the request's shape (JSON text, dates, enumerated values, page
sizes) so a caller's mistake is INVALID_ARGUMENT naming the request field, call
``SupplierApplication``, and map its views one to one onto messages. The rules of
suppliers, contracts and engagements live in the application and domain.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

import grpc

from madoguchi.api.supplier.v1 import supplier_pb2 as pb
from madoguchi.api.supplier.v1 import supplier_pb2_grpc
from madoguchi.errors import InvalidField
from madoguchi.rpc.errors import translate_errors
from madoguchi.rpc.timestamps import read_time, write_time
from services.supplier.adapters.identity import caller_supplier
from services.supplier.application.app import SupplierApplication
from services.supplier.application.base import Meta
from services.supplier.application.views import (
    ContactView,
    ContractView,
    DependencyRisk,
    EngagementView,
    Page,
    PenaltyLine,
    PenaltyMonth,
    ReviewActionView,
    ReviewView,
    SupplierView,
)
from services.supplier.domain.values import (
    ActionStatus,
    Coverage,
    EngagementStatus,
    Limits,
)

DEFAULT_PAGE_SIZE = 50
DEFAULT_RISK_THRESHOLD = 0.8
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


# ----- request shape -----

def _meta(request: Any) -> Meta:
    meta = request.meta
    return Meta(actor=meta.actor,
                occurred_at=read_time(meta, "occurred_at", "meta.occurred_at"),
                correlation_id=meta.correlation_id)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _terms(value: str, field: str = "terms_json") -> dict[str, Any]:
    """Contract terms from JSON text; the application checks what is inside."""
    if not value.strip():
        raise InvalidField([(field, "is required")])
    try:
        data = json.loads(value, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise InvalidField([(field, f"is not valid JSON: {error}")]) from None
    if not isinstance(data, dict):
        raise InvalidField([(field, "must be a JSON object")])
    return data


def _date(value: str, field: str, *, required: bool = False) -> date | None:
    """A "YYYY-MM-DD" date; "" is None unless required."""
    if not value:
        if required:
            raise InvalidField([(field, "is required (YYYY-MM-DD)")])
        return None
    if not _DATE.fullmatch(value):
        raise InvalidField([(field, "must be a date as YYYY-MM-DD")])
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidField([(field, "is not a calendar date")]) from None


def _required_date(value: str, field: str) -> date:
    parsed = _date(value, field, required=True)
    assert parsed is not None
    return parsed


def _month(value: str, field: str = "month") -> str:
    if not value:
        return ""
    match = _MONTH.fullmatch(value)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise InvalidField([(field, "must be a month as YYYY-MM")])
    return value


def _choice(value: str, allowed: Iterable[str], field: str, *, required: bool = False) -> str:
    names = [str(a) for a in allowed]
    if not value:
        if required:
            raise InvalidField([(field, f"is required; one of {', '.join(names)}")])
        return ""
    if value not in names:
        raise InvalidField([(field, f"must be one of {', '.join(names)}")])
    return value


def _uuid(value: str, field: str, *, required: bool = True) -> str:
    if not value:
        if required:
            raise InvalidField([(field, "is required")])
        return ""
    try:
        return str(UUID(value))
    except ValueError:
        raise InvalidField([(field, "must be a UUID")]) from None


def _not_negative(value: int, field: str) -> int:
    if value < 0:
        raise InvalidField([(field, "must not be negative")])
    return value


def _page_size(value: int) -> int:
    if not 0 <= value <= Limits.PAGE_SIZE:
        raise InvalidField([("page_size", f"must be between 0 and {Limits.PAGE_SIZE}")])
    return value or DEFAULT_PAGE_SIZE


def _contacts(contacts: Iterable[Any]) -> list[ContactView]:
    return [ContactView(name=c.name, role=c.role, email=c.email, phone=c.phone)
            for c in contacts]


def _actions(actions: Iterable[Any]) -> list[ReviewActionView]:
    return [ReviewActionView(
        action_id=a.action_id, description=a.description, owner=a.owner,
        due_on=_date(a.due_on, f"actions[{i}].due_on"),
        status=_choice(a.status, ActionStatus, f"actions[{i}].status") or ActionStatus.OPEN.value)
        for i, a in enumerate(actions)]


# ----- views to messages -----

def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def supplier_message(view: SupplierView) -> pb.Supplier:
    message = pb.Supplier(
        supplier_id=view.supplier_id, name=view.name, services=list(view.services),
        contacts=[pb.Contact(name=c.name, role=c.role, email=c.email, phone=c.phone)
                  for c in view.contacts],
        retired=view.retired, version=view.version)
    write_time(message, "registered_at", view.registered_at)
    write_time(message, "updated_at", view.updated_at)
    return message


def contract_message(view: ContractView) -> pb.Contract:
    message = pb.Contract(
        contract_id=view.contract_id, supplier_id=view.supplier_id, version=view.version,
        latest_version=view.latest_version,
        terms_json=json.dumps(view.terms, ensure_ascii=False),
        valid_from=_day(view.valid_from), valid_until=_day(view.valid_until),
        terminated_on=_day(view.terminated_on), status=str(view.status),
        expiry_warned=view.expiry_warned)
    write_time(message, "recorded_at", view.recorded_at)
    return message


def review_message(view: ReviewView) -> pb.Review:
    return pb.Review(
        review_id=view.review_id, supplier_id=view.supplier_id, held_on=_day(view.held_on),
        attendees=list(view.attendees), findings=view.findings, version=view.version,
        actions=[pb.ReviewAction(action_id=a.action_id, description=a.description,
                                 owner=a.owner, due_on=_day(a.due_on), status=str(a.status))
                 for a in view.actions])


def penalty_line_message(line: PenaltyLine) -> pb.PenaltyLine:
    message = pb.PenaltyLine(
        contract_id=line.contract_id, supplier_id=line.supplier_id, month=line.month,
        engagement_id=line.engagement_id, inquiry_id=line.inquiry_id,
        target=str(line.target), rule=str(line.rule), units=line.units,
        amount_due=line.amount_due, amount_accrued=line.amount_accrued,
        currency=line.currency, capped=line.capped)
    write_time(message, "accrued_at", line.accrued_at)
    return message


def engagement_message(view: EngagementView) -> pb.Engagement:
    message = pb.Engagement(
        engagement_id=view.engagement_id, inquiry_id=view.inquiry_id,
        supplier_id=view.supplier_id, contract_id=view.contract_id,
        contract_version=view.contract_version, coverage=str(view.coverage),
        gap_reason=view.gap_reason, category=view.category, priority=view.priority,
        kind=view.kind, subject=view.subject, reason=view.reason, status=str(view.status),
        resolution=view.resolution, hand_back_reason=view.hand_back_reason,
        version=view.version,
        penalties=[penalty_line_message(line) for line in view.penalties])
    for name in ("opened_at", "acknowledged_at", "closed_at"):
        write_time(message, name, getattr(view, name))
    for note in view.notes:
        item = message.notes.add(actor=note.actor, kind=str(note.kind), text=note.text)
        write_time(item, "at", note.at)
    return message


def penalty_month_message(month: PenaltyMonth) -> pb.PenaltyMonth:
    return pb.PenaltyMonth(
        contract_id=month.contract_id, supplier_id=month.supplier_id, month=month.month,
        currency=month.currency, monthly_cap=month.monthly_cap, total=month.total,
        total_before_cap=month.total_before_cap,
        lines=[penalty_line_message(line) for line in month.lines])


def risk_message(risk: DependencyRisk) -> pb.DependencyRisk:
    return pb.DependencyRisk(
        category=risk.category, engagements=risk.engagements,
        suppliers=[pb.SupplierShare(supplier_id=s.supplier_id, engagements=s.engagements,
                                    share=s.share) for s in risk.suppliers],
        single_supplier=risk.single_supplier, top_share=risk.top_share)


def _engagement_page(page: Page) -> pb.ListEngagementsResponse:
    return pb.ListEngagementsResponse(
        engagements=[engagement_message(e) for e in page.items],
        next_page_token=page.next_page_token)


# ----- staff -----

class SupplierManagementServicer(supplier_pb2_grpc.SupplierManagementServiceServicer):
    """Staff calls (no authentication yet: see ``identity``). Every change is durable on
    return."""

    def __init__(self, app: SupplierApplication) -> None:
        self.app = app

    # suppliers

    @translate_errors
    def RegisterSupplier(self, request: Any, context: grpc.ServicerContext
                         ) -> pb.SupplierReply:
        view, replayed = self.app.register_supplier(
            request.supplier_id, request.name, list(request.services),
            _contacts(request.contacts), _meta(request), request.reason)
        return pb.SupplierReply(supplier=supplier_message(view), replayed=replayed)

    @translate_errors
    def UpdateSupplier(self, request: Any, context: grpc.ServicerContext) -> pb.SupplierReply:
        view = self.app.update_supplier(
            request.supplier_id, request.name, list(request.services),
            _contacts(request.contacts), _meta(request), request.reason,
            expected_version=_not_negative(request.expected_version, "expected_version"))
        return pb.SupplierReply(supplier=supplier_message(view))

    @translate_errors
    def RetireSupplier(self, request: Any, context: grpc.ServicerContext) -> pb.SupplierReply:
        view = self.app.retire_supplier(request.supplier_id, _meta(request), request.reason)
        return pb.SupplierReply(supplier=supplier_message(view))

    @translate_errors
    def GetSupplier(self, request: Any, context: grpc.ServicerContext) -> pb.Supplier:
        return supplier_message(self.app.get_supplier(request.supplier_id))

    @translate_errors
    def ListSuppliers(self, request: Any, context: grpc.ServicerContext
                      ) -> pb.ListSuppliersResponse:
        return pb.ListSuppliersResponse(suppliers=[
            supplier_message(v) for v in self.app.list_suppliers(request.include_retired)])

    # contracts

    @translate_errors
    def RegisterContract(self, request: Any, context: grpc.ServicerContext
                         ) -> pb.ContractReply:
        view, replayed = self.app.register_contract(
            request.contract_id, request.supplier_id, _terms(request.terms_json),
            _meta(request), request.reason)
        return pb.ContractReply(contract=contract_message(view), replayed=replayed)

    @translate_errors
    def AmendContract(self, request: Any, context: grpc.ServicerContext) -> pb.ContractReply:
        view = self.app.amend_contract(
            request.contract_id, _terms(request.terms_json), _meta(request), request.reason,
            expected_version=_not_negative(request.expected_version, "expected_version"))
        return pb.ContractReply(contract=contract_message(view))

    @translate_errors
    def RenewContract(self, request: Any, context: grpc.ServicerContext) -> pb.ContractReply:
        valid_until = _required_date(request.valid_until, "valid_until")
        terms = _terms(request.terms_json) if request.terms_json.strip() else None
        view = self.app.renew_contract(
            request.contract_id, valid_until, _meta(request), terms=terms,
            reason=request.reason,
            expected_version=_not_negative(request.expected_version, "expected_version"))
        return pb.ContractReply(contract=contract_message(view))

    @translate_errors
    def TerminateContract(self, request: Any, context: grpc.ServicerContext
                          ) -> pb.ContractReply:
        view = self.app.terminate_contract(
            request.contract_id, _required_date(request.terminated_on, "terminated_on"),
            _meta(request), request.reason)
        return pb.ContractReply(contract=contract_message(view))

    @translate_errors
    def GetContract(self, request: Any, context: grpc.ServicerContext) -> pb.Contract:
        return contract_message(self.app.get_contract(
            request.contract_id, _not_negative(request.version, "version")))

    @translate_errors
    def GetContractHistory(self, request: Any, context: grpc.ServicerContext
                           ) -> pb.ContractHistory:
        return pb.ContractHistory(
            contract_id=request.contract_id,
            versions=[contract_message(v)
                      for v in self.app.contract_history(request.contract_id)])

    @translate_errors
    def ListContracts(self, request: Any, context: grpc.ServicerContext
                      ) -> pb.ListContractsResponse:
        views = self.app.list_contracts(
            supplier_id=request.supplier_id,
            expiring_within_days=_not_negative(request.expiring_within_days,
                                               "expiring_within_days"),
            at=read_time(request, "at"))
        return pb.ListContractsResponse(contracts=[contract_message(v) for v in views])

    # reviews

    @translate_errors
    def RecordReview(self, request: Any, context: grpc.ServicerContext) -> pb.ReviewReply:
        view, replayed = self.app.record_review(
            request.idempotency_key, request.supplier_id,
            _required_date(request.held_on, "held_on"), list(request.attendees),
            request.findings, _actions(request.actions), _meta(request))
        return pb.ReviewReply(review=review_message(view), replayed=replayed)

    @translate_errors
    def UpdateReviewAction(self, request: Any, context: grpc.ServicerContext
                           ) -> pb.ReviewReply:
        view = self.app.update_review_action(
            _uuid(request.review_id, "review_id"), request.action_id,
            _choice(request.status, ActionStatus, "status", required=True), request.note,
            _meta(request))
        return pb.ReviewReply(review=review_message(view))

    @translate_errors
    def ListReviews(self, request: Any, context: grpc.ServicerContext
                    ) -> pb.ListReviewsResponse:
        return pb.ListReviewsResponse(reviews=[
            review_message(v) for v in self.app.list_reviews(request.supplier_id)])

    # engagements

    @translate_errors
    def ListEngagements(self, request: Any, context: grpc.ServicerContext
                        ) -> pb.ListEngagementsResponse:
        return _engagement_page(self.app.list_engagements(
            supplier_id=request.supplier_id,
            status=_choice(request.status, EngagementStatus, "status"),
            coverage=_choice(request.coverage, Coverage, "coverage"),
            inquiry_id=_uuid(request.inquiry_id, "inquiry_id", required=False),
            page_size=_page_size(request.page_size), page_token=request.page_token))

    @translate_errors
    def GetEngagement(self, request: Any, context: grpc.ServicerContext) -> pb.Engagement:
        return engagement_message(self.app.get_engagement(
            _uuid(request.engagement_id, "engagement_id")))

    # penalties and risk

    @translate_errors
    def GetPenalties(self, request: Any, context: grpc.ServicerContext
                     ) -> pb.GetPenaltiesResponse:
        months = self.app.penalties(supplier_id=request.supplier_id,
                                    contract_id=request.contract_id,
                                    month=_month(request.month))
        return pb.GetPenaltiesResponse(months=[penalty_month_message(m) for m in months])

    @translate_errors
    def GetDependencyRisk(self, request: Any, context: grpc.ServicerContext
                          ) -> pb.GetDependencyRiskResponse:
        threshold = request.threshold or DEFAULT_RISK_THRESHOLD
        if not 0 < threshold <= 1:
            raise InvalidField([("threshold", "must be above 0 and at most 1 (0 = 0.8)")])
        since, until = read_time(request, "since"), read_time(request, "until")
        if since and until and until <= since:
            raise InvalidField([("until", "must be after since")])
        risks = self.app.dependency_risk(since=since, until=until, threshold=threshold)
        return pb.GetDependencyRiskResponse(categories=[risk_message(r) for r in risks])


# ----- the supplier's own calls -----

class SupplierPortalServicer(supplier_pb2_grpc.SupplierPortalServiceServicer):
    """A supplier's calls: ``caller_supplier`` decides who it is, before anything else."""

    def __init__(self, app: SupplierApplication) -> None:
        self.app = app

    @translate_errors
    def ListMyEngagements(self, request: Any, context: grpc.ServicerContext
                          ) -> pb.ListEngagementsResponse:
        caller = caller_supplier(context)
        return _engagement_page(self.app.list_engagements(
            supplier_id=caller, status=_choice(request.status, EngagementStatus, "status"),
            page_size=_page_size(request.page_size), page_token=request.page_token))

    @translate_errors
    def GetMyEngagement(self, request: Any, context: grpc.ServicerContext) -> pb.Engagement:
        caller = caller_supplier(context)
        return engagement_message(self.app.get_engagement(
            _uuid(request.engagement_id, "engagement_id"), caller=caller))

    @translate_errors
    def AcknowledgeEngagement(self, request: Any, context: grpc.ServicerContext
                              ) -> pb.Engagement:
        caller = caller_supplier(context)
        return engagement_message(self.app.acknowledge(
            caller, _uuid(request.engagement_id, "engagement_id"), request.note,
            _meta(request)))

    @translate_errors
    def AddProgressNote(self, request: Any, context: grpc.ServicerContext) -> pb.Engagement:
        caller = caller_supplier(context)
        return engagement_message(self.app.add_progress_note(
            caller, _uuid(request.engagement_id, "engagement_id"), request.idempotency_key,
            request.note, _meta(request)))

    @translate_errors
    def ResolveEngagement(self, request: Any, context: grpc.ServicerContext
                          ) -> pb.Engagement:
        caller = caller_supplier(context)
        return engagement_message(self.app.resolve(
            caller, _uuid(request.engagement_id, "engagement_id"), request.resolution,
            _meta(request)))

    @translate_errors
    def HandBackEngagement(self, request: Any, context: grpc.ServicerContext
                           ) -> pb.Engagement:
        caller = caller_supplier(context)
        return engagement_message(self.app.hand_back(
            caller, _uuid(request.engagement_id, "engagement_id"), request.reason,
            _meta(request)))
