"""Read the rows of an inspectors' register (as inspectors type it) into car-park records; the files
themselves (CSV encodings, XLSX workbooks) are read by :mod:`compliance.register_files`.

The header is found among the first rows (title and merged group-header rows above it are skipped) and
its columns are matched by name and synonym (:mod:`compliance.headers`); the result carries that
mapping, so that every caller can show which sheet column became which field and which were ignored.
Cells are read as inspectors type them (:mod:`compliance.cells`).

A cell that cannot be read gives a :class:`compliance.errors.RowError` naming its row and column and is
read as blank (``Effect.VALUE_IGNORED``): the car park stays, and a rule that needs the value gives
insufficient data. Only a row that cannot be identified (neither id nor name) or repeats an id is left
out (``Effect.ROW_REJECTED``). Rows are numbered as in the spreadsheet.

A file that is no register at all (no header row found) raises
:class:`compliance.errors.UnreadableRegisterError`; one over an import limit (:mod:`compliance.limits`)
raises :class:`compliance.errors.RegisterLimitError`. Both carry an English and a Chinese message;
neither leaks a reader's exception text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, islice
from typing import Any

from compliance.categories import Category
from compliance.cells import CellError, is_blank, parse_cell
from compliance.columns import BY_KEY, COLUMNS
from compliance.errors import Effect, NoHeaderError, RowError, UnreadableRegisterError
from compliance.headers import HEADER_SEARCH_ROWS, ColumnMapping, SheetColumn, find_header
from compliance.limits import DEFAULT_LIMITS, ImportLimits, RowBudget
from compliance.model import CarPark
from compliance.schema import fields_of
from compliance.validation import consistency_problems

#: A car park approved on or after this date counts as new when ``is_new`` is blank: the issue date of
#: the Xiangjiang action plan (2023-09-06). Callers may pass another date.
DEFAULT_NEW_SINCE = date(2023, 9, 6)


@dataclass
class ImportResult:
    """Records read, the problems found, the data rows read, and the column mapping.

    ``source_rows[i]`` is the sheet row of ``records[i]``; ``errors`` hold every problem with its
    effect (a rejected row, a value read as blank, a note).
    """

    records: list[CarPark] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0
    mapping: ColumnMapping | None = None
    source_rows: list[int] = field(default_factory=list)

    @property
    def rejected_rows(self) -> set[int]:
        return {e.row for e in self.errors if e.effect is Effect.ROW_REJECTED}

    @property
    def has_problems(self) -> bool:
        """Rows left out, values read as blank, or relevant columns not recognised."""
        return any(e.effect in (Effect.ROW_REJECTED, Effect.VALUE_IGNORED) for e in self.errors) or bool(
            self.mapping and self.mapping.warnings()
        )


_TEXT_WITH_DEFAULT = tuple(f.name for f in fields_of(CarPark) if f.default == "")
_COLUMN_FIELDS = {c.key: c.field for c in COLUMNS if c.field is not None}

#: Rows that are no car park: totals, and notes or signatures under the table (first words).
_TOTAL_WORDS = frozenset({"合计", "总计", "小计", "合 计", "总 计", "Total", "TOTAL", "total"})
_NOTE_PREFIXES = (
    "注",
    "说明",
    "备注",
    "填表",
    "制表",
    "审核",
    "填报",
    "负责人",
    "联系人",
    "联系电话",
    "数据来源",
)


def _skip_reason(
    row: Sequence[Any], id_cell: Any, name_cell: Any, headers: tuple[str, str]
) -> tuple[str, str] | None:
    """Why a row that is no car park is skipped: a total, the header repeated, a note under the table."""
    ids = tuple("" if c is None else str(c).strip() for c in (id_cell, name_cell))
    if any(c in _TOTAL_WORDS for c in ids):
        return "a total row, not a car park: skipped", "合计行,不是停车场:已跳过"
    if any(ids) and all(c == h for c, h in zip(ids, headers, strict=True) if c):
        return "the header repeated (a new printed page): skipped", "重复的表头(分页打印):已跳过"
    filled = [c for c in row if c is not None and c != ""]
    if len(filled) <= 2 and str(filled[0]).strip().startswith(_NOTE_PREFIXES):
        return "a note under the table, not a car park: skipped", "表下说明,不是停车场:已跳过"
    return None


class _Row:
    """The problems of one row as it is read; ``columns`` (key -> sheet column) label them."""

    def __init__(self, row: int, columns: dict[str, SheetColumn]) -> None:
        self.row = row
        self.columns = columns
        self.errors: list[RowError] = []

    def error(self, key: str, value: Any, en: str, zh: str, effect: Effect = Effect.VALUE_IGNORED) -> None:
        column = self.columns.get(key)
        text = "" if value is None else str(value)
        self.errors.append(RowError(self.row, key, text, en, zh, effect, column.label if column else ""))


def _record(
    cells: dict[str, Any], row: int, new_since: date, columns: dict[str, SheetColumn], taken: dict[str, int]
) -> tuple[CarPark | None, list[RowError]]:
    out = _Row(row, columns)
    values: dict[str, Any] = {}
    for key, raw in cells.items():
        try:
            values[key] = parse_cell(BY_KEY[key].kind, raw)
        except CellError as exc:
            out.error(key, raw, exc.message_en, exc.message_zh)
            values[key] = None
    if values.get("id") is None and values.get("name") is None:
        reject = _Row(row, columns)
        reject.error(
            "id",
            None,
            "neither id nor name: the row cannot be identified and was not checked",
            "既无编号也无名称:无法识别该行,未检查",
            Effect.ROW_REJECTED,
        )
        return None, reject.errors
    if values.get("id") is None:
        values["id"] = values["name"] if values["name"] not in taken else f"{values['name']}#{row}"
        out.error(
            "id",
            None,
            f"no id: {values['id']!r} (the name) is used",
            f"无编号:以名称 {values['id']!r} 作编号",
            Effect.NOTE,
        )
    elif values["id"] in taken:
        reject = _Row(row, columns)
        first = taken[values["id"]]
        reject.error(
            "id",
            values["id"],
            f"duplicate id (first on row {first})",
            f"编号重复(首次出现在第{first}行)",
            Effect.ROW_REJECTED,
        )
        return None, reject.errors
    for problem in consistency_problems(values):
        out.error(problem.column, values.get(problem.column), problem.message_en, problem.message_zh)
        values[problem.column] = None  # which of the two is wrong is not known: the blamed one is unknown
    if values.get("is_new") is None and values.get("approval_date") is not None:
        values["is_new"] = values["approval_date"] >= new_since
    lon, lat = values.get("lon"), values.get("lat")
    if (lon is None) != (lat is None):
        given = "lon" if lat is None else "lat"
        out.error(given, values[given], "give both longitude and latitude", "经度和纬度须同时填写")
        lon = lat = None
    crs = values.pop("crs", None)
    values.pop("lon", None)
    values.pop("lat", None)
    fields = {_COLUMN_FIELDS[k]: v for k, v in values.items()}
    fields["station_ids"] = fields.get("station_ids") or ()
    fields["category"] = fields.get("category") or Category.UNKNOWN
    for name in _TEXT_WITH_DEFAULT:
        if fields.get(name) is None:
            fields[name] = ""  # the record's text fields are "" when blank, never None
    cp = CarPark(**fields)
    if lon is not None and lat is not None:
        if crs == "GCJ02":
            cp = cp.with_gcj02(lon, lat)
        else:
            cp = dataclasses.replace(cp, lon_deg=lon, lat_deg=lat)
    return cp, out.errors


def _shown(cells: Sequence[Any], limit: int = 200) -> str:
    """The filled cells of a row as one short text (at most ``limit`` characters)."""
    out = ""
    for c in cells:
        if len(out) >= limit:
            break
        if not is_blank(c):
            out += ("  " if out else "") + str(c).strip()[:limit]
    return out[:limit]


def _no_header(head: Sequence[Sequence[Any]]) -> UnreadableRegisterError:
    first = next((r for r in head if any(not is_blank(c) for c in r)), None)
    if first is None:
        return NoHeaderError("the sheet is empty", "表格为空")
    shown = _shown(first)
    return NoHeaderError(
        f"no header row found in the first {HEADER_SEARCH_ROWS} rows: a header names at least the id "
        f"(编号/序号) or the name (停车场名称) and one more column such as 类别 or 总车位数; "
        f"first row: {shown}",
        f"前{HEADER_SEARCH_ROWS}行中找不到表头:表头至少应有 编号/序号 或 停车场名称,"
        "以及 类别、总车位数 等另一列;"
        f"第一行为:{shown}",
    )


def read_rows(
    rows: Iterable[Sequence[Any]],
    new_since: date = DEFAULT_NEW_SINCE,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportResult:
    """Records from a sheet's rows (any cell types): the header is found, then each data row is read.

    Rows and cells are counted against ``limits`` as they stream (RegisterLimitError past one). Raises
    UnreadableRegisterError when no header row is found among the first rows.
    """
    budget = RowBudget(limits)
    iterator: Iterator[Sequence[Any]] = iter(rows)
    head = [tuple(r) for r in islice(iterator, HEADER_SEARCH_ROWS)]
    for number, r in enumerate(head, start=1):
        budget.take(number, r)
    found = find_header(head)
    if found is None:
        raise _no_header(head)
    index, mapping = found
    result = ImportResult(mapping=mapping)
    for sheet_row in mapping.skipped_rows:
        if any(not is_blank(c) for c in head[sheet_row - 1]):
            result.errors.append(
                RowError(
                    sheet_row,
                    "",
                    _shown(head[sheet_row - 1]),
                    "above the header (a title): skipped",
                    "表头上方(标题等):已跳过",
                    Effect.NOTE,
                )
            )
    columns = [(c.index, c.key) for c in mapping.mapped if c.key is not None]
    id_index = next((i for i, k in columns if k == "id"), None)
    name_index = next((i for i, k in columns if k == "name"), None)
    own = {c.index: c.header.split(" / ")[-1] for c in mapping.columns}
    headers = (
        own.get(id_index, "") if id_index is not None else "",
        own.get(name_index, "") if name_index is not None else "",
    )
    taken: dict[str, int] = {}
    by_key = mapping.by_key()
    first = index + 2
    for row_number, row in enumerate(chain(head[index + 1 :], iterator), start=first):
        if row_number > len(head):
            row = tuple(row)
            budget.take(row_number, row)
        if all(is_blank(c) for c in row):
            continue

        def cell(i: int | None, row: Sequence[Any] = row) -> Any:
            return row[i] if i is not None and i < len(row) else None

        skip = _skip_reason(row, cell(id_index), cell(name_index), headers)
        if skip is not None:
            shown = next(str(c).strip() for c in row if not is_blank(c))
            result.errors.append(RowError(row_number, "", shown[:100], *skip, Effect.NOTE))
            continue
        result.rows_read += 1
        cp, errors = _record({k: cell(i) for i, k in columns}, row_number, new_since, by_key, taken)
        result.errors.extend(errors)
        if cp is not None:
            taken[cp.id] = row_number
            result.records.append(cp)
            result.source_rows.append(row_number)
    return result
