"""The register's columns, derived from the car-park record's field specs (:mod:`compliance.model`).

The template is written from this table and the importers read through it, so the two never drift.
English headers are the record's field names (``lon``/``lat`` for the coordinates), Chinese headers the
fields' labels with their unit; ``crs`` is the one column that is not a record field.
"""

from __future__ import annotations

from dataclasses import dataclass

from compliance.categories import CATEGORY_SYNONYMS, CATEGORY_ZH, Category
from compliance.model import CarPark
from compliance.normalise import normalise_header
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

#: Current type text (NFKC, upper-cased, spaces removed) -> "AC", "DC" or "AC+DC".
CURRENT_ALIASES: dict[str, str] = {
    "AC": "AC", "DC": "DC", "AC+DC": "AC+DC", "AC/DC": "AC+DC", "交流": "AC", "直流": "DC", "交直流": "AC+DC",
    "交流+直流": "AC+DC", "交流/直流": "AC+DC", "交直流混合": "AC+DC", "慢充": "AC", "快充": "DC",
}  # fmt: skip

#: Yes/no words (NFKC, lower-cased, spaces removed). 新建/既有 answer 是否新建.
TRUE_WORDS = frozenset(
    {"true", "yes", "y", "t", "1", "是", "有", "对", "√", "✓", "✔", "☑", "已", "具备", "到位", "新建"}
)
FALSE_WORDS = frozenset(
    {
        "false",
        "no",
        "n",
        "f",
        "0",
        "否",
        "无",
        "没有",
        "不是",
        "×",
        "✗",
        "✘",
        "☐",
        "未",
        "不具备",
        "未到位",
        "既有",
    }
)

#: Cells meaning "not filled in" (read as blank, i.e. unknown).
BLANK_WORDS = frozenset(
    {"/", "-", "--", "—", "——", "－", "\\", "不详", "未知", "待核实", "待定", "n/a", "na"}
)


def _category_aliases() -> dict[str, Category]:
    table: dict[str, Category] = {}
    for category in Category:
        if category is Category.UNKNOWN:
            continue
        names = (category.value, CATEGORY_ZH[category], *CATEGORY_SYNONYMS.get(category, ()))
        for name in names:
            table.setdefault(normalise_header(name), category)
    return table


#: Category text (normalised as a header) -> category: the codes, Chinese names and synonyms.
CATEGORY_ALIASES: dict[str, Category] = _category_aliases()
