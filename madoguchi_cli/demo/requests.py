"""From a scenario's step to the intake API request that performs it."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from madoguchi.api.intake.v1 import intake_pb2
from madoguchi_cli.demo.scenario import Action, Caller, Scenario, Step


def _timestamp(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


def build_request(scenario: Scenario, step: Step, inquiry_id: str = "") -> Message:
    """The gRPC request of one step; ``inquiry_id`` is the id ReceiveInquiry returned."""
    p = step.params
    if step.action == Action.RECEIVE_INQUIRY:
        caller = scenario.caller or Caller(name="")
        return intake_pb2.ReceiveInquiryRequest(
            idempotency_key=step.key, channel=intake_pb2.Channel.Value(scenario.channel),
            kind=intake_pb2.InquiryKind.Value(scenario.kind),
            contact=intake_pb2.Contact(name=caller.name, phone=caller.phone,
                                       email=caller.email, preferred_language="ja"),
            subject=scenario.subject, body=scenario.body, category=scenario.category,
            department=scenario.department, impact=intake_pb2.Level.Value(scenario.impact),
            urgency=intake_pb2.Level.Value(scenario.urgency),
            agreement_id=scenario.agreement_id, contacted_at=_timestamp(step.at),
            external_ref=scenario.external_ref, actor=step.actor,
            correlation_id=scenario.correlation_id,
        )
    if step.action == Action.RECORD_CONTACT_ATTEMPT:
        return intake_pb2.RecordContactAttemptRequest(
            idempotency_key=step.key, outcome=intake_pb2.AttemptOutcome.Value(p["outcome"]),
            queue=p["queue"], wait_seconds=p["wait_seconds"], attempted_at=_timestamp(step.at),
            inquiry_id=inquiry_id if p.get("link") else "", call_id=p["call_id"],
            correlation_id=scenario.correlation_id,
        )
    context = intake_pb2.CommandContext(
        inquiry_id=inquiry_id, expected_version=0, actor=step.actor,
        occurred_at=_timestamp(step.at), correlation_id=scenario.correlation_id,
    )
    match step.action:
        case Action.LOG_CONTACT:
            return intake_pb2.LogContactRequest(
                context=context, idempotency_key=step.key,
                channel=intake_pb2.Channel.Value(p["channel"]), direction=p["direction"],
                note=p["note"])
        case Action.RECORD_FIRST_RESPONSE:
            return intake_pb2.RecordFirstResponseRequest(
                context=context, channel=intake_pb2.Channel.Value(p["channel"]))
        case Action.ASSIGN:
            return intake_pb2.AssignInquiryRequest(context=context, team=p["team"],
                                                   assignee=p["assignee"])
        case Action.ESCALATE:
            return intake_pb2.EscalateInquiryRequest(
                context=context, target=intake_pb2.EscalationTarget.Value(p["target"]),
                to_tier=p.get("to_tier", 0), to_department=p.get("to_department", ""),
                reason=p["reason"])
        case Action.PUT_ON_HOLD:
            return intake_pb2.PutOnHoldRequest(
                context=context, reason=intake_pb2.HoldReason.Value(p["reason"]), note=p["note"])
        case Action.RESUME:
            return intake_pb2.ResumeInquiryRequest(context=context, note=p["note"])
        case Action.RESOLVE:
            return intake_pb2.ResolveInquiryRequest(
                context=context, resolution_code=p["resolution_code"],
                resolution_text=p["resolution_text"], faq_entry_id=p.get("faq_entry_id", ""))
        case Action.REOPEN:
            return intake_pb2.ReopenInquiryRequest(context=context, reason=p["reason"])
        case Action.CLOSE:
            return intake_pb2.CloseInquiryRequest(context=context)
        case Action.RECORD_SATISFACTION:
            return intake_pb2.RecordSatisfactionRequest(context=context, score=p["score"],
                                                        comment=p["comment"])
    raise ValueError(f"unknown action {step.action}")


def inquiry_versions(scenario: Scenario) -> list[int | None]:
    """Per step, the inquiry's version once the step is stored (None: not an inquiry event)."""
    versions: list[int | None] = []
    version = 0
    for step in scenario.steps:
        if step.action == Action.RECORD_CONTACT_ATTEMPT:
            versions.append(None)
        else:
            version += 1
            versions.append(version)
    return versions


# --------------------------------------------------------------------------------------
# Sending
# --------------------------------------------------------------------------------------

