"""Register files as inspectors save them: CSV (UTF-8 or GBK, as Excel on a Chinese Windows writes it) and
XLSX workbooks (the first sheet with a header; corrupt or oversized archives refused before reading), read
into car-park records by :func:`compliance.importers.read_rows`.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from compliance.errors import NoHeaderError, RegisterError, UnreadableRegisterError
from compliance.importers import DEFAULT_NEW_SINCE, ImportResult, read_rows
from compliance.limits import DEFAULT_LIMITS, ImportLimits, cell_too_long, check_zip_directory


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
    """Records of the first worksheet that has a header (an instructions sheet before the register is
    passed over; the mapping names the sheet read); the zip directory is checked against ``limits``
    before any reading.

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
        first_error: NoHeaderError | None = None
        for sheet in workbook.worksheets:
            if not hasattr(sheet, "iter_rows"):  # a chartsheet has no rows
                continue
            if hasattr(sheet, "reset_dimensions"):  # a read-only sheet
                sheet.reset_dimensions()
            try:
                result = read_rows(sheet.iter_rows(values_only=True), new_since, limits)
            except NoHeaderError as exc:  # an instructions sheet before the register: try the next one
                first_error = first_error or exc
                continue
            except RegisterError:
                raise
            except _CORRUPT_WORKBOOK as exc:
                raise _unreadable_workbook(exc) from None
            if result.mapping is not None:
                result.mapping = dataclasses.replace(result.mapping, sheet=str(sheet.title))
            return result
        if first_error is not None:
            raise first_error
        raise UnreadableRegisterError("the workbook has no worksheet", "工作簿没有工作表")
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
