"""The report as a document both renderers draw: title, key-figure tiles, sections of
text, tables and charts, built once from a ``MonthlyReport``.

HTML (``html``) and PDF (``pdf``) come from this one description, so both readers see the
same report; charts are ``reportlab.graphics`` drawings (``charts``) written to SVG for
the HTML and placed as flowables in the PDF. Text uses the report font (``fonts``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from reportlab.graphics.shapes import Drawing

from services.projections.adapters.reports.charts import (
    breaches_chart,
    month_days,
    month_short,
    satisfaction_chart,
    sorted_causes,
    supplier_chart,
    trend_chart,
    volume_chart,
)
from services.projections.adapters.reports.fonts import ReportFont, report_font
from services.projections.domain.monthly_report import (
    NO_DATA,
    MonthlyReport,
    cause_label,
    channel_label,
    fmt_duration,
    fmt_hours,
    fmt_int,
    fmt_percent,
    fmt_target,
    headline,
    target_label,
)

REPORT_TITLE = "月次サービスレベル報告"
REPORT_TITLE_EN = "Monthly service level report"
PAGE_MARGIN = 42.0
WEEKDAYS = "月火水木金土日"
TABLE_GAP = 18.0

DEFINITIONS = (
    ("SLA 達成率 / compliance",
     "達成 ÷（達成 ＋ 未達）。その月に停止した SLA クロックを対象に、目標項目ごとに"
     "数えます（まだ止まっていないクロックは、止まった月に数えます）。測定対象がない月は"
     "「データなし」で、0 % とは区別します。"),
    ("営業時間 / business time",
     "時間はすべて契約の営業カレンダー（受付時間・土日・祝日）に沿った営業時間で、"
     "契約で定めた保留（お客様回答待ちなど）の間は数えません。"),
    ("一次完結率 / first contact completion",
     "最初の応対の中で解決し、折り返しやエスカレーションを要しなかった案件 ÷ 受付件数。"
     "後で再オープンされた案件は一次完結に数えません。"),
    ("応答率 / answer rate",
     "応答した着信 ÷ 着信（放棄呼を含む）。センターの全着信キューの合計で、この契約に"
     "限りません。電話の着信がない月は「データなし」です。"),
    ("超過時間 / late time",
     "SLA の期限を過ぎてから、その月に未達で停止するまでの営業時間（まだ止まっていない"
     "クロックは含みません）。そのうちサプライヤーが案件を預かっていた間の時間を"
     "「サプライヤー起因」とします。"),
    ("中央値 / median",
     "順位間の線形補間による 50 パーセンタイル。率は 0.1 % 単位で四捨五入しています。"),
)


# --- the document both renderers draw ---------------------------------------------------

@dataclass(frozen=True)
class TableSpec:
    """A small table: header, rows of display text, which columns are numbers."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    total: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    note: str = ""

    @property
    def missing(self) -> bool:
        return self.value == NO_DATA


@dataclass(eq=False)
class Section:
    """One titled part of the report: a chart (a reportlab drawing) and its tables."""

    key: str
    heading: str
    lead: str
    chart: Drawing | None
    chart_title: str
    tables: list[TableSpec] = field(default_factory=list)
    intro_tables: list[TableSpec] = field(default_factory=list)   # shown before the chart


@dataclass(eq=False)
class ReportDocument:
    title: str
    agreement_line: str
    facts: list[tuple[str, str]]
    headline: list[str]
    tiles: list[Tile]
    sections: list[Section]
    definitions: tuple[tuple[str, str], ...]
    font: ReportFont


def document_title(report: MonthlyReport) -> str:
    """"月次サービスレベル報告 — 住民窓口 標準 SLA — 2026年11月"."""
    return f"{REPORT_TITLE} — {report.agreement_name} — {report.month_label}"


def build_document(report: MonthlyReport, font: ReportFont | None = None) -> ReportDocument:
    """Everything both outputs show, in order, with fresh drawings."""
    font = font or report_font()
    local = report.generated_at.astimezone(ZoneInfo(report.time_zone))
    facts = [
        ("対象月 / Month", f"{report.month_label}（{report.month}, {report.time_zone}）"),
        ("契約 ID / Agreement", report.agreement_id),
        ("作成日時 / Generated", local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "")),
    ]
    if report.source_note:
        facts.append(("データ / Source", report.source_note))
    sections = [
        _volume_section(report, font),
        _compliance_section(report, font),
        _breach_section(report, font),
        _satisfaction_section(report, font),
        _supplier_section(report, font),
    ]
    if report.what_if is not None:
        sections.append(_what_if_section(report))
    return ReportDocument(
        title=document_title(report),
        agreement_line=report.agreement_name,
        facts=facts,
        headline=headline(report),
        tiles=_tiles(report),
        sections=sections,
        definitions=DEFINITIONS,
        font=font,
    )


