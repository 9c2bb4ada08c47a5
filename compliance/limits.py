"""Limits on an imported register, checked before and while it is read (pure: no I/O but the bytes given).

A register is untrusted input: a 2 KB workbook can claim a million rows by its ``<dimension>``, a
700 KB zip can inflate to gigabytes, a CSV field can run to megabytes. The importers (CLI and REST
alike) check these limits and raise :class:`RegisterLimitError` naming the limit, in both languages,
before the work the limit guards is done: the zip directory is read before any member is inflated;
rows and cells are counted as they stream, never from the sheet's own claims.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from compliance.errors import RegisterLimitError, UnreadableRegisterError

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """Bounds on one register import.

    Attributes
    ----------
    max_rows : int
        Data rows (the header excluded), blank rows included as read.
    max_cells : int
        Cells materialised by the reader, blank padding included.
    max_columns : int
        Cells of one row; Excel's own maximum is 16,384.
    max_cell_chars : int
        Characters of one cell (Excel's own maximum is 32,767).
    max_inflated_bytes : int
        Sum of the zip members' uncompressed sizes [bytes], as the zip directory declares them
        (Python's ``zipfile`` never inflates a member past its declared size).
    max_ratio : float
        Uncompressed / compressed size of a member larger than ``ratio_floor_bytes``.
    ratio_floor_bytes : int
        Members smaller than this [bytes] are not ratio-checked (tiny XML parts compress very well).
    time_limit_s : float or None
        Wall time the reading may take [s]; checked as rows stream. ``None``: no limit.
    """

    max_rows: int = 100_000
    max_cells: int = 5_000_000
    max_columns: int = 1_024
    max_cell_chars: int = 32_767
    max_inflated_bytes: int = 100 * MIB
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 1 * MIB
    time_limit_s: float | None = 60.0


DEFAULT_LIMITS = ImportLimits()


def check_zip_directory(data: bytes, limits: ImportLimits = DEFAULT_LIMITS) -> None:
    """Refuse a workbook whose zip directory declares too much inflated data, before reading any member.

    Raises
    ------
    UnreadableRegisterError
        ``data`` is not a zip archive.
    RegisterLimitError
        The declared inflated size, or one member's compression ratio, is over the limit.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise UnreadableRegisterError(
            "not an XLSX workbook (not a zip archive)",
            "不是 XLSX 工作簿(不是 zip 压缩包)",
        ) from None
    total = sum(m.file_size for m in members)
    if total > limits.max_inflated_bytes:
        raise RegisterLimitError(
            "max_inflated_bytes",
            f"the workbook inflates to {total / MIB:.0f} MiB, over the limit of "
            f"{limits.max_inflated_bytes / MIB:.0f} MiB",
            f"工作簿解压后 {total / MIB:.0f} MiB,超过上限 {limits.max_inflated_bytes / MIB:.0f} MiB",
        )
    for m in members:
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size >= limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise RegisterLimitError(
                "max_ratio",
                f"{m.filename} is compressed {ratio:.0f}:1, over the limit of {limits.max_ratio:.0f}:1 "
                "(a zip bomb?)",
                f"{m.filename} 压缩比 {ratio:.0f}:1,超过上限 {limits.max_ratio:.0f}:1(疑似压缩炸弹)",
            )


class RowBudget:
    """Counts rows and cells as a sheet streams and raises once a limit is passed.

    ``clock`` returns monotonic seconds (injected for tests); the time limit starts at construction.
    """

    def __init__(
        self, limits: ImportLimits = DEFAULT_LIMITS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._deadline = None if limits.time_limit_s is None else clock() + limits.time_limit_s
        self.rows = 0
        self.cells = 0

    def take(self, row_number: int, row: tuple[object, ...] | list[object]) -> None:
        """Account for one row (``row_number`` as in the sheet, the header is 1); raise past a limit."""
        limits = self.limits
        self.rows += 1
        self.cells += len(row)
        if self.rows > limits.max_rows + 1:  # + 1: the header row
            raise RegisterLimitError(
                "max_rows",
                f"more than {limits.max_rows:,} data rows",
                f"数据行超过 {limits.max_rows:,} 行",
            )
        if len(row) > limits.max_columns:
            raise RegisterLimitError(
                "max_columns",
                f"row {row_number} has {len(row):,} cells, over the limit of {limits.max_columns:,}",
                f"第{row_number}行有 {len(row):,} 个单元格,超过上限 {limits.max_columns:,}",
            )
        if self.cells > limits.max_cells:
            raise RegisterLimitError(
                "max_cells",
                f"more than {limits.max_cells:,} cells",
                f"单元格超过 {limits.max_cells:,} 个",
            )
        for column, value in enumerate(row, start=1):
            if isinstance(value, str) and len(value) > limits.max_cell_chars:
                raise cell_too_long(row_number, column, limits)
        if self._deadline is not None and self._clock() > self._deadline:
            raise RegisterLimitError(
                "time_limit_s",
                f"reading took longer than {limits.time_limit_s:g} s",
                f"读取超过时限 {limits.time_limit_s:g} 秒",
            )


def cell_too_long(row_number: int, column: int | None, limits: ImportLimits) -> RegisterLimitError:
    """The error of a cell over ``max_cell_chars`` (``column`` 1-based, ``None`` when unknown)."""
    where_en = f"row {row_number}" + (f", column {column}" if column else "")
    where_zh = f"第{row_number}行" + (f"第{column}列" if column else "")
    return RegisterLimitError(
        "max_cell_chars",
        f"{where_en}: a cell longer than {limits.max_cell_chars:,} characters",
        f"{where_zh}:单元格超过 {limits.max_cell_chars:,} 个字符",
    )
