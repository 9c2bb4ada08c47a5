"""Readers and writers: nodes/edges CSV, GraphML, GeoJSON, O-D flows CSV.

All I/O of the package lives here (and in :mod:`siting.outputs`); the models take plain values.
Errors name the file, the line (the header is line 1) and the column.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from siting.demand import FlowRecord, Trip
from siting.errors import InputError
from siting.geo import distance_km, line_length_km, to_wgs84
from siting.graph import EdgeRecord, NodeRecord, RoadGraph, build_graph

__all__ = [
    "read_nodes_csv",
    "read_edges_csv",
    "read_network",
    "read_graphml",
    "read_geojson",
    "graph_from_features",
    "attach_zones",
    "read_flows_csv",
    "write_nodes_csv",
    "write_edges_csv",
    "write_flows_csv",
]

NODE_COLUMNS = ("id", "kind", "weight", "x", "y", "name")
EDGE_COLUMNS = ("from", "to", "length_km", "corridor")
FLOW_COLUMNS = ("origin", "destination", "flow", "path")
# Column names accepted as the corridor of an edge (the Hunan data calls it expressway_code; OSM, ref).
_CORRIDOR_ALIASES = ("corridor", "expressway_code", "expressway", "road", "ref")


def _rows(path: Path, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)}; found {', '.join(header)}")
        return [
            (line, {(k or "").strip(): (v or "").strip() for k, v in row.items()})
            for line, row in enumerate(reader, start=2)
        ]


def _number(path: Path, line: int, column: str, text: str, default: float | None = None) -> float:
    if text == "" and default is not None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{path} line {line}: column {column} must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise InputError(f"{path} line {line}: column {column} must be finite, got {text!r}")
    return value


def read_nodes_csv(path: str | Path) -> list[NodeRecord]:
    """Read a nodes CSV with columns ``id,kind,weight,x,y,name`` (only ``id`` is required)."""
    path = Path(path)
    out: list[NodeRecord] = []
    seen: dict[str, int] = {}
    for line, row in _rows(path, ["id"]):
        node = row["id"]
        if not node:
            raise InputError(f"{path} line {line}: column id is empty")
        if node in seen:
            raise InputError(f"{path} line {line}: node {node} already defined on line {seen[node]}")
        seen[node] = line
        weight = _number(path, line, "weight", row.get("weight", ""), default=0.0)
        if weight < 0:
            raise InputError(f"{path} line {line}: node {node} weight must not be negative, got {weight}")
        out.append(
            {
                "id": node,
                "kind": row.get("kind") or "city",
                "weight": weight,
                "x": _number(path, line, "x", row["x"]) if row.get("x") else None,
                "y": _number(path, line, "y", row["y"]) if row.get("y") else None,
                "name": row.get("name") or node,
                "attrs": {k: v for k, v in row.items() if k not in NODE_COLUMNS and k and v},
            }
        )
    return out


def read_edges_csv(path: str | Path) -> list[EdgeRecord]:
    """Read an edges CSV with columns ``from,to,length_km`` and an optional corridor column."""
    path = Path(path)
    out: list[EdgeRecord] = []
    for line, row in _rows(path, ["from", "to", "length_km"]):
        length_km = _number(path, line, "length_km", row["length_km"])
        if length_km <= 0:
            raise InputError(
                f"{path} line {line}: edge {row['from']}-{row['to']} "
                f"length_km must be positive, got {length_km}"
            )
        corridor = next((row[c] for c in _CORRIDOR_ALIASES if row.get(c)), "")
        out.append({"from": row["from"], "to": row["to"], "length_km": length_km, "corridor": corridor})
    return out


def read_network(
    nodes_path: str | Path | None, edges_path: str | Path, *, crs: str | None = None
) -> RoadGraph:
    """Read and validate a network from an edges CSV (and optionally a nodes CSV).

    A ``.graphml``, ``.geojson``/``.json``, GeoPackage (``.gpkg``), Shapefile (``.shp``) or
    OpenStreetMap (``.osm``, ``.osm.pbf``, ``.pbf``) edges file is read with :func:`read_graphml`,
    :func:`read_geojson` (coordinates in ``crs``), :func:`siting.vector.read_vector` or
    :func:`siting.osm.read_osm`. Rows of ``nodes_path`` then override the attributes of the
    nodes they name; rows for nodes not on the network (zones, cities with x,y) are attached to
    the nearest node by a connector (:func:`attach_zones`).
    """
    edges_path = Path(edges_path)
    suffix = edges_path.suffix.lower()
    if suffix == ".graphml":
        G = read_graphml(edges_path)
    elif suffix in (".geojson", ".json"):
        G = read_geojson(edges_path, crs)
    elif suffix in (".gpkg", ".shp"):
        from siting.vector import read_vector  # pyogrio (GDAL) is loaded only for these files

        G = read_vector(edges_path, crs)
    elif suffix in (".osm", ".pbf") or edges_path.name.lower().endswith(".osm.xml"):
        from siting.osm import read_osm  # pyosmium is loaded only for OSM input

        G = read_osm(edges_path)
    else:
        nodes = _nodes_in_wgs84(read_nodes_csv(nodes_path), crs) if nodes_path else []
        return build_graph(nodes, read_edges_csv(edges_path), add_missing_nodes=nodes_path is None)
    if nodes_path:
        records = _nodes_in_wgs84(read_nodes_csv(nodes_path), crs)
        for rec in records:
            if rec["id"] in G:
                G.nodes[rec["id"]].update(rec.get("attrs") or {})
                G.nodes[rec["id"]].update({k: v for k, v in rec.items() if k not in ("id", "attrs")})
        attach_zones(G, records)
    return G


def _nodes_in_wgs84(records: list[NodeRecord], crs: str | None) -> list[NodeRecord]:
    """Node records with their x,y converted from ``crs`` to WGS-84 longitude/latitude."""
    if crs is not None:
        for rec in records:
            if rec["x"] is not None and rec["y"] is not None:
                rec["x"], rec["y"] = to_wgs84([(rec["x"], rec["y"])], crs)[0]
    return records


def read_graphml(path: str | Path) -> RoadGraph:
    """Read a GraphML road network; the edge length is ``length_km`` or ``length`` [km]."""
    path = Path(path)
    try:
        H = nx.read_graphml(path)
    except Exception as exc:  # networkx raises several XML error types; report them uniformly
        raise InputError(f"{path}: not a readable GraphML file ({exc})") from None
    nodes: list[dict[str, Any]] = [
        {"id": str(n), **{k: v for k, v in d.items() if k in NODE_COLUMNS}} for n, d in H.nodes(data=True)
    ]
    edges: list[dict[str, Any]] = []
    for u, v, d in H.edges(data=True):
        length = d.get("length_km", d.get("length"))
        if length is None:
            raise InputError(f"{path}: edge {u}-{v} has no length_km (or length) attribute")
        edges.append({"from": u, "to": v, "length_km": float(length), "corridor": d.get("corridor", "")})
    return build_graph(nodes, edges)


def read_geojson(path: str | Path, crs: str | None = None) -> RoadGraph:
    """Read a GeoJSON FeatureCollection: LineStrings (and MultiLineString parts) are edges, Points nodes.

    Coordinates are in ``crs`` (``wgs84`` by default, ``gcj02``, or any CRS PROJ knows, such as
    ``EPSG:4547``; a legacy ``"crs"`` member of the file is used when ``crs`` is None) and are
    stored as WGS-84 longitude/latitude. An edge's ``length_km`` property is used where present;
    otherwise the geodesic length of its geometry. Its end nodes are its ``from``/``to`` properties
    (placed at the line's ends unless a Point names them), or else the node at its first and last
    coordinates: a Point feature there, or a node shared
    with the other lines that end there (named ``lon,lat``).
    """
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a readable GeoJSON file ({exc})") from None
    feats = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(feats, list):
        raise InputError(f"{path}: expected a FeatureCollection with a features list")
    if crs is None:
        crs = ((doc.get("crs") or {}).get("properties") or {}).get("name")
    return graph_from_features(path, feats, crs)


def graph_from_features(path: Path, feats: list[Any], crs: str | None) -> RoadGraph:
    """The road graph of GeoJSON-like features (``{"geometry": {...}, "properties": {...}}``) with
    coordinates in ``crs``, as :func:`read_geojson` describes; ``path`` names the source in errors."""

    def wgs(coords: Any, i: int) -> list[tuple[float, float]]:
        try:
            return to_wgs84(coords, crs)
        except InputError as exc:
            raise InputError(f"{path}: feature {i}: {exc}") from None

    nodes: list[dict[str, Any]] = []
    at: dict[tuple[float, float], str] = {}  # rounded WGS-84 coordinates -> node id
    lines: list[tuple[int, dict[str, Any], list[tuple[float, float]]]] = []
    for i, f in enumerate(feats):
        geom, props = (f or {}).get("geometry") or {}, (f or {}).get("properties") or {}
        kind, coords = geom.get("type"), geom.get("coordinates")
        if kind == "Point":
            node = str(props.get("id", f.get("id", f"p{i}")))
            x, y = wgs([coords], i)[0]
            rec = {k: props[k] for k in NODE_COLUMNS if k in props}
            rec["attrs"] = {k: v for k, v in props.items() if k not in NODE_COLUMNS}
            nodes.append({**rec, "id": node, "x": x, "y": y})
            at[(round(x, 6), round(y, 6))] = node
        elif kind == "LineString":
            lines.append((i, props, wgs(coords or [], i)))
        elif kind == "MultiLineString":
            lines.extend((i, props, wgs(part, i)) for part in coords or [])
    edges: list[dict[str, Any]] = []
    named = {str(n["id"]) for n in nodes}
    for _, props, coords in lines:  # ends named by the lines: other lines ending there join them
        for key, xy in (("from", coords[0] if coords else None), ("to", coords[-1] if coords else None)):
            if key in props and xy is not None:
                at.setdefault((round(xy[0], 6), round(xy[1], 6)), str(props[key]))
    for i, props, coords in lines:
        if len(coords) < 2 and not ("from" in props and "to" in props and "length_km" in props):
            raise InputError(f"{path}: feature {i} (LineString) has fewer than two coordinates")
        ends: list[str] = []
        for key, xy in (("from", coords[0] if coords else None), ("to", coords[-1] if coords else None)):
            if key in props:
                end = str(props[key])
                if end not in named and xy is not None:  # an end named by the line only: placed there
                    nodes.append({"id": end, "kind": "interchange", "x": xy[0], "y": xy[1]})
                    named.add(end)
                ends.append(end)
                continue
            assert xy is not None
            x, y = xy
            end = at.setdefault((round(x, 6), round(y, 6)), f"{x:.6f},{y:.6f}")
            if end not in named:
                nodes.append({"id": end, "kind": "interchange", "x": x, "y": y})
                named.add(end)
            ends.append(end)
        corridor = next((str(props[c]) for c in _CORRIDOR_ALIASES if props.get(c)), "")
        if props.get("length_km") is not None:
            try:
                length_km = float(props["length_km"])
            except (TypeError, ValueError):
                raise InputError(f"{path}: feature {i}: length_km must be a number") from None
        else:
            length_km = line_length_km(coords)
        edges.append({"from": ends[0], "to": ends[1], "length_km": length_km, "corridor": corridor})
    return build_graph(nodes, edges)


def attach_zones(G: RoadGraph, records: Iterable[NodeRecord]) -> list[str]:
    """Add nodes that are not on the network (zones, cities) with a connector to the nearest node.

    Each record needs ``x``/``y`` (WGS-84); the connector's length is the geodesic distance
    (at least 0.001 km). Returns the ids attached.

    Examples
    --------
    >>> G = build_graph([{"id": "a", "x": 112.0, "y": 28.0}, {"id": "b", "x": 113.0, "y": 28.0}],
    ...                 [{"from": "a", "to": "b", "length_km": 98.4}])
    >>> attach_zones(G, [{"id": "z", "kind": "city", "weight": 3.0, "x": 112.1, "y": 28.05, "name": "Z"}])
    ['z']
    >>> round(G.edges["z", "a"]["length_km"], 2)
    11.29
    """
    placed = [(n, (float(d["x"]), float(d["y"]))) for n, d in G.nodes(data=True) if d.get("x") is not None]
    added: list[str] = []
    for rec in records:
        if rec["id"] in G:
            continue
        if rec.get("x") is None or rec.get("y") is None or not placed:
            raise InputError(f"node {rec['id']} is not on the network and has no x,y to attach it by")
        xy = (float(rec["x"] or 0.0), float(rec["y"] or 0.0))
        near, near_xy = min(placed, key=lambda p: (p[1][0] - xy[0]) ** 2 + (p[1][1] - xy[1]) ** 2)
        G.add_node(rec["id"], **(rec.get("attrs") or {}))
        G.add_node(
            rec["id"],
            kind=rec["kind"],
            weight=rec["weight"],
            x=xy[0],
            y=xy[1],
            name=rec["name"],
            connector=True,
        )
        G.add_edge(rec["id"], near, length_km=max(distance_km(xy, near_xy), 0.001), corridors=[])
        added.append(rec["id"])
    return added


def read_flows_csv(path: str | Path) -> list[FlowRecord]:
    """Read O-D flows ``origin,destination,flow`` with an optional ``path`` (node ids separated by spaces).

    Rows are returned with their ``line`` so that later checks can name them.
    """
    path = Path(path)
    out: list[FlowRecord] = []
    for line, row in _rows(path, ["origin", "destination", "flow"]):
        flow = _number(path, line, "flow", row["flow"])
        if flow < 0:
            raise InputError(f"{path} line {line}: flow must not be negative, got {flow}")
        walk = row.get("path", "").split()
        out.append(
            {
                "origin": row["origin"],
                "destination": row["destination"],
                "flow": flow,
                "path": walk or None,
                "line": line,
            }
        )
    return out


def write_nodes_csv(G: RoadGraph, path: str | Path) -> None:
    """Write the nodes of ``G`` as ``id,kind,weight,x,y,name``."""
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(NODE_COLUMNS)
        for n, d in G.nodes(data=True):
            w.writerow(
                [
                    n,
                    d.get("kind", ""),
                    d.get("weight", 0),
                    _blank(d.get("x")),
                    _blank(d.get("y")),
                    d.get("name", n),
                ]
            )


def write_edges_csv(G: RoadGraph, path: str | Path) -> None:
    """Write the edges of ``G`` as ``from,to,length_km,corridor`` (one row per corridor)."""
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(EDGE_COLUMNS)
        for u, v, d in G.edges(data=True):
            for code in d.get("corridors") or [""]:
                w.writerow([u, v, d["length_km"], code])


def write_flows_csv(trips: Iterable[Trip], path: str | Path) -> None:
    """Write trips as an O-D flows CSV with their paths."""
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(FLOW_COLUMNS)
        for t in trips:
            w.writerow([t.origin, t.destination, repr(float(t.flow)), " ".join(t.path)])


def _blank(value: Any) -> Any:
    return "" if value is None else value
