"""Pure rules of the SLA and supplier read models: facts, causes, verdicts, shares."""

from __future__ import annotations

import json
from datetime import date

import pytest

from services.projections.domain import sla_facts as f
from services.projections.domain import supplier_scorecard as sc

INQUIRY = "0b7408f3-0000-4000-8000-000000000001"
ENGAGEMENT = "6f1c2d3e-0000-4000-8000-000000000002"


def context(**overrides: str) -> dict[str, str]:
    base = {"agreement_id": "citizen-standard", "agreement_version": "1", "priority": "P2",
            "kind": "QUESTION", "category": "住民票・戸籍", "department": "市民課",
            "subject": "住民票の写しの請求について", "team": "区民相談チーム", "scope": "CUSTOMER",
            "engagement_id": "", "supplier_id": "", "contract_id": "", "contract_version": "",
            "breached_at": "", "supplier_held_seconds": "", "supplier_late_seconds": ""}
    return {**base, **overrides}


def envelope(event_id: str = "e1", aggregate_id: str = "s1") -> dict[str, object]:
    return {"event_id": event_id, "aggregate_id": aggregate_id, "aggregate_version": 1,
            "recorded_at": "2026-11-23T01:00:00.100000+00:00",
            "occurred_at": "2026-11-23T01:00:00.050000+00:00", "actor": "sla-monitor",
            "correlation_id": ""}


# ----- signal facts -----

def test_a_stop_is_bucketed_by_its_stop_time_in_the_reporting_zone() -> None:
    record = {**envelope(), "inquiry_id": INQUIRY, "target": "RESOLUTION", "cycle": 2,
              "outcome": "MISSED", "stopped_at": "2026-11-30T15:30:00+00:00",
              "elapsed_seconds": 18000.5, "target_seconds": 14400, "breached": True,
              "context": context(breached_at="2026-11-30T10:00:00+00:00",
                                 supplier_held_seconds="5000.000",
                                 supplier_late_seconds="2400.250")}
    fact = f.signal_fact("SlaClockStopped", record, "Asia/Tokyo")
    assert fact["signal_kind"] == "STOP"
    assert fact["local_day"] == "2026-12-01"          # 00:30 JST on 1 December
    assert fact["local_month"] == "2026-12"
    assert fact["local_hour"] == "2026-12-01T00"
    assert fact["late_seconds"] == pytest.approx(3600.5)
    assert fact["supplier_held_seconds"] == 5000.0
    assert fact["supplier_late_seconds"] == 2400.25
    assert fact["breached_at"] == "2026-11-30T10:00:00+00:00"
    assert fact["clock_key"] == f"{INQUIRY}/RESOLUTION/2"
    assert fact["percent"] is None and fact["outcome"] == "MISSED"


def test_a_v1_context_without_scope_is_a_customer_clock_and_unknown_seconds_stay_none(
) -> None:
    record = {**envelope(), "inquiry_id": INQUIRY, "target": "FIRST_RESPONSE", "cycle": 1,
              "outcome": "MET", "stopped_at": "2026-11-23T01:00:00+00:00",
              "elapsed_seconds": 3000.0, "target_seconds": 3600, "breached": False,
              "context": context(scope="", team="")}
    fact = f.signal_fact("SlaClockStopped", record, "Asia/Tokyo")
    assert fact["scope"] == "CUSTOMER"
    assert fact["supplier_held_seconds"] is None
    assert fact["late_seconds"] == 0.0
    assert fact["breached"] is False and fact["breached_at"] is None


def test_warnings_and_breaches_are_about_their_due_time() -> None:
    warning = {**envelope(), "inquiry_id": INQUIRY, "target": "FIRST_RESPONSE", "cycle": 1,
               "percent": 75, "due_at": "2026-11-23T00:45:00+00:00",
               "raised_at": "2026-11-23T00:45:01+00:00", "target_seconds": 3600,
               "context": context()}
    fact = f.signal_fact("SlaWarningReached", warning, "Asia/Tokyo")
    assert (fact["signal_kind"], fact["percent"], fact["breached"]) == ("WARNING", 75, False)
    assert fact["signal_at"] == "2026-11-23T00:45:00+00:00"
    assert fact["raised_at"] == "2026-11-23T00:45:01+00:00"
    assert fact["local_hour"] == "2026-11-23T09"

    breach = {**envelope(), "inquiry_id": INQUIRY, "target": "ACKNOWLEDGE", "cycle": 1,
              "due_at": "2026-11-24T00:30:00+00:00", "target_seconds": 1800,
              "team": "委託先管理", "reminder_minutes": 30,
              "context": context(scope="SUPPLIER", team="", department="",
                                 engagement_id=ENGAGEMENT, supplier_id="kamome-cc",
                                 agreement_id="KCC-2026", contract_id="KCC-2026")}
    fact = f.signal_fact("SlaBreached", breach, "Asia/Tokyo")
    assert (fact["signal_kind"], fact["percent"], fact["breached"]) == ("BREACH", 100, True)
    assert fact["clock_key"] == f"{ENGAGEMENT}/ACKNOWLEDGE/1"   # owned by the engagement
    assert fact["team"] == "委託先管理"                          # the alert's own team
    assert fact["breached_at"] == "2026-11-24T00:30:00+00:00"
    assert fact["raised_at"] == "2026-11-23T01:00:00.050000+00:00"


