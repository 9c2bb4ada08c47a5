"""The capacity plan as a self-contained HTML page: the map (inline SVG over the offline base layer,
sites drawn by the bays they need to add, labels placed without overlaps) and the table."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from siting.capacity import is_assumed
from siting.graph import RoadGraph
from siting.outputs.capacity import ADD_CLASSES, add_class, capacity_note, capacity_title, class_label, label
from siting.outputs.html_map import svg_frame, svg_labels
from siting.outputs.labels import WIDE_RINGS, LabelSpec
from siting.outputs.names import display_name

__all__ = ["capacity_html", "write_capacity_html"]

_ENOUGH_EDGE = "#3a7d55"


def _name(row: Mapping[str, Any], G: RoadGraph, lang: str) -> str:
    site = str(row["site"])
    return display_name(site, G.nodes[site], lang) if site in G else str(row.get("name") or site)


def _wait(value: float | None, lang: str) -> str:
    return label("overflow", lang) if value is None else f"{value:.1f}"


def capacity_html(G: RoadGraph, doc: Mapping[str, Any], *, lang: str = "en") -> str:
    """The HTML page (a string) of a capacity plan from ``siting capacity``."""
    frame = svg_frame(G, lang)
    parts = frame.parts
    rows = list(doc.get("sites") or [])
    planned = {str(r["site"]) for r in rows}
    obstacles: list[tuple[float, float, float]] = []
    cities: list[tuple[float, LabelSpec]] = []
    for n, d in G.nodes(data=True):
        if d.get("kind") != "city" or n not in frame.pos or n in planned:
            continue
        x, y = frame.project(n)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#222"/>')
        obstacles.append((x, y, 4.5))
        spec = LabelSpec(x, y, display_name(n, d, lang), {"fontsize": 12, "color": "#222"})
        cities.append((-float(d.get("weight") or 0.0), spec))
    needing: list[tuple[tuple[int, float], LabelSpec]] = []
    enough: list[tuple[float, LabelSpec]] = []
    for r in sorted(rows, key=lambda r: add_class(int(r["bays_to_add"]))):  # larger symbols on top
        site = str(r["site"])
        if site not in frame.pos:
            continue
        x, y = frame.project(site)
        add = int(r["bays_to_add"])
        i = add_class(add)
        _, _, colour, size = ADD_CLASSES[i]
        radius = 0.5 * math.sqrt(size) * 1.1
        edge = _ENOUGH_EDGE if i == 0 else "white"
        tip = (
            f"{_name(r, G, lang)}: {label('existing', lang)} {r['bays_existing']}, {label('add', lang)} {add}"
        )
        parts.append(
            f'<circle class="capacity-class-{i}" cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{colour}" '
            f'stroke="{edge}" stroke-width="1.2"><title>{html.escape(tip)}</title></circle>'
        )
        obstacles.append((x, y, radius + 1))
        passing = float(r.get("passing_per_day") or 0.0)
        if add:
            text = f"{_name(r, G, lang)} +{add}"
            style = {"fontsize": 12, "fontweight": "bold", "color": "#8a0f1e"}
            needing.append(((-add, -passing), LabelSpec(x, y, text, style, rings=WIDE_RINGS)))
        else:
            enough.append((-passing, LabelSpec(x, y, _name(r, G, lang), {"fontsize": 9, "color": "#4a6b57"})))
    specs = [s for _, s in sorted(needing, key=lambda k: k[0])]
    specs += [s for _, s in sorted(cities, key=lambda k: k[0])]
    specs += [s for _, s in sorted(enough, key=lambda k: k[0])]
    labels, _ = svg_labels(specs, obstacles)
    parts += labels
    parts.append("</svg>")
    present = sorted({add_class(int(r["bays_to_add"])) for r in rows}, reverse=True)
    legend = " · ".join(
        f'<span style="color:{_ENOUGH_EDGE if i == 0 else ADD_CLASSES[i][2]}">'
        f"{'&#9675;' if i == 0 else '&#9679;'}</span> "
        f"{html.escape(class_label(i, lang))}"
        for i in present
    )
    legend_title = "需新增充电车位" if lang == "zh" else "Charging bays to add"
    title_lines = capacity_title(doc, lang).split("\n")
    unplaced = [_name(r, G, lang) for r in rows if str(r["site"]) not in frame.pos]
    note = " ".join(capacity_note(doc, unplaced, lang, base=True).split("\n")[:-1])
    cols = (
        "name",
        "passing",
        "charging",
        "peak",
        "existing",
        "wait_now",
        "needed",
        "add",
        "wait_planned",
        "kw",
        "kva",
    )
    head = "".join(f"<th>{html.escape(label(c, lang))}</th>" for c in cols)
    body = []
    for r in sorted(rows, key=lambda r: (-r["bays_to_add"], -r["passing_per_day"], r["site"])):
        star = "*" if is_assumed(str(r.get("bays_existing_source", ""))) else ""
        cells = [
            html.escape(_name(r, G, lang)),
            f"{r['passing_per_day']:,.0f}",
            f"{r['charging_per_day']:,.1f}",
            f"{r['peak_arrivals_per_h_side']:.1f}",
            f"{r['bays_existing']}{star}",
            html.escape(_wait(r["wait_existing_min"], lang)),
            str(r["bays_needed"]),
            f"<b>{r['bays_to_add']}</b>" if r["bays_to_add"] else "0",
            html.escape(_wait(r["wait_planned_min"], lang)),
            f"{r['added_kw']:,.0f}",
            f"{r['grid_kva_needed']:,.0f}",
        ]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    html_lang = "zh-CN" if lang == "zh" else "en"
    wait_unit = "分钟" if lang == "zh" else "min"
    waits = html.escape(f"{label('wait_now', lang)}, {label('wait_planned', lang)}")
    return f"""<!DOCTYPE html>
<html lang="{html_lang}"><head><meta charset="utf-8"><title>{html.escape(title_lines[0])}</title>
<style>body{{font-family:sans-serif;margin:1em;color:#222}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 8px;font-size:13px}} td{{text-align:right}}
td:first-child{{text-align:left}}</style></head><body>
<h1>{html.escape(title_lines[0])}</h1><p>{html.escape(title_lines[1])}</p>
<p>{html.escape(legend_title)}: {legend}</p>
{"".join(parts)}
<p style="font-size:12px;color:#666">{html.escape(note)}</p>
<table><tr>{head}</tr>
{"".join(body)}</table>
<p style="font-size:12px;color:#666">{waits}: {wait_unit}. {html.escape(label("assumed", lang))}.</p>
</body></html>
"""


def write_capacity_html(G: RoadGraph, doc: Mapping[str, Any], path: str | Path, *, lang: str = "en") -> Path:
    path = Path(path)
    path.write_text(capacity_html(G, doc, lang=lang), encoding="utf-8")
    return path
