"""Planners' own networks from GIS files: GeoPackage (``.gpkg``) and Shapefile (``.shp``).

Read with pyogrio (GDAL, bundled in its wheels) and shapely (WKB to coordinates), then built like
a GeoJSON file (:func:`siting.io.graph_from_features`): lines are edges, points are nodes; an
edge's length is its ``length_km`` field where set, else the geodesic length of its geometry on
WGS-84; its ends are its ``from``/``to`` fields where set, else the point or the other lines' ends
at its first and last vertex.

Every layer of the file is read (a GeoPackage may hold the roads in one layer and the service
areas in another), each in its own CRS (the ``.prj`` of a Shapefile); ``crs`` (``--crs``)
overrides them all: GCJ-02 data is often labelled WGS-84. A layer without a CRS is WGS-84 unless
``crs`` says otherwise. Empty fields (NULL, NaN, "") count as absent, so a ``from`` column filled
on some rows only is fine. Shapefiles cut field names to 10 characters: ``length_km``,
``corridor``, ``ref``, ``from``, ``to`` fit.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pyogrio
import pyogrio.errors
import shapely

from siting.errors import InputError
from siting.geo import to_wgs84
from siting.graph import RoadGraph
from siting.io import graph_from_features

__all__ = ["read_vector"]


def _value(v: Any) -> Any:
    """A field value as plain Python; None for NULL, NaN and empty strings."""
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if v.is_integer() and abs(v) < 2**53:
            return int(v)  # numeric ids and counts as whole numbers ("3", not "3.0")
    if isinstance(v, bytes):
        v = v.decode("utf-8", "replace")
    if isinstance(v, str) and not v.strip():
        return None
    return v


def _parts(geom: Any) -> list[tuple[str, list[list[tuple[float, float]]]]]:
    """(``Point``|``LineString``, coordinate lists) of a shapely geometry; other types give nothing."""
    out: list[tuple[str, list[list[tuple[float, float]]]]] = []
    for part in shapely.get_parts(geom):
        kind = part.geom_type
        coords = [(float(x), float(y)) for x, y in shapely.get_coordinates(part)]
        if kind == "Point" and coords:
            out.append(("Point", [coords]))
        elif kind in ("LineString", "LinearRing") and coords:
            out.append(("LineString", [coords]))
    return out


def read_vector(path: str | Path, crs: str | None = None) -> RoadGraph:
    """Read every layer of a GeoPackage or Shapefile into a road graph (coordinates in WGS-84)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    try:
        layers = [(str(name), gtype) for name, gtype in pyogrio.list_layers(path)]
    except pyogrio.errors.DataSourceError as exc:
        raise InputError(f"{path}: not a readable GeoPackage/Shapefile ({exc})") from None
    feats: list[dict[str, Any]] = []
    for name, gtype in layers:
        if gtype is None:  # a table without geometry
            continue
        try:
            meta, _, geometry, field_data = pyogrio.raw.read(path, layer=name, force_2d=True)
        except pyogrio.errors.DataSourceError as exc:
            raise InputError(f"{path}: layer {name}: {exc}") from None
        layer_crs = crs if crs is not None else meta.get("crs")
        fields = [str(f) for f in meta["fields"]]
        geoms = shapely.from_wkb(geometry)
        for row, geom in enumerate(geoms):
            if geom is None or shapely.is_empty(geom):
                continue
            props = {f: _value(col[row]) for f, col in zip(fields, field_data, strict=True)}
            props = {k: v for k, v in props.items() if v is not None}
            for kind, coord_lists in _parts(geom):
                for coords in coord_lists:
                    try:
                        wgs = to_wgs84(coords, layer_crs)
                    except InputError as exc:
                        raise InputError(f"{path}: layer {name}: {exc}") from None
                    xy: Any = [list(p) for p in wgs] if kind == "LineString" else list(wgs[0])
                    feats.append({"geometry": {"type": kind, "coordinates": xy}, "properties": props})
    if not any(f["geometry"]["type"] == "LineString" for f in feats):
        raise InputError(f"{path}: no line features (roads) in any layer")
    return graph_from_features(path, feats, None)
