"""Render a ``MonthlyReport`` as one self-contained HTML file and as a PDF of the same.

Both outputs come from one description of the report (``build_document``): the same
sections, tables and ``reportlab.graphics`` drawings. A drawing is written to SVG for the
HTML (inline, no script, no network) and placed as a flowable in the PDF, so a chart is
defined once and both readers see the same picture. Charts and text use the report font
(``fonts``); the HTML names it first in its CSS font stack.
"""
