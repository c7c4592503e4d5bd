"""The report as one self-contained HTML page: inline SVG charts, no script, no network."""

from __future__ import annotations

import html
from collections.abc import Sequence

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Drawing

from services.projections.adapters.reports.document import (
    REPORT_TITLE,
    REPORT_TITLE_EN,
    TableSpec,
    build_document,
)
from services.projections.adapters.reports.fonts import CSS_FONT_STACK, ReportFont
from services.projections.domain.monthly_report import (
    NO_DATA,
    MonthlyReport,
)

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


