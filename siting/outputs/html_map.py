"""A self-contained HTML map: inline SVG, no scripts or web fonts fetched (works offline).

Longitude/latitude are drawn equirectangular with the x scale shrunk by cos(mean latitude);
other coordinates are drawn as given. Nodes without coordinates get a spring layout.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from siting.graph import RoadGraph, corridor_chains
from siting.i18n import t
from siting.outputs.names import display_name as _name

__all__ = ["plan_html", "write_html"]

_W, _H, _PAD = 900, 700, 40
_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def _layout(G: RoadGraph) -> dict[str, tuple[float, float]]:
    pos: dict[str, tuple[float, float]] = {}
    for n, d in G.nodes(data=True):
        x, y = d.get("x"), d.get("y")
        if x is None or y is None:
            spring = nx.spring_layout(G, seed=1, weight=None)
            return {n: (float(xy[0]), float(xy[1])) for n, xy in spring.items()}
        pos[n] = (float(x), float(y))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    geographic = (
        all(-180 <= x <= 180 for x in xs) and all(-90 <= y <= 90 for y in ys) and max(xs) - min(xs) < 60
    )
    shrink = math.cos(math.radians(sum(ys) / len(ys))) if geographic else 1.0
    return {n: (x * shrink, y) for n, (x, y) in pos.items()}


def _projector(pos: dict[str, tuple[float, float]]) -> Callable[[str], tuple[float, float]]:
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    scale = min(
        (_W - 2 * _PAD) / max(max(xs) - min(xs), span * 1e-3),
        (_H - 2 * _PAD) / max(max(ys) - min(ys), span * 1e-3),
    )

    def project(node: str) -> tuple[float, float]:
        x, y = pos[node]
        return _PAD + (x - min(xs)) * scale, _H - _PAD - (y - min(ys)) * scale

    return project


def plan_html(G: RoadGraph, doc: dict[str, Any], *, lang: str = "en", title: str | None = None) -> str:
    """The HTML page (a string) for a plan document from :func:`siting.outputs.document.plan_document`."""
    project = _projector(_layout(G))
    corridors = corridor_chains(G)
    colour = {code: _PALETTE[i % len(_PALETTE)] for i, code in enumerate(sorted(corridors))}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}">',
        '<rect width="100%" height="100%" fill="#fbfbf8"/>',
    ]
    for u, v, d in G.edges(data=True):
        (x1, y1), (x2, y2) = project(u), project(v)
        codes = d.get("corridors") or []
        stroke = colour.get(codes[0], "#999") if codes else "#aaa"
        label = html.escape(f"{u}-{v} {d['length_km']:g} km {' '.join(codes)}")
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" '
            f'stroke-width="3" stroke-opacity="0.7"><title>{label}</title></line>'
        )
    stations = {s["id"]: s for s in doc.get("station_details", [])}
    dense = G.number_of_nodes() > 150
    for n, d in G.nodes(data=True):
        if n in stations:
            continue
        x, y = project(n)
        r = 4 if d.get("kind") == "city" else 2
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="#555"><title>{html.escape(_name(n, d, lang))}'
            f"</title></circle>"
        )
        if d.get("kind") == "city" and not dense:
            parts.append(
                f'<text x="{x + 6:.1f}" y="{y - 6:.1f}" font-size="12" fill="#333">'
                f"{html.escape(_name(n, d, lang))}</text>"
            )
    for n, st in stations.items():
        x, y = project(n)
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
        if not dense:
            parts.append(
                f'<text x="{x + 9:.1f}" y="{y + 4:.1f}" font-size="12" font-weight="bold" '
                f'fill="{fill}">{html.escape(_name(n, G.nodes[n], lang))}</text>'
            )
    parts.append("</svg>")
    legend = "".join(
        f'<span style="color:{c}">&#9644; {html.escape(code)}</span> ' for code, c in colour.items()
    )
    head = title or f"{t('title_plan', lang)} · {doc.get('network', '')}"
    rows = "".join(
        f"<tr><td>{html.escape(s['id'])}</td><td>{html.escape(str(s.get('name') or ''))}</td>"
        f"<td>{t(s['status'], lang)}</td><td>{(s.get('sizing') or {}).get('servers', '')}</td>"
        f"<td>{_visits(s)}</td></tr>"
        for s in doc.get("station_details", [])
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
<p style="font-size:12px;color:#666">{html.escape(doc.get("note", ""))}</p>
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
