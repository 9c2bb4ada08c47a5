"""Synthetic expressway networks for benchmarks and scale tests (reproducible from a seed).

Cities are scattered over a rectangle and joined by a minimum spanning tree plus links to their
nearest neighbours (a trunk-road pattern); each road is cut into segments by interchanges and
service areas so that the graph reaches the requested node count.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np

from siting.graph import RoadGraph, build_graph

__all__ = ["synthetic_network"]


def synthetic_network(
    n_cities: int = 200,
    n_nodes: int = 2000,
    *,
    width_km: float = 1200.0,
    height_km: float = 900.0,
    neighbours: int = 2,
    service_area_every: int = 2,
    seed: int = 1,
) -> RoadGraph:
    """A connected road graph with ``n_cities`` weighted cities and about ``n_nodes`` nodes.

    Examples
    --------
    >>> G = synthetic_network(12, 60, seed=3)
    >>> nx.is_connected(G), sum(1 for _, k in G.nodes(data="kind") if k == "city")
    (True, 12)
    >>> G.number_of_nodes()
    60
    """
    rng = np.random.default_rng(seed)
    xy = rng.uniform([0, 0], [width_km, height_km], size=(n_cities, 2))
    names = [f"c{i:03d}" for i in range(n_cities)]
    dist = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    K: nx.Graph[int] = nx.Graph()
    for i in range(n_cities):
        for j in range(i + 1, n_cities):
            K.add_edge(i, j, d=dist[i, j])
    roads = set(nx.minimum_spanning_tree(K, weight="d").edges())
    for i in range(n_cities):
        for j in np.argsort(dist[i])[1 : neighbours + 1]:
            roads.add((min(i, int(j)), max(i, int(j))))
    roads_sorted = sorted(roads)
    # Roads wind: 10-30 % longer than the straight line.
    length = {e: dist[e] * rng.uniform(1.1, 1.3) for e in roads_sorted}
    # Segments per road by largest remainder, so that the node count comes out as requested.
    total_km = sum(length.values())
    want = max(len(roads_sorted), n_nodes - n_cities + len(roads_sorted))
    ideal = {e: max(1.0, length[e] / total_km * want) for e in roads_sorted}
    segments = {e: int(ideal[e]) for e in roads_sorted}
    short = want - sum(segments.values())
    for e in sorted(roads_sorted, key=lambda e: ideal[e] - segments[e], reverse=True)[: max(0, short)]:
        segments[e] += 1
    weights = np.round(rng.lognormal(mean=0.0, sigma=1.0, size=n_cities), 3) + 0.05
    nodes = [
        {
            "id": names[i],
            "kind": "city",
            "weight": float(weights[i]),
            "x": float(xy[i, 0]),
            "y": float(xy[i, 1]),
        }
        for i in range(n_cities)
    ]
    edges: list[dict[str, Any]] = []
    serial = 0
    for e in roads_sorted:
        i, j = e
        cuts = segments[e] - 1
        chain = [names[i]]
        for c in range(1, cuts + 1):
            serial += 1
            node = f"s{serial:04d}"
            t = c / (cuts + 1)
            kind = "service_area" if serial % service_area_every == 0 else "interchange"
            pos = xy[i] + t * (xy[j] - xy[i])
            nodes.append({"id": node, "kind": kind, "weight": 0.0, "x": float(pos[0]), "y": float(pos[1])})
            chain.append(node)
        chain.append(names[j])
        step = length[e] / (len(chain) - 1)
        edges.extend(
            {"from": a, "to": b, "length_km": math.floor(step * 1000) / 1000}
            for a, b in zip(chain, chain[1:], strict=False)
        )
    return build_graph(nodes, edges)
