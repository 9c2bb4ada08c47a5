"""Verdict tables: one row per car park and rule, as CSV (streaming) or XLSX.

Both are formula-safe (:mod:`compliance.reports.safe_cells`): a car-park name such as ``=cmd|...``
stays text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from compliance.evaluate import CarParkResult
from compliance.reports.safe_cells import SafeCsvWriter, safe_row
from compliance.verdict_row import TABLE_FIELDS, VERDICT_COLUMNS, VerdictRow

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


def render_verdicts_xlsx(results: Iterable[CarParkResult], lang: str = "zh") -> bytes:
    """The verdict table as an XLSX workbook (write-only mode, so large registers stay cheap)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("判定结果" if lang == "zh" else "verdicts")
    sheet.append(list(VERDICT_COLUMNS))
    for row in verdict_rows(results, lang):
        sheet.append(safe_row(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
