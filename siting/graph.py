"""Road-network graph: construction from plain records, validation, corridors.

The graph is an undirected :class:`networkx.Graph` whose node ids are strings. Node attributes:
``kind`` (``city``, ``interchange`` or ``service_area``), ``weight`` (population or trip generation,
used by the gravity model), ``x``/``y`` (longitude/latitude or plot coordinates), ``name``.
Edge attribute ``length_km`` [km] is always positive; ``corridors`` lists the expressway codes that
use the edge. When two records join the same pair of nodes (two parallel expressways), the shorter
length is kept, because a driver takes the shorter road and the refuelling logic needs one distance.
``G.graph["corridors"]`` maps an expressway code to its ordered node list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NotRequired, TypeAlias, TypedDict, cast

import networkx as nx

from siting.errors import GraphError

__all__ = [
    "NODE_KINDS",
    "RoadGraph",
    "NodeRecord",
    "EdgeRecord",
    "build_graph",
    "validate_graph",
    "corridor_chains",
    "path_length_km",
    "shortest_paths_from",
]

NODE_KINDS = ("city", "interchange", "service_area")
_NODE_FIELDS = ("id", "kind", "weight", "x", "y", "name")

# Node ids are strings; node and edge attributes are the plain dicts described above.
RoadGraph: TypeAlias = "nx.Graph[str]"


class NodeRecord(TypedDict):
    """A node as read from a file: ``weight`` is population or trip generation, ``x``/``y`` may be None.

    ``attrs`` holds the file's other columns (``existing_bays``, ``grid_kva``, ``substation_km``...),
    kept as node attributes for the capacity and cost models."""

    id: str
    kind: str
    weight: float
    x: float | None
    y: float | None
    name: str
    attrs: NotRequired[dict[str, str]]


# Functional form: ``from`` is a Python keyword.
EdgeRecord = TypedDict("EdgeRecord", {"from": str, "to": str, "length_km": float, "corridor": str})


def build_graph(
    nodes: Iterable[Mapping[str, Any]],
    edges: Iterable[Mapping[str, Any]],
    *,
    add_missing_nodes: bool = False,
) -> RoadGraph:
    """Build and validate a road graph from node and edge records.

    Parameters
    ----------
    nodes : iterable of mapping
        Records with ``id`` and optional ``kind``, ``weight``, ``x``, ``y``, ``name``.
    edges : iterable of mapping
        Records with ``from``, ``to``, ``length_km`` [km] and optional ``corridor``.
    add_missing_nodes : bool
        Accept edge end points that have no node record (kind ``interchange``, weight 0).

    Returns
    -------
    networkx.Graph

    Raises
    ------
    GraphError
        Unknown end point, non-positive length, self-loop, or a disconnected graph.

    Examples
    --------
    >>> G = build_graph([{"id": "a"}, {"id": "b"}], [{"from": "a", "to": "b", "length_km": 10}])
    >>> G.edges["a", "b"]["length_km"]
    10.0
    >>> build_graph([{"id": "a"}, {"id": "b"}], [{"from": "a", "to": "b", "length_km": 0}])
    Traceback (most recent call last):
    ...
    siting.errors.GraphError: edge 1 (a-b): length_km must be positive and finite, got 0.0
    """
    G: RoadGraph = nx.Graph()
    for i, rec in enumerate(nodes, start=1):
        if rec.get("id") in (None, ""):
            raise GraphError(f"node {i}: no id")
        node = str(rec["id"])
        kind = str(rec.get("kind") or "city")
        if kind not in NODE_KINDS:
            raise GraphError(f"node {node}: kind must be one of {', '.join(NODE_KINDS)}, got {kind!r}")
        try:
            weight, x, y = float(rec.get("weight") or 0.0), _opt_float(rec.get("x")), _opt_float(rec.get("y"))
        except (TypeError, ValueError):
            raise GraphError(f"node {node}: weight, x and y must be numbers") from None
        # other fields of the record (a REST node) and the file's other columns become attributes
        given = {k: v for k, v in rec.items() if k not in (*_NODE_FIELDS, "attrs")}
        extra = {str(k): v for k, v in {**given, **(rec.get("attrs") or {})}.items() if v not in (None, "")}
        G.add_node(node, **extra)
        G.add_node(node, kind=kind, weight=weight, x=x, y=y, name=str(rec.get("name") or node))
    chains: dict[str, list[tuple[str, str]]] = {}
    for i, rec in enumerate(edges, start=1):
        missing = [key for key in ("from", "to", "length_km") if rec.get(key) is None]
        if missing:
            raise GraphError(f"edge {i}: no {', '.join(missing)}")
        u, v = str(rec["from"]), str(rec["to"])
        for end in (u, v):
            if end not in G:
                if not add_missing_nodes:
                    raise GraphError(f"edge {i} ({u}-{v}): node {end} is not in the node list")
                G.add_node(end, kind="interchange", weight=0.0, x=None, y=None, name=end)
        if u == v:
            raise GraphError(f"edge {i} ({u}-{v}): an edge must join two different nodes")
        try:
            length_km = float(rec["length_km"])
        except (TypeError, ValueError):
            value = rec["length_km"]
            raise GraphError(f"edge {i} ({u}-{v}): length_km must be a number, got {value!r}") from None
        if not 0 < length_km < float("inf"):
            raise GraphError(f"edge {i} ({u}-{v}): length_km must be positive and finite, got {length_km}")
        code = str(rec.get("corridor") or "").strip()
        if G.has_edge(u, v):
            data = G.edges[u, v]
            data["length_km"] = min(data["length_km"], length_km)
        else:
            G.add_edge(u, v, length_km=length_km, corridors=[])
        if code:
            if code not in G.edges[u, v]["corridors"]:
                G.edges[u, v]["corridors"].append(code)
            chains.setdefault(code, []).append((u, v))
    validate_graph(G)
    ordered = {code: _order_chain(pairs) for code, pairs in chains.items()}
    G.graph["corridors"] = {code: seq for code, seq in ordered.items() if seq is not None}
    # A branching corridor cannot be measured as one line; spacing reports it instead of guessing.
    G.graph["corridor_issues"] = {
        code: "its edges do not form a single simple path" for code, seq in ordered.items() if seq is None
    }
    return G


def validate_graph(G: RoadGraph, weight: str = "length_km") -> None:
    """Refuse an empty or disconnected graph or one with a non-positive edge length.

    Examples
    --------
    >>> G = nx.Graph(); G.add_edge("a", "b", length_km=5); G.add_edge("c", "d", length_km=5)
    >>> validate_graph(G)
    Traceback (most recent call last):
    ...
    siting.errors.GraphError: the road graph is disconnected: 2 components; component 2 holds c, d
    """
    if G.number_of_nodes() == 0:
        raise GraphError("the road graph has no nodes")
    for u, v, data in G.edges(data=True):
        length = data.get(weight)
        if length is None or not float(length) > 0:
            raise GraphError(f"edge {u}-{v}: {weight} must be positive, got {length}")
    if not nx.is_connected(G):
        comps = sorted((sorted(c) for c in nx.connected_components(G)), key=lambda c: (-len(c), c))
        shown = ", ".join(comps[1][:8]) + (" ..." if len(comps[1]) > 8 else "")
        raise GraphError(
            f"the road graph is disconnected: {len(comps)} components; component 2 holds {shown}"
        )


def corridor_chains(G: RoadGraph) -> dict[str, list[str]]:
    """Ordered node list of each expressway (corridor) recorded on the graph."""
    return dict(G.graph.get("corridors", {}))


def path_length_km(G: RoadGraph, path: list[str], weight: str = "length_km") -> float:
    """Length of a walk [km].

    Examples
    --------
    >>> G = nx.path_graph(["a", "b", "c"]); nx.set_edge_attributes(G, 2.5, "length_km")
    >>> path_length_km(G, ["a", "b", "c", "b"])
    7.5
    """
    return float(sum(G.edges[u, v][weight] for u, v in zip(path, path[1:], strict=False)))


def shortest_paths_from(
    G: RoadGraph, source: str, weight: str = "length_km"
) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Shortest-path lengths [km] and paths from ``source`` to every node it reaches (Dijkstra).

    Examples
    --------
    >>> G = nx.path_graph(["a", "b", "c"]); nx.set_edge_attributes(G, 2.5, "length_km")
    >>> shortest_paths_from(G, "a")
    ({'a': 0, 'b': 2.5, 'c': 5.0}, {'a': ['a'], 'b': ['a', 'b'], 'c': ['a', 'b', 'c']})
    """
    # Without a target networkx returns the two dicts; its stubs do not overload on ``target``.
    return cast(
        tuple[dict[str, float], dict[str, list[str]]], nx.single_source_dijkstra(G, source, weight=weight)
    )


def _order_chain(pairs: list[tuple[str, str]]) -> list[str] | None:
    """Order the edges of one corridor into a node sequence; None when they do not form a simple path."""
    H = nx.Graph(pairs)
    ends = [n for n in H if H.degree(n) == 1]
    if nx.is_connected(H) and len(ends) == 2 and all(d <= 2 for _, d in H.degree()):
        # Start from the end named first in the file so that the direction follows the data.
        start = pairs[0][0] if H.degree(pairs[0][0]) == 1 else ends[0]
        return list(nx.dfs_preorder_nodes(H, start))
    return None


def _opt_float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value)