# ----- breach causes -----

@pytest.mark.parametrize(("facts", "expected"), [
    (f.BreachFacts("SUPPLIER", "ACKNOWLEDGE", 3600.0, None, "kamome-cc"),
     ("SUPPLIER", "kamome-cc")),
    (f.BreachFacts("CUSTOMER", "RESOLUTION", 3600.0, 2400.0, "kamome-cc", "市民課", "t"),
     ("SUPPLIER", "kamome-cc")),
    # exactly half the lateness at the supplier is not "more than half"
    (f.BreachFacts("CUSTOMER", "RESOLUTION", 1800.0, 900.0, "", "環境課", "t"),
     ("DEPARTMENT", "環境課")),
    (f.BreachFacts("CUSTOMER", "FIRST_RESPONSE", 7200.0, 0.0, "", "市民課", "区民相談チーム"),
     ("DESK", "区民相談チーム")),
    (f.BreachFacts("CUSTOMER", "RESOLUTION", 600.0, 0.0, "", "", "区民相談チーム"),
     ("DESK", "区民相談チーム")),
    (f.BreachFacts("CUSTOMER", "UPDATE", 600.0, 0.0, "", "市民課", "夜間チーム"),
     ("DESK", "夜間チーム")),
    # open breaches: lateness unknown, a supplier holding the inquiry decides
    (f.BreachFacts("CUSTOMER", "RESOLUTION", None, None, "sakura-fm", "市民課", "t"),
     ("SUPPLIER", "sakura-fm")),
    (f.BreachFacts("CUSTOMER", "RESOLUTION", None, None, "", "市民課", "t"),
     ("DEPARTMENT", "市民課")),
])
def test_breach_cause(facts: f.BreachFacts, expected: tuple[str, str]) -> None:
    assert f.breach_cause(facts) == expected


def test_cause_totals_add_lateness_of_missed_clocks_and_count_open_breaches_apart() -> None:
    group = ("2026-11", "citizen-standard")
    totals = f.cause_totals([
        (group, f.BreachFacts("CUSTOMER", "FIRST_RESPONSE", 7200.0, 0.0, team="A")),
        (group, f.BreachFacts("CUSTOMER", "FIRST_RESPONSE", None, None, team="A")),
        (group, f.BreachFacts("CUSTOMER", "FIRST_RESPONSE", 600.0, 100.0, team="A")),
        (group, f.BreachFacts("CUSTOMER", "FIRST_RESPONSE", 60.0, 0.0, team="B")),
    ])
    a = totals[(*group, "DESK", "A")]
    assert (a.breaches, a.open_breaches, a.late_seconds, a.supplier_late_seconds) == (
        2, 1, 7800.0, 100.0)
    assert totals[(*group, "DESK", "B")].breaches == 1
    assert len(totals) == 2


# ----- percentages -----

@pytest.mark.parametrize(("met", "missed", "expected"), [
    (2, 1, 66.7), (1, 0, 100.0), (0, 3, 0.0), (0, 0, None), (1, 15, 6.3)])
def test_compliance_percent_rounds_half_up_and_is_none_without_met_or_missed(
        met: int, missed: int, expected: float | None) -> None:
    assert f.compliance_percent(met, missed) == expected


def test_share_percent_of_seconds() -> None:
    assert f.share_percent(3300.0, 12600.0) == 26.2
    assert f.share_percent(0.0, 0.0) is None
    assert f.share_percent(None, 10.0) == 0.0


def test_seconds_value_parses_decimal_text() -> None:
    assert f.seconds_value("90.000") == 90.0
    assert f.seconds_value("") is None
    assert f.late_seconds(3000.0, 3600) == 0.0
    assert f.late_seconds(None, 3600) is None


# ----- supplier verdicts -----

def test_a_clock_is_on_time_only_when_it_stopped_met() -> None:
    assert sc.clock_verdict(False, "MET") == sc.ON_TIME
    assert sc.clock_verdict(True, "MET") == sc.ON_TIME          # breach withdrawn
    assert sc.clock_verdict(True, "MISSED") == sc.LATE
    assert sc.clock_verdict(True, "CANCELLED") == sc.CANCELLED
    assert sc.clock_verdict(True, None) == sc.BREACHED_OPEN
    assert sc.clock_verdict(False, None) == sc.OPEN


def test_the_stop_decides_whether_a_clock_breached() -> None:
    assert sc.is_breach(True, "MET", False) is False            # withdrawn by the stop
    assert sc.is_breach(False, "MISSED", True) is True          # stop before its breach
    assert sc.is_breach(True, "CANCELLED", True) is True        # handed back too late
    assert sc.is_breach(False, "CANCELLED", False) is False
    assert sc.is_breach(True, None, None) is True               # open breach


