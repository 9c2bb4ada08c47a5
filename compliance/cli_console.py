"""What the ``compliance`` command prints: the column mapping, the verdict summary, a rule in full (rich
tables, in Chinese or English)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from compliance.errors import Effect, RowError
from compliance.evaluate import CarParkResult, Status
from compliance.explain import STATUS_LABELS, explain, rounding_label
from compliance.headers import ColumnMapping
from compliance.labels import label
from compliance.reports.summary import district_summary, status_counts
from compliance.rules import Citation, Rule
from compliance.telemetry import TelemetryCheck

STATUS_STYLE = {
    Status.COMPLIANT: "green",
    Status.NON_COMPLIANT: "bold red",
    Status.INSUFFICIENT_DATA: "yellow",
    Status.NOT_APPLICABLE: "dim",
}


def print_mapping(console: Console, mapping: ColumnMapping, lang: str) -> None:
    """Which sheet column became which field, which were ignored, and the warnings: never silent."""
    zh = lang == "zh"
    rows = ("、" if zh else ", ").join(str(r) for r in mapping.header_rows)
    title = f"列映射(表头在第{rows}行)" if zh else f"Column mapping (header on row {rows})"
    if mapping.sheet:
        title += f",工作表「{mapping.sheet}」" if zh else f", sheet '{mapping.sheet}'"
    table = Table(title=title)
    for heading in ("列", "表头", "字段", "说明") if zh else ("Column", "Header", "Field", "Note"):
        table.add_column(heading)
    for c in mapping.columns:
        if c.key is not None:
            field = f"{c.field_label('zh')} ({c.key})" if zh else c.key
            table.add_row(c.letter, c.header, field, "")
        else:
            style = "bold yellow" if c.warning else "dim"
            ignored = "未识别,已忽略" if zh else "not recognised, ignored"
            table.add_row(c.letter, c.header, f"[{style}]{ignored}[/]", c.note_zh if zh else c.note_en)
    console.print(table)
    for warning in mapping.warnings(lang):
        console.print(
            f"[bold yellow]⚠ {'警告' if zh else 'Warning'}: {warning}[/]", highlight=False, soft_wrap=True
        )


def print_summary(
    console: Console,
    results: Sequence[CarParkResult],
    errors: Sequence[RowError],
    lang: str,
    notices: Sequence[Path],
    discrepancies: dict[str, TelemetryCheck],
    out: Path,
) -> None:
    zh = lang == "zh"
    counts = status_counts(results)
    table = Table(title="检查结果" if zh else "Verdicts")
    table.add_column("结果" if zh else "Verdict")
    table.add_column("停车场数" if zh else "Car parks", justify="right")
    for status in Status:
        name = STATUS_LABELS[status][0 if zh else 1]
        table.add_row(f"[{STATUS_STYLE[status]}]{name}[/]", str(counts[status]))
    pile = [e for e in errors if e.column.startswith("充电桩清单.")]
    errors = [e for e in errors if not e.column.startswith("充电桩清单.")] + pile
    rejected = {e.row for e in errors if e.effect is Effect.ROW_REJECTED and e not in pile}
    ignored = [e for e in errors if e.effect is Effect.VALUE_IGNORED]
    gaps = [e for e in errors if e.effect is Effect.INSUFFICIENT_DATA]
    table.add_row("行错误(未检查)" if zh else "Rejected rows", str(len(rejected)))
    table.add_row("无法识别的值(按未填写)" if zh else "Unreadable values (taken as blank)", str(len(ignored)))
    table.add_row("缺少的数据项(资料不足)" if zh else "Missing values (insufficient data)", str(len(gaps)))
    if pile:
        table.add_row(
            "充电桩清单问题(该桩未计)" if zh else "Pile list problems (pile not counted)", str(len(pile))
        )
    console.print(table)
    by_district = Table(title="分区汇总" if zh else "By district")
    by_district.add_column("区县" if zh else "District")
    for status in Status:
        by_district.add_column(STATUS_LABELS[status][0 if zh else 1], justify="right")
    by_district.add_column("缺口车位" if zh else "Shortfall", justify="right")
    for d in district_summary(results):
        by_district.add_row(d.district, *(str(d.counts[s]) for s in Status), str(d.shortfall_total))
    console.print(by_district)
    worst = sorted(
        ((r, r.leading) for r in results if r.status is Status.NON_COMPLIANT and r.leading is not None),
        key=lambda pair: -(pair[1].shortfall or 0),
    )
    for r, leading in worst[:5]:
        console.print(
            f"[red]✗[/] {r.car_park.id} {r.car_park.name}: {explain(leading, lang)}", highlight=False
        )
    shown = [e for e in errors if e.effect is not Effect.INSUFFICIENT_DATA]
    for e in shown[:10]:
        console.print(f"[yellow]![/] {e.message(lang)}", highlight=False, soft_wrap=True)
    if len(errors) > len(shown[:10]):
        more = len(errors) - len(shown[:10])
        console.print(f"… {more} " + ("条更多见 errors.csv" if zh else "more in errors.csv"), highlight=False)
    if discrepancies:
        label = "遥测不一致" if zh else "Telemetry discrepancies"
        console.print(f"[yellow]{label}: {len(discrepancies)}[/]")
    console.print(
        ("报告已写入 " if zh else "Reports written to ")
        + f"{out}/ ({len(notices)} "
        + ("份整改通知书)" if zh else "rectification notices)"),
        highlight=False,
    )


def show_rule(console: Console, rule: Rule, lang: str) -> None:
    zh = lang == "zh"
    lines = [
        f"[bold]{rule.id}[/]  ({rule.pack_id})",
        ("出处: " if zh else "Citation: ") + rule.citation,
        ("文件: " if zh else "Document: ") + rule.document_title,
        ("管辖: " if zh else "Jurisdiction: ") + rule.jurisdiction,
        ("生效日期: " if zh else "Effective: ") + rule.effective.isoformat(),
        _quote_line(rule.citations[0], zh),
        *(("另据: " if zh else "Also: ") + f"{c.text} " + _quote_line(c, zh) for c in rule.also_cites),
        ("摘要: " if zh else "Summary: ") + (rule.summary_zh if zh else rule.summary_en),
        ("适用于: " if zh else "Applies to: ") + rule.applies_to.describe(lang, rule.effective),
        ("要求: " if zh else "Requirement: ") + _requirement_text(rule, lang),
    ]
    if rule.interpretation_zh or rule.interpretation_en:
        lines.append(("解读: " + rule.interpretation_zh) if zh else ("Reading: " + rule.interpretation_en))
    if rule.unverified:
        lines.append(("未核实项 [U]: " if zh else "Unverified [U]: ") + ", ".join(rule.unverified))
    if rule.notes:
        lines.append(("说明: " if zh else "Notes: ") + rule.notes)
    for line in lines:
        console.print(line, highlight=False)
    console.print()


def _quote_line(c: Citation, zh: bool) -> str:
    """A quote as quoted text only when verified; otherwise said to be a paraphrase."""
    if "quote" in c.unverified:
        return (
            "摘述(未经原文核实): " if zh else "Paraphrase (not verified against the document): "
        ) + c.quote
    return ("原文: " if zh else "Quoted text: ") + c.quote


def _requirement_text(rule: Rule, lang: str) -> str:
    req = rule.requirement
    if req.kind == "ratio":
        counted = " + ".join(label(c, lang) for c in req.counts)
        base = label(req.base, lang) + (f" (≤ {label(req.base_cap, lang)})" if req.base_cap else "")
        return f"{counted} >= {rounding_label(req.rounding, lang)}({req.ratio_text()} × {base})"
    if req.kind == "minimum":
        return f"{label(req.field, lang)} >= {req.minimum}"
    return ("全部具备: " if lang == "zh" else "all of: ") + ", ".join(label(f, lang) for f in req.fields)
