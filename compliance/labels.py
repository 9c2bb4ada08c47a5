"""Bilingual display labels of record fields (zh-CN, en), shared by rules, explanations and reports."""

from __future__ import annotations

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "total_spaces": ("总车位数", "total spaces"),
    "dedicated_spaces": ("专属车位数", "dedicated spaces"),
    "dwellings": ("住户数", "dwellings"),
    "spaces_with_chargers": ("已建充电设施车位", "spaces with chargers"),
    "spaces_reserved": ("预留安装条件车位", "reserved spaces"),
    "dc_fast_chargers_60kw": ("60kW及以上直流快充桩", "DC fast chargers >= 60 kW"),
    "underground_levels": ("地下层数", "underground levels"),
    "is_public": ("是否对外开放", "open to the public"),
    "is_new": ("是否新建", "new"),
    "on_trunk_road": ("是否位于干线公路", "on a trunk road"),
    "fire_alarm": ("火灾自动报警系统", "fire alarm system"),
    "smoke_extraction": ("排烟设施", "smoke extraction"),
    "sprinklers": ("自动喷水灭火系统", "automatic sprinklers"),
    "emergency_lighting": ("消防应急照明和疏散指示标志", "emergency lighting and exit signs"),
    "conduit_to_each_space": ("管线到位", "conduit to each space"),
    "civil_works_done": ("土建到位", "civil works"),
}


def label(name: str, lang: str = "en") -> str:
    """The display label of a record field; the field name itself when it has none.

    Examples
    --------
    >>> label("spaces_reserved", "zh"), label("spaces_reserved")
    ('预留安装条件车位', 'reserved spaces')
    """
    pair = FIELD_LABELS.get(name)
    if pair is None:
        return name
    return pair[0] if lang == "zh" else pair[1]
