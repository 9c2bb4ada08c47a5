"""Reports: verdict tables, GeoJSON layer, HTML report with district summary, rectification notices."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from cp_builders import make_car_park
from openpyxl import load_workbook

from compliance.evaluate import Status, evaluate
from compliance.packs import get_pack
from compliance.reports import (
    VERDICT_COLUMNS,
    district_summary,
    feature_collection,
    render_html,
    render_verdicts_csv,
    render_verdicts_xlsx,
)

PACKS = [get_pack("xiangjiang-2023")]


def _results():
    return [
        evaluate(
            make_car_park(
                id="A",
                name="甲停车场",
                district="岳麓区",
                is_public=True,
                total_spaces=11,
                spaces_with_chargers=1,
                spaces_reserved=2,
                lon_deg=112.9,
                lat_deg=28.2,
            ),
            PACKS,
        ),
        evaluate(
            make_car_park(
                id="B",
                name="乙停车场",
                district="岳麓区",
                is_public=True,
                total_spaces=10,
                spaces_with_chargers=3,
                lon_deg=112.95,
                lat_deg=28.25,
            ),
            PACKS,
        ),
        evaluate(
            make_car_park(
                id="C",
                name="丙停车场",
                district="望城区",
                category="residential",
                is_new=True,
                dedicated_spaces=40,
                spaces_reserved=30,
            ),
            PACKS,
        ),
    ]


def test_verdicts_csv_has_the_required_columns_and_one_row_per_rule():
    rows = list(csv.reader(io.StringIO(render_verdicts_csv(_results(), "en").decode("utf-8-sig"))))
    assert tuple(rows[0][:6]) == ("id", "rule_id", "verdict", "required", "provided", "shortfall")
    assert tuple(rows[0]) == VERDICT_COLUMNS
    assert len(rows) == 1 + 3 * 3
    by_key = {(r[0], r[1]): r for r in rows[1:]}
    a = by_key[("A", "XJ-PUBLIC-30")]
    assert a[2:6] == ["non_compliant", "4", "3", "1"]
    assert a[rows[0].index("leading")] == "yes"
    assert a[rows[0].index("formula")] == "ceil(30% × total spaces 11) = 4"
    assert a[rows[0].index("reserved_unverified")] == "2"
    assert by_key[("C", "XJ-RESIDENTIAL-100")][2:6] == ["non_compliant", "40", "30", "10"]
    assert by_key[("B", "XJ-RESIDENTIAL-100")][2:6] == ["not_applicable", "", "", ""]


def test_verdicts_xlsx_in_english_matches_the_csv():
    wb = load_workbook(io.BytesIO(render_verdicts_xlsx(_results(), "en")))
    rows = [list(row) for row in wb.worksheets[0].iter_rows(values_only=True)]
    assert tuple(rows[0]) == VERDICT_COLUMNS
    assert rows[1][:6] == ["A", "XJ-PUBLIC-30", "non_compliant", 4, 3, 1]


def test_zh_workbook_has_chinese_headers_and_words_frozen_filtered_sized_with_a_district_summary():
    wb = load_workbook(io.BytesIO(render_verdicts_xlsx(_results(), "zh")))
    assert wb.sheetnames == ["判定结果", "分区汇总"]
    sheet = wb["判定结果"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:6] == ["停车场编号", "规则编号", "判定", "应配建数", "已计入数", "缺口"]
    assert not any(h in VERDICT_COLUMNS for h in rows[0])  # no English header left
    head = rows[0]
    a = dict(zip(head, rows[1], strict=True))
    assert (a["判定"], a["停车场总体判定"], a["主导判定"]) == ("不符合", "不符合", "是")
    assert {r[head.index("判定")] for r in rows[1:]} <= {"符合", "不符合", "资料不足", "不适用"}
    assert a["计算式"] == "向上取整(30% × 总车位数 11) = 4"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(head)).column_letter}{len(rows)}"
    assert sheet.column_dimensions["A"].width == 14 and sheet.column_dimensions["B"].width == 22
    summary = [list(r) for r in wb["分区汇总"].iter_rows(values_only=True)]
    assert summary[0] == ["区县", "符合", "不符合", "资料不足", "不适用", "合计", "缺口车位"]
    assert summary[1:] == [
        ["岳麓区", 1, 1, 0, 0, 2, 1],
        ["望城区", 0, 1, 0, 0, 1, 10],
        ["合计", 1, 2, 0, 0, 3, 11],
    ]
    assert wb["分区汇总"].freeze_panes == "A2"


def test_geojson_layer_has_located_points_only_in_wgs84_order():
    fc = feature_collection(_results(), "zh")
    assert fc["type"] == "FeatureCollection"
    assert [f["id"] for f in fc["features"]] == ["A", "B"]
    a = fc["features"][0]
    assert a["geometry"] == {"type": "Point", "coordinates": [112.9, 28.2]}
    assert a["properties"]["verdict"] == "non_compliant" and a["properties"]["leading_rule"] == "XJ-PUBLIC-30"
    assert a["properties"]["shortfall"] == 1
    json.dumps(fc)  # serialisable


def test_district_summary_counts_and_shortfall():
    summary = {
        d.district: (d.counts[Status.NON_COMPLIANT], d.counts[Status.COMPLIANT], d.shortfall_total)
        for d in district_summary(_results())
    }
    assert summary == {"岳麓区": (1, 1, 1), "望城区": (1, 0, 10)}


def test_html_report_is_bilingual_with_district_summary_and_map():
    html = render_html(_results(), PACKS, generated=date(2025, 1, 1), source_name="reg.xlsx")
    assert "分区汇总 · District summary" in html
    assert "岳麓区" in html and "望城区" in html
    assert html.count("<circle") == 2
    assert "carparks.geojson" in html
    assert "应为 4" in html and "Required 4" in html  # both languages of the leading explanation
    assert "XJ-PUBLIC-30" in html and "湖南湘江新区碳达峰碳中和工作领导小组〔2023〕1号" in html