def _tiles(report: MonthlyReport) -> list[Tile]:
    k = report.kpis
    return [
        Tile("受付件数", fmt_int(k.received), "received"),
        Tile("一次完結率", fmt_percent(k.completion_rate_percent), "first contact completion"),
        Tile("応答率（電話）", fmt_percent(k.answer_rate_percent), "answer rate"),
        Tile("エスカレーション率", fmt_percent(k.escalation_rate_percent), "escalation rate"),
        Tile("再オープン率", fmt_percent(k.reopen_rate_percent), "reopen rate"),
        Tile("初回応答 中央値", fmt_duration(k.first_response_median_seconds),
             "first response, median"),
        Tile("解決 中央値", fmt_duration(k.resolution_median_seconds), "resolution, median"),
        Tile("苦情件数", fmt_int(k.complaints), "complaints"),
    ]


def _day_label(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.month}/{d.day}（{WEEKDAYS[d.weekday()]}）"


def _volume_section(report: MonthlyReport, font: ReportFont) -> Section:
    tables: list[TableSpec] = []
    if report.volume_by_day:
        by_day = {v.day: v for v in report.volume_by_day}    # a missing day had none
        rows = [(_day_label(day), fmt_int(by_day[day].received if day in by_day else 0),
                 fmt_int(by_day[day].resolved if day in by_day else 0))
                for day in month_days(report.month)]
        half = math.ceil(len(rows) / 2)     # two columns of days, side by side
        left, right = rows[:half], rows[half:]
        right += [("", "", "")] * (len(left) - len(right))
        paired = [a + b for a, b in zip(left, right, strict=True)]
        tables.append(TableSpec(
            "日別の受付・解決件数", ("日付", "受付", "解決") * 2, tuple(paired),
            (False, True, True) * 2,
            total=("合計", fmt_int(report.received_total), fmt_int(report.resolved_total),
                   "", "", "")))
    channel_total = sum(c.received for c in report.channels)
    if report.channels:
        rows = [(channel_label(c.channel), fmt_int(c.received),
                 _share(c.received, channel_total))
                for c in sorted(report.channels, key=lambda c: -c.received)]
        tables.append(TableSpec("チャネル別の受付件数", ("チャネル", "受付", "構成比"),
                                tuple(rows), (False, True, True),
                                total=("合計", fmt_int(channel_total), "100.0 %")))
    days = len(month_days(report.month))
    lead = (f"受付 {fmt_int(report.received_total)} 件・解決 {fmt_int(report.resolved_total)} 件"
            f"（1 日平均 受付 {report.received_total / days:.1f} 件）"
            if report.volume_by_day else "")
    return Section("volume", "受付・解決件数 / Volume", lead, volume_chart(report, font),
                   "日別の受付・解決件数（棒グラフ）", tables)


def _share(part: int, whole: int) -> str:
    return fmt_percent(part * 100 / whole) if whole else NO_DATA


def _compliance_section(report: MonthlyReport, font: ReportFont) -> Section:
    tables: list[TableSpec] = []
    intro: list[TableSpec] = []
    targets = report.targets()
    if targets:
        verdict = {True: "達成", False: "未達", None: "—"}
        rows = tuple((target_label(t.target), fmt_int(t.met), fmt_int(t.missed),
                      fmt_percent(t.compliance_percent), fmt_target(t.target_percent),
                      verdict[t.achieved]) for t in targets)
        intro.append(TableSpec(f"{report.month_label}の達成状況",
                                ("目標項目", "達成", "未達", "達成率", "目標", "判定"), rows,
                                (False, True, True, True, True, False)))
    months = report.trend_months()
    names = report.trend_targets()
    if months and names:
        by_key = {(p.month, p.target): p.compliance_percent for p in report.compliance_trend}
        rows = tuple((month_short(m), *(fmt_percent(by_key.get((m, t))) for t in names))
                     for m in months)
        tables.append(TableSpec("達成率の推移（直近 6 か月）",
                                ("月", *(target_label(t) for t in names)), rows,
                                (False, *(True,) * len(names))))
    missed = [t for t in targets if t.achieved is False]
    lead = ("目標未達: " + "、".join(target_label(t.target) for t in missed) if missed
            else "すべての目標を達成しました。" if any(t.achieved for t in targets) else "")
    return Section("compliance", "SLA 達成率 / SLA compliance", lead,
                   trend_chart(report, font), "目標項目別の達成率の推移（折れ線、破線は目標）",
                   tables, intro)


