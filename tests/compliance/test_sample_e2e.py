"""End to end on the SYNTHETIC sample register: generator reproducibility, then the CLI on CSV and XLSX."""

from __future__ import annotations

import csv
import json

import pytest

from compliance.categories import Category
from compliance.cli import main
from compliance.errors import Effect
from compliance.packs import find_rule
from compliance.register_files import read_register
from compliance.samples.generate import CSV_PATH, XLSX_PATH, sample_rows, write_csv

CHINESE_PACKS = "xiangjiang-2023,hunan-2021,hunan-2023,changsha-2023,national-2015,gbt51313-2018"


def test_generator_reproduces_the_committed_register(tmp_path):
    fresh = tmp_path / "fresh.csv"
    write_csv(sample_rows(), fresh)
    assert fresh.read_text(encoding="utf-8") == CSV_PATH.read_text(encoding="utf-8")


def test_csv_and_xlsx_samples_hold_the_same_records_covering_every_category():
    from_csv, from_xlsx = read_register(CSV_PATH), read_register(XLSX_PATH)
    assert from_csv.records == from_xlsx.records
    assert len(from_csv.records) == 205 and from_csv.rows_read == 206
    assert {r.category for r in from_csv.records} == set(Category)  # XJ-B01's 停车楼 is unknown
    assert all(r.name.startswith("【合成样例】") for r in from_csv.records)
    assert [(e.row, e.column, e.effect) for e in from_xlsx.errors] == [
        (20, "category", Effect.VALUE_IGNORED),
        (21, "total_spaces", Effect.VALUE_IGNORED),
        (22, "spaces_with_chargers", Effect.VALUE_IGNORED),
        (24, "id", Effect.ROW_REJECTED),
        (25, "total_spaces", Effect.VALUE_IGNORED),
    ]


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "report"
    code = main(
        [
            "check",
            str(XLSX_PATH),
            "--rules",
            CHINESE_PACKS,
            "--lang",
            "zh",
            "--out",
            str(out),
            "--issued",
            "2025-01-01",
            "--notice-format",
            "html",
        ]
    )
    rows = list(csv.DictReader((out / "verdicts.csv").open(encoding="utf-8-sig")))
    return code, out, {(r["id"], r["rule_id"]): r for r in rows}


def _v(rows, car_park_id, rule_id):
    r = rows[(car_park_id, rule_id)]
    return r["verdict"], r["required"], r["provided"], r["shortfall"]


