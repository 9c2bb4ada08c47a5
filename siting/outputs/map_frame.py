"""The frame of a report map as a PNG (matplotlib, Agg), shared by the plan and capacity maps: the offline
base layer, cities, scale bar, north arrow, legend and labels placed without overlaps, in English or Chinese.

Longitude/latitude are drawn in an equirectangular view whose aspect is corrected by cos(latitude),
so the scale bar holds across the map (Hunan spans 24.6-30.1 N: the error at the edges is under 5 %).
Networks without geographic coordinates are drawn as given, without base layer, scale bar or arrow.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import Bbox

from siting.graph import RoadGraph
from siting.i18n import t
from siting.outputs.basemap import Boundary, hunan_base_layer, is_lon_lat, road_segments
from siting.outputs.labels import LabelSpec, Placement, place_labels
from siting.outputs.names import display_name

__all__ = [
    "MapRender",
    "MapFrame",
    "map_font",
    "map_frame",
    "base_handles",
    "city_layer",
    "finish_map",
    "save_png",
    "dots",
    "CITY_COLOUR",
    "HALO",
    "scale_bar_km",
]

_KM_PER_DEG = 111.32
_ROAD = "#e08a2c"
CITY_COLOUR = "#222222"
# a white outline under small labels, so roads and boundaries do not cut through their letters
HALO = [patheffects.withStroke(linewidth=2.2, foreground="white", alpha=0.9)]
_GID_PREFECTURES, _GID_PROVINCE, _GID_PROVINCE_LINES = (
    "base-prefectures",
    "base-province",
    "base-province-lines",
)


@dataclass
class MapRender:
    """A rendered map, kept open for inspection (tests) until :meth:`close`."""

    fig: Figure
    ax: Axes
    lang: str  # the language really drawn (``en`` when ``zh`` was asked for but no CJK font exists)
    labels: Placement
    base_layer: bool
    extras: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        plt.close(self.fig)


def scale_bar_km(width_km: float) -> float:
    """A round scale-bar length of about a fifth of the map width.

    >>> scale_bar_km(560), scale_bar_km(90), scale_bar_km(3)
    (100.0, 10.0, 0.5)
    """
    target = width_km / 5
    best = 0.1
    for mag in range(-1, 5):
        for step in (1.0, 2.0, 5.0):
            value = step * 10.0**mag
            if value <= target:
                best = value
    return best


@contextmanager
def map_font(families: Sequence[str]) -> Iterator[None]:
    # Concrete family names (not "sans-serif") are stored in each text's font properties, so the
    # figure draws with them after this context has ended too.
    with plt.rc_context({"font.family": list(families), "axes.unicode_minus": False}):
        yield


def _short(name: str) -> str:
    """``湘西土家族苗族自治州`` -> ``湘西州``: an autonomous prefecture's usual short name."""
    return name[:2] + "州" if name.endswith("自治州") else name


def dots(ax: Axes, points: Sequence[tuple[float, float]], **style: Any) -> None:
    """Points as one scatter (``style``: matplotlib's)."""
    ax.scatter([p[0] for p in points], [p[1] for p in points], **style)


def _draw_base(ax: Axes) -> list[Boundary]:
    layer = hunan_base_layer()
    prefectures = layer.of_kind("prefecture")
    polys = PolyCollection(
        [ring for b in prefectures for ring in b.parts],
        facecolors="#fbf8f0",
        edgecolors="#b4aa98",
        linewidths=0.6,
        linestyles=(0, (4, 2)),
        zorder=1,
    )
    polys.set_gid(_GID_PREFECTURES)
    ax.add_collection(polys)
    outline = PolyCollection(
        [ring for b in layer.of_kind("province") for ring in b.parts],
        facecolors="none",
        edgecolors="#5f564a",
        linewidths=1.4,
        zorder=2,
    )
    outline.set_gid(_GID_PROVINCE)
    ax.add_collection(outline)
    lines = LineCollection(
        [ring for b in layer.of_kind("province_line") for ring in b.parts],
        colors="#8c8577",
        linewidths=0.9,
        zorder=1.5,
    )
    lines.set_gid(_GID_PROVINCE_LINES)
    ax.add_collection(lines)
    return prefectures


