"""Property-based fuzzing of the register reader (issue 14's rule for inspectors' sheets): rows of random
cells, as text in a CSV and as native cells in a workbook, are read and every record evaluated. Whatever
the cells, the reader either refuses the whole file with a :class:`RegisterError` or gives records whose
every number lies within its field's bounds (so that no later answer or store trips over one), and the
evaluator judges each. Bounded for CI; raise ``REGISTER_FUZZ_EXAMPLES`` locally to search harder. Found so
far: latitude 91 stored, and number cells no float holds raising out of the reader."""

from __future__ import annotations

import csv
import io
import os
from typing import Any

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from compliance.errors import RegisterError
from compliance.evaluate import evaluate
from compliance.importers import ImportResult
from compliance.model import CarPark
from compliance.packs import resolve_packs
from compliance.register_files import read_csv_bytes, read_xlsx_bytes
from compliance.schema import Kind, fields_of

EXAMPLES = int(os.environ.get("REGISTER_FUZZ_EXAMPLES", "150"))
HEAD = [
    "id", "name", "district", "category", "is_public", "is_new", "total_spaces", "dedicated_spaces",
    "spaces_with_chargers", "spaces_reserved", "dc_fast_chargers_60kw", "on_trunk_road", "station_ids",
    "approval_date", "completion_date", "charger_power_kw", "lon", "lat", "crs", "dwellings",
    "reserved_capacity_kva", "underground_levels", "charger_current",
]  # fmt: skip
TYPED = st.sampled_from([
    "无", "√", "是", "否", "1,200", "１５０", "40个", "120kW", "2023年9月6日", "45000", "1e400", "-0", "0x10",
    "١٢٣", "  ", "=1+1", "GCJ02", "DC", "AC+DC", "nan", "inf", "91", "-181", "9" * 40,
])  # fmt: skip
TEXT_CELLS = st.one_of(
    st.text(max_size=12), st.integers(-(10**25), 10**25).map(str), st.floats().map(repr), TYPED
)
NATIVE_CELLS = st.one_of(TEXT_CELLS, st.integers(-(10**20), 10**20), st.floats(), st.booleans(), st.none())
NUMBERS = [f for f in fields_of(CarPark) if f.kind in (Kind.INT, Kind.FLOAT)]
PACKS = resolve_packs("xiangjiang-2023")
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _rows(cells: st.SearchStrategy[Any]) -> st.SearchStrategy[list[list[Any]]]:
    return st.lists(st.lists(cells, min_size=len(HEAD), max_size=len(HEAD)), min_size=1, max_size=5)


def _check(result: ImportResult) -> None:
    for cp in result.records:
        for f in NUMBERS:
            value = getattr(cp, f.name)
            if value is not None:
                low = f.spec.ge if f.spec.ge is not None else float("-inf")
                high = f.spec.le if f.spec.le is not None else float("inf")
                assert low <= value <= high, (cp.id, f.name, value)
        evaluate(cp, PACKS)


@FUZZ
@given(rows=_rows(TEXT_CELLS))
def test_any_csv_gives_bounded_records_or_a_register_error(rows: list[list[Any]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEAD)
    writer.writerows(rows)
    try:
        result = read_csv_bytes(out.getvalue().encode())
    except RegisterError:
        return
    _check(result)


@FUZZ
@given(rows=_rows(NATIVE_CELLS))
def test_any_workbook_gives_bounded_records_or_a_register_error(rows: list[list[Any]]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEAD)
    try:
        for row in rows:
            sheet.append(row)
    except IllegalCharacterError:  # a control character no workbook can hold: not a sheet anyone sends
        reject()
    out = io.BytesIO()
    book.save(out)
    try:
        result = read_xlsx_bytes(out.getvalue())
    except RegisterError:
        return
    _check(result)
