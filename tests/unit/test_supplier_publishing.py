"""Every supplier event maps to its Avro schema, topic and key (encoded through the catalog)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from madoguchi.config import Topics
from madoguchi.eventstream.avro import default_catalog
from services.supplier.adapters.publishing import make_router
from services.supplier.application.base import Meta
from services.supplier.application.views import ContactView, ReviewActionView
from services.supplier.main import build_application
from tests.support.contract_terms import terms

NOW = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
IN_MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def test_one_of_each_event_is_published() -> None:
    now = [NOW]
    app = build_application(IN_MEMORY, clock=lambda: now[0])
    m = Meta(actor="admin", correlation_id="c-1")
    app.register_supplier("kcc-operator", "KCCオペレーター", ["コールセンター"],
                          [ContactView("窓口", "ESCALATION", "a@example.jp", "03")], m)
    app.update_supplier("kcc-operator", "KCC", [], [], m)
    app.register_contract("KCC-2026", "kcc-operator",
                          terms(penalty={"rule": "FIXED", "amount": 1000}), m)
    app.amend_contract("KCC-2026", terms(title="改定", penalty={"rule": "FIXED", "amount": 1000}),
                       m)
    app.renew_contract("KCC-2026", date(2028, 3, 31), m)
    review, _ = app.record_review("r-1", "kcc-operator", date(2026, 4, 20), ["山田"], "良好",
                                  [ReviewActionView("", "報告改善", "KCC", None, "")], m)
    app.update_review_action(review.review_id, "a1", "DONE", "完了", m)
    view = app.open_engagement("11111111-1111-1111-1111-111111111111", 4, "kcc-operator",
                               "税", "P1", "INCIDENT", "件名", "理由", NOW)
    app.acknowledge("kcc-operator", view.engagement_id, "", m)
    app.add_progress_note("kcc-operator", view.engagement_id, "k1", "調査中", m)
    app.accrue_penalty(signal_id="s-1", engagement_id=view.engagement_id, target="ACKNOWLEDGE",
                       cycle=1, stopped=False, breached_at=NOW)
    app.resolve("kcc-operator", view.engagement_id, "解決", m)
    second = app.open_engagement("11111111-1111-1111-1111-111111111111", 9, "kcc-operator",
                                 "税", "P1", "INCIDENT", "件名", "理由", NOW)
    app.hand_back("kcc-operator", second.engagement_id, "範囲外", m)
    third = app.open_engagement("11111111-1111-1111-1111-111111111111", 12, "kcc-operator",
                                "税", "P1", "INCIDENT", "件名", "理由", NOW)
    assert app.withdraw_open_engagements(third.inquiry_id, "closed", NOW) == 1
    now[0] = datetime(2028, 2, 1, tzinfo=UTC)
    assert app.raise_expiry_warnings() == 1
    app.terminate_contract("KCC-2026", date(2028, 2, 28), m, reason="終了")
    app.retire_supplier("kcc-operator", m)

    topics = Topics()
    route = make_router(topics)
    catalog = default_catalog()
    seen: set[str] = set()
    for n in app.recorder.select_notifications(start=1, limit=1000):
        event = app.mapper.to_domain_event(n)
        publication = route(event)
        assert publication is not None, type(event)
        event_type, record = catalog.decode(publication.value)
        seen.add(event_type)
        headers = dict(publication.headers)
        assert headers["event_type"].decode() == event_type
        if event_type.startswith(("Engagement", "Penalty")):
            assert publication.topic == topics.supplier_engagements
            assert publication.key == b"11111111-1111-1111-1111-111111111111"
        else:
            assert publication.topic == topics.supplier_registry
            assert publication.key == b"kcc-operator"
        if event_type == "ContractRegistered":
            assert "コールセンター運営業務委託" in record["terms_json"]
        if event_type == "EngagementOpened":
            assert record["coverage"] == "COVERED" and record["clock_terms_json"]
    wanted = {sv.event_type for sv in catalog if sv.full_name.startswith("madoguchi.supplier.")}
    assert seen == wanted
    app.close()
