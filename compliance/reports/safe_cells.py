"""Formula-safe cells for every CSV and XLSX the compliance package writes (CSV injection, OWASP).

Names, addresses and ids come from inspectors' registers, and station ids from the stations: a cell
text starting with ``= + - @``, a tab or a carriage return is run as a formula by Excel, LibreOffice
and WPS (``=cmd|' /C calc'!A0``). Such a text is written with a leading single quote, as OWASP's
"CSV Injection" page recommends; numbers, dates and booleans are written as they are.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value``, or a text cell that would start a formula, prefixed with ``'``.

    Examples
    --------
    >>> safe_cell("=cmd|' /C calc'!A0"), safe_cell("-1"), safe_cell(-1), safe_cell("梅溪湖")
    ("'=cmd|' /C calc'!A0", "'-1", -1, '梅溪湖')
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    """Every cell of ``row`` through :func:`safe_cell`."""
    return [safe_cell(v) for v in row]


class SafeCsvWriter:
    """``csv.writer`` whose rows are formula-safe (same ``writerow``/``writerows``)."""

    def __init__(self, out: TextIO, **fmt: Any) -> None:
        self._writer = csv.writer(out, **fmt)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
