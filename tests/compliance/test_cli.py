"""The ``compliance`` CLI through ``main([...])`` in temporary folders."""

from __future__ import annotations

import csv
import json

from openpyxl import load_workbook

from compliance.cli import main

REGISTER = (
    "id,name,district,category,is_public,is_new,total_spaces,dedicated_spaces,spaces_with_chargers,"
    "spaces_reserved,dc_fast_chargers_60kw,on_trunk_road,station_ids,lon,lat\n"
    "P1,梅溪湖停车场,岳麓区,social_public,true,false,100,0,20,5,0,false,CS-001;CS-002,112.9,28.2\n"
    "P2,洋湖小区,岳麓区,residential,否,是,120,80,0,80,0,否,,112.95,28.15\n"
    "P3,bad,望城区,nope,true,false,10,0,0,0,0,false,,,\n"
    "P4,服务区,望城区,expressway_service_area,true,true,40,0,12,0,0,true,,112.85,28.4\n"
)


def _register(tmp_path):
    path = tmp_path / "carparks.csv"
    path.write_text(REGISTER, encoding="utf-8")
    return path


def test_check_writes_every_report_and_flags_the_bad_row(tmp_path, capsys):
    out = tmp_path / "report"
    code = main(
        [
            "check",
            str(_register(tmp_path)),
            "--rules",
            "xiangjiang-2023",
            "--lang",
            "zh",
            "--out",
            str(out),
            "--issued",
            "2025-01-01",
        ]
    )
    assert code == 1  # one unreadable value; every car park was still checked
    rows = list(csv.DictReader((out / "verdicts.csv").open(encoding="utf-8-sig")))
    leading = {
        r["id"]: (r["rule_id"], r["verdict"], r["required"], r["provided"], r["shortfall"])
        for r in rows
        if r["leading"] == "yes"
    }
    assert leading == {
        "P1": ("XJ-PUBLIC-30", "non_compliant", "30", "25", "5"),
        # the category 'nope' is read as unknown: open to the public, the 30% rule still applies
        "P3": ("XJ-PUBLIC-30", "non_compliant", "3", "0", "3"),
        "P4": ("XJ-TRUNK-FAST", "non_compliant", "1", "0", "1"),
    }
    assert {r["id"] for r in rows} == {"P1", "P2", "P3", "P4"}
    assert {r["car_park_verdict"] for r in rows if r["id"] == "P2"} == {"compliant"}
    assert load_workbook(out / "verdicts.xlsx").worksheets[0].max_row == len(rows) + 1
    layer = json.loads((out / "carparks.geojson").read_text(encoding="utf-8"))
    assert len(layer["features"]) == 3  # P3 has no coordinates
    assert "分区汇总" in (out / "report.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in (out / "notices").iterdir()) == [
        "整改通知书_P1.pdf",
        "整改通知书_P3.pdf",
        "整改通知书_P4.pdf",
    ]
    errors = list(csv.reader((out / "errors.csv").open(encoding="utf-8-sig")))
    assert errors[0][:6] == ["row", "column", "field", "value", "effect", "结果"]
    assert errors[1][:6] == ["4", "D category", "category", "nope", "value_ignored", "该值按未填写处理"]
    printed = capsys.readouterr().out
    assert "第4行 D category列: 未知类别 'nope'" in printed and "3 份整改通知书" in printed
    assert "列映射(表头在第1行)" in printed


def test_check_with_telemetry_strict_mode(tmp_path, capsys):
    telemetry = tmp_path / "last_seen.csv"
    telemetry.write_text("station_id,last_seen\nCS-001,2025-06-29T00:00:00+00:00\n", encoding="utf-8")
    out = tmp_path / "strict"
    main(
        [
            "check",
            str(_register(tmp_path)),
            "--out",
            str(out),
            "--lang",
            "en",
            "--telemetry",
            str(telemetry),
            "--now",
            "2025-06-30T00:00:00+00:00",
            "--strict",
            "--issued",
            "2025-06-30",
        ]
    )
    rows = list(csv.DictReader((out / "verdicts.csv").open(encoding="utf-8-sig")))
    p1 = next(r for r in rows if r["id"] == "P1" and r["rule_id"] == "XJ-PUBLIC-30")
    assert (p1["provided"], p1["shortfall"]) == ("6", "24")  # 1 online station + 5 reserved
    found = list(csv.DictReader((out / "telemetry.csv").open(encoding="utf-8-sig")))
    assert [(r["station_id"], r["status"]) for r in found] == [("CS-001", "online"), ("CS-002", "never_seen")]
    assert "Telemetry discrepancies: 1" in capsys.readouterr().out


def test_bad_rule_pack_and_missing_register_exit_2(tmp_path, capsys):
    assert main(["check", str(_register(tmp_path)), "--rules", "nope", "--out", str(tmp_path / "o")]) == 2
    assert "unknown rule pack 'nope'" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "missing.xlsx"), "--out", str(tmp_path / "o")]) == 2
    assert "无法读取" in capsys.readouterr().err  # --lang zh is the default
    assert main(["check", str(_register(tmp_path)), "--strict", "--out", str(tmp_path / "o")]) == 2


def test_rules_list_and_show(capsys):
    assert main(["rules", "list", "--lang", "en"]) == 0
    listed = capsys.readouterr().out
    for rule_id in ("XJ-PUBLIC-30", "HN23-URBAN-GROUND-20", "NAT15-PUBLIC-10", "UK-44C-CABLE-ROUTES"):
        assert rule_id in listed
    assert main(["rules", "show", "XJ-PUBLIC-30"]) == 0
    shown = capsys.readouterr().out
    assert "高速公路服务区、公共单位、文旅休闲景区等公共场所新建及既有停车场" in shown
    assert "已建充电设施车位数 + 预留安装条件车位数 >= 向上取整(30% × 总车位数)" in shown
    assert main(["rules", "show", "changsha-2023", "--lang", "en"]) == 0
    assert "Unverified [U]: document_number, effective" in capsys.readouterr().out
    assert main(["rules", "show", "NOPE"]) == 2


def test_template_command(tmp_path):
    out = tmp_path / "t.xlsx"
    assert main(["template", "--out", str(out)]) == 0
    assert load_workbook(out).worksheets[0]["A1"].value == "编号"


def test_check_accepts_a_pack_file_outside_the_shipped_ones(tmp_path):
    pack = tmp_path / "local-2026.yaml"
    pack.write_text(
        """schema: compliance-rule-pack/1
id: local-2026
version: "1"
title_zh: 本地测试规则
title_en: Local test rule
jurisdiction: 测试
document_number: TEST-1
document_title: 测试文件
source: written by the test
rules:
  - id: LOCAL-50
    clause: "1"
    quote: 一半车位
    summary_en: Half of all spaces have chargers, rounded down.
    summary_zh: 一半车位建设充电设施(向下取整)。
    effective: 2026-01-01
    applies_to: {flags: {is_public: true}}
    requirement:
      {kind: ratio, ratio: 0.5, base: total_spaces, counts: [spaces_with_chargers], rounding: floor}
""",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    main(
        ["check", str(_register(tmp_path)), "--rules", str(pack), "--out", str(out), "--issued", "2025-01-01"]
    )
    rows = {r["id"]: r for r in csv.DictReader((out / "verdicts.csv").open(encoding="utf-8-sig"))}
    assert (rows["P1"]["required"], rows["P1"]["provided"], rows["P1"]["shortfall"]) == ("50", "20", "30")
    assert (rows["P4"]["required"], rows["P4"]["verdict"]) == ("20", "non_compliant")
    assert rows["P2"]["verdict"] == "not_applicable"
