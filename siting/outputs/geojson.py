"""GeoJSON for GIS: stations as Points, expressway corridors (and other edges) as LineStrings.

Coordinates are the nodes' ``x``/``y`` (longitude/latitude for Hunan; plot units for the 25-node
network, which has no geographic reference). Nodes without coordinates are left out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from siting.graph import RoadGraph, corridor_chains

__all__ = ["plan_geojson", "write_geojson"]


def plan_geojson(G: RoadGraph, doc: dict[str, Any]) -> dict[str, Any]:
    """FeatureCollection of the plan's stations and the network's corridors.

    Examples
    --------
    >>> from siting.graph import build_graph
    >>> G = build_graph([{"id": "a", "x": 0, "y": 0}, {"id": "b", "x": 1, "y": 0}],
    ...                 [{"from": "a", "to": "b", "length_km": 5, "corridor": "G1"}])
    >>> fc = plan_geojson(G, {"station_details": [{"id": "a", "x": 0, "y": 0, "status": "new"}]})
    >>> [f["geometry"]["type"] for f in fc["features"]]
    ['Point', 'LineString']
    """
    feats: list[dict[str, Any]] = []
    for st in doc.get("station_details", []):
        if st.get("x") is None or st.get("y") is None:
            continue
        props = {k: v for k, v in st.items() if k not in ("x", "y")}
        props["feature"] = "station"
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [st["x"], st["y"]]},
                "properties": props,
            }
        )
    stations = {s["id"] for s in doc.get("station_details", [])}
    used: set[frozenset[str]] = set()
    for code, chain in sorted(corridor_chains(G).items()):
        coords = _coords(G, chain)
        if coords:
            km = sum(G.edges[u, v]["length_km"] for u, v in zip(chain, chain[1:], strict=False))
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": coords},
                    "properties": {
                        "feature": "corridor",
                        "corridor": code,
                        "length_km": round(km, 3),
                        "stations": [n for n in chain if n in stations],
                    },
                }
            )
        used.update(frozenset(e) for e in zip(chain, chain[1:], strict=False))
    for u, v, d in G.edges(data=True):
        if frozenset((u, v)) in used:
            continue
        coords = _coords(G, [u, v])
        if coords:
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": coords},
                    "properties": {"feature": "edge", "from": u, "to": v, "length_km": d["length_km"]},
                }
            )
    return {"type": "FeatureCollection", "features": feats}


def write_geojson(G: RoadGraph, doc: dict[str, Any], path: str | Path) -> Path:
    path = Path(path)
    path.write_text(json.dumps(plan_geojson(G, doc), ensure_ascii=False), encoding="utf-8")
    return path


def _coords(G: RoadGraph, nodes: list[str]) -> list[list[float]] | None:
    out: list[list[float]] = []
    for n in nodes:
        x, y = G.nodes[n].get("x"), G.nodes[n].get("y")
        if x is None or y is None:
            return None
        out.append([x, y])
    return out
