"""The intake gRPC servicer: translate protobuf messages to commands and back."""

from __future__ import annotations

from typing import Any

import grpc

from madoguchi.api.intake.v1 import intake_pb2 as pb
from madoguchi.api.intake.v1 import intake_pb2_grpc
from madoguchi.rpc.errors import translate_errors
from madoguchi.rpc.timestamps import read_time, write_time
from services.intake.application import commands as c
from services.intake.application.app import (
    IntakeApplication,
    Outcome,
    history_json,
)
from services.intake.domain.contact_attempt import ContactAttempt
from services.intake.domain.inquiry import Inquiry


def _enum_name(enum: Any, value: int) -> str:
    """Enum name for a proto value; '' for *_UNSPECIFIED; the raw number if unknown."""
    try:
        name = enum.Name(value)
    except ValueError:
        return f"#{value}"
    return "" if name.endswith("UNSPECIFIED") else name


def _meta(ctx: pb.CommandContext) -> c.Meta:
    return c.Meta(
        actor=ctx.actor,
        occurred_at=read_time(ctx, "occurred_at", "context.occurred_at"),
        correlation_id=ctx.correlation_id,
    )


def inquiry_message(inquiry: Inquiry) -> pb.Inquiry:
    contact = inquiry.contact
    message = pb.Inquiry(
        inquiry_id=str(inquiry.id),
        version=inquiry.version,
        status=pb.InquiryStatus.Value(str(inquiry.status)),
        channel=pb.Channel.Value(inquiry.channel),
        kind=pb.InquiryKind.Value(inquiry.kind),
        contact=pb.Contact(
            name=contact.get("name", ""), phone=contact.get("phone", ""),
            email=contact.get("email", ""),
            preferred_language=contact.get("preferred_language", ""),
        ),
        subject=inquiry.subject,
        body=inquiry.body,
        category=inquiry.category,
        department=inquiry.department,
        impact=pb.Level.Value(inquiry.impact) if inquiry.impact else 0,
        urgency=pb.Level.Value(inquiry.urgency) if inquiry.urgency else 0,
        priority=pb.Priority.Value(inquiry.priority),
        agreement_id=inquiry.agreement_id,
        external_ref=inquiry.external_ref,
        team=inquiry.team,
        assignee=inquiry.assignee,
        tier=inquiry.tier,
        escalated_department=inquiry.escalated_department,
        supplier_id=inquiry.supplier_id,
        hold_reason=pb.HoldReason.Value(inquiry.hold_reason) if inquiry.hold_reason else 0,
        resolution_code=inquiry.resolution_code,
        resolution_text=inquiry.resolution_text,
        faq_entry_id=inquiry.faq_entry_id,
        resolved_at_first_contact=inquiry.resolved_at_first_contact,
        contact_count=inquiry.contact_count,
        escalation_count=inquiry.escalation_count,
        reopen_count=inquiry.reopen_count,
        has_satisfaction=inquiry.satisfaction_score is not None,
        satisfaction_score=inquiry.satisfaction_score or 0,
        satisfaction_comment=inquiry.satisfaction_comment,
    )
    for name in ("received_at", "first_response_at", "resolved_at", "closed_at"):
        write_time(message, name, getattr(inquiry, name))
    return message


def attempt_message(attempt: ContactAttempt) -> pb.ContactAttempt:
    message = pb.ContactAttempt(
        attempt_id=str(attempt.id), outcome=pb.AttemptOutcome.Value(attempt.outcome),
        queue=attempt.queue, wait_seconds=attempt.wait_seconds,
        inquiry_id=attempt.inquiry_id, call_id=attempt.call_id,
    )
    write_time(message, "attempted_at", attempt.attempted_at)
    return message


