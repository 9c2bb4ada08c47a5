"""Coordinates and lengths: CRSs to WGS-84 (pyproj), GCJ-02 to WGS-84, geodesic line lengths.

- **WGS-84** (``wgs84``, ``EPSG:4326``): longitude/latitude as GPS and OpenStreetMap give them.
- **GCJ-02** (``gcj02``): the shifted "Mars" coordinates of Chinese web maps (AMap/高德, Tencent).
  It is an obfuscation, not a CRS that PROJ knows; the shift (up to some 500 m) comes from
  ``coordTransform``'s published formulas, inverted by fixed-point iteration to millimetres.
- **Any CRS PROJ knows** (``EPSG:4547`` = CGCS2000 / 3-degree Gauss-Kruger CM 114E, ``EPSG:32649``
  = UTM 49N, a WKT or PROJ string): transformed with pyproj (``always_xy``: x east, y north).

Lengths are geodesic on the WGS-84 ellipsoid (``pyproj.Geod.line_length``), so a projected input
gives the true ground length, not the grid length of its projection.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, cast

import coordTransform
import pyproj
from pyproj.exceptions import CRSError

from siting.errors import InputError

__all__ = ["WGS84", "GCJ02", "normalise_crs", "to_wgs84", "line_length_km", "distance_km"]

WGS84 = "EPSG:4326"
GCJ02 = "gcj02"
_WGS84_NAMES = {
    "wgs84",
    "wgs-84",
    "epsg:4326",
    "urn:ogc:def:crs:ogc:1.3:crs84",
    "crs84",
    "urn:ogc:def:crs:epsg::4326",
}
_GCJ02_NAMES = {"gcj02", "gcj-02", "mars"}
_GEOD = pyproj.Geod(ellps="WGS84")


def normalise_crs(crs: str | None) -> str:
    """``EPSG:4326`` for WGS-84 (or None), ``gcj02`` for GCJ-02, else the CRS as PROJ accepts it.

    Examples
    --------
    >>> normalise_crs(None), normalise_crs("GCJ-02"), normalise_crs("EPSG:4547")
    ('EPSG:4326', 'gcj02', 'EPSG:4547')
    >>> normalise_crs("EPSG:999999")
    Traceback (most recent call last):
    ...
    siting.errors.InputError: unknown CRS 'EPSG:999999': give wgs84, gcj02 or a CRS known to PROJ
    """
    if crs is None or crs.strip().lower() in _WGS84_NAMES:
        return WGS84
    if crs.strip().lower() in _GCJ02_NAMES:
        return GCJ02
    try:
        pyproj.CRS.from_user_input(crs)
    except CRSError:
        raise InputError(f"unknown CRS {crs!r}: give wgs84, gcj02 or a CRS known to PROJ") from None
    return crs.strip()


@lru_cache(maxsize=16)
def _transformer(crs: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)


def _gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Invert the GCJ-02 shift: start from coordTransform's one-step inverse, then iterate."""
    x, y = (float(v) for v in cast(Sequence[float], coordTransform.gcj02_to_wgs84(lon, lat)))
    for _ in range(10):
        gx, gy = (float(v) for v in cast(Sequence[float], coordTransform.wgs84_to_gcj02(x, y)))
        dx, dy = gx - lon, gy - lat
        x, y = x - dx, y - dy
        if abs(dx) < 1e-10 and abs(dy) < 1e-10:
            break
    return x, y


def to_wgs84(points: Sequence[Sequence[Any]], crs: str | None) -> list[tuple[float, float]]:
    """Longitude/latitude on WGS-84 of ``points`` given in ``crs``.

    Examples
    --------
    >>> to_wgs84([(112.9388, 28.2282)], None)
    [(112.9388, 28.2282)]
    >>> lon, lat = to_wgs84([(112.94424977544385, 28.224692417302222)], "gcj02")[0]
    >>> round(lon, 7), round(lat, 7)
    (112.9388, 28.2282)
    >>> [(round(x, 6), round(y, 6)) for x, y in to_wgs84([(500000, 3120000)], "EPSG:4547")]
    [(114.0, 28.194532)]
    """
    name = normalise_crs(crs)
    try:
        xy = [(float(p[0]), float(p[1])) for p in points]
    except (TypeError, ValueError, IndexError):
        raise InputError("coordinates must be pairs of numbers") from None
    if name == WGS84:
        return xy
    if name == GCJ02:
        return [_gcj02_to_wgs84(x, y) for x, y in xy]
    tr = _transformer(name)
    return [(float(a), float(b)) for a, b in (tr.transform(x, y) for x, y in xy)]


def line_length_km(lonlat: Sequence[tuple[float, float]]) -> float:
    """Geodesic length of a polyline on WGS-84 [km].

    Examples
    --------
    >>> round(line_length_km([(112.0, 28.0), (113.0, 28.0)]), 3)
    98.362
    """
    if len(lonlat) < 2:
        return 0.0
    lons, lats = zip(*lonlat, strict=True)
    return float(_GEOD.line_length(list(lons), list(lats))) / 1000.0


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance between two lon/lat points [km]."""
    return line_length_km([a, b])
