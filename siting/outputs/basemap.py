"""The offline base layer of the siting maps: Hunan's province and prefecture boundaries.

Read from ``siting/data/boundaries/hunan_boundaries.json`` (built by ``build_boundaries.py`` beside it;
sources and licences in ``SOURCES.md`` there). Coordinates are WGS-84 longitude/latitude.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from siting.graph import RoadGraph

__all__ = ["Boundary", "BaseLayer", "hunan_base_layer", "is_lon_lat", "road_segments"]

Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class Boundary:
    """One boundary: ``kind`` is ``province`` (Hunan's outline), ``prefecture`` or ``province_line``."""

    kind: str
    name_zh: str
    name_en: str
    parts: tuple[Ring, ...]  # outer rings of polygons, or the pieces of a line


@dataclass(frozen=True)
class BaseLayer:
    boundaries: tuple[Boundary, ...]
    bbox: tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max of all parts

    def of_kind(self, kind: str) -> list[Boundary]:
        return [b for b in self.boundaries if b.kind == kind]

    def covers(self, bbox: tuple[float, float, float, float]) -> bool:
        """True when ``bbox`` (lon/lat) overlaps this layer: the layer belongs on that map."""
        x0, y0, x1, y1 = bbox
        return not (x1 < self.bbox[0] or x0 > self.bbox[2] or y1 < self.bbox[1] or y0 > self.bbox[3])


def _parts(geometry: dict[str, Any]) -> list[Ring]:
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "LineString":
        return [[(float(x), float(y)) for x, y in coords]]
    if kind == "MultiLineString":
        return [[(float(x), float(y)) for x, y in line] for line in coords]
    if kind == "Polygon":
        return [[(float(x), float(y)) for x, y in coords[0]]]
    if kind == "MultiPolygon":
        return [[(float(x), float(y)) for x, y in poly[0]] for poly in coords]
    raise ValueError(f"unsupported geometry type {kind!r} in the base layer")


@lru_cache(maxsize=1)
def hunan_base_layer() -> BaseLayer:
    """The packaged boundaries (read once).

    Examples
    --------
    >>> layer = hunan_base_layer()
    >>> len(layer.of_kind("prefecture")), layer.of_kind("province")[0].name_zh
    (14, '湖南省')
    """
    text = resources.files("siting.data.boundaries").joinpath("hunan_boundaries.json").read_text("utf-8")
    boundaries = []
    for f in json.loads(text)["features"]:
        props = f["properties"]
        boundaries.append(
            Boundary(
                props["kind"],
                props.get("name_zh", ""),
                props.get("name_en", ""),
                tuple(_parts(f["geometry"])),
            )
        )
    xs = [x for b in boundaries for ring in b.parts for x, _ in ring]
    ys = [y for b in boundaries for ring in b.parts for _, y in ring]
    return BaseLayer(tuple(boundaries), (min(xs), min(ys), max(xs), max(ys)))


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def is_lon_lat(G: RoadGraph, pos: Mapping[str, tuple[float, float]]) -> bool:
    """True when the coordinates are longitude/latitude: in range, and the edges' lengths agree with
    the great-circle distances between their ends (median ratio 0.8-3; roads wind, schematic
    coordinates such as the 25-node network's do not match at all)."""
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    if not xs or not all(-180 <= x <= 180 for x in xs) or not all(-90 <= y <= 90 for y in ys):
        return False
    ratios = sorted(
        float(d["length_km"]) / gc
        for u, v, d in G.edges(data=True)
        if u in pos and v in pos and d.get("length_km") and (gc := _haversine_km(pos[u], pos[v])) > 0.5
    )
    return bool(ratios) and 0.8 <= ratios[len(ratios) // 2] <= 3.0


def road_segments(
    G: RoadGraph, pos: Mapping[str, tuple[float, float]]
) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Line segments to draw the roads: every edge between nodes with positions, and across each run
    of nodes without one (a service area the sources name but do not place) a segment between the
    positioned nodes at its two ends, so that the road stays continuous; those nodes are not drawn.

    >>> import networkx as nx
    >>> G = nx.Graph([("a", "sa"), ("sa", "b"), ("b", "c")])
    >>> road_segments(G, {"a": (0.0, 0.0), "b": (1.0, 0.0), "c": (2.0, 0.0)})
    [((1.0, 0.0), (2.0, 0.0)), ((0.0, 0.0), (1.0, 0.0))]
    """
    segments = [(pos[u], pos[v]) for u, v in G.edges() if u in pos and v in pos]
    seen: set[str] = set()
    for start in G.nodes:
        if start in pos or start in seen:
            continue
        run, ends, stack = {start}, set(), [start]
        while stack:
            for nb in G.neighbors(stack.pop()):
                if nb in pos:
                    ends.add(nb)
                elif nb not in run:
                    run.add(nb)
                    stack.append(nb)
        seen |= run
        if len(ends) == 2:
            a, b = sorted(ends)
            segments.append((pos[a], pos[b]))
    return segments
