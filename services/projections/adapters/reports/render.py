"""Render a ``MonthlyReport`` as one self-contained HTML file and as a PDF of the same.

Both outputs come from one description of the report (``build_document``): the same
sections, tables and ``reportlab.graphics`` drawings. A drawing is written to SVG for the
HTML (inline, no script, no network) and placed as a flowable in the PDF, so a chart is
defined once and both readers see the same picture. Charts and text use the report font
(``report_fonts``); the HTML names it first in its CSS font stack.
"""

from __future__ import annotations

import calendar
import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from services.projections.adapters.reports.fonts import CSS_FONT_STACK, ReportFont, report_font
from services.projections.domain.monthly_report import (
    NO_DATA,
    BreachCause,
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
CHART_WIDTH = 510.0     # whole points (an SVG viewBox is whole), within A4's frame of 511.3
WEEKDAYS = "月火水木金土日"
MAX_CAUSE_BARS = 10
MAX_SUPPLIER_SEGMENTS = 5
TABLE_GAP = 18.0

INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5b6776")
GRID = colors.HexColor("#d9dee5")
AXIS = colors.HexColor("#8a94a3")
PANEL = colors.HexColor("#f3f6fa")
WEEKEND = colors.HexColor("#eef1f5")
RECEIVED = colors.HexColor("#4f7cac")
RESOLVED = colors.HexColor("#9cc3a6")
BREACH = colors.HexColor("#d1495b")
OWN = colors.HexColor("#9aa5b1")
PALETTE = [colors.HexColor(c) for c in
           ("#2b6cb0", "#d97706", "#2f855a", "#805ad5", "#c05621", "#319795", "#b83280")]
TARGET_COLORS = {"FIRST_RESPONSE": PALETTE[0], "RESOLUTION": PALETTE[1], "UPDATE": PALETTE[2]}
SUPPLIER_COLORS = [colors.HexColor(c) for c in
                   ("#d97706", "#805ad5", "#319795", "#b83280", "#2b6cb0", "#718096")]

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


def _month_days(month: str) -> list[str]:
    year, mon = (int(p) for p in month.split("-"))
    last = calendar.monthrange(year, mon)[1]
    return [f"{month}-{d:02d}" for d in range(1, last + 1)]


def _volume_section(report: MonthlyReport, font: ReportFont) -> Section:
    tables: list[TableSpec] = []
    if report.volume_by_day:
        by_day = {v.day: v for v in report.volume_by_day}    # a missing day had none
        rows = [(_day_label(day), fmt_int(by_day[day].received if day in by_day else 0),
                 fmt_int(by_day[day].resolved if day in by_day else 0))
                for day in _month_days(report.month)]
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
    days = len(_month_days(report.month))
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
        rows = tuple((_month_short(m), *(fmt_percent(by_key.get((m, t))) for t in names))
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


def _month_short(month: str) -> str:
    year, mon = month.split("-")
    return f"{int(year)}年{int(mon)}月"


def _breach_section(report: MonthlyReport, font: ReportFont) -> Section:
    causes = _sorted_causes(report.breaches_by_cause)
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


def _sorted_causes(causes: Sequence[BreachCause]) -> list[BreachCause]:
    return sorted(causes, key=lambda b: (-b.breaches, -b.late_seconds, b.cause, b.detail))


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


# --- charts (reportlab drawings: one definition, SVG and PDF) ------------------------------

def _nice_scale(top: float, ticks: int = 5, integer: bool = True) -> tuple[float, float]:
    """An axis maximum ≥ ``top`` and a round step (1, 2, 5 × 10^k)."""
    if top <= 0:
        return 1.0, 1.0
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1.0, float(round(step)))
    return math.ceil(top / step) * step, step


def _text(x: float, y: float, text: str, font: ReportFont, size: float = 8,
          color: colors.Color = INK, anchor: str = "start") -> String:
    return String(x, y, text, fontName=font.name, fontSize=size, fillColor=color,
                  textAnchor=anchor)


def _fit(text: str, font: ReportFont, size: float, width: float) -> str:
    """``text`` shortened with "…" to fit ``width`` points."""
    if stringWidth(text, font.name, size) <= width:
        return text
    while text and stringWidth(text + "…", font.name, size) > width:
        text = text[:-1]
    return text + "…"


def no_data_chart(font: ReportFont, height: float = 70) -> Drawing:
    """The placeholder where a chart has nothing to show."""
    d = Drawing(CHART_WIDTH, height)
    d.add(Rect(0, 0, CHART_WIDTH, height, fillColor=PANEL, strokeColor=GRID, rx=4, ry=4))
    d.add(_text(CHART_WIDTH / 2, height / 2 - 4, NO_DATA, font, 11, MUTED, "middle"))
    return d


def _legend(d: Drawing, items: Sequence[tuple[colors.Color, str, str]], x: float, y: float,
            font: ReportFont, size: float = 8) -> None:
    """A row of swatches: kind "bar" (square), "line" or "dash"."""
    for color, label, kind in items:
        if kind == "bar":
            d.add(Rect(x, y, 8, 8, fillColor=color, strokeColor=None))
            x += 11
        else:
            d.add(Line(x, y + 4, x + 16, y + 4, strokeColor=color, strokeWidth=2,
                       strokeDashArray=[4, 3] if kind == "dash" else None))
            x += 19
        d.add(_text(x, y + 0.5, label, font, size, INK))
        x += stringWidth(label, font.name, size) + 14


def _style_axes(chart: Any, font: ReportFont, size: float = 7.5) -> None:
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = font.name
        axis.labels.fontSize = size
        axis.labels.fillColor = MUTED
        axis.strokeColor = AXIS
        axis.strokeWidth = 0.6
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    chart.valueAxis.gridStrokeWidth = 0.5
    chart.valueAxis.visibleAxis = False
    chart.valueAxis.visibleTicks = False
    chart.categoryAxis.visibleTicks = False


def volume_chart(report: MonthlyReport, font: ReportFont) -> Drawing:
    """Received and resolved per day, every day of the month, weekends shaded."""
    by_day = {v.day: v for v in report.volume_by_day}
    days = _month_days(report.month)
    received = [by_day[d].received if d in by_day else 0 for d in days]
    resolved = [by_day[d].resolved if d in by_day else 0 for d in days]
    if not any(received) and not any(resolved):
        return no_data_chart(font)
    d = Drawing(CHART_WIDTH, 210)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 34, 30, CHART_WIDTH - 44, 150
    band = chart.width / len(days)
    for i, day in enumerate(days):
        if date.fromisoformat(day).weekday() >= 5:
            d.add(Rect(chart.x + i * band, chart.y, band, chart.height, fillColor=WEEKEND,
                       strokeColor=None))
    chart.data = [received, resolved]
    chart.categoryAxis.categoryNames = [str(int(day[-2:])) for day in days]
    top, step = _nice_scale(max(*received, *resolved))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    chart.bars[0].fillColor, chart.bars[1].fillColor = RECEIVED, RESOLVED
    chart.bars.strokeColor = None
    chart.barSpacing, chart.groupSpacing = 0.5, 2.5
    _style_axes(chart, font, 7)
    chart.categoryAxis.labels.dy = -2
    d.add(chart)
    _legend(d, [(RECEIVED, "受付 / received", "bar"), (RESOLVED, "解決 / resolved", "bar"),
                (WEEKEND, "土日 / weekend", "bar")], chart.x, 194, font)
    return d


def trend_chart(report: MonthlyReport, font: ReportFont) -> Drawing:
    """Compliance per target over the last months, with each target's agreed level."""
    months = report.trend_months()
    names = report.trend_targets()
    by_key = {(p.month, p.target): p.compliance_percent for p in report.compliance_trend}
    series = [[by_key.get((m, t)) for m in months] for t in names]
    values = [v for row in series for v in row if v is not None]
    if not values:
        return no_data_chart(font)
    levels = {t.target: t.target_percent for t in report.compliance_by_target
              if t.target_percent is not None and t.target in names}
    lowest = min(values + list(levels.values()))
    bottom = max(0.0, math.floor((lowest - 5) / 10) * 10)
    span = 100 - bottom
    step = 5.0 if span <= 30 else 10.0 if span <= 60 else 20.0
    d = Drawing(CHART_WIDTH, 196)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 40, 24, CHART_WIDTH - 110, 142
    # A month without data is a gap, not a line across it: each unbroken run of a
    # target's months is its own series, drawn in the target's colour.
    runs: list[tuple[int, list[float | None]]] = []
    for i, row in enumerate(series):
        for start, end in _runs(row):
            runs.append((i, [v if start <= j < end else None for j, v in enumerate(row)]))
    chart.data = [run for _, run in runs]
    chart.categoryAxis.categoryNames = [_month_short(m) for m in months]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = bottom, 100
    chart.valueAxis.valueStep = step
    chart.valueAxis.labelTextFormat = lambda v: f"{v:.0f} %"
    chart.joinedLines = 1
    for n, (i, _) in enumerate(runs):
        color = TARGET_COLORS.get(names[i], PALETTE[(i + 3) % len(PALETTE)])
        chart.lines[n].strokeColor = color
        chart.lines[n].strokeWidth = 2
        chart.lines[n].symbol = makeMarker("FilledCircle", size=5, fillColor=color,
                                           strokeColor=color)
    _style_axes(chart, font)
    d.add(chart)
    placed: list[float] = []
    for i, target in enumerate(names):
        level = levels.get(target)
        if level is None:
            continue
        color = TARGET_COLORS.get(target, PALETTE[(i + 3) % len(PALETTE)])
        y = chart.y + (level - bottom) / span * chart.height
        d.add(Line(chart.x, y, chart.x + chart.width, y, strokeColor=color, strokeWidth=1,
                   strokeDashArray=[4, 3]))
        label_y = y - 3
        while any(abs(label_y - p) < 9 for p in placed):   # levels close together
            label_y -= 9
        placed.append(label_y)
        d.add(_text(chart.x + chart.width + 4, label_y,
                    f"{target_label(target)} 目標 {fmt_target(level)}", font, 7, color))
    legend = [(TARGET_COLORS.get(t, PALETTE[(i + 3) % len(PALETTE)]), target_label(t), "line")
              for i, t in enumerate(names)]
    legend.append((MUTED, "目標 / target", "dash"))
    _legend(d, legend, chart.x, 182, font)
    return d


def _runs(values: Sequence[float | None]) -> list[tuple[int, int]]:
    """[start, end) index ranges of consecutive values that are not None."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for j, value in enumerate([*values, None]):
        if value is not None and start is None:
            start = j
        elif value is None and start is not None:
            runs.append((start, j))
            start = None
    return runs


def breaches_chart(report: MonthlyReport, font: ReportFont) -> Drawing:
    """Breaches per cause, largest on top; the tail is summed as "その他"."""
    causes = [b for b in _sorted_causes(report.breaches_by_cause) if b.breaches]
    if not causes:
        return no_data_chart(font)
    names = report.supplier_share.names
    shown: list[tuple[str, int]] = [(b.label(names), b.breaches)
                                    for b in causes[:MAX_CAUSE_BARS]]
    rest = causes[MAX_CAUSE_BARS:]
    if rest:
        shown.append((f"その他（{len(rest)} 要因）", sum(b.breaches for b in rest)))
    size = 8
    label_width = min(max(stringWidth(label, font.name, size) for label, _ in shown) + 8, 220)
    labels = [_fit(label, font, size, label_width - 8) for label, _ in shown]
    bar_band = 22
    height = len(shown) * bar_band + 36
    d = Drawing(CHART_WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 22
    chart.width, chart.height = CHART_WIDTH - label_width - 30, len(shown) * bar_band
    chart.data = [[count for _, count in reversed(shown)]]
    chart.categoryAxis.categoryNames = list(reversed(labels))
    top, step = _nice_scale(max(count for _, count in shown))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    chart.bars[0].fillColor = BREACH
    chart.bars.strokeColor = None
    chart.barWidth = 12
    chart.groupSpacing = 8
    chart.barLabelFormat = lambda v: f"{v:,.0f} 件"
    chart.barLabels.fontName = font.name
    chart.barLabels.fontSize = 7.5
    chart.barLabels.fillColor = INK
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    _style_axes(chart, font)
    chart.categoryAxis.labels.fontSize = size
    chart.categoryAxis.labels.fillColor = INK
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    d.add(chart)
    return d


def satisfaction_chart(report: MonthlyReport, font: ReportFont) -> Drawing:
    """Answers per score 0..10; the score 10 bar stands out (its share is a KPI)."""
    s = report.satisfaction
    if not any(s.distribution):
        return no_data_chart(font)
    d = Drawing(CHART_WIDTH, 180)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 34, 36, CHART_WIDTH - 44, 116
    chart.data = [list(s.distribution)]
    chart.categoryAxis.categoryNames = [str(i) for i in range(11)]
    top, step = _nice_scale(max(s.distribution) * 1.1)
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    chart.bars.strokeColor = None
    chart.bars[0].fillColor = colors.HexColor("#7fa7cf")
    chart.bars[(0, 10)].fillColor = PALETTE[0]
    chart.barLabelFormat = lambda v: f"{v:,.0f}"
    chart.barLabels.fontName = font.name
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    chart.barLabels.fillColor = INK
    chart.groupSpacing = 8
    _style_axes(chart, font)
    chart.categoryAxis.labels.fontSize = 8
    d.add(chart)
    d.add(_text(chart.x + chart.width / 2, 4, "点数 / score（0 = 不満 … 10 = 満足）", font, 7,
                MUTED, "middle"))
    mean = "—" if s.mean is None else f"{s.mean:.2f}"
    _legend(d, [(colors.HexColor("#7fa7cf"), "回答数 / responses", "bar"),
                (PALETTE[0], f"10 点 {fmt_percent(s.share_10_percent)}", "bar")],
            chart.x, 164, font)
    d.add(_text(chart.x + chart.width, 164.5, f"平均 / mean {mean}", font, 8, INK, "end"))
    return d


def supplier_chart(report: MonthlyReport, font: ReportFont) -> Drawing:
    """One 100 % bar of the month's breach time: the desk's own part and each supplier's."""
    share = report.supplier_share
    total = share.total_late_seconds
    if not total:
        return no_data_chart(font)
    parts: list[tuple[str, int, colors.Color]] = [("自組織 / own", share.own_late_seconds, OWN)]
    suppliers = sorted(share.by_supplier, key=lambda s: -s.late_seconds)
    named = suppliers[:MAX_SUPPLIER_SEGMENTS]
    for i, s in enumerate(named):
        parts.append((s.supplier_name, s.late_seconds, SUPPLIER_COLORS[i]))
    other = share.supplier_late_seconds - sum(s.late_seconds for s in named)
    if other > 0:
        parts.append(("その他のサプライヤー", other, SUPPLIER_COLORS[-1]))
    parts = [p for p in parts if p[1] > 0]
    rows = math.ceil(len(parts) / 2)
    height = 70 + rows * 14
    d = Drawing(CHART_WIDTH, height)
    bar_y, bar_h = height - 46, 26
    x = 0.0
    for _label, seconds, color in parts:
        width = CHART_WIDTH * seconds / total
        d.add(Rect(x, bar_y, width, bar_h, fillColor=color, strokeColor=colors.white,
                   strokeWidth=1))
        text = f"{seconds * 100 / total:.0f} %"
        if width > stringWidth(text, font.name, 8) + 6:
            d.add(_text(x + width / 2, bar_y + bar_h / 2 - 3, text, font, 8, colors.white,
                        "middle"))
        x += width
    supplier_pct = fmt_percent(share.supplier_percent)
    d.add(_text(0, height - 12, f"サプライヤー起因 {supplier_pct}"
                f"（{fmt_hours(share.supplier_late_seconds)} / {fmt_hours(total)}）",
                font, 8.5, INK))
    column = CHART_WIDTH / 2
    for i, (label, seconds, color) in enumerate(parts):
        lx = (i % 2) * column
        ly = bar_y - 18 - (i // 2) * 14
        d.add(Rect(lx, ly, 8, 8, fillColor=color, strokeColor=None))
        d.add(_text(lx + 12, ly + 0.5, _fit(f"{label}  {fmt_hours(seconds)}", font, 8,
                                            column - 20), font, 8))
    return d


# --- HTML -------------------------------------------------------------------------------

_CSS = """
:root { --ink:#1d2733; --muted:#5b6776; --line:#d9dee5; --panel:#f3f6fa; --accent:#2b6cb0;
  --bad:#d1495b; --good:#2f855a; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: var(--ink); font-family: FONTS;
  font-size: 15px; line-height: 1.7; }
main { max-width: 880px; margin: 0 auto; padding: 32px 24px 48px; }
header.title { border-bottom: 3px solid var(--accent); padding-bottom: 14px; margin-bottom: 20px; }
header.title .kicker { color: var(--muted); font-size: 13px; letter-spacing: .05em; margin: 0; }
header.title h1 { font-size: 26px; line-height: 1.35; margin: 4px 0 10px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0;
  font-size: 13px; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
section.headline { background: var(--panel); border-left: 4px solid var(--accent);
  padding: 12px 18px; margin: 0 0 20px; border-radius: 4px; }
section.headline h2 { font-size: 15px; margin: 0 0 4px; color: var(--muted); border: 0; }
section.headline ul { margin: 0; padding-left: 1.2em; }
section.headline li { margin: 2px 0; font-size: 16px; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; margin: 0 0 28px; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.tile .label { font-size: 12px; color: var(--muted); }
.tile .value { font-size: 21px; font-weight: 600; line-height: 1.3; }
.tile .value.none { font-size: 14px; font-weight: 400; color: var(--muted); padding: 4px 0; }
.tile .note { font-size: 11px; color: var(--muted); }
section.part { margin: 0 0 30px; }
section.part h2 { font-size: 19px; border-bottom: 1px solid var(--line); padding-bottom: 4px;
  margin: 0 0 8px; }
p.lead { margin: 0 0 8px; color: var(--muted); }
figure { margin: 0 0 10px; }
figure svg { display: block; width: 100%; height: auto; }
.tables { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 0 28px; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0 14px; }
caption { text-align: left; font-size: 13px; color: var(--muted); padding-bottom: 2px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 10px; text-align: left;
  vertical-align: top; }
th { background: var(--panel); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { border-top: 2px solid var(--ink); font-weight: 600; }
.scroll { overflow-x: auto; }
footer.definitions { border-top: 1px solid var(--line); margin-top: 36px; padding-top: 10px;
  font-size: 12.5px; color: var(--muted); }
footer.definitions h2 { font-size: 14px; color: var(--ink); margin: 0 0 4px; }
footer.definitions dt { font-weight: 600; color: var(--ink); margin-top: 6px; }
footer.definitions dd { margin: 0 0 0 1em; }
@media (max-width: 640px) { .tiles { grid-template-columns: repeat(2, 1fr); } }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 10.5pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
  .tile .value { font-size: 15pt; }
  section.part h2, p.lead { break-after: avoid-page; }
  figure, table, .tiles, section.headline { break-inside: avoid; }
  .scroll { overflow: visible; }
}
"""


def _svg(drawing: Drawing, key: str, title: str, font: ReportFont) -> str:
    """A drawing as inline SVG: no XML prolog or DTD, ids unique in the page, a title."""
    raw = renderSVG.drawToString(drawing, fontHacks={font.name: {"family": CSS_FONT_STACK}})
    svg = raw[raw.index("<svg"):]
    svg = svg.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "", 1)
    svg = svg.replace('id="clip"', f'id="{key}-clip"', 1)
    svg = svg.replace("url(#clip)", f"url(#{key}-clip)", 1)
    svg = svg.replace('id="group"', f'id="{key}-group"', 1)
    svg = svg.replace("<title>...</title>", f'<title id="{key}-title">{html.escape(title)}</title>',
                      1)
    svg = svg.replace("<desc>...</desc>", "", 1)
    return svg.replace("<svg ", f'<svg role="img" aria-labelledby="{key}-title" ', 1).strip()


def _html_table(table: TableSpec) -> str:
    def cells(values: Sequence[str], tag: str) -> str:
        num_class = ' class="num"'
        return "".join(f"<{tag}{num_class if num else ''}>{html.escape(v)}</{tag}>"
                       for v, num in zip(values, table.numeric, strict=True))

    body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in table.rows)
    if table.total:
        body += f'<tr class="total">{cells(table.total, "td")}</tr>'
    return (f'<div class="scroll"><table><caption>{html.escape(table.caption)}</caption>'
            f"<thead><tr>{cells(table.header, 'th')}</tr></thead><tbody>{body}</tbody>"
            "</table></div>")


