"""Greedy, non-overlapping label placement: on a matplotlib axes (PNG maps) and, with the same
order of positions, for SVG (HTML maps, :func:`place_svg_labels`, text sizes estimated).

Labels are placed in the order given (most important first). Each tries positions around its point
(right, above, left, below and the diagonals, then the same further out with a leader line); the
first whose rendered bounding box stays inside the axes and clear of every label already placed and
of every marker is kept. A label with no free position is left out and counted, so a crowded map
drops the least important names instead of printing them on top of each other.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

__all__ = [
    "LabelSpec",
    "Placement",
    "place_labels",
    "positions",
    "text_size_px",
    "SvgLabel",
    "place_svg_labels",
]

# (dx, dy) in points, horizontal and vertical alignment
_DIRECTIONS: tuple[tuple[float, float, str, str], ...] = (
    (1, 0, "left", "center"),
    (0, 1, "center", "bottom"),
    (-1, 0, "right", "center"),
    (0, -1, "center", "top"),
    (0.8, 0.8, "left", "bottom"),
    (0.8, -0.8, "left", "top"),
    (-0.8, 0.8, "right", "bottom"),
    (-0.8, -0.8, "right", "top"),
)
RINGS = (6.0, 15.0, 27.0)  # distances in points; all but the first get a leader line
WIDE_RINGS = (*RINGS, 40.0, 55.0)  # for labels that must not be left out (the plan's stations)


@dataclass(frozen=True)
class LabelSpec:
    x: float
    y: float
    text: str
    style: dict[str, Any] = field(default_factory=dict)  # passed to annotate: fontsize, color, ...
    rings: tuple[float, ...] = RINGS  # () : only centred on the point (area names)


@dataclass
class Placement:
    texts: list[Annotation]
    dropped: list[LabelSpec]

    def boxes(self, renderer: RendererBase) -> list[Bbox]:
        return [t.get_window_extent(renderer) for t in self.texts]


def positions(rings: Sequence[float]) -> Iterator[tuple[int, float, tuple[float, float, str, str]]]:
    """The positions a label tries, in order: (ring index, distance, (dx, dy, ha, va)); a label
    without rings is centred on its point."""
    if not rings:
        yield 0, 0.0, (0.0, 0.0, "center", "center")
        return
    for ring, dist in enumerate(rings):
        for d in _DIRECTIONS:
            yield ring, dist, d


def _renderer(ax: Axes) -> RendererBase:
    canvas: Any = ax.figure.canvas
    return canvas.get_renderer()  # type: ignore[no-any-return]


def place_labels(
    ax: Axes,
    specs: Sequence[LabelSpec],
    *,
    obstacles: Sequence[tuple[float, float, float]] = (),
    avoid: Sequence[Bbox] = (),
    pad_px: float = 1.5,
) -> Placement:
    """Place ``specs`` without overlaps; ``obstacles`` are markers labels must avoid
    (x, y in data coordinates, half-width in pixels),
    ``avoid`` display-space boxes (legend, scale bar, north arrow)."""
    renderer = _renderer(ax)
    inside = ax.get_window_extent(renderer)
    to_px = ax.transData.transform
    blocked: list[Bbox] = list(avoid)
    for x, y, half in obstacles:
        px, py = to_px((x, y))
        blocked.append(Bbox.from_extents(px - half, py - half, px + half, py + half))
    placed: list[Bbox] = []
    result = Placement([], [])
    for spec in specs:
        chosen = None
        box_style = spec.style.get("bbox")
        extra = 0.0  # a text box around the label grows it by its pad (in font sizes)
        if isinstance(box_style, dict) and "pad=" in str(box_style.get("boxstyle", "")):
            pad = float(str(box_style["boxstyle"]).split("pad=")[1].split(",")[0])
            extra = pad * float(spec.style.get("fontsize", 10)) * ax.figure.dpi / 72
        for ring, dist, (dx, dy, ha, va) in positions(spec.rings):
            arrow = (
                {"arrowstyle": "-", "lw": 0.5, "color": "#666", "shrinkA": 0, "shrinkB": 2} if ring else None
            )
            text = ax.annotate(
                spec.text,
                (spec.x, spec.y),
                xytext=(dx * dist, dy * dist),
                textcoords="offset points",
                ha=ha,
                va=va,
                arrowprops=arrow,
                zorder=6,
                **spec.style,
            )
            # the text itself (an Annotation's own extent would include its leader line)
            text.update_positions(renderer)
            box = Text.get_window_extent(text, renderer).padded(pad_px + extra)
            fits = box.x0 >= inside.x0 and box.x1 <= inside.x1 and box.y0 >= inside.y0 and box.y1 <= inside.y1
            if fits and not any(box.overlaps(b) for b in (*placed, *blocked)):
                chosen = text
                placed.append(box)
                break
            text.remove()
        if chosen is None:
            result.dropped.append(spec)
        else:
            result.texts.append(chosen)
    return result


def text_size_px(text: str, size: float, *, bold: bool = False) -> tuple[float, float]:
    """Estimated width and height [px] of one line of sans-serif ``text`` at font ``size`` [px]:
    wide (CJK) characters one em, others 0.62 em (0.68 bold). Generous, since the browser's font
    is unknown.

    >>> text_size_px("长沙", 10), text_size_px("ab", 10)
    ((20.0, 12.0), (12.4, 12.0))
    """
    narrow = 0.68 if bold else 0.62
    width = sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else narrow for ch in text)
    return width * size, 1.2 * size


@dataclass(frozen=True)
class SvgLabel:
    """A label placed in SVG coordinates (y down): text start/middle/end at ``x``, baseline ``y``;
    ``leader`` is the line from the point to the label, when away from it."""

    spec: LabelSpec
    x: float
    y: float
    anchor: str  # SVG text-anchor: start, middle, end
    leader: tuple[float, float, float, float] | None


def place_svg_labels(
    specs: Sequence[LabelSpec],
    *,
    size: tuple[float, float],
    obstacles: Sequence[tuple[float, float, float]] = (),
    avoid: Sequence[tuple[float, float, float, float]] = (),
    pad_px: float = 1.5,
) -> tuple[list[SvgLabel], list[LabelSpec]]:
    """Place ``specs`` (x, y already in SVG pixels, y down; ``style`` with ``fontsize`` [px] and
    optionally ``fontweight``) with the order of positions of :func:`place_labels`, ring distances
    read as pixels. ``obstacles``: markers (x, y, half-width); ``avoid``: boxes (x0, y0, x1, y1).
    Returns the labels placed and the specs left out (no free position).

    >>> a = LabelSpec(50, 50, "Changsha", {"fontsize": 12})
    >>> b = LabelSpec(52, 50, "Zhuzhou", {"fontsize": 12})
    >>> placed, dropped = place_svg_labels([a, b], size=(200, 200))
    >>> [(p.spec.text, p.anchor) for p in placed], dropped
    ([('Changsha', 'start'), ('Zhuzhou', 'middle')], [])
    """
    width, height = size
    blocked = [(x - h, y - h, x + h, y + h) for x, y, h in obstacles]
    blocked += list(avoid)
    placed_boxes: list[tuple[float, float, float, float]] = []
    out: list[SvgLabel] = []
    dropped: list[LabelSpec] = []

    def overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    for spec in specs:
        fs = float(spec.style.get("fontsize", 12))
        w, h = text_size_px(spec.text, fs, bold=spec.style.get("fontweight") == "bold")
        chosen = None
        for ring, dist, (dx, dy, ha, va) in positions(spec.rings):
            ox, oy = spec.x + dx * dist, spec.y - dy * dist  # y down
            x0 = ox if ha == "left" else ox - w if ha == "right" else ox - w / 2
            y1 = oy if va == "bottom" else oy + h if va == "top" else oy + h / 2  # box bottom
            box = (x0 - pad_px, y1 - h - pad_px, x0 + w + pad_px, y1 + pad_px)
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height
            if inside and not any(overlaps(box, b) for b in (*placed_boxes, *blocked)):
                anchor = {"left": "start", "right": "end", "center": "middle"}[ha]
                leader = (spec.x, spec.y, ox, oy) if ring else None
                chosen = SvgLabel(spec, ox, y1 - 0.25 * fs, anchor, leader)  # baseline above descent
                placed_boxes.append(box)
                break
        if chosen is None:
            dropped.append(spec)
        else:
            out.append(chosen)
    return out, dropped
