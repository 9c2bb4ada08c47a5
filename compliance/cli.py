"""``compliance`` command line: check a register, list and show rules, write the template.

Exit codes of ``check``: 0 every row read cleanly; 1 reports written, but the register has problems to
look at: rows left out (no id and no name, a repeated id), values that could not be read (taken as
blank), or columns that look relevant but were not recognised; 2 nothing could be done (no header row
found, unreadable file, over an import limit, unknown or malformed rule pack, bad arguments).
Blank values that leave a rule without data are verdicts (insufficient data), not problems: exit 0.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from compliance.errors import ComplianceError, Effect, RegisterError, RowError, TelemetryError
from compliance.evaluate import CarParkResult, Status, evaluate
from compliance.explain import STATUS_LABELS, explain, rounding_label
from compliance.gaps import data_gaps
from compliance.headers import ColumnMapping
from compliance.importers import read_register
from compliance.labels import label
from compliance.model import CarPark
from compliance.packs import find_rule, resolve_packs, shipped_packs
from compliance.piles import PileList, apply_piles, read_pile_file, read_workbook_piles
from compliance.reports.geojson import render_geojson
from compliance.reports.html import render_html
from compliance.reports.notice import write_notices
from compliance.reports.notice_text import NoticeConfig, notices_withheld
from compliance.reports.safe_cells import SafeCsvWriter
from compliance.reports.summary import district_summary, status_counts
from compliance.reports.tables import render_verdicts_xlsx, write_verdicts_csv
from compliance.rules import Citation, Rule
from compliance.telemetry import TelemetryCheck, apply_strict, cross_check_car_park
from compliance.template import write_template

STATUS_STYLE = {
    Status.COMPLIANT: "green",
    Status.NON_COMPLIANT: "bold red",
    Status.INSUFFICIENT_DATA: "yellow",
    Status.NOT_APPLICABLE: "dim",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="compliance", description="Car-park charging-provision compliance / 停车场充电设施配建合规检查"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser(
        "check",
        help="check a register (CSV or XLSX) and write the reports",
        epilog="exit codes: 0 every row read cleanly; 1 reports written, but rows left out, values "
        "unreadable (taken as blank) or relevant columns not recognised (see errors.csv and the column "
        "mapping); 2 nothing done (no header row, unreadable file, over a limit, bad rule pack or arguments)",
    )
    check.add_argument("register", type=Path)
    check.add_argument("--rules", default="xiangjiang-2023", help="comma-separated pack ids or pack files")
    check.add_argument("--lang", choices=("zh", "en"), default="zh")
    check.add_argument("--out", type=Path, default=Path("report"))
    check.add_argument("--issued", type=date.fromisoformat, default=None, help="inspection date YYYY-MM-DD")
    check.add_argument("--deadline-days", type=int, default=90, help="days given to rectify")
    check.add_argument("--notice-format", choices=("pdf", "html"), default="pdf")
    check.add_argument("--authority", default="", help="issuing authority printed on notices")
    check.add_argument(
        "--notice-number",
        default="〔{year}〕第{n}号",
        help="notice number pattern over {year}, {n} and {id}, e.g. 湘新住建改〔{year}〕第{n}号",
    )
    check.add_argument("--notice-start", type=int, default=1, help="first running number {n}")
    check.add_argument(
        "--inspector", action="append", default=[], help="inspector's name on the notices (repeatable)"
    )
    check.add_argument("--objection-days", type=int, default=15, help="days to raise an objection")
    check.add_argument("--contact", default="", help="contact person and telephone on the notices")
    check.add_argument(
        "--new-since",
        type=date.fromisoformat,
        default=None,
        help="approval date from which a car park with blank is_new counts as new; a car park with an "
        "approval date is judged new or not per rule, by each rule's own effective date",
    )
    check.add_argument(
        "--piles",
        type=Path,
        help="pile list (CSV or XLSX: car park id, pile id, AC/DC, rated kW, OCPP station id); "
        "default: the register workbook's 充电桩清单 sheet, if any",
    )
    check.add_argument(
        "--telemetry", type=Path, help="CSV of station_id,last_seen (ISO 8601, aware) from the CSMS"
    )
    check.add_argument(
        "--silent-days", type=float, default=7.0, help="days of silence that make a discrepancy"
    )
    check.add_argument(
        "--strict", action="store_true", help="count only chargers seen online (needs --telemetry)"
    )
    check.add_argument(
        "--now", type=datetime.fromisoformat, default=None, help="reference time for --telemetry"
    )

    rules = sub.add_parser("rules", help="list or show the rule packs")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    rules_list = rules_sub.add_parser("list", help="every shipped pack and rule")
    rules_list.add_argument("--lang", choices=("zh", "en"), default="zh")
    show = rules_sub.add_parser("show", help="one rule (or every rule of one pack) in full")
    show.add_argument("id")
    show.add_argument("--lang", choices=("zh", "en"), default="zh")

    template = sub.add_parser("template", help="write the empty register template")
    template.add_argument("--out", type=Path, default=Path("carparks_template.xlsx"), help=".xlsx or .csv")
    template.add_argument("--lang", choices=("zh", "en"), default="zh")
    return parser


def _read_telemetry(path: Path) -> dict[str, datetime | None]:
    last_seen: dict[str, datetime | None] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row_number, row in enumerate(csv.DictReader(f), start=2):
            station, seen = (row.get("station_id") or "").strip(), (row.get("last_seen") or "").strip()
            if not station:
                raise TelemetryError(f"{path}: row {row_number}, column station_id: missing")
            try:
                last_seen[station] = datetime.fromisoformat(seen) if seen else None
            except ValueError:
                raise TelemetryError(
                    f"{path}: row {row_number}, column last_seen: bad time {seen!r}"
                ) from None
    return last_seen


def _check(args: argparse.Namespace, console: Console) -> int:
    packs = resolve_packs(args.rules)
    imported = (
        read_register(args.register, args.new_since) if args.new_since else read_register(args.register)
    )
    records, pile_errors, pile_note = _piles(args, imported.records)
    telemetry = {}
    if args.telemetry:
        last_seen = _read_telemetry(args.telemetry)
        now = args.now or datetime.now(UTC)
        telemetry = {cp.id: cross_check_car_park(cp, last_seen, now, args.silent_days) for cp in records}
        if args.strict:
            records = [apply_strict(cp, telemetry[cp.id]) for cp in records]
    elif args.strict:
        raise TelemetryError("--strict needs --telemetry")
    results = [evaluate(cp, packs) for cp in records]
    gaps = data_gaps(results, imported.source_rows, imported.mapping, imported.errors)
    problems = sorted([*imported.errors, *gaps], key=lambda e: e.row)  # stable: in order within a row
    problems += pile_errors  # rows of the pile list (column 充电桩清单.*), after the register's
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    write_verdicts_csv(results, out / "verdicts.csv", args.lang)
    (out / "verdicts.xlsx").write_bytes(render_verdicts_xlsx(results, args.lang))
    (out / "carparks.geojson").write_bytes(render_geojson(results, args.lang))
    issued = args.issued or datetime.now(UTC).date()
    html = render_html(
        results,
        packs,
        problems,
        lang=args.lang,
        generated=issued,
        source_name=args.register.name,
        mapping=imported.mapping,
    )
    (out / "report.html").write_text(html, encoding="utf-8")
    config = NoticeConfig(
        authority=args.authority,
        number_pattern=args.notice_number,
        first_number=args.notice_start,
        deadline_days=args.deadline_days,
        objection_days=args.objection_days,
        inspectors=tuple(args.inspector),
        contact=args.contact,
    )
    notices = write_notices(results, out / "notices", args.lang, issued, config, args.notice_format)
    withheld = notices_withheld(results)
    if withheld:
        console.print(
            (
                f"{len(withheld)} 个停车场仅不符合未经原文核实的条款,未出具整改通知书(见报告):"
                if args.lang == "zh"
                else f"{len(withheld)} car parks fail only clauses not verified against their documents; "
                "no notice issued (see the report): "
            )
            + ", ".join(withheld[:10]),
            highlight=False,
        )
    if problems:
        _write_errors(problems, out / "errors.csv")
    discrepancies = {cid: t for cid, t in telemetry.items() if t.has_discrepancy}
    if telemetry:
        with (out / "telemetry.csv").open("w", encoding="utf-8-sig", newline="") as f:
            writer = SafeCsvWriter(f)
            writer.writerow(["id", "station_id", "status", "last_seen", "silent_days"])
            for cid, check in telemetry.items():
                for s in check.findings:
                    days = "" if s.silent_days is None else f"{s.silent_days:.2f}"
                    writer.writerow([cid, s.station_id, s.status.value, s.last_seen or "", days])
    if pile_note:
        console.print(pile_note, highlight=False)
    if imported.mapping is not None:
        _print_mapping(console, imported.mapping, args.lang)
    _print_summary(console, results, problems, args.lang, notices, discrepancies, out)
    return 1 if imported.has_problems or pile_errors else 0


def _write_errors(problems: Sequence[RowError], path: Path) -> None:
    """``errors.csv``: every problem with its sheet row and column, what it did and why."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = SafeCsvWriter(f)
        writer.writerow(["row", "column", "field", "value", "effect", "结果", "message_zh", "message_en"])
        for e in problems:
            writer.writerow(
                [e.row, e.header or e.column, e.column, e.value, e.effect.value, e.effect.label_zh,
                 e.message_zh, e.message_en]
            )  # fmt: skip


