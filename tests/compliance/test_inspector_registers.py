"""Issue 15: registers written the way inspectors write them, read and judged verdict by verdict.

The sheets are built by :mod:`inspector_sheets` (title rows, merged group headers, vertically merged
headers, natural wording, every cell format); each test checks the column mapping, the values read, and
the verdicts of the Xiangjiang pack, rule by rule.
"""

from __future__ import annotations

import csv
from datetime import date

import pytest
from inspector_sheets import TITLE, gbk_csv, quarterly_ledger, two_row_header

from compliance.categories import CATEGORY_SYNONYMS, Category
from compliance.cells import parse_cell
from compliance.cli import main
from compliance.errors import Effect, UnreadableRegisterError
from compliance.evaluate import evaluate
from compliance.headers import HEADER_SYNONYMS, match_header
from compliance.importers import ImportResult, read_rows
from compliance.packs import get_pack
from compliance.register_files import read_register_bytes
from compliance.schema import Kind

NA = ("not_applicable", None, None, None)


def _verdicts(result: ImportResult) -> dict[tuple[str, str], tuple[str, int | None, int | None, int | None]]:
    pack = get_pack("xiangjiang-2023")
    out = {}
    for cp in result.records:
        for v in evaluate(cp, [pack]).verdicts:
            out[(cp.id, v.rule_id)] = (v.status.value, v.required, v.provided, v.shortfall)
    return out


def _mapped(result: ImportResult) -> dict[str, str | None]:
    assert result.mapping is not None
    return {c.letter: c.key for c in result.mapping.columns}


def test_a_quarterly_ledger_with_title_and_merged_group_headers():
    result = read_register_bytes(quarterly_ledger(), "台账.xlsx")
    mapping = result.mapping
    assert mapping is not None
    assert (mapping.header_rows, mapping.skipped_rows) == ((2, 3), (1,))
    assert _mapped(result) == {
        "A": "id",
        "B": "name",
        "C": "district",
        "D": "category",
        "E": "is_public",
        "F": "is_new",
        "G": "total_spaces",
        "H": "spaces_with_chargers",
        "I": "spaces_reserved",
        "J": "dc_fast_chargers_60kw",
        "K": "on_trunk_road",
        "L": "approval_date",
        "M": None,
        "N": None,
    }
    assert mapping.columns[9].header == "快充 / 桩数(≥60kW)"  # matched with its group header
    assert mapping.warnings() == []  # 备注 and 联系人 are ignored, and rightly not warned about
    # The total row and the signature line are no car parks; the title is skipped, and each is said.
    assert [(e.row, e.effect) for e in result.errors] == [
        (1, Effect.NOTE),
        (10, Effect.NOTE),
        (11, Effect.NOTE),
    ]
    assert TITLE in result.errors[0].value
    records = {cp.id: cp for cp in result.records}
    assert list(records) == ["1", "2", "3", "4", "5", "6"]
    one, three, four, five, six = (records[i] for i in "13456")
    assert (one.category, one.is_public, one.total_spaces, one.spaces_with_chargers, one.spaces_reserved) == (
        Category.CULTURAL_TOURISM,
        True,
        1200,
        40,
        150,
    )
    assert (three.category, three.total_spaces, three.dc_fast_chargers_60kw, three.on_trunk_road) == (
        Category.EXPRESSWAY_SERVICE_AREA,
        200,
        0,
        True,
    )
    assert [records[i].approval_date for i in "123456"] == [
        date(2015, 3, 1),
        date(2016, 5, 4),
        date(2024, 3, 15),
        date(2024, 3, 15),
        None,
        date(2019, 6, 1),
    ]
    assert (four.category, four.is_new, five.is_new, six.category, six.total_spaces) == (
        Category.RESIDENTIAL,
        True,
        None,
        Category.CULTURAL_TOURISM,
        None,
    )
    v = _verdicts(result)
    assert v[("1", "XJ-PUBLIC-30")] == ("non_compliant", 360, 190, 170)
    assert v[("1", "XJ-TRUNK-FAST")] == NA
    assert v[("2", "XJ-PUBLIC-30")] == ("non_compliant", 30, 25, 5)  # 机关单位 is a public institution
    assert v[("3", "XJ-PUBLIC-30")] == ("compliant", 60, 60, 0)
    assert v[("3", "XJ-TRUNK-FAST")] == ("non_compliant", 1, 0, 1)
    assert v[("4", "XJ-PUBLIC-30")] == NA
    assert v[("4", "XJ-RESIDENTIAL-100")] == ("insufficient_data", None, None, None)  # no dedicated column
    # 是否新建 blank: not rejected, and the 30% rule (new and existing alike) still judges it.
    assert v[("5", "XJ-PUBLIC-30")] == ("non_compliant", 90, 60, 30)
    # The total is blank: the car park stays, with insufficient data.
    assert v[("6", "XJ-PUBLIC-30")] == ("insufficient_data", None, None, None)


