"""Read a road network from a local OpenStreetMap extract (``.osm`` XML or ``.osm.pbf``) with pyosmium.

Kept: ways tagged ``highway=motorway`` and ``trunk`` (and their ``*_link`` ramps unless
``links=False``, so that the two carriageways of a motorway meet at interchanges). Each way is cut
at the nodes it shares with another kept way (junctions) and at its ends; a piece between two cuts
is an edge whose ``length_km`` is the geodesic length of its geometry on WGS-84. The corridor of an
edge is the way's ``ref`` (``G4;G60`` gives the first), else its ``name``.

Service and rest areas (``highway=services`` / ``rest_area``, as a node or a closed way, whose
centre is used) become nodes of kind ``service_area``: each is attached to the nearest kept road
node within ``snap_km``, which becomes a cut.

OSM draws a dual road as one oneway way per carriageway (``highway=motorway`` implies oneway).
By default the two are merged (:mod:`siting.osm_dual`): one carriageway is kept as the road's line,
the ramps and service areas of the other are moved onto it, and a service-area pair (one area on
each side) becomes one node with ``sides`` 2, one candidate site. ``merge_carriageways=False``
keeps both carriageways as drawn.

Nodes of degree two that are not service areas are contracted (their edges merge, lengths add) so
the graph keeps junctions, ends and sites only. An extract cut at a border often leaves small
pieces: only the largest connected component is kept, and the others are counted in
``G.graph["osm_dropped"]``. Node ids are ``n<OSM node id>``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import osmium

from siting.errors import InputError
from siting.geo import line_length_km
from siting.graph import RoadGraph, build_graph
from siting.osm_dual import Piece
from siting.osm_dual import merge_carriageways as merge_dual

__all__ = ["DEFAULT_HIGHWAYS", "read_osm"]

DEFAULT_HIGHWAYS = ("motorway", "trunk")
_AREA_TAGS = ("services", "rest_area")


@dataclass
class _Way:
    refs: list[int]
    coords: list[tuple[float, float]]
    corridor: str
    oneway: bool = False
    link: bool = False


@dataclass
class _Extract:
    ways: list[_Way] = field(default_factory=list)
    areas: list[tuple[str, str, float, float]] = field(default_factory=list)  # id, name, lon, lat


def _corridor(tags: Any) -> str:
    ref = str(tags.get("ref", "") or "")
    if ref:
        return ref.split(";")[0].strip()
    return str(tags.get("name", "") or "")


def _scan(path: Path, highways: set[str]) -> _Extract:
    out = _Extract()
    try:
        processor = osmium.FileProcessor(str(path)).with_locations()
        for obj in processor:
            tags = obj.tags
            highway = tags.get("highway")
            if highway is None:
                continue
            if isinstance(obj, osmium.osm.Node):
                if highway in _AREA_TAGS and obj.location.valid():
                    name = str(tags.get("name", "") or f"{highway} {obj.id}")
                    out.areas.append((f"n{obj.id}", name, obj.location.lon, obj.location.lat))
            elif isinstance(obj, osmium.osm.Way):
                locs = [(n.ref, n.location) for n in obj.nodes]
                if any(not loc.valid() for _, loc in locs):
                    continue  # a way reaching outside the extract: its missing nodes cannot be placed
                coords = [(loc.lon, loc.lat) for _, loc in locs]
                if highway in _AREA_TAGS and coords:
                    name = str(tags.get("name", "") or f"{highway} w{obj.id}")
                    ring = coords[:-1] if len(coords) > 1 and coords[0] == coords[-1] else coords
                    lon, lat = (sum(c[i] for c in ring) / len(ring) for i in (0, 1))
                    out.areas.append((f"w{obj.id}", name, lon, lat))
                elif highway in highways and len(locs) >= 2:
                    refs = [r for r, _ in locs]
                    oneway = str(tags.get("oneway", "") or "")
                    if oneway == "-1":  # drawn against the direction of travel
                        refs, coords = refs[::-1], coords[::-1]
                    one = oneway in ("yes", "1", "true", "-1") or (highway == "motorway" and oneway != "no")
                    out.ways.append(_Way(refs, coords, _corridor(tags), one, highway.endswith("_link")))
    except RuntimeError as exc:  # libosmium reports unreadable files as RuntimeError
        raise InputError(f"{path}: not a readable OSM file ({exc})") from None
    return out


def _snap(
    areas: list[tuple[str, str, float, float]], ways: list[_Way], snap_km: float
) -> dict[int, tuple[str, str]]:
    """OSM node of the kept roads nearest to each area (within ``snap_km``): node -> (area id, name)."""
    refs: dict[int, tuple[float, float]] = {}
    for w in ways:
        refs.update(zip(w.refs, w.coords, strict=True))
    if not refs or not areas:
        return {}
    ids = np.fromiter(refs, dtype=np.int64)
    xy = np.array([refs[int(i)] for i in ids])
    out: dict[int, tuple[str, str]] = {}
    for area_id, name, lon, lat in areas:
        # equirectangular distance is plenty to pick the nearest node a few km away
        dx = (xy[:, 0] - lon) * math.cos(math.radians(lat)) * 111.32
        dy = (xy[:, 1] - lat) * 110.57
        d = np.hypot(dx, dy)
        k = int(np.argmin(d))
        if d[k] <= snap_km and int(ids[k]) not in out:
            out[int(ids[k])] = (area_id, name)
    return out


def read_osm(
    path: str | Path,
    *,
    highways: Iterable[str] = DEFAULT_HIGHWAYS,
    links: bool = True,
    snap_km: float = 2.0,
    merge_carriageways: bool = True,
) -> RoadGraph:
    """The motorway/trunk network of an OSM extract as a road graph (see the module notes);
    ``merge_carriageways=False`` keeps both carriageways of dual roads as drawn."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    kinds = set(highways)
    if links:
        kinds |= {f"{h}_link" for h in list(kinds)}
    ex = _scan(path, kinds)
    if not ex.ways:
        raise InputError(f"{path}: no way tagged highway={' or '.join(sorted(kinds))}")
    sites = _snap(ex.areas, ex.ways, snap_km)
    use = Counter(r for w in ex.ways for r in set(w.refs))
    coords: dict[int, tuple[float, float]] = {}
    pieces: list[Piece] = []
    for w in ex.ways:
        coords.update(zip(w.refs, w.coords, strict=True))
        start = 0
        for i in range(1, len(w.refs)):
            r = w.refs[i]
            if i == len(w.refs) - 1 or use[r] > 1 or r in sites:
                if w.refs[start] != r:
                    piece = tuple(w.coords[start : i + 1])
                    pieces.append(Piece(w.refs[start], r, piece, w.corridor, w.oneway, w.link))
                start = i
    sides: dict[int, int] = {}
    if merge_carriageways:
        pieces, sites, sides = merge_dual(pieces, coords, sites)
    H: nx.MultiGraph[int] = nx.MultiGraph()
    for pc in pieces:
        H.add_edge(pc.u, pc.v, length_km=line_length_km(pc.coords), corridor=pc.corridor)
    _contract(H, keep=set(sites))
    comps = sorted(nx.connected_components(H), key=len, reverse=True)
    main = comps[0] if comps else set()
    nodes = []
    for r in main:
        lon, lat = coords[r]
        area = sites.get(r)
        nodes.append(
            {
                "id": f"n{r}",
                "kind": "service_area" if area else "interchange",
                "weight": 0.0,
                "x": round(lon, 7),
                "y": round(lat, 7),
                "name": area[1] if area else f"n{r}",
                **({"attrs": {"sides": sides[r]}} if r in sides else {}),
            }
        )
    edges = [
        {"from": f"n{u}", "to": f"n{v}", "length_km": d["length_km"], "corridor": d["corridor"]}
        for u, v, d in H.edges(data=True)
        if u in main and u != v and d["length_km"] > 0
    ]
    G = build_graph(nodes, edges)
    G.graph["osm_dropped"] = {
        "components": len(comps) - 1,
        "nodes": sum(len(c) for c in comps[1:]),
    }
    G.graph["source"] = str(path)
    return G


def _contract(H: nx.MultiGraph[int], keep: set[int]) -> None:
    """Merge the two edges of every degree-2 node not in ``keep`` into one (lengths add)."""
    for n in list(H.nodes):
        if n in keep or H.degree(n) != 2:
            continue
        ends = list(H.edges(n, data=True))
        if len(ends) != 2:
            continue
        (_, a, da), (_, b, db) = ends
        if a == n or b == n or a == b or da["corridor"] != db["corridor"]:
            continue  # a loop, or where one expressway ends and another begins
        H.remove_node(n)
        H.add_edge(a, b, length_km=da["length_km"] + db["length_km"], corridor=da["corridor"])