def render_html(report: MonthlyReport, font: ReportFont | None = None) -> str:
    """The report as one self-contained UTF-8 HTML page (inline CSS and SVG, no script)."""
    doc = build_document(report, font)
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="ja">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta name="generator" content="Madoguchi projections">',
           f"<title>{e(doc.title)}</title>",
           f"<style>{_CSS.replace('FONTS', CSS_FONT_STACK)}</style>", "</head>", "<body>",
           "<main>"]
    out.append('<header class="title">'
               f'<p class="kicker">{e(REPORT_TITLE)} / {e(REPORT_TITLE_EN)}</p>'
               f"<h1>{e(doc.agreement_line)}<br>{e(report.month_label)}</h1>"
               '<dl class="facts">'
               + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in doc.facts)
               + "</dl></header>")
    out.append('<section class="headline" id="headline"><h2>要点 / Summary</h2><ul>'
               + "".join(f"<li>{e(s)}</li>" for s in doc.headline) + "</ul></section>")
    out.append('<section class="tiles" id="kpis" aria-label="主要指標 / Key figures">'
               + "".join(f'<div class="tile"><div class="label">{e(t.label)}</div>'
                         f'<div class="value{" none" if t.missing else ""}">{e(t.value)}</div>'
                         f'<div class="note">{e(t.note)}</div></div>' for t in doc.tiles)
               + "</section>")
    for section in doc.sections:
        parts = [f'<section class="part" id="{section.key}"><h2>{e(section.heading)}</h2>']
        if section.lead:
            parts.append(f'<p class="lead">{e(section.lead)}</p>')
        if section.intro_tables:
            parts.append('<div class="tables">'
                         + "".join(_html_table(t) for t in section.intro_tables) + "</div>")
        if section.chart is not None:
            parts.append("<figure>" + _svg(section.chart, section.key, section.chart_title,
                                           doc.font) + "</figure>")
        if section.tables:
            parts.append('<div class="tables">'
                         + "".join(_html_table(t) for t in section.tables) + "</div>")
        if section.chart is None and not section.tables and not section.intro_tables:
            parts.append(f'<p class="lead">{e(NO_DATA)}</p>')
        parts.append("</section>")
        out.append("".join(parts))
    out.append('<footer class="definitions" id="definitions"><h2>定義 / Definitions</h2><dl>'
               + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in doc.definitions)
               + "</dl></footer>")
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)