def test_a_gbk_csv_with_other_wording_every_date_form_and_an_unmapped_column():
    result = read_register_bytes(gbk_csv(), "register.csv")
    assert result.mapping is not None and result.mapping.header_rows == (1,)
    mapped = _mapped(result)
    assert (mapped["F"], mapped["H"], mapped["K"], mapped["M"]) == (
        "is_new",
        "total_spaces",
        "dc_fast_chargers_60kw",
        "dedicated_spaces",
    )
    assert (mapped["N"], mapped["O"]) == (None, None)
    (warning,) = result.mapping.warnings("zh")
    assert warning.startswith(
        "列 N「慢充桩数(个)」看起来与检查有关,但未被识别,已忽略"
    )  # 联系电话: no warning
    assert result.errors == [] and result.has_problems  # the warning alone is a problem to look at
    records = {cp.id: cp for cp in result.records}
    assert [cp.approval_date for cp in records.values()] == [
        date(2019, 6, 1),
        date(2024, 5, 20),
        date(2024, 3, 15),
        date(2019, 6, 1),
        date(2024, 3, 15),
    ]
    assert [cp.category for cp in records.values()] == [
        Category.SOCIAL_PUBLIC,
        Category.RESIDENTIAL,
        Category.CULTURAL_TOURISM,
        Category.PUBLIC_INSTITUTION,
        Category.RESIDENTIAL,
    ]
    assert [(cp.is_public, cp.is_new) for cp in records.values()] == [
        (True, False),
        (False, True),
        (True, True),
        (False, False),
        (False, True),  # YL-05: new by its date
    ]
    v = _verdicts(result)
    assert v[("YL-01", "XJ-PUBLIC-30")] == ("non_compliant", 300, 250, 50)
    assert v[("YL-02", "XJ-RESIDENTIAL-100")] == ("non_compliant", 200, 160, 40)
    assert v[("YL-02", "XJ-PUBLIC-30")] == NA
    assert v[("YL-03", "XJ-PUBLIC-30")] == ("compliant", 27, 27, 0)
    assert v[("YL-04", "XJ-PUBLIC-30")] == ("compliant", 15, 15, 0)
    assert v[("YL-04", "XJ-TRUNK-FAST")] == ("non_compliant", 1, 0, 1)
    assert v[("YL-05", "XJ-RESIDENTIAL-100")] == ("non_compliant", 100, 0, 100)


def test_a_two_row_header_with_vertical_merges_a_repeated_header_and_bad_cells():
    result = read_register_bytes(two_row_header(), "检查表.xlsx")
    mapping = result.mapping
    assert mapping is not None and (mapping.header_rows, mapping.skipped_rows) == ((2, 3), (1,))
    assert _mapped(result) == {
        "A": "id",
        "B": "name",
        "C": "category",
        "D": "is_public",
        "E": "total_spaces",
        "F": "spaces_with_chargers",
        "G": "dc_fast_chargers_60kw",
        "H": "approval_date",
        "I": None,
        "J": "underground_levels",
    }
    assert mapping.warnings("en")[0].startswith("column I '充电桩编号' looks relevant but was not recognised")
    problems = [(e.row, e.column, e.effect) for e in result.errors]
    assert problems == [
        (1, "", Effect.NOTE),  # 填报单位… above the header
        (6, "approval_date", Effect.VALUE_IGNORED),  # 2023年13月1日: exactly one error, no "missing date"
        (7, "", Effect.NOTE),  # the header repeated for the second printed page
        (8, "category", Effect.VALUE_IGNORED),  # 公园 is no category
        (9, "id", Effect.NOTE),  # no id: the name is used
        (10, "id", Effect.ROW_REJECTED),  # neither id nor name
    ]
    assert "2024年3月15日" in result.errors[1].message_zh  # the message lists the accepted forms
    assert "住宅小区(住宅、小区" in result.errors[3].message_zh
    records = {cp.id: cp for cp in result.records}
    assert list(records) == ["XS-1", "XS-2", "XS-3", "XS-4", "无编号停车场"]
    assert (records["XS-1"].total_spaces, records["XS-1"].spaces_with_chargers) == (80, 24)  # full-width
    assert records["XS-1"].approval_date == date(2019, 6, 1)  # the Excel serial 43617
    assert records["XS-2"].approval_date == date(2020, 1, 8)
    assert records["XS-4"].category is Category.UNKNOWN
    v = _verdicts(result)
    assert v[("XS-1", "XJ-PUBLIC-30")] == ("compliant", 24, 24, 0)  # the blank reserved count cannot matter
    assert v[("XS-1", "XJ-TRUNK-FAST")] == ("compliant", 1, 1, 0)
    assert v[("XS-2", "XJ-PUBLIC-30")] == ("insufficient_data", 12, 8, None)  # no reserved column
    assert v[("XS-2", "XJ-TRUNK-FAST")][0] == "insufficient_data"  # no trunk-road column
    assert v[("XS-3", "XJ-PUBLIC-30")][0] == "insufficient_data"  # blank total
    # open to the public, category unknown: a residential compound would be outside XJ-PUBLIC-30
    assert v[("XS-4", "XJ-PUBLIC-30")][0] == "insufficient_data"
    assert v[("XS-4", "XJ-RESIDENTIAL-100")] == NA  # existing by its date, whatever the category
    assert v[("无编号停车场", "XJ-PUBLIC-30")] == ("compliant", 6, 6, 0)


