"""The import template: register, pile list and instructions sheets, drop-downs whose every value the
importer accepts, and a filled-in template that imports as written (CLI and API)."""

from __future__ import annotations

import io

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from compliance.api import create_router
from compliance.categories import Category
from compliance.cli import main
from compliance.columns import COLUMNS
from compliance.piles import read_register_with_piles
from compliance.repository import InMemoryRepository
from compliance.schema import Kind
from compliance.template import OPTIONS, render_template


def _validations(sheet):
    """Column letter -> the formula of the data validation covering row 2 of that column."""
    out = {}
    for dv in sheet.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            out[cell_range.coord.split(":")[0].rstrip("0123456789")] = (dv.type, dv.formula1, str(cell_range))
    return out


def _options(wb, formula):
    sheet_name, cells = formula.split("!")
    first, last = cells.replace("$", "").split(":")
    sheet = wb[sheet_name.strip("'")]
    return [c.value for row in sheet[first:last] for c in row]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_template_sheets_and_drop_downs(lang):
    wb = load_workbook(io.BytesIO(render_template(lang)))
    names = (
        ["停车场", "充电桩清单", "填表说明", "选项"]
        if lang == "zh"
        else ["car_parks", "piles", "instructions", "options"]
    )
    assert wb.sheetnames == names
    assert wb[names[3]].sheet_state == "hidden"
    register, piles = wb[names[0]], wb[names[1]]
    assert register.freeze_panes == "A2" and piles.freeze_panes == "A2"
    checks = _validations(register)
    for i, column in enumerate(COLUMNS, start=1):
        letter = register.cell(1, i).column_letter
        if column.kind is Kind.CATEGORY:
            kind, formula, cells = checks[letter]
            assert kind == "list" and cells == f"{letter}2:{letter}5000"
            assert _options(wb, formula) == OPTIONS[lang]["category"]
        elif column.kind is Kind.BOOL:
            assert _options(wb, checks[letter][1]) == OPTIONS[lang]["bool"], column.key
        elif column.kind is Kind.INT:
            assert checks[letter][:2] == ("whole", "0"), column.key
    assert [c.value for c in piles[1]][:4] == (
        ["停车场编号", "桩编号", "交流/直流", "额定功率(kW)"]
        if lang == "zh"
        else ["car_park_id", "pile_id", "current", "rated_kw"]
    )
    assert _options(wb, _validations(piles)["C"][1]) == OPTIONS[lang]["current"]
    guide = "\n".join(str(c.value) for row in wb[names[2]].iter_rows() for c in row if c.value)
    assert ("充电桩清单" in guide and "产权/管理单位" in guide) if lang == "zh" else "piles" in guide


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_template_filled_with_its_own_drop_down_values_imports(lang):
    wb = load_workbook(io.BytesIO(render_template(lang)))
    register, piles = wb.worksheets[0], wb.worksheets[1]
    opts = OPTIONS[lang]
    keys = [c.key for c in COLUMNS]
    for n, category in enumerate(opts["category"], start=1):
        values = {
            "id": f"T{n}",
            "name": f"停车场{n}",
            "owner": "某物业公司",
            "category": category,
            "is_public": opts["bool"][n % 2],
            "public_car_park": opts["bool"][1],
            "is_new": opts["bool"][0],
            "approval_date": "2024-05-20",
            "total_spaces": 40,
            "dedicated_spaces": 0,
            "spaces_with_chargers": 4,
            "spaces_reserved": 8,
            "charger_current": opts["current"][n % 3],
            "on_trunk_road": opts["bool"][0],
            "crs": opts["crs"][0],
        }
        register.append([values.get(k) for k in keys])
    piles.append(["T1", "P-1", opts["current"][1], 120])
    piles.append(["T1", "P-2", opts["current"][0], 7])
    out = io.BytesIO()
    wb.save(out)
    result = read_register_with_piles(out.getvalue(), "filled.xlsx")
    assert result.errors == []
    assert [cp.category for cp in result.records] == [c for c in Category if c is not Category.UNKNOWN]
    t1 = result.records[0]
    assert (t1.owner, t1.is_new, t1.public_car_park, t1.dc_fast_chargers_60kw, t1.piles_listed) == (
        "某物业公司",
        True,
        False,
        1,
        2,
    )


def test_cli_and_api_serve_the_template(tmp_path):
    out = tmp_path / "模板.xlsx"
    assert main(["template", "--lang", "zh", "--out", str(out)]) == 0
    assert load_workbook(out).sheetnames[:3] == ["停车场", "充电桩清单", "填表说明"]
    app = FastAPI()
    repo = InMemoryRepository()
    app.include_router(create_router(lambda: repo))
    client = TestClient(app)
    xlsx = client.get("/compliance/template", params={"lang": "zh"})
    assert xlsx.status_code == 200 and xlsx.headers["content-type"].startswith("application/vnd.openxml")
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[:2] == ["停车场", "充电桩清单"]
    csv_file = client.get("/compliance/template", params={"lang": "en", "format": "csv"})
    assert csv_file.content.decode("utf-8-sig").startswith("id,name,owner,")
    assert client.get("/compliance/template", params={"format": "ods"}).status_code == 422
