"""Read the inspectors' register (CSV or XLSX, Chinese or English headers) into car-park records.

A bad cell gives a :class:`compliance.errors.RowError` naming its row and column; that row is left out
and every other row is still read. Rows are numbered as in the spreadsheet (the header is row 1).

A file that is no register at all raises :class:`compliance.errors.UnreadableRegisterError`; one over
an import limit (:mod:`compliance.limits`) raises :class:`compliance.errors.RegisterLimitError`. Both
carry an English and a Chinese message; neither leaks a reader's exception text.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile
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
from compliance.errors import (
    ComplianceError,
    RegisterError,
    RowError,
    UnreadableRegisterError,
)
from compliance.limits import DEFAULT_LIMITS, ImportLimits, RowBudget, cell_too_long, check_zip_directory
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


def read_rows(
    rows: Iterable[Sequence[Any]],
    new_since: date = DEFAULT_NEW_SINCE,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportResult:
    """Records from a header row followed by data rows (any cell types), with per-cell errors.

    Rows and cells are counted against ``limits`` as they stream (RegisterLimitError past one).
    """
    result = ImportResult()
    budget = RowBudget(limits)
    iterator: Iterator[Sequence[Any]] = iter(rows)
    header = next(iterator, None)
    if header is None:
        result.errors.append(RowError(1, "(header)", "", "the sheet is empty", "表格为空"))
        return result
    budget.take(1, tuple(header))
    keys, header_errors = _header_keys(header)
    if header_errors:
        result.errors.extend(header_errors)
        return result
    seen: dict[str, int] = {}
    for row_number, row in enumerate(iterator, start=2):
        budget.take(row_number, tuple(row))
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
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableRegisterError(
            "the CSV is UTF-16 (Excel's 'Unicode text'); save it as 'CSV UTF-8' or as .xlsx",
            "CSV 为 UTF-16 编码(Excel 的“Unicode 文本”);请另存为“CSV UTF-8”或 .xlsx",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise UnreadableRegisterError(
            f"the CSV is neither UTF-8 nor GBK text (bad byte at offset {exc.start}); "
            "save it as 'CSV UTF-8' or as .xlsx",
            f"CSV 既不是 UTF-8 也不是 GBK 文本(第 {exc.start} 字节无法识别);请另存为“CSV UTF-8”或 .xlsx",
        ) from None


def _csv_rows(text: str, limits: ImportLimits) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):  # 131,072 characters: over ours anyway
                raise cell_too_long(reader.line_num, None, limits) from None
            raise UnreadableRegisterError(
                f"line {reader.line_num}: not valid CSV ({exc})", f"第{reader.line_num}行:CSV 格式错误"
            ) from None
        yield row


def read_csv_bytes(
    data: bytes, new_since: date = DEFAULT_NEW_SINCE, limits: ImportLimits = DEFAULT_LIMITS
) -> ImportResult:
    return read_rows(_csv_rows(_decode(data), limits), new_since, limits)


# What openpyxl and zipfile raise on a corrupt workbook (a missing part, bad XML, a bad CRC...).
_CORRUPT_WORKBOOK = (zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, OSError, SyntaxError)


def read_xlsx_bytes(
    data: bytes, new_since: date = DEFAULT_NEW_SINCE, limits: ImportLimits = DEFAULT_LIMITS
) -> ImportResult:
    """Records of the first sheet; the zip directory is checked against ``limits`` before any reading.

    The sheet's ``<dimension>`` is ignored (reset): a reader trusting it pads every row to the
    claimed width and height, so a 2 KB file claiming ``A1:XFD1048576`` would cost 10^10 cells.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_zip_directory(data, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (*_CORRUPT_WORKBOOK, InvalidFileException) as exc:
        raise _unreadable_workbook(exc) from None
    try:
        if not workbook.worksheets:
            raise UnreadableRegisterError("the workbook has no worksheet", "工作簿没有工作表")
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):  # a read-only sheet; a chartsheet has no rows
            sheet.reset_dimensions()
        try:
            return read_rows(sheet.iter_rows(values_only=True), new_since, limits)
        except RegisterError:
            raise
        except _CORRUPT_WORKBOOK as exc:
            raise _unreadable_workbook(exc) from None
    finally:
        workbook.close()


def _unreadable_workbook(exc: Exception) -> UnreadableRegisterError:
    kind = "not a zip archive" if isinstance(exc, zipfile.BadZipFile) else "a part is missing or corrupt"
    kind_zh = "不是 zip 压缩包" if isinstance(exc, zipfile.BadZipFile) else "缺少部件或已损坏"
    return UnreadableRegisterError(
        f"not a readable XLSX workbook ({kind})", f"不是可读取的 XLSX 工作簿({kind_zh})"
    )


def read_register_bytes(
    data: bytes,
    filename: str,
    new_since: date = DEFAULT_NEW_SINCE,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportResult:
    """Records from an uploaded sheet; the file name's suffix picks the format (``.csv`` or ``.xlsx``).

    Raises RegisterError (an unsupported suffix), UnreadableRegisterError or RegisterLimitError.
    """
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return read_csv_bytes(data, new_since, limits)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx_bytes(data, new_since, limits)
    raise RegisterError(
        f"{filename}: unsupported register format {suffix!r}; use .csv or .xlsx",
        f"{filename}:不支持的登记表格式 {suffix!r};请使用 .csv 或 .xlsx",
    )


def read_register(
    path: Path | str, new_since: date = DEFAULT_NEW_SINCE, limits: ImportLimits = DEFAULT_LIMITS
) -> ImportResult:
    """Records from a register file on disk (``.csv`` or ``.xlsx``)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegisterError(f"cannot be read: {exc.strerror}", f"无法读取:{exc.strerror}") from exc
    return read_register_bytes(data, path.name, new_since, limits)