def _reply(outcome: Outcome) -> pb.InquiryReply:
    return pb.InquiryReply(inquiry=inquiry_message(outcome.aggregate), replayed=outcome.replayed)


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    """Every method: validate, apply the use case (durable on return), reply."""

    def __init__(self, app: IntakeApplication) -> None:
        self.app = app

    @translate_errors
    def ReceiveInquiry(self, request: pb.ReceiveInquiryRequest,
                       context: grpc.ServicerContext) -> pb.ReceiveInquiryResponse:
        contact = request.contact
        cmd = c.ReceiveInquiry(
            idempotency_key=request.idempotency_key,
            channel=_enum_name(pb.Channel, request.channel),
            kind=_enum_name(pb.InquiryKind, request.kind),
            contact=c.ContactDetails(
                name=contact.name, phone=contact.phone, email=contact.email,
                preferred_language=contact.preferred_language,
            ),
            subject=request.subject,
            body=request.body,
            category=request.category,
            department=request.department,
            impact=_enum_name(pb.Level, request.impact),
            urgency=_enum_name(pb.Level, request.urgency),
            priority=_enum_name(pb.Priority, request.priority),
            agreement_id=request.agreement_id,
            contacted_at=read_time(request, "contacted_at"),
            external_ref=request.external_ref,
            meta=c.Meta(actor=request.actor, correlation_id=request.correlation_id),
        )
        outcome = self.app.receive_inquiry(cmd)
        return pb.ReceiveInquiryResponse(inquiry=inquiry_message(outcome.aggregate),
                                         replayed=outcome.replayed)

    @translate_errors
    def LogContact(self, request: pb.LogContactRequest,
                   context: grpc.ServicerContext) -> pb.InquiryReply:
        ctx = request.context
        return _reply(self.app.log_contact(
            ctx.inquiry_id, ctx.expected_version, _meta(ctx), request.idempotency_key,
            _enum_name(pb.Channel, request.channel), request.direction, request.note))

    @translate_errors
    def RecordFirstResponse(self, request: pb.RecordFirstResponseRequest,
                            context: grpc.ServicerContext) -> pb.InquiryReply:
        ctx = request.context
        return _reply(self.app.record_first_response(
            ctx.inquiry_id, ctx.expected_version, _meta(ctx),
            _enum_name(pb.Channel, request.channel)))

    @translate_errors
    def AssignInquiry(self, request: pb.AssignInquiryRequest,
                      context: grpc.ServicerContext) -> pb.InquiryReply:
        ctx = request.context
        return _reply(self.app.assign(ctx.inquiry_id, ctx.expected_version, _meta(ctx),
                                      request.team, request.assignee))

    @translate_errors
    def EscalateInquiry(self, request: pb.EscalateInquiryRequest,
                        context: grpc.ServicerContext) -> pb.InquiryReply:
        ctx = request.context
        return _reply(self.app.escalate(
            ctx.inquiry_id, ctx.expected_version, _meta(ctx),
            _enum_name(pb.EscalationTarget, request.target), request.to_tier,
            request.to_department, request.to_supplier_id, request.reason))

    @translate_errors
    def ChangePriority(self, request: pb.ChangePriorityRequest,
                       context: grpc.ServicerContext) -> pb.InquiryReply:
        ctx = request.context
        return _reply(self.app.change_priority(
            ctx.inquiry_id, ctx.expected_version, _meta(ctx),
            _enum_name(pb.Level, request.impact), _enum_name(pb.Level, request.urgency),
            _enum_name(pb.Priority, request.priority), request.reason))

    @translate_errors
    def PutOnHold(self, request: pb.PutOnHoldRequest,
                  context: grpc.ServicerContext) -> pb.InquiryReply:
        ctx = request.context
        return _reply(self.app.put_on_hold(ctx.inquiry_id, ctx.expected_version, _meta(ctx),
                                           _enum_name(pb.HoldReason, request.reason),
                                           request.note))

    @translate_errors
    def ResumeInquiry(self, request: pb.ResumeInquiryRequest,
                      context: grpc.ServicerContext) -> pb.InquiryReply:
        ctx = request.context
        return _reply(self.app.resume(ctx.inquiry_id, ctx.expected_version, _meta(ctx),
                                      request.note))

    @translate_errors
    def ResolveInquiry(self, request: pb.ResolveInquiryRequest,
                       context: grpc.ServicerContext) -> pb.InquiryReply:
        ctx = request.context
        return _reply(self.app.resolve(ctx.inquiry_id, ctx.expected_version, _meta(ctx),
                                       request.resolution_code, request.resolution_text,
                                       request.faq_entry_id))

    @translate_errors
    def ReopenInquiry(self, request: pb.ReopenInquiryRequest,
                      context: grpc.ServicerContext) -> pb.InquiryReply:
        ctx = request.context
        return _reply(self.app.reopen(ctx.inquiry_id, ctx.expected_version, _meta(ctx),
                                      request.reason))

    @translate_errors
    def CloseInquiry(self, request: pb.CloseInquiryRequest,
                     context: grpc.ServicerContext) -> pb.InquiryReply:
        ctx = request.context
        return _reply(self.app.close_inquiry(ctx.inquiry_id, ctx.expected_version, _meta(ctx)))

    @translate_errors
    def RecordSatisfaction(self, request: pb.RecordSatisfactionRequest,
                           context: grpc.ServicerContext) -> pb.InquiryReply:
        ctx = request.context
        return _reply(self.app.record_satisfaction(ctx.inquiry_id, ctx.expected_version,
                                                   _meta(ctx), request.score, request.comment))

    @translate_errors
    def RecordContactAttempt(self, request: pb.RecordContactAttemptRequest,
                             context: grpc.ServicerContext) -> pb.RecordContactAttemptResponse:
        outcome = self.app.record_contact_attempt(c.RecordContactAttempt(
            idempotency_key=request.idempotency_key,
            outcome=_enum_name(pb.AttemptOutcome, request.outcome),
            queue=request.queue,
            wait_seconds=request.wait_seconds,
            attempted_at=read_time(request, "attempted_at"),
            inquiry_id=request.inquiry_id,
            call_id=request.call_id,
            correlation_id=request.correlation_id,
        ))
        return pb.RecordContactAttemptResponse(attempt=attempt_message(outcome.aggregate),
                                               replayed=outcome.replayed)

    @translate_errors
    def GetInquiry(self, request: pb.GetInquiryRequest,
                   context: grpc.ServicerContext) -> pb.GetInquiryResponse:
        inquiry = self.app.get_inquiry(request.inquiry_id)
        response = pb.GetInquiryResponse(inquiry=inquiry_message(inquiry))
        if request.include_history:
            for item in self.app.history(request.inquiry_id):
                entry = response.history.add(
                    version=item.version, event_type=item.event_type, actor=item.actor,
                    details_json=history_json(item.details),
                )
                write_time(entry, "recorded_at", item.recorded_at)
                write_time(entry, "occurred_at", item.occurred_at)
        return response
