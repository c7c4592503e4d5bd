"""KPI arithmetic, local reporting periods and FAQ subject grouping (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.projections.domain import kpi_math
from services.projections.domain.faq_candidates import (
    CandidateInquiry,
    category_candidates,
    group_candidates,
    normalize_subject,
)
from services.projections.domain.periods import (
    PERIODS,
    empty_keys,
    local_keys,
    period_column,
    period_start,
)

# ----- percentiles: linear interpolation between closest ranks (NumPy's default) -----


@pytest.mark.parametrize(("values", "p", "expected"), [
    ([1, 2, 3, 4], 50, 2.5),            # h = 3·0.5 = 1.5 → 2 + 0.5·(3 − 2)
    ([1, 2, 3, 4], 90, 3.7),            # h = 3·0.9 = 2.7 → 3 + 0.7·(4 − 3)
    ([15, 20, 35, 40, 50], 40, 29.0),   # h = 4·0.4 = 1.6 → 20 + 0.6·(35 − 20)
    ([15, 20, 35, 40, 50], 90, 46.0),   # h = 4·0.9 = 3.6 → 40 + 0.6·(50 − 40)
    ([50, 15, 40, 20, 35], 50, 35.0),   # unsorted input: the middle value
    ([7], 90, 7.0),
    ([3, 1], 0, 1.0),
    ([3, 1], 100, 3.0),
    ([0.0, 100.0], 33.33, 33.3),        # rounded half up to 0.1
])
def test_percentile_interpolates_linearly_between_closest_ranks(
        values: list[float], p: float, expected: float) -> None:
    assert kpi_math.percentile(values, p) == expected


def test_median_is_the_middle_value_or_the_mean_of_the_two_middle_values() -> None:
    assert kpi_math.median([300, 100, 200]) == 200.0
    assert kpi_math.median([400, 100, 300, 200]) == 250.0


def test_no_values_give_no_statistic_rather_than_zero() -> None:
    assert kpi_math.mean([]) is None
    assert kpi_math.median([]) is None
    assert kpi_math.percentile([], 90) is None


def test_percentile_outside_0_to_100_is_refused() -> None:
    with pytest.raises(ValueError):
        kpi_math.percentile([1, 2], 101)


@given(st.lists(st.integers(0, 10**6), min_size=1), st.floats(0, 100), st.floats(0, 100))
def test_percentile_stays_within_the_sample_and_grows_with_p(
        values: list[int], p: float, q: float) -> None:
    low, high = sorted((p, q))
    a = kpi_math.percentile(values, low, digits=6)
    b = kpi_math.percentile(values, high, digits=6)
    assert a is not None and b is not None
    assert min(values) <= a <= b <= max(values)


# ----- rates and rounding -----


@pytest.mark.parametrize(("numerator", "denominator", "expected"), [
    (2, 5, 40.0),
    (1, 3, 33.3),
    (2, 3, 66.7),
    (1, 8, 12.5),
    (1, 16, 6.3),      # 6.25 rounds half up (Python's round() would give 6.2)
    (49, 400, 12.3),   # 12.25 likewise
    (0, 7, 0.0),
    (5, 5, 100.0),
])
def test_rate_is_a_percentage_rounded_half_up_to_a_tenth(
        numerator: int, denominator: int, expected: float) -> None:
    assert kpi_math.rate_percent(numerator, denominator) == expected


def test_rate_over_nothing_is_none_not_zero() -> None:
    assert kpi_math.rate_percent(0, 0) is None


def test_mean_rounds_half_up() -> None:
    assert kpi_math.mean([10, 7, 10], 2) == 9.0
    assert kpi_math.mean([10, 7, 8], 2) == 8.33
    assert kpi_math.mean([0.25], 1) == 0.3
    assert kpi_math.round_half_up(2.675, 2) == 2.68


# ----- a summary of a group of inquiries -----


def test_summary_rates_divide_by_received_and_compliance_by_stopped_cycles() -> None:
    a = kpi_math.InquiryMeasures(answered_first_contact=True, satisfaction_score=10)
    a.add_stop("FIRST_RESPONSE", "MET", 60)
    a.add_stop("RESOLUTION", "MET", 120)
    b = kpi_math.InquiryMeasures(escalated=True, reopened=True, complaint=True,
                                 satisfaction_score=7)
    b.add_stop("FIRST_RESPONSE", "MISSED", 900)
    b.add_stop("RESOLUTION", "MET", 1000)
    b.add_stop("RESOLUTION", "MISSED", 500)      # second cycle after the reopen
    b.add_stop("UPDATE", "MISSED", 99)           # not a summary measure
    c = kpi_math.InquiryMeasures()
    c.add_stop("RESOLUTION", "CANCELLED", 4000)  # closed unresolved: measured nothing
    row = dict(zip(kpi_math.SUMMARY_MEASURES, kpi_math.summarize([a, b, c]), strict=True))
    assert row == {
        "received": 3, "answered_first_contact": 1, "completion_rate_percent": 33.3,
        "escalated": 1, "escalation_rate_percent": 33.3,
        "reopened": 1, "reopen_rate_percent": 33.3, "complaints": 1,
        # first response samples 60, 900
        "first_response_mean_seconds": 480.0, "first_response_median_seconds": 480.0,
        "first_response_p90_seconds": 816.0,          # 60 + 0.9·840
        # resolution samples: a 120, b 1000 + 500 = 1500 (all its cycles)
        "resolution_mean_seconds": 810.0, "resolution_median_seconds": 810.0,
        "resolution_p90_seconds": 1362.0,             # 120 + 0.9·1380
        "sla_first_response_met": 1, "sla_first_response_missed": 1,
        "sla_first_response_compliance_percent": 50.0,
        "sla_resolution_met": 2, "sla_resolution_missed": 1,
        "sla_resolution_compliance_percent": 66.7,
        "csat_responses": 2, "csat_mean": 8.5, "csat_share_10_percent": 50.0,
    }


def test_summary_of_inquiries_without_clocks_or_scores_has_no_rates_for_them() -> None:
    row = dict(zip(kpi_math.SUMMARY_MEASURES,
                   kpi_math.summarize([kpi_math.InquiryMeasures()]), strict=True))
    assert row["completion_rate_percent"] == 0.0
    assert row["first_response_median_seconds"] is None
    assert row["sla_resolution_compliance_percent"] is None
    assert row["csat_mean"] is None and row["csat_share_10_percent"] is None


# ----- local reporting periods -----


def test_a_utc_afternoon_is_the_next_tokyo_day() -> None:
    assert local_keys("2026-11-22T15:30:00+00:00") == {
        "local_hour": "2026-11-23T00", "local_day": "2026-11-23", "local_month": "2026-11"}
    assert local_keys(datetime(2026, 11, 22, 14, 59, 59, tzinfo=UTC))["local_day"] == \
        "2026-11-22"


def test_a_month_boundary_in_tokyo() -> None:
    assert local_keys("2026-11-30T15:00:00Z")["local_month"] == "2026-12"
    assert local_keys("2026-11-30T14:59:59.999999Z")["local_month"] == "2026-11"


def test_keys_follow_the_given_zone_and_accept_any_offset() -> None:
    moment = datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=9)))
    assert local_keys(moment)["local_hour"] == "2026-11-23T10"
    assert local_keys(moment, "UTC")["local_hour"] == "2026-11-23T01"
    assert local_keys(moment, "America/New_York")["local_day"] == "2026-11-22"


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        local_keys("2026-11-23T10:00:00")


def test_unknown_instant_has_no_keys() -> None:
    assert empty_keys() == {"local_hour": None, "local_day": None, "local_month": None}


def test_period_columns_and_bucket_starts() -> None:
    assert PERIODS == ("hour", "day", "month")
    assert [period_column(p) for p in PERIODS] == ["local_hour", "local_day", "local_month"]
    assert period_start("2026-11-23T10", "hour") == "2026-11-23T10:00:00+09:00"
    assert period_start("2026-11-23", "day") == "2026-11-23T00:00:00+09:00"
    assert period_start("2026-11", "month") == "2026-11-01T00:00:00+09:00"
    assert period_start("2026-07", "month", "Europe/Berlin") == "2026-07-01T00:00:00+02:00"
    with pytest.raises(ValueError):
        period_column("week")


def test_bucket_start_and_keys_round_trip() -> None:
    for period in PERIODS:
        key = local_keys("2026-03-31T18:45:00Z")[period_column(period)]
        assert local_keys(period_start(key, period))[period_column(period)] == key


# ----- FAQ subjects -----


def test_japanese_subjects_differing_only_in_punctuation_are_one_group() -> None:
    subjects = ["粗大ごみの出し方について", "粗大ごみの出し方について。",
                "粗大ごみの出し方について！", "「粗大ごみ」の出し方について？",
                "粗大ごみの出し方について!!"]
    assert {normalize_subject(s) for s in subjects} == {"粗大ごみの出し方について"}


def test_width_case_and_spaces_do_not_split_a_group() -> None:
    assert normalize_subject("ＰＣ　ログイン　できない") == "pcログインできない"
    assert normalize_subject("  PCログイン\tできない ") == "pcログインできない"
    assert normalize_subject("ｶﾞｽ代の支払い") == "ガス代の支払い"      # half-width kana
    assert normalize_subject("マイナンバーカード・更新") == "マイナンバーカード更新"
    assert normalize_subject("★住民票（写し）※至急") == "住民票写し至急"


def test_spaces_between_latin_words_are_kept_but_collapsed() -> None:
    assert normalize_subject("VPN  Login, failed!") == "vpn login failed"
    assert normalize_subject("vpn,login") == "vpn login"
    assert normalize_subject("Wi-Fi 接続") == "wi fi接続"


def test_different_words_stay_different() -> None:
    assert normalize_subject("粗大ごみの出し方") != normalize_subject("資源ごみの出し方")
    assert normalize_subject("") == ""


def _inquiry(n: int, category: str, subject: str, *, without_faq: bool = True,
             escalated: bool = False) -> CandidateInquiry:
    return CandidateInquiry(inquiry_id=f"i{n}", category=category, subject=subject,
                            received_at=f"2026-11-23T0{n}:00:00.000000+00:00",
                            resolved_without_faq=without_faq, escalated=escalated)


def test_groups_of_at_least_min_count_candidates_most_frequent_first() -> None:
    inquiries = [
        _inquiry(1, "ごみ", "粗大ごみの出し方について。"),
        _inquiry(2, "ごみ", "粗大ごみの出し方について"),
        _inquiry(3, "ごみ", "粗大ごみの出し方について", without_faq=False, escalated=True),
        _inquiry(4, "ごみ", "粗大ごみの出し方について！"),
        _inquiry(5, "ごみ", "粗大ごみの出し方について", without_faq=False),  # FAQ answered it
        _inquiry(6, "税", "納税証明書"), _inquiry(7, "税", "納税証明書。"),
        _inquiry(8, "戸籍", "粗大ごみの出し方について"),   # other category: other group
    ]
    groups = group_candidates(inquiries, min_count=2)
    assert [(g.category, g.normalized_subject, g.count) for g in groups] == [
        ("ごみ", "粗大ごみの出し方について", 4), ("税", "納税証明書", 2)]
    first = groups[0]
    assert (first.resolved_without_faq, first.escalated) == (3, 1)
    assert first.sample_subject == "粗大ごみの出し方について"      # written so twice
    assert first.example_inquiry_ids == ("i1", "i2", "i3")          # first three received
    assert group_candidates(inquiries, min_count=5) == []


def test_categories_with_many_candidates_show_even_when_subjects_differ() -> None:
    inquiries = [_inquiry(1, "子育て", "保育園の申込"), _inquiry(2, "子育て", "児童手当"),
                 _inquiry(3, "子育て", "予防接種", escalated=True, without_faq=False),
                 _inquiry(4, "子育て", "一時預かり", without_faq=False),
                 _inquiry(5, "税", "納税証明書")]
    assert group_candidates(inquiries, min_count=2) == []
    [kids] = category_candidates(inquiries, min_count=3)
    assert (kids.category, kids.inquiries, kids.candidates, kids.resolved_without_faq,
            kids.escalated, kids.distinct_subjects) == ("子育て", 4, 3, 2, 1, 3)
    assert kids.example_inquiry_ids == ("i1", "i2", "i3")
