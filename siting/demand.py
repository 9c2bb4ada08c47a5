"""Demand: trips (O-D flows with their paths) from a flows table or from a gravity model.

A trip is a round trip origin -> destination -> origin along ``path`` (Kuby & Lim 2005), repeated
``flow`` times per period (vehicles per day, or any consistent unit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from siting.errors import DemandError
from siting.graph import RoadGraph, path_length_km, shortest_paths_from

__all__ = ["FlowRecord", "Trip", "trips_from_flows", "gravity_trips"]

_MAX_LISTED = 10


class FlowRecord(TypedDict):
    """One O-D row: ``flow`` round trips per period, an optional fixed ``path`` and its file ``line``."""

    origin: str
    destination: str
    flow: float
    path: list[str] | None
    line: NotRequired[int]


@dataclass(frozen=True)
class Trip:
    """One O-D flow and the walk it follows.

    Attributes
    ----------
    origin, destination : str
    flow : float
        Round trips per period.
    path : tuple of str
        Node ids from origin to destination (a walk of the graph).
    length_km : float
        One-way length of ``path`` [km].
    """

    origin: str
    destination: str
    flow: float
    path: tuple[str, ...]
    length_km: float

    @property
    def label(self) -> str:
        return f"{self.origin}->{self.destination}"


def trips_from_flows(
    G: RoadGraph, flows: Iterable[Mapping[str, Any]], weight: str = "length_km"
) -> list[Trip]:
    """Turn O-D records into trips, using the given path or else the shortest path.

    Parameters
    ----------
    G : networkx.Graph
    flows : iterable of mapping
        ``origin``, ``destination``, ``flow`` and optional ``path`` (list of node ids) and ``line``
        (the source row, used in messages).

    Raises
    ------
    DemandError
        Nodes missing from the graph, origin equal to destination, or a path that is not a walk of
        the graph from origin to destination. All offending rows are named (up to ten).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(["a", "b", "c"]); nx.set_edge_attributes(G, 10.0, "length_km")
    >>> trips_from_flows(G, [{"origin": "a", "destination": "c", "flow": 2}])[0].path
    ('a', 'b', 'c')
    >>> trips_from_flows(G, [{"origin": "a", "destination": "z", "flow": 2}])
    Traceback (most recent call last):
    ...
    siting.errors.DemandError: O-D flows refer to nodes not in the graph: row 1: destination z
    """
    records = list(flows)
    missing, bad = [], []
    for i, rec in enumerate(records, start=1):
        row = rec.get("line", i)
        o, d = str(rec["origin"]), str(rec["destination"])
        for role, node in (("origin", o), ("destination", d)):
            if node not in G:
                missing.append(f"row {row}: {role} {node}")
        if o == d:
            bad.append(f"row {row}: origin and destination are both {o}")
        walk = rec.get("path")
        if walk:
            bad.extend(f"row {row}: {msg}" for msg in _walk_problems(G, [str(n) for n in walk], o, d))
    if missing:
        raise DemandError("O-D flows refer to nodes not in the graph: " + _listing(missing))
    if bad:
        raise DemandError("O-D flows have invalid paths: " + _listing(bad))

    by_origin: dict[str, list[int]] = defaultdict(list)
    for i, rec in enumerate(records):
        if not rec.get("path"):
            by_origin[str(rec["origin"])].append(i)
    shortest: dict[int, list[str]] = {}
    for origin, idx in by_origin.items():
        _, paths = shortest_paths_from(G, origin, weight)
        for i in idx:
            shortest[i] = paths[str(records[i]["destination"])]
    trips: list[Trip] = []
    for i, rec in enumerate(records):
        walk = tuple(str(n) for n in (rec.get("path") or shortest[i]))
        trips.append(
            Trip(
                origin=str(rec["origin"]),
                destination=str(rec["destination"]),
                flow=float(rec["flow"]),
                path=walk,
                length_km=path_length_km(G, list(walk), weight),
            )
        )
    return trips


def gravity_trips(
    G: RoadGraph,
    beta: float = 1.5,
    *,
    weight: str = "length_km",
    node_weight: str = "weight",
    scale: float = 1.0,
) -> list[Trip]:
    """Gravity-model trips between every unordered pair of weighted nodes.

    ``flow = scale * W_i * W_j / d_ij ** beta`` with ``d_ij`` the shortest-path length [km]; nodes of
    weight zero generate no trips. Trips follow the shortest path from the node listed first in the
    graph's node order (a fixed tie rule, so that results are reproducible).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph(); G.add_edge("a", "b", length_km=4.0)
    >>> G.nodes["a"]["weight"], G.nodes["b"]["weight"] = 50, 82
    >>> gravity_trips(G, beta=1.5)[0].flow
    512.5
    """
    if beta < 0:
        raise DemandError(f"beta must not be negative, got {beta}")
    weighted = [n for n, data in G.nodes(data=True) if (w := data.get(node_weight)) and float(w) > 0]
    order = {n: i for i, n in enumerate(weighted)}
    trips: list[Trip] = []
    for o in weighted:
        dist, paths = shortest_paths_from(G, o, weight)
        wo = float(G.nodes[o][node_weight])
        for d in weighted:
            if order[d] <= order[o]:
                continue
            flow = scale * wo * float(G.nodes[d][node_weight]) / dist[d] ** beta
            trips.append(Trip(o, d, flow, tuple(paths[d]), float(dist[d])))
    return trips


def _walk_problems(G: RoadGraph, walk: list[str], origin: str, destination: str) -> list[str]:
    text = " ".join(walk)
    if walk[0] != origin or walk[-1] != destination:
        return [f"path {text} must run from {origin} to {destination}"]
    for n in walk:
        if n not in G:
            return [f"path {text} names node {n}, which is not in the graph"]
    for u, v in zip(walk, walk[1:], strict=False):
        if not G.has_edge(u, v):
            return [f"path {text} is not a walk of the graph: no edge {u}-{v}"]
    return []


def _listing(items: list[str]) -> str:
    more = f"; and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else ""
    return "; ".join(items[:_MAX_LISTED]) + more
