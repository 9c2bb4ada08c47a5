"""CSV and XLSX registers: Chinese and English headers, booleans, station ids, and row/column errors."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from compliance.categories import Category
from compliance.errors import ComplianceError, Effect, UnreadableRegisterError
from compliance.importers import read_rows
from compliance.register_files import read_csv_bytes, read_register, read_register_bytes
from compliance.template import headers, write_template

ISSUE_HEADERS = (
    "id, name, district, category, is_public, is_new, total_spaces, dedicated_spaces, spaces_with_chargers, "
    "spaces_reserved, dc_fast_chargers_60kw, on_trunk_road, station_ids"
)


def _csv(*rows: str) -> bytes:
    return ("\n".join([ISSUE_HEADERS.replace(", ", ","), *rows]) + "\n").encode("utf-8")


def test_issue_english_headers_are_accepted_exactly():
    result = read_csv_bytes(
        _csv(
            "P1,梅溪湖停车场,岳麓区,social_public,true,false,100,0,20,10,0,false,CS-001;CS-002",
            "P2,洋湖小区,岳麓区,residential,否,是,120,80,0,80,,否,",
        )
    )
    assert result.errors == []
    assert result.rows_read == 2
    p1, p2 = result.records
    assert (p1.category, p1.is_public, p1.is_new, p1.total_spaces, p1.spaces_with_chargers) == (
        Category.SOCIAL_PUBLIC,
        True,
        False,
        100,
        20,
    )
    assert p1.station_ids == ("CS-001", "CS-002")
    assert (p1.address, p1.street) == ("", "")  # blank text is "", as on a record built in code
    assert (p2.is_public, p2.is_new, p2.dedicated_spaces, p2.dc_fast_chargers_60kw, p2.station_ids) == (
        False,
        True,
        80,
        None,
        (),
    )


IGNORED = Effect.VALUE_IGNORED


@pytest.mark.parametrize(
    ("row", "column", "needle", "effect"),
    [
        (
            "P3,x,岳麓区,parking_lot,true,false,10,0,0,0,0,false,",
            "category",
            "unknown category 'parking_lot'",
            IGNORED,
        ),
        ("P3,x,岳麓区,other,true,false,-5,0,0,0,0,false,", "total_spaces", "must not be negative", IGNORED),
        (  # past any car park, and past the database's integers (the API fuzzer found the overflow)
            "P3,x,岳麓区,other,true,false,99999999999999999999,0,0,0,0,false,",
            "total_spaces",
            "must be 0 to 1,000,000",
            IGNORED,
        ),
        (
            "P3,x,岳麓区,other,true,false,ten,0,0,0,0,false,",
            "total_spaces",
            "expected a whole number",
            IGNORED,
        ),
        (
            "P3,x,岳麓区,other,true,false,10,0,0,2.5,0,false,",
            "spaces_reserved",
            "expected a whole number",
            IGNORED,
        ),
        (
            "P3,x,岳麓区,other,true,false,10,0,12,0,0,false,",
            "spaces_with_chargers",
            "more spaces with chargers",
            IGNORED,
        ),
        ("P3,x,岳麓区,other,true,false,10,0,6,6,0,false,", "spaces_reserved", "exceed spaces", IGNORED),
        (
            "P3,x,岳麓区,other,true,false,10,11,0,0,0,false,",
            "dedicated_spaces",
            "more dedicated spaces",
            IGNORED,
        ),
        ("P3,x,岳麓区,other,maybe,false,10,0,0,0,0,false,", "is_public", "expected yes or no", IGNORED),
        (
            "P1,dup,岳麓区,other,true,false,10,0,0,0,0,false,",
            "id",
            "duplicate id (first on row 2)",
            Effect.ROW_REJECTED,
        ),
        (",,岳麓区,other,true,false,10,0,0,0,0,false,", "id", "neither id nor name", Effect.ROW_REJECTED),
        (
            ",P3,岳麓区,other,true,false,10,0,0,0,0,false,",
            "id",
            "no id: 'P3' (the name) is used",
            Effect.NOTE,
        ),
    ],
)
def test_a_bad_value_is_named_and_read_as_blank_only_unidentifiable_rows_are_left_out(
    row, column, needle, effect
):
    result = read_csv_bytes(
        _csv(
            "P1,ok,岳麓区,other,true,false,10,0,0,0,0,false,",
            row,
            "P4,ok too,岳麓区,other,true,false,10,0,0,0,0,false,",
        )
    )
    kept = ["P1", "P4"] if effect is Effect.ROW_REJECTED else ["P1", "P3", "P4"]
    assert [r.id for r in result.records] == kept
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column, error.effect) == (3, column, effect)
    assert needle in error.message_en
    letter = "ABCDEFGHIJKLM"[ISSUE_HEADERS.replace(" ", "").split(",").index(column)]
    assert error.header == f"{letter} {column}"
    assert error.message("zh").startswith(f"第3行 {letter} {column}列")
    assert error.message("en").startswith(f"row 3, column {letter} {column}: ")
    if effect is Effect.VALUE_IGNORED:
        p3 = result.records[1]
        assert getattr(p3, column) == (Category.UNKNOWN if column == "category" else None)


def test_blank_is_new_without_a_date_is_no_error_the_rules_that_need_it_say_insufficient_data():
    result = read_csv_bytes(_csv("P3,x,岳麓区,social_public,true,,10,0,3,0,0,false,"))
    assert result.errors == []
    (p3,) = result.records
    assert p3.is_new is None


def test_is_new_is_derived_from_the_approval_date_when_blank():
    data = (
        b"id,name,category,total_spaces,approval_date,completion_date\n"
        b"A,a,other,10,2024-01-15,2025-03-01\n"
        b"B,b,other,10,2019/05/01,\n"
        b"C,c,other,10,2024-01-15,2023-01-01\n"
    )
    result = read_csv_bytes(data, new_since=date(2023, 9, 6))
    assert [(r.id, r.is_new, r.approval_date, r.completion_date) for r in result.records] == [
        ("A", True, date(2024, 1, 15), date(2025, 3, 1)),
        ("B", False, date(2019, 5, 1), None),
        ("C", True, date(2024, 1, 15), None),  # completion before approval: which is wrong is unknown
    ]
    assert [(e.row, e.column) for e in result.errors] == [(4, "completion_date")]


def test_gcj02_coordinates_are_converted_and_flagged():
    data = (
        "id,name,category,is_new,total_spaces,lon,lat,crs\n"
        "G,g,other,否,10,112.9054,28.1965,GCJ-02\nW,w,other,否,10,112.9,28.2,\n"
    ).encode()
    g, w = read_csv_bytes(data).records
    assert g.coords_converted_from_gcj02 and abs(g.lon_deg - 112.9) < 1e-3 and abs(g.lat_deg - 28.2) < 1e-3
    assert not w.coords_converted_from_gcj02 and (w.lon_deg, w.lat_deg) == (112.9, 28.2)


def test_a_missing_category_column_is_a_warning_and_every_category_unknown():
    result = read_csv_bytes(b"id,name,total_spaces\nA,a,3\n")
    assert result.errors == []
    assert [r.category for r in result.records] == [Category.UNKNOWN]
    assert result.mapping is not None and result.mapping.missing == ("category", "spaces_with_chargers")
    assert result.mapping.warnings("zh")[0] == "表中没有“类别”列:需要此项的条款结论为资料不足"
    assert result.has_problems


def test_gbk_csv_from_excel_is_read():
    data = "编号,名称,类别,是否新建,总车位数\nA,岳麓停车场,社会公共停车场,否,20\n".encode("gbk")
    (record,) = read_csv_bytes(data).records
    assert (record.name, record.category, record.total_spaces) == ("岳麓停车场", Category.SOCIAL_PUBLIC, 20)


def test_xlsx_with_chinese_headers_and_native_cell_types(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "编号",
            "名称",
            "区县",
            "类别",
            "是否对外开放",
            "规划审批日期",
            "总车位数",
            "已建充电设施车位数",
            "预留安装条件车位数",
            "位于干线公路沿线",
            "60kW及以上直流快充桩数",
            "关联充电站编号",
        ]
    )
    ws.append(
        [
            1001,
            "高速服务区",
            "望城区",
            "高速公路服务区",
            True,
            date(2024, 2, 1),
            60.0,
            10,
            8,
            "是",
            2,
            "ST-1; ST-2",
        ]
    )
    ws.append([1002, "坏行", "望城区", "other", "否", date(2020, 1, 1), 10, 11, 0, "否", 0, None])
    path = tmp_path / "register.xlsx"
    wb.save(path)
    result = read_register(path)
    record, bad = result.records
    assert record.id == "1001" and record.category is Category.EXPRESSWAY_SERVICE_AREA
    assert (record.is_new, record.total_spaces, record.station_ids) == (True, 60, ("ST-1", "ST-2"))
    assert (bad.id, bad.total_spaces, bad.spaces_with_chargers) == ("1002", 10, None)
    assert [(e.row, e.column, e.header) for e in result.errors] == [
        (3, "spaces_with_chargers", "H 已建充电设施车位数")
    ]


def test_unsupported_format_and_missing_file(tmp_path):
    with pytest.raises(ComplianceError, match="unsupported register format '.ods'"):
        read_register_bytes(b"", "x.ods")
    with pytest.raises(ComplianceError, match="cannot be read"):
        read_register(tmp_path / "nope.csv")
    with pytest.raises(UnreadableRegisterError, match="the sheet is empty"):
        read_rows([])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_template_round_trips_through_the_importer(tmp_path, lang):
    xlsx = write_template(tmp_path / f"template_{lang}.xlsx", lang)
    ws = load_workbook(xlsx).worksheets[0]
    assert [c.value for c in ws[1]] == headers(lang)
    csv_path = write_template(tmp_path / f"template_{lang}.csv", lang)
    assert csv_path.read_text(encoding="utf-8-sig").strip().split(",") == headers(lang)
    result = read_register(csv_path)
    assert (result.records, result.errors, result.rows_read) == ([], [], 0)


def test_current_type_and_fast_chargers_are_checked():
    data = (
        "id,name,category,is_new,total_spaces,spaces_with_chargers,charger_current,dc_fast_chargers_60kw\n"
        "A,a,other,否,10,2,直流,2\n"
        "B,b,other,否,10,2,三相,0\n"
        "C,c,other,否,10,1,ac/dc,2\n"
    ).encode()
    result = read_csv_bytes(data)
    assert [(r.id, r.charger_current, r.dc_fast_chargers_60kw) for r in result.records] == [
        ("A", "DC", 2),
        ("B", None, 0),
        ("C", "AC+DC", None),
    ]
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "charger_current"),
        (4, "dc_fast_chargers_60kw"),
    ]
    assert result.errors[1].message_en == "more DC fast chargers (2) than spaces with chargers (1)"


def test_coordinates_off_the_earth_are_read_as_blank():
    """Found by a random-cell property run: latitude 91 was stored, and every later answer carrying the car
    park (the API's model says -90..90) would have failed on it."""
    sheet = "id,name,total_spaces,lon,lat\nP1,a,10,112.9,91\nP2,b,10,181,28.2\nP3,c,10,112.9,28.2\n"
    result = read_csv_bytes(sheet.encode())
    problems = {(e.row, e.column.split()[-1] if e.column else "", e.message_en) for e in result.errors}
    assert (2, "lat", "must be -90 to 90, got 91.0") in {(r, c, m) for r, c, m in problems}, problems
    assert (3, "lon", "must be -180 to 180, got 181.0") in {(r, c, m) for r, c, m in problems}, problems
    assert [(cp.id, cp.lat_deg) for cp in result.records] == [("P1", None), ("P2", None), ("P3", 28.2)]


def _with_cell_values(book: bytes, values: dict[str, str]) -> bytes:
    """``book`` with the XML text of some number cells replaced (what no spreadsheet program would write)."""
    source, out = zipfile.ZipFile(io.BytesIO(book)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                for placeholder, text in values.items():
                    data = data.replace(f"<v>{placeholder}</v>".encode(), f"<v>{text}</v>".encode())
            target.writestr(item, data)
    return out.getvalue()


def test_a_number_cell_past_any_float_is_one_bad_value():
    """Found by a random-cell property run: a workbook's number cell may hold a number no float can hold, or
    one that reads as infinite (no spreadsheet program writes one; a generated file can). Converting it raised
    out of the reader; now the cell is one value read as blank, named by its row and column, and the other
    rows go through."""
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "name", "total_spaces", "charger_power_kw"])
    ws.append(["P1", "a", 7777001, 60])
    ws.append(["P2", "b", 10, 7777002])
    ws.append(["P3", "c", 12, 120])
    out = io.BytesIO()
    wb.save(out)
    book = _with_cell_values(out.getvalue(), {"7777001": "1" + "0" * 400, "7777002": "1E400"})
    result = read_register_bytes(book, "r.xlsx")
    assert [(cp.id, cp.total_spaces, cp.charger_power_kw) for cp in result.records] == [
        ("P1", None, 60.0), ("P2", 10, None), ("P3", 12, 120.0)
    ]
    bad = sorted((e.row, e.column, e.effect, e.message_en) for e in result.errors)
    assert bad == [
        (2, "total_spaces", IGNORED, f"a whole number out of range: {10**400}"),
        (3, "charger_power_kw", IGNORED, "a number out of range: inf"),
    ]
