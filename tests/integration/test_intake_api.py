"""Intake over real gRPC on SQLite and PostgreSQL: the inquiry life, retries and errors."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from madoguchi.api.intake.v1 import intake_pb2 as pb
from tests.support.requests import ctx, receive_request, ts
from tests.support.system import RunningSystem


def rpc_error(call, *args, **kwargs) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        call(*args, **kwargs)
    return caught.value


def field_violations(error: grpc.RpcError) -> dict[str, str]:
    status = rpc_status.from_call(error)
    assert status is not None, "rich status details missing"
    result = {}
    for detail in status.details:
        bad_request = error_details_pb2.BadRequest()
        assert detail.Unpack(bad_request)
        result.update({v.field: v.description for v in bad_request.field_violations})
    return result


def history_types(system: RunningSystem, inquiry_id: str) -> list[str]:
    reply = system.intake_stub.GetInquiry(
        pb.GetInquiryRequest(inquiry_id=inquiry_id, include_history=True))
    return [h.event_type for h in reply.history]


def test_full_inquiry_life_is_recorded_in_order(system: RunningSystem) -> None:
    stub = system.intake_stub
    received = stub.ReceiveInquiry(receive_request())
    inquiry = received.inquiry
    iid = inquiry.inquiry_id
    assert (inquiry.status, inquiry.version, inquiry.priority) == (pb.RECEIVED, 1, pb.P4)
    assert inquiry.subject == "住民票の写しをコンビニで取得できますか"
    assert inquiry.contact.name == "山田 太郎"

    steps = [
        lambda: stub.RecordFirstResponse(pb.RecordFirstResponseRequest(context=ctx(iid))),
        lambda: stub.LogContact(pb.LogContactRequest(
            context=ctx(iid), idempotency_key="mail-1", channel=pb.EMAIL,
            note="メールで追加の質問がありました")),
        lambda: stub.AssignInquiry(pb.AssignInquiryRequest(
            context=ctx(iid), team="一次受付", assignee="agent-7")),
        lambda: stub.EscalateInquiry(pb.EscalateInquiryRequest(
            context=ctx(iid), target=pb.DEPARTMENT, to_department="市民課",
            reason="戸籍の詳細確認が必要")),
        lambda: stub.PutOnHold(pb.PutOnHoldRequest(context=ctx(iid),
                                                   reason=pb.AWAITING_CUSTOMER)),
        lambda: stub.ResumeInquiry(pb.ResumeInquiryRequest(context=ctx(iid))),
        lambda: stub.ResolveInquiry(pb.ResolveInquiryRequest(
            context=ctx(iid), resolution_code="ANSWERED_BY_DEPARTMENT",
            resolution_text="市民課から回答しました")),
        lambda: stub.ReopenInquiry(pb.ReopenInquiryRequest(context=ctx(iid),
                                                           reason="回答に誤りがあった")),
        lambda: stub.ResolveInquiry(pb.ResolveInquiryRequest(
            context=ctx(iid), resolution_code="ANSWERED_BY_DEPARTMENT",
            resolution_text="訂正して回答しました")),
        lambda: stub.RecordSatisfaction(pb.RecordSatisfactionRequest(
            context=ctx(iid), score=9, comment="丁寧な対応でした")),
        lambda: stub.CloseInquiry(pb.CloseInquiryRequest(context=ctx(iid))),
    ]
    statuses = [step().inquiry.status for step in steps]
    assert statuses == [pb.RESPONDED, pb.RESPONDED, pb.ASSIGNED, pb.ESCALATED, pb.ON_HOLD,
                        pb.ESCALATED, pb.RESOLVED, pb.ESCALATED, pb.RESOLVED, pb.RESOLVED,
                        pb.CLOSED]

    final = stub.GetInquiry(pb.GetInquiryRequest(inquiry_id=iid, include_history=True))
    assert final.inquiry.version == 12
    assert final.inquiry.escalated_department == "市民課"
    assert final.inquiry.satisfaction_score == 9 and final.inquiry.has_satisfaction
    assert final.inquiry.resolved_at_first_contact is False
    assert final.inquiry.contact_count == 2 and final.inquiry.reopen_count == 1
    assert [h.version for h in final.history] == list(range(1, 13))
    assert final.history[0].event_type == "InquiryReceived"
    assert final.history[-1].event_type == "InquiryClosed"
    escalation = json.loads(final.history[4].details_json)
    assert escalation["reason"] == "戸籍の詳細確認が必要"


def test_answered_at_first_contact_from_the_faq(system: RunningSystem) -> None:
    stub = system.intake_stub
    iid = stub.ReceiveInquiry(receive_request(
        priority=pb.P3, impact=0, urgency=0)).inquiry.inquiry_id
    stub.RecordFirstResponse(pb.RecordFirstResponseRequest(context=ctx(iid)))
    resolved = stub.ResolveInquiry(pb.ResolveInquiryRequest(
        context=ctx(iid), resolution_code="ANSWERED_FAQ", resolution_text="FAQで回答",
        faq_entry_id="FAQ-JUMIN-001")).inquiry
    assert resolved.resolved_at_first_contact is True
    assert resolved.priority == pb.P3
    assert resolved.faq_entry_id == "FAQ-JUMIN-001"


def test_retry_with_the_same_key_returns_the_same_inquiry_and_stores_nothing(
        system: RunningSystem) -> None:
    request = receive_request()
    first = system.intake_stub.ReceiveInquiry(request)
    again = system.intake_stub.ReceiveInquiry(request)
    assert again.replayed is True and first.replayed is False
    assert again.inquiry.inquiry_id == first.inquiry.inquiry_id
    assert again.inquiry.version == 1
    assert history_types(system, first.inquiry.inquiry_id) == ["InquiryReceived"]
    assert system.intake.app.recorder.max_notification_id() == 1


def test_concurrent_retries_with_the_same_key_create_one_inquiry(system: RunningSystem) -> None:
    request = receive_request()
    replies: list[pb.ReceiveInquiryResponse] = []
    threads = [threading.Thread(target=lambda: replies.append(
        system.intake_stub.ReceiveInquiry(request))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({r.inquiry.inquiry_id for r in replies}) == 1
    assert sum(not r.replayed for r in replies) == 1
    assert system.intake.app.recorder.max_notification_id() == 1


def test_same_key_for_a_different_request_is_rejected(system: RunningSystem) -> None:
    request = receive_request()
    system.intake_stub.ReceiveInquiry(request)
    changed = receive_request(idempotency_key=request.idempotency_key, subject="別の件")
    error = rpc_error(system.intake_stub.ReceiveInquiry, changed)
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS
    assert "idempotency_key" in error.details()


def test_retried_contact_log_is_stored_once(system: RunningSystem) -> None:
    iid = system.intake_stub.ReceiveInquiry(receive_request()).inquiry.inquiry_id
    request = pb.LogContactRequest(context=ctx(iid), idempotency_key="fax-20261122-1",
                                   channel=pb.FAX, note="FAXで書類が届いた")
    first = system.intake_stub.LogContact(request)
    again = system.intake_stub.LogContact(request)
    assert (first.inquiry.version, again.inquiry.version) == (2, 2)
    assert again.replayed is True
    assert history_types(system, iid).count("InquiryContactLogged") == 1


def test_contact_attempts_are_idempotent(system: RunningSystem) -> None:
    request = pb.RecordContactAttemptRequest(
        idempotency_key="call-1-abandoned", outcome=pb.ABANDONED, queue="代表",
        wait_seconds=95, attempted_at=ts(datetime.now(UTC)), call_id="call-1")
    first = system.intake_stub.RecordContactAttempt(request)
    again = system.intake_stub.RecordContactAttempt(request)
    assert first.attempt.attempt_id == again.attempt.attempt_id
    assert (first.replayed, again.replayed) == (False, True)
    assert first.attempt.outcome == pb.ABANDONED


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"channel": 0}, "channel"),
        ({"channel": 99}, "channel"),
        ({"kind": 0}, "kind"),
        ({"contact": pb.Contact(name="")}, "contact.name"),
        ({"contact": pb.Contact(name="佐藤", email="not-an-address")}, "contact.email"),
        ({"contact": pb.Contact(name="佐藤", phone="call me")}, "contact.phone"),
        ({"subject": ""}, "subject"),
        ({"subject": "あ" * 201}, "subject"),
        ({"body": "本" * 10_001}, "body"),
        ({"category": ""}, "category"),
        ({"agreement_id": ""}, "agreement_id"),
        ({"impact": 0, "urgency": 0}, "impact"),
        ({"contacted_at": None}, "contacted_at"),
        ({"contacted_at": ts(datetime.now(UTC) + timedelta(days=1))}, "contacted_at"),
    ],
)
def test_malformed_receive_is_invalid_argument_naming_the_field(
        system: RunningSystem, overrides: dict[str, object], field: str) -> None:
    request = receive_request()
    for name, value in overrides.items():
        if value is None:
            request.ClearField(name)
        elif hasattr(value, "CopyFrom"):
            getattr(request, name).CopyFrom(value)
        else:
            setattr(request, name, value)
    error = rpc_error(system.intake_stub.ReceiveInquiry, request)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in field_violations(error)
    assert field in error.details()
    assert system.intake.app.recorder.max_notification_id() is None


def test_priority_change_reclassifies_and_a_retry_stores_nothing(system: RunningSystem) -> None:
    stub = system.intake_stub
    iid = stub.ReceiveInquiry(receive_request()).inquiry.inquiry_id  # LOW × MEDIUM: P4
    request = pb.ChangePriorityRequest(context=ctx(iid, expected_version=1), impact=pb.HIGH,
                                       urgency=pb.HIGH, reason="断水で同様の問い合わせが急増")
    changed = stub.ChangePriority(request)
    assert changed.replayed is False
    assert (changed.inquiry.impact, changed.inquiry.urgency, changed.inquiry.priority,
            changed.inquiry.version) == (pb.HIGH, pb.HIGH, pb.P1, 2)
    again = stub.ChangePriority(request)  # the reply was lost: the caller retries
    assert (again.replayed, again.inquiry.version, again.inquiry.priority) == (True, 2, pb.P1)

    final = stub.GetInquiry(pb.GetInquiryRequest(inquiry_id=iid, include_history=True))
    assert [h.event_type for h in final.history] == ["InquiryReceived", "InquiryPriorityChanged"]
    assert final.history[1].actor == "operator-01"
    assert json.loads(final.history[1].details_json) == {
        "impact": "HIGH", "urgency": "HIGH", "priority": "P1", "previous_priority": "P4",
        "reason": "断水で同様の問い合わせが急増"}


def test_an_explicit_priority_overrides_the_matrix_on_change(system: RunningSystem) -> None:
    stub = system.intake_stub
    iid = stub.ReceiveInquiry(receive_request()).inquiry.inquiry_id
    changed = stub.ChangePriority(pb.ChangePriorityRequest(
        context=ctx(iid), priority=pb.P2, reason="議員からの照会のため")).inquiry
    assert (changed.priority, changed.impact, changed.urgency) == (
        pb.P2, pb.LEVEL_UNSPECIFIED, pb.LEVEL_UNSPECIFIED)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"impact": 99}, "impact"),
        ({"impact": 0, "urgency": 0}, "impact"),
        ({"urgency": 0}, "urgency"),
        ({"priority": 42}, "priority"),
        ({"reason": ""}, "reason"),
        ({"reason": "理" * 1001}, "reason"),
    ],
)
def test_malformed_priority_change_is_invalid_argument_naming_the_field(
        system: RunningSystem, overrides: dict[str, object], field: str) -> None:
    iid = system.intake_stub.ReceiveInquiry(receive_request()).inquiry.inquiry_id
    request = pb.ChangePriorityRequest(context=ctx(iid), impact=pb.HIGH, urgency=pb.HIGH,
                                       reason="影響範囲が拡大")
    for name, value in overrides.items():
        setattr(request, name, value)
    error = rpc_error(system.intake_stub.ChangePriority, request)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in field_violations(error)
    assert history_types(system, iid) == ["InquiryReceived"]


def test_unknown_and_malformed_ids(system: RunningSystem) -> None:
    error = rpc_error(system.intake_stub.GetInquiry,
                      pb.GetInquiryRequest(inquiry_id=str(uuid.uuid4())))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    error = rpc_error(system.intake_stub.CloseInquiry,
                      pb.CloseInquiryRequest(context=ctx("not-a-uuid")))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "context.inquiry_id" in field_violations(error)


def test_forbidden_transition_is_failed_precondition_and_stores_nothing(
        system: RunningSystem) -> None:
    stub = system.intake_stub
    iid = stub.ReceiveInquiry(receive_request()).inquiry.inquiry_id
    stub.ResolveInquiry(pb.ResolveInquiryRequest(context=ctx(iid), resolution_code="FAQ",
                                                 resolution_text="回答済み"))
    stub.CloseInquiry(pb.CloseInquiryRequest(context=ctx(iid)))
    before = stub.GetInquiry(pb.GetInquiryRequest(inquiry_id=iid)).inquiry.version
    for call, request in [
        (stub.ResolveInquiry, pb.ResolveInquiryRequest(
            context=ctx(iid), resolution_code="FAQ", resolution_text="再回答")),
        (stub.ReopenInquiry, pb.ReopenInquiryRequest(context=ctx(iid), reason="再開")),
        (stub.EscalateInquiry, pb.EscalateInquiryRequest(
            context=ctx(iid), target=pb.TIER, to_tier=2, reason="専門対応")),
        (stub.LogContact, pb.LogContactRequest(context=ctx(iid), idempotency_key="late",
                                               channel=pb.PHONE)),
        (stub.ChangePriority, pb.ChangePriorityRequest(
            context=ctx(iid), impact=pb.HIGH, urgency=pb.HIGH, reason="後から格上げ")),
    ]:
        error = rpc_error(call, request)
        assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, call
        assert "CLOSED" in error.details()
    assert stub.GetInquiry(pb.GetInquiryRequest(inquiry_id=iid)).inquiry.version == before


def test_satisfaction_only_after_resolution(system: RunningSystem) -> None:
    stub = system.intake_stub
    iid = stub.ReceiveInquiry(receive_request()).inquiry.inquiry_id
    error = rpc_error(stub.RecordSatisfaction,
                      pb.RecordSatisfactionRequest(context=ctx(iid), score=8))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    error = rpc_error(stub.RecordSatisfaction,
                      pb.RecordSatisfactionRequest(context=ctx(iid), score=11))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "score" in field_violations(error)


def test_stale_expected_version_is_aborted(system: RunningSystem) -> None:
    stub = system.intake_stub
    iid = stub.ReceiveInquiry(receive_request()).inquiry.inquiry_id
    stub.AssignInquiry(pb.AssignInquiryRequest(context=ctx(iid, expected_version=1),
                                               team="一次受付"))
    error = rpc_error(stub.AssignInquiry, pb.AssignInquiryRequest(
        context=ctx(iid, expected_version=1), team="二次受付"))
    assert error.code() == grpc.StatusCode.ABORTED
    inquiry = stub.GetInquiry(pb.GetInquiryRequest(inquiry_id=iid)).inquiry
    assert (inquiry.version, inquiry.team) == (2, "一次受付")


def test_concurrent_conflicting_writes_one_wins_the_rest_abort(system: RunningSystem) -> None:
    stub = system.intake_stub
    iid = stub.ReceiveInquiry(receive_request()).inquiry.inquiry_id
    barrier = threading.Barrier(6)
    codes: list[grpc.StatusCode] = []

    def assign(team: str) -> None:
        barrier.wait()
        try:
            stub.AssignInquiry(pb.AssignInquiryRequest(context=ctx(iid, expected_version=1),
                                                       team=team))
            codes.append(grpc.StatusCode.OK)
        except grpc.RpcError as error:
            codes.append(error.code())

    threads = [threading.Thread(target=assign, args=(f"team-{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes.count(grpc.StatusCode.OK) == 1
    assert codes.count(grpc.StatusCode.ABORTED) == 5
    assert stub.GetInquiry(pb.GetInquiryRequest(inquiry_id=iid)).inquiry.version == 2


def test_concurrent_unconditional_writes_are_all_kept(system: RunningSystem) -> None:
    stub = system.intake_stub
    iid = stub.ReceiveInquiry(receive_request()).inquiry.inquiry_id
    barrier = threading.Barrier(5)

    def log(n: int) -> None:
        barrier.wait()
        stub.LogContact(pb.LogContactRequest(context=ctx(iid), idempotency_key=f"c-{n}",
                                             channel=pb.CHAT, note=f"チャット {n}"))

    threads = [threading.Thread(target=log, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    inquiry = stub.GetInquiry(pb.GetInquiryRequest(inquiry_id=iid)).inquiry
    assert (inquiry.version, inquiry.contact_count) == (6, 6)


def test_health_and_reflection_are_on(system: RunningSystem) -> None:
    health = health_pb2_grpc.HealthStub(system.intake_channel)
    reply = health.Check(health_pb2.HealthCheckRequest(service="madoguchi.intake.v1.IntakeService"))
    assert reply.status == health_pb2.HealthCheckResponse.SERVING
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    stub = reflection_pb2_grpc.ServerReflectionStub(system.intake_channel)
    responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(
        list_services="")]))
    names = {s.name for r in responses for s in r.list_services_response.service}
    assert "madoguchi.intake.v1.IntakeService" in names


def test_undecodable_request_bytes_are_invalid_argument(system: RunningSystem) -> None:
    raw = system.intake_channel.unary_unary("/madoguchi.intake.v1.IntakeService/ReceiveInquiry")
    error = rpc_error(raw, b"\x2a\x01\xff")  # field 5 (subject): invalid UTF-8
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert system.intake.app.recorder.max_notification_id() is None


@pytest.mark.parametrize("seconds", [253402300800, -62135596801])
def test_out_of_range_timestamps_are_invalid_argument(system: RunningSystem,
                                                      seconds: int) -> None:
    request = receive_request()
    request.contacted_at.seconds = seconds
    error = rpc_error(system.intake_stub.ReceiveInquiry, request)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "contacted_at" in field_violations(error)


def test_negative_expected_version_is_invalid_argument(system: RunningSystem) -> None:
    iid = system.intake_stub.ReceiveInquiry(receive_request()).inquiry.inquiry_id
    error = rpc_error(system.intake_stub.CloseInquiry,
                      pb.CloseInquiryRequest(context=ctx(iid, expected_version=-1)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "context.expected_version" in field_violations(error)


def test_contact_attempt_links_only_to_an_inquiry_id(system: RunningSystem) -> None:
    request = pb.RecordContactAttemptRequest(
        idempotency_key="call-x", outcome=pb.ANSWERED, queue="代表", wait_seconds=3,
        attempted_at=ts(datetime.now(UTC)), inquiry_id="x" * 5000)
    error = rpc_error(system.intake_stub.RecordContactAttempt, request)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "inquiry_id" in field_violations(error)
