"""Hostile registers and hostile names (issue 14, findings 1, 7 and 8), through the library and the CLI."""

from __future__ import annotations

import csv
import io
import time

import pytest
from hostile_files import HEADER, dimension_bomb, row, unreadable, xlsx, zip_bomb
from openpyxl import load_workbook

from compliance.cli import main
from compliance.errors import RegisterLimitError, UnreadableRegisterError
from compliance.limits import ImportLimits, RowBudget
from compliance.register_files import read_register_bytes
from compliance.reports.safe_cells import safe_cell

INJECTION = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("label", list(unreadable()))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unreadable_register_is_one_clear_line_and_exit_2(tmp_path, capsys, label, lang):
    name, data = unreadable()[label]
    path = tmp_path / name
    path.write_bytes(data)
    code = main(["check", str(path), "--lang", lang, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("compliance: 错误: " if lang == "zh" else "compliance: error: ")
    assert str(path) in err


def test_the_unreadable_messages_name_what_is_wrong():
    cases = unreadable()
    messages = {}
    for label, (name, data) in cases.items():
        with pytest.raises((UnreadableRegisterError, RegisterLimitError)) as info:
            read_register_bytes(data, name)
        messages[label] = info.value.message("en")
    assert messages["not a zip"] == "not an XLSX workbook (not a zip archive)"
    assert messages["zip, not xlsx"] == "not a readable XLSX workbook (a part is missing or corrupt)"
    assert messages["utf-16 csv"].startswith("the CSV is UTF-16")
    assert messages["non-gbk bytes"].startswith("the CSV is neither UTF-8 nor GBK text")
    assert messages["huge field"] == "row 2: a cell longer than 32,767 characters (max_cell_chars)"


def test_a_dimension_bomb_is_read_as_the_rows_it_really_has():
    start = time.perf_counter()
    result = read_register_bytes(dimension_bomb(), "bomb.xlsx")
    assert time.perf_counter() - start < 5.0  # padding 1M x 16k cells would take minutes
    assert (result.rows_read, [r.id for r in result.records]) == (1, ["P1"])


def test_a_zip_bomb_is_refused_from_its_directory_before_inflating():
    bomb = zip_bomb(130)
    start = time.perf_counter()
    with pytest.raises(RegisterLimitError) as info:
        read_register_bytes(bomb, "bomb.xlsx")
    assert time.perf_counter() - start < 1.0
    assert info.value.limit == "max_inflated_bytes"
    with pytest.raises(RegisterLimitError) as info:
        read_register_bytes(zip_bomb(20), "bomb.xlsx")  # under the size limit, but 1000:1
    assert info.value.limit == "max_ratio"


def test_rows_cells_and_columns_are_bounded_as_they_stream():
    limits = ImportLimits(max_rows=3)
    read_register_bytes(xlsx([HEADER] + [row(i) for i in range(3)]), "r.xlsx", limits=limits)
    with pytest.raises(RegisterLimitError, match=r"more than 3 data rows \(max_rows\)"):
        read_register_bytes(xlsx([HEADER] + [row(i) for i in range(4)]), "r.xlsx", limits=limits)
    wide = xlsx([HEADER, row(1) + [None] * 2000 + ["x"]])
    with pytest.raises(RegisterLimitError, match="row 2 has 2,014 cells") as info:
        read_register_bytes(wide, "r.xlsx")
    assert info.value.limit == "max_columns"
    with pytest.raises(RegisterLimitError) as info:
        read_register_bytes(xlsx([HEADER, row(1)]), "r.xlsx", limits=ImportLimits(max_cells=20))
    assert info.value.limit == "max_cells"


def test_the_time_limit_is_checked_as_rows_stream():
    now = [0.0]
    budget = RowBudget(ImportLimits(time_limit_s=2.0), clock=lambda: now[0])
    budget.take(1, ("a",))
    now[0] = 2.5
    with pytest.raises(RegisterLimitError) as info:
        budget.take(2, ("b",))
    assert info.value.limit == "time_limit_s"


def test_safe_cells_escape_formula_triggers_and_keep_numbers():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", INJECTION):
        assert safe_cell(text) == "'" + text
    kept = (3, -2.5, True, None, "梅溪湖", "a=b")
    assert [safe_cell(v) for v in kept] == list(kept)


def test_a_formula_name_stays_text_in_every_cli_table(tmp_path):
    register = tmp_path / "r.csv"
    with register.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerow(row(1, name=INJECTION))
        bad = ["P2", "坏", "岳麓区", '=HYPERLINK("http://x")'] + row(2)[4:]
        w.writerow(bad)
    out = tmp_path / "out"
    assert main(["check", str(register), "--out", str(out), "--lang", "en", "--notice-format", "html"]) == 1
    names = {r["name"] for r in csv.DictReader(io.StringIO((out / "verdicts.csv").read_text("utf-8-sig")))}
    assert names == {"'" + INJECTION, "坏"}  # the bad category is read as unknown; the row stays
    sheet = load_workbook(out / "verdicts.xlsx").worksheets[0]
    cells = [c for r in sheet.iter_rows() for c in r if isinstance(c.value, str) and "cmd" in c.value]
    assert cells and all(c.data_type == "s" and c.value == "'" + INJECTION for c in cells)
    errors = list(csv.reader(io.StringIO((out / "errors.csv").read_text("utf-8-sig"))))
    assert {r[3] for r in errors[1:] if r[4] == "value_ignored"} == {"'=HYPERLINK(\"http://x\")"}
