"""Query parameters arrive as text and reach a read model's query checked and typed;
every mistake of a request is reported at once, each naming ``params.<name>``.
Page tokens only continue the query and parameters they were issued for."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from madoguchi.errors import InvalidField
from services.projections.application.query_params import (
    MAX_INT,
    check_params,
    decode_page_token,
    encode_page_token,
)
from services.projections.application.read_models import Param, QuerySpec

STATUSES = ("RECEIVED", "ESCALATED", "CLOSED")


def spec(*params: Param) -> QuerySpec:
    return QuerySpec(name="test.query", description="", columns=("a",), params=params,
                     run=lambda params, offset, limit: [])


EVERY_KIND = spec(
    Param("department", "text"),
    Param("min_contacts", "int"),
    Param("since", "time"),
    Param("day", "date"),
    Param("month", "month"),
    Param("status", "enum", choices=STATUSES),
    Param("open_only", "bool"),
)


def violations(query: QuerySpec, raw: dict[str, str]) -> dict[str, str]:
    with pytest.raises(InvalidField) as caught:
        check_params(query, raw)
    fields = [field for field, _ in caught.value.violations]
    assert len(fields) == len(set(fields)), "one violation per field"
    return dict(caught.value.violations)


# ----- each kind converted -----

def test_each_kind_is_converted_to_its_type() -> None:
    checked = check_params(EVERY_KIND, {
        "department": "総務部", "min_contacts": "3", "since": "2025-04-01T09:00:00+09:00",
        "day": "2025-04-30", "month": "2025-04", "status": "ESCALATED", "open_only": "yes",
    })
    assert checked == {
        "department": "総務部", "min_contacts": 3,
        "since": datetime(2025, 4, 1, 0, 0, tzinfo=UTC), "day": date(2025, 4, 30),
        "month": "2025-04", "status": "ESCALATED", "open_only": True,
    }


def test_times_become_aware_utc_datetimes() -> None:
    checked = check_params(EVERY_KIND, {"since": "2025-04-01T00:15:00Z"})
    assert checked["since"] == datetime(2025, 4, 1, 0, 15, tzinfo=UTC)
    assert checked["since"].utcoffset() is not None


def test_a_time_without_a_zone_is_refused() -> None:
    assert "zone" in violations(EVERY_KIND, {"since": "2025-04-01T09:00:00"})["params.since"]
    assert "zone" in violations(EVERY_KIND, {"since": "2025-04-01"})["params.since"]
    assert "params.since" in violations(EVERY_KIND, {"since": "yesterday"})


@pytest.mark.parametrize("text", ["2025-4", "2025-13", "2025-00", "202504", "2025-04-01",
                                  "April", "２０２５-04"])
def test_a_month_must_be_yyyy_mm(text: str) -> None:
    assert violations(EVERY_KIND, {"month": text}) == {"params.month": "must be YYYY-MM"}


@pytest.mark.parametrize("text", ["2025-02-30", "2025/04/01", "20250401", "2025-4-1"])
def test_a_date_must_be_a_calendar_date_as_yyyy_mm_dd(text: str) -> None:
    assert "params.day" in violations(EVERY_KIND, {"day": text})


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("-5", -5), ("+7", 7), (" 12 ", 12),
                                             ("１２", 12), (str(MAX_INT), MAX_INT)])
def test_whole_numbers(text: str, value: int) -> None:
    assert check_params(EVERY_KIND, {"min_contacts": text})["min_contacts"] == value


@pytest.mark.parametrize("text", ["1.5", "ten", "1e3", "1_000", str(MAX_INT + 1),
                                  "9" * 5000])
def test_ints_must_be_whole_numbers_within_bounds(text: str) -> None:
    assert "params.min_contacts" in violations(EVERY_KIND, {"min_contacts": text})


def test_an_enum_outside_its_choices_lists_the_choices() -> None:
    message = violations(EVERY_KIND, {"status": "OPEN"})["params.status"]
    assert "RECEIVED, ESCALATED, CLOSED" in message
    assert "'OPEN'" in message


def test_enums_are_case_sensitive() -> None:
    assert "params.status" in violations(EVERY_KIND, {"status": "closed"})


@pytest.mark.parametrize(("text", "value"), [("true", True), ("TRUE", True), ("1", True),
                                             ("yes", True), ("false", False), ("0", False),
                                             ("No", False)])
def test_bools(text: str, value: bool) -> None:
    assert check_params(EVERY_KIND, {"open_only": text})["open_only"] is value


def test_other_bool_words_are_refused() -> None:
    assert "true or false" in violations(EVERY_KIND, {"open_only": "はい"})["params.open_only"]


# ----- text -----

def test_japanese_text_is_kept_exactly() -> None:
    value = "　市民課（窓口）　"  # full-width spaces and brackets stay as sent
    assert check_params(EVERY_KIND, {"department": value})["department"] == value


def test_text_must_not_hold_nul_or_be_huge() -> None:
    assert "NUL" in violations(EVERY_KIND, {"department": "a\x00b"})["params.department"]
    assert "params.department" in violations(EVERY_KIND, {"department": "課" * 1001})


# ----- presence, defaults, unknown names -----

def test_omitted_optional_params_get_their_default() -> None:
    query = spec(Param("team", "text"), Param("limit", "int", default=10),
                 Param("kinds", "enum", choices=("A", "B"), repeated=True, default=("A",)))
    assert check_params(query, {}) == {"team": None, "limit": 10, "kinds": ("A",)}


def test_an_empty_value_counts_as_omitted() -> None:
    query = spec(Param("team", "text", default="all"), Param("month", "month", required=True))
    assert check_params(query, {"team": "", "month": "2025-04"})["team"] == "all"
    assert violations(query, {"month": "  "}) == {"params.month": "is required"}


def test_a_required_param_must_be_given() -> None:
    query = spec(Param("month", "month", required=True))
    assert violations(query, {}) == {"params.month": "is required"}


def test_unknown_names_are_violations_naming_them_and_the_accepted_ones() -> None:
    found = violations(EVERY_KIND, {"colour": "red", "部署": "総務部"})
    assert set(found) == {"params.colour", "params.部署"}
    assert "department" in found["params.colour"] and "month" in found["params.colour"]


def test_every_violation_is_reported_together() -> None:
    query = spec(*EVERY_KIND.params, Param("team", "text", required=True))
    found = violations(query, {
        "min_contacts": "many", "since": "2025-04-01T09:00", "day": "2025-02-30",
        "month": "2025-4", "status": "OPEN", "open_only": "perhaps", "colour": "red",
    })
    assert set(found) == {"params.min_contacts", "params.since", "params.day",
                          "params.month", "params.status", "params.open_only",
                          "params.colour", "params.team"}


def test_the_exception_message_names_each_field() -> None:
    with pytest.raises(InvalidField, match=r"params\.month: must be YYYY-MM"):
        check_params(EVERY_KIND, {"month": "2025/04"})


# ----- repeated -----

REPEATED = spec(Param("status", "enum", choices=STATUSES, repeated=True),
                Param("tag", "text", repeated=True), Param("day", "date", repeated=True))


def test_repeated_values_are_comma_separated_lists() -> None:
    checked = check_params(REPEATED, {"status": "RECEIVED, CLOSED,", "tag": "税,年金",
                                      "day": "2025-04-01,2025-04-02"})
    assert checked == {"status": ["RECEIVED", "CLOSED"], "tag": ["税", "年金"],
                       "day": [date(2025, 4, 1), date(2025, 4, 2)]}


def test_repeats_of_one_value_are_dropped_keeping_order() -> None:
    assert check_params(REPEATED, {"status": "CLOSED,RECEIVED,CLOSED"})["status"] == [
        "CLOSED", "RECEIVED"]


def test_a_bad_value_in_a_repeated_param_names_the_param_and_the_value() -> None:
    message = violations(REPEATED, {"status": "RECEIVED,OPEN,PENDING"})["params.status"]
    assert "'OPEN'" in message and "'PENDING'" in message


def test_a_repeated_param_has_a_bounded_number_of_values() -> None:
    assert "params.tag" in violations(REPEATED, {"tag": ",".join(f"t{i}" for i in range(201))})


# ----- page tokens -----

PARAMS: dict[str, Any] = {"month": "2025-04", "department": "総務部",
                          "since": datetime(2025, 4, 1, tzinfo=UTC), "status": ["CLOSED"]}


def test_a_token_gives_back_its_offset_for_the_same_query_and_params() -> None:
    token = encode_page_token("sla.breaches", PARAMS, 200)
    assert decode_page_token(token, "sla.breaches", dict(PARAMS)) == 200


def test_no_token_means_the_first_page() -> None:
    assert decode_page_token("", "sla.breaches", PARAMS) == 0


def test_a_token_is_url_safe_text() -> None:
    token = encode_page_token("sla.breaches", PARAMS, 100)
    assert token.isascii() and not set(token) & set("+/= ")


@pytest.mark.parametrize(("query", "params"), [
    ("sla.other", PARAMS),
    ("sla.breaches", {**PARAMS, "month": "2025-05"}),
    ("sla.breaches", {**PARAMS, "department": "市民課"}),
    ("sla.breaches", {**PARAMS, "status": ["CLOSED", "RECEIVED"]}),
])
def test_a_token_for_another_query_or_other_params_is_refused(
        query: str, params: dict[str, Any]) -> None:
    token = encode_page_token("sla.breaches", PARAMS, 100)
    with pytest.raises(InvalidField) as caught:
        decode_page_token(token, query, params)
    assert [field for field, _ in caught.value.violations] == ["page_token"]


@pytest.mark.parametrize("token", ["garbage", "!!!", "eyJ4IjoxfQ", "W10", "x" * 500,
                                   encode_page_token("q", {}, 5)[:-3]])
def test_a_malformed_token_is_refused_naming_page_token(token: str) -> None:
    with pytest.raises(InvalidField) as caught:
        decode_page_token(token, "q", {})
    assert [field for field, _ in caught.value.violations] == ["page_token"]


def test_an_int_param_with_bounds_refuses_values_outside_them() -> None:
    ages = spec(Param("min_age_minutes", "int", bounds=(0, 5_270_400)))
    assert check_params(ages, {"min_age_minutes": "60"}) == {"min_age_minutes": 60}
    for text in ("-1", "5270401", "2147483648"):
        assert "must be between 0 and 5270400" in violations(ages, {"min_age_minutes": text})[
            "params.min_age_minutes"]


@pytest.mark.parametrize(("name", "text"), [("month", "9999-12"), ("month", "0001-01"),
                                             ("day", "9999-12-31"),
                                             ("since", "0001-01-01T00:00:00+09:00")])
def test_dates_far_from_any_service_desk_are_refused(name: str, text: str) -> None:
    assert "years 1900–2999" in violations(EVERY_KIND, {name: text})[f"params.{name}"]
