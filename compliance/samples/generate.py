"""Generate the SYNTHETIC sample register: about 200 invented Xiangjiang New Area car parks.

Nothing here describes a real car park: names carry the 【合成样例】 label, numbers come from a
seeded random generator plus hand-written edge cases (rounding boundaries, zero spaces, new vs
existing, missing data, GCJ-02 coordinates, unverified reserved spaces, underground fire safety) and a
few deliberately bad rows the importer must reject. Run ``python -m compliance.samples.generate`` to
rewrite ``synthetic_xiangjiang_carparks.csv`` (English headers) and ``.xlsx`` (Chinese headers);
the output is identical on every run.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from compliance.categories import Category
from compliance.columns import COLUMNS
from compliance.coords import wgs84_to_gcj02

SEED = 20230906
HERE = Path(__file__).parent
CSV_PATH = HERE / "synthetic_xiangjiang_carparks.csv"
XLSX_PATH = HERE / "synthetic_xiangjiang_carparks.xlsx"
LABEL = "【合成样例】"

STREETS = {
    "岳麓区": ["梅溪湖街道", "观沙岭街道", "洋湖街道", "坪塘街道", "含浦街道", "麓谷街道"],
    "望城区": ["雷锋街道", "高塘岭街道", "白沙洲街道", "丁字湾街道"],
    "宁乡市": ["金洲镇", "夏铎铺镇"],
}
PLACES = [
    "梅溪湖",
    "洋湖",
    "大王山",
    "麓谷",
    "含浦",
    "坪塘",
    "雷锋",
    "高塘岭",
    "金洲",
    "观沙岭",
    "岳麓山",
    "月亮岛",
]
KINDS = {
    Category.EXPRESSWAY_SERVICE_AREA: "高速服务区停车场",
    Category.PUBLIC_INSTITUTION: "机关事业单位停车场",
    Category.CULTURAL_TOURISM: "景区停车场",
    Category.PUBLIC_BUILDING: "公共建筑停车场",
    Category.SOCIAL_PUBLIC: "社会公共停车场",
    Category.URBAN_GROUND_PUBLIC: "地面公共停车场",
    Category.SOE_INTERNAL: "国企内部停车场",
    Category.RESIDENTIAL: "小区",
    Category.COMMERCIAL: "商业综合体停车场",
    Category.FLEET_DEPOT: "公交场站",
    Category.OTHER: "停车场",
}
PUBLIC = {
    Category.EXPRESSWAY_SERVICE_AREA,
    Category.CULTURAL_TOURISM,
    Category.PUBLIC_BUILDING,
    Category.SOCIAL_PUBLIC,
    Category.URBAN_GROUND_PUBLIC,
}

Row = dict[str, object]


def _base(row_id: str, name: str, cat: Category, **values: object) -> Row:
    district = str(values.pop("district", "岳麓区"))
    row: Row = {c.key: "" for c in COLUMNS}
    row.update(
        id=row_id,
        name=f"{LABEL}{name}",
        owner=f"{LABEL}{name}管理单位",
        district=district,
        street=STREETS[district][0],
        category=cat.value,
        is_public="false",
        is_new="false",
        total_spaces=100,
        dedicated_spaces=0,
        spaces_with_chargers=0,
        spaces_reserved=0,
        dc_fast_chargers_60kw=0,
        on_trunk_road="false",
        underground_levels=0,
        lon=112.90,
        lat=28.20,
    )
    row.update(values)
    return row


def edge_cases() -> list[Row]:
    """Hand-written rows whose verdicts the end-to-end test checks by hand, spread along a line on the map."""
    rows = _edge_rows()
    for i, row in enumerate(rows):
        if row["lon"] == 112.90 and row["lat"] == 28.20:
            row["lon"], row["lat"] = round(112.80 + 0.008 * i, 6), round(28.16 + 0.006 * i, 6)
    return rows


def _edge_rows() -> list[Row]:
    ok_evidence = {
        "conduit_to_each_space": "true",
        "reserved_capacity_kva": 400,
        "meter_box_position": "B1配电间",
        "civil_works_done": "true",
    }
    fire_ok = {
        "fire_alarm": "true",
        "smoke_extraction": "true",
        "sprinklers": "true",
        "emergency_lighting": "true",
    }
    c = Category
    new_compound = {
        "is_new": "true",
        "total_spaces": 60,
        "dedicated_spaces": 50,
        "spaces_with_chargers": 5,
        "spaces_reserved": 45,
    }
    return [
        _base("XJ-E01", "景区10车位", c.CULTURAL_TOURISM, total_spaces=10, spaces_with_chargers=3),
        _base("XJ-E02", "景区11车位", c.CULTURAL_TOURISM, total_spaces=11, spaces_with_chargers=3),
        _base("XJ-E03", "零车位公共停车场", c.SOCIAL_PUBLIC, is_public="true", total_spaces=0),
        _base("XJ-E04", "新建小区无专属车位", c.RESIDENTIAL, is_new="true", total_spaces=20),
        _base("XJ-E05", "新建小区全预留有佐证", c.RESIDENTIAL, **new_compound, **ok_evidence),
        _base(
            "XJ-E06", "新建小区预留无佐证", c.RESIDENTIAL, **new_compound
        ),  # the same compound as XJ-E05 without the evidence
        _base(
            "XJ-E07",
            "既有小区",
            c.RESIDENTIAL,
            total_spaces=300,
            dedicated_spaces=280,
            spaces_with_chargers=10,
        ),
        _base(
            "XJ-E08",
            "新建高速服务区达标",
            c.EXPRESSWAY_SERVICE_AREA,
            district="望城区",
            is_public="true",
            is_new="true",
            total_spaces=60,
            spaces_with_chargers=18,
            dc_fast_chargers_60kw=2,
            on_trunk_road="true",
        ),
        _base(
            "XJ-E09",
            "既有高速服务区无快充",
            c.EXPRESSWAY_SERVICE_AREA,
            district="望城区",
            is_public="true",
            total_spaces=80,
            spaces_with_chargers=30,
            on_trunk_road="true",
        ),
        _base(
            "XJ-E10",
            "预留车位数缺失",
            c.PUBLIC_INSTITUTION,
            total_spaces=50,
            spaces_with_chargers=10,
            spaces_reserved="",
        ),
        _base("XJ-E11", "是否开放缺失", c.COMMERCIAL, is_public="", total_spaces=200),
        _base("XJ-E12", "是否干线缺失", c.FLEET_DEPOT, on_trunk_road="", total_spaces=40),
        _base(
            "XJ-E13",
            "GCJ02坐标",
            c.SOCIAL_PUBLIC,
            is_public="true",
            total_spaces=20,
            spaces_with_chargers=6,
            crs="GCJ02",
            lon=round(wgs84_to_gcj02(112.93, 28.23)[0], 6),
            lat=round(wgs84_to_gcj02(112.93, 28.23)[1], 6),
        ),
        _base(
            "XJ-E14",
            "地下车库消防不全",
            c.PUBLIC_BUILDING,
            is_public="true",
            total_spaces=300,
            spaces_with_chargers=90,
            underground_levels=2,
            **{**fire_ok, "smoke_extraction": "false"},
        ),
        _base(
            "XJ-E15",
            "干线快充数缺失",
            c.OTHER,
            on_trunk_road="true",
            dc_fast_chargers_60kw="",
            total_spaces=30,
        ),
        _base(
            "XJ-E16",
            "按审批日期判定新建",
            c.RESIDENTIAL,
            is_new="",
            approval_date="2024-03-01",
            total_spaces=100,
            dedicated_spaces=100,
            spaces_reserved=90,
        ),
        _base(
            "XJ-E17",
            "按审批日期判定既有",
            c.RESIDENTIAL,
            is_new="",
            approval_date="2019-05-20",
            completion_date="2021-06-30",
            total_spaces=100,
            dedicated_spaces=100,
        ),
        _base(
            "XJ-E18", "缺坐标", c.CULTURAL_TOURISM, total_spaces=21, spaces_with_chargers=7, lon="", lat=""
        ),
        # Deliberately bad rows: the importer names each row and column; a bad value is read as blank
        # (the car park stays, insufficient data where a rule needs it), the repeated id is left out.
        _base("XJ-B01", "未知类别", c.OTHER, category="停车楼"),
        _base("XJ-B02", "负数车位", c.OTHER, total_spaces=-5),
        _base("XJ-B03", "充电车位多于总车位", c.OTHER, total_spaces=10, spaces_with_chargers=12),
        _base("XJ-B04", "缺少日期", c.OTHER, is_new=""),
        _base("XJ-E01", "重复编号", c.OTHER),
        _base("XJ-B06", "非数字车位", c.OTHER, total_spaces="约50"),
    ]


def random_rows(count: int, seed: int = SEED) -> list[Row]:
    """``count`` plausible car parks covering every category, from a seeded generator."""
    rng = random.Random(seed)
    categories = [c for c in Category if c is not Category.UNKNOWN]
    rows = []
    for i in range(count):
        category = categories[i % len(categories)] if i < 2 * len(categories) else rng.choice(categories)
        district = rng.choice(list(STREETS))
        total = {
            Category.EXPRESSWAY_SERVICE_AREA: rng.randint(40, 200),
            Category.RESIDENTIAL: rng.randint(50, 800),
            Category.FLEET_DEPOT: rng.randint(20, 120),
        }.get(category, rng.randint(10, 500))
        is_new = rng.random() < 0.4
        approval = (date(2023, 10, 1) if is_new else date(2010, 1, 1)) + timedelta(
            days=rng.randint(0, 600 if is_new else 4900)
        )
        dedicated = int(total * rng.uniform(0.6, 1.0)) if category is Category.RESIDENTIAL else 0
        built = int(total * rng.choice([0.0, 0.05, 0.1, 0.2, 0.3, 0.35]))
        reserved = rng.randint(0, total - built) if rng.random() < 0.6 else 0
        if category is Category.RESIDENTIAL and is_new and rng.random() < 0.6:
            reserved = max(0, dedicated - built)  # many new compounds meet 100%
        trunk = category is Category.EXPRESSWAY_SERVICE_AREA or rng.random() < 0.1
        underground = (
            rng.choice([0, 0, 1, 2]) if category in (Category.RESIDENTIAL, Category.PUBLIC_BUILDING) else 0
        )
        lon, lat = 112.75 + rng.random() * 0.25, 28.10 + rng.random() * 0.35
        row = _base(
            f"XJ-{i + 1:04d}",
            f"{rng.choice(PLACES)}{KINDS[category]}{i + 1:03d}",
            category,
            district=district,
            street=rng.choice(STREETS[district]),
            address=f"{district}{rng.choice(PLACES)}路{rng.randint(1, 999)}号",
            is_public="true"
            if category in PUBLIC or (category is Category.COMMERCIAL and rng.random() < 0.7)
            else "false",
            is_new="true" if is_new else "false",
            approval_date=approval.isoformat(),
            completion_date=(approval + timedelta(days=rng.randint(300, 900))).isoformat()
            if not is_new
            else "",
            total_spaces=total,
            dedicated_spaces=dedicated,
            spaces_with_chargers=built,
            charger_power_kw=rng.choice([7, 7, 11, 60, 120]) if built else "",
            charger_current=rng.choice(["AC", "AC", "DC", "AC+DC"]) if built else "",
            spaces_reserved=reserved,
            underground_levels=underground,
            on_trunk_road="true" if trunk else "false",
            dc_fast_chargers_60kw=min(rng.randint(0, 4), built) if trunk else 0,
            lon=round(lon, 6),
            lat=round(lat, 6),
        )
        if reserved and rng.random() < 0.5:
            row.update(
                conduit_to_each_space="true",
                reserved_capacity_kva=rng.choice([200, 400, 630]),
                meter_box_position="地下一层配电间",
                civil_works_done="true",
            )
        if underground:
            row.update(
                {
                    k: "true" if rng.random() < 0.85 else "false"
                    for k in ("fire_alarm", "smoke_extraction", "sprinklers", "emergency_lighting")
                }
            )
        if built and rng.random() < 0.3:
            row["station_ids"] = ";".join(f"XJCS{i + 1:04d}{k:02d}" for k in range(1, min(built, 4) + 1))
        if rng.random() < 0.03:
            row["spaces_reserved"] = ""  # missing data
        rows.append(row)
    return rows


def sample_rows(count: int = 182, seed: int = SEED) -> list[Row]:
    """The whole synthetic register: edge cases first, then ``count`` random rows (about 200 in all)."""
    return edge_cases() + random_rows(count, seed)


def write_csv(rows: list[Row], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow([c.key for c in COLUMNS])
        writer.writerows([row[c.key] for c in COLUMNS] for row in rows)


def write_xlsx(rows: list[Row], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    sheet = wb.active
    assert isinstance(sheet, Worksheet)  # a new workbook's first sheet
    sheet.title = "合成样例"
    sheet.append([c.zh for c in COLUMNS])
    for row in rows:
        sheet.append([row[c.key] for c in COLUMNS])
    # Fixed workbook dates keep the committed file's content the same across runs.
    wb.properties.created = wb.properties.modified = datetime(2025, 1, 1)
    wb.properties.title = "SYNTHETIC sample register - not real data / 合成样例数据,非真实数据"
    wb.save(path)


def main() -> None:
    rows = sample_rows()
    write_csv(rows, CSV_PATH)
    write_xlsx(rows, XLSX_PATH)
    print(f"wrote {len(rows)} synthetic rows to {CSV_PATH.name} and {XLSX_PATH.name}")


if __name__ == "__main__":
    main()
