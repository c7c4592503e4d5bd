"""Fill one agreement's monthly service level report from the read-model queries.

Everything comes through the public queries (the same a reporting tool can run), so a
report never shows a figure the query API would not: volume from ``kpi_volume``, key
figures from ``kpi_summary`` and ``kpi_calls``, compliance and its trend from
``sla_compliance``, causes and the supplier share from ``sla_breach_causes`` and
``sla_supplier_share``, satisfaction from the inquiries themselves, and, when asked, a
what-if comparison from ``sla_what_if``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.projections.domain import kpi_math
from services.projections.domain.monthly_report import (
    BreachCause,
    ChannelVolume,
    DayVolume,
    KeyFigures,
    MonthlyReport,
    Satisfaction,
    SupplierLate,
    SupplierShare,
    TargetCompliance,
    TrendPoint,
    WhatIfComparison,
    WhatIfComparisonRow,
)

RunQuery = Callable[[str, dict[str, str]], list[dict[str, Any]]]
TREND_MONTHS = 6


def month_start(month: str, zone: str) -> datetime:
    year, number = (int(part) for part in month.split("-"))
    return datetime(year, number, 1, tzinfo=ZoneInfo(zone))


def shift_month(month: str, delta: int) -> str:
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + (number - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def build_monthly_report(run: RunQuery, agreement_id: str, month: str, *,
                         zone: str = "Asia/Tokyo", what_if_terms: str = "",
                         what_if_label: str = "",
                         now: datetime | None = None) -> MonthlyReport:
    """The report of ``agreement_id`` for local ``month`` ('YYYY-MM') in ``zone``."""
    start, end = month_start(month, zone), month_start(shift_month(month, 1), zone)
    span = {"from": _iso(start), "to": _iso(end)}
    mine = {"agreement_id": agreement_id}

    versions = run("agreements", mine)
    name = versions[0]["name"] if versions else ""

    volume = [DayVolume(r["period_key"], int(r["received"]), int(r["resolved"]))
              for r in run("kpi_volume", {"period": "day", **span, **mine})]

    channels = [ChannelVolume(r["group_value"], int(r["received"]))
                for r in run("kpi_summary", {"period": "month", "group_by": "channel",
                                             **span, **mine})]
    channels.sort(key=lambda c: (-c.received, c.channel))

    summary = run("kpi_summary", {"period": "month", **span, **mine})
    calls = run("kpi_calls", {"period": "month", **span})
    offered = sum(int(r["offered"]) for r in calls)
    answered = sum(int(r["answered"]) for r in calls)
    kpis = KeyFigures()
    if summary:
        s = summary[0]
        kpis = KeyFigures(
            received=int(s["received"]),
            completion_rate_percent=s["completion_rate_percent"],
            answer_rate_percent=kpi_math.rate_percent(answered, offered),
            escalation_rate_percent=s["escalation_rate_percent"],
            reopen_rate_percent=s["reopen_rate_percent"],
            first_response_median_seconds=s["first_response_median_seconds"],
            resolution_median_seconds=s["resolution_median_seconds"],
            complaints=int(s["complaints"]))
    elif offered:
        kpis = KeyFigures(answer_rate_percent=kpi_math.rate_percent(answered, offered))

    customer = {"scope": "CUSTOMER", **mine}
    targets = [TargetCompliance(r["target"], int(r["met"]), int(r["missed"]),
                                r["compliance_percent"])
               for r in run("sla_compliance", {"period": "month", **span, **customer})]
    trend_from = month_start(shift_month(month, -(TREND_MONTHS - 1)), zone)
    trend = [TrendPoint(r["period"], r["target"], r["compliance_percent"])
             for r in run("sla_compliance", {"period": "month", "from": _iso(trend_from),
                                             "to": _iso(end), **customer})]

    causes_rows = run("sla_breach_causes", {"month": month, **customer})
    causes = [BreachCause(r["cause"], r["cause_detail"] or "",
                          int(r["breaches"]) + int(r.get("open_breaches") or 0),
                          round(r["late_seconds"] or 0))
              for r in causes_rows]

    share_rows = run("sla_supplier_share", {"month": month, **mine})
    names = {r["supplier_id"]: r["supplier_name"]
             for r in run("supplier_scorecard", {"month": month}) if r.get("supplier_name")}
    by_supplier: Counter[str] = Counter()
    for r in causes_rows:
        if r["cause"] == "SUPPLIER" and r["cause_detail"]:
            by_supplier[r["cause_detail"]] += round(r["supplier_late_seconds"] or 0)
    total_late = sum(round(r["late_seconds"] or 0) for r in share_rows)
    supplier_late = min(total_late, sum(round(r["supplier_late_seconds"] or 0)
                                        for r in share_rows))
    share = SupplierShare(
        total_late, supplier_late,
        tuple(SupplierLate(sid, names.get(sid, sid), seconds)
              for sid, seconds in by_supplier.most_common() if seconds))

    scores = Counter(int(r["satisfaction_score"]) for r in run("inquiries", {**span, **mine})
                     if r.get("satisfaction_score") is not None)
    responses = sum(scores.values())
    satisfaction = Satisfaction(
        responses=responses,
        mean=kpi_math.round_half_up(sum(s * n for s, n in scores.items()) / responses, 2)
        if responses else None,
        share_10_percent=kpi_math.rate_percent(scores[10], responses),
        distribution=tuple(scores[score] for score in range(11)))

    what_if = None
    if what_if_terms:
        rows = run("sla_what_if", {"agreement_id": agreement_id, "month": month,
                                   "terms_json": what_if_terms})
        what_if = WhatIfComparison(
            what_if_label or "別の目標値を適用した場合 / under the proposed terms",
            tuple(WhatIfComparisonRow(r["target"], r["as_agreed_compliance_percent"],
                                      r["what_if_compliance_percent"])
                  for r in rows if r["priority"] == ""))

    generated = now or datetime.now(UTC)
    return MonthlyReport(
        agreement_id=agreement_id, agreement_name=name or agreement_id, month=month,
        time_zone=zone, generated_at=generated,
        source_note="Madoguchi read models, as of "
                    f"{generated.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M %Z}",
        volume_by_day=volume, channels=channels, compliance_by_target=targets,
        compliance_trend=trend, breaches_by_cause=causes, satisfaction=satisfaction,
        supplier_share=share, kpis=kpis, what_if=what_if)
