"""A self-contained HTML map: inline SVG, no scripts or web fonts fetched (works offline).

Longitude/latitude are drawn equirectangular with the x scale shrunk by cos(mean latitude);
other coordinates are drawn as given. Nodes without coordinates get a spring layout.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from siting.graph import RoadGraph, corridor_chains
from siting.i18n import plan_note, t
from siting.outputs.basemap import hunan_base_layer, is_lon_lat, road_segments
from siting.outputs.labels import WIDE_RINGS, LabelSpec, place_svg_labels
from siting.outputs.names import corridor_name, station_label
from siting.outputs.names import display_name as _name

__all__ = ["SvgFrame", "svg_frame", "svg_labels", "plan_html", "write_html"]

_W, _H, _PAD = 900, 700, 40
_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def _layout(G: RoadGraph) -> tuple[dict[str, tuple[float, float]], float | None]:
    """Drawing positions, and the x shrink of longitude (None when the coordinates are not lon/lat)."""
    pos: dict[str, tuple[float, float]] = {}
    for n, d in G.nodes(data=True):
        x, y = d.get("x"), d.get("y")
        if x is not None and y is not None:
            pos[n] = (float(x), float(y))
    if 2 * len(pos) < G.number_of_nodes():  # mostly without coordinates: a spring layout of all
        spring = nx.spring_layout(G, seed=1, weight=None)
        return {n: (float(xy[0]), float(xy[1])) for n, xy in spring.items()}, None
    if not is_lon_lat(G, pos):
        return pos, None
    shrink = math.cos(math.radians(sum(y for _, y in pos.values()) / len(pos)))
    return {n: (x * shrink, y) for n, (x, y) in pos.items()}, shrink


def _base_svg(
    raw: dict[str, tuple[float, float]], shrink: float, xy: Callable[[float, float], tuple[float, float]]
) -> str:
    """Prefecture and province boundaries (the offline base layer) as SVG paths, when they apply."""
    layer = hunan_base_layer()
    xs = [p[0] / shrink for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    if not layer.covers((min(xs), min(ys), max(xs), max(ys))):
        return ""

    def path(rings: list[list[tuple[float, float]]], closed: bool) -> str:
        out = []
        for ring in rings:
            pts = [xy(x * shrink, y) for x, y in ring]
            out.append("M" + " L".join(f"{px:.1f},{py:.1f}" for px, py in pts) + (" Z" if closed else ""))
        return " ".join(out)

    prefectures = [r for b in layer.of_kind("prefecture") for r in b.parts]
    province = [r for b in layer.of_kind("province") for r in b.parts]
    lines = [r for b in layer.of_kind("province_line") for r in b.parts]
    return (
        f'<path class="base-prefectures" d="{path(prefectures, True)}" fill="#fbf8f0" stroke="#b4aa98" '
        'stroke-width="0.6" stroke-dasharray="4 2"/>'
        f'<path class="base-province-lines" d="{path(lines, False)}" fill="none" stroke="#8c8577" '
        'stroke-width="0.9"/>'
        f'<path class="base-province" d="{path(province, True)}" fill="none" stroke="#5f564a" '
        'stroke-width="1.4"/>'
    )


def _projector(pos: dict[str, tuple[float, float]]) -> Callable[[float, float], tuple[float, float]]:
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    scale = min(
        (_W - 2 * _PAD) / max(max(xs) - min(xs), span * 1e-3),
        (_H - 2 * _PAD) / max(max(ys) - min(ys), span * 1e-3),
    )

    def project(x: float, y: float) -> tuple[float, float]:
        return _PAD + (x - min(xs)) * scale, _H - _PAD - (y - min(ys)) * scale

    return project


@dataclass
class SvgFrame:
    """An SVG map being built: background, base layer and roads in ``parts``; node positions."""

    parts: list[str]
    pos: dict[str, tuple[float, float]]
    xy: Callable[[float, float], tuple[float, float]]
    corridor_colours: dict[str, str]

    def project(self, node: str) -> tuple[float, float]:
        return self.xy(*self.pos[node])


def svg_frame(G: RoadGraph, lang: str = "en") -> SvgFrame:
    """The background, the offline base layer (lon/lat networks in Hunan) and the roads, coloured
    by expressway, each with a tooltip."""
    pos, shrink = _layout(G)
    xy = _projector(pos)
    corridors = corridor_chains(G)
    colour = {code: _PALETTE[i % len(_PALETTE)] for i, code in enumerate(sorted(corridors))}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}">',
        f'<rect width="100%" height="100%" fill="{"#eceef0" if shrink else "#fbfbf8"}"/>',
        _base_svg(pos, shrink, xy) if shrink else "",
    ]
    for u, v, d in G.edges(data=True):
        if u not in pos or v not in pos:
            continue
        (x1, y1), (x2, y2) = xy(*pos[u]), xy(*pos[v])
        codes = d.get("corridors") or []
        stroke = colour.get(codes[0], "#999") if codes else "#aaa"
        names = " ".join(corridor_name(c, lang) for c in codes)
        tip = html.escape(f"{u}-{v} {d['length_km']:g} km {names}")
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" '
            f'stroke-width="3" stroke-opacity="0.7"><title>{tip}</title></line>'
        )
    drawn = {(u, v) for u, v in G.edges() if u in pos and v in pos}
    for a, b in road_segments(G, pos)[len(drawn) :]:  # across areas that have no position
        (x1, y1), (x2, y2) = xy(*a), xy(*b)
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#aaa" '
            'stroke-width="3" stroke-opacity="0.7"/>'
        )
    return SvgFrame(parts, pos, xy, colour)


def svg_labels(
    specs: list[LabelSpec], obstacles: list[tuple[float, float, float]]
) -> tuple[list[str], list[LabelSpec]]:
    """SVG text (with a white halo) and leader lines for the labels that find room
    (:func:`siting.outputs.labels.place_svg_labels`), and the specs left out."""
    placed, dropped = place_svg_labels(specs, size=(_W, _H), obstacles=obstacles)
    out: list[str] = []
    for lab in placed:
        style = lab.spec.style
        if lab.leader:
            x1, y1, x2, y2 = lab.leader
            out.append(
                f'<line class="leader" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                'stroke="#666" stroke-width="0.6"/>'
            )
        weight = ' font-weight="bold"' if style.get("fontweight") == "bold" else ""
        out.append(
            f'<text class="label" x="{lab.x:.1f}" y="{lab.y:.1f}" text-anchor="{lab.anchor}" '
            f'font-size="{float(style.get("fontsize", 12)):g}"{weight} fill="{style.get("color", "#333")}" '
            f'stroke="white" stroke-width="3" stroke-opacity="0.85" paint-order="stroke">'
            f"{html.escape(lab.spec.text)}</text>"
        )
    return out, dropped


def plan_html(G: RoadGraph, doc: dict[str, Any], *, lang: str = "en", title: str | None = None) -> str:
    """The HTML page (a string) for a plan document from :func:`siting.outputs.document.plan_document`.

    Labels are placed as on the PNG map: stations (with their chargers) first, then cities, then
    service areas, each clear of the others and of the markers; what finds no room is left out
    (its name stays in the marker's tooltip). Networks of more than 150 nodes label stations only.
    """
    frame = svg_frame(G, lang)
    pos, parts, colour = frame.pos, frame.parts, frame.corridor_colours
    stations = {s["id"]: s for s in doc.get("station_details", [])}
    dense = G.number_of_nodes() > 150
    obstacles: list[tuple[float, float, float]] = []
    city_specs: list[tuple[float, LabelSpec]] = []
    area_specs: list[LabelSpec] = []
    for n, d in G.nodes(data=True):
        if n in stations or n not in pos:
            continue
        x, y = frame.project(n)
        r = 4 if d.get("kind") == "city" else 2
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="#555"><title>{html.escape(_name(n, d, lang))}'
            f"</title></circle>"
        )
        if dense:
            continue
        obstacles.append((x, y, r + 0.5))
        if d.get("kind") == "city":
            spec = LabelSpec(x, y, _name(n, d, lang), {"fontsize": 12, "color": "#333"})
            city_specs.append((-float(d.get("weight") or 0.0), spec))
        elif d.get("kind") == "service_area":
            area_specs.append(LabelSpec(x, y, _name(n, d, lang), {"fontsize": 9, "color": "#666"}))
    station_specs: list[LabelSpec] = []
    ranked = sorted(
        stations.items(), key=lambda kv: -float((kv[1].get("sizing") or {}).get("visits_per_day") or 0.0)
    )
    for n, st in ranked:
        if n not in pos:
            continue  # no position in the data: in the table below, not on the map
        x, y = frame.project(n)
        fill = "#d62728" if st["status"] == "new" else "#1f3b8f"
        sizing = st.get("sizing") or {}
        tip = _name(n, G.nodes[n], lang)
        if sizing:
            tip += (
                f" | {sizing.get('servers')} {t('servers_' + sizing.get('server_name', 'charger'), lang)}"
                f" | {float(sizing.get('visits_per_day') or 0):,.0f} {t('visits', lang)}"
            )
        parts.append(
            f'<rect x="{x - 7:.1f}" y="{y - 7:.1f}" width="14" height="14" fill="{fill}" '
            f'stroke="white" stroke-width="1.5"><title>{html.escape(tip)}</title></rect>'
        )
        obstacles.append((x, y, 8.0))
        station_specs.append(
            LabelSpec(
                x,
                y,
                station_label(st, _name(n, G.nodes[n], lang), lang),
                {"fontsize": 12, "fontweight": "bold", "color": fill},
                rings=WIDE_RINGS,
            )
        )
    cities = [spec for _, spec in sorted(city_specs, key=lambda ws: ws[0])]
    labels, _ = svg_labels(station_specs + cities + area_specs, obstacles)
    parts += labels
    parts.append("</svg>")
    legend = "".join(
        f'<span style="color:{c}">&#9644; {html.escape(corridor_name(code, lang))}</span> '
        for code, c in colour.items()
    )
    network = str(doc.get("network", ""))
    if network in ("hunan", "25node"):
        network = t("network_" + network, lang)
    head = title or f"{t('title_plan', lang)} · {network}"
    rows = "".join(
        f"<tr><td>{html.escape(s['id'])}</td><td>{html.escape(_name(s['id'], G.nodes[s['id']], lang))}</td>"
        f"<td>{t(s['status'], lang)}</td><td>{(s.get('sizing') or {}).get('servers', '')}</td>"
        f"<td>{_visits(s)}</td></tr>"
        for s in doc.get("station_details", [])
        if s["id"] in G
    )
    gap = doc.get("gap")
    gap_text = "-" if gap is None else f"{100 * gap:.3f}%"
    html_lang = "zh-CN" if lang == "zh" else "en"
    server_head = t("servers_" + ("dispenser" if doc.get("fuel") == "h2" else "charger"), lang)
    facts = (
        f"{t('fuel', lang)}: {t(doc.get('fuel', ''), lang)} · {t('range', lang)}: {doc.get('range_km')} km · "
        f"{t('status', lang)}: {t(doc.get('status', ''), lang)} · {t('covered', lang)}: "
        f"{doc.get('covered_flow_pct', 0):.2f}% · {t('gap', lang)}: {gap_text}"
    )
    return f"""<!DOCTYPE html>
<html lang="{html_lang}"><head><meta charset="utf-8"><title>{html.escape(head)}</title>
<style>body{{font-family:sans-serif;margin:1em;color:#222}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 8px;font-size:13px}}</style></head><body>
<h1>{html.escape(head)}</h1><p>{html.escape(facts)}</p>
<p><span style="color:#d62728">&#9632; {t("legend_new", lang)}</span> ·
<span style="color:#1f3b8f">&#9632; {t("legend_existing", lang)}</span> ·
<span style="color:#555">&#9679; {t("legend_node", lang)}</span> · {legend}</p>
{"".join(parts)}
<table><tr><th>{t("station", lang)}</th><th>{t("name", lang)}</th><th>{t("station_status", lang)}</th>
<th>{server_head}</th><th>{t("visits", lang)}</th></tr>
{rows}</table>
<p style="font-size:12px;color:#666">{html.escape(plan_note(doc, lang))}</p>
</body></html>
"""


def write_html(G: RoadGraph, doc: dict[str, Any], path: str | Path, *, lang: str = "en") -> Path:
    path = Path(path)
    path.write_text(plan_html(G, doc, lang=lang), encoding="utf-8")
    return path


def _visits(station: dict[str, Any]) -> str:
    """Visits per day as a whole number (a planner reads 363, not 363.0238)."""
    value = (station.get("sizing") or {}).get("visits_per_day")
    return "" if value is None else f"{float(value):,.0f}"