def test_the_cli_prints_the_mapping_warns_and_lists_each_gap_in_errors_csv(tmp_path, capsys):
    register = tmp_path / "检查表.xlsx"
    register.write_bytes(two_row_header())
    out = tmp_path / "out"
    code = main(
        ["check", str(register), "--out", str(out), "--issued", "2025-10-08", "--notice-format", "html"]
    )
    printed = capsys.readouterr().out
    assert code == 1  # a rejected row, unreadable values and an unmapped relevant column
    assert "列映射(表头在第2、3行)" in printed
    assert "已建充电桩车位数" in printed and "已建充电设施车位数 (spaces_with_chargers)" in printed
    assert "⚠ 警告: 列 I「充电桩编号」看起来与检查有关,但未被识别,已忽略" in printed
    assert "第6行 H 审批日期列: 应为日期" in printed
    rows = list(csv.DictReader((out / "errors.csv").open(encoding="utf-8-sig")))
    by_cell = {(r["row"], r["field"]): r for r in rows}
    gap = by_cell[("5", "spaces_reserved")]
    assert (gap["column"], gap["effect"]) == ("(预留安装条件车位数)", "insufficient_data")
    assert "XJ-PUBLIC-30" in gap["message_en"] and "资料不足" in gap["message_zh"]
    total = by_cell[("6", "total_spaces")]
    assert (total["column"], total["effect"]) == ("E 总车位数", "insufficient_data")
    assert by_cell[("6", "approval_date")]["effect"] == "value_ignored"
    assert [r["field"] for r in rows if r["row"] == "6"].count("approval_date") == 1
    assert by_cell[("10", "id")]["effect"] == "row_rejected"
    verdicts = list(csv.DictReader((out / "verdicts.csv").open(encoding="utf-8-sig")))
    assert {r["id"] for r in verdicts} == {"XS-1", "XS-2", "XS-3", "XS-4", "无编号停车场"}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "列映射 · Column mapping" in html and "充电桩编号" in html and "looks relevant" in html


