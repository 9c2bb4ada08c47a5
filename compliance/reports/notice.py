"""Rectification notices (整改通知书) rendered: PDF, or HTML when the PDF cannot be built, one file per car
park failing a verified clause (what a notice says is :mod:`compliance.reports.notice_text`).

PDF through reportlab with the CJK font shipped in ``compliance/reports/fonts`` (a subset of Noto Sans CJK
SC, OFL), embedded in every PDF: nothing depends on the fonts of the machine. If reportlab cannot build the
PDF the same notice is written as HTML, so an inspector always gets a document.
"""

from __future__ import annotations

import html
import io
import logging
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path

from compliance.evaluate import CarParkResult
from compliance.reports.notice_text import NoticeConfig, NoticeText, issuable, notice_text

log = logging.getLogger(__name__)

FONT_NAME = "XJNoticeSans"
FONT_FILE = Path(__file__).parent / "fonts" / "NoticeSans.ttf"


# Rendering -------------------------------------------------------------------------------------------


@cache
def _font_characters() -> frozenset[int]:
    from reportlab.pdfbase.ttfonts import TTFontFile

    return frozenset(TTFontFile(str(FONT_FILE)).charToGlyph)


def unsupported_characters(text: NoticeText) -> str:
    """Characters of the notice the shipped font subset lacks (printed as blanks): to check by hand."""
    have = _font_characters()
    return "".join(sorted({ch for ch in text.all_text() if ord(ch) not in have and not ch.isspace()}))


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_FILE)))


def _pdf(text: NoticeText) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    body = ParagraphStyle(
        "body",
        fontName=FONT_NAME,
        bulletFontName=FONT_NAME,
        fontSize=11,
        leading=19,
        wordWrap="CJK",
        firstLineIndent=22,
    )
    plain = ParagraphStyle("plain", parent=body, firstLineIndent=0)
    small = ParagraphStyle("small", parent=plain, fontSize=9, leading=13)
    head = ParagraphStyle("head", parent=plain, fontSize=16, leading=24, alignment=1)
    title = ParagraphStyle("title", parent=plain, fontSize=22, leading=32, alignment=1)
    right = ParagraphStyle("right", parent=plain, alignment=2)

    def p(s: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(html.escape(s), style)

    story = [p(text.authority, head), p(text.title, title), p(text.number, right), Spacer(1, 5 * mm)]
    story += [p(text.addressee, plain), p(text.intro), Spacer(1, 2 * mm)]
    table = Table(
        [[p(h, small) for h in text.table_head]] + [[p(c, small) for c in row] for row in text.table_rows],
        colWidths=[12 * mm, 50 * mm, 34 * mm, 30 * mm, 12 * mm, 36 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),  # else the table declares Helvetica
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [table, Spacer(1, 3 * mm), p(text.paragraphs[0])]
    story += [p(b, ParagraphStyle("basis", parent=body, fontSize=10, leading=16)) for b in text.basis]
    story += [p(par) for par in text.paragraphs[1:]]
    story += [p(text.objection), Spacer(1, 5 * mm)]
    # Inspectors, seal and receipt stay on one page: a receipt line alone on a last page is no notice.
    closing = [p(text.inspectors, plain), Spacer(1, 10 * mm), *(p(line, right) for line in text.signature)]
    closing += [Spacer(1, 8 * mm), *(p(line, plain) for line in text.receipt)]
    story.append(KeepTogether(closing))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{text.title} {text.number}",
        invariant=1,
        initialFontName=FONT_NAME,  # else reportlab declares Helvetica, a font it never embeds
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(story)
    return buffer.getvalue()


def _html(text: NoticeText, lang: str) -> bytes:
    e = html.escape
    rows = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in text.table_rows)
    table_head = "".join(f"<th>{e(h)}</th>" for h in text.table_head)
    paras = [text.paragraphs[0], *text.basis, *text.paragraphs[1:], text.objection, text.inspectors]
    doc = (
        f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f"<title>{e(text.title)} {e(text.number)}</title>"
        "<style>body{font-family:serif;max-width:45em;margin:2em auto}"
        ".c{text-align:center}.r{text-align:right}"
        "td,th{border:1px solid #000;padding:.3em}table{border-collapse:collapse}</style></head><body>"
        f"<p class='c'>{e(text.authority)}</p><h1 class='c'>{e(text.title)}</h1>"
        f"<p class='r'>{e(text.number)}</p>"
        f"<p>{e(text.addressee)}</p><p>{e(text.intro)}</p><table><tr>{table_head}</tr>{rows}</table>"
        + "".join(f"<p>{e(par)}</p>" for par in paras)
        + "".join(f"<p class='r'>{e(line)}</p>" for line in text.signature)
        + "".join(f"<p>{e(line)}</p>" for line in text.receipt)
        + "</body></html>"
    )
    return doc.encode("utf-8")


def render_notice(
    result: CarParkResult,
    lang: str = "zh",
    issued: date | None = None,
    config: NoticeConfig | None = None,
    fmt: str = "pdf",
    *,
    number: int | None = None,
    inspected_on: date | None = None,
) -> tuple[bytes, str]:
    """The notice as ``(content, extension)``: PDF, or HTML when asked or when the PDF cannot be built."""
    text = notice_text(result, lang, issued or date.today(), config, number=number, inspected_on=inspected_on)
    lacking = unsupported_characters(text)
    if lacking:
        log.warning("notice %s: characters outside the shipped font: %s", result.car_park.id, lacking)
    if fmt == "pdf":
        try:
            return _pdf(text), "pdf"
        except Exception:  # reportlab missing or unable to render: fall back, never lose the notice
            log.exception("notice %s: PDF rendering failed, writing HTML instead", result.car_park.id)
    return _html(text, lang), "html"


def write_notices(
    results: Iterable[CarParkResult],
    out_dir: Path,
    lang: str = "zh",
    issued: date | None = None,
    config: NoticeConfig | None = None,
    fmt: str = "pdf",
) -> list[Path]:
    """One notice per car park failing a verified clause, numbered in order from ``first_number``."""
    config = config or NoticeConfig()
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    n = config.first_number
    for result in results:
        if not issuable(result):
            continue
        content, ext = render_notice(result, lang, issued, config, fmt, number=n)
        n += 1
        safe_id = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in result.car_park.id)
        path = (
            out_dir / f"整改通知书_{safe_id}.{ext}" if lang == "zh" else out_dir / f"notice_{safe_id}.{ext}"
        )
        path.write_bytes(content)
        paths.append(path)
    return paths


__all__ = ["render_notice", "unsupported_characters", "write_notices"]
