"""Validation of callers' input: every offending field is named, as a dotted request path.

Limits count Unicode characters, not bytes; times must carry a time zone and may lie at
most five minutes ahead of the server clock; idempotency keys are 1-128 printable ASCII.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from madoguchi.errors import InvalidField
from services.intake.application import commands as c
from tests.support.unit_helpers import NOW, attempt_cmd, meta, receive_cmd


def violations(check: Callable[[], None]) -> list[tuple[str, str]]:
    """The (field, message) pairs ``check`` raises, or [] when the input is valid."""
    try:
        check()
    except InvalidField as error:
        assert error.violations, "InvalidField without violations"
        return error.violations
    return []


def fields(check: Callable[[], None]) -> set[str]:
    return {name for name, _ in violations(check)}


def contact(**changes: str) -> c.ContactDetails:
    return replace(receive_cmd().contact, **changes)


# ----- ReceiveInquiry -----


def test_a_valid_receive_passes() -> None:
    assert violations(lambda: c.validate_receive(receive_cmd(), NOW)) == []


@pytest.mark.parametrize(("changes", "field"), [
    ({"idempotency_key": ""}, "idempotency_key"),
    ({"channel": ""}, "channel"),
    ({"channel": "CARRIER_PIGEON"}, "channel"),
    ({"channel": "phone"}, "channel"),
    ({"kind": ""}, "kind"),
    ({"kind": "RANT"}, "kind"),
    ({"contact": contact(name="")}, "contact.name"),
    ({"contact": contact(name="   ")}, "contact.name"),
    ({"contact": contact(name="x" * 101)}, "contact.name"),
    ({"contact": contact(phone="03-1234-ABCD")}, "contact.phone"),
    ({"contact": contact(phone="1" * 33)}, "contact.phone"),
    ({"contact": contact(email="taro.example.jp")}, "contact.email"),
    ({"contact": contact(email="taro @example.jp")}, "contact.email"),
    ({"contact": contact(email="a@" + "b" * 253)}, "contact.email"),
    ({"contact": contact(preferred_language="日本語")}, "contact.preferred_language"),
    ({"contact": contact(preferred_language="en_US")}, "contact.preferred_language"),
    ({"subject": ""}, "subject"),
    ({"subject": "a" * 201}, "subject"),
    ({"subject": "nul\x00byte"}, "subject"),
    ({"body": "b" * 10_001}, "body"),
    ({"category": ""}, "category"),
    ({"category": "c" * 101}, "category"),
    ({"department": "d" * 101}, "department"),
    ({"agreement_id": ""}, "agreement_id"),
    ({"agreement_id": "A" * 65}, "agreement_id"),
    ({"external_ref": "r" * 129}, "external_ref"),
    ({"impact": ""}, "impact"),
    ({"urgency": "URGENT"}, "urgency"),
    ({"priority": "P6"}, "priority"),
    ({"contacted_at": None}, "contacted_at"),
    ({"contacted_at": datetime(2024, 5, 1, 8, 0)}, "contacted_at"),
    ({"contacted_at": NOW + timedelta(minutes=6)}, "contacted_at"),
    ({"meta": meta(actor="a" * 101)}, "actor"),
    ({"meta": meta(correlation_id="c" * 129)}, "correlation_id"),
    ({"meta": meta(occurred_at=datetime(2024, 5, 1, 8, 0))}, "occurred_at"),
])
def test_receive_names_the_offending_field(changes: dict[str, Any], field: str) -> None:
    assert fields(lambda: c.validate_receive(receive_cmd(**changes), NOW)) == {field}


def test_receive_names_every_offending_field_at_once() -> None:
    cmd = receive_cmd(idempotency_key="has space", channel="SMOKE", kind="",
                      contact=contact(name="", email="nope"), subject="",
                      impact="", urgency="", contacted_at=None, agreement_id="")
    assert fields(lambda: c.validate_receive(cmd, NOW)) == {
        "idempotency_key", "channel", "kind", "contact.name", "contact.email", "subject",
        "impact", "urgency", "contacted_at", "agreement_id"}


@pytest.mark.parametrize("changes", [
    {"contact": contact(phone="", email="", preferred_language="")},
    {"contact": contact(phone="+81 (3) 1234-5678", preferred_language="en-US")},
    {"body": "", "department": "", "external_ref": ""},
    {"impact": "", "urgency": "", "priority": "P2"},
    {"contacted_at": NOW},
    {"meta": c.Meta()},
])
def test_optional_fields_may_be_empty_or_take_their_documented_forms(
        changes: dict[str, Any]) -> None:
    assert violations(lambda: c.validate_receive(receive_cmd(**changes), NOW)) == []


# ----- sizes in characters, not bytes -----


@pytest.mark.parametrize(("field", "limit", "char"), [
    ("subject", 200, "問"),
    ("body", 10_000, "合"),
    ("category", 100, "分"),
    ("agreement_id", 64, "契"),
    ("external_ref", 128, "参"),
])
def test_size_limits_count_characters(field: str, limit: int, char: str) -> None:
    at_limit = char * limit
    assert len(at_limit.encode("utf-8")) == 3 * limit
    assert violations(lambda: c.validate_receive(receive_cmd(**{field: at_limit}), NOW)) == []
    over = violations(lambda: c.validate_receive(receive_cmd(**{field: at_limit + char}), NOW))
    assert len(over) == 1
    assert over[0][0] == field
    assert f"at most {limit} characters (got {limit + 1})" in over[0][1]


def test_a_200_character_japanese_subject_is_accepted_and_201_rejected() -> None:
    subject = "お問い合わせ件名テスト" * 20
    assert len(subject) == 220
    assert fields(lambda: c.validate_receive(receive_cmd(subject=subject[:200]), NOW)) == set()
    assert fields(lambda: c.validate_receive(receive_cmd(subject=subject[:201]), NOW)) == {
        "subject"}


def test_contact_name_limit_counts_characters() -> None:
    name = "寿限無" * 40
    assert fields(lambda: c.validate_receive(receive_cmd(contact=contact(name=name[:100])),
                                             NOW)) == set()
    assert fields(lambda: c.validate_receive(receive_cmd(contact=contact(name=name[:101])),
                                             NOW)) == {"contact.name"}


# ----- times -----


def test_naive_times_are_rejected_for_lacking_a_time_zone() -> None:
    (violation,) = violations(lambda: c.validate_receive(
        receive_cmd(contacted_at=NOW.replace(tzinfo=None)), NOW))
    assert violation[0] == "contacted_at"
    assert "time zone" in violation[1]


@pytest.mark.parametrize(("ahead", "ok"), [
    (timedelta(0), True),
    (timedelta(minutes=4), True),
    (timedelta(minutes=4, seconds=59), True),
    (timedelta(minutes=5), True),
    (timedelta(minutes=5, microseconds=1), False),
    (timedelta(minutes=5, seconds=1), False),
    (timedelta(hours=1), False),
    (-timedelta(days=365), True),
])
def test_times_may_lie_at_most_five_minutes_ahead(ahead: timedelta, ok: bool) -> None:
    when = NOW + ahead
    expected = set() if ok else {"contacted_at"}
    assert fields(lambda: c.validate_receive(receive_cmd(contacted_at=when), NOW)) == expected
    expected = set() if ok else {"context.occurred_at"}
    assert fields(lambda: c.validate_assign("team", "", meta(occurred_at=when), NOW)) == expected
    expected = set() if ok else {"attempted_at"}
    assert fields(lambda: c.validate_contact_attempt(attempt_cmd(attempted_at=when),
                                                     NOW)) == expected


def test_a_future_time_is_named_as_such() -> None:
    ((name, message),) = violations(lambda: c.validate_receive(
        receive_cmd(contacted_at=NOW + timedelta(minutes=10)), NOW))
    assert name == "contacted_at"
    assert "future" in message


# ----- idempotency keys -----


@pytest.mark.parametrize(("key", "ok"), [
    ("a", True),
    ("k" * 128, True),
    ("ORDER-2024/05/01#17_~!", True),
    ("", False),
    ("k" * 129, False),
    ("キー", False),
    ("café", False),
    ("has space", False),
    (" leading", False),
    ("tab\tkey", False),
    ("new\nline", False),
    ("nul\x00", False),
])
def test_idempotency_key_rules(key: str, ok: bool) -> None:
    for check, field in [
        (lambda: c.validate_receive(receive_cmd(idempotency_key=key), NOW), "idempotency_key"),
        (lambda: c.validate_contact_attempt(attempt_cmd(idempotency_key=key), NOW),
         "idempotency_key"),
        (lambda: c.validate_log_contact(key, "EMAIL", "", "", meta(), NOW), "idempotency_key"),
    ]:
        assert fields(check) == (set() if ok else {field})


# ----- the other commands -----


@pytest.mark.parametrize(("changes", "names"), [
    ({}, set()),
    ({"outcome": ""}, {"outcome"}),
    ({"outcome": "MISSED"}, {"outcome"}),
    ({"queue": ""}, {"queue"}),
    ({"queue": "q" * 101}, {"queue"}),
    ({"wait_seconds": -1}, {"wait_seconds"}),
    ({"wait_seconds": 86_401}, {"wait_seconds"}),
    ({"wait_seconds": 86_400}, set()),
    ({"attempted_at": None}, {"attempted_at"}),
    ({"call_id": "c" * 129}, {"call_id"}),
    ({"correlation_id": "c" * 129}, {"correlation_id"}),
    ({"outcome": "", "queue": "", "wait_seconds": -5, "attempted_at": None},
     {"outcome", "queue", "wait_seconds", "attempted_at"}),
])
def test_validate_contact_attempt(changes: dict[str, Any], names: set[str]) -> None:
    assert fields(lambda: c.validate_contact_attempt(attempt_cmd(**changes), NOW)) == names


def test_validate_log_contact() -> None:
    def check(key: str = "k", channel: str = "EMAIL", direction: str = "",
              note: str = "", m: c.Meta | None = None) -> set[str]:
        return fields(lambda: c.validate_log_contact(key, channel, direction, note,
                                                     m or meta(), NOW))

    assert check() == set()
    assert check(direction="OUTBOUND") == set()
    assert check(channel="") == {"channel"}
    assert check(direction="SIDEWAYS") == {"direction"}
    assert check(note="n" * 10_001) == {"note"}
    assert check(m=meta(actor="a" * 101)) == {"context.actor"}
    assert check(key="", channel="TELEX", direction="UP", note="\x00",
                 m=meta(correlation_id="c" * 129, occurred_at=NOW.replace(tzinfo=None))) == {
        "idempotency_key", "channel", "direction", "note", "context.correlation_id",
        "context.occurred_at"}


def test_validate_first_response() -> None:
    assert fields(lambda: c.validate_first_response("", meta(), NOW)) == set()
    assert fields(lambda: c.validate_first_response("FAX", meta(), NOW)) == set()
    assert fields(lambda: c.validate_first_response("PAGER", meta(actor="a" * 101), NOW)) == {
        "channel", "context.actor"}


def test_validate_assign() -> None:
    assert fields(lambda: c.validate_assign("二次サポート", "", meta(), NOW)) == set()
    assert fields(lambda: c.validate_assign("", "", meta(), NOW)) == {"team"}
    assert fields(lambda: c.validate_assign("t" * 101, "a" * 101, meta(), NOW)) == {
        "team", "assignee"}


@pytest.mark.parametrize(("args", "names"), [
    (("TIER", 2, "", "", "r"), set()),
    (("TIER", 9, "", "", "r"), set()),
    (("TIER", 1, "", "", "r"), {"to_tier"}),
    (("TIER", 10, "", "", "r"), {"to_tier"}),
    (("TIER", 0, "", "", "r"), {"to_tier"}),
    (("DEPARTMENT", 0, "経理部", "", "r"), set()),
    (("DEPARTMENT", 0, "", "", "r"), {"to_department"}),
    (("DEPARTMENT", 3, "経理部", "", "r"), {"to_tier"}),
    (("SUPPLIER", 0, "", "SUP-1", "r"), set()),
    (("SUPPLIER", 0, "", "", "r"), {"to_supplier_id"}),
    (("SUPPLIER", 0, "", "S" * 65, "r"), {"to_supplier_id"}),
    (("", 0, "", "", "r"), {"target"}),
    (("MOON", 0, "", "", "r"), {"target"}),
    (("TIER", 3, "", "", ""), {"reason"}),
    (("TIER", 3, "", "", "r" * 1001), {"reason"}),
    (("SUPPLIER", 4, "", "", ""), {"to_tier", "to_supplier_id", "reason"}),
])
def test_validate_escalate(args: tuple[str, int, str, str, str], names: set[str]) -> None:
    assert fields(lambda: c.validate_escalate(*args, meta(), NOW)) == names


@pytest.mark.parametrize(("args", "names"), [
    (("HIGH", "LOW", "", "影響範囲が拡大"), set()),
    (("", "", "P1", "所長判断"), set()),           # an explicit priority overrides the matrix
    (("LOW", "", "P2", "所長判断"), set()),
    (("HIGH", "HIGH", "", "理" * 1000), set()),
    (("", "LOW", "", "r"), {"impact"}),
    (("SEVERE", "LOW", "", "r"), {"impact"}),
    (("high", "LOW", "", "r"), {"impact"}),
    (("#9", "LOW", "", "r"), {"impact"}),          # an unknown proto enum number
    (("HIGH", "", "", "r"), {"urgency"}),
    (("HIGH", "NOW", "", "r"), {"urgency"}),
    (("", "", "", "r"), {"impact", "urgency"}),
    (("HIGH", "HIGH", "P0", "r"), {"priority"}),
    (("SEVERE", "", "P2", "r"), {"impact"}),
    (("HIGH", "HIGH", "", ""), {"reason"}),
    (("HIGH", "HIGH", "", "   "), {"reason"}),
    (("HIGH", "HIGH", "", "理" * 1001), {"reason"}),
    (("MAX", "", "P9", ""), {"impact", "priority", "reason"}),
])
def test_validate_change_priority(args: tuple[str, str, str, str], names: set[str]) -> None:
    assert fields(lambda: c.validate_change_priority(*args, meta(), NOW)) == names


def test_change_priority_names_the_context_fields() -> None:
    m = meta(actor="a" * 101, occurred_at=NOW + timedelta(minutes=6))
    assert fields(lambda: c.validate_change_priority("HIGH", "HIGH", "", "r", m, NOW)) == {
        "context.actor", "context.occurred_at"}


def test_validate_hold() -> None:
    for reason in ("AWAITING_CUSTOMER", "AWAITING_SUPPLIER", "OTHER"):
        assert fields(lambda r=reason: c.validate_hold(r, "", meta(), NOW)) == set()
    assert fields(lambda: c.validate_hold("", "", meta(), NOW)) == {"reason"}
    assert fields(lambda: c.validate_hold("LUNCH", "n" * 10_001, meta(), NOW)) == {
        "reason", "note"}


def test_validate_note() -> None:
    assert fields(lambda: c.validate_note("note", "", meta(), NOW)) == set()
    assert fields(lambda: c.validate_note("reason", "", meta(), NOW, required=True)) == {
        "reason"}
    assert fields(lambda: c.validate_note("reason", "r" * 11, meta(), NOW, limit=10)) == {
        "reason"}
    assert fields(lambda: c.validate_note("note", "n" * 10_001, meta(), NOW)) == {"note"}


def test_validate_resolve() -> None:
    assert fields(lambda: c.validate_resolve("FIXED", "直しました", "", meta(), NOW)) == set()
    assert fields(lambda: c.validate_resolve("", "", "", meta(), NOW)) == {
        "resolution_code", "resolution_text"}
    assert fields(lambda: c.validate_resolve("c" * 65, "t" * 10_001, "f" * 65, meta(),
                                             NOW)) == {
        "resolution_code", "resolution_text", "faq_entry_id"}


@pytest.mark.parametrize(("score", "comment", "names"), [
    (0, "", set()),
    (10, "c" * 2000, set()),
    (-1, "", {"score"}),
    (11, "", {"score"}),
    (5, "c" * 2001, {"comment"}),
    (11, "c" * 2001, {"score", "comment"}),
])
def test_validate_satisfaction(score: int, comment: str, names: set[str]) -> None:
    assert fields(lambda: c.validate_satisfaction(score, comment, meta(), NOW)) == names


# ----- the request fingerprint -----


def test_fingerprint_is_stable_for_equal_content() -> None:
    assert receive_cmd().fingerprint() == receive_cmd().fingerprint()
    assert receive_cmd() is not receive_cmd()
    assert len(receive_cmd().fingerprint()) == 64


@pytest.mark.parametrize("changes", [
    {"idempotency_key": "another-key"},
    {"channel": "EMAIL"},
    {"kind": "COMPLAINT"},
    {"contact": contact(name="山田 花子")},
    {"contact": contact(phone="")},
    {"contact": contact(email="hanako@example.jp")},
    {"contact": contact(preferred_language="en")},
    {"subject": "パスワードを忘れました。"},
    {"body": ""},
    {"category": "billing"},
    {"department": ""},
    {"impact": "HIGH"},
    {"urgency": "LOW"},
    {"priority": "P1"},
    {"agreement_id": "AG-002"},
    {"contacted_at": NOW - timedelta(minutes=3, microseconds=1)},
    {"external_ref": "TICKET-1"},
], ids=lambda changes: next(iter(changes)))
def test_fingerprint_changes_with_any_business_field(changes: dict[str, Any]) -> None:
    assert receive_cmd(**changes).fingerprint() != receive_cmd().fingerprint()


@pytest.mark.parametrize("new_meta", [
    meta(actor="someone-else"),
    meta(correlation_id="corr-2"),
    meta(occurred_at=NOW - timedelta(minutes=1)),
    c.Meta(),
])
def test_fingerprint_ignores_meta(new_meta: c.Meta) -> None:
    assert receive_cmd(meta=new_meta).fingerprint() == receive_cmd().fingerprint()


def test_contact_attempt_fingerprint_ignores_only_the_correlation_id() -> None:
    base = attempt_cmd().fingerprint()
    assert attempt_cmd(correlation_id="other").fingerprint() == base
    for changes in ({"outcome": "ABANDONED"}, {"queue": "vip"}, {"wait_seconds": 43},
                    {"call_id": "call-2"}, {"inquiry_id": "x"},
                    {"attempted_at": NOW}):
        assert attempt_cmd(**changes).fingerprint() != base, changes
