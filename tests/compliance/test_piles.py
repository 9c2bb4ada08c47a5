"""The pile list: fast chargers counted pile by pile (DC, rated >= 60 kW), as a CSV, a sheet of the
register workbook, or a separate workbook; a pre-counted column stays, reported as self-declared."""

from __future__ import annotations

import csv
import io

import pytest
from cp_builders import make_car_park
from openpyxl import Workbook

from compliance.cli import main
from compliance.errors import RegisterError
from compliance.evaluate import Status, evaluate_rule
from compliance.explain import explain
from compliance.packs import get_pack
from compliance.piles import apply_piles, parse_rows, read_register_with_piles

TRUNK = get_pack("xiangjiang-2023").rule("XJ-TRUNK-FAST")


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_only_dc_piles_of_at_least_60_kw_count():
    piles = parse_rows(
        _rows(
            "停车场编号,桩编号,交流/直流,额定功率(kW),OCPP站点编号\n"
            "S1,1,直流,120,CS-1\n"
            "S1,2,DC,60kW,CS-2\n"  # exactly 60 kW counts (不低于60千瓦)
            "S1,3,DC,59.9,\n"  # just below does not
            "S1,4,交流,７,\n"  # AC never counts; full-width digits
            "S1,5,交直流,160,\n"  # a combined pile delivers DC
        )
    )
    assert piles.errors == ()
    cp = make_car_park(id="S1", on_trunk_road=True, dc_fast_chargers_60kw=9, station_ids=("CS-0",))
    [counted], unmatched = apply_piles([cp], piles)
    assert unmatched == []
    assert (counted.dc_fast_chargers_60kw, counted.piles_listed) == (3, 5)
    assert counted.station_ids == ("CS-0", "CS-1", "CS-2")
    v = evaluate_rule(counted, TRUNK)
    assert v.status is Status.COMPLIANT and not v.self_declared
    assert "据充电桩清单核计" in explain(v, "zh")


def test_a_declared_count_the_pile_list_contradicts_fails():
    piles = parse_rows(_rows("car_park_id,pile_id,current,rated_kw\nS1,A,AC,7\nS1,B,DC,30\n"))
    [counted], _ = apply_piles([make_car_park(id="S1", on_trunk_road=True, dc_fast_chargers_60kw=2)], piles)
    v = evaluate_rule(counted, TRUNK)
    assert (v.status, v.provided, v.shortfall) == (Status.NON_COMPLIANT, 0, 1)


def test_bad_rows_are_reported_and_the_others_count():
    piles = parse_rows(
        _rows(
            "编号,桩编号,类型,功率\n"
            "S1,1,DC,120\n"
            "S1,1,DC,120\n"  # the same pile twice
            "S1,2,快慢,120\n"
            "S1,3,DC,-5\n"
            "S9,1,DC,120\n"  # no such car park
        )
    )
    assert [(e.row, e.column) for e in piles.errors] == [
        (3, "充电桩清单.pile_id"),
        (4, "充电桩清单.current"),
        (5, "充电桩清单.rated_kw"),
    ]
    records, unmatched = apply_piles([make_car_park(id="S1")], piles)
    assert records[0].dc_fast_chargers_60kw == 1
    assert [(e.row, e.message_zh) for e in unmatched] == [(6, "登记表中无此停车场编号")]


def test_a_pile_list_without_its_columns_names_them():
    with pytest.raises(RegisterError, match="rated_kw"):
        parse_rows(_rows("停车场编号,桩编号,交流/直流\nS1,1,DC\n"), "p.csv")


def _workbook_with_pile_sheet() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "停车场"
    ws.append(["编号", "名称", "类别", "是否新建", "位于干线公路沿线", "总车位数", "预留安装条件车位数"])
    ws["H1"] = "60kW及以上直流快充桩数"
    ws["I1"] = "已建充电设施车位数"  # every column the importer expects: exit 0 when the piles are in order
    ws.append(["S1", "服务区甲", "expressway_service_area", "否", "是", 40, 12, 4, 4])
    ws.append(["S2", "服务区乙", "expressway_service_area", "否", "是", 40, 12, 1, 1])
    piles = wb.create_sheet("充电桩清单")
    piles.append(["停车场编号", "桩编号", "交流/直流", "额定功率(kW)"])
    piles.append(["S1", "P1", "交流", 7])
    piles.append(["S1", "P2", "直流", 30])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_register_workbooks_pile_sheet_is_applied_on_import():
    result = read_register_with_piles(_workbook_with_pile_sheet(), "register.xlsx")
    by_id = {cp.id: cp for cp in result.records}
    assert (by_id["S1"].dc_fast_chargers_60kw, by_id["S1"].piles_listed) == (0, 2)  # declared 4, counted 0
    assert (by_id["S2"].dc_fast_chargers_60kw, by_id["S2"].piles_listed) == (1, None)  # self-declared


def test_cli_counts_from_the_pile_sheet_and_from_a_separate_file(tmp_path, capsys):
    register = tmp_path / "register.xlsx"
    register.write_bytes(_workbook_with_pile_sheet())
    out = tmp_path / "out"
    args = ["check", str(register), "--lang", "zh", "--out", str(out), "--issued", "2026-12-01"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "充电桩清单 register.xlsx:2 台桩,涉及 1 个停车场" in printed
    rows = list(csv.DictReader((out / "verdicts.csv").open(encoding="utf-8-sig")))
    trunk = {r["id"]: r for r in rows if r["rule_id"] == "XJ-TRUNK-FAST"}
    assert trunk["S1"]["verdict"] == "non_compliant" and "据充电桩清单核计" in trunk["S1"]["provided_detail"]
    assert trunk["S2"]["verdict"] == "compliant" and "台账自报" in trunk["S2"]["provided_detail"]

    separate = tmp_path / "piles.csv"
    separate.write_text("car_park_id,pile_id,current,rated_kw\nS1,9,DC,120\nS3,1,DC,120\n", encoding="utf-8")
    assert main([*args, "--piles", str(separate)]) == 1  # S3 is no car park of the register
    rows = list(csv.DictReader((out / "verdicts.csv").open(encoding="utf-8-sig")))
    assert {r["id"]: r["verdict"] for r in rows if r["rule_id"] == "XJ-TRUNK-FAST"}["S1"] == "compliant"
    errors = (out / "errors.csv").read_text(encoding="utf-8-sig")
    assert "充电桩清单.car_park_id" in errors and "S3" in errors
