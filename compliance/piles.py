"""The pile list: one row per charging pile, so fast-charger counts are counted, not declared.

A register may say "3 fast chargers" in a pre-counted column; 湘政办发〔2021〕4号 asks for piles of at least
60 kW *each* (单桩功率不低于60千瓦). The pile list gives, per car park, each pile's id, AC or DC, rated power
and optionally its OCPP station id. :func:`apply_piles` replaces the car park's ``dc_fast_chargers_60kw`` by
the number of DC piles rated at 60 kW or more, records how many piles were listed (so verdicts can say the
count was verified) and adds the listed station ids for the telemetry cross-check. A car park the list
does not mention keeps its pre-counted figure, reported as self-declared.

The list is a CSV file, an XLSX file (first sheet), or a sheet named ``充电桩清单`` (or ``piles``) in the
register workbook itself. Headers are matched after Unicode NFKC normalisation (full-width forms), with
spaces and a bracketed unit removed. Pure except for the readers at the bottom.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from compliance.errors import RegisterError, RowError, UnreadableRegisterError
from compliance.importers import DEFAULT_NEW_SINCE, ImportResult
from compliance.limits import DEFAULT_LIMITS, ImportLimits, check_zip_directory
from compliance.model import CarPark
from compliance.register_files import read_register_bytes

#: Rated power from which a DC pile is a fast charger (湘政办发〔2021〕4号: 单桩功率不低于60千瓦).
FAST_KW = 60.0
#: Names the pile-list sheet may have in the register workbook (compared after normalisation).
SHEET_NAMES = ("充电桩清单", "桩清单", "充电桩", "piles", "pilelist")

PileCurrent = Literal["AC", "DC", "AC+DC"]

#: Field -> accepted headers (normalised: NFKC, lower case, no spaces, no bracketed unit).
HEADERS: dict[str, tuple[str, ...]] = {
    "car_park_id": ("停车场编号", "编号", "car_park_id", "carparkid", "id"),
    "pile_id": ("桩编号", "充电桩编号", "设备编号", "pile_id", "pileid"),
    "current": ("交流/直流", "交直流", "电流类型", "类型", "current", "ac/dc", "acdc"),
    "rated_kw": ("额定功率", "单桩功率", "功率", "rated_kw", "ratedpower", "power_kw", "power"),
    "station_id": ("ocpp站点编号", "站点编号", "充电站编号", "station_id", "ocpp_station_id", "stationid"),
}
#: The headers of a written pile list (the template), per language.
TEMPLATE_HEADERS: dict[str, tuple[str, ...]] = {
    "zh": ("停车场编号", "桩编号", "交流/直流", "额定功率(kW)", "OCPP站点编号"),
    "en": ("car_park_id", "pile_id", "current", "rated_kw", "station_id"),
}
_REQUIRED = ("car_park_id", "pile_id", "current", "rated_kw")
_CURRENTS: dict[str, PileCurrent] = {
    "ac": "AC", "交流": "AC", "慢充": "AC", "dc": "DC", "直流": "DC", "快充": "DC",
    "ac+dc": "AC+DC", "ac/dc": "AC+DC", "交直流": "AC+DC", "交直流一体": "AC+DC",
}  # fmt: skip
_UNIT = re.compile(r"[(\[].*?[)\]]")


@dataclass(frozen=True, slots=True)
class Pile:
    """One charging pile of one car park; ``row`` is its row in the list (header = row 1)."""

    car_park_id: str
    pile_id: str
    current: PileCurrent
    rated_kw: float
    station_id: str = ""
    row: int = 0

    @property
    def fast(self) -> bool:
        """A DC (or combined AC+DC) pile rated at 60 kW or more."""
        return self.current != "AC" and self.rated_kw >= FAST_KW


@dataclass(frozen=True, slots=True)
class PileList:
    """The piles read, and the rows that could not be read (the other rows still count)."""

    piles: tuple[Pile, ...]
    errors: tuple[RowError, ...]
    source: str = ""


def normalise(header: object) -> str:
    """A header as compared: NFKC (full-width to ASCII), lower case, no spaces, no bracketed unit.

    Examples
    --------
    >>> normalise("额定功率（ｋＷ）"), normalise(" Rated_KW ")
    ('额定功率', 'rated_kw')
    """
    text = unicodedata.normalize("NFKC", "" if header is None else str(header)).strip().lower()
    return re.sub(r"\s+", "", _UNIT.sub("", text))


_BY_HEADER = {normalise(h): name for name, headers in HEADERS.items() for h in headers}


def _err(row: int, column: str, value: object, en: str, zh: str) -> RowError:
    return RowError(row, f"充电桩清单.{column}", "" if value is None else str(value), en, zh)


def _kw(value: object) -> float | None:
    text = unicodedata.normalize("NFKC", str(value)).strip().lower().replace(",", "")
    text = re.sub(r"(kw|千瓦)$", "", text).strip()
    try:
        kw = float(text)
    except ValueError:
        return None
    return kw if 0 < kw <= 2000 else None


def parse_rows(rows: Iterable[Sequence[Any]], source: str = "") -> PileList:
    """Piles from rows whose first non-blank row is the header."""
    it = iter(rows)
    header: list[str | None] = []
    row_number = 0
    for raw in it:
        row_number += 1
        if any(c not in (None, "") for c in raw):
            header = [_BY_HEADER.get(normalise(c)) for c in raw]
            break
    if not header:
        return PileList((), (), source)  # an empty sheet: no piles listed
    missing = [name for name in _REQUIRED if name not in header]
    if missing:
        wanted = "; ".join(f"{n}: {'/'.join(HEADERS[n][:3])}" for n in missing)
        raise RegisterError(
            f"{source}: pile list lacks the columns {wanted}", f"{source}:充电桩清单缺少列 {wanted}"
        )
    piles: list[Pile] = []
    errors: list[RowError] = []
    seen: set[tuple[str, str]] = set()
    for raw in it:
        row_number += 1
        cells = {name: raw[i] for i, name in enumerate(header) if name and i < len(raw)}
        if all(v in (None, "") for v in cells.values()):
            continue
        pile, problems = _pile(cells, row_number)
        if pile is not None and (pile.car_park_id, pile.pile_id) in seen:
            problems.append(
                _err(
                    row_number,
                    "pile_id",
                    pile.pile_id,
                    "pile listed twice for this car park",
                    "同一停车场的桩编号重复",
                )
            )
            pile = None
        errors.extend(problems)
        if pile is not None:
            seen.add((pile.car_park_id, pile.pile_id))
            piles.append(pile)
    return PileList(tuple(piles), tuple(errors), source)


def _pile(cells: dict[str, Any], row: int) -> tuple[Pile | None, list[RowError]]:
    text = {k: "" if v is None else unicodedata.normalize("NFKC", str(v)).strip() for k, v in cells.items()}
    problems: list[RowError] = []
    for name in ("car_park_id", "pile_id"):
        if not text.get(name):
            problems.append(_err(row, name, "", "missing", "缺少"))
    current = _CURRENTS.get(text.get("current", "").lower().replace(" ", ""))
    if current is None:
        problems.append(
            _err(
                row, "current", cells.get("current"), "expected AC, DC or AC+DC", "应为 交流、直流 或 交直流"
            )
        )
    kw = _kw(cells.get("rated_kw", ""))
    if kw is None:
        problems.append(
            _err(
                row,
                "rated_kw",
                cells.get("rated_kw"),
                "expected a rated power in kW, above 0 and at most 2000 (e.g. 120 or 120kW)",
                "应为额定功率(千瓦),大于0且不超过2000(如 120 或 120kW)",
            )
        )
    if problems or current is None or kw is None:
        return None, problems
    pile = Pile(text["car_park_id"], text["pile_id"], current, kw, text.get("station_id", ""), row)
    return pile, []


def apply_piles(records: Sequence[CarPark], pile_list: PileList) -> tuple[list[CarPark], list[RowError]]:
    """Records with their fast-charger counts taken from the pile list, and the list's unmatched rows.

    Examples
    --------
    >>> from compliance.categories import Category
    >>> cp = CarPark(id="S1", name="服务区", category=Category.OTHER, dc_fast_chargers_60kw=3)
    >>> listed = (Pile("S1", "1", "DC", 120), Pile("S1", "2", "DC", 30), Pile("S1", "3", "AC", 7))
    >>> piles = PileList(listed, ())
    >>> [(r.dc_fast_chargers_60kw, r.piles_listed) for r in apply_piles([cp], piles)[0]]
    [(1, 3)]
    """
    by_park: dict[str, list[Pile]] = {}
    for pile in pile_list.piles:
        by_park.setdefault(pile.car_park_id, []).append(pile)
    known = {cp.id for cp in records}
    errors = [
        _err(
            p.row,
            "car_park_id",
            p.car_park_id,
            "no car park with this id in the register",
            "登记表中无此停车场编号",
        )
        for p in pile_list.piles
        if p.car_park_id not in known
    ]
    out = []
    for cp in records:
        piles = by_park.get(cp.id)
        if piles is None:
            out.append(cp)
            continue
        stations = tuple(dict.fromkeys((*cp.station_ids, *(p.station_id for p in piles if p.station_id))))
        out.append(
            dataclasses.replace(
                cp,
                dc_fast_chargers_60kw=sum(1 for p in piles if p.fast),
                piles_listed=len(piles),
                station_ids=stations,
            )
        )
    return out, errors


# Readers -------------------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return iter(csv.reader(io.StringIO(text)))
    raise UnreadableRegisterError("pile list: not UTF-8 or GBK text", "充电桩清单:不是 UTF-8 或 GBK 文本")


def pile_sheet_rows(
    data: bytes, limits: ImportLimits = DEFAULT_LIMITS, *, first: bool = False
) -> list[list[Any]] | None:
    """Rows of the pile-list sheet of a workbook (the first sheet when ``first``); None when it has none."""
    from openpyxl import load_workbook

    check_zip_directory(data, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a corrupt file
        raise UnreadableRegisterError(
            f"pile list: not a readable workbook ({exc})", "充电桩清单:工作簿无法读取"
        ) from None
    try:
        names = {normalise(n) for n in SHEET_NAMES}
        sheets = (
            workbook.worksheets[:1]
            if first
            else [s for s in workbook.worksheets if normalise(s.title) in names]
        )
        if not sheets or not hasattr(sheets[0], "iter_rows"):
            return None
        sheet = sheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()
        rows: list[list[Any]] = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > limits.max_rows + 1:
                raise RegisterError(
                    f"pile list: more than {limits.max_rows:,} rows",
                    f"充电桩清单:超过 {limits.max_rows:,} 行",
                )
        return rows
    finally:
        workbook.close()


def read_pile_file(path: Path | str, limits: ImportLimits = DEFAULT_LIMITS) -> PileList:
    """The pile list of a separate file (``--piles``): CSV, or XLSX (its pile sheet, else its first sheet)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegisterError(
            f"{path}: cannot be read: {exc.strerror}", f"{path}:无法读取:{exc.strerror}"
        ) from exc
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return parse_rows(_csv_rows(data), path.name)
    if suffix in (".xlsx", ".xlsm"):
        rows = pile_sheet_rows(data, limits) or pile_sheet_rows(data, limits, first=True) or []
        return parse_rows(rows, path.name)
    raise RegisterError(f"{path}: pile list must be .csv or .xlsx", f"{path}:充电桩清单须为 .csv 或 .xlsx")


def read_register_with_piles(
    data: bytes, filename: str, new_since: date = DEFAULT_NEW_SINCE, limits: ImportLimits = DEFAULT_LIMITS
) -> ImportResult:
    """:func:`compliance.register_files.read_register_bytes`, then the workbook's pile-list sheet applied."""
    result = read_register_bytes(data, filename, new_since, limits)
    if Path(filename).suffix.lower() not in (".xlsx", ".xlsm"):
        return result
    pile_list = read_workbook_piles(data, filename, limits)
    if pile_list is None:
        return result
    records, unmatched = apply_piles(result.records, pile_list)
    return ImportResult(
        records,
        [*result.errors, *pile_list.errors, *unmatched],
        result.rows_read,
        result.mapping,
        result.source_rows,
    )


def read_workbook_piles(data: bytes, source: str, limits: ImportLimits = DEFAULT_LIMITS) -> PileList | None:
    """The pile-list sheet of the register workbook itself, or None when it has no such sheet."""
    rows = pile_sheet_rows(data, limits)
    return None if rows is None else parse_rows(rows, source)