def test_scorecard_counts_engagements_by_month_opened_and_penalties_by_ledger_month(
) -> None:
    e1 = sc.EngagementFacts(
        "kamome-cc", "2026-11", "COVERED", acknowledged=True, resolved=True,
        handed_back=False, withdrawn=False,
        clocks=(sc.ClockFacts("ACKNOWLEDGE", True, "MISSED", True),
                sc.ClockFacts("RESOLVE", False, "MET", False)))
    e2 = sc.EngagementFacts(
        "kamome-cc", "2026-11", "COVERED", acknowledged=False, resolved=True,
        handed_back=False, withdrawn=False,
        clocks=(sc.ClockFacts("ACKNOWLEDGE", True, "MET", False),))
    gap = sc.EngagementFacts("kamome-cc", "2026-11", "NO_CONTRACT", acknowledged=False,
                             resolved=False, handed_back=True, withdrawn=False)
    lines = sc.scorecard([e1, e2, gap], [("kamome-cc", "2026-11", 50000),
                                         ("kamome-cc", "2026-11", -50000),
                                         ("kamome-cc", "2026-10", 50000)])
    nov = lines[("2026-11", "kamome-cc")]
    assert dict(zip(sc.SCORECARD_MEASURES, nov.values(), strict=True)) == {
        "engagements_opened": 3, "gaps": 1, "acknowledged": 2, "acknowledged_on_time": 1,
        "resolved": 2, "resolved_on_time": 1, "breaches": 1, "hand_backs": 1,
        "withdrawn": 0, "penalties_yen": 0}
    assert lines[("2026-10", "kamome-cc")].values() == (0,) * 9 + (50000,)


# ----- dependency risk -----

def test_dependency_risk_flags_one_supplier_or_a_share_at_the_threshold() -> None:
    rows = sc.dependency_risk([
        ("税", "kamome-cc", 4), ("税", "sakura-fm", 1),       # 80 % exactly
        ("施設", "sakura-fm", 2),                              # alone
        ("ごみ", "a", 79), ("ごみ", "b", 21),                  # 79 %
    ], threshold_percent=80)
    assert [(r.category, r.supplier_id, r.engagements, r.category_engagements,
             r.share_percent, r.single_supplier) for r in rows] == [
        ("施設", "sakura-fm", 2, 2, 100.0, True),
        ("税", "kamome-cc", 4, 5, 80.0, True),
        ("税", "sakura-fm", 1, 5, 20.0, True),
        ("ごみ", "a", 79, 100, 79.0, False),
        ("ごみ", "b", 21, 100, 21.0, False),
    ]
    assert all(r.single_supplier for r in sc.dependency_risk([("ごみ", "a", 79),
                                                              ("ごみ", "b", 21)], 79))


def test_dependency_risk_of_nothing_is_empty() -> None:
    assert sc.dependency_risk([("税", "a", 0)]) == []


# ----- contracts -----

def test_contract_terms_reads_validity_covers_and_penalty() -> None:
    terms = json.dumps({
        "title": "コールセンター運営業務委託", "valid_from": "2026-04-01",
        "valid_until": "2027-03-31", "covers": ["住民票・戸籍", "税"],
        "calendar": {"time_zone": "Asia/Tokyo"},
        "targets": [{"priority": "", "acknowledge_minutes": 60, "resolve_minutes": 960}],
        "penalty": {"rule": "FIXED", "amount": 50000, "currency": "JPY",
                    "monthly_cap": 300000}, "expiry_warning_days": 60}, ensure_ascii=False)
    facts = sc.contract_terms(terms)
    assert facts == sc.ContractTermsFacts(
        title="コールセンター運営業務委託", valid_from="2026-04-01", valid_until="2027-03-31",
        covers=("住民票・戸籍", "税"), penalty_rule="FIXED", penalty_amount=50000,
        penalty_currency="JPY", penalty_monthly_cap=300000)
    no_penalty = sc.contract_terms(json.dumps({"valid_from": "2026-04-01",
                                               "valid_until": "2026-09-30", "penalty": None}))
    assert (no_penalty.penalty_rule, no_penalty.penalty_amount) == ("", None)
    with pytest.raises(ValueError):
        sc.contract_terms(json.dumps({"valid_from": "April", "valid_until": "2026-09-30"}))


def test_days_left_and_month_ranges() -> None:
    assert sc.days_left("2027-03-31", date(2026, 11, 23)) == 128
    assert sc.days_left("2026-11-23", date(2026, 11, 23)) == 0
    assert sc.month_range("2026-11", "2026-01", None) == ("2026-11", "2026-11")
    assert sc.month_range(None, "2026-01", None) == ("2026-01", None)


def test_a_breach_time_without_a_zone_is_read_as_utc() -> None:
    record = {**envelope(), "inquiry_id": INQUIRY, "target": "RESOLUTION", "cycle": 1,
              "outcome": "MISSED", "stopped_at": "2026-11-24T06:00:00+00:00",
              "elapsed_seconds": 18000.0, "target_seconds": 14400, "breached": True,
              "context": context(breached_at="2026-11-24T01:00:00")}
    fact = f.signal_fact("SlaClockStopped", record, "Asia/Tokyo")
    assert fact["breached_at"] == "2026-11-24T01:00:00+00:00"