def _print_mapping(console: Console, mapping: ColumnMapping, lang: str) -> None:
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


def _piles(args: argparse.Namespace, records: list[CarPark]) -> tuple[list[CarPark], list[RowError], str]:
    """Records with the pile list applied (``--piles``, else the workbook's pile sheet), errors, a note."""
    zh = args.lang == "zh"
    if args.piles:
        pile_list: PileList | None = read_pile_file(args.piles)
    elif args.register.suffix.lower() in (".xlsx", ".xlsm"):
        pile_list = read_workbook_piles(args.register.read_bytes(), args.register.name)
    else:
        pile_list = None
    if pile_list is None or not pile_list.piles:
        note = (
            "无充电桩清单:快充桩数按台账自报数计"
            if zh
            else "No pile list: fast-charger counts are self-declared"
        )
        return records, list(pile_list.errors if pile_list else ()), note
    applied, unmatched = apply_piles(records, pile_list)
    parks = len({p.car_park_id for p in pile_list.piles})
    fast = sum(1 for p in pile_list.piles if p.fast)
    note = (
        f"充电桩清单 {pile_list.source}:{len(pile_list.piles)} 台桩,涉及 {parks} 个停车场,"
        f"其中直流且额定功率≥60kW 的 {fast} 台;清单未列的停车场按台账自报数计"
        if zh
        else f"Pile list {pile_list.source}: {len(pile_list.piles)} piles at {parks} car parks, "
        f"{fast} DC of >= 60 kW; car parks not listed keep their self-declared counts"
    )
    return applied, [*pile_list.errors, *unmatched], note


