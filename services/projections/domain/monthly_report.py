"""The monthly service level report of one agreement (ISO/IEC 20000-1 8.3.2), as data.

This is the contract between the queries that fill a report and the renderers that draw
it (``adapters/report_render.py``): every number the report shows is here, already
computed and rounded (``kpi_math`` rules: percentages to 0.1, ``None`` = no data, never
a made-up 0). Sequences may be given as lists; they are stored as tuples so a report is
immutable and hashable. Durations are seconds of business time.

The report is written in Japanese, with bilingual section headings ("SLA 達成率 /
SLA compliance") and English technical terms where a Japanese reader expects them (SLA,
KPI). Code values (targets, channels, causes) are shown through the label tables below;
an unknown code is shown as it is, so a new value never breaks a report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

NO_DATA = "データなし / no data"
TARGET_ORDER = ("FIRST_RESPONSE", "RESOLUTION", "UPDATE", "ACKNOWLEDGE", "RESOLVE")
TARGET_LABELS = {"FIRST_RESPONSE": "初回応答", "RESOLUTION": "解決", "UPDATE": "途中経過連絡",
                 "ACKNOWLEDGE": "サプライヤー受領確認", "RESOLVE": "サプライヤー解決"}
CHANNEL_LABELS = {"PHONE": "電話", "EMAIL": "メール", "WEB_FORM": "Web フォーム",
                  "CHAT": "チャット", "WALK_IN": "窓口来庁", "FAX": "FAX", "LETTER": "郵便"}
# Breach causes as ``sla_facts.breach_cause`` decides them (detail: supplier id,
# department, on-call team).
CAUSE_LABELS = {"SUPPLIER": "サプライヤー", "DEPARTMENT": "担当課", "DESK": "窓口"}

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def target_label(code: str) -> str:
    """Japanese name of an SLA target code (unknown codes as they are)."""
    return TARGET_LABELS.get(code, code)


def channel_label(code: str) -> str:
    return CHANNEL_LABELS.get(code, code)


def cause_label(code: str) -> str:
    return CAUSE_LABELS.get(code, code)


def _tuple(value: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(value)


def _check_month(value: str, what: str) -> None:
    if not _MONTH.fullmatch(value):
        raise ValueError(f"{what} must be YYYY-MM, got {value!r}")


def _check_count(value: int, what: str) -> None:
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {value}")


@dataclass(frozen=True)
class DayVolume:
    """Inquiries received and resolved on one local day (``day`` = "2026-11-01")."""

    day: str
    received: int
    resolved: int

    def __post_init__(self) -> None:
        date.fromisoformat(self.day)
        _check_count(self.received, "received")
        _check_count(self.resolved, "resolved")


@dataclass(frozen=True)
class ChannelVolume:
    """Inquiries received on one channel (``PHONE``, ``EMAIL``, …) in the month."""

    channel: str
    received: int


@dataclass(frozen=True)
class TargetCompliance:
    """One SLA target's clocks that stopped (or breached) in the month.

    ``compliance_percent`` = met ÷ (met + missed), None when nothing was measured;
    ``target_percent`` is the agreed level (e.g. 95.0), None when the agreement sets none.
    """

    target: str
    met: int
    missed: int
    compliance_percent: float | None
    target_percent: float | None = None

    def __post_init__(self) -> None:
        _check_count(self.met, "met")
        _check_count(self.missed, "missed")

    @property
    def measured(self) -> int:
        return self.met + self.missed

    @property
    def achieved(self) -> bool | None:
        """Whether the agreed level was reached; None if there is no level or no data."""
        if self.compliance_percent is None or self.target_percent is None:
            return None
        return self.compliance_percent >= self.target_percent


@dataclass(frozen=True)
class TrendPoint:
    """Compliance of one target in one month (``month`` = "2026-06")."""

    month: str
    target: str
    compliance_percent: float | None

    def __post_init__(self) -> None:
        _check_month(self.month, "TrendPoint.month")


@dataclass(frozen=True)
class BreachCause:
    """Missed clocks (and open breaches) of one cause in the month.

    ``cause``/``detail`` as ``sla_facts.breach_cause`` gives them: SUPPLIER + supplier id,
    DEPARTMENT + department, DESK + team (other text is shown as it is). A supplier id is
    shown by its name from ``SupplierShare.by_supplier`` when the report has it.
    """

    cause: str
    detail: str
    breaches: int
    late_seconds: int

    def __post_init__(self) -> None:
        _check_count(self.breaches, "breaches")
        _check_count(self.late_seconds, "late_seconds")

    def detail_text(self, supplier_names: Mapping[str, str] | None = None) -> str:
        """The detail for people: a supplier's name instead of its id."""
        if self.cause == "SUPPLIER" and supplier_names and self.detail in supplier_names:
            return supplier_names[self.detail]
        return self.detail

    def label(self, supplier_names: Mapping[str, str] | None = None) -> str:
        """"サプライヤー（株式会社…）": cause with its detail, for charts and the headline."""
        name = cause_label(self.cause)
        detail = self.detail_text(supplier_names)
        return f"{name}（{detail}）" if detail else name


