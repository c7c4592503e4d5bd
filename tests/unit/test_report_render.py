"""The monthly service level report: its headline, HTML (inline SVG charts) and PDF.

The report is what the customer reads (ISO/IEC 20000-1 8.3.2): it must show every
section with its numbers, keep Japanese names intact, need nothing from the network,
and render an empty month as "no data" rather than fail.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.projections.adapters.reports import fonts as report_fonts
from services.projections.adapters.reports.document import build_document, document_title
from services.projections.adapters.reports.fonts import FontNotUsable, ReportFont
from services.projections.adapters.reports.html import render_html
from services.projections.adapters.reports.pdf import render_pdf
from services.projections.domain.monthly_report import (
    NO_DATA,
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
    fmt_duration,
    headline,
)

SVG_NS = "{http://www.w3.org/2000/svg}"
AGREEMENT = "住民窓口 標準サービスレベル合意"
KAMOME = "株式会社かもめコールセンター"
SECTIONS = ("volume", "compliance", "breaches", "satisfaction", "suppliers")


def sample_report(**changes: object) -> MonthlyReport:
    """A realistic November of a municipal contact centre, with Japanese names."""
    days = [DayVolume(f"2026-11-{d:02d}", 30 + (d * 7) % 23, 28 + (d * 5) % 21)
            for d in range(1, 31)]
    report = MonthlyReport(
        agreement_id="AGR-JUMIN-01",
        agreement_name=AGREEMENT,
        month="2026-11",
        time_zone="Asia/Tokyo",
        generated_at=datetime(2026, 12, 1, 0, 30, tzinfo=UTC),
        source_note="読み取りモデル g3、2026-12-01 09:00 JST 時点",
        volume_by_day=days,
        channels=[ChannelVolume("PHONE", 713), ChannelVolume("EMAIL", 214),
                  ChannelVolume("WEB_FORM", 176), ChannelVolume("WALK_IN", 131)],
        compliance_by_target=[
            TargetCompliance("FIRST_RESPONSE", 962, 38, 96.2, 95.0),
            TargetCompliance("RESOLUTION", 880, 120, 88.0, 90.0),
        ],
        compliance_trend=[
            TrendPoint(month, target, value)
            for month, fr, res in (("2026-06", 94.1, 90.5), ("2026-07", 95.3, 91.0),
                                   ("2026-08", None, None), ("2026-09", 96.0, 89.2),
                                   ("2026-10", 95.8, 90.1), ("2026-11", 96.2, 88.0))
            for target, value in (("FIRST_RESPONSE", fr), ("RESOLUTION", res))
        ],
        breaches_by_cause=[
            BreachCause("SUPPLIER", "SUP-KAMOME", 61, 61 * 5400),
            BreachCause("DEPARTMENT", "市民課（住民票・戸籍）", 40, 40 * 2700),
            BreachCause("DEPARTMENT", "税務課", 35, 35 * 1800),
            BreachCause("DESK", "窓口 A チーム", 22, 22 * 1200),
        ],
        satisfaction=Satisfaction(responses=212, mean=8.12, share_10_percent=31.6,
                                  distribution=[2, 1, 1, 3, 4, 8, 10, 22, 46, 48, 67]),
        supplier_share=SupplierShare(
            total_late_seconds=61 * 5400 + 40 * 2700 + 35 * 1800 + 22 * 1200,
            supplier_late_seconds=250_000,
            by_supplier=[SupplierLate("SUP-KAMOME", KAMOME, 210_000),
                         SupplierLate("SUP-NET", "みなとネットワーク保守", 40_000)]),
        kpis=KeyFigures(received=1234, completion_rate_percent=72.5, answer_rate_percent=93.4,
                        escalation_rate_percent=11.2, reopen_rate_percent=2.1,
                        first_response_median_seconds=754.0,
                        resolution_median_seconds=26_730.0, complaints=9),
        what_if=WhatIfComparison("解決目標を 8 時間から 10 時間に延ばした場合",
                       [WhatIfComparisonRow("FIRST_RESPONSE", 96.2, 96.2),
                        WhatIfComparisonRow("RESOLUTION", 88.0, 93.1)]),
    )
    return replace(report, **changes) if changes else report


def empty_report() -> MonthlyReport:
    return MonthlyReport(agreement_id="AGR-EMPTY", agreement_name="夜間窓口 SLA",
                         month="2027-02", time_zone="Asia/Tokyo",
                         generated_at=datetime(2027, 3, 1, 0, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
def font() -> ReportFont:
    return report_fonts.report_font()


@pytest.fixture(scope="module")
def sample_html(font: ReportFont) -> str:
    return render_html(sample_report(), font)


def _svgs(page: str) -> list[ET.Element]:
    blocks = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    return [ET.fromstring(block) for block in blocks]


def _pdf_bytes(report: MonthlyReport, font: ReportFont) -> bytes:
    buffer = io.BytesIO()
    render_pdf(report, buffer, font)
    return buffer.getvalue()


def _info(pdf: bytes, key: str) -> str:
    """A document info string: a PDF literal, UTF-16BE with a BOM when not ASCII."""
    found = re.search(rb"/" + key.encode() + rb" \((.*?)(?<!\\)\)", pdf, flags=re.S)
    assert found, f"no /{key} in the PDF"
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def unescape(m: re.Match[bytes]) -> bytes:
        code = m.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8)])
        return escapes.get(code, code)

    raw = re.sub(rb"\\([0-7]{1,3}|.)", unescape, found.group(1), flags=re.S)
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def _page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


# --- the data contract and the headline --------------------------------------------------

def test_lists_are_stored_as_tuples_so_a_report_is_immutable() -> None:
    report = sample_report()
    assert isinstance(report.volume_by_day, tuple)
    assert isinstance(report.satisfaction.distribution, tuple)
    assert report.received_total == sum(d.received for d in report.volume_by_day)


@pytest.mark.parametrize("bad", [
    {"month": "2026-13"},
    {"generated_at": datetime(2026, 12, 1)},
    {"volume_by_day": [DayVolume("2026-10-31", 1, 1)]},
])
def test_inconsistent_reports_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        sample_report(**bad)


def test_satisfaction_needs_one_count_per_score() -> None:
    with pytest.raises(ValueError, match="11 counts"):
        Satisfaction(responses=3, mean=5.0, share_10_percent=0.0, distribution=[1, 2])


def test_headline_says_volume_targets_and_main_cause_in_few_sentences() -> None:
    sentences = headline(sample_report())
    assert 2 <= len(sentences) <= 4
    text = "".join(sentences)
    assert "受付は 1,234 件" in text
    # The missed target comes first: that is what a manager acts on.
    assert sentences[1] == "解決の達成率は 88.0 %（目標 90 %）で、目標を 2.0 ポイント下回りました。"
    assert "初回応答の達成率は 96.2 %（目標 95 %）で、目標を達成しました。" in sentences
    assert "「サプライヤー（株式会社かもめコールセンター）」（61 件）" in text
    assert "SLA 違反は 158 件" in text and "超過時間の 47 % はサプライヤー" in text
    assert all(s.endswith("。") for s in sentences)


def test_headline_of_an_empty_month_says_there_was_nothing() -> None:
    sentences = headline(empty_report())
    assert 2 <= len(sentences) <= 4
    assert "受付はありませんでした" in sentences[0]


def test_headline_without_breaches_says_so() -> None:
    report = sample_report(breaches_by_cause=[], supplier_share=SupplierShare())
    assert "SLA 違反はありませんでした。" in headline(report)


@pytest.mark.parametrize(("seconds", "text"), [
    (None, NO_DATA), (45, "45 秒"), (754, "12 分"), (26_730, "7 時間 25 分"),
    (200_000, "55 時間 33 分"),
])
def test_durations_read_naturally(seconds: float | None, text: str) -> None:
    assert fmt_duration(seconds) == text


# --- HTML ---------------------------------------------------------------------------------

def test_html_is_a_japanese_page_with_title_block_headline_and_tiles(sample_html: str) -> None:
    assert sample_html.startswith("<!DOCTYPE html>")
    assert '<html lang="ja">' in sample_html and '<meta charset="utf-8">' in sample_html
    assert f"<title>{document_title(sample_report())}</title>" in sample_html
    assert "2026-12-01 09:30 JST" in sample_html           # generated at, shown in JST
    for sentence in headline(sample_report()):
        assert sentence in sample_html
    for label in ("受付件数", "一次完結率", "応答率", "初回応答 中央値", "苦情件数"):
        assert label in sample_html
    assert "72.5 %" in sample_html and "12 分" in sample_html


def test_html_has_every_section_with_a_valid_svg_chart_and_its_numbers(
        sample_html: str) -> None:
    for key in (*SECTIONS, "what-if", "definitions"):
        assert f'id="{key}"' in sample_html
    svgs = _svgs(sample_html)
    assert len(svgs) == len(SECTIONS)
    for svg in svgs:
        assert svg.tag == f"{SVG_NS}svg"
        assert svg.get("viewBox")
        assert svg.find(f"{SVG_NS}title") is not None
    ids = re.findall(r'\bid="([^"]+)"', sample_html)
    assert len(ids) == len(set(ids)), "ids (and clip paths) must be unique in the page"
    # Numbers under the charts.
    for number in ("962", "88.0 %", "93.1 %", "+5.1 pt", "67", "1,234"):
        assert number in sample_html
    assert "11/1（日）" in sample_html                     # daily table with weekdays


def test_chart_labels_are_japanese_and_in_the_report_font(sample_html: str,
                                                          font: ReportFont) -> None:
    texts = [t for svg in _svgs(sample_html) for t in svg.iter(f"{SVG_NS}text")]
    words = {t.text for t in texts}
    assert "受付 / received" in words
    # The supplier's id is shown by its name.
    assert any(w and w.startswith("サプライヤー（株式会社かもめ") for w in words)
    assert any(w and w.startswith(KAMOME) for w in words)        # supplier legend
    assert all("IPAexGothic" in (t.get("style") or "") or "sans-serif" in (t.get("style") or "")
               for t in texts)
    assert font.name not in {"Helvetica", "Times-Roman"}


def test_html_needs_no_network_and_no_script(sample_html: str) -> None:
    lowered = sample_html.lower()
    assert "<script" not in lowered and "javascript:" not in lowered
    assert "@import" not in lowered and "<link" not in lowered
    urls = set(re.findall(r"(?:https?:)?//[^\s\"'<>)]+", sample_html))
    assert urls <= {"http://www.w3.org/2000/svg"}         # the SVG namespace only


def test_html_keeps_japanese_text_intact(sample_html: str) -> None:
    for text in (AGREEMENT, KAMOME, "みなとネットワーク保守", "市民課（住民票・戸籍）",
                 "解決目標を 8 時間から 10 時間に延ばした場合", "定義 / Definitions"):
        assert text in sample_html
    sample_html.encode("utf-8")


def test_html_escapes_names_that_look_like_markup(font: ReportFont) -> None:
    page = render_html(sample_report(agreement_name="<b>A&B</b> 窓口"), font)
    assert "&lt;b&gt;A&amp;B&lt;/b&gt; 窓口" in page and "<b>A&B</b>" not in page


def test_empty_month_renders_html_with_no_data_everywhere(font: ReportFont) -> None:
    page = render_html(empty_report(), font)
    for key in SECTIONS:
        assert f'id="{key}"' in page
    assert page.count(NO_DATA) >= len(SECTIONS)
    assert 'id="what-if"' not in page
    for svg in _svgs(page):
        assert svg.tag == f"{SVG_NS}svg"


def test_one_document_feeds_both_outputs(font: ReportFont) -> None:
    doc = build_document(sample_report(), font)
    assert [s.key for s in doc.sections] == [*SECTIONS, "what-if"]
    assert all(s.chart is not None for s in doc.sections[:5])


# --- PDF ----------------------------------------------------------------------------------

def test_pdf_has_pages_page_numbers_metadata_and_the_japanese_font(font: ReportFont,
                                                                    tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    render_pdf(sample_report(), target, font)
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert _page_count(pdf) >= 2
    assert font.pdf_name.encode() in pdf
    if font.embedded:
        assert b"/FontFile2" in pdf
    # The title names the agreement and the month.
    assert _info(pdf, "Title") == document_title(sample_report())
    assert AGREEMENT in _info(pdf, "Title") and "2026年11月" in _info(pdf, "Title")
    assert "AGR-JUMIN-01" in _info(pdf, "Subject")
    assert _info(pdf, "CreationDate") == "D:20261201093000+09'00'"    # generated_at, JST
    assert b"/Lang (ja-JP)" in pdf


def test_pdf_text_is_readable_when_pypdf_is_installed(font: ReportFont) -> None:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(_pdf_bytes(sample_report(), font)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert AGREEMENT in text and KAMOME in text
    assert f"1 / {len(reader.pages)}" in text
    assert AGREEMENT in reader.metadata.title


def test_pdf_is_repeatable(font: ReportFont) -> None:
    assert _pdf_bytes(sample_report(), font) == _pdf_bytes(sample_report(), font)


def test_empty_month_renders_a_pdf(font: ReportFont) -> None:
    pdf = _pdf_bytes(empty_report(), font)
    assert pdf.startswith(b"%PDF-") and _page_count(pdf) >= 1


# --- fonts --------------------------------------------------------------------------------

def test_without_a_truetype_font_the_builtin_cid_font_is_used() -> None:
    chosen = report_fonts.find_font(env={}, candidates=())
    assert chosen == ReportFont("HeiseiKakuGo-W5", "HeiseiKakuGo-W5", False, None)
    pdf = _pdf_bytes(sample_report(), chosen)
    assert b"HeiseiKakuGo-W5" in pdf and b"/FontFile2" not in pdf


def test_a_font_named_by_the_environment_must_be_usable(tmp_path: Path) -> None:
    with pytest.raises(FontNotUsable):
        report_fonts.find_font(env={report_fonts.FONT_ENV: str(tmp_path / "none.ttf")})
    latin_only = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if latin_only.is_file():
        with pytest.raises(FontNotUsable, match="no glyph"):
            report_fonts.find_font(env={report_fonts.FONT_ENV: str(latin_only)})


def test_an_installed_japanese_truetype_font_is_embedded() -> None:
    installed = [c for c in report_fonts.CANDIDATES if Path(c).is_file()]
    if not installed:
        pytest.skip("no Japanese TrueType font installed here (e.g. fonts-ipaexfont-gothic)")
    chosen = report_fonts.find_font(env={report_fonts.FONT_ENV: installed[0]})
    assert chosen.embedded and chosen.path == installed[0]
    pdf = _pdf_bytes(sample_report(), chosen)
    assert b"/FontFile2" in pdf and chosen.pdf_name.encode() in pdf


# --- odd months render too -------------------------------------------------------------------

def _odd_months() -> list[MonthlyReport]:
    base = sample_report()
    many_causes = [BreachCause(f"CAUSE_{i}", f"詳細{i}" * (i % 4), i + 1, (i + 1) * 600)
                   for i in range(15)]
    return [
        # February, one day of data, one month of trend, no targets agreed.
        replace(empty_report(), volume_by_day=[DayVolume("2027-02-28", 3, 0)],
                compliance_by_target=[TargetCompliance("FIRST_RESPONSE", 2, 1, 66.7)],
                compliance_trend=[TrendPoint("2027-02", "FIRST_RESPONSE", 66.7)]),
        # Every target at 100 %, a target the renderer does not know, no breaches at all.
        replace(base, compliance_by_target=[TargetCompliance("FIRST_RESPONSE", 5, 0, 100.0, 99.5),
                                            TargetCompliance("CALLBACK", 3, 0, 100.0, 90.0)],
                compliance_trend=[TrendPoint("2026-11", "CALLBACK", 100.0)],
                breaches_by_cause=[], supplier_share=SupplierShare(),
                what_if=WhatIfComparison("空", [])),
        # Many causes, breach time all the desk's own, answers but only one score used.
        replace(base, breaches_by_cause=many_causes,
                supplier_share=SupplierShare(total_late_seconds=9000),
                satisfaction=Satisfaction(4, 10.0, 100.0, [0] * 10 + [4])),
        # Names with markup characters and very long Japanese text.
        replace(base, agreement_name="長い名前の合意" * 20,
                breaches_by_cause=[BreachCause("SUPPLIER", "A&B <株式会社>" * 8, 3, 60)]),
    ]


@pytest.mark.parametrize("report", _odd_months(), ids=["february", "all-met", "many", "long"])
def test_odd_months_render_both_outputs(report: MonthlyReport, font: ReportFont) -> None:
    page = render_html(report, font)
    for svg in _svgs(page):
        assert svg.tag == f"{SVG_NS}svg"
    pdf = _pdf_bytes(report, font)
    assert pdf.startswith(b"%PDF-") and _page_count(pdf) >= 1
    assert 2 <= len(headline(report)) <= 4


def test_a_month_without_data_is_a_gap_in_the_trend_not_a_line(font: ReportFont) -> None:
    doc = build_document(sample_report(), font)
    chart = next(s.chart for s in doc.sections if s.key == "compliance")
    line_chart = next(c for c in chart.contents if hasattr(c, "joinedLines"))
    # Two targets, each split at August: four runs.
    assert len(line_chart.data) == 4
