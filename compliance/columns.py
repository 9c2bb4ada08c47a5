"""The register's columns, derived from the car-park record's field specs (:mod:`compliance.model`).

The template is written from this table and the importers read through it, so the two never drift.
English headers are the record's field names (``lon``/``lat`` for the coordinates), Chinese headers the
fields' labels with their unit; ``crs`` is the one column that is not a record field.
"""

from __future__ import annotations

from dataclasses import dataclass

from compliance.model import CATEGORY_ZH, CarPark, Category
from compliance.schema import FieldInfo, Kind, fields_of


@dataclass(frozen=True, slots=True)
class Column:
    """One register column: ``key`` is the English header, ``field`` the record field it fills."""

    key: str
    zh: str
    kind: Kind
    required: bool = False
    note_en: str = ""
    note_zh: str = ""
    field: str | None = None
    aliases: tuple[str, ...] = ()


#: The coordinate system of ``lon``/``lat``: read by the importer, never stored as such.
CRS_COLUMN = Column(
    "crs",
    "坐标系",
    Kind.CRS,
    False,
    "WGS84 (default) or GCJ02 (converted, flagged)",
    "WGS84(默认)或GCJ02(自动转换并标注)",
)


def _column(info: FieldInfo, key: str) -> Column:
    s = info.spec
    return Column(key, s.header_zh, info.kind, s.required, s.help_en, s.help_zh, info.name, s.aliases)


def _columns() -> tuple[Column, ...]:
    out: list[Column] = []
    for info in fields_of(CarPark):
        if info.column is None:
            continue
        out.append(_column(info, info.column))
        if info.name == "lat_deg":
            out.append(CRS_COLUMN)  # the system the two coordinates before it are given in
    return tuple(out)


COLUMNS: tuple[Column, ...] = _columns()

BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}

#: Header text (as written, or lower-cased English) -> column key.
HEADER_ALIASES: dict[str, str] = {
    **{c.key: c.key for c in COLUMNS},
    **{c.zh: c.key for c in COLUMNS},
    **{alias: c.key for c in COLUMNS for alias in c.aliases},
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