@dataclass(frozen=True)
class Satisfaction:
    """Satisfaction survey answers (scores 0..10) of the inquiries received in the month.

    ``distribution[s]`` = answers with score ``s``; ``mean`` to 0.01, ``share_10_percent``
    = share of answers scoring 10.
    """

    responses: int = 0
    mean: float | None = None
    share_10_percent: float | None = None
    distribution: tuple[int, ...] = (0,) * 11

    def __post_init__(self) -> None:
        object.__setattr__(self, "distribution", _tuple(self.distribution))
        if len(self.distribution) != 11:
            raise ValueError(f"distribution needs 11 counts (scores 0..10), got "
                             f"{len(self.distribution)}")
        for count in self.distribution:
            _check_count(count, "distribution count")
        _check_count(self.responses, "responses")


@dataclass(frozen=True)
class SupplierLate:
    """Breach time that ran while one supplier held inquiries."""

    supplier_id: str
    supplier_name: str
    late_seconds: int


@dataclass(frozen=True)
class SupplierShare:
    """How much of the month's breach time (time past due) happened at suppliers.

    ``total_late_seconds`` covers every breached clock; ``supplier_late_seconds`` the part
    while a supplier held the inquiry (``by_supplier`` splits it).
    """

    total_late_seconds: int = 0
    supplier_late_seconds: int = 0
    by_supplier: tuple[SupplierLate, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_supplier", _tuple(self.by_supplier))
        _check_count(self.total_late_seconds, "total_late_seconds")
        _check_count(self.supplier_late_seconds, "supplier_late_seconds")
        if self.supplier_late_seconds > self.total_late_seconds:
            raise ValueError("supplier_late_seconds exceeds total_late_seconds")

    @property
    def names(self) -> dict[str, str]:
        """Supplier id → name."""
        return {s.supplier_id: s.supplier_name for s in self.by_supplier if s.supplier_name}

    @property
    def own_late_seconds(self) -> int:
        """Breach time not at a supplier (the desk's own)."""
        return self.total_late_seconds - self.supplier_late_seconds

    @property
    def supplier_percent(self) -> float | None:
        if not self.total_late_seconds:
            return None
        return self.supplier_late_seconds * 100 / self.total_late_seconds


@dataclass(frozen=True)
class KeyFigures:
    """The month's key figures; every rate is a percentage, None when undefined.

    ``completion_rate_percent``: first contact completion, inquiries resolved at the
    first contact ÷ inquiries received. ``answer_rate_percent``: answered calls ÷ offered
    calls, every queue of the centre (None without calls). ``escalation_rate_percent``,
    ``reopen_rate_percent``: inquiries escalated / reopened at least once ÷ received.
    Medians in business seconds.
    """

    received: int = 0
    completion_rate_percent: float | None = None
    answer_rate_percent: float | None = None
    escalation_rate_percent: float | None = None
    reopen_rate_percent: float | None = None
    first_response_median_seconds: float | None = None
    resolution_median_seconds: float | None = None
    complaints: int = 0


@dataclass(frozen=True)
class WhatIfComparisonRow:
    """One target's compliance under the agreed terms (``live``: each inquiry replayed under
    the version pinned at receipt) and under the alternative terms, the same way."""

    target: str
    live_percent: float | None
    what_if_percent: float | None


@dataclass(frozen=True)
class WhatIfComparison:
    """A comparison with alternative terms, e.g. label "解決目標を 8 時間に変更した場合"."""

    label: str
    rows: tuple[WhatIfComparisonRow, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", _tuple(self.rows))


@dataclass(frozen=True)
class MonthlyReport:
    """Everything one agreement's monthly report shows.

    ``month`` is "YYYY-MM" in ``time_zone`` (IANA, e.g. "Asia/Tokyo"); ``generated_at`` is
    aware (shown in ``time_zone``); ``source_note`` says where the numbers come from
    (read model generation, data as of …). ``compliance_trend`` holds up to the last six
    months including this one; a month without measurements has ``None``.
    """

    agreement_id: str
    agreement_name: str
    month: str
    time_zone: str
    generated_at: datetime
    source_note: str = ""
    volume_by_day: tuple[DayVolume, ...] = ()
    channels: tuple[ChannelVolume, ...] = ()
    compliance_by_target: tuple[TargetCompliance, ...] = ()
    compliance_trend: tuple[TrendPoint, ...] = ()
    breaches_by_cause: tuple[BreachCause, ...] = ()
    satisfaction: Satisfaction = field(default_factory=Satisfaction)
    supplier_share: SupplierShare = field(default_factory=SupplierShare)
    kpis: KeyFigures = field(default_factory=KeyFigures)
    what_if: WhatIfComparison | None = None

    def __post_init__(self) -> None:
        _check_month(self.month, "month")
        if self.generated_at.tzinfo is None:
            raise ValueError("generated_at must be timezone-aware")
        for name in ("volume_by_day", "channels", "compliance_by_target",
                     "compliance_trend", "breaches_by_cause"):
            object.__setattr__(self, name, _tuple(getattr(self, name)))
        for row in self.volume_by_day:
            if not row.day.startswith(self.month + "-"):
                raise ValueError(f"volume_by_day has {row.day}, outside {self.month}")

    @property
    def month_label(self) -> str:
        """"2026年11月"."""
        year, month = self.month.split("-")
        return f"{int(year)}年{int(month)}月"

    @property
    def received_total(self) -> int:
        return sum(d.received for d in self.volume_by_day)

    @property
    def resolved_total(self) -> int:
        return sum(d.resolved for d in self.volume_by_day)

    @property
    def breaches_total(self) -> int:
        return sum(b.breaches for b in self.breaches_by_cause)

    @property
    def is_empty(self) -> bool:
        """Nothing happened under this agreement in the month."""
        return (not self.kpis.received and not self.received_total
                and not any(t.measured for t in self.compliance_by_target)
                and not self.breaches_total and not self.satisfaction.responses)

    def targets(self) -> list[TargetCompliance]:
        """This month's targets in the usual order (first response, resolution, update)."""
        return sorted(self.compliance_by_target, key=lambda t: _target_rank(t.target))

    def trend_months(self) -> list[str]:
        """Months of the trend, oldest first."""
        return sorted({p.month for p in self.compliance_trend})

    def trend_targets(self) -> list[str]:
        return sorted({p.target for p in self.compliance_trend}, key=_target_rank)


def _target_rank(code: str) -> tuple[int, str]:
    return (TARGET_ORDER.index(code) if code in TARGET_ORDER else len(TARGET_ORDER), code)


# --- number formats shared by the headline and the renderers -------------------------

def fmt_int(value: int | None) -> str:
    """1,234 (thousands separators), or the no-data mark."""
    return NO_DATA if value is None else f"{value:,}"


def fmt_percent(value: float | None, digits: int = 1) -> str:
    """"96.2 %" (a measured rate always shows its decimal)."""
    if value is None:
        return NO_DATA
    return f"{value:.{digits}f} %"


def fmt_target(value: float | None) -> str:
    """An agreed level: "95 %" or "99.5 %"."""
    if value is None:
        return "目標なし"
    return f"{value:.0f} %" if float(value).is_integer() else f"{value:g} %"


def fmt_duration(seconds: float | None) -> str:
    """Business time, readable: "45 秒", "12 分", "27 時間 05 分".

    No days: a "day" of business time (one office day? 24 business hours?) would be read
    both ways.
    """
    if seconds is None:
        return NO_DATA
    total = round(seconds)
    if total < 60:
        return f"{total} 秒"
    minutes = total // 60
    if minutes < 60:
        return f"{minutes} 分"
    hours, minutes = divmod(minutes, 60)
    return f"{hours:,} 時間 {minutes:02d} 分"


def fmt_hours(seconds: int) -> str:
    """Hours with one decimal, for chart axes and tables of breach time."""
    return f"{seconds / 3600:,.1f} 時間"


# --- the headline -----------------------------------------------------------------------

def headline(report: MonthlyReport) -> list[str]:
    """Two to four plain sentences a manager reads first: volume, whether the targets
    were met, and where the breach time came from."""
    if report.is_empty:
        return [f"{report.month_label}、{report.agreement_name}の受付はありませんでした。",
                "SLA の測定対象となる案件もなく、達成率は算出していません。"]
    sentences = [_volume_sentence(report)]
    measured = [t for t in report.targets() if t.compliance_percent is not None]
    # Targets that missed come first: that is what a manager must act on.
    measured.sort(key=lambda t: (t.achieved is not False, _target_rank(t.target)))
    sentences.extend(_compliance_sentence(t) for t in measured[:2])
    if not measured:
        sentences.append("SLA の測定対象となる案件はありませんでした。")
    breach = _breach_sentence(report)
    if breach:
        sentences.append(breach)
    return sentences[:4]


def _volume_sentence(report: MonthlyReport) -> str:
    received = report.kpis.received or report.received_total
    parts = [f"{report.month_label}の受付は {fmt_int(received)} 件"]
    if report.volume_by_day:
        parts.append(f"解決は {fmt_int(report.resolved_total)} 件")
    if report.kpis.completion_rate_percent is not None:
        parts.append(f"一次完結率は {fmt_percent(report.kpis.completion_rate_percent)}")
    return "、".join(parts) + "でした。"


def _compliance_sentence(t: TargetCompliance) -> str:
    name = target_label(t.target)
    value = fmt_percent(t.compliance_percent)
    if t.target_percent is None:
        return f"{name}の達成率は {value} でした（目標の設定なし）。"
    base = f"{name}の達成率は {value}（目標 {fmt_target(t.target_percent)}）で、"
    if t.achieved:
        return base + "目標を達成しました。"
    gap = t.target_percent - (t.compliance_percent or 0.0)
    return base + f"目標を {gap:.1f} ポイント下回りました。"


def _breach_sentence(report: MonthlyReport) -> str | None:
    total = report.breaches_total
    if not total:
        if any(t.measured for t in report.compliance_by_target):
            return "SLA 違反はありませんでした。"
        return None
    top = max(report.breaches_by_cause, key=lambda b: (b.breaches, b.late_seconds))
    label = top.label(report.supplier_share.names)
    sentence = (f"SLA 違反は {fmt_int(total)} 件で、最も多い要因は「{label}」"
                f"（{fmt_int(top.breaches)} 件）")
    share = report.supplier_share.supplier_percent
    if share is not None and report.supplier_share.supplier_late_seconds:
        sentence += f"、超過時間の {share:.0f} % はサプライヤー対応中に発生したもの"
    return sentence + "でした。"
