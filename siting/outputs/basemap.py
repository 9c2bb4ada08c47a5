"""The offline base layer of the siting maps: Hunan's province and prefecture boundaries.

Read from ``siting/data/boundaries/hunan_boundaries.json`` (built by ``build_boundaries.py`` beside it;
sources and licences in ``SOURCES.md`` there). Coordinates are WGS-84 longitude/latitude.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["Boundary", "BaseLayer", "hunan_base_layer"]

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