# --- PDF --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _PdfStyles:
    body: ParagraphStyle
    small: ParagraphStyle
    kicker: ParagraphStyle
    title: ParagraphStyle
    h2: ParagraphStyle
    lead: ParagraphStyle
    bullet: ParagraphStyle
    cell: ParagraphStyle
    tile_label: ParagraphStyle
    tile_value: ParagraphStyle
    tile_none: ParagraphStyle


def _styles(font: ReportFont) -> _PdfStyles:
    def style(name: str, size: float, color: colors.Color = INK, **extra: Any) -> ParagraphStyle:
        settings: dict[str, Any] = {"leading": size * 1.55, **extra}
        return ParagraphStyle(name, fontName=font.name, fontSize=size, textColor=color,
                              wordWrap="CJK", alignment=TA_LEFT, **settings)

    return _PdfStyles(
        body=style("body", 9.5),
        small=style("small", 8, MUTED),
        kicker=style("kicker", 9, MUTED),
        title=style("title", 18, leading=25, spaceBefore=2, spaceAfter=6),
        h2=style("h2", 13, colors.HexColor("#1f3b5c"), spaceBefore=10, spaceAfter=4),
        lead=style("lead", 9, MUTED, spaceAfter=4),
        bullet=style("bullet", 10.5, leftIndent=12, bulletIndent=2, spaceAfter=2,
                     bulletFontName=font.name),
        cell=style("cell", 8, leading=11),
        tile_label=style("tile_label", 7.5, MUTED, leading=10),
        tile_value=style("tile_value", 13, leading=17),
        tile_none=style("tile_none", 9, MUTED, leading=17),
    )


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(xml_escape(text), style)