def test_edge_cases_get_their_hand_computed_verdicts(sample_report):
    code, out, rows = sample_report
    assert code == 1  # the bad rows
    assert _v(rows, "XJ-E01", "XJ-PUBLIC-30") == ("compliant", "3", "3", "0")  # ceil(0.3 x 10) = 3
    assert _v(rows, "XJ-E02", "XJ-PUBLIC-30") == ("non_compliant", "4", "3", "1")  # ceil(0.3 x 11) = 4
    assert _v(rows, "XJ-E03", "XJ-PUBLIC-30") == ("compliant", "0", "0", "0")  # zero spaces
    assert _v(rows, "XJ-E03", "NAT15-PUBLIC-10") == ("compliant", "0", "0", "0")
    assert _v(rows, "XJ-E04", "XJ-RESIDENTIAL-100") == ("compliant", "0", "0", "0")
    assert _v(rows, "XJ-E05", "XJ-RESIDENTIAL-100") == ("compliant", "50", "50", "0")
    assert rows[("XJ-E05", "XJ-RESIDENTIAL-100")]["reserved_unverified"] == ""
    assert _v(rows, "XJ-E06", "XJ-RESIDENTIAL-100") == ("compliant", "50", "50", "0")
    assert rows[("XJ-E06", "XJ-RESIDENTIAL-100")]["reserved_unverified"] == "45"
    assert rows[("XJ-E07", "XJ-RESIDENTIAL-100")]["verdict"] == "not_applicable"  # existing compound
    assert _v(rows, "XJ-E08", "HN21-EXPRESSWAY-30") == ("compliant", "18", "18", "0")
    assert _v(rows, "XJ-E08", "XJ-TRUNK-FAST") == ("compliant", "1", "2", "0")
    assert _v(rows, "XJ-E09", "XJ-TRUNK-FAST") == ("non_compliant", "1", "0", "1")
    assert rows[("XJ-E09", "HN21-EXPRESSWAY-30")]["verdict"] == "not_applicable"  # existing service area
    assert _v(rows, "XJ-E10", "XJ-PUBLIC-30") == ("insufficient_data", "15", "10", "")
    assert rows[("XJ-E10", "XJ-PUBLIC-30")]["missing"] == "spaces_reserved"
    assert _v(rows, "XJ-E10", "HN23-INSTITUTION-SOE-30") == ("non_compliant", "15", "10", "5")
    assert rows[("XJ-E11", "XJ-PUBLIC-30")]["missing"] == "is_public"
    assert rows[("XJ-E12", "XJ-TRUNK-FAST")]["missing"] == "on_trunk_road"
    assert _v(rows, "XJ-E14", "GBT51313-6.1.6") == ("non_compliant", "4", "3", "1")
    assert rows[("XJ-E15", "XJ-TRUNK-FAST")]["missing"] == "dc_fast_chargers_60kw"
    assert _v(rows, "XJ-E16", "XJ-RESIDENTIAL-100") == ("non_compliant", "100", "90", "10")  # new by date
    assert rows[("XJ-E17", "XJ-RESIDENTIAL-100")]["verdict"] == "not_applicable"  # existing by date
    # The leading verdict of a car park failing two rules is the one with the larger shortfall.
    assert rows[("XJ-E10", "HN23-INSTITUTION-SOE-30")]["leading"] == "yes"


def test_sample_reports_map_notices_and_errors(sample_report):
    _, out, rows = sample_report
    features = {
        f["id"]: f for f in json.loads((out / "carparks.geojson").read_text(encoding="utf-8"))["features"]
    }
    assert len(features) == 204  # XJ-E18 has no coordinates
    e13 = features["XJ-E13"]
    assert e13["properties"]["coords_converted_from_gcj02"] is True
    assert e13["geometry"]["coordinates"] == pytest.approx([112.93, 28.23], abs=1e-6)
    failing = {cid for (cid, _), r in rows.items() if r["car_park_verdict"] == "non_compliant"}
    official = {
        cid
        for (cid, rule_id), r in rows.items()
        if r["verdict"] == "non_compliant" and find_rule(rule_id).official
    }
    assert official < failing  # some fail only clauses marked [U]: no official notice for those
    assert {p.name for p in (out / "notices").iterdir()} == {f"整改通知书_{cid}.html" for cid in official}
    problems = list(csv.DictReader((out / "errors.csv").open(encoding="utf-8-sig")))
    effects = [r["effect"] for r in problems]
    assert (effects.count("row_rejected"), effects.count("value_ignored")) == (1, 4)
    # A bad value is reported once: no second "insufficient data" entry for the same cell.
    cells = [(r["row"], r["field"]) for r in problems]
    assert len(cells) == len(set(cells))
    # XJ-B04 (row 23): is_new and the date blank; no rule of a non-public "other" car park needs them.
    assert not [r for r in problems if r["row"] == "23"]


def test_csv_and_xlsx_registers_give_identical_verdicts(sample_report, tmp_path):
    _, out, _ = sample_report
    assert (
        main(
            [
                "check",
                str(CSV_PATH),
                "--rules",
                CHINESE_PACKS,
                "--out",
                str(tmp_path / "csv"),
                "--issued",
                "2025-01-01",
                "--notice-format",
                "html",
            ]
        )
        == 1
    )
    assert (tmp_path / "csv" / "verdicts.csv").read_bytes() == (out / "verdicts.csv").read_bytes()