def _breach_section(report: MonthlyReport, font: ReportFont) -> Section:
    causes = sorted_causes(report.breaches_by_cause)
    tables: list[TableSpec] = []
    if causes:
        names = report.supplier_share.names
        rows = tuple((cause_label(b.cause), b.detail_text(names) or "—", fmt_int(b.breaches),
                      fmt_hours(b.late_seconds)) for b in causes)
        tables.append(TableSpec("要因別の SLA 違反", ("要因", "詳細", "件数", "超過時間"), rows,
                                (False, False, True, True),
                                total=("合計", "", fmt_int(report.breaches_total),
                                       fmt_hours(sum(b.late_seconds for b in causes)))))
    lead = f"SLA 違反 {fmt_int(report.breaches_total)} 件" if causes else ""
    return Section("breaches", "SLA 違反の要因 / Breaches by cause", lead,
                   breaches_chart(report, font), "要因別の SLA 違反件数（横棒グラフ）", tables)


def _satisfaction_section(report: MonthlyReport, font: ReportFont) -> Section:
    s = report.satisfaction
    tables: list[TableSpec] = []
    lead = ""
    if s.responses:
        tables.append(TableSpec("点数別の回答数", ("点数", *(str(i) for i in range(11))),
                                (("回答数", *(fmt_int(c) for c in s.distribution)),),
                                (False, *(True,) * 11)))
        mean = NO_DATA if s.mean is None else f"{s.mean:.2f}"
        lead = (f"回答 {fmt_int(s.responses)} 件・平均 {mean} 点（0〜10）・"
                f"10 点の割合 {fmt_percent(s.share_10_percent)}")
    return Section("satisfaction", "顧客満足度 / Satisfaction", lead,
                   satisfaction_chart(report, font), "満足度の点数分布（0〜10 点、棒グラフ）",
                   tables)


def _supplier_section(report: MonthlyReport, font: ReportFont) -> Section:
    share = report.supplier_share
    tables: list[TableSpec] = []
    lead = ""
    if share.total_late_seconds:
        total = share.total_late_seconds
        rows = [("自組織", "—", fmt_hours(share.own_late_seconds),
                 _share(share.own_late_seconds, total))]
        rows += [("サプライヤー", f"{s.supplier_name}（{s.supplier_id}）",
                  fmt_hours(s.late_seconds), _share(s.late_seconds, total))
                 for s in sorted(share.by_supplier, key=lambda s: -s.late_seconds)]
        unattributed = share.supplier_late_seconds - sum(s.late_seconds for s in share.by_supplier)
        if unattributed > 0:
            rows.append(("サプライヤー", "内訳なし", fmt_hours(unattributed),
                         _share(unattributed, total)))
        tables.append(TableSpec("超過時間の内訳", ("区分", "サプライヤー", "超過時間", "構成比"),
                                tuple(rows), (False, False, True, True),
                                total=("合計", "", fmt_hours(total), "100.0 %")))
        lead = (f"超過時間 {fmt_hours(total)} のうち、サプライヤー起因 "
                f"{fmt_hours(share.supplier_late_seconds)}"
                f"（{fmt_percent(share.supplier_percent)}）")
    return Section("suppliers", "サプライヤー起因の超過時間 / Supplier share of breach time",
                   lead, supplier_chart(report, font),
                   "超過時間に占めるサプライヤー起因の割合（積み上げ横棒）", tables)


def _what_if_section(report: MonthlyReport) -> Section:
    what_if = report.what_if
    assert what_if is not None
    rows = []
    for row in what_if.rows:
        diff = (NO_DATA if row.live_percent is None or row.what_if_percent is None
                else f"{row.what_if_percent - row.live_percent:+.1f} pt")
        rows.append((target_label(row.target), fmt_percent(row.live_percent),
                     fmt_percent(row.what_if_percent), diff))
    table = TableSpec("目標項目別の達成率（契約どおりと試算、同じ再計算による）",
                      ("目標項目", "契約どおり", "試算", "差"),
                      tuple(rows),
                      (False, True, True, True))
    return Section("what-if", "試算 / What-if", f"条件: {what_if.label}", None, "",
                   [table] if rows else [])