def _pdf_grid(table: TableSpec, font: ReportFont,
              styles: _PdfStyles) -> tuple[list[Flowable], float]:
    """A table with its caption above it, and the width it takes."""
    size = 8
    rows = [table.header, *table.rows, *([table.total] if table.total else [])]
    natural = [max(stringWidth(row[i], font.name, size) for row in rows) + 12
               for i in range(len(table.header))]
    widths = list(natural)
    if sum(widths) > CHART_WIDTH:      # wrap the text columns, keep numbers on one line
        fixed = sum(w for w, num in zip(widths, table.numeric, strict=True) if num)
        text_total = sum(w for w, num in zip(widths, table.numeric, strict=True) if not num)
        room = max(CHART_WIDTH - fixed, 60.0)
        widths = [w if num else w * room / text_total
                  for w, num in zip(widths, table.numeric, strict=True)]
    data: list[list[Any]] = []
    for r, row in enumerate(rows):
        data.append([cell if table.numeric[i] or r == 0 else _p(cell, styles.cell)
                     for i, cell in enumerate(row)])
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), font.name, size),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), PANEL),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
    ]
    for i, num in enumerate(table.numeric):
        if num:
            commands.append(("ALIGN", (i, 0), (i, -1), "RIGHT"))
    if table.total:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 1, INK))
    grid = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT", style=TableStyle(commands))
    width = max(sum(widths), stringWidth(table.caption, font.name, styles.small.fontSize))
    return [_p(table.caption, styles.small), grid], width


