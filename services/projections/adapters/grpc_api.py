"""The projections gRPC query API over the inquiry read model."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import grpc

from madoguchi.api.projections.v1 import projections_pb2 as pb
from madoguchi.api.projections.v1 import projections_pb2_grpc
from madoguchi.errors import InvalidField, NotFound
from madoguchi.rpc.errors import translate_errors
from madoguchi.rpc.timestamps import read_time, write_time
from services.projections.adapters.read_models.inquiries.queries import InquiryFilter
from services.projections.adapters.read_models.inquiries.read_model import InquiryReadModel
from services.projections.adapters.read_models.inquiries.tables import (
    CHANNELS,
    KINDS,
    SLA_STATES,
    STATUSES,
)

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50


def view_message(view: dict[str, Any]) -> pb.InquiryView:
    message = pb.InquiryView(
        inquiry_id=view["inquiry_id"], version=view["version"], status=view["status"],
        channel=view["channel"], kind=view["kind"], subject=view["subject"],
        category=view["category"], department=view["department"], priority=view["priority"],
        agreement_id=view["agreement_id"], team=view["team"], assignee=view["assignee"],
        tier=view["tier"], supplier_id=view["supplier_id"],
        resolved_at_first_contact=view["resolved_at_first_contact"],
        contact_count=view["contact_count"], escalation_count=view["escalation_count"],
        reopen_count=view["reopen_count"],
        has_satisfaction=view["satisfaction_score"] is not None,
        satisfaction_score=view["satisfaction_score"] or 0,
        faq_entry_id=view["faq_entry_id"],
        next_deadline_target=view.get("next_deadline_target", ""),
        sla_state=view.get("sla_state", ""),
        escalated_department=view.get("escalated_department", ""),
        hold_reason=view.get("hold_reason", ""),
    )
    for name in ("received_at", "first_response_at", "resolved_at", "closed_at", "updated_at",
                 "next_deadline_at"):
        write_time(message, name, view.get(name))
    for clock in view.get("clocks", []):
        item = message.clocks.add(target=clock["target"], cycle=clock["cycle"],
                                  state=clock["state"], percent=clock["percent"])
        write_time(item, "due_at", clock["due_at"])
    for entry in view.get("timeline", []):
        item = message.timeline.add(version=entry["version"], event_type=entry["event_type"],
                                    actor=entry["actor"],
                                    details_json=json.dumps(entry["details"], ensure_ascii=False,
                                                            sort_keys=True))
        write_time(item, "occurred_at", entry["occurred_at"])
    return message


def _check_values(violations: list[tuple[str, str]], name: str, values: list[str],
                  allowed: tuple[str, ...]) -> None:
    bad = [v for v in values if v not in allowed]
    if bad:
        violations.append((name, f"unknown value(s) {', '.join(bad)}; allowed: "
                                 f"{', '.join(sorted(allowed))}"))


def _time(request: Any, name: str, violations: list[tuple[str, str]]) -> datetime | None:
    """Like ``read_time``, but collects the violation so all are reported together."""
    try:
        return read_time(request, name)
    except InvalidField as error:
        violations += error.violations
        return None


class InquiryQueryServicer(projections_pb2_grpc.InquiryQueryServiceServicer):
    def __init__(self, store: Callable[[], InquiryReadModel]) -> None:
        self._store = store   # called per request: the live generation may change

    @property
    def store(self) -> InquiryReadModel:
        return self._store()

    @translate_errors
    def GetInquiry(self, request: pb.GetInquiryRequest,
                   context: grpc.ServicerContext) -> pb.InquiryView:
        try:
            UUID(request.inquiry_id)
        except ValueError:
            raise InvalidField([("inquiry_id", "must be a UUID")]) from None
        view = self.store.get(str(UUID(request.inquiry_id)))
        if view is None:
            raise NotFound(f"inquiry {request.inquiry_id} is not in the read model (yet)")
        return view_message(view)

    @translate_errors
    def ListInquiries(self, request: pb.ListInquiriesRequest,
                      context: grpc.ServicerContext) -> pb.ListInquiriesResponse:
        violations: list[tuple[str, str]] = []
        _check_values(violations, "status", list(request.status), STATUSES)
        _check_values(violations, "channel", list(request.channel), CHANNELS)
        _check_values(violations, "kind", list(request.kind), KINDS)
        _check_values(violations, "sla_state", list(request.sla_state), SLA_STATES)
        if any(not 1 <= tier <= 9 for tier in request.tier):
            violations.append(("tier", "must be between 1 and 9"))
        for name in ("min_age_minutes", "max_age_minutes"):
            if not 0 <= getattr(request, name) <= 60 * 24 * 3660:
                violations.append((name, "must be between 0 and ten years of minutes"))
        if not 0 <= request.page_size <= MAX_PAGE_SIZE:
            violations.append(("page_size", f"must be between 0 and {MAX_PAGE_SIZE}"))
        received_from = _time(request, "received_from", violations)
        received_to = _time(request, "received_to", violations)
        for name, value in (("category", request.category), ("department", request.department),
                            ("page_token", request.page_token), ("team", request.team),
                            ("assignee", request.assignee),
                            ("escalated_department", request.escalated_department),
                            ("supplier_id", request.supplier_id),
                            ("agreement_id", request.agreement_id), ("text", request.text)):
            if "\x00" in value or len(value) > 1000:
                violations.append((name, "must be at most 1000 characters without NUL"))
        if received_from and received_to and received_from > received_to:
            violations.append(("received_to", "must not be before received_from"))
        if violations:
            raise InvalidField(violations)
        flt = InquiryFilter(
            statuses=tuple(request.status), channels=tuple(request.channel),
            kinds=tuple(request.kind), category=request.category,
            department=request.department, received_from=received_from,
            received_to=received_to, team=request.team, assignee=request.assignee,
            tiers=tuple(request.tier), escalated_department=request.escalated_department,
            supplier_id=request.supplier_id, agreement_id=request.agreement_id,
            sla_states=tuple(request.sla_state), min_age_minutes=request.min_age_minutes,
            max_age_minutes=request.max_age_minutes, text=request.text,
        )
        views, token, total = self.store.list(flt, request.page_size or DEFAULT_PAGE_SIZE,
                                              request.page_token)
        return pb.ListInquiriesResponse(inquiries=[view_message(v) for v in views],
                                        next_page_token=token, total_size=total)