def test_the_cli_exit_codes_clean_ledger_0_no_header_2(tmp_path, capsys):
    ledger = tmp_path / "台账.xlsx"
    ledger.write_bytes(quarterly_ledger())
    assert main(["check", str(ledger), "--out", str(tmp_path / "a"), "--notice-format", "html"]) == 0
    assert "表头在第2、3行" in capsys.readouterr().out
    nothing = tmp_path / "notes.csv"
    nothing.write_text("会议纪要\n今天检查了三个停车场\n", encoding="utf-8")
    assert main(["check", str(nothing), "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert "找不到表头" in err and "第一行为:会议纪要" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("序号", "id"),
        ("停车场名称", "name"),
        ("总车位数(个)", "total_spaces"),
        ("总车位数（辆）", "total_spaces"),
        ("车位总数 (个)", "total_spaces"),
        ("已建充电桩车位数", "spaces_with_chargers"),
        ("预留车位数", "spaces_reserved"),
        ("快充桩数(≥60kW)", "dc_fast_chargers_60kw"),
        ("快充桩数（≥60KW）", "dc_fast_chargers_60kw"),
        ("快充桩数(>=60kW)", "dc_fast_chargers_60kw"),
        ("60kW及以上直流快充桩数", "dc_fast_chargers_60kw"),
        ("快充桩数(60千瓦及以上)", "dc_fast_chargers_60kw"),
        ("单桩功率(kW)", "charger_power_kw"),
        ("是 否 新 建", "is_new"),
        ("*编号", "id"),
        ("规划审批日期(年-月-日)", "approval_date"),
        ("is_public", "is_public"),
        ("Total_Spaces", "total_spaces"),
        ("Total Spaces", "total_spaces"),
        ("spaces-with-chargers", "spaces_with_chargers"),
        ("经度", "lon"),
        ("ｌａｔ", "lat"),
    ],
)
def test_headers_match_after_normalisation(header, key):
    match = match_header(header)
    assert match is not None and match[0] == key


def test_a_plain_fast_charger_count_without_60kw_is_not_taken_for_the_60kw_count():
    assert match_header("快充桩数") is None  # reported as an unmapped relevant column instead


def test_the_synonym_tables_are_unambiguous():
    from compliance.columns import COLUMNS
    from compliance.normalise import normalise_header

    claimed: dict[str, set[str]] = {}
    for column in COLUMNS:
        for name in (column.key, column.zh, *column.aliases):
            claimed.setdefault(normalise_header(name), set()).add(column.key)
    assert {h: keys for h, keys in claimed.items() if len(keys) > 1} == {}
    assert len(HEADER_SYNONYMS) > 200
    words: dict[str, set[Category]] = {}
    for category, synonyms in CATEGORY_SYNONYMS.items():
        for word in synonyms:
            words.setdefault(normalise_header(word), set()).add(category)
    assert {w: c for w, c in words.items() if len(c) > 1} == {}


@pytest.mark.parametrize(
    ("kind", "cell", "value"),
    [
        (Kind.INT, "1,200", 1200),
        (Kind.INT, "40个", 40),
        (Kind.INT, "１５０", 150),
        (Kind.INT, " 12 辆", 12),
        (Kind.INT, 30.0, 30),
        (Kind.INT, "无", 0),
        (Kind.INT, "/", None),
        (Kind.INT, "—", None),
        (Kind.FLOAT, "120kW", 120.0),
        (Kind.FLOAT, "1,250 kVA", 1250.0),
        (Kind.DATE, "2019/6/1", date(2019, 6, 1)),
        (Kind.DATE, "2024.5.20", date(2024, 5, 20)),
        (Kind.DATE, "2024年3月15日", date(2024, 3, 15)),
        (Kind.DATE, "2019-06-01", date(2019, 6, 1)),
        (Kind.DATE, "２０１９－０６－０１", date(2019, 6, 1)),
        (Kind.DATE, 43617, date(2019, 6, 1)),
        (Kind.DATE, "2019-06-01 00:00:00", date(2019, 6, 1)),
        (Kind.DATE, "20240315", date(2024, 3, 15)),
        (Kind.BOOL, "√", True),
        (Kind.BOOL, "×", False),
        (Kind.BOOL, "有", True),
        (Kind.BOOL, "无", False),
        (Kind.BOOL, "Y", True),
        (Kind.BOOL, "n", False),
        (Kind.BOOL, "TRUE", True),
        (Kind.BOOL, "是", True),
        (Kind.BOOL, 1, True),
        (Kind.BOOL, "否", False),
        (Kind.CATEGORY, "景区", Category.CULTURAL_TOURISM),
        (Kind.CATEGORY, "机关单位", Category.PUBLIC_INSTITUTION),
        (Kind.CATEGORY, "高速服务区", Category.EXPRESSWAY_SERVICE_AREA),
        (Kind.CATEGORY, "住宅", Category.RESIDENTIAL),
        (Kind.CATEGORY, "小区", Category.RESIDENTIAL),
        (Kind.CATEGORY, "社会公共停车场", Category.SOCIAL_PUBLIC),
        (Kind.CATEGORY, " Residential ", Category.RESIDENTIAL),
        (Kind.CATEGORY, "景区停车场", Category.CULTURAL_TOURISM),
        (Kind.IDS, "CS-1；CS-2、CS-3", ("CS-1", "CS-2", "CS-3")),
    ],
)
def test_cells_as_inspectors_type_them(kind, cell, value):
    assert parse_cell(kind, cell) == value


