"""The report's charts as ``reportlab.graphics`` drawings: one definition for SVG and PDF."""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from datetime import date
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from services.projections.adapters.reports.fonts import ReportFont
from services.projections.domain.monthly_report import (
    NO_DATA,
    BreachCause,
    MonthlyReport,
    fmt_hours,
    fmt_percent,
    fmt_target,
    target_label,
)

CHART_WIDTH = 510.0     # whole points (an SVG viewBox is whole), within A4's frame of 511.3
MAX_CAUSE_BARS = 10
MAX_SUPPLIER_SEGMENTS = 5

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


def fit(text: str, font: ReportFont, size: float, width: float) -> str:
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
    days = month_days(report.month)
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
    chart.categoryAxis.categoryNames = [month_short(m) for m in months]
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
    causes = [b for b in sorted_causes(report.breaches_by_cause) if b.breaches]
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
    labels = [fit(label, font, size, label_width - 8) for label, _ in shown]
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
        d.add(_text(lx + 12, ly + 0.5, fit(f"{label}  {fmt_hours(seconds)}", font, 8,
                                            column - 20), font, 8))
    return d


def month_days(month: str) -> list[str]:
    year, mon = (int(p) for p in month.split("-"))
    last = calendar.monthrange(year, mon)[1]
    return [f"{month}-{d:02d}" for d in range(1, last + 1)]


def month_short(month: str) -> str:
    year, mon = month.split("-")
    return f"{int(year)}年{int(mon)}月"


def sorted_causes(causes: Sequence[BreachCause]) -> list[BreachCause]:
    return sorted(causes, key=lambda b: (-b.breaches, -b.late_seconds, b.cause, b.detail))
