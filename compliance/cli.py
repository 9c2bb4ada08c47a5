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

from compliance.cli_console import print_mapping, print_summary, show_rule
from compliance.errors import ComplianceError, RegisterError, RowError, TelemetryError
from compliance.evaluate import evaluate
from compliance.gaps import data_gaps
from compliance.model import CarPark
from compliance.packs import find_rule, resolve_packs, shipped_packs
from compliance.piles import PileList, apply_piles, read_pile_file, read_workbook_piles
from compliance.register_files import read_register
from compliance.reports.geojson import render_geojson
from compliance.reports.html import render_html
from compliance.reports.notice import write_notices
from compliance.reports.notice_text import NoticeConfig, notices_withheld
from compliance.reports.safe_cells import SafeCsvWriter
from compliance.reports.tables import render_verdicts_xlsx, write_verdicts_csv
from compliance.telemetry import apply_strict, cross_check_car_park
from compliance.template import write_template


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
        print_mapping(console, imported.mapping, args.lang)
    print_summary(console, results, problems, args.lang, notices, discrepancies, out)
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
            show_rule(console, rule, args.lang)
        return 0
    show_rule(console, find_rule(args.id), args.lang)
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
