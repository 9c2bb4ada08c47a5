"""Verdict tables: one row per car park and rule, as CSV (streaming) or XLSX.

Both are formula-safe (:mod:`compliance.reports.safe_cells`): a car-park name such as ``=cmd|...``
stays text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from compliance.evaluate import CarParkResult, Status
from compliance.explain import status_label
from compliance.labels import label
from compliance.reports.safe_cells import SafeCsvWriter, safe_row
from compliance.reports.summary import district_summary
from compliance.verdict_row import TABLE_FIELDS, VERDICT_COLUMNS, VerdictRow

if TYPE_CHECKING:
    from openpyxl import Workbook

__all__ = [
    "VERDICT_COLUMNS",
    "render_verdicts_csv",
    "render_verdicts_xlsx",
    "verdict_rows",
    "write_verdicts_csv",
]

#: Counts left blank when zero, so the column draws the eye only where something is unverified.
_BLANK_WHEN_ZERO = frozenset({"reserved_unverified"})


def _cell(name: str, value: object) -> object:
    if value is None or (name in _BLANK_WHEN_ZERO and value == 0):
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, tuple):
        return ";".join(value)
    return value  # a Status is a StrEnum: written as its value


def verdict_rows(results: Iterable[CarParkResult], lang: str = "zh") -> Iterator[list[object]]:
    """Rows matching :data:`VERDICT_COLUMNS`, streamed from ``results``."""
    for result in results:
        for v in result.verdicts:
            row = VerdictRow.of(result, v, lang)
            yield [_cell(f.name, getattr(row, f.name)) for f in TABLE_FIELDS]


def write_verdicts_csv(results: Iterable[CarParkResult], out: Path | str | TextIO, lang: str = "zh") -> int:
    """Write the verdict table as UTF-8 CSV (with BOM, so Excel shows Chinese); returns the row count."""
    if isinstance(out, str | Path):
        with Path(out).open("w", encoding="utf-8-sig", newline="") as f:
            return write_verdicts_csv(results, f, lang)
    writer = SafeCsvWriter(out)
    writer.writerow(VERDICT_COLUMNS)
    count = 0
    for row in verdict_rows(results, lang):
        writer.writerow(row)
        count += 1
    return count


def render_verdicts_csv(results: Iterable[CarParkResult], lang: str = "zh") -> bytes:
    buffer = io.StringIO()
    write_verdicts_csv(results, buffer, lang)
    return buffer.getvalue().encode("utf-8-sig")


#: Column widths [characters] of the verdict workbook; others get :data:`_DEFAULT_WIDTH`.
_WIDTHS = {
    "id": 14, "rule_id": 22, "verdict": 12, "name": 28, "district": 10, "pack_id": 16, "car_park_verdict": 14,
    "formula": 34, "provided_detail": 40, "missing": 24, "citation": 44, "explanation": 90,
}  # fmt: skip
_DEFAULT_WIDTH = 10
_STATUS_FIELDS = frozenset({"verdict", "car_park_verdict"})


def _xlsx_cell(name: str, value: object, lang: str) -> object:
    """A workbook cell in ``lang``: verdict words and 是 in Chinese, the CSV's codes in English."""
    if lang != "zh" or value is None:
        return _cell(name, value)
    if name in _STATUS_FIELDS and isinstance(value, Status):
        return status_label(value, "zh")
    if isinstance(value, bool):
        return "是" if value else ""
    if name == "missing" and isinstance(value, tuple):
        return "、".join(label(m, "zh") for m in value)
    return _cell(name, value)


def render_verdicts_xlsx(results: Iterable[CarParkResult], lang: str = "zh") -> bytes:
    """The verdict table as an XLSX workbook, with a summary sheet by district.

    Headers, verdict words and yes/no are in ``lang`` (Chinese headers are the fields' labels); the header
    row is frozen and filtered, the columns sized. Write-only mode, so large registers stay cheap.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    zh = lang == "zh"
    results = list(results)
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("判定结果" if zh else "verdicts")
    for i, f in enumerate(TABLE_FIELDS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(f.name, _DEFAULT_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.append([f.spec.zh if zh else f.name for f in TABLE_FIELDS])
    count = 0
    for result in results:
        for v in result.verdicts:
            row = VerdictRow.of(result, v, lang)
            sheet.append(safe_row([_xlsx_cell(f.name, getattr(row, f.name), lang) for f in TABLE_FIELDS]))
            count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(TABLE_FIELDS))}{count + 1}"
    _summary_sheet(wb, results, zh)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _summary_sheet(wb: Workbook, results: list[CarParkResult], zh: bool) -> None:
    """Car parks per overall verdict and the leading shortfall, one row per district, and a total."""
    from openpyxl.utils import get_column_letter

    sheet = wb.create_sheet("分区汇总" if zh else "by district")
    head = ["区县" if zh else "district"]
    head += [status_label(s, "zh") if zh else s.value for s in Status]
    head += ["合计" if zh else "total", "缺口车位" if zh else "shortfall (spaces)"]
    for i in range(1, len(head) + 1):
        sheet.column_dimensions[get_column_letter(i)].width = 16 if i == 1 else 12
    sheet.freeze_panes = "A2"
    sheet.append(head)
    districts = district_summary(results, "(未填写)" if zh else "(blank)")
    for d in districts:
        sheet.append(safe_row([d.district, *(d.counts[s] for s in Status), d.total, d.shortfall_total]))
    totals = [sum(d.counts[s] for d in districts) for s in Status]
    sheet.append(["合计" if zh else "total", *totals, sum(totals), sum(d.shortfall_total for d in districts)])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(head))}{len(districts) + 1}"
