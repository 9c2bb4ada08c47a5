"""Names of nodes on maps and in tables, in Chinese or English.

English names come from the data (``name_en``) where it has one; a service or parking area, which
the data names in Chinese only, gets its Hanyu Pinyin (``pypinyin``) with "SA"/"PA"
(``昭山服务区`` -> ``Zhaoshan SA``, ``长沙西服务区`` -> ``Changsha West SA``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pypinyin import lazy_pinyin

__all__ = ["display_name", "romanise"]

_FACILITY = {"服务区": "SA", "停车区": "PA"}
_DIRECTION = {"东": "East", "西": "West", "南": "South", "北": "North"}


def romanise(name: str) -> str:
    """Pinyin of a Chinese place name, facility words and a trailing direction in English.

    Examples
    --------
    >>> romanise("昭山服务区"), romanise("长沙西服务区"), romanise("湘潭")
    ('Zhaoshan SA', 'Changsha West SA', 'Xiangtan')
    """
    suffix = ""
    for zh, en in _FACILITY.items():
        if name.endswith(zh):
            name, suffix = name[: -len(zh)], " " + en
            break
    direction = ""
    if len(name) >= 3 and name[-1] in _DIRECTION:
        name, direction = name[:-1], " " + _DIRECTION[name[-1]]
    stem = "".join(lazy_pinyin(name)).capitalize() if name else ""
    return f"{stem}{direction}{suffix}".strip()


def display_name(node: str, data: Mapping[str, Any], lang: str) -> str:
    """The name to show for ``node``: Chinese name in ``zh``, English (or its pinyin) otherwise."""
    name = str(data.get("name") or node)
    if lang == "zh":
        return name
    if data.get("name_en"):
        return str(data["name_en"]).split(" (")[0]
    if any("\u4e00" <= ch <= "\u9fff" for ch in name):
        return romanise(name)
    return name
