"""The supplier service over real gRPC on SQLite and PostgreSQL: registry, retries,
caller mistakes, and the portal's identity rule (a supplier sees only its own work)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from madoguchi.api.supplier.v1 import supplier_pb2 as pb
from madoguchi.api.supplier.v1 import supplier_pb2_grpc
from madoguchi.errors import Unauthenticated
from madoguchi.rpc.channels import open_channel
from services.supplier.adapters.identity import SUPPLIER_ID_HEADER, caller_supplier
from tests.support.databases import database_urls
from tests.support.system import make_settings

KCC = "kcc-operator"
ROADS = "road-works"


@dataclass
class SupplierSystem:
    service: Any
    manage: supplier_pb2_grpc.SupplierManagementServiceStub
    portal: supplier_pb2_grpc.SupplierPortalServiceStub

    def stored(self) -> int:
        """The number of events in the store: unchanged means nothing was stored."""
        return int(self.service.app.recorder.max_notification_id() or 0)


@pytest.fixture
def supplier(store: str, broker, tmp_path: Path, request: pytest.FixtureRequest
             ) -> Iterator[SupplierSystem]:
    from services.supplier.main import SupplierService

    suffix = uuid.uuid4().hex[:10]
    settings = make_settings(tmp_path, broker.bootstrap, database_urls(store, tmp_path, request),
                             suffix)
    service = SupplierService(settings, address="127.0.0.1:0", group_id=f"supplier-{suffix}")
    service.start()
    channel = open_channel(service.grpc.address)
    yield SupplierSystem(service, supplier_pb2_grpc.SupplierManagementServiceStub(channel),
                         supplier_pb2_grpc.SupplierPortalServiceStub(channel))
    channel.close()
    service.stop()


def as_supplier(supplier_id: str) -> list[tuple[str, str]]:
    return [(SUPPLIER_ID_HEADER, supplier_id)]


def rpc_error(call: Callable[..., Any], *args: Any, **kwargs: Any) -> grpc.RpcError:
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


def terms(**overrides: Any) -> dict[str, Any]:
    """Contract terms in force today (so engagements opened now are covered)."""
    today = datetime.now(UTC).date()
    data: dict[str, Any] = {
        "title": "コールセンター運営業務委託",
        "valid_from": (today - timedelta(days=30)).isoformat(),
        "valid_until": (today + timedelta(days=335)).isoformat(),
        "covers": ["道路", "住民票・戸籍"],
        "targets": [{"priority": "P1", "acknowledge_minutes": 30, "resolve_minutes": 240},
                    {"priority": "", "acknowledge_minutes": 60, "resolve_minutes": 960}],
        "warning_percents": [75],
        "reminder_minutes": 30,
        "penalty": {"rule": "FIXED", "amount": 50000, "currency": "JPY",
                    "monthly_cap": 300000},
        "expiry_warning_days": 60,
    }
    data.update(overrides)
    return data


def register_supplier(system: SupplierSystem, supplier_id: str = KCC,
                      name: str = "株式会社かわさきコールセンター") -> pb.SupplierReply:
    return system.manage.RegisterSupplier(pb.RegisterSupplierRequest(
        supplier_id=supplier_id, name=name, services=["コールセンター運営", "道路点検"],
        contacts=[pb.Contact(name="山田 花子", role="窓口責任者", email="hanako@kcc.example.jp",
                             phone="044-000-0000")],
        reason="新規委託", meta=pb.RequestMeta(actor="supplier-manager-01",
                                              correlation_id="reg-1")))


def register_contract(system: SupplierSystem, contract_id: str = "KCC-2026",
                      supplier_id: str = KCC, **overrides: Any) -> pb.ContractReply:
    return system.manage.RegisterContract(pb.RegisterContractRequest(
        contract_id=contract_id, supplier_id=supplier_id,
        terms_json=json.dumps(terms(**overrides), ensure_ascii=False), reason="契約締結",
        meta=pb.RequestMeta(actor="supplier-manager-01")))


def open_engagement(system: SupplierSystem, supplier_id: str = KCC) -> pb.Engagement:
    """An engagement as an escalation from intake would open it (no intake needed)."""
    inquiry_id = str(uuid.uuid4())
    system.service.app.open_engagement(
        inquiry_id, 3, supplier_id, "道路", "P2", "INCIDENT", "市道の陥没について",
        "現地調査が必要", datetime.now(UTC) - timedelta(minutes=5), "corr-escalation")
    page = system.manage.ListEngagements(pb.ListEngagementsRequest(inquiry_id=inquiry_id))
    assert len(page.engagements) == 1
    return page.engagements[0]


# ----- registry -----

def test_a_supplier_and_its_contract_are_registered_and_read_back(
        supplier: SupplierSystem) -> None:
    reply = register_supplier(supplier)
    assert not reply.replayed
    registered = reply.supplier
    assert (registered.supplier_id, registered.name, registered.version) == (
        KCC, "株式会社かわさきコールセンター", 1)
    assert list(registered.services) == ["コールセンター運営", "道路点検"]
    assert registered.contacts[0].name == "山田 花子"
    assert registered.contacts[0].role == "窓口責任者"
    assert not registered.retired and registered.HasField("registered_at")
    assert supplier.manage.GetSupplier(pb.GetSupplierRequest(supplier_id=KCC)) == registered
    listed = supplier.manage.ListSuppliers(pb.ListSuppliersRequest()).suppliers
    assert [s.supplier_id for s in listed] == [KCC]

    contract = register_contract(supplier).contract
    expected = terms()
    assert (contract.contract_id, contract.supplier_id, contract.version,
            contract.latest_version) == ("KCC-2026", KCC, 1, 1)
    assert (contract.valid_from, contract.valid_until, contract.terminated_on) == (
        expected["valid_from"], expected["valid_until"], "")
    assert contract.status == "ACTIVE"
    stored_terms = json.loads(contract.terms_json)
    assert stored_terms["title"] == "コールセンター運営業務委託"
    assert sorted(stored_terms["covers"]) == sorted(["道路", "住民票・戸籍"])
    assert stored_terms["penalty"]["rule"] == "FIXED"
    assert "コールセンター" in contract.terms_json  # UTF-8 text, not \\u escapes
    assert supplier.manage.GetContract(
        pb.GetContractRequest(contract_id="KCC-2026")) == contract

    amended = supplier.manage.AmendContract(pb.AmendContractRequest(
        contract_id="KCC-2026", expected_version=1, reason="対象分野の追加",
        terms_json=json.dumps(terms(covers=["道路", "住民票・戸籍", "税"]),
                              ensure_ascii=False))).contract
    assert (amended.version, amended.latest_version) == (2, 2)
    first = supplier.manage.GetContract(pb.GetContractRequest(contract_id="KCC-2026",
                                                              version=1))
    assert (first.version, first.latest_version) == (1, 2)
    assert sorted(json.loads(first.terms_json)["covers"]) == sorted(["道路", "住民票・戸籍"])
    history = supplier.manage.GetContractHistory(
        pb.GetContractHistoryRequest(contract_id="KCC-2026"))
    assert [v.version for v in history.versions] == [1, 2]
    contracts = supplier.manage.ListContracts(pb.ListContractsRequest(supplier_id=KCC))
    assert [c.contract_id for c in contracts.contracts] == ["KCC-2026"]

    stale = rpc_error(supplier.manage.AmendContract, pb.AmendContractRequest(
        contract_id="KCC-2026", expected_version=1,
        terms_json=json.dumps(terms(), ensure_ascii=False)))
    assert stale.code() == grpc.StatusCode.ABORTED
    missing = rpc_error(supplier.manage.GetSupplier, pb.GetSupplierRequest(supplier_id="nobody"))
    assert missing.code() == grpc.StatusCode.NOT_FOUND


def _occurred_far_ahead() -> pb.RequestMeta:
    return pb.RequestMeta(occurred_at=Timestamp(seconds=10**13))


BAD_REQUESTS: list[tuple[str, str, Callable[[], Any], str]] = [
    ("RegisterContract", "not JSON", lambda: pb.RegisterContractRequest(
        contract_id="KCC-2027", supplier_id=KCC, terms_json="{title: 契約"), "terms_json"),
    ("RegisterContract", "not an object", lambda: pb.RegisterContractRequest(
        contract_id="KCC-2027", supplier_id=KCC, terms_json="[1, 2]"), "terms_json"),
    ("RegisterContract", "missing", lambda: pb.RegisterContractRequest(
        contract_id="KCC-2027", supplier_id=KCC, terms_json=""), "terms_json"),
    ("RegisterContract", "NaN", lambda: pb.RegisterContractRequest(
        contract_id="KCC-2027", supplier_id=KCC,
        terms_json='{"reminder_minutes": NaN}'), "terms_json"),
    ("RegisterContract", "bad penalty rule", lambda: pb.RegisterContractRequest(
        contract_id="KCC-2027", supplier_id=KCC, terms_json=json.dumps(
            terms(penalty={"rule": "PER_MINUTE", "amount": 100, "currency": "JPY",
                           "monthly_cap": 0}))),
     "terms.penalty.rule"),
    ("RegisterContract", "bad date in terms", lambda: pb.RegisterContractRequest(
        contract_id="KCC-2027", supplier_id=KCC,
        terms_json=json.dumps(terms(valid_from="2026-02-30"))), "terms.valid_from"),
    ("RegisterContract", "occurred_at out of range", lambda: pb.RegisterContractRequest(
        contract_id="KCC-2027", supplier_id=KCC, terms_json=json.dumps(terms()),
        meta=_occurred_far_ahead()), "meta.occurred_at"),
    ("AmendContract", "not JSON", lambda: pb.AmendContractRequest(
        contract_id="KCC-2026", terms_json="契約"), "terms_json"),
    ("RenewContract", "slashes", lambda: pb.RenewContractRequest(
        contract_id="KCC-2026", valid_until="2028/03/31"), "valid_until"),
    ("RenewContract", "no such day", lambda: pb.RenewContractRequest(
        contract_id="KCC-2026", valid_until="2028-02-30"), "valid_until"),
    ("RenewContract", "missing", lambda: pb.RenewContractRequest(
        contract_id="KCC-2026"), "valid_until"),
    ("RenewContract", "bad terms", lambda: pb.RenewContractRequest(
        contract_id="KCC-2026", valid_until="2028-03-31", terms_json="{"), "terms_json"),
    ("TerminateContract", "Japanese date", lambda: pb.TerminateContractRequest(
        contract_id="KCC-2026", terminated_on="令和8年12月31日"), "terminated_on"),
    ("RecordReview", "bad held_on", lambda: pb.RecordReviewRequest(
        idempotency_key="review-bad", supplier_id=KCC, held_on="2026-13-01"), "held_on"),
    ("RecordReview", "bad action status", lambda: pb.RecordReviewRequest(
        idempotency_key="review-bad", supplier_id=KCC, held_on="2026-11-01",
        actions=[pb.ReviewAction(description="報告書の改善", status="FINISHED")]),
     "actions[0].status"),
    ("RecordReview", "bad action due date", lambda: pb.RecordReviewRequest(
        idempotency_key="review-bad", supplier_id=KCC, held_on="2026-11-01",
        actions=[pb.ReviewAction(description="報告書の改善", due_on="来月")]),
     "actions[0].due_on"),
    ("UpdateSupplier", "negative version", lambda: pb.UpdateSupplierRequest(
        supplier_id=KCC, name="別名", expected_version=-1), "expected_version"),
]


@pytest.mark.parametrize(("method", "case", "build", "field"), BAD_REQUESTS,
                         ids=[f"{m}-{c}" for m, c, _, _ in BAD_REQUESTS])
def test_bad_input_is_invalid_argument_naming_the_field_and_stores_nothing(
        supplier: SupplierSystem, method: str, case: str, build: Callable[[], Any],
        field: str) -> None:
    register_supplier(supplier)
    register_contract(supplier)
    before = supplier.stored()

    error = rpc_error(getattr(supplier.manage, method), build())

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.details()
    assert field in field_violations(error), field_violations(error)
    assert supplier.stored() == before
    contract = supplier.manage.GetContract(pb.GetContractRequest(contract_id="KCC-2026"))
    assert (contract.version, contract.terminated_on) == (1, "")
    assert supplier.manage.GetSupplier(pb.GetSupplierRequest(supplier_id=KCC)).version == 1
    reviews = supplier.manage.ListReviews(pb.ListReviewsRequest(supplier_id=KCC)).reviews
    assert list(reviews) == []


@pytest.mark.parametrize(("call", "field"), [
    (lambda m: m.ListEngagements(pb.ListEngagementsRequest(status="CLOSED")), "status"),
    (lambda m: m.ListEngagements(pb.ListEngagementsRequest(coverage="PARTIAL")), "coverage"),
    (lambda m: m.ListEngagements(pb.ListEngagementsRequest(inquiry_id="INQ-1")), "inquiry_id"),
    (lambda m: m.ListEngagements(pb.ListEngagementsRequest(page_size=501)), "page_size"),
    (lambda m: m.GetEngagement(pb.GetEngagementRequest(engagement_id="e-1")), "engagement_id"),
    (lambda m: m.GetPenalties(pb.GetPenaltiesRequest(month="2026-13")), "month"),
    (lambda m: m.GetPenalties(pb.GetPenaltiesRequest(month="2026-11-01")), "month"),
    (lambda m: m.GetDependencyRisk(pb.GetDependencyRiskRequest(threshold=1.5)), "threshold"),
    (lambda m: m.ListContracts(pb.ListContractsRequest(expiring_within_days=-1)),
     "expiring_within_days"),
], ids=["status", "coverage", "inquiry_id", "page_size", "engagement_id", "month",
        "month-with-day", "threshold", "expiring_within_days"])
def test_bad_query_values_are_invalid_argument_naming_the_field(
        supplier: SupplierSystem, call: Callable[[Any], Any], field: str) -> None:
    error = rpc_error(call, supplier.manage)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.details()
    assert field in field_violations(error)


def test_replayed_creating_calls_answer_the_same_and_other_content_is_already_exists(
        supplier: SupplierSystem) -> None:
    first = register_supplier(supplier)
    contract = register_contract(supplier)
    review = supplier.manage.RecordReview(pb.RecordReviewRequest(
        idempotency_key="review-2026-q3", supplier_id=KCC, held_on="2026-10-15",
        attendees=["山田 花子", "佐藤 一郎"], findings="応答率は目標を満たしている",
        actions=[pb.ReviewAction(description="エスカレーション手順の見直し",
                                 owner="佐藤 一郎", due_on="2026-12-01")]))
    assert not review.replayed
    assert review.review.actions[0].status == "OPEN"
    stored = supplier.stored()

    again = register_supplier(supplier)
    assert again.replayed and again.supplier == first.supplier
    contract_again = register_contract(supplier)
    assert contract_again.replayed
    assert contract_again.contract.version == contract.contract.version == 1
    review_again = supplier.manage.RecordReview(pb.RecordReviewRequest(
        idempotency_key="review-2026-q3", supplier_id=KCC, held_on="2026-10-15",
        attendees=["山田 花子", "佐藤 一郎"], findings="応答率は目標を満たしている",
        actions=[pb.ReviewAction(description="エスカレーション手順の見直し",
                                 owner="佐藤 一郎", due_on="2026-12-01")]))
    assert review_again.replayed and review_again.review == review.review
    assert supplier.stored() == stored

    reused = [
        rpc_error(register_supplier, supplier, name="別の会社"),
        rpc_error(register_contract, supplier, title="別の契約"),
        rpc_error(supplier.manage.RecordReview, pb.RecordReviewRequest(
            idempotency_key="review-2026-q3", supplier_id=KCC, held_on="2026-10-15",
            findings="別の所見")),
    ]
    assert [e.code() for e in reused] == [grpc.StatusCode.ALREADY_EXISTS] * 3
    assert supplier.stored() == stored
    assert supplier.manage.GetSupplier(
        pb.GetSupplierRequest(supplier_id=KCC)).name == "株式会社かわさきコールセンター"


# ----- the portal -----

PORTAL_CALLS: list[tuple[str, Callable[[str], Any]]] = [
    ("ListMyEngagements", lambda e: pb.ListMyEngagementsRequest()),
    ("GetMyEngagement", lambda e: pb.GetMyEngagementRequest(engagement_id=e)),
    ("AcknowledgeEngagement", lambda e: pb.AcknowledgeEngagementRequest(
        engagement_id=e, note="受け付けました")),
    ("AddProgressNote", lambda e: pb.AddProgressNoteRequest(
        engagement_id=e, idempotency_key="note-1", note="現地を確認中です")),
    ("ResolveEngagement", lambda e: pb.ResolveEngagementRequest(
        engagement_id=e, resolution="補修しました")),
    ("HandBackEngagement", lambda e: pb.HandBackEngagementRequest(
        engagement_id=e, reason="当社の範囲外です")),
]


@pytest.mark.parametrize("metadata", [
    [], [(SUPPLIER_ID_HEADER, "")], [(SUPPLIER_ID_HEADER, "   ")],
    [(SUPPLIER_ID_HEADER, KCC), (SUPPLIER_ID_HEADER, ROADS)],
    [(SUPPLIER_ID_HEADER, "KCC Operator")],
], ids=["missing", "empty", "blank", "repeated", "malformed"])
def test_portal_calls_without_an_identity_are_unauthenticated(
        supplier: SupplierSystem, metadata: list[tuple[str, str]]) -> None:
    register_supplier(supplier)
    register_contract(supplier)
    engagement = open_engagement(supplier)
    stored = supplier.stored()
    for name, build in PORTAL_CALLS:
        error = rpc_error(getattr(supplier.portal, name), build(engagement.engagement_id),
                          metadata=metadata)
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED, name
    assert supplier.stored() == stored
    assert supplier.manage.GetEngagement(pb.GetEngagementRequest(
        engagement_id=engagement.engagement_id)).status == "OPEN"


def test_a_supplier_cannot_see_or_act_on_another_suppliers_engagement(
        supplier: SupplierSystem) -> None:
    register_supplier(supplier)
    register_supplier(supplier, ROADS, "道路保全株式会社")
    register_contract(supplier)
    engagement = open_engagement(supplier)
    assert (engagement.supplier_id, engagement.coverage, engagement.status) == (
        KCC, "COVERED", "OPEN")
    assert engagement.subject == "市道の陥没について"
    stored = supplier.stored()

    other = as_supplier(ROADS)
    assert list(supplier.portal.ListMyEngagements(pb.ListMyEngagementsRequest(),
                                                  metadata=other).engagements) == []
    for name, build in PORTAL_CALLS[1:]:
        foreign = rpc_error(getattr(supplier.portal, name), build(engagement.engagement_id),
                            metadata=other)
        unknown = rpc_error(getattr(supplier.portal, name), build(str(uuid.uuid4())),
                            metadata=other)
        # Not FORBIDDEN: another supplier's engagement looks exactly like no engagement.
        assert foreign.code() == unknown.code() == grpc.StatusCode.NOT_FOUND, name
    assert supplier.stored() == stored
    unchanged = supplier.manage.GetEngagement(
        pb.GetEngagementRequest(engagement_id=engagement.engagement_id))
    assert (unchanged.status, unchanged.version) == ("OPEN", engagement.version)

    mine = as_supplier(KCC)
    listed = supplier.portal.ListMyEngagements(pb.ListMyEngagementsRequest(), metadata=mine)
    assert [e.engagement_id for e in listed.engagements] == [engagement.engagement_id]
    seen = supplier.portal.GetMyEngagement(
        pb.GetMyEngagementRequest(engagement_id=engagement.engagement_id), metadata=mine)
    assert seen.engagement_id == engagement.engagement_id
    acknowledged = supplier.portal.AcknowledgeEngagement(pb.AcknowledgeEngagementRequest(
        engagement_id=engagement.engagement_id, note="受け付けました",
        meta=pb.RequestMeta(actor="kcc-agent-07")), metadata=mine)
    assert acknowledged.status == "ACKNOWLEDGED" and acknowledged.HasField("acknowledged_at")
    note = pb.AddProgressNoteRequest(engagement_id=engagement.engagement_id,
                                     idempotency_key="kcc-note-1", note="現地を確認中です")
    noted = supplier.portal.AddProgressNote(note, metadata=mine)
    assert supplier.portal.AddProgressNote(note, metadata=mine).version == noted.version
    assert [n.text for n in noted.notes if n.kind == "PROGRESS"] == ["現地を確認中です"]
    resolved = supplier.portal.ResolveEngagement(pb.ResolveEngagementRequest(
        engagement_id=engagement.engagement_id, resolution="陥没箇所を補修しました"),
        metadata=mine)
    assert resolved.status == "RESOLVED" and resolved.resolution == "陥没箇所を補修しました"
    again = rpc_error(supplier.portal.HandBackEngagement, pb.HandBackEngagementRequest(
        engagement_id=engagement.engagement_id, reason="範囲外"), metadata=mine)
    assert again.code() == grpc.StatusCode.FAILED_PRECONDITION


# ----- the identity seam itself -----

class _Context:
    def __init__(self, metadata: list[tuple[str, Any]]) -> None:
        self.metadata = metadata

    def invocation_metadata(self) -> list[tuple[str, Any]]:
        return self.metadata


@pytest.mark.parametrize(("metadata", "expected"), [
    ([(SUPPLIER_ID_HEADER, KCC)], KCC),
    ([(SUPPLIER_ID_HEADER, f" {KCC} "), ("user-agent", "grpc")], KCC),
    ([], None), ([("x-other", KCC)], None), ([(SUPPLIER_ID_HEADER, "")], None),
    ([(SUPPLIER_ID_HEADER, KCC), (SUPPLIER_ID_HEADER, KCC)], None),
    ([(SUPPLIER_ID_HEADER + "-bin", b"kcc")], None), ([(SUPPLIER_ID_HEADER, "かわさき")], None),
])
def test_the_caller_is_the_one_supplier_the_identity_names(
        metadata: list[tuple[str, Any]], expected: str | None) -> None:
    context: Any = _Context(metadata)
    if expected is None:
        with pytest.raises(Unauthenticated):
            caller_supplier(context)
    else:
        assert caller_supplier(context) == expected



def test_a_supplier_review_is_recorded_and_its_actions_followed_up(
        supplier: SupplierSystem) -> None:
    register_supplier(supplier)
    request = pb.RecordReviewRequest(
        idempotency_key="review-2026-q3", supplier_id=KCC, held_on="2026-10-15",
        attendees=["市民課 課長 佐藤", "かわさきCC 運営責任者 山田"],
        findings="9月の応答率が目標の90%を下回った。夜間帯の要員不足が原因。",
        actions=[pb.ReviewAction(description="夜間帯のオペレーターを2名増員", owner="かわさきCC",
                                 due_on="2026-11-30"),
                 pb.ReviewAction(description="月次報告に時間帯別の応答率を追加",
                                 owner="市民課")])
    first = supplier.manage.RecordReview(request)
    assert not first.replayed
    review = first.review
    assert (review.supplier_id, review.held_on, len(review.attendees)) == (KCC, "2026-10-15", 2)
    assert [(a.action_id, a.status, a.due_on) for a in review.actions] == [
        ("a1", "OPEN", "2026-11-30"), ("a2", "OPEN", "")]
    stored = supplier.stored()
    again = supplier.manage.RecordReview(request)
    assert again.replayed and again.review == review and supplier.stored() == stored
    reused = rpc_error(supplier.manage.RecordReview, pb.RecordReviewRequest(
        idempotency_key="review-2026-q3", supplier_id=KCC, held_on="2026-10-16"))
    assert reused.code() == grpc.StatusCode.ALREADY_EXISTS

    updated = supplier.manage.UpdateReviewAction(pb.UpdateReviewActionRequest(
        review_id=review.review_id, action_id="a1", status="DONE", note="11月から増員済み"))
    assert [(a.action_id, a.status) for a in updated.review.actions] == [
        ("a1", "DONE"), ("a2", "OPEN")]
    missing = rpc_error(supplier.manage.UpdateReviewAction, pb.UpdateReviewActionRequest(
        review_id=review.review_id, action_id="a9", status="DONE"))
    assert missing.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT)
    assert "a9" in missing.details()
    listed = supplier.manage.ListReviews(pb.ListReviewsRequest(supplier_id=KCC)).reviews
    assert [(r.review_id, r.version) for r in listed] == [(review.review_id, 2)]
