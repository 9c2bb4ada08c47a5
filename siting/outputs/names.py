"""Names of nodes on maps and in tables, in Chinese or English.

English names come from the data (``name_en``) where it has one; a service or parking area, which
the data names in Chinese only, gets its Hanyu Pinyin (``pypinyin``) with "SA"/"PA"
(``昭山服务区`` -> ``Zhaoshan SA``, ``长沙西服务区`` -> ``Changsha West SA``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pypinyin import lazy_pinyin

from siting.i18n import t

__all__ = ["display_name", "romanise", "station_label", "corridor_name"]

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


_CORRIDOR_WORDS = (("高速公路", " Expressway"), ("高速", " Expressway"), ("扩容", " widening"))


def corridor_name(code: str, lang: str) -> str:
    """An expressway's code or name as shown in ``lang``: unchanged in ``zh``; in ``en`` the Chinese
    parts in pinyin, with "高速" as "Expressway".

    >>> corridor_name("娄新高速", "en"), corridor_name("G60 (醴娄扩容)", "en"), corridor_name("G4", "en")
    ('Louxin Expressway', 'G60 (Lilou widening)', 'G4')
    """
    if lang == "zh" or not any("\u4e00" <= ch <= "\u9fff" for ch in code):
        return code
    out: list[str] = []
    run = ""
    for ch in code + " ":
        if "\u4e00" <= ch <= "\u9fff":
            run += ch
            continue
        if run:
            suffix = ""
            for zh, en in _CORRIDOR_WORDS:
                if run.endswith(zh) and len(run) > len(zh):
                    run, suffix = run[: -len(zh)], en
                    break
            out.append("".join(lazy_pinyin(run)).capitalize() + suffix)
            run = ""
        out.append(ch)
    return "".join(out).strip()


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


def station_label(d: Mapping[str, Any], name: str, lang: str) -> str:
    """A station's map label: its name and its sized chargers or dispensers.

    >>> station_label({"sizing": {"servers": 18, "server_name": "charger"}}, "昭山服务区", "zh")
    '昭山服务区 (18桩)'
    >>> station_label({"sizing": {"servers": 4, "server_name": "charger"}}, "Zhaoshan SA", "en")
    'Zhaoshan SA (4 chargers)'
    """
    sizing = d.get("sizing") or {}
    servers = sizing.get("servers")
    if servers is None:
        return name
    unit = t("unit_" + str(sizing.get("server_name", "charger")), lang)
    return f"{name} ({int(servers)}{'' if lang == 'zh' else ' '}{unit})"
