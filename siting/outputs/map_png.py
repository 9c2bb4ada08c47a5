"""A plan map as a PNG for reports: the network, the stations picked (new and existing) and the service
areas, labelled, on the shared frame of ``siting.outputs.map_frame``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from matplotlib.lines import Line2D

from siting.graph import RoadGraph
from siting.i18n import t
from siting.outputs.fonts import plot_lang
from siting.outputs.labels import WIDE_RINGS, LabelSpec
from siting.outputs.map_frame import (
    CITY_COLOUR,
    HALO,
    MapRender,
    base_handles,
    city_layer,
    dots,
    finish_map,
    map_font,
    map_frame,
    save_png,
    scale_bar_km,
)
from siting.outputs.names import display_name, station_label

__all__ = ["MapRender", "render_map", "write_map_png", "scale_bar_km"]

_NEW, _EXISTING = "#d62728", "#1f3b8f"


def _title(doc: Mapping[str, Any], lang: str) -> str:
    network = str(doc.get("network", ""))
    name = t("network_" + network, lang) if network in ("hunan", "25node") else network
    parts = [f"{t('title_plan', lang)} · {name}"]
    facts = []
    if doc.get("fuel"):
        facts.append(t(str(doc["fuel"]), lang))
    if doc.get("range_km") is not None:
        facts.append(f"{t('range', lang)} {float(doc['range_km']):g} km")
    details = doc.get("station_details") or []
    new = sum(1 for d in details if d.get("status") == "new")
    if details:
        facts.append(f"{t('new_stations', lang)} {new}")
    if doc.get("covered_flow_pct") is not None:
        facts.append(f"{t('covered', lang)} {float(doc['covered_flow_pct']):.1f}%")
    return parts[0] + ("\n" + " · ".join(facts) if facts else "")


def render_map(
    G: RoadGraph,
    doc: Mapping[str, Any],
    *,
    lang: str = "en",
    base_layer: bool = True,
    title: str | None = None,
) -> MapRender:
    """Draw the plan ``doc`` on ``G``; the caller saves or inspects the figure, then closes it."""
    lang, families = plot_lang(lang)
    with map_font(families):
        frame = map_frame(G, lang, base_layer=base_layer)
        ax, pos = frame.ax, frame.pos
        details = {d["id"]: d for d in doc.get("station_details", [])}
        kinds = {n: G.nodes[n].get("kind") for n in pos}
        areas = [n for n in pos if kinds[n] == "service_area" and n not in details]
        cities = [n for n in pos if kinds[n] == "city" and n not in details]
        if areas:
            dots(
                ax,
                [pos[n] for n in areas],
                s=14,
                c="white",
                edgecolors="#6d6d6d",
                linewidths=0.8,
                zorder=4,
            )
        city_specs, city_obstacles = city_layer(frame, G, cities)
        for status, colour in (("new", _NEW), ("existing", _EXISTING)):
            pts = [pos[n] for n, d in details.items() if d.get("status") == status and n in pos]
            if pts:
                dots(
                    ax,
                    pts,
                    s=70,
                    marker="s",
                    c=colour,
                    edgecolors="white",
                    linewidths=1.2,
                    zorder=5,
                )
        statuses = {d.get("status") for d in details.values()}
        handles: list[Any] = [
            Line2D([], [], marker="s", ls="", color=_NEW, mec="white", ms=8, label=t("legend_new", lang)),
            Line2D(
                [],
                [],
                marker="s",
                ls="",
                color=_EXISTING,
                mec="white",
                ms=8,
                label=t("legend_existing", lang),
            ),
            Line2D([], [], marker="o", ls="", color=CITY_COLOUR, ms=6, label=t("legend_city", lang)),
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                mfc="white",
                mec="#6d6d6d",
                ms=5,
                label=t("legend_service_area", lang),
            ),
        ]
        shown = ["new" in statuses, "existing" in statuses, bool(cities), bool(areas)]
        handles = [h for h, keep in zip(handles, shown, strict=True) if keep] + base_handles(frame)
        note = t("map_sources" if frame.use_base else "map_sources_plain", lang)
        unplaced = [display_name(n, G.nodes[n], lang) for n in details if n not in pos]
        if unplaced:
            note += f" {t('map_unplaced', lang)}: {', '.join(unplaced)}."
        ranked = sorted(
            details.values(), key=lambda d: -float((d.get("sizing") or {}).get("visits_per_day") or 0.0)
        )
        specs = [
            LabelSpec(
                pos[d["id"]][0],
                pos[d["id"]][1],
                station_label(d, display_name(d["id"], G.nodes[d["id"]], lang), lang),
                {
                    "fontsize": 8.5,
                    "fontweight": "bold",
                    "color": _NEW if d.get("status") == "new" else _EXISTING,
                    "bbox": {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
                },
                rings=WIDE_RINGS,
            )
            for d in ranked
            if d["id"] in pos
        ]
        specs += city_specs
        specs += [
            LabelSpec(
                *pos[n],
                display_name(n, G.nodes[n], lang),
                {"fontsize": 6, "color": "#666", "path_effects": HALO},
            )
            for n in areas
        ]
        px = frame.fig.dpi / 72  # marker half-widths in pixels, from the scatter sizes (points squared)
        obstacles = [(*pos[n], 0.5 * math.sqrt(14) * px) for n in areas] + city_obstacles
        obstacles += [(*pos[n], 0.5 * math.sqrt(70) * px + 1) for n in details if n in pos]
        return finish_map(
            frame,
            handles=handles,
            title=title or _title(doc, lang),
            note=note,
            specs=specs,
            obstacles=obstacles,
        )


def write_map_png(
    G: RoadGraph, doc: Mapping[str, Any], path: str | Path, *, lang: str = "en", base_layer: bool = True
) -> Path:
    """Render the plan map and save it as a PNG at ``path``."""
    return save_png(render_map(G, doc, lang=lang, base_layer=base_layer), path)