def _pdf_tables(tables: Sequence[TableSpec], font: ReportFont, styles: _PdfStyles,
                keep: bool = True) -> list[Flowable]:
    """Tables in reading order, side by side while they fit the page width (as the HTML
    lays them out); a lone table is kept with its caption and may split, header repeated."""
    out: list[Flowable] = []
    row: list[tuple[list[Flowable], float]] = []

    def flush() -> None:
        if len(row) == 1:
            parts = [*row[0][0], Spacer(1, 8)]
            out.extend([KeepTogether(parts)] if keep else parts)
        elif row:
            widths = [w + TABLE_GAP for _, w in row[:-1]] + [row[-1][1]]
            out.append(Table([[parts for parts, _ in row]], colWidths=widths, hAlign="LEFT",
                             style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                               ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                               ("TOPPADDING", (0, 0), (-1, -1), 0),
                                               ("BOTTOMPADDING", (0, 0), (-1, -1), 0)])))
            out.append(Spacer(1, 8))
        row.clear()

    for table in tables:
        parts, width = _pdf_grid(table, font, styles)
        used = sum(w for _, w in row) + TABLE_GAP * len(row)
        if row and used + width > CHART_WIDTH:
            flush()
        row.append((parts, width))
    flush()
    return out


def _tiles_table(doc: ReportDocument, styles: _PdfStyles) -> Table:
    cells = [[_p(t.label, styles.tile_label),
              _p(t.value, styles.tile_none if t.missing else styles.tile_value),
              _p(t.note, styles.tile_label)] for t in doc.tiles]
    rows = [cells[i:i + 4] for i in range(0, len(cells), 4)]
    width = CHART_WIDTH / 4
    return Table(rows, colWidths=[width] * 4, hAlign="LEFT", style=TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), PANEL),
        ("BOX", (0, 0), (-1, -1), 0.5, GRID),
        ("INNERGRID", (0, 0), (-1, -1), 3, colors.white),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
    ]))