def _scale_bar(ax: Axes, lat0: float, lang: str) -> list[Any]:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_deg = _KM_PER_DEG * math.cos(math.radians(lat0))
    length = scale_bar_km((x1 - x0) * km_per_deg)
    deg = length / km_per_deg
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    h = 0.008 * (y1 - y0)
    artists: list[Any] = [
        ax.add_patch(Rectangle((bx, by), deg / 2, h, facecolor="black", edgecolor="black", lw=0.8, zorder=7)),
        ax.add_patch(
            Rectangle((bx + deg / 2, by), deg / 2, h, facecolor="white", edgecolor="black", lw=0.8, zorder=7)
        ),
    ]
    for frac, value in ((0.0, 0.0), (0.5, length / 2), (1.0, length)):
        artists.append(
            ax.text(
                bx + frac * deg, by + 2.2 * h, f"{value:g}", ha="center", va="bottom", fontsize=8, zorder=7
            )
        )
    unit = "公里" if lang == "zh" else "km"
    artists.append(
        ax.text(bx + deg + 0.01 * (x1 - x0), by + h / 2, unit, ha="left", va="center", fontsize=8, zorder=7)
    )
    for a in artists:
        a.set_gid("scale-bar")
    return artists


def _north_arrow(ax: Axes, lang: str) -> Any:
    return ax.annotate(
        "北" if lang == "zh" else "N",
        xy=(0.95, 0.965),
        xytext=(0.95, 0.875),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="top",
        fontsize=12,
        fontweight="bold",
        arrowprops={
            "facecolor": "black",
            "edgecolor": "black",
            "width": 3,
            "headwidth": 10,
            "headlength": 10,
        },
        zorder=7,
    )


@dataclass
class MapFrame:
    """A map being drawn: the figure with its base layer and roads, before symbols and labels."""

    fig: Figure
    ax: Axes
    lang: str
    pos: dict[str, tuple[float, float]]
    geographic: bool
    use_base: bool
    lat0: float
    prefectures: list[Boundary]


