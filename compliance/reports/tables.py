"""Verdict tables: one row per car park and rule, as CSV (streaming) or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from compliance.evaluate import CarParkResult
from compliance.explain import explain, formula, provided_text

#: The first six columns are the ones the issue requires; the rest explain them.
VERDICT_COLUMNS: tuple[str, ...] = (
    "id",
    "rule_id",
    "verdict",
    "required",
    "provided",
    "shortfall",
    "name",
    "district",
    "pack_id",
    "leading",
    "car_park_verdict",
    "formula",
    "provided_detail",
    "reserved_unverified",
    "missing",
    "citation",
    "explanation",
)


def _blank_if_none(value: int | None) -> int | str:
    return "" if value is None else value


def verdict_rows(results: Iterable[CarParkResult], lang: str = "zh") -> Iterator[list[object]]:
    """Rows matching :data:`VERDICT_COLUMNS`, streamed from ``results``."""
    for result in results:
        cp = result.car_park
        for v in result.verdicts:
            yield [
                cp.id,
                v.rule.id,
                v.status,  # a StrEnum: written as its value
                _blank_if_none(v.required),
                _blank_if_none(v.provided),
                _blank_if_none(v.shortfall),
                cp.name,
                cp.district,
                v.rule.pack_id,
                "yes" if v is result.leading else "",
                result.status,
                formula(v, lang) if v.required is not None else "",
                provided_text(v, lang) if v.provided is not None else "",
                v.reserved_unverified or "",
                ";".join(v.missing),
                v.rule.citation,
                explain(v, lang),
            ]


def write_verdicts_csv(results: Iterable[CarParkResult], out: Path | str | TextIO, lang: str = "zh") -> int:
    """Write the verdict table as UTF-8 CSV (with BOM, so Excel shows Chinese); returns the row count."""
    if isinstance(out, str | Path):
        with Path(out).open("w", encoding="utf-8-sig", newline="") as f:
            return write_verdicts_csv(results, f, lang)
    writer = csv.writer(out)
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
        sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
