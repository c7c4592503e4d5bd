"""The report as a PDF (A4), the same document as the HTML; the report font embedded when
it is a TrueType font, else the CID font every reader has."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

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

from services.projections.adapters.reports.charts import CHART_WIDTH, GRID, INK, MUTED, PANEL, fit
from services.projections.adapters.reports.document import (
    PAGE_MARGIN,
    REPORT_TITLE,
    REPORT_TITLE_EN,
    TABLE_GAP,
    ReportDocument,
    TableSpec,
    build_document,
)
from services.projections.adapters.reports.fonts import ReportFont
from services.projections.domain.monthly_report import (
    NO_DATA,
    MonthlyReport,
)

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
                self.drawString(PAGE_MARGIN, 20, fit(footer, font, 7.5, room))
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
