"""The capacity plan on a map (PNG): each site drawn by the charging bays it needs to add.

Symbols grow and darken with the bays to add (classes of :data:`ADD_CLASSES`); sites with enough
bays are small open circles. Sites needing bays are labelled with their name and ``+N`` (largest
first, never left out in practice), the others with their name where room is left. Same frame as
the plan map (:mod:`siting.outputs.map_png`): offline base layer, scale bar, north arrow, legend,
sources line, zh/en.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from matplotlib.lines import Line2D

from siting.graph import RoadGraph
from siting.i18n import t
from siting.outputs.capacity import ADD_CLASSES, add_class, capacity_note, capacity_title, class_label
from siting.outputs.fonts import plot_lang
from siting.outputs.labels import WIDE_RINGS, LabelSpec
from siting.outputs.map_frame import (
    HALO,
    MapRender,
    base_handles,
    city_layer,
    finish_map,
    map_font,
    map_frame,
    save_png,
)
from siting.outputs.names import display_name

__all__ = ["render_capacity_map", "write_capacity_map_png"]

_ENOUGH_EDGE = "#3a7d55"


def _name(row: Mapping[str, Any], G: RoadGraph, lang: str) -> str:
    site = str(row["site"])
    if site in G:
        return display_name(site, G.nodes[site], lang)
    return str(row.get("name") or site)


def render_capacity_map(
    G: RoadGraph, doc: Mapping[str, Any], *, lang: str = "en", base_layer: bool = True
) -> MapRender:
    """Draw the capacity plan ``doc`` (from ``siting capacity``) on ``G``; the caller closes it."""
    lang, families = plot_lang(lang)
    rows = list(doc.get("sites") or [])
    with map_font(families):
        frame = map_frame(G, lang, base_layer=base_layer)
        ax, pos = frame.ax, frame.pos
        px = frame.fig.dpi / 72
        planned = {str(r["site"]) for r in rows}
        cities = [n for n in pos if G.nodes[n].get("kind") == "city" and n not in planned]
        city_specs, obstacles = city_layer(frame, G, cities)
        placed = [r for r in rows if str(r["site"]) in pos]
        unplaced = [_name(r, G, lang) for r in rows if str(r["site"]) not in pos]
        present: set[int] = set()
        for i, (_, _, colour, size) in enumerate(ADD_CLASSES):
            pts = [pos[str(r["site"])] for r in placed if add_class(int(r["bays_to_add"])) == i]
            if not pts:
                continue
            present.add(i)
            ax.scatter(
                [p[0] for p in pts],
                [p[1] for p in pts],
                s=size,
                c=colour,
                edgecolors=_ENOUGH_EDGE if i == 0 else "white",
                linewidths=1.0 if i == 0 else 1.1,
                zorder=4 + 0.1 * i,
                gid=f"capacity-class-{i}",
            )
            obstacles += [(*p, 0.5 * math.sqrt(size) * px + 1) for p in pts]
        handles: list[Any] = [
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                mfc=ADD_CLASSES[i][2],
                mec=_ENOUGH_EDGE if i == 0 else "white",
                ms=math.sqrt(ADD_CLASSES[i][3]),
                label=class_label(i, lang),
            )
            for i in sorted(present, reverse=True)
        ]
        if cities:
            handles.append(
                Line2D([], [], marker="o", ls="", color="#222222", ms=6, label=t("legend_city", lang))
            )
        handles += base_handles(frame)
        needing = sorted(
            (r for r in placed if int(r["bays_to_add"]) > 0),
            key=lambda r: (-int(r["bays_to_add"]), -float(r.get("passing_per_day") or 0.0), str(r["site"])),
        )
        specs = [
            LabelSpec(
                *pos[str(r["site"])],
                f"{_name(r, G, lang)} +{int(r['bays_to_add'])}",
                {
                    "fontsize": 8.5,
                    "fontweight": "bold",
                    "color": "#8a0f1e",
                    "bbox": {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
                },
                rings=WIDE_RINGS,
            )
            for r in needing
        ]
        specs += city_specs
        specs += [
            LabelSpec(
                *pos[str(r["site"])],
                _name(r, G, lang),
                {"fontsize": 6, "color": "#4a6b57", "path_effects": HALO},
            )
            for r in sorted(placed, key=lambda r: -float(r.get("passing_per_day") or 0.0))
            if int(r["bays_to_add"]) == 0
        ]
        legend_title = "需新增充电车位" if lang == "zh" else "Charging bays to add"
        return finish_map(
            frame,
            handles=handles,
            title=capacity_title(doc, lang),
            note=capacity_note(doc, unplaced, lang, base=frame.use_base),
            specs=specs,
            obstacles=obstacles,
            legend_title=legend_title,
        )


def write_capacity_map_png(
    G: RoadGraph, doc: Mapping[str, Any], path: str | Path, *, lang: str = "en", base_layer: bool = True
) -> Path:
    """Render the capacity map and save it as a PNG at ``path``."""
    return save_png(render_capacity_map(G, doc, lang=lang, base_layer=base_layer), path)
