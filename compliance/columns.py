"""The register's columns: key, Chinese header, English header, kind, and what they mean.

The template is written from this table and the importers read through it, so the two never drift.
English headers are the record's field names (the issue's exact list plus optional extras).
"""

from __future__ import annotations

from dataclasses import dataclass

from compliance.model import CATEGORY_ZH, Category

# Cell kinds the importer parses.
TEXT, INT, FLOAT, BOOL, DATE, CATEGORY, IDS, CRS, CURRENT = (
    "text", "int", "float", "bool", "date", "category", "ids", "crs", "current",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    zh: str
    kind: str
    required: bool = False
    note_en: str = ""
    note_zh: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", TEXT, True, "Unique id of the car park", "停车场唯一编号"),
    Column("name", "名称", TEXT, True, "Name", "停车场名称"),
    Column("address", "地址", TEXT),
    Column("district", "区县", TEXT, False, "District (for the district summary)", "所在区县(用于分区汇总)"),
    Column("street", "街道", TEXT),
    Column("lon", "经度", FLOAT, False, "Longitude [degrees]", "经度(度)"),
    Column("lat", "纬度", FLOAT, False, "Latitude [degrees]", "纬度(度)"),
    Column(
        "crs",
        "坐标系",
        CRS,
        False,
        "WGS84 (default) or GCJ02 (converted, flagged)",
        "WGS84(默认)或GCJ02(自动转换并标注)",
    ),
    Column(
        "category",
        "类别",
        CATEGORY,
        True,
        "One of the category codes (or its Chinese name)",
        "类别代码或中文名称",
    ),
    Column("is_public", "是否对外开放", BOOL, False, "true/false or 是/否", "是/否"),
    Column(
        "is_new",
        "是否新建",
        BOOL,
        False,
        "true/false or 是/否; blank: derived from the approval date",
        "是/否;留空则按规划审批日期判定",
    ),
    Column("approval_date", "规划审批日期", DATE, False, "YYYY-MM-DD", "年-月-日"),
    Column("completion_date", "竣工验收日期", DATE, False, "YYYY-MM-DD", "年-月-日"),
    Column("total_spaces", "总车位数", INT, True, "All spaces", "全部车位"),
    Column(
        "dedicated_spaces",
        "专属车位数",
        INT,
        False,
        "Owned or assigned spaces (residential base)",
        "产权或固定车位(住宅配建基数)",
    ),
    Column("dwellings", "住户数", INT),
    Column(
        "spaces_with_chargers",
        "已建充电设施车位数",
        INT,
        False,
        "A dual-gun pile serving two spaces counts two",
        "一桩双枪服务两个车位计2个",
    ),
    Column("charger_power_kw", "单桩功率(kW)", FLOAT),
    Column("charger_current", "交流/直流", CURRENT, False, "AC, DC or AC+DC", "交流、直流或交直流"),
    Column(
        "spaces_reserved",
        "预留安装条件车位数",
        INT,
        False,
        "Spaces with conditions reserved, chargers not yet built",
        "已预留安装条件但未建桩的车位",
    ),
    Column("conduit_to_each_space", "管线桥架到每个车位", BOOL),
    Column("reserved_capacity_kva", "预留供电容量(kVA)", FLOAT),
    Column("meter_box_position", "电表箱位置", TEXT),
    Column("civil_works_done", "土建到位", BOOL),
    Column("underground_levels", "地下层数", INT),
    Column("fire_alarm", "火灾自动报警系统", BOOL),
    Column("smoke_extraction", "排烟设施", BOOL),
    Column("sprinklers", "自动喷水灭火系统", BOOL),
    Column("emergency_lighting", "消防应急照明和疏散指示标志", BOOL),
    Column("on_trunk_road", "位于干线公路沿线", BOOL),
    Column("dc_fast_chargers_60kw", "60kW及以上直流快充桩数", INT),
    Column(
        "station_ids",
        "关联充电站编号",
        IDS,
        False,
        "CSMS station ids separated by ';'",
        "CSMS站点编号,以;分隔",
    ),
)

BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}

#: Header text (as written, or lower-cased English) -> column key.
HEADER_ALIASES: dict[str, str] = {
    **{c.key: c.key for c in COLUMNS},
    **{c.zh: c.key for c in COLUMNS},
}

#: Current type text (upper-cased, spaces removed) -> "AC", "DC" or "AC+DC".
CURRENT_ALIASES: dict[str, str] = {
    "AC": "AC", "DC": "DC", "AC+DC": "AC+DC", "AC/DC": "AC+DC", "交流": "AC", "直流": "DC", "交直流": "AC+DC",
}  # fmt: skip

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "是", "有", "对"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "否", "无", "没有"})

#: Category text (code, Chinese name, short Chinese name) -> category.
CATEGORY_ALIASES: dict[str, Category] = {
    **{c.value: c for c in Category},
    **{zh: c for c, zh in CATEGORY_ZH.items()},
    "公共单位": Category.PUBLIC_INSTITUTION,
    "公共机构": Category.PUBLIC_INSTITUTION,
    "文旅景区": Category.CULTURAL_TOURISM,
    "公共建筑": Category.PUBLIC_BUILDING,
    "社会公共": Category.SOCIAL_PUBLIC,
    "城市地面公共": Category.URBAN_GROUND_PUBLIC,
    "国企内部": Category.SOE_INTERNAL,
    "住宅": Category.RESIDENTIAL,
    "商业": Category.COMMERCIAL,
    "车队场站": Category.FLEET_DEPOT,
}
