"""The SLA and supplier read models on SQLite and PostgreSQL, fed hand-written events.

Every expected number below is computed by hand from the event sequences in this file;
each query must give the same rows after the events are applied twice, and after the
whole stream is replayed in reverse order (at-least-once delivery, any order across
topics and aggregates).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import pytest

from madoguchi.storage.sql import SqlDatabase
from services.projections.adapters.read_models.sla import SlaReadModel
from services.projections.adapters.read_models.suppliers.read_model import SupplierReadModel
from services.projections.application.read_models import QuerySpec, TableNames

NS = uuid5(NAMESPACE_URL, "https://madoguchi.invalid/test/read-models")
Event = tuple[str, dict[str, Any]]


def uid(name: str) -> str:
    return str(uuid5(NS, name))


INQ = {name: uid(f"inquiry/{name}") for name in "ABCDEFGH"}
E = {name: uid(f"engagement/{name}") for name in ("E1", "E2", "E3", "E4", "E5", "E6")}
KAMOME, SAKURA, OLD = "kamome-cc", "sakura-fm", "old-vendor"
KAMOME_NAME = "株式会社かもめコールセンター（本社）"
SAKURA_NAME = "さくら設備保守株式会社"


def feed(model: Any, events: list[Event]) -> list[bool]:
    """Apply events in one transaction, as the projector does per partition batch."""
    with model.db.transaction() as cur:
        return [model.apply(cur, event_type, record) for event_type, record in events]


def run(spec: QuerySpec, offset: int = 0, limit: int | None = None, **params: Any
        ) -> list[tuple[Any, ...]]:
    """Run a query with its defaults filled in, as the query API does."""
    values = {p.name: p.default for p in spec.params}
    values.update(params)
    rows = spec.run(values, offset, limit)
    for row in rows:
        assert len(row) == len(spec.columns)
    return rows


def specs(model: Any) -> dict[str, QuerySpec]:
    return {spec.name: spec for spec in model.queries()}


def envelope(aggregate_id: str, version: int, occurred_at: str) -> dict[str, Any]:
    return {"event_id": str(uuid5(NS, f"{aggregate_id}/{version}")),
            "aggregate_id": aggregate_id, "aggregate_version": version,
            "recorded_at": occurred_at, "occurred_at": occurred_at, "actor": "test",
            "correlation_id": ""}


# ----- SLA signals -----

def sla_context(**overrides: str) -> dict[str, str]:
    base = {"agreement_id": "citizen-standard", "agreement_version": "1", "priority": "P2",
            "kind": "QUESTION", "category": "住民票・戸籍", "department": "市民課",
            "subject": "住民票の写しの請求について", "team": "区民相談チーム",
            "scope": "CUSTOMER", "engagement_id": "", "supplier_id": "", "contract_id": "",
            "contract_version": "", "breached_at": "", "supplier_held_seconds": "",
            "supplier_late_seconds": ""}
    return {**base, **overrides}


def supplier_context(engagement: str, supplier: str, contract: str, **overrides: str
                     ) -> dict[str, str]:
    return sla_context(agreement_id=contract, agreement_version="2", department="",
                       team="委託先管理", scope="SUPPLIER", engagement_id=engagement,
                       supplier_id=supplier, contract_id=contract, contract_version="2",
                       **overrides)


def signal_id(owner: str, target: str, cycle: int, what: str) -> str:
    return uid(f"signal/{owner}/{target}/{cycle}/{what}")


def warning(inquiry: str, target: str, percent: int, due: str, target_seconds: int,
            cycle: int = 1, **ctx: str) -> Event:
    sid = signal_id(inquiry, target, cycle, str(percent))
    return "SlaWarningReached", {
        **envelope(sid, 1, due), "inquiry_id": inquiry, "target": target, "cycle": cycle,
        "percent": percent, "due_at": due, "raised_at": due, "target_seconds": target_seconds,
        "context": sla_context(**ctx)}


def breach(inquiry: str, target: str, due: str, target_seconds: int, cycle: int = 1,
           owner: str = "", context: dict[str, str] | None = None, **ctx: str) -> Event:
    sid = signal_id(owner or inquiry, target, cycle, "breach")
    context = context or sla_context(**ctx)
    return "SlaBreached", {
        **envelope(sid, 1, due), "inquiry_id": inquiry, "target": target, "cycle": cycle,
        "due_at": due, "target_seconds": target_seconds, "team": context["team"],
        "reminder_minutes": 30, "context": context}


def stop(inquiry: str, target: str, outcome: str, at: str, elapsed: float,
         target_seconds: int, cycle: int = 1, owner: str = "",
         context: dict[str, str] | None = None, **ctx: str) -> Event:
    sid = signal_id(owner or inquiry, target, cycle, "stop")
    return "SlaClockStopped", {
        **envelope(sid, 1, at), "inquiry_id": inquiry, "target": target, "cycle": cycle,
        "outcome": outcome, "stopped_at": at, "elapsed_seconds": elapsed,
        "target_seconds": target_seconds, "breached": elapsed > target_seconds,
        "context": context or sla_context(**ctx)}


def sla_events() -> list[Event]:
    """Customer clocks of inquiries A..H under citizen-standard, and engagement E1's
    supplier clocks under KCC-2026 (times UTC; JST = UTC+9)."""
    a, b, c, d, e, f, g, h = (INQ[x] for x in "ABCDEFGH")
    held = {"supplier_held_seconds": "5000.000", "supplier_late_seconds": "2400.000"}
    e1 = supplier_context(E["E1"], KAMOME, "KCC-2026")
    return [
        # 23 Nov JST, FIRST_RESPONSE: A met (its stop from a v1 writer: scope ""), B met,
        # C missed by 7200 s after a breach routed to 区民相談チーム.
        warning(a, "FIRST_RESPONSE", 75, "2026-11-23T00:45:00+00:00", 3600),
        stop(a, "FIRST_RESPONSE", "MET", "2026-11-23T01:00:00+00:00", 3000.0, 3600,
             scope="", team=""),
        stop(b, "FIRST_RESPONSE", "MET", "2026-11-23T02:00:00+00:00", 1800.0, 3600),
        breach(c, "FIRST_RESPONSE", "2026-11-23T03:00:00+00:00", 3600),
        stop(c, "FIRST_RESPONSE", "MISSED", "2026-11-23T05:00:00+00:00", 10800.0, 3600,
             breached_at="2026-11-23T03:00:00+00:00", supplier_held_seconds="0.000",
             supplier_late_seconds="0.000"),
        # 24 Nov JST, RESOLUTION: D missed by 3600 s, 2400 s of it at kamome-cc (its stop
        # arrives before its breach, which names the supplier holding the inquiry);
        # E missed by 1800 s, exactly half at a supplier: the department's.
        stop(d, "RESOLUTION", "MISSED", "2026-11-24T06:00:00+00:00", 18000.0, 14400,
             breached_at="2026-11-24T01:00:00+00:00", **held),
        breach(d, "RESOLUTION", "2026-11-24T01:00:00+00:00", 14400, engagement_id=E["E1"],
               supplier_id=KAMOME),
        stop(e, "RESOLUTION", "MISSED", "2026-11-24T07:00:00+00:00", 16200.0, 14400,
             department="環境課", supplier_held_seconds="2000.000",
             supplier_late_seconds="900.000"),
        # 24 Nov JST, UPDATE cycle 2 of A: a breach raised, then withdrawn by the stop
        # (a late event showed the update was sent in time).
        breach(a, "UPDATE", "2026-11-24T02:00:00+00:00", 3600, cycle=2),
        stop(a, "UPDATE", "MET", "2026-11-24T01:59:00+00:00", 3590.0, 3600, cycle=2),
        # 25 Nov JST: F's first response breached and is still open; G was closed
        # (cancelled).
        breach(f, "FIRST_RESPONSE", "2026-11-25T00:00:00+00:00", 3600, department="税務課"),
        stop(g, "RESOLUTION", "CANCELLED", "2026-11-25T03:00:00+00:00", 100.0, 14400),
        # 00:30 on 1 Dec JST is still 30 Nov in UTC: December.
        stop(h, "FIRST_RESPONSE", "MET", "2026-11-30T15:30:00+00:00", 600.0, 3600),
        # Engagement E1 (inquiry D) at kamome-cc: acknowledged late, resolved in time.
        breach(d, "ACKNOWLEDGE", "2026-11-24T00:30:00+00:00", 1800, owner=E["E1"],
               context=e1),
        stop(d, "ACKNOWLEDGE", "MISSED", "2026-11-24T01:30:00+00:00", 5400.0, 1800,
             owner=E["E1"], context={**e1, "breached_at": "2026-11-24T00:30:00+00:00"}),
        stop(d, "RESOLVE", "MET", "2026-11-24T05:00:00+00:00", 10000.0, 14400,
             owner=E["E1"], context=e1),
    ]


def all_sla_results(model: SlaReadModel) -> dict[str, Any]:
    q = specs(model)
    return {
        "events": run(q["sla_events"]),
        "compliance_day": run(q["sla_compliance"]),
        "compliance_month": run(q["sla_compliance"], period="month"),
        "compliance_hour": run(q["sla_compliance"], period="hour"),
        "causes": run(q["sla_breach_causes"], month="2026-11"),
        "share": run(q["sla_supplier_share"], month="2026-11"),
        "view_signals": model.db.query(f"SELECT * FROM ({model.views()['sla_signals']}) v "
                                       "ORDER BY event_id"),
        "view_outcomes": model.db.query(f"SELECT * FROM ({model.views()['sla_outcomes']}) v "
                                        "ORDER BY event_id"),
    }


@pytest.fixture
def sla(db: SqlDatabase) -> SlaReadModel:
    model = SlaReadModel(db, TableNames("g1_"), zone="Asia/Tokyo")
    model.create()
    model.create()   # idempotent
    return model


def test_sla_compliance_per_day(sla: SlaReadModel) -> None:
    assert all(feed(sla, sla_events()))
    assert run(specs(sla)["sla_compliance"]) == [
        ("2026-11-23", "citizen-standard", "FIRST_RESPONSE", "CUSTOMER", 3, 2, 1, 0, 66.7,
         1, 1),
        ("2026-11-24", "KCC-2026", "ACKNOWLEDGE", "SUPPLIER", 1, 0, 1, 0, 0.0, 0, 1),
        ("2026-11-24", "KCC-2026", "RESOLVE", "SUPPLIER", 1, 1, 0, 0, 100.0, 0, 0),
        ("2026-11-24", "citizen-standard", "RESOLUTION", "CUSTOMER", 2, 0, 2, 0, 0.0, 0, 1),
        ("2026-11-24", "citizen-standard", "UPDATE", "CUSTOMER", 1, 1, 0, 0, 100.0, 0, 0),
        ("2026-11-25", "citizen-standard", "FIRST_RESPONSE", "CUSTOMER", 0, 0, 0, 0, None,
         0, 1),
        ("2026-11-25", "citizen-standard", "RESOLUTION", "CUSTOMER", 1, 0, 0, 1, None, 0, 0),
        ("2026-12-01", "citizen-standard", "FIRST_RESPONSE", "CUSTOMER", 1, 1, 0, 0, 100.0,
         0, 0),
    ]


def test_sla_compliance_per_month_with_filters_and_paging(sla: SlaReadModel) -> None:
    feed(sla, sla_events())
    q = specs(sla)["sla_compliance"]
    assert run(q, period="month", agreement_id="citizen-standard", target="FIRST_RESPONSE"
               ) == [
        ("2026-11", "citizen-standard", "FIRST_RESPONSE", "CUSTOMER", 3, 2, 1, 0, 66.7, 1, 2),
        ("2026-12", "citizen-standard", "FIRST_RESPONSE", "CUSTOMER", 1, 1, 0, 0, 100.0, 0, 0),
    ]
    assert run(q, period="month", scope="SUPPLIER") == [
        ("2026-11", "KCC-2026", "ACKNOWLEDGE", "SUPPLIER", 1, 0, 1, 0, 0.0, 0, 1),
        ("2026-11", "KCC-2026", "RESOLVE", "SUPPLIER", 1, 1, 0, 0, 100.0, 0, 0),
    ]
    # from/to select what the signals are about: 24 Nov JST only.
    day24 = run(q, **{"from": datetime(2026, 11, 23, 15, tzinfo=UTC),
                      "to": datetime(2026, 11, 24, 15, tzinfo=UTC)})
    assert {row[0] for row in day24} == {"2026-11-24"} and len(day24) == 4
    assert run(q, 1, 2) == run(q)[1:3]
    assert run(q, period="hour", target="UPDATE") == [
        ("2026-11-24T10", "citizen-standard", "UPDATE", "CUSTOMER", 1, 1, 0, 0, 100.0, 0, 0),
    ]


def test_sla_events_newest_first_with_filters(sla: SlaReadModel) -> None:
    feed(sla, sla_events())
    q = specs(sla)["sla_events"]
    col = {name: i for i, name in enumerate(q.columns)}
    breaches = run(q, signal="BREACH")
    assert [(r[col["inquiry_id"]], r[col["target"]]) for r in breaches] == [
        (INQ["F"], "FIRST_RESPONSE"), (INQ["A"], "UPDATE"), (INQ["D"], "RESOLUTION"),
        (INQ["D"], "ACKNOWLEDGE"), (INQ["C"], "FIRST_RESPONSE")]
    assert run(q, 1, 2, signal="BREACH") == breaches[1:3]
    assert breaches[0][col["signal_at"]] == "2026-11-25T00:00:00.000000+00:00"
    assert breaches[0][col["department"]] == "税務課"
    assert breaches[0][col["team"]] == "区民相談チーム"
    kamome = run(q, supplier_id=KAMOME)
    assert sorted((r[col["signal_kind"]], r[col["target"]]) for r in kamome) == [
        ("BREACH", "ACKNOWLEDGE"), ("BREACH", "RESOLUTION"), ("STOP", "ACKNOWLEDGE"),
        ("STOP", "RESOLVE")]
    missed = run(q, outcome="MISSED", scope="CUSTOMER")
    assert [r[col["inquiry_id"]] for r in missed] == [INQ["E"], INQ["D"], INQ["C"]]
    d_stop = missed[1]
    assert d_stop[col["late_seconds"]] == 3600.0
    assert d_stop[col["supplier_late_seconds"]] == 2400.0
    assert d_stop[col["breached"]] is True
    assert d_stop[col["breached_at"]] == "2026-11-24T01:00:00.000000+00:00"
    assert run(q, inquiry_id=INQ["A"], target="FIRST_RESPONSE", signal="STOP")[0][
        col["scope"]] == "CUSTOMER"           # v1 context: empty scope means CUSTOMER
    assert run(q, agreement_id="none") == []
    assert len(run(q, **{"to": datetime(2026, 11, 23, 15, tzinfo=UTC)})) == 5


def test_sla_breach_causes_and_supplier_share(sla: SlaReadModel) -> None:
    feed(sla, sla_events())
    q = specs(sla)
    assert run(q["sla_breach_causes"], month="2026-11") == [
        ("2026-11", "KCC-2026", "SUPPLIER", KAMOME, 1, 0, 3600.0, 0.0),
        ("2026-11", "citizen-standard", "DESK", "区民相談チーム", 1, 1, 7200.0, 0.0),
        ("2026-11", "citizen-standard", "DEPARTMENT", "環境課", 1, 0, 1800.0, 900.0),
        ("2026-11", "citizen-standard", "SUPPLIER", KAMOME, 1, 0, 3600.0, 2400.0),
    ]
    assert run(q["sla_breach_causes"], month="2026-11", scope="SUPPLIER") == [
        ("2026-11", "KCC-2026", "SUPPLIER", KAMOME, 1, 0, 3600.0, 0.0)]
    assert run(q["sla_breach_causes"], month="2026-12") == []
    assert run(q["sla_supplier_share"], month="2026-11") == [
        ("2026-11", "citizen-standard", 3, 2, 12600.0, 3300.0, 26.2, 7000.0)]
    assert run(q["sla_supplier_share"], month="2026-11", agreement_id="KCC-2026") == []


def test_a_stop_before_its_breach_and_a_breach_before_its_stop_agree(sla: SlaReadModel
                                                                     ) -> None:
    events = sla_events()
    d_stop = events[5]
    d_breach = events[6]
    feed(sla, [d_stop])
    causes = specs(sla)["sla_breach_causes"]
    # Without the breach signal the supplier holding the inquiry is not known yet, but
    # the lateness already shows it was mostly at a supplier.
    assert run(causes, month="2026-11") == [
        ("2026-11", "citizen-standard", "SUPPLIER", "", 1, 0, 3600.0, 2400.0)]
    feed(sla, [d_breach])
    assert run(causes, month="2026-11") == [
        ("2026-11", "citizen-standard", "SUPPLIER", KAMOME, 1, 0, 3600.0, 2400.0)]
    # A withdrawn breach stays withdrawn whichever of its signals came first.
    a_update_breach, a_update_stop = events[8], events[9]
    feed(sla, [a_update_stop, a_update_breach])
    compliance = run(specs(sla)["sla_compliance"], target="UPDATE")
    assert compliance == [
        ("2026-11-24", "citizen-standard", "UPDATE", "CUSTOMER", 1, 1, 0, 0, 100.0, 0, 0)]


def test_sla_redelivery_and_replay_change_nothing(sla: SlaReadModel) -> None:
    events = sla_events()
    assert all(feed(sla, events))
    once = all_sla_results(sla)
    assert not any(feed(sla, events))                       # redelivered batch
    assert not any(feed(sla, [e for ev in events for e in (ev, ev)]))
    assert not any(feed(sla, list(reversed(events))))       # replay, any order
    assert all_sla_results(sla) == once
    assert len(once["view_signals"]) == len(events)
    assert len(once["view_outcomes"]) == 10


def test_sla_views_are_public_one_row_per_signal_and_per_stopped_clock(sla: SlaReadModel
                                                                       ) -> None:
    feed(sla, sla_events())
    views = sla.views()
    assert set(views) == {"sla_signals", "sla_outcomes"}
    for name, select in views.items():
        assert "g1_" in select
        with sla.db.transaction() as cur:
            cur.execute(f"CREATE VIEW report_v1_{name} AS {select}")
    rows = sla.db.query("SELECT inquiry_id, target, outcome, breached, breach_signalled, "
                        "local_day FROM report_v1_sla_outcomes WHERE outcome = 'MET' "
                        "AND target = 'UPDATE'")
    assert [(r[0], r[1], r[2], bool(r[3]), r[4], r[5]) for r in rows] == [
        (INQ["A"], "UPDATE", "MET", False, 1, "2026-11-24")]
    assert sla.db.query("SELECT COUNT(*) FROM report_v1_sla_signals "
                        "WHERE signal_kind = 'WARNING'") == [(1,)]


def test_the_model_takes_only_its_event_types(sla: SlaReadModel) -> None:
    assert sla.event_types == {"SlaWarningReached", "SlaBreached", "SlaClockStopped"}
    assert sla.name == "sla"
    assert {s.name for s in sla.queries()} == {
        "sla_events", "sla_compliance", "sla_breach_causes", "sla_supplier_share"}


# ----- suppliers -----

def terms(title: str, valid_from: str, valid_until: str, covers: list[str],
          amount: int, cap: int) -> str:
    return json.dumps({
        "title": title, "valid_from": valid_from, "valid_until": valid_until,
        "covers": covers, "calendar": {"time_zone": "Asia/Tokyo"},
        "targets": [{"priority": "", "acknowledge_minutes": 30, "resolve_minutes": 240}],
        "warning_percents": [75], "reminder_minutes": 30,
        "penalty": {"rule": "FIXED", "amount": amount, "currency": "JPY",
                    "monthly_cap": cap},
        "expiry_warning_days": 60}, ensure_ascii=False)


def supplier_event(event_type: str, supplier: str, version: int, at: str, **fields: Any
                   ) -> Event:
    return event_type, {**envelope(uid(f"supplier/{supplier}"), version, at),
                        "supplier_id": supplier, "reason": "", **fields}


def contract_event(event_type: str, contract: str, supplier: str, version: int, at: str,
                   **fields: Any) -> Event:
    return event_type, {**envelope(uid(f"contract/{contract}"), version, at),
                        "contract_id": contract, "supplier_id": supplier, **fields}


def engagement_event(event_type: str, name: str, supplier: str, version: int, at: str,
                     inquiry: str = "", **fields: Any) -> Event:
    return event_type, {**envelope(E[name], version, at), "engagement_id": E[name],
                        "inquiry_id": inquiry or uid(f"inquiry-of/{name}"),
                        "supplier_id": supplier, **fields}


def opened(name: str, supplier: str, at: str, category: str, coverage: str = "COVERED",
           contract: str = "", inquiry: str = "") -> Event:
    return engagement_event(
        "EngagementOpened", name, supplier, 1, at, inquiry,
        contract_id=contract, contract_version=2 if contract else 0, coverage=coverage,
        gap_reason="" if coverage == "COVERED" else f"no contract covers {category}",
        category=category, priority="P2", kind="REQUEST", subject="個人情報を含む件名",
        reason="委託先対応", escalation_version=3,
        clock_terms_json="{}" if coverage == "COVERED" else "")


def penalty(contract: str, supplier: str, month: str, version: int, name: str, target: str,
            due: int, accrued: int, total: int, capped: bool, at: str) -> Event:
    return "PenaltyAccrued", {
        **envelope(uid(f"ledger/{contract}/{month}"), version, at), "contract_id": contract,
        "supplier_id": supplier, "month": month, "engagement_id": E[name],
        "inquiry_id": uid(f"inquiry-of/{name}"), "target": target, "cycle": 1,
        "rule": "FIXED", "units": 1 if accrued >= 0 else 0, "amount_due": due,
        "amount_accrued": accrued, "currency": "JPY", "month_total": total,
        "capped": capped, "signal_id": uid(f"signal-of/{name}/{version}")}


def sup_breach(name: str, supplier: str, contract: str, target: str, due: str,
               seconds: int) -> Event:
    return breach(uid(f"inquiry-of/{name}"), target, due, seconds, owner=E[name],
                  context=supplier_context(E[name], supplier, contract))


def sup_stop(name: str, supplier: str, contract: str, target: str, outcome: str, at: str,
             elapsed: float, seconds: int) -> Event:
    return stop(uid(f"inquiry-of/{name}"), target, outcome, at, elapsed, seconds,
                owner=E[name], context=supplier_context(E[name], supplier, contract))


def supplier_events() -> list[Event]:
    """Three suppliers, three contracts, six engagements, their clocks and penalties.

    The PenaltyAccrued of E1 comes before E1 is opened (another partition's consumer was
    faster); E2's acknowledgement breach is withdrawn and its penalty reversed.
    """
    return [
        penalty("KCC-2026", KAMOME, "2026-11", 1, "E1", "ACKNOWLEDGE", 50000, 50000, 50000,
                False, "2026-11-24T00:30:01+00:00"),
        supplier_event("SupplierRegistered", KAMOME, 1, "2026-04-01T00:00:00+00:00",
                       name="株式会社かもめコールセンター", services=["コールセンター運営"],
                       contacts=[{"name": "山田", "role": "ACCOUNT", "email": "", "phone": ""}]),
        supplier_event("SupplierUpdated", KAMOME, 2, "2026-05-01T00:00:00+00:00",
                       name=KAMOME_NAME, services=["コールセンター運営", "折り返し電話"],
                       contacts=[]),
        supplier_event("SupplierRegistered", SAKURA, 1, "2026-04-01T00:00:00+00:00",
                       name=SAKURA_NAME, services=["設備保守"], contacts=[]),
        supplier_event("SupplierRegistered", OLD, 1, "2025-01-01T00:00:00+00:00",
                       name="旧ベンダー", services=[], contacts=[]),
        supplier_event("SupplierRetired", OLD, 2, "2026-10-31T00:00:00+00:00"),
        contract_event("ContractRegistered", "KCC-2026", KAMOME, 1, "2026-03-01T00:00:00+00:00",
                       terms_json=terms("コールセンター運営業務委託", "2026-04-01",
                                        "2027-03-31", ["住民票・戸籍", "税"], 50000, 300000),
                       reason=""),
        contract_event("ContractAmended", "KCC-2026", KAMOME, 2, "2026-06-01T00:00:00+00:00",
                       terms_json=terms("コールセンター運営業務委託（改定）", "2026-04-01",
                                        "2027-03-31", ["住民票・戸籍", "税"], 50000, 300000),
                       reason="改定"),
        contract_event("ContractExpiryWarned", "KCC-2026", KAMOME, 3,
                       "2027-01-30T00:00:00+00:00", valid_until="2027-03-31", days_before=60),
        contract_event("ContractRegistered", "SKR-2026", SAKURA, 1, "2025-09-01T00:00:00+00:00",
                       terms_json=terms("設備保守", "2025-10-01", "2026-12-31", ["施設"],
                                        30000, 20000), reason=""),
        contract_event("ContractRegistered", "OLD-1", OLD, 1, "2024-12-01T00:00:00+00:00",
                       terms_json=terms("", "2025-01-01", "2026-12-15", [], 0, 0), reason=""),
        contract_event("ContractTerminated", "OLD-1", OLD, 2, "2026-10-01T00:00:00+00:00",
                       terminated_on="2026-10-31", reason="撤退"),
        # E1 kamome: acknowledged late, two notes, resolved in time.
        opened("E1", KAMOME, "2026-11-24T00:00:00+00:00", "住民票・戸籍", contract="KCC-2026",
               inquiry=INQ["D"]),
        sup_breach("E1", KAMOME, "KCC-2026", "ACKNOWLEDGE", "2026-11-24T00:30:00+00:00", 1800),
        engagement_event("EngagementAcknowledged", "E1", KAMOME, 2,
                         "2026-11-24T01:30:00+00:00", INQ["D"], note=""),
        sup_stop("E1", KAMOME, "KCC-2026", "ACKNOWLEDGE", "MISSED",
                 "2026-11-24T01:30:00+00:00", 5400.0, 1800),
        engagement_event("EngagementProgressNoted", "E1", KAMOME, 3,
                         "2026-11-24T02:00:00+00:00", INQ["D"], note="現地確認中"),
        engagement_event("EngagementProgressNoted", "E1", KAMOME, 4,
                         "2026-11-24T03:00:00+00:00", INQ["D"], note="部品手配"),
        engagement_event("EngagementResolved", "E1", KAMOME, 5, "2026-11-24T05:00:00+00:00",
                         INQ["D"], resolution="対応完了"),
        sup_stop("E1", KAMOME, "KCC-2026", "RESOLVE", "MET", "2026-11-24T05:00:00+00:00",
                 10000.0, 14400),
        # E2 kamome: a breach raised, then withdrawn by a stop within target; its penalty
        # accrued and was reversed. Still waiting for the resolution.
        opened("E2", KAMOME, "2026-11-25T01:00:00+00:00", "税", contract="KCC-2026"),
        sup_breach("E2", KAMOME, "KCC-2026", "ACKNOWLEDGE", "2026-11-25T01:30:00+00:00", 1800),
        penalty("KCC-2026", KAMOME, "2026-11", 2, "E2", "ACKNOWLEDGE", 50000, 50000, 100000,
                False, "2026-11-25T01:30:01+00:00"),
        engagement_event("EngagementAcknowledged", "E2", KAMOME, 2,
                         "2026-11-25T01:29:00+00:00", note=""),
        sup_stop("E2", KAMOME, "KCC-2026", "ACKNOWLEDGE", "MET", "2026-11-25T01:29:00+00:00",
                 1740.0, 1800),
        penalty("KCC-2026", KAMOME, "2026-11", 3, "E2", "ACKNOWLEDGE", -50000, -50000, 50000,
                False, "2026-11-25T01:31:00+00:00"),
        # E3 kamome: no contract covers ごみ (a gap), handed back.
        opened("E3", KAMOME, "2026-11-26T02:00:00+00:00", "ごみ", coverage="NO_CONTRACT"),
        engagement_event("EngagementHandedBack", "E3", KAMOME, 2, "2026-11-26T04:00:00+00:00",
                         reason="契約範囲外"),
        # E4 sakura: withdrawn after its acknowledgement deadline had passed.
        opened("E4", SAKURA, "2026-11-26T03:00:00+00:00", "施設", contract="SKR-2026"),
        sup_breach("E4", SAKURA, "SKR-2026", "ACKNOWLEDGE", "2026-11-26T03:30:00+00:00", 1800),
        penalty("SKR-2026", SAKURA, "2026-11", 1, "E4", "ACKNOWLEDGE", 30000, 20000, 20000,
                True, "2026-11-26T03:30:01+00:00"),
        engagement_event("EngagementWithdrawn", "E4", SAKURA, 2, "2026-11-26T06:00:00+00:00",
                         reason="窓口で解決"),
        sup_stop("E4", SAKURA, "SKR-2026", "ACKNOWLEDGE", "CANCELLED",
                 "2026-11-26T06:00:00+00:00", 10800.0, 1800),
        sup_stop("E4", SAKURA, "SKR-2026", "RESOLVE", "CANCELLED",
                 "2026-11-26T06:00:00+00:00", 10800.0, 14400),
        # E6 sakura: no contract covers 税 for sakura.
        opened("E6", SAKURA, "2026-11-27T01:00:00+00:00", "税", coverage="NO_CONTRACT"),
        # E5 sakura: opened 00:30 on 1 Dec JST; its acknowledgement breached, still open.
        opened("E5", SAKURA, "2026-11-30T15:30:00+00:00", "施設", contract="SKR-2026"),
        sup_breach("E5", SAKURA, "SKR-2026", "ACKNOWLEDGE", "2026-12-01T00:00:00+00:00", 1800),
        penalty("SKR-2026", SAKURA, "2026-12", 1, "E5", "ACKNOWLEDGE", 30000, 20000, 20000,
                True, "2026-12-01T00:00:01+00:00"),
    ]


@pytest.fixture
def suppliers(db: SqlDatabase) -> SupplierReadModel:
    model = SupplierReadModel(db, TableNames("g1_"), zone="Asia/Tokyo")
    model.create()
    model.create()
    return model


def all_supplier_results(model: SupplierReadModel) -> dict[str, Any]:
    q = specs(model)
    views = model.views()
    return {
        "scorecard": run(q["supplier_scorecard"]),
        "expiries": run(q["supplier_contract_expiries"], as_of=date(2026, 11, 23),
                        within_days=400, include_terminated=True),
        "risk": run(q["supplier_dependency_risk"]),
        "penalties": run(q["supplier_penalties"]),
        **{f"view_{name}": model.db.query(f"SELECT * FROM ({select}) v ORDER BY 1")
           for name, select in views.items()},
    }


def test_supplier_scorecard(suppliers: SupplierReadModel) -> None:
    assert all(feed(suppliers, supplier_events()))
    q = specs(suppliers)["supplier_scorecard"]
    expected = [
        # month, supplier, name, opened, gaps, acked, acked on time, resolved,
        # resolved on time, breaches, hand-backs, withdrawn, penalties (net)
        ("2026-11", KAMOME, KAMOME_NAME, 3, 1, 2, 1, 1, 1, 1, 1, 0, 50000),
        ("2026-11", SAKURA, SAKURA_NAME, 2, 1, 0, 0, 0, 0, 1, 0, 1, 20000),
        ("2026-12", SAKURA, SAKURA_NAME, 1, 0, 0, 0, 0, 0, 1, 0, 0, 20000),
    ]
    assert run(q) == expected
    assert run(q, month="2026-11") == expected[:2]
    assert run(q, supplier_id=SAKURA) == expected[1:]
    assert run(q, from_month="2026-12", to_month="2026-12") == expected[2:]
    assert run(q, 1, 1) == expected[1:2]


def test_a_customer_clock_naming_a_supplier_is_not_the_suppliers_clock(
        suppliers: SupplierReadModel) -> None:
    feed(suppliers, supplier_events())
    before = run(specs(suppliers)["supplier_scorecard"])
    customer = [e for e in sla_events() if e[1]["context"]["engagement_id"]
                and e[1]["context"]["scope"] != "SUPPLIER"]
    assert customer and feed(suppliers, customer) == [False] * len(customer)
    warnings = [e for e in sla_events() if e[0] == "SlaWarningReached"]
    assert feed(suppliers, warnings) == [False]
    assert run(specs(suppliers)["supplier_scorecard"]) == before


def test_supplier_contract_expiries(suppliers: SupplierReadModel) -> None:
    feed(suppliers, supplier_events())
    q = specs(suppliers)["supplier_contract_expiries"]
    as_of = date(2026, 11, 23)
    skr = ("SKR-2026", SAKURA, SAKURA_NAME, 1, "設備保守", "2025-10-01", "2026-12-31", 38,
           None, False)
    old = ("OLD-1", OLD, "旧ベンダー", 2, "", "2025-01-01", "2026-12-15", 22, "2026-10-31",
           False)
    kcc = ("KCC-2026", KAMOME, KAMOME_NAME, 3, "コールセンター運営業務委託（改定）",
           "2026-04-01", "2027-03-31", 128, None, True)
    assert run(q, as_of=as_of) == [skr]
    assert run(q, as_of=as_of, include_terminated=True) == [old, skr]
    assert run(q, as_of=as_of, within_days=200) == [skr, kcc]
    assert run(q, as_of=as_of, within_days=200, supplier_id=KAMOME) == [kcc]
    assert run(q, as_of=date(2027, 1, 1), within_days=200) == [
        (*kcc[:7], 89, None, True)]          # SKR-2026 has expired by then


def test_supplier_dependency_risk(suppliers: SupplierReadModel) -> None:
    feed(suppliers, supplier_events())
    q = specs(suppliers)["supplier_dependency_risk"]
    assert run(q) == [
        ("施設", SAKURA, SAKURA_NAME, 2, 2, 100.0, True),
        ("ごみ", KAMOME, KAMOME_NAME, 1, 1, 100.0, True),
        ("住民票・戸籍", KAMOME, KAMOME_NAME, 1, 1, 100.0, True),
        ("税", KAMOME, KAMOME_NAME, 1, 2, 50.0, False),
        ("税", SAKURA, SAKURA_NAME, 1, 2, 50.0, False),
    ]
    assert run(q, category="税", threshold_percent=50) == [
        ("税", KAMOME, KAMOME_NAME, 1, 2, 50.0, True),
        ("税", SAKURA, SAKURA_NAME, 1, 2, 50.0, True),
    ]
    assert run(q, from_month="2026-12") == [("施設", SAKURA, SAKURA_NAME, 1, 1, 100.0, True)]
    assert run(q, to_month="2026-10") == []


def test_supplier_penalties_net_of_reversals(suppliers: SupplierReadModel) -> None:
    feed(suppliers, supplier_events())
    q = specs(suppliers)["supplier_penalties"]
    assert run(q) == [
        (KAMOME, KAMOME_NAME, "KCC-2026", "2026-11", "JPY", 3, 1, 50000, 50000, False),
        (SAKURA, SAKURA_NAME, "SKR-2026", "2026-11", "JPY", 1, 0, 30000, 20000, True),
        (SAKURA, SAKURA_NAME, "SKR-2026", "2026-12", "JPY", 1, 0, 30000, 20000, True),
    ]
    assert run(q, month="2026-12") == run(q)[2:]
    assert run(q, contract_id="KCC-2026", from_month="2026-11", to_month="2026-11"
               ) == run(q)[:1]


def test_a_penalty_before_its_engagement_and_a_reversal_before_its_accrual(
        suppliers: SupplierReadModel) -> None:
    events = supplier_events()
    reversal = next(e for e in events if e[0] == "PenaltyAccrued"
                    and e[1]["amount_accrued"] < 0)
    accrual = next(e for e in events if e[0] == "PenaltyAccrued"
                   and e[1]["engagement_id"] == E["E2"] and e[1]["amount_accrued"] > 0)
    feed(suppliers, [reversal])
    q = specs(suppliers)
    assert run(q["supplier_scorecard"]) == [
        ("2026-11", KAMOME, "", 0, 0, 0, 0, 0, 0, 0, 0, 0, -50000)]
    feed(suppliers, [accrual])
    assert run(q["supplier_scorecard"]) == [
        ("2026-11", KAMOME, "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]
    feed(suppliers, events)
    assert run(q["supplier_scorecard"])[0] == (
        "2026-11", KAMOME, KAMOME_NAME, 3, 1, 2, 1, 1, 1, 1, 1, 0, 50000)


def test_supplier_redelivery_and_replay_change_nothing(suppliers: SupplierReadModel
                                                      ) -> None:
    events = supplier_events()
    assert all(feed(suppliers, events))
    once = all_supplier_results(suppliers)
    assert not any(feed(suppliers, events))
    assert not any(feed(suppliers, [e for ev in events for e in (ev, ev)]))
    assert not any(feed(suppliers, list(reversed(events))))
    assert all_supplier_results(suppliers) == once


def test_events_in_reverse_order_give_the_same_read_model(db: SqlDatabase) -> None:
    forward = SupplierReadModel(db, TableNames("g1_"))
    backward = SupplierReadModel(db, TableNames("g2_"))
    sla_forward = SlaReadModel(db, TableNames("g1_"))
    sla_backward = SlaReadModel(db, TableNames("g2_"))
    for model in (forward, backward, sla_forward, sla_backward):
        model.create()
    feed(forward, supplier_events())
    feed(sla_forward, sla_events())
    for event in reversed(supplier_events()):     # one event per batch, newest first
        feed(backward, [event])
    for event in reversed(sla_events()):
        feed(sla_backward, [event])
    assert all_supplier_results(backward) == all_supplier_results(forward)
    assert all_sla_results(sla_backward) == all_sla_results(sla_forward)


def test_supplier_views_and_japanese_names(suppliers: SupplierReadModel) -> None:
    feed(suppliers, supplier_events())
    views = suppliers.views()
    assert set(views) == {"suppliers", "supplier_contracts", "supplier_engagements",
                          "supplier_penalties"}
    for name, select in views.items():
        with suppliers.db.transaction() as cur:
            cur.execute(f"CREATE VIEW report_v1_{name} AS {select}")
    rows = suppliers.db.query("SELECT supplier_id, name, services_json, retired "
                              "FROM report_v1_suppliers ORDER BY supplier_id")
    assert [(r[0], r[1], json.loads(r[2]), bool(r[3])) for r in rows] == [
        (KAMOME, KAMOME_NAME, ["コールセンター運営", "折り返し電話"], False),
        (OLD, "旧ベンダー", [], True),
        (SAKURA, SAKURA_NAME, ["設備保守"], False),
    ]
    assert suppliers.db.query("SELECT supplier_id FROM report_v1_suppliers WHERE name = ?",
                              [SAKURA_NAME]) == [(SAKURA,)]
    engagements = suppliers.db.query(
        "SELECT engagement_id, status, coverage, progress_notes, acknowledge_outcome, "
        "resolve_outcome, local_month FROM report_v1_supplier_engagements")
    by_id = {r[0]: r[1:] for r in engagements}
    assert by_id == {
        E["E1"]: ("RESOLVED", "COVERED", 2, "MISSED", "MET", "2026-11"),
        E["E2"]: ("ACKNOWLEDGED", "COVERED", 0, "MET", None, "2026-11"),
        E["E3"]: ("HANDED_BACK", "NO_CONTRACT", 0, None, None, "2026-11"),
        E["E4"]: ("WITHDRAWN", "COVERED", 0, "CANCELLED", "CANCELLED", "2026-11"),
        E["E5"]: ("OPEN", "COVERED", 0, None, None, "2026-12"),
        E["E6"]: ("OPEN", "NO_CONTRACT", 0, None, None, "2026-11"),
    }
    contracts = suppliers.db.query(
        "SELECT contract_id, title, covers_json, terminated_on, expiry_warned_for "
        "FROM report_v1_supplier_contracts ORDER BY contract_id")
    assert [(r[0], r[1], json.loads(r[2]), r[3], r[4]) for r in contracts] == [
        ("KCC-2026", "コールセンター運営業務委託（改定）", ["住民票・戸籍", "税"], None,
         "2027-03-31"),
        ("OLD-1", "", [], "2026-10-31", None),
        ("SKR-2026", "設備保守", ["施設"], None, None),
    ]
    assert suppliers.db.query("SELECT SUM(amount_accrued) FROM report_v1_supplier_penalties "
                              "WHERE supplier_id = ?", [KAMOME]) == [(50000,)]