def _print_summary(
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


def _show_rule(console: Console, rule: Rule, lang: str) -> None:
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


def _rules(args: argparse.Namespace, console: Console) -> int:
    zh = args.lang == "zh"
    packs = shipped_packs()
    if args.rules_command == "list":
        table = Table(title="规则包" if zh else "Rule packs")
        for heading in ("规则包 pack", "条款 rule", "出处 citation", "生效 effective", "摘要 summary"):
            table.add_column(heading)
        for pack in packs.values():
            for rule in pack.rules:
                summary = rule.summary_zh if zh else rule.summary_en
                table.add_row(pack.id, rule.id, rule.citation, rule.effective.isoformat(), summary)
        console.print(table)
        return 0
    if args.id in packs:
        pack = packs[args.id]
        console.print(
            f"[bold]{pack.id}[/] {pack.version}: {pack.title_zh if zh else pack.title_en}", highlight=False
        )
        console.print(pack.source, highlight=False)
        console.print()
        for rule in pack.rules:
            _show_rule(console, rule, args.lang)
        return 0
    _show_rule(console, find_rule(args.id), args.lang)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``compliance`` console script; returns the exit code."""
    args = _parser().parse_args(argv)
    console = Console(file=sys.stdout, width=160)
    try:
        if args.command == "check":
            return _check(args, console)
        if args.command == "rules":
            return _rules(args, console)
        path = write_template(args.out, args.lang)
        console.print(
            ("模板已写入 " if args.lang == "zh" else "Template written to ") + str(path), highlight=False
        )
        return 0
    except RegisterError as exc:  # one clear line in the user's language, never a traceback
        lang = getattr(args, "lang", "zh")
        where = f"{args.register}: " if args.command == "check" else ""
        word = "错误" if lang == "zh" else "error"
        print(f"compliance: {word}: {where}{exc.message(lang)}", file=sys.stderr)
        return 2
    except ComplianceError as exc:
        print(f"compliance: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