def map_frame(G: RoadGraph, lang: str, *, base_layer: bool = True) -> MapFrame:
    """The figure, the view, the offline base layer (when the network is in Hunan) and the roads.

    Call it inside :func:`map_font` with the families of :func:`siting.outputs.fonts.plot_lang`.
    """
    pos = {
        n: (float(d["x"]), float(d["y"]))
        for n, d in G.nodes(data=True)
        if d.get("x") is not None and d.get("y") is not None
    }
    geographic = is_lon_lat(G, pos)
    fig, ax = plt.subplots(figsize=(8.3, 9.2), dpi=150)
    fig.subplots_adjust(left=0.03, right=0.97, top=0.91, bottom=0.07)
    xs = [p[0] for p in pos.values()] or [0.0, 1.0]
    ys = [p[1] for p in pos.values()] or [0.0, 1.0]
    bbox = (min(xs), min(ys), max(xs), max(ys))
    use_base = base_layer and geographic and hunan_base_layer().covers(bbox)
    if use_base:
        hb = hunan_base_layer().of_kind("province")[0]
        hx = [x for ring in hb.parts for x, _ in ring]
        hy = [y for ring in hb.parts for _, y in ring]
        bbox = (
            min(bbox[0], min(hx)),
            min(bbox[1], min(hy)),
            max(bbox[2], max(hx)),
            max(bbox[3], max(hy)),
        )
    mx = 0.06 * (bbox[2] - bbox[0] or 1.0)
    my = 0.06 * (bbox[3] - bbox[1] or 1.0)
    ax.set_xlim(bbox[0] - mx, bbox[2] + mx)
    ax.set_ylim(bbox[1] - 1.6 * my, bbox[3] + my)
    lat0 = (bbox[1] + bbox[3]) / 2
    ax.set_aspect(1 / math.cos(math.radians(lat0)) if geographic else "equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("#eceef0" if use_base else "#fbfbf8")
    prefectures = _draw_base(ax) if use_base else []
    segments = [list(seg) for seg in road_segments(G, pos)]
    ax.add_collection(LineCollection(segments, colors="white", linewidths=3.2, zorder=3))
    ax.add_collection(LineCollection(segments, colors=_ROAD, linewidths=1.7, zorder=3.1))
    return MapFrame(fig, ax, lang, pos, geographic, use_base, lat0, prefectures)


def base_handles(frame: MapFrame) -> list[Any]:
    """Legend entries of the roads and, when drawn, the base layer."""
    handles: list[Any] = [Line2D([], [], color=_ROAD, lw=2, label=t("legend_expressway", frame.lang))]
    if frame.use_base:
        handles += [
            Patch(
                facecolor="#fbf8f0", edgecolor="#b4aa98", ls="--", label=t("legend_prefecture", frame.lang)
            ),
            Line2D([], [], color="#5f564a", lw=1.4, label=t("legend_province", frame.lang)),
        ]
    return handles


def city_layer(frame: MapFrame, G: RoadGraph, cities: Sequence[str]) -> tuple[list[LabelSpec], list[Any]]:
    """City dots; their label specs (largest first) and obstacles."""
    if cities:
        dots(
            frame.ax,
            [frame.pos[n] for n in cities],
            s=34,
            c=CITY_COLOUR,
            edgecolors="white",
            linewidths=0.8,
            zorder=4.5,
        )
    specs = [
        LabelSpec(
            *frame.pos[n],
            display_name(n, G.nodes[n], frame.lang),
            {"fontsize": 8.5, "color": CITY_COLOUR, "path_effects": HALO},
        )
        for n in sorted(cities, key=lambda n: -float(G.nodes[n].get("weight") or 0.0))
    ]
    px = frame.fig.dpi / 72
    return specs, [(*frame.pos[n], 0.5 * math.sqrt(34) * px) for n in cities]


def finish_map(
    frame: MapFrame,
    *,
    handles: Sequence[Any],
    title: str,
    note: str,
    specs: Sequence[LabelSpec],
    obstacles: Sequence[tuple[float, float, float]],
    legend_title: str | None = None,
) -> MapRender:
    """Legend, scale bar, north arrow, title and note; then the labels (``specs`` first, prefecture
    names last) placed clear of each other, of ``obstacles`` and of the fixed elements."""
    ax, fig, lang = frame.ax, frame.fig, frame.lang
    fixed: list[Any] = []
    legend = ax.legend(
        handles=list(handles),
        loc="lower right",
        fontsize=8,
        framealpha=0.9,
        title=legend_title,
        title_fontsize=8.5,
    )
    legend.set_zorder(8)
    if frame.geographic:
        fixed += _scale_bar(ax, frame.lat0, lang)
        arrow = _north_arrow(ax, lang)
        arrow.set_gid("north-arrow")
        fixed += [arrow, arrow.arrow_patch]
    ax.set_title(title, fontsize=12)
    fig.text(0.03, 0.015, note, fontsize=6.5, color="#555", ha="left", va="bottom", wrap=True)
    fig.canvas.draw()
    renderer: Any = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    avoid: list[Bbox] = [legend.get_window_extent(renderer)]
    avoid += [a.get_window_extent(renderer) for a in fixed]
    all_specs = list(specs)
    for b in frame.prefectures:  # faint prefecture names last, centred in their area, where room is left
        ring = max(b.parts, key=len)
        all_specs.append(
            LabelSpec(
                sum(x for x, _ in ring) / len(ring),
                sum(y for _, y in ring) / len(ring),
                _short(b.name_zh) if lang == "zh" else b.name_en,
                {"fontsize": 7.5, "color": "#b2a894", "style": "italic"},
                rings=(),
            )
        )
    placement = place_labels(ax, all_specs, obstacles=obstacles, avoid=avoid)
    return MapRender(fig, ax, lang, placement, frame.use_base, {"fixed": fixed, "legend": legend})


def save_png(render: MapRender, path: str | Path) -> Path:
    """Save a rendered map as a PNG at ``path`` and release its figure."""
    try:
        path = Path(path)
        render.fig.savefig(path)
    finally:
        render.close()
    return path
