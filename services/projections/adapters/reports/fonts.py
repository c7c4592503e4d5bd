"""The Japanese font of the monthly report's PDF and charts.

A PDF that names a font without embedding it shows Japanese only where the reader has a
matching font (Acrobat downloads one; many viewers substitute badly), so a TrueType
Japanese font installed on the machine is embedded (subset) when one is found:
``MADOGUCHI_REPORT_FONT`` (a .ttf/.ttc file) first, then the usual install paths of
IPAex/IPA/Takao/VL Gothic and Windows' MS Gothic. Without any, reportlab's built-in CID
font ``HeiseiKakuGo-W5`` is used: it needs no file but is not embedded.

OpenType fonts with PostScript (CFF) outlines, such as Noto Sans CJK, cannot be embedded
by reportlab and are skipped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

FONT_ENV = "MADOGUCHI_REPORT_FONT"
CID_FALLBACK = "HeiseiKakuGo-W5"
# Characters every candidate must have: kana, common kanji, the full-width symbols used.
_PROBE = "窓口あア株式会社達成率（）・／"

CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/truetype/takao-gothic/TakaoGothic.ttf",
    "/usr/share/fonts/truetype/vlgothic/VL-Gothic-Regular.ttf",
    "/usr/share/fonts/ipaexg.ttf",
    "/Library/Fonts/ipaexg.ttf",
    "C:/Windows/Fonts/msgothic.ttc",
)

# What browsers try for the HTML (the SVG charts name the PDF font first).
CSS_FONT_STACK = ('"IPAexGothic", "Hiragino Sans", "Hiragino Kaku Gothic ProN", '
                  '"Yu Gothic", "YuGothic", "Meiryo", "Noto Sans JP", "Noto Sans CJK JP", '
                  'sans-serif')


@dataclass(frozen=True)
class ReportFont:
    """The registered font: ``name`` is what reportlab styles and charts use.

    ``pdf_name`` is how the PDF's font dictionary names it (the PostScript name of an
    embedded font, else the CID font's name); ``path`` is None for the CID fallback.
    """

    name: str
    pdf_name: str
    embedded: bool
    path: str | None


class FontNotUsable(ValueError):
    """``MADOGUCHI_REPORT_FONT`` names a file that is missing or lacks Japanese glyphs."""


def _load_ttf(path: Path) -> TTFont:
    """Load a TrueType font (first face of a collection) that covers the probe text."""
    font = TTFont(f"MadoguchiJP-{path.stem}", str(path), subfontIndex=0)
    missing = [ch for ch in _PROBE if ord(ch) not in font.face.charToGlyph]
    if missing:
        raise TTFError(f"{path} has no glyph for {''.join(missing)!r}")
    return font


def _register_ttf(font: TTFont, path: Path) -> ReportFont:
    if font.fontName not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(font)
    ps_name = font.face.name
    ps_text = ps_name.decode("latin-1") if isinstance(ps_name, bytes) else str(ps_name)
    return ReportFont(name=font.fontName, pdf_name=ps_text, embedded=True, path=str(path))


def cid_font() -> ReportFont:
    """The built-in, non-embedded Japanese CID font (always available)."""
    if CID_FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return ReportFont(name=CID_FALLBACK, pdf_name=CID_FALLBACK, embedded=False, path=None)


def find_font(env: dict[str, str] | None = None,
              candidates: tuple[str, ...] = CANDIDATES) -> ReportFont:
    """Register and return the report font (see the module doc for the order).

    A ``MADOGUCHI_REPORT_FONT`` that cannot be used is an error rather than a silent
    fallback: whoever set it expects that font in the customer's report.
    """
    environ = os.environ if env is None else env
    chosen = environ.get(FONT_ENV, "").strip()
    if chosen:
        path = Path(chosen).expanduser()
        try:
            return _register_ttf(_load_ttf(path), path)
        except (OSError, TTFError) as error:
            raise FontNotUsable(f"{FONT_ENV}={chosen}: {error}") from error
    for candidate in candidates:
        path = Path(candidate)
        if not path.is_file():
            continue
        try:
            return _register_ttf(_load_ttf(path), path)
        except (OSError, TTFError):
            continue   # e.g. CFF outlines or no Japanese glyphs: try the next one
    return cid_font()


@lru_cache(maxsize=1)
def report_font() -> ReportFont:
    """The font of this process's reports, looked up once."""
    return find_font()
