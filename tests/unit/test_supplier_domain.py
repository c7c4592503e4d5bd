"""The supplier domain without infrastructure: terms, contract choice, engagements, penalties."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from madoguchi.errors import IdempotencyKeyReused, InvalidField, TransitionNotAllowed
from madoguchi.servicelevels.supplier_risk import dependency_risk
from services.supplier.domain.contract import Contract, gap_reason, select_contract
from services.supplier.domain.engagement import Engagement
from services.supplier.domain.penalty import PenaltyLedger, accrual, breach_units
from services.supplier.domain.terms import ContractTerms
from services.supplier.domain.values import check_supplier_code, engagement_uuid
from tests.support.contract_terms import terms

AT = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)       # 12:00 in Tokyo
META: dict[str, Any] = {"actor": "t", "occurred_at": AT, "correlation_id": ""}




def fields_of(error: InvalidField) -> list[str]:
    return [f for f, _ in error.violations]


def contract(code: str, **changes: Any) -> Contract:
    return Contract.register(code, "kcc-operator", ContractTerms.from_dict(terms(**changes)),
                             "", **META)


# ----- terms -----

def test_terms_round_trip_and_canonical_form() -> None:
    parsed = ContractTerms.from_dict(terms())
    assert ContractTerms.from_dict(parsed.to_dict()) == parsed
    assert parsed.targets_for("P1").acknowledge_minutes == 30
    assert parsed.targets_for("P4").resolve_minutes == 960      # the fallback
    clock = parsed.clock_terms("P3")
    assert (clock["acknowledge_minutes"], clock["resolve_minutes"]) == (60, 960)
    assert clock["calendar"]["time_zone"] == "Asia/Tokyo"


def test_terms_violations_name_their_fields() -> None:
    bad = terms(valid_until="2026-03-01", covers=[""], warning_percents=[90, 50],
                targets=[{"priority": "P1", "acknowledge_minutes": -1}],
                penalty={"rule": "DAILY", "amount": 1, "currency": "yen"},
                calendar={"time_zone": "Mars/Olympus"}, surprise=1)
    with pytest.raises(InvalidField) as error:
        ContractTerms.from_dict(bad)
    assert set(fields_of(error.value)) >= {
        "terms.surprise", "terms.valid_until", "terms.covers[0]", "terms.warning_percents",
        "terms.targets[0].acknowledge_minutes", "terms.penalty.rule",
        "terms.penalty.currency", "terms.calendar.time_zone"}


def test_terms_need_dates_and_targets() -> None:
    with pytest.raises(InvalidField) as error:
        ContractTerms.from_dict({"valid_from": "2026-04-31"})
    assert set(fields_of(error.value)) == {"terms.valid_from", "terms.valid_until",
                                           "terms.targets"}


def test_supplier_code_rule() -> None:
    check_supplier_code("kcc-operator")
    check_supplier_code("hw.maint_2")
    for bad in ("k", "KCC", "a" * 65, "has space", "日本"):
        with pytest.raises(InvalidField):
            check_supplier_code(bad)


# ----- contracts -----

def test_status_by_date_and_termination() -> None:
    c = contract("KCC-2026")
    assert c.status_on(date(2026, 3, 31)) == "PENDING"
    assert c.status_on(date(2026, 4, 1)) == "ACTIVE"
    assert c.status_on(date(2027, 4, 1)) == "EXPIRED"
    c.terminate(date(2026, 9, 30), "倒産", **META)
    assert c.status_on(date(2026, 9, 30)) == "ACTIVE"
    assert c.status_on(date(2026, 10, 1)) == "TERMINATED"
    assert c.terminate(date(2026, 9, 30), "倒産", **META) is False
    with pytest.raises(TransitionNotAllowed):
        c.amend(ContractTerms.from_dict(terms(title="x")), "", **META)


def test_amend_and_renew_retries_record_nothing() -> None:
    c = contract("KCC-2026")
    new = ContractTerms.from_dict(terms(title="改定"))
    assert c.amend(new, "", **META) is True
    assert c.amend(new, "", **META) is False
    assert c.renew(date(2028, 3, 31), None, "", **META) is True
    assert c.renew(date(2028, 3, 31), None, "", **META) is False
    assert c.version == 3
    with pytest.raises(InvalidField):
        c.renew(date(2027, 1, 1), None, "", **META)


def test_expiry_warning_once_per_validity_in_the_contract_zone() -> None:
    c = contract("KCC-2026")                                # until 2027-03-31, 60 days
    assert c.expiry_warning_due(datetime(2027, 1, 29, 14, 59, tzinfo=UTC)) is None
    due = datetime(2027, 1, 29, 15, 0, tzinfo=UTC)          # 2027-01-30 00:00 in Tokyo
    assert c.raise_expiry_warning(due, **META) is True
    assert c.raise_expiry_warning(due, **META) is False
    assert c.expiry_warned
    c.renew(date(2028, 3, 31), None, "", **META)            # re-armed
    assert not c.expiry_warned and c.expiry_warning_due(due) is None
    assert c.expiry_warning_due(datetime(2028, 2, 1, tzinfo=UTC)) == 59


def test_contract_selection() -> None:
    general = contract("A-GENERAL", covers=[])
    tax = contract("B-TAX", covers=["税"], valid_from="2026-04-15")
    later = contract("C-LATE", valid_from="2026-06-01")
    contracts = [general, tax, later]
    assert select_contract(contracts, "税", AT).contract_id == "B-TAX"   # latest valid_from
    assert select_contract(contracts, "ごみ", AT).contract_id == "A-GENERAL"
    twin = contract("Z-TWIN", covers=["税"], valid_from="2026-04-15")
    assert select_contract([tax, twin], "税", AT).contract_id == "Z-TWIN"
    assert select_contract([tax], "ごみ", AT) is None
    assert "covers" in gap_reason([tax], "kcc-operator", "ごみ", AT)
    assert "in force" in gap_reason([later], "kcc-operator", "税", AT)
    general.terminate(date(2026, 4, 30), "end", **META)
    assert select_contract([general], "ごみ", AT) is None                # 2026-05-01 local


# ----- engagements -----

def engagement() -> Engagement:
    return Engagement.open(
        inquiry_id="i-1", escalation_version=3, supplier_id="kcc-operator",
        contract_id="KCC-2026", contract_version=1, coverage="COVERED", gap_reason="",
        category="税", priority="P1", kind="INCIDENT", subject="件名", reason="専門対応",
        clock_terms_json="{}", **META)


def test_engagement_id_comes_from_the_escalation() -> None:
    assert engagement().id == engagement_uuid("i-1", 3)
    assert engagement_uuid("i-1", 3) != engagement_uuid("i-1", 5)


def test_engagement_life() -> None:
    e = engagement()
    assert e.acknowledge("受領", **META) is True
    assert e.acknowledge("受領", **META) is False                 # replay
    assert e.note_progress("n1", "調査中", **META) is True
    assert e.note_progress("n1", "調査中", **META) is False
    with pytest.raises(IdempotencyKeyReused):
        e.note_progress("n1", "別の内容", **META)
    assert e.resolve("交換済み", **META) is True
    assert e.resolve("交換済み", **META) is False
    with pytest.raises(TransitionNotAllowed):
        e.resolve("別", **META)
    with pytest.raises(TransitionNotAllowed):
        e.hand_back("理由", **META)
    with pytest.raises(TransitionNotAllowed):
        e.note_progress("n2", "遅れて", **META)
    assert e.withdraw("closed", **META) is False
    assert [n["kind"] for n in e.notes] == ["OPENED", "ACKNOWLEDGED", "PROGRESS", "RESOLVED"]


def test_resolving_implies_acknowledgement_and_hand_back_needs_open() -> None:
    e = engagement()
    e.resolve("done", **META)
    assert e.acknowledged_at == AT and e.status == "RESOLVED"
    assert e.acknowledge("", **META) is False
    other = engagement()
    other.withdraw("inquiry closed", **META)
    with pytest.raises(TransitionNotAllowed):
        other.acknowledge("", **META)
    with pytest.raises(TransitionNotAllowed):
        other.hand_back("x", **META)


# ----- penalties -----

def test_units_per_rule() -> None:
    assert breach_units("FIXED") == 1
    assert breach_units("FIXED", stopped=True, elapsed_seconds=99_999, target_seconds=60) == 1
    assert breach_units("PER_STARTED_HOUR") == 1
    assert breach_units("PER_STARTED_HOUR", stopped=True, elapsed_seconds=1800 + 3600,
                        target_seconds=1800) == 1
    assert breach_units("PER_STARTED_HOUR", stopped=True, elapsed_seconds=1800 + 3601,
                        target_seconds=1800) == 2
    assert breach_units("PER_STARTED_HOUR", stopped=True, elapsed_seconds=1800,
                        target_seconds=1800) == 1


def test_accrual_is_the_delta_and_stops_at_the_cap() -> None:
    assert accrual(0, 1, 50_000, 0, 300_000).amount_accrued == 50_000
    assert accrual(1, 1, 50_000, 0, 300_000) is None
    partial = accrual(0, 3, 50_000, 250_000, 300_000)
    assert (partial.amount_due, partial.amount_accrued, partial.capped) == (150_000, 50_000,
                                                                             True)
    full = accrual(0, 1, 50_000, 300_000, 300_000)
    assert (full.amount_accrued, full.month_total, full.capped) == (0, 300_000, True)
    assert accrual(2, 5, 10, 20, 0).amount_accrued == 30          # no cap


def test_ledger_accrues_once_per_clock_and_unit() -> None:
    common: dict[str, Any] = dict(
        contract_id="KCC-2026", supplier_id="kcc-operator", month="2026-05",
        engagement_id="e-1", inquiry_id="i-1", target="ACKNOWLEDGE", cycle=1,
        rule="PER_STARTED_HOUR", unit_amount=10_000, currency="JPY", monthly_cap=25_000,
        signal_id="s", **META)
    ledger, first = PenaltyLedger.accrue_on(None, units=1, **common)
    assert first.amount_accrued == 10_000 and ledger.version == 1
    assert PenaltyLedger.accrue_on(ledger, units=1, **common) is None
    _, more = PenaltyLedger.accrue_on(ledger, units=3, **common)
    assert (more.amount_due, more.amount_accrued, more.month_total) == (20_000, 15_000, 25_000)
    assert ledger.total == 25_000 and ledger.total_before_cap == 30_000


def test_a_withdrawn_breach_reverses_exactly_what_its_clock_accrued() -> None:
    """A stop within target (the breach was raised before a late event stopped the clock
    in time) gives 0 units: the clock's accruals are reversed, freeing room under the cap."""
    assert breach_units("FIXED", stopped=True, breached=False) == 0
    assert breach_units("PER_STARTED_HOUR", stopped=True, breached=False,
                        elapsed_seconds=1000, target_seconds=1800) == 0
    common: dict[str, Any] = dict(
        contract_id="SFM-2026", supplier_id="sakura-facility", month="2026-11",
        inquiry_id="i-1", target="RESOLVE", cycle=1, rule="FIXED", unit_amount=30_000,
        currency="JPY", monthly_cap=50_000, signal_id="s", **META)
    ledger, _ = PenaltyLedger.accrue_on(None, engagement_id="e-1", units=1, **common)
    _, capped = PenaltyLedger.accrue_on(ledger, engagement_id="e-2", units=1, **common)
    assert (capped.amount_accrued, ledger.total) == (20_000, 50_000)
    _, reversal = PenaltyLedger.accrue_on(ledger, engagement_id="e-2", units=0, **common)
    assert (reversal.units, reversal.amount_due, reversal.amount_accrued) == (0, -30_000,
                                                                              -20_000)
    assert (ledger.total, ledger.total_before_cap) == (30_000, 30_000)
    assert PenaltyLedger.accrue_on(ledger, engagement_id="e-2", units=0, **common) is None
    assert PenaltyLedger.accrue_on(ledger, engagement_id="e-3", units=0, **common) is None


# ----- dependency risk -----

def test_dependency_risk() -> None:
    risks = {r.category: r for r in dependency_risk(
        [("税", "a", 9), ("税", "b", 1), ("ごみ", "a", 2), ("道路", "a", 5), ("道路", "b", 5)],
        threshold=0.8)}
    assert risks["ごみ"].single_supplier and risks["ごみ"].top_share == 1.0
    assert risks["税"].single_supplier and risks["税"].shares[0][:2] == ("a", 9)
    assert not risks["道路"].single_supplier and risks["道路"].engagements == 10
