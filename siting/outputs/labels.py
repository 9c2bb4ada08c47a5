"""Greedy, non-overlapping label placement on a matplotlib axes.

Labels are placed in the order given (most important first). Each tries positions around its point
(right, above, left, below and the diagonals, then the same further out with a leader line); the
first whose rendered bounding box stays inside the axes and clear of every label already placed and
of every marker is kept. A label with no free position is left out and counted, so a crowded map
drops the least important names instead of printing them on top of each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

__all__ = ["LabelSpec", "Placement", "place_labels"]

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
        tries: list[tuple[int, float, tuple[float, float, str, str]]] = (
            [(ring, dist, d) for ring, dist in enumerate(spec.rings) for d in _DIRECTIONS]
            if spec.rings
            else [(0, 0.0, (0.0, 0.0, "center", "center"))]
        )
        for ring, dist, (dx, dy, ha, va) in tries:
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