def _pdf_date(moment: datetime) -> str:
    """A PDF date (D:YYYYMMDDHHmmSS+09'00') of an aware datetime, in its own offset."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return moment.strftime("D:%Y%m%d%H%M%S") + f"{sign}{hours:02d}'{mins:02d}'"


def _footer_canvas(font: ReportFont, footer: str,
                   created: datetime) -> Callable[..., pdf_canvas.Canvas]:
    """A canvas class that writes "footer — page n / N" on every page (two passes) and
    dates the document when the report was generated, not when it was drawn."""
    stamp = _pdf_date(created)

    class NumberedCanvas(pdf_canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self.setDateFormatter(lambda *_: stamp)

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                width = self._pagesize[0]
                self.setFont(font.name, 7.5)
                self.setFillColor(MUTED)
                self.setStrokeColor(GRID)
                self.line(PAGE_MARGIN, 30, width - PAGE_MARGIN, 30)
                room = width - 2 * PAGE_MARGIN - 70      # leave the page number its place
                self.drawString(PAGE_MARGIN, 20, _fit(footer, font, 7.5, room))
                self.drawRightString(width - PAGE_MARGIN, 20, f"{number} / {total} ページ")
                super().showPage()
            super().save()

    return NumberedCanvas


def render_pdf(report: MonthlyReport, path: str | Path | BinaryIO,
               font: ReportFont | None = None) -> None:
    """Write the report as an A4 PDF (same sections, charts and tables as the HTML).

    ``path`` is a file name or a binary file object. Output is byte-for-byte repeatable
    for the same report: the PDF is dated ``generated_at`` and has no random id.
    """
    doc = build_document(report, font)
    styles = _styles(doc.font)
    target = str(path) if isinstance(path, Path) else path
    pdf = SimpleDocTemplate(
        target, pagesize=A4, leftMargin=PAGE_MARGIN, rightMargin=PAGE_MARGIN,
        topMargin=36, bottomMargin=44, title=doc.title, author="Madoguchi",
        subject=f"{REPORT_TITLE_EN}: {report.agreement_name} ({report.agreement_id}), "
                f"{report.month}",
        creator="Madoguchi projections", keywords=["SLA", "ISO/IEC 20000-1", report.month],
        lang="ja-JP", invariant=1)
    story: list[Flowable] = [
        _p(f"{REPORT_TITLE} / {REPORT_TITLE_EN}", styles.kicker),
        _p(f"{doc.agreement_line} — {report.month_label}", styles.title),
    ]
    story.append(Table([[_p(k, styles.small), _p(v, styles.small)] for k, v in doc.facts],
                       colWidths=[110, CHART_WIDTH - 110], hAlign="LEFT",
                       style=TableStyle([("TOPPADDING", (0, 0), (-1, -1), 0),
                                         ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                                         ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                         ("LINEBELOW", (0, -1), (-1, -1), 1.5,
                                          colors.HexColor("#2b6cb0"))])))
    story.append(Spacer(1, 10))
    story.append(_p("要点 / Summary", styles.h2))
    story += [Paragraph(xml_escape(s), styles.bullet, bulletText="•") for s in doc.headline]
    story.append(Spacer(1, 8))
    story.append(_tiles_table(doc, styles))
    for section in doc.sections:
        head: list[Flowable] = [_p(section.heading, styles.h2)]
        if section.lead:
            head.append(_p(section.lead, styles.lead))
        head += _pdf_tables(section.intro_tables, doc.font, styles, keep=False)
        if section.chart is not None:
            head.append(section.chart)
            head.append(Spacer(1, 4))
        story.append(CondPageBreak(120))
        story.append(KeepTogether(head))
        story += _pdf_tables(section.tables, doc.font, styles)
        if section.chart is None and not section.tables and not section.intro_tables:
            story.append(_p(NO_DATA, styles.lead))
    story.append(CondPageBreak(160))
    story.append(_p("定義 / Definitions", styles.h2))
    for term, text in doc.definitions:
        story.append(Paragraph(f'<font color="#1f3b5c">{xml_escape(term)}</font>：'
                               f"{xml_escape(text)}", styles.small))
    footer = f"{REPORT_TITLE} — {report.agreement_name} — {report.month_label}"
    created = report.generated_at.astimezone(ZoneInfo(report.time_zone))
    pdf.build(story, canvasmaker=_footer_canvas(doc.font, footer, created))
