"""Merge the two carriageways of a dual road (OSM draws one oneway way per direction) into one line.

Works on the pieces of :func:`siting.osm.read_osm` (ways cut at junctions, in their direction of
travel) with shapely, in a local plane (km east and north of the equator and meridian 0, scaled by
the cosine of the mean latitude; plenty for distances of a few hundred metres):

1. **Which piece to drop.** Main-carriageway pieces (oneway, not ``*_link``) are visited with the
   north/east-bound ones first (so one side is kept along most of a road), longest first. A piece
   is dropped when a kept piece of the same corridor runs the other way beside it: every point
   along it (each 100 m) lies within ``pair_km`` of the kept pieces (its two ends within twice
   that, where carriageways part at interchanges) and their directions are opposed. Otherwise it
   is kept. Ramps (``*_link``) and two-way roads are always kept.
2. **Moving what hung on the dropped side.** A node of a dropped piece that is still used (a ramp
   starts there, the road continues, or a service area) is moved onto the nearest kept main piece
   within ``2 * pair_km``: merged into that piece's end when one is within ``node_km``, else the
   piece is split there (lengths of the two parts from their geometry). A service area is merged
   into a service area of the kept side within ``site_km`` (the pair becomes one node, ``sides``
   2), else placed on the kept line like any node.

The kept carriageway's length stands for the road's. Ends moved by up to ``node_km`` keep their
pieces' lengths (an error of at most that much per moved end). Where a piece is only partly
beside the other side (carriageways parting for several km), both are kept: a short stretch
stays doubled.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import shapely
from shapely.geometry import LineString, Point
from shapely.ops import substring

__all__ = ["Piece", "merge_carriageways"]

_KM_LAT = 110.57
_KM_LON = 111.32


@dataclass(frozen=True)
class Piece:
    """A piece of a kept way between two cuts, in its direction of travel (for oneway ways)."""

    u: int
    v: int
    coords: tuple[tuple[float, float], ...]  # lon, lat
    corridor: str
    oneway: bool
    link: bool


@dataclass
class _Plane:
    kx: float

    def to_km(self, coords: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
        return [(lon * self.kx, lat * _KM_LAT) for lon, lat in coords]

    def to_deg(self, coords: Sequence[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
        return tuple((x / self.kx, y / _KM_LAT) for x, y in coords)


def _xy(line: LineString) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y, *_ in line.coords]


def _direction(line: LineString, at_km: float) -> np.ndarray:
    """Unit tangent of ``line`` at ``at_km`` along it."""
    a = line.interpolate(max(0.0, at_km - 0.05))
    b = line.interpolate(min(line.length, at_km + 0.05))
    d = np.array([b.x - a.x, b.y - a.y])
    n = float(np.hypot(*d))
    return d / n if n > 0 else d


def _opposed(line: LineString, other: LineString) -> bool:
    mid = line.interpolate(0.5, normalized=True)
    return float(_direction(line, line.length / 2) @ _direction(other, other.project(mid))) < 0


def _beside(line: LineString, others: Sequence[LineString], pair_km: float) -> bool:
    near = shapely.union_all(list(others))
    steps = max(2, math.ceil(line.length / 0.1))
    for k in range(steps + 1):
        point = line.interpolate(k / steps, normalized=True)
        limit = 2 * pair_km if k in (0, steps) else pair_km
        if near.distance(point) > limit:
            return False
    return True


def merge_carriageways(
    pieces: Sequence[Piece],
    node_xy: dict[int, tuple[float, float]],
    sites: dict[int, tuple[str, str]],
    *,
    pair_km: float = 0.15,
    node_km: float = 0.35,
    site_km: float = 1.0,
) -> tuple[list[Piece], dict[int, tuple[str, str]], dict[int, int]]:
    """The pieces with each dual road's second carriageway dropped and what hung on it moved onto
    the first (see the module notes); ``node_xy`` (lon, lat) is updated for moved nodes. Returns the
    pieces, the service areas (node -> (area id, name)) and the number of sides merged into each
    service area that absorbed its pair (2)."""
    if not pieces:
        return [], dict(sites), {}
    lat0 = sum(y for p in pieces for _, y in p.coords) / sum(len(p.coords) for p in pieces)
    plane = _Plane(_KM_LON * math.cos(math.radians(lat0)))
    lines = [LineString(plane.to_km(p.coords)) for p in pieces]
    main = [i for i, p in enumerate(pieces) if p.oneway and not p.link and lines[i].length > 0]
    tree = shapely.STRtree([lines[i] for i in main])

    def northbound(i: int) -> bool:
        (x0, y0), (x1, y1) = lines[i].coords[0], lines[i].coords[-1]
        return (y1 - y0) > 0 or ((y1 - y0) == 0 and (x1 - x0) > 0)

    kept: set[int] = set()
    dropped: set[int] = set()
    for i in sorted(main, key=lambda i: (not northbound(i), -lines[i].length, i)):
        near = [
            main[j]
            for j in tree.query(lines[i], predicate="dwithin", distance=2 * pair_km)
            if main[j] in kept and pieces[main[j]].corridor == pieces[i].corridor
        ]
        opposed = [j for j in near if _opposed(lines[i], lines[j])]
        if opposed and _beside(lines[i], [lines[j] for j in opposed], pair_km):
            dropped.add(i)
        else:
            kept.add(i)
    if not dropped:
        return list(pieces), dict(sites), {}

    alive = [p for i, p in enumerate(pieces) if i not in dropped]
    geoms = [LineString(plane.to_km(p.coords)) for p in alive]
    used = {n for p in alive for n in (p.u, p.v)}
    moving = sorted({n for i in dropped for n in (pieces[i].u, pieces[i].v) if n in used or n in sites})
    kept_mains = [k for k, p in enumerate(alive) if p.oneway and not p.link]
    kept_tree = shapely.STRtree([geoms[k] for k in kept_mains])
    parts: dict[int, list[int]] = {k: [k] for k in kept_mains}  # a kept piece -> its parts after splits
    owner: dict[int, int] = {k: k for k in kept_mains}
    kept_sites = sorted(n for n in sites if n in used and n not in moving)
    parent: dict[int, int] = {}
    sides: dict[int, int] = {}

    def find(n: int) -> int:
        while n in parent:
            n = parent[n]
        return n

    def point_of(n: int) -> Point:
        return Point(plane.to_km([node_xy[n]])[0])

    for n in moving:
        point = point_of(n)
        hits = kept_tree.query(point, predicate="dwithin", distance=2 * pair_km)
        near = [k for j in hits for k in parts[kept_mains[j]]]
        if not near:
            continue  # nothing kept beside it: it stays where it is
        k = min(near, key=lambda k: (geoms[k].distance(point), k))
        line, piece = geoms[k], alive[k]
        at = float(line.project(point))
        target: int | None = None
        if n in sites:
            proj = line.interpolate(at)
            partners = [m for m in kept_sites if find(m) == m and point_of(m).distance(proj) <= site_km]
            if partners:
                target = min(partners, key=lambda m: (point_of(m).distance(proj), m))
                sides[target] = 2
        if target is None and min(at, line.length - at) <= node_km:
            target = piece.u if at <= line.length - at else piece.v
        if target is not None:
            root, other = find(n), find(target)
            if root != other:
                if n in sites and other not in sites:  # the service area names the merged node
                    parent[other] = root
                    node_xy[root] = node_xy[other]
                else:
                    parent[root] = other
            continue
        # split the kept piece where the node falls on it; the node takes that place
        cut = line.interpolate(at)
        node_xy[n] = plane.to_deg([(cut.x, cut.y)])[0]
        # both parts are lines: the cut is more than node_km from either end
        first = LineString(shapely.get_coordinates(substring(line, 0.0, at)))
        second = LineString(shapely.get_coordinates(substring(line, at, line.length)))
        alive[k] = replace(piece, v=n, coords=plane.to_deg(_xy(first)))
        geoms[k] = first
        alive.append(replace(piece, u=n, coords=plane.to_deg(_xy(second))))
        geoms.append(second)
        owner[len(alive) - 1] = owner[k]
        parts[owner[k]].append(len(alive) - 1)

    out = []
    for p in alive:
        u, v = find(p.u), find(p.v)
        if u != v:
            out.append(replace(p, u=u, v=v))
    areas = {n: area for n, area in sites.items() if find(n) == n}
    return out, areas, {n: s for n, s in sides.items() if n in areas}