@pytest.mark.parametrize(
    ("kind", "cell"),
    [
        (Kind.INT, "约50"),
        (Kind.INT, "1,20"),
        (Kind.INT, "2.5"),
        (Kind.DATE, "2024-02-30"),
        (Kind.DATE, "去年"),
        (Kind.BOOL, "也许"),
        (Kind.CATEGORY, "停车楼"),
    ],
)
def test_cells_that_cannot_be_read_are_refused(kind, cell):
    from compliance.cells import CellError

    with pytest.raises(CellError):
        parse_cell(kind, cell)


def test_a_sheet_without_any_header_is_unreadable():
    with pytest.raises(UnreadableRegisterError, match="no header row found"):
        read_rows([["会议纪要"], ["a", "b", "c"]])


def test_the_docs_list_every_synonym_and_the_tables_sizes():
    from pathlib import Path

    from compliance.columns import CATEGORY_ALIASES, COLUMNS

    root = Path(__file__).resolve().parents[2]
    docs = (root / "docs" / "compliance.md").read_text(encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert [a for c in COLUMNS for a in c.aliases if a not in docs] == []
    assert [w for words in CATEGORY_SYNONYMS.values() for w in words if w not in docs] == []
    docs, readme = " ".join(docs.split()), " ".join(readme.split())
    assert f"{len(HEADER_SYNONYMS)} distinct normalised headers" in docs
    assert f"{len(CATEGORY_ALIASES)} accepted words for 11 categories" in docs
    headers, words = len(HEADER_SYNONYMS), len(CATEGORY_ALIASES)
    assert f"{headers} normalised headers for {len(COLUMNS)} columns and {words} category words" in readme


def test_an_instructions_sheet_before_the_register_is_passed_over():
    from inspector_sheets import instructions_first

    result = read_register_bytes(instructions_first(), "台账.xlsx")
    mapping = result.mapping
    assert mapping is not None and (mapping.sheet, mapping.header_rows) == ("台账", (2, 3))
    assert _verdicts(result) == _verdicts(read_register_bytes(quarterly_ledger(), "台账.xlsx"))
    assert len(result.records) == 6


def test_a_street_office_form_with_line_breaks_in_headers_and_shuffled_columns():
    from inspector_sheets import street_office_form

    result = read_register_bytes(street_office_form(), "摸排表.xlsx")
    mapping = result.mapping
    assert mapping is not None and (mapping.header_rows, mapping.skipped_rows) == ((4,), (1, 2, 3))
    assert _mapped(result) == {
        "A": "total_spaces",
        "B": "name",
        "C": "id",
        "D": "category",
        "E": "is_new",
        "F": "dedicated_spaces",
        "G": "spaces_with_chargers",
        "H": "spaces_reserved",
        "I": None,  # 快充桩数 without 60 kW: not taken for the ≥ 60 kW count, and said
        "J": "completion_date",
    }
    assert mapping.warnings("en")[0].startswith("column I '快充桩数' looks relevant")
    assert [(e.row, e.effect) for e in result.errors] == [(1, Effect.NOTE), (2, Effect.NOTE)]
    records = {cp.id: cp for cp in result.records}
    assert list(records) == ["1", "2", "3", "4"]  # 1.0 from Excel is the id "1"
    assert [cp.category for cp in records.values()] == [
        Category.RESIDENTIAL,
        Category.COMMERCIAL,
        Category.PUBLIC_INSTITUTION,
        Category.RESIDENTIAL,
    ]
    assert [cp.completion_date for cp in records.values()] == [
        date(2025, 1, 5),
        date(2016, 12, 30),
        date(2012, 9, 9),
        date(2025, 6, 30),
    ]
    assert all(cp.dc_fast_chargers_60kw is None for cp in records.values())
    v = _verdicts(result)
    assert v[("1", "XJ-RESIDENTIAL-100")] == ("compliant", 60, 60, 0)
    assert v[("2", "XJ-PUBLIC-30")][0] == "insufficient_data"  # commercial: open to the public? not said
    assert v[("3", "XJ-PUBLIC-30")] == ("compliant", 36, 36, 0)  # 事业单位 is a public institution
    assert v[("4", "XJ-RESIDENTIAL-100")] == ("non_compliant", 60, 59, 1)
