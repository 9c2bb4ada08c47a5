"""Read the inspectors' register (CSV or XLSX, Chinese or English headers) into car-park records.

A bad cell gives a :class:`compliance.errors.RowError` naming its row and column; that row is left out
and every other row is still read. Rows are numbered as in the spreadsheet (the header is row 1).
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from compliance.columns import (
    BY_KEY,
    CATEGORY_ALIASES,
    COLUMNS,
    CURRENT_ALIASES,
    FALSE_WORDS,
    HEADER_ALIASES,
    TRUE_WORDS,
)
from compliance.errors import ComplianceError, RegisterError, RowError
from compliance.model import CarPark, Category
from compliance.schema import Kind, fields_of
from compliance.validation import consistency_problems

#: A car park approved on or after this date counts as new when ``is_new`` is blank: the issue date of
#: the Xiangjiang action plan (2023-09-06). Callers may pass another date.
DEFAULT_NEW_SINCE = date(2023, 9, 6)


@dataclass
class ImportResult:
    """Records that passed, errors of the rows that did not, and how many data rows were read."""

    records: list[CarPark] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0


_TEXT_WITH_DEFAULT = tuple(f.name for f in fields_of(CarPark) if f.default == "")
_COLUMN_FIELDS = {c.key: c.field for c in COLUMNS if c.field is not None}


class _CellError(ComplianceError):
    def __init__(self, message_en: str, message_zh: str) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse(kind: Kind, value: Any) -> Any:
    """One cell -> typed value; ``None`` for blank. Raises _CellError with both languages."""
    if _blank(value):
        return None
    if kind is Kind.INT:
        if isinstance(value, bool):
            raise _CellError("expected a whole number", "应为整数")
        try:
            number = float(value) if not isinstance(value, int) else value
        except (TypeError, ValueError):
            raise _CellError(
                f"expected a whole number, got {value!r}", f"应为整数,实际为 {value!r}"
            ) from None
        if number != int(number):
            raise _CellError(f"expected a whole number, got {value!r}", f"应为整数,实际为 {value!r}")
        if number < 0:
            raise _CellError(f"must not be negative, got {value!r}", f"不能为负数,实际为 {value!r}")
        return int(number)
    if kind is Kind.FLOAT:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _CellError(f"expected a number, got {value!r}", f"应为数字,实际为 {value!r}") from None
    if kind is Kind.BOOL:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise _CellError(
            f"expected true/false or 是/否, got {value!r}", f"应为 是/否(true/false),实际为 {value!r}"
        )
    if kind is Kind.DATE:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).strip().replace("/", "-").replace(".", "-")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise _CellError(
                f"expected a date YYYY-MM-DD, got {value!r}", f"应为日期 年-月-日,实际为 {value!r}"
            ) from None
    if kind is Kind.CATEGORY:
        text = str(value).strip()
        category = CATEGORY_ALIASES.get(text) or CATEGORY_ALIASES.get(text.lower())
        if category is None:
            known = ", ".join(c.value for c in Category)
            raise _CellError(f"unknown category {text!r}; expected one of {known}", f"未知类别 {text!r}")
        return category
    if kind is Kind.CRS:
        text = str(value).strip().upper().replace("-", "")
        if text not in ("WGS84", "GCJ02"):
            raise _CellError(
                f"expected WGS84 or GCJ02, got {value!r}", f"坐标系应为 WGS84 或 GCJ02,实际为 {value!r}"
            )
        return text
    if kind is Kind.CURRENT:
        current = CURRENT_ALIASES.get(str(value).strip().upper().replace(" ", ""))
        if current is None:
            raise _CellError(
                f"expected AC, DC or AC+DC, got {value!r}", f"应为 交流、直流 或 交直流,实际为 {value!r}"
            )
        return current
    if kind is Kind.IDS:
        return tuple(s.strip() for s in str(value).replace(";", ";").split(";") if s.strip())
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))  # Excel turns an id such as 1001 into 1001.0
    return text


def _header_keys(header: Sequence[Any]) -> tuple[list[str | None], list[RowError]]:
    keys: list[str | None] = []
    errors: list[RowError] = []
    for cell in header:
        text = "" if cell is None else str(cell).strip()
        key = HEADER_ALIASES.get(text) or HEADER_ALIASES.get(text.lower())
        keys.append(key)
    for column in COLUMNS:
        if column.required and column.key not in keys:
            errors.append(
                RowError(1, f"{column.key} / {column.zh}", "", "required column missing", "缺少必填列")
            )
    return keys, errors


def _record(cells: dict[str, Any], row: int, new_since: date) -> tuple[CarPark | None, list[RowError]]:
    errors: list[RowError] = []
    values: dict[str, Any] = {}
    for key, raw in cells.items():
        column = BY_KEY[key]
        try:
            values[key] = _parse(column.kind, raw)
        except _CellError as exc:
            errors.append(RowError(row, key, "" if raw is None else str(raw), exc.message_en, exc.message_zh))
            continue
        if column.required and values[key] is None:
            errors.append(RowError(row, key, "", "required value missing", "必填项为空"))

    def err(column: str, en: str, zh: str) -> None:
        value = values.get(column)
        errors.append(RowError(row, column, "" if value is None else str(value), en, zh))

    for problem in consistency_problems(values):
        err(*problem)
    if values.get("is_new") is None:
        if values.get("approval_date") is None:
            err(
                "approval_date",
                "missing date: approval_date is needed when is_new is blank",
                "缺少日期:是否新建为空时须填写规划审批日期",
            )
        else:
            values["is_new"] = values["approval_date"] >= new_since
    lon, lat = values.get("lon"), values.get("lat")
    if (lon is None) != (lat is None):
        err("lat" if lat is None else "lon", "give both longitude and latitude", "经度和纬度须同时填写")
    if errors:
        return None, errors
    crs = values.pop("crs", None)
    values.pop("lon", None)
    values.pop("lat", None)
    fields = {_COLUMN_FIELDS[k]: v for k, v in values.items()}
    fields["station_ids"] = fields.get("station_ids") or ()
    for name in _TEXT_WITH_DEFAULT:
        if fields.get(name) is None:
            fields[name] = ""  # the record's text fields are "" when blank, never None
    cp = CarPark(**fields)
    if lon is not None and lat is not None:
        if crs == "GCJ02":
            cp = cp.with_gcj02(lon, lat)
        else:
            cp = dataclasses.replace(cp, lon_deg=lon, lat_deg=lat)
    return cp, []


def read_rows(rows: Iterable[Sequence[Any]], new_since: date = DEFAULT_NEW_SINCE) -> ImportResult:
    """Records from a header row followed by data rows (any cell types), with per-cell errors."""
    result = ImportResult()
    iterator: Iterator[Sequence[Any]] = iter(rows)
    header = next(iterator, None)
    if header is None:
        result.errors.append(RowError(1, "(header)", "", "the sheet is empty", "表格为空"))
        return result
    keys, header_errors = _header_keys(header)
    if header_errors:
        result.errors.extend(header_errors)
        return result
    seen: dict[str, int] = {}
    for row_number, row in enumerate(iterator, start=2):
        if all(_blank(c) for c in row):
            continue
        result.rows_read += 1
        cells = {k: (row[i] if i < len(row) else None) for i, k in enumerate(keys) if k is not None}
        cp, errors = _record(cells, row_number, new_since)
        if cp is not None and cp.id in seen:
            errors = [
                RowError(
                    row_number,
                    "id",
                    cp.id,
                    f"duplicate id (first on row {seen[cp.id]})",
                    f"编号重复(首次出现在第{seen[cp.id]}行)",
                )
            ]
            cp = None
        if cp is None:
            result.errors.extend(errors)
            continue
        seen[cp.id] = row_number
        result.records.append(cp)
    return result


def _decode(data: bytes) -> str:
    # Excel on a Chinese Windows saves CSV as GBK; everything else should be UTF-8 (with or without BOM).
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def read_csv_bytes(data: bytes, new_since: date = DEFAULT_NEW_SINCE) -> ImportResult:
    return read_rows(csv.reader(io.StringIO(_decode(data))), new_since)


def read_xlsx_bytes(data: bytes, new_since: date = DEFAULT_NEW_SINCE) -> ImportResult:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return read_rows(sheet.iter_rows(values_only=True), new_since)
    finally:
        workbook.close()


def read_register_bytes(data: bytes, filename: str, new_since: date = DEFAULT_NEW_SINCE) -> ImportResult:
    """Records from an uploaded sheet; the file name's suffix picks the format (``.csv`` or ``.xlsx``)."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return read_csv_bytes(data, new_since)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx_bytes(data, new_since)
    raise RegisterError(f"{filename}: unsupported register format {suffix!r}; use .csv or .xlsx")


def read_register(path: Path | str, new_since: date = DEFAULT_NEW_SINCE) -> ImportResult:
    """Records from a register file on disk (``.csv`` or ``.xlsx``)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegisterError(f"{path}: cannot be read: {exc.strerror}") from exc
    return read_register_bytes(data, path.name, new_since)
