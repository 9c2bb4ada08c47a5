"""Rectification notices (整改通知书): one printable document per non-compliant car park.

PDF through reportlab with its built-in CID font ``STSong-Light`` (no font file to ship); if reportlab
cannot build the PDF the same notice is written as HTML, so an inspector always gets a document.
"""

from __future__ import annotations

import html
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from compliance.errors import NoticeError
from compliance.evaluate import CarParkResult, Status, Verdict
from compliance.explain import formula, provided_text
from compliance.labels import label

log = logging.getLogger(__name__)
CJK_FONT = "STSong-Light"


@dataclass(frozen=True)
class NoticeText:
    """The notice's content, language-resolved, shared by the PDF and HTML renderers."""

    title: str
    number: str
    header: list[tuple[str, str]]
    intro: str
    table_head: list[str]
    table_rows: list[list[str]]
    paragraphs: list[str]
    signature: list[str]


def notice_text(result: CarParkResult, lang: str, issued: date, deadline_days: int) -> NoticeText:
    """What the notice says for ``result`` (which must be non-compliant)."""
    cp = result.car_park
    zh = lang == "zh"
    failing = sorted(
        (v for v in result.verdicts if v.status is Status.NON_COMPLIANT),
        key=lambda v: v is not result.leading,  # the leading rule first
    )
    unknown = [v for v in result.verdicts if v.status is Status.INSUFFICIENT_DATA]
    deadline = issued + timedelta(days=deadline_days)
    rows = [
        [v.rule.id, v.rule.citation, formula(v, lang), provided_text(v, lang), str(v.shortfall)]
        for v in failing
    ]
    paragraphs = []
    for v in failing:
        paragraphs.append(
            f"{v.rule.id}:「{v.rule.quote}」" if zh else f"{v.rule.id}: \u201c{v.rule.quote}\u201d"
        )
    unverified = max((v.reserved_unverified for v in failing), default=0)
    if unverified and zh:
        paragraphs.append(
            f"贵停车场申报的 {unverified} 个预留安装条件车位缺少佐证材料"
            "(管线桥架到每个车位、预留供电容量、电表箱位置、土建),本次按未核实计入,请一并提交。"
        )
    elif unverified:
        paragraphs.append(
            f"The {unverified} reserved spaces declared lack evidence (conduit or tray to each space, "
            "reserved supply capacity, meter-box position, civil works); they were counted as unverified: "
            "please submit it."
        )
    if unknown:
        missing = sorted({m for v in unknown for m in v.missing})
        names = ("、" if zh else ", ").join(label(m, lang) for m in missing)
        paragraphs.append(f"另请补充以下资料:{names}。" if zh else f"Please also supply: {names}.")
    paragraphs.append(
        f"请于 {deadline.isoformat()} 前完成整改,并将整改情况书面报送检查单位。"
        if zh
        else f"Please rectify by {deadline.isoformat()} and report it in writing to the inspectorate."
    )
    where = " ".join(x for x in (cp.district, cp.street, cp.address) if x)
    return NoticeText(
        title="整改通知书" if zh else "Rectification notice",
        number=f"XJ-ZG-{issued:%Y%m%d}-{cp.id}",
        header=[
            ("停车场" if zh else "Car park", f"{cp.name}({cp.id})" if zh else f"{cp.name} ({cp.id})"),
            ("地址" if zh else "Address", where or "—"),
            ("类别" if zh else "Category", cp.category.label_zh if zh else cp.category.value),
            ("检查日期" if zh else "Date of inspection", issued.isoformat()),
            ("整改期限" if zh else "Deadline", deadline.isoformat()),
        ],
        intro=(
            "经检查,贵停车场电动汽车充电设施配建情况不符合下列规定,现通知限期整改:"
            if zh
            else "On inspection, the provision of EV charging at this car park fails the rules below. "
            "You are required to rectify it by the deadline:"
        ),
        table_head=(
            ["条款", "依据", "应配建", "现有", "缺口"]
            if zh
            else ["Rule", "Citation", "Required", "Provided", "Shortfall"]
        ),
        table_rows=rows,
        paragraphs=paragraphs,
        signature=(
            ["检查单位(盖章):", "检查人员:", f"日期:{issued.isoformat()}"]
            if zh
            else ["Inspectorate (seal):", "Inspector:", f"Date: {issued.isoformat()}"]
        ),
    )


def _pdf(text: NoticeText) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    body = ParagraphStyle("body", fontName=CJK_FONT, fontSize=10.5, leading=16, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=13)
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1)

    def p(s: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(html.escape(s), style)

    story = [
        p(text.title, title),
        p(text.number, ParagraphStyle("num", parent=small, alignment=1)),
        Spacer(1, 4 * mm),
    ]
    story.append(Table([[p(k, small), p(v, small)] for k, v in text.header], colWidths=[32 * mm, 140 * mm]))
    story += [Spacer(1, 4 * mm), p(text.intro), Spacer(1, 2 * mm)]
    table = Table(
        [[p(h, small) for h in text.table_head]] + [[p(c, small) for c in row] for row in text.table_rows],
        colWidths=[30 * mm, 40 * mm, 45 * mm, 42 * mm, 15 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 3 * mm)]
    story += [p(par) for par in text.paragraphs]
    story += [Spacer(1, 10 * mm)] + [p(line) for line in text.signature]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{text.title} {text.number}",
        invariant=1,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(story)
    return buffer.getvalue()


def _html(text: NoticeText, lang: str) -> bytes:
    e = html.escape
    head = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in text.header)
    rows = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in text.table_rows)
    table_head = "".join(f"<th>{e(h)}</th>" for h in text.table_head)
    doc = (
        f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f"<title>{e(text.title)} {e(text.number)}</title>"
        "<style>body{font-family:serif;max-width:45em;margin:2em auto}"
        "td,th{border:1px solid #999;padding:.3em}table{border-collapse:collapse}h1{text-align:center}"
        "</style></head><body>"
        f"<h1>{e(text.title)}</h1><p style='text-align:center'>{e(text.number)}</p><table>{head}</table>"
        f"<p>{e(text.intro)}</p><table><tr>{table_head}</tr>{rows}</table>"
        + "".join(f"<p>{e(par)}</p>" for par in text.paragraphs)
        + "".join(f"<p>{e(line)}</p>" for line in text.signature)
        + "</body></html>"
    )
    return doc.encode("utf-8")


def render_notice(
    result: CarParkResult,
    lang: str = "zh",
    issued: date | None = None,
    deadline_days: int = 90,
    fmt: str = "pdf",
) -> tuple[bytes, str]:
    """The notice as ``(content, extension)``: PDF, or HTML when asked or when the PDF cannot be built."""
    if result.status is not Status.NON_COMPLIANT:
        raise NoticeError(f"{result.car_park.id}: a rectification notice is only for non-compliant car parks")
    text = notice_text(result, lang, issued or date.today(), deadline_days)
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
    deadline_days: int = 90,
    fmt: str = "pdf",
) -> list[Path]:
    """One notice file per non-compliant car park under ``out_dir``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for result in results:
        if result.status is not Status.NON_COMPLIANT:
            continue
        content, ext = render_notice(result, lang, issued, deadline_days, fmt)
        safe_id = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in result.car_park.id)
        path = (
            out_dir / f"整改通知书_{safe_id}.{ext}" if lang == "zh" else out_dir / f"notice_{safe_id}.{ext}"
        )
        path.write_bytes(content)
        paths.append(path)
    return paths


__all__ = ["NoticeText", "Verdict", "notice_text", "render_notice", "write_notices"]
