"""The whole supplier path, real parts only: intake, supplier service and SLA monitor.

Escalate in intake → the supplier service opens an engagement under the contract in force
→ intake holds the inquiry AWAITING_SUPPLIER → the supplier acknowledges late and resolves
through its own portal calls → the monitor raises the supplier breach → the contract's
penalty accrues → intake records the outcome and the inquiry resumes. Then everything is
read again from offset 0 and nothing is opened, recorded or charged twice.

Times are in the past (escalated 150 minutes ago on a 24×7 contract with a 60-minute
acknowledge target), so the breach is due at once and the test needs no waiting for it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from madoguchi.api.intake.v1 import intake_pb2 as ipb
from madoguchi.api.intake.v1 import intake_pb2_grpc
from madoguchi.api.sla.v1 import sla_monitor_pb2 as sla
from madoguchi.api.sla.v1 import sla_monitor_pb2_grpc as sla_grpc
from madoguchi.api.supplier.v1 import supplier_pb2 as spb
from madoguchi.api.supplier.v1 import supplier_pb2_grpc
from madoguchi.config import Settings
from madoguchi.rpc.channels import open_channel
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from services.intake.main import IntakeService
from services.sla_monitor.main import SlaMonitorService
from services.supplier.main import SupplierService
from tests.support.databases import database_urls
from tests.support.requests import receive_request, ts
from tests.support.sla_support import ALWAYS_OPEN, fast_terms, signals
from tests.support.system import eventually, make_settings

IDENTITY = "x-madoguchi-supplier-id"


def contract_terms(**overrides: Any) -> dict[str, Any]:
    today = datetime.now(UTC).date()
    terms: dict[str, Any] = {
        "title": "道路照明保守業務委託 (test)",
        "valid_from": (today - timedelta(days=30)).isoformat(),
        "valid_until": (today + timedelta(days=300)).isoformat(),
        "covers": ["道路"],
        "calendar": ALWAYS_OPEN,
        "targets": [{"priority": "", "acknowledge_minutes": 60, "resolve_minutes": 600}],
        "warning_percents": [75],
        "reminder_minutes": 0,
        "penalty": {"rule": "PER_STARTED_HOUR", "amount": 10000, "currency": "JPY",
                    "monthly_cap": 0},
        "expiry_warning_days": 30,
    }
    terms.update(overrides)
    return terms


class SupplierPath:
    """Intake, the supplier service and the SLA monitor on one broker and store."""

    def __init__(self, settings: Settings, suffix: str) -> None:
        self.settings = settings
        self.suffix = suffix
        self.intake = IntakeService(settings, address="127.0.0.1:0")
        self.monitor = SlaMonitorService(settings, address="127.0.0.1:0",
                                         group_id=f"sla-{suffix}")
        self.supplier = self._new_supplier()
        self.channels: list[grpc.Channel] = []
        for service in (self.intake, self.monitor, self.supplier):
            service.start()
        self.intake_stub = intake_pb2_grpc.IntakeServiceStub(self._channel(self.intake))
        self._supplier_stubs()

    def _new_supplier(self) -> SupplierService:
        return SupplierService(self.settings, address="127.0.0.1:0",
                               group_id=f"supplier-{self.suffix}")

    def _channel(self, service: Any) -> grpc.Channel:
        channel = open_channel(service.grpc.address)
        self.channels.append(channel)
        return channel

    def _supplier_stubs(self) -> None:
        channel = self._channel(self.supplier)
        self.management = supplier_pb2_grpc.SupplierManagementServiceStub(channel)
        self.portal = supplier_pb2_grpc.SupplierPortalServiceStub(channel)

    def _forget_offsets(self, service: str) -> None:
        db = SqlDatabase(parse_database_url(self.settings.database_urls[service]))
        try:
            with db.transaction() as cur:
                cur.execute("DELETE FROM consumer_offsets")
        finally:
            db.close()

    def replay_everything(self) -> None:
        """New supplier and intake instances without stored offsets: they read it all again."""
        self.supplier.stop()
        self._forget_offsets("supplier")
        self.supplier = self._new_supplier()
        self.supplier.start()
        self._supplier_stubs()
        self.intake.stop()
        self._forget_offsets("intake")
        self.intake = IntakeService(self.settings, address="127.0.0.1:0")
        self.intake.start()
        self.intake_stub = intake_pb2_grpc.IntakeServiceStub(self._channel(self.intake))

    def stop(self) -> None:
        for channel in self.channels:
            channel.close()
        for service in (self.supplier, self.monitor, self.intake):
            service.stop()

    def register_parties(self) -> None:
        """The customer agreement, two suppliers and one contract (for 道路 only)."""
        stub = sla_grpc.SlaMonitorServiceStub(self._channel(self.monitor))
        # Long customer targets: only the supplier's clocks breach in these tests.
        slow = fast_terms(targets=[
            {"priority": p, "first_response_minutes": 600, "resolution_minutes": 6000,
             "update_minutes": 0} for p in ("P1", "P2", "P3", "P4", "P5")])
        stub.RegisterAgreement(sla.RegisterAgreementRequest(
            agreement_id="fast", make_default=True, actor="test", terms_json=json.dumps(slow)))
        self.management.RegisterSupplier(spb.RegisterSupplierRequest(
            supplier_id="sakura-facility", name="さくら設備保守株式会社",
            services=["道路照明保守"],
            contacts=[spb.Contact(name="保守受付センター", role="ESCALATION",
                                  email="uketsuke@sakura-fm.example.jp")]))
        self.management.RegisterSupplier(spb.RegisterSupplierRequest(
            supplier_id="kamome-cc", name="株式会社かもめコールセンター"))
        self.management.RegisterContract(spb.RegisterContractRequest(
            contract_id="SFM-TEST", supplier_id="sakura-facility",
            terms_json=json.dumps(contract_terms(), ensure_ascii=False)))

    # ----- helpers -----

    def inquiry(self, inquiry_id: str) -> ipb.GetInquiryResponse:
        return self.intake_stub.GetInquiry(ipb.GetInquiryRequest(inquiry_id=inquiry_id,
                                                                 include_history=True))

    def engagements(self, inquiry_id: str) -> list[spb.Engagement]:
        return list(self.management.ListEngagements(
            spb.ListEngagementsRequest(inquiry_id=inquiry_id)).engagements)

    def receive_and_escalate(self, minutes_ago: float, supplier_id: str = "sakura-facility",
                             category: str = "道路") -> str:
        now = datetime.now(UTC)
        reply = self.intake_stub.ReceiveInquiry(receive_request(
            idempotency_key=f"path-{uuid.uuid4()}", agreement_id="fast", category=category,
            contacted_at=ts(now - timedelta(minutes=minutes_ago + 5))))
        inquiry_id = str(reply.inquiry.inquiry_id)
        self.intake_stub.EscalateInquiry(ipb.EscalateInquiryRequest(
            context=ipb.CommandContext(inquiry_id=inquiry_id, actor="dept-doro-01",
                                       occurred_at=ts(now - timedelta(minutes=minutes_ago))),
            target=ipb.SUPPLIER, to_supplier_id=supplier_id, reason="街路灯の修理を依頼"))
        return inquiry_id


@pytest.fixture
def path(store: str, broker, tmp_path: Path,
         request: pytest.FixtureRequest) -> Iterator[SupplierPath]:
    suffix = uuid.uuid4().hex[:10]
    settings = make_settings(tmp_path, broker.bootstrap,
                             database_urls(store, tmp_path, request), suffix)
    running = SupplierPath(settings, suffix)
    running.register_parties()
    yield running
    running.stop()




def test_escalation_to_breach_to_penalty_to_resumed_inquiry(path: SupplierPath) -> None:
    inquiry_id = path.receive_and_escalate(minutes_ago=150)

    # The supplier service opened one engagement under the contract in force.
    engagement = eventually(lambda: path.engagements(inquiry_id))[0]
    assert (engagement.supplier_id, engagement.coverage) == ("sakura-facility", "COVERED")
    assert (engagement.contract_id, engagement.contract_version) == ("SFM-TEST", 1)
    assert engagement.category == "道路" and engagement.status == "OPEN"

    # Intake holds the inquiry while the supplier has it.
    held = eventually(lambda: (r := path.inquiry(inquiry_id)).inquiry.status == ipb.ON_HOLD
                      and r)
    assert held.inquiry.hold_reason == ipb.AWAITING_SUPPLIER
    assert [h.event_type for h in held.history].count("InquirySupplierEngaged") == 1

    # Its acknowledge target passed 90 minutes ago: the monitor raises the supplier breach,
    # and the supplier service books the first started hour.
    def first_hour() -> list[spb.PenaltyLine]:
        lines = list(path.management.GetEngagement(spb.GetEngagementRequest(
            engagement_id=engagement.engagement_id)).penalties)
        return lines if lines else []
    lines = eventually(first_hour, timeout=60)
    assert [(ln.target, ln.rule, ln.units, ln.amount_accrued) for ln in lines] == [
        ("ACKNOWLEDGE", "PER_STARTED_HOUR", 1, 10000)]

    # The supplier works it through its own calls, identified as itself.
    me = ((IDENTITY, "sakura-facility"),)
    path.portal.AcknowledgeEngagement(spb.AcknowledgeEngagementRequest(
        engagement_id=engagement.engagement_id, note="受付しました"), metadata=me)
    path.portal.AddProgressNote(spb.AddProgressNoteRequest(
        engagement_id=engagement.engagement_id, idempotency_key="note-1",
        note="安定器を交換します"), metadata=me)
    resolved = path.portal.ResolveEngagement(spb.ResolveEngagementRequest(
        engagement_id=engagement.engagement_id, resolution="安定器を交換し点灯を確認"),
        metadata=me)
    assert resolved.status == "RESOLVED"

    # Acknowledged 150 minutes after escalation against 60: 90 minutes late, 2 started
    # hours in all; the stop books the second.
    def both_hours() -> int:
        lines = path.management.GetEngagement(spb.GetEngagementRequest(
            engagement_id=engagement.engagement_id)).penalties
        return sum(ln.amount_accrued for ln in lines) == 20000
    eventually(both_hours, timeout=60)
    months = path.management.GetPenalties(spb.GetPenaltiesRequest(
        supplier_id="sakura-facility")).months
    assert sum(m.total for m in months) == 20000

    # Intake records the outcome and the inquiry's own clocks resume.
    after = eventually(lambda: (r := path.inquiry(inquiry_id)).inquiry.status == ipb.ESCALATED
                       and r)
    outcomes = [json.loads(h.details_json) for h in after.history
                if h.event_type == "InquirySupplierOutcomeRecorded"]
    assert [(o["outcome"], o["resumed"]) for o in outcomes] == [("RESOLVED", True)]

    # The signals topic carries the supplier breach once, linked to inquiry and engagement.
    def supplier_breaches() -> list[dict[str, Any]]:
        found = [r for t, r in signals(path.settings.bootstrap(),
                                       path.settings.topics.sla_signals)
                 if t == "SlaBreached" and r["context"].get("scope") == "SUPPLIER"]
        return found
    breaches = eventually(supplier_breaches)
    assert [(str(b["inquiry_id"]), b["target"], b["context"]["engagement_id"])
            for b in breaches] == [(inquiry_id, "ACKNOWLEDGE", engagement.engagement_id)]

    # Everything read again from the beginning: nothing opened, charged or recorded twice.
    path.replay_everything()
    eventually(lambda: path.supplier.consumer.handled >= 2, timeout=60)
    eventually(lambda: path.intake.consumer.handled >= 3, timeout=60)
    again = path.management.GetEngagement(spb.GetEngagementRequest(
        engagement_id=engagement.engagement_id))
    assert len(path.engagements(inquiry_id)) == 1
    assert sum(ln.amount_accrued for ln in again.penalties) == 20000
    history = [h.event_type for h in path.inquiry(inquiry_id).history]
    assert history.count("InquirySupplierEngaged") == 1
    assert history.count("InquirySupplierOutcomeRecorded") == 1


def test_an_escalation_without_a_contract_is_recorded_as_a_gap_and_handed_back(
        path: SupplierPath) -> None:
    inquiry_id = path.receive_and_escalate(minutes_ago=10, category="ごみ・リサイクル")
    engagement = eventually(lambda: path.engagements(inquiry_id))[0]
    assert engagement.coverage == "NO_CONTRACT" and engagement.contract_id == ""
    assert "ごみ・リサイクル" in engagement.gap_reason
    gaps = path.management.ListEngagements(spb.ListEngagementsRequest(
        coverage="NO_CONTRACT")).engagements
    assert [g.engagement_id for g in gaps] == [engagement.engagement_id]

    # Another supplier neither sees nor touches it; without an identity nothing is allowed.
    other = ((IDENTITY, "kamome-cc"),)
    with pytest.raises(grpc.RpcError) as denied:
        path.portal.HandBackEngagement(spb.HandBackEngagementRequest(
            engagement_id=engagement.engagement_id, reason="範囲外"), metadata=other)
    assert denied.value.code() == grpc.StatusCode.NOT_FOUND
    assert list(path.portal.ListMyEngagements(spb.ListMyEngagementsRequest(),
                                              metadata=other).engagements) == []
    with pytest.raises(grpc.RpcError) as anonymous:
        path.portal.ListMyEngagements(spb.ListMyEngagementsRequest())
    assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED

    eventually(lambda: path.inquiry(inquiry_id).inquiry.status == ipb.ON_HOLD)
    path.portal.HandBackEngagement(spb.HandBackEngagementRequest(
        engagement_id=engagement.engagement_id, reason="契約範囲外です"),
        metadata=((IDENTITY, "sakura-facility"),))
    outcomes = eventually(lambda: [json.loads(h.details_json)
                                   for h in path.inquiry(inquiry_id).history
                                   if h.event_type == "InquirySupplierOutcomeRecorded"])
    assert [(o["outcome"], o["note"]) for o in outcomes] == [("HANDED_BACK", "契約範囲外です")]
    assert path.inquiry(inquiry_id).inquiry.status == ipb.ESCALATED
    # Handed back, the inquiry can go elsewhere.
    path.intake_stub.EscalateInquiry(ipb.EscalateInquiryRequest(
        context=ipb.CommandContext(inquiry_id=inquiry_id, actor="cc-op-03"),
        target=ipb.DEPARTMENT, to_department="環境課", reason="委託先の範囲外のため"))


def test_the_desk_resolving_first_withdraws_the_engagement(path: SupplierPath) -> None:
    inquiry_id = path.receive_and_escalate(minutes_ago=5)
    engagement = eventually(lambda: path.engagements(inquiry_id))[0]
    eventually(lambda: path.inquiry(inquiry_id).inquiry.status == ipb.ON_HOLD)
    path.intake_stub.ResolveInquiry(ipb.ResolveInquiryRequest(
        context=ipb.CommandContext(inquiry_id=inquiry_id, actor="dept-doro-01"),
        resolution_code="SELF_SOLVED", resolution_text="住民の方が自分で解決"))
    withdrawn = eventually(lambda: (e := path.management.GetEngagement(
        spb.GetEngagementRequest(engagement_id=engagement.engagement_id))).status
        == "WITHDRAWN" and e)
    assert withdrawn.closed_at.seconds > 0
    outcome = eventually(lambda: [json.loads(h.details_json)
                                  for h in path.inquiry(inquiry_id).history
                                  if h.event_type == "InquirySupplierOutcomeRecorded"])
    assert [(o["outcome"], o["resumed"]) for o in outcome] == [("WITHDRAWN", False)]
    with pytest.raises(grpc.RpcError) as closed:
        path.portal.AcknowledgeEngagement(spb.AcknowledgeEngagementRequest(
            engagement_id=engagement.engagement_id),
            metadata=((IDENTITY, "sakura-facility"),))
    assert closed.value.code() == grpc.StatusCode.FAILED_PRECONDITION
