"""Outputs of a capacity plan: a terminal table (en / zh), CSV, GeoJSON and JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from siting.capacity import is_assumed
from siting.i18n import t

__all__ = [
    "LABELS",
    "label",
    "print_capacity",
    "write_capacity_csv",
    "capacity_geojson",
    "write_capacity_outputs",
    "ADD_CLASSES",
    "add_class",
    "class_label",
    "capacity_title",
    "capacity_note",
]

LABELS: dict[str, tuple[str, str]] = {
    "title": ("Charging capacity at the peak hour", "高峰小时充电能力"),
    "site": ("Site", "站点"),
    "name": ("Name", "名称"),
    "passing": ("Veh/day", "日车流"),
    "charging": ("Charges/day", "日充电"),
    "peak": ("Peak/h/side", "高峰/时/侧"),
    "existing": ("Bays now", "现有车位"),
    "wait_now": ("Wait now", "现状等待"),
    "needed": ("Needed", "所需车位"),
    "add": ("To add", "需新增"),
    "wait_planned": ("Wait planned", "扩容后等待"),
    "kw": ("Added kW", "新增 kW"),
    "kva": ("Grid kVA", "电网 kVA"),
    "overflow": ("overflows", "排队无法消化"),
    "assumed": ("* existing bays assumed", "* 现有车位为假设值"),
    "totals": ("Totals", "合计"),
    "target_mean": ("target: mean wait <= {t:g} min", "目标：平均等待 <= {t:g} 分钟"),
    "target_prob": ("target: P(wait > {t:g} min) <= {p:g}", "目标：等待超过 {t:g} 分钟的概率 <= {p:g}"),
    "sites_needing": ("sites needing bays", "需扩容站点"),
}


# (lowest, highest or None, fill colour, marker size in points squared); class 0: nothing to add
ADD_CLASSES: tuple[tuple[int, int | None, str, float], ...] = (
    (0, 0, "#ffffff", 20.0),
    (1, 2, "#fecc5c", 48.0),
    (3, 5, "#fd8d3c", 80.0),
    (6, 10, "#f03b20", 125.0),
    (11, 20, "#bd0026", 180.0),
    (21, None, "#67001f", 250.0),
)


def add_class(bays_to_add: int) -> int:
    """The index in :data:`ADD_CLASSES` of a number of bays to add.

    >>> add_class(0), add_class(2), add_class(3), add_class(40)
    (0, 1, 2, 5)
    """
    for i, (lo, hi, _, _) in enumerate(ADD_CLASSES):
        if bays_to_add >= lo and (hi is None or bays_to_add <= hi):
            return i
    raise ValueError(f"bays to add must not be negative, got {bays_to_add}")


def class_label(i: int, lang: str) -> str:
    """A class of :data:`ADD_CLASSES` as the legend shows it.

    >>> class_label(0, "zh"), class_label(1, "en"), class_label(5, "zh")
    ('无需新增', '+1–2', '+21 及以上')
    """
    lo, hi, _, _ = ADD_CLASSES[i]
    if i == 0:
        return "无需新增" if lang == "zh" else "none needed"
    span = f"+{lo}" if lo == hi else (f"+{lo} 及以上" if lang == "zh" else f"+{lo} or more")
    if hi is not None and hi != lo:
        span = f"+{lo}–{hi}"
    return span


def _network_name(network: str, lang: str) -> str:
    return t("network_" + network, lang) if network in ("hunan", "25node") else network


def _target(doc: Mapping[str, Any], lang: str) -> str:
    a = doc.get("assumptions") or {}
    wait = float(a.get("target_wait_min", 10.0))
    if a.get("max_wait_prob") is None:
        return label("target_mean", lang).format(t=wait)
    return label("target_prob", lang).format(t=wait, p=a["max_wait_prob"])


def capacity_title(doc: Mapping[str, Any], lang: str) -> str:
    """Two lines: what and where; the target and the totals."""
    tot = doc.get("totals") or {}
    head = f"{label('title', lang)} · {_network_name(str(doc.get('network', '')), lang)}"
    needing = f"{tot.get('sites_needing_bays', 0)}/{tot.get('sites', 0)}"
    kw = f"{float(tot.get('added_kw', 0)):,.0f}"
    if lang == "zh":
        facts = f"需扩容站点 {needing} · 新增车位 {tot.get('bays_to_add', 0)} · 新增 {kw} kW"
    else:
        facts = f"sites needing bays {needing} · bays to add {tot.get('bays_to_add', 0)} · added {kw} kW"
    return f"{head}\n{_target(doc, lang).replace('<=', '≤')} · {facts}"


def capacity_note(doc: Mapping[str, Any], unplaced: Sequence[str], lang: str, *, base: bool) -> str:
    """The line under the map: sources, the assumed existing bays, sites not drawn."""
    a = doc.get("assumptions") or {}
    rows = doc.get("sites") or []
    assumed = sum(1 for r in rows if is_assumed(str(r.get("bays_existing_source", ""))))
    day = float(a.get("design_day_factor", 1.0))
    if lang == "zh":
        parts = [
            f"设计日 = 平均日 × {day:g}；高峰小时占 {float(a.get('peak_hour_share', 0.12)):.0%}；"
            f"每侧（上下行）各为一个 M/M/c 排队系统（Erlang C）。"
        ]
        if assumed:
            parts.append(
                f"{assumed}/{len(rows)} 个站点的现有车位为假设值（全省平均，每对 "
                f"{a.get('default_bays', 11)} 个）。"
            )
        if unplaced:
            parts.append(f"未绘制的站点（数据中无位置）：{'、'.join(unplaced)}。")
    else:
        parts = [
            f"Design day = average day × {day:g}; peak hour {float(a.get('peak_hour_share', 0.12)):.0%} "
            "of it; each carriageway side is its own M/M/c queue (Erlang C)."
        ]
        if assumed:
            parts.append(
                f"Existing bays assumed at {assumed} of {len(rows)} sites (province average, "
                f"{a.get('default_bays', 11)} a pair)."
            )
        if unplaced:
            parts.append(f"Sites not drawn (no position in the data): {', '.join(unplaced)}.")
    sources = t("map_sources" if base else "map_sources_plain", lang)
    return "\n".join([*parts, sources])


def label(key: str, lang: str) -> str:
    """The label ``key`` in ``lang``.

    >>> label("add", "zh")
    '需新增'
    """
    en, zh = LABELS[key]
    return zh if lang == "zh" else en


def _wait(value: float | None, lang: str) -> str:
    return label("overflow", lang) if value is None else f"{value:.1f} min"


def print_capacity(console: Console, doc: Mapping[str, Any], lang: str = "en", limit: int = 60) -> None:
    """The capacity table, largest additions first, with the totals and the assumptions used."""
    a = doc["assumptions"]
    target = (
        label("target_mean", lang).format(t=a["target_wait_min"])
        if a.get("max_wait_prob") is None
        else label("target_prob", lang).format(t=a["target_wait_min"], p=a["max_wait_prob"])
    )
    table = Table(title=f"{label('title', lang)} ({target})")
    cols = ("name", "passing", "charging", "peak", "existing", "wait_now", "needed", "add")
    for col in (*cols, "wait_planned", "kw", "kva"):
        table.add_column(label(col, lang), justify="left" if col == "name" else "right", no_wrap=True)
    rows = sorted(doc["sites"], key=lambda r: (-r["bays_to_add"], -r["passing_per_day"], r["site"]))
    for r in rows[:limit]:
        name = r["name"] if lang == "zh" or not r.get("name_en") else r["name_en"]
        assumed = "*" if is_assumed(r["bays_existing_source"]) else ""
        table.add_row(
            f"{name} ({r['site']})" if name != r["site"] else name,
            f"{r['passing_per_day']:,.0f}",
            f"{r['charging_per_day']:,.1f}",
            f"{r['peak_arrivals_per_h_side']:.1f}",
            f"{r['bays_existing']}{assumed}",
            _wait(r["wait_existing_min"], lang),
            str(r["bays_needed"]),
            f"[bold]{r['bays_to_add']}[/bold]" if r["bays_to_add"] else "0",
            _wait(r["wait_planned_min"], lang),
            f"{r['added_kw']:,.0f}",
            f"{r['grid_kva_needed']:,.0f}",
        )
    console.print(table)
    if len(rows) > limit:
        console.print(f"  ... +{len(rows) - limit}")
    tot = doc["totals"]
    console.print(
        f"{label('totals', lang)}: {tot['sites']} · "
        f"{label('sites_needing', lang)} {tot['sites_needing_bays']} · "
        f"{label('existing', lang)} {tot['bays_existing']} · {label('needed', lang)} {tot['bays_needed']} · "
        f"{label('add', lang)} {tot['bays_to_add']} · {label('kw', lang)} {tot['added_kw']:,.0f} · "
        f"{label('kva', lang)} {tot['grid_kva_needed']:,.0f}"
    )
    if tot.get("sites_with_assumed_bays"):
        sources = sorted({r["bays_existing_source"] for r in rows if is_assumed(r["bays_existing_source"])})
        if lang == "zh":  # the sources are the data's English text
            console.print(
                f"[dim]{label('assumed', lang)}：未找到各站点的实际数量，按全省平均值假设"
                "（出处见 capacity.csv 的 bays_existing_source 列）[/dim]"
            )
        else:
            console.print(f"[dim]{label('assumed', lang)}: {'; '.join(sources)}[/dim]")


def write_capacity_csv(rows: Sequence[Mapping[str, Any]], path: Path) -> None:
    """One row per site with every field of :class:`siting.capacity.SiteCapacity`."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        if not rows:
            return
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        for r in rows:
            w.writerow({k: "" if v is None else v for k, v in r.items()})


def capacity_geojson(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Sites with coordinates as Points carrying the capacity fields.

    >>> capacity_geojson([{"site": "s", "x": 112.9, "y": 28.2}])["features"][0]["geometry"]
    {'type': 'Point', 'coordinates': [112.9, 28.2]}
    """
    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r["x"], r["y"]]},
            "properties": {k: v for k, v in r.items() if k not in ("x", "y")},
        }
        for r in rows
        if r.get("x") is not None and r.get("y") is not None
    ]
    return {"type": "FeatureCollection", "features": feats}


def write_capacity_outputs(doc: Mapping[str, Any], out: Path) -> list[Path]:
    """``capacity.json``, ``capacity.csv`` and ``capacity.geojson`` in ``out``; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "capacity.json", out / "capacity.csv", out / "capacity.geojson"]
    paths[0].write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    write_capacity_csv(doc["sites"], paths[1])
    paths[2].write_text(json.dumps(capacity_geojson(doc["sites"]), ensure_ascii=False), encoding="utf-8")
    return paths
