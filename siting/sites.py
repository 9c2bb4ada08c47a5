"""Candidate sites: which nodes may be built on, sites a planner adds, and the gaps no site closes.

Cities are origins and destinations of trips (O-D centroids), not buildable sites: a fast-charging
or hydrogen station is built at a service area (or, when the planner asks, at an interchange or a
named parcel). So the default candidates are the service areas, and cities or interchanges become
candidates only when asked (``--candidates cities``, ``interchanges``, ``all`` or a list of ids).
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypedDict

from siting.demand import Trip
from siting.errors import GraphError, InputError
from siting.graph import RoadGraph
from siting.models.instance import Instance, unservable_cause

__all__ = [
    "CANDIDATE_KINDS",
    "CandidateGap",
    "candidate_gaps",
    "hint_text",
    "nodes_of_kind",
    "select_candidates",
    "add_candidates",
    "split_edge",
]

# Keywords of ``--candidates`` and the node kinds they select.
CANDIDATE_KINDS: dict[str, tuple[str, ...]] = {
    "service-areas": ("service_area",),
    "service_areas": ("service_area",),
    "interchanges": ("interchange",),
    "cities": ("city",),
    "all": ("service_area", "interchange", "city"),
}


def nodes_of_kind(G: RoadGraph, kinds: Iterable[str]) -> list[str]:
    """Nodes whose ``kind`` is one of ``kinds``, in graph order."""
    wanted = set(kinds)
    return [n for n, data in G.nodes(data=True) if data.get("kind") in wanted]


def select_candidates(G: RoadGraph, spec: str, dataset_default: Sequence[str] | None = None) -> list[str]:
    """Candidate sites from ``--candidates``.

    ``auto`` is the dataset's own choice when it has one, otherwise the service areas. A spec may
    mix keywords (``service-areas``, ``interchanges``, ``cities``, ``all``) and node ids separated by
    commas, e.g. ``service-areas,interchanges`` or ``service-areas,changsha``; it may also be a file
    of ids (one per line, or a CSV with an ``id`` column).

    Examples
    --------
    >>> from siting.graph import build_graph
    >>> G = build_graph([{"id": "a", "kind": "city"}, {"id": "s", "kind": "service_area"},
    ...                  {"id": "i", "kind": "interchange"}],
    ...                 [{"from": "a", "to": "s", "length_km": 5}, {"from": "s", "to": "i", "length_km": 5}])
    >>> select_candidates(G, "auto"), select_candidates(G, "service-areas,interchanges")
    (['s'], ['s', 'i'])
    >>> select_candidates(G, "service-areas,a")
    ['s', 'a']
    """
    if spec in ("", "auto"):
        if dataset_default is not None:
            return list(dataset_default)
        chosen = nodes_of_kind(G, ("service_area",))
        if not chosen:
            raise InputError(
                "the network has no service_area nodes, and cities are not candidate sites unless asked: "
                "say where stations may be built with --candidates all|cities|interchanges|id,id,... "
                "or give nodes of kind service_area"
            )
        return chosen
    if Path(spec).is_file():
        return _unknown_check(G, _read_ids(Path(spec)))
    chosen = []
    for token in (s for s in spec.replace(",", " ").split() if s):
        kinds = CANDIDATE_KINDS.get(token)
        if kinds is None:
            chosen.append(token)
            continue
        found = nodes_of_kind(G, kinds)
        if not found:
            raise InputError(f"--candidates {token}: the network has no node of kind {' or '.join(kinds)}")
        chosen.extend(found)
    return _unknown_check(G, list(dict.fromkeys(chosen)))


def _unknown_check(G: RoadGraph, chosen: list[str]) -> list[str]:
    unknown = [c for c in chosen if c not in G]
    if unknown:
        raise GraphError(f"candidate sites not in the graph: {', '.join(unknown[:10])}")
    return chosen


def _read_ids(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0] if text.strip() else ""
    if "," in first or first.strip() == "id":
        return [row["id"].strip() for row in csv.DictReader(text.splitlines()) if row.get("id", "").strip()]
    return [line.strip() for line in text.splitlines() if line.strip()]


def split_edge(G: RoadGraph, u: str, v: str, km_from_u: float, node: str, name: str | None = None) -> None:
    """Insert a new candidate site ``node`` on edge ``u``-``v``, ``km_from_u`` km from ``u`` (in place).

    The two halves keep the edge's corridors; coordinates are interpolated linearly when both ends
    have them (a schematic position, flagged by ``position="interpolated"``).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph(); G.add_edge("a", "b", length_km=200.0, corridors=["G1"])
    >>> G.graph["corridors"] = {"G1": ["a", "b"]}
    >>> split_edge(G, "a", "b", 80, "s1")
    >>> G.edges["a", "s1"]["length_km"], G.edges["s1", "b"]["length_km"], G.graph["corridors"]["G1"]
    (80.0, 120.0, ['a', 's1', 'b'])
    """
    if node in G:
        raise InputError(f"--add-candidate: node {node} already exists")
    if not G.has_edge(u, v):
        raise GraphError(f"--add-candidate: no edge {u}-{v}")
    data = G.edges[u, v]
    length_km = float(data["length_km"])
    if not 0 < km_from_u < length_km:
        raise InputError(
            f"--add-candidate {u}:{v}:{km_from_u:g}: the position must lie inside the edge "
            f"(0 to {length_km:g} km)"
        )
    t = km_from_u / length_km
    pu, pv = G.nodes[u], G.nodes[v]
    x = y = None
    if None not in (pu.get("x"), pu.get("y"), pv.get("x"), pv.get("y")):
        x = round(pu["x"] + t * (pv["x"] - pu["x"]), 6)
        y = round(pu["y"] + t * (pv["y"] - pu["y"]), 6)
    G.add_node(
        node,
        kind="service_area",
        weight=0.0,
        x=x,
        y=y,
        name=name or node,
        added=True,
        position="interpolated",
    )
    corridors = list(data.get("corridors") or [])
    G.remove_edge(u, v)
    G.add_edge(u, node, length_km=float(km_from_u), corridors=list(corridors))
    G.add_edge(node, v, length_km=length_km - float(km_from_u), corridors=list(corridors))
    for code, seq in G.graph.get("corridors", {}).items():
        G.graph["corridors"][code] = _insert_between(seq, u, v, node)


def _insert_between(seq: Sequence[str], u: str, v: str, node: str) -> list[str]:
    out = [seq[0]] if seq else []
    for a, b in zip(seq, seq[1:], strict=False):
        if {a, b} == {u, v}:
            out.append(node)
        out.append(b)
    return out


def add_candidates(G: RoadGraph, trips: Sequence[Trip], specs: Iterable[str]) -> tuple[list[Trip], list[str]]:
    """Apply ``--add-candidate`` specs: ``NODE`` (an existing node becomes a candidate) or
    ``U:V:KM[:NAME]`` (a new site KM km from U along edge U-V). Trip paths over a split edge get the
    new node inserted. Returns the trips and the added candidate ids (``G`` is changed in place).

    Examples
    --------
    >>> import networkx as nx
    >>> from siting.demand import trips_from_flows
    >>> G = nx.Graph(); G.add_edge("a", "b", length_km=200.0, corridors=[])
    >>> trips = trips_from_flows(G, [{"origin": "a", "destination": "b", "flow": 1}])
    >>> trips, added = add_candidates(G, trips, ["a:b:100:mid"])
    >>> added, trips[0].path
    (['a-b@100'], ('a', 'a-b@100', 'b'))
    """
    added: list[str] = []
    out = list(trips)
    # Several sites on one original edge: KM always counts from U along the original edge.
    chains: dict[frozenset[str], list[str]] = {}
    for spec in specs:
        parts = spec.split(":")
        if len(parts) == 1:
            if spec not in G:
                raise GraphError(f"--add-candidate {spec}: not a node of the graph")
            added.append(spec)
            continue
        if len(parts) not in (3, 4):
            raise InputError(f"--add-candidate {spec!r}: expected NODE or U:V:KM[:NAME], e.g. a:b:100")
        u, v = parts[0], parts[1]
        try:
            km = float(parts[2])
        except ValueError:
            raise InputError(f"--add-candidate {spec!r}: KM must be a number") from None
        chain = chains.setdefault(frozenset((u, v)), [u, v])
        if chain[0] != u:
            chain.reverse()
        a, b, km_from_a = _locate(G, chain, km, spec)
        node = f"{u}-{v}@{km:g}"
        split_edge(G, a, b, km_from_a, node, name=parts[3] if len(parts) == 4 else None)
        chain.insert(chain.index(b) if chain.index(b) > chain.index(a) else chain.index(a), node)
        out = [_reroute(trip, a, b, node) for trip in out]
        added.append(node)
    return out, added


def _locate(G: RoadGraph, chain: list[str], km: float, spec: str) -> tuple[str, str, float]:
    """The piece of an (already split) original edge that holds the point ``km`` from its start."""
    start = 0.0
    for a, b in zip(chain, chain[1:], strict=False):
        if not G.has_edge(a, b):
            raise GraphError(f"--add-candidate {spec}: no edge {a}-{b}")
        length_km = float(G.edges[a, b]["length_km"])
        if km < start + length_km or b == chain[-1]:
            return a, b, km - start
        start += length_km
    raise GraphError(f"--add-candidate {spec}: no edge {chain[0]}-{chain[-1]}")


def _reroute(trip: Trip, u: str, v: str, node: str) -> Trip:
    path = trip.path
    if not any({a, b} == {u, v} for a, b in zip(path, path[1:], strict=False)):
        return trip
    new_path = [path[0]]
    for a, b in zip(path, path[1:], strict=False):
        if {a, b} == {u, v}:
            new_path.append(node)
        new_path.append(b)
    return dataclasses.replace(trip, path=tuple(new_path))


class CandidateGap(TypedDict):
    """A stretch of road that no candidate site closes and the trips it cuts.

    ``kind`` is ``edge`` (one edge longer than the range), ``stretch`` (candidate-free stretch
    round the trips longer than the range) or ``no_candidate`` (no site on the trips' paths);
    ``length_km`` [km]; ``flow`` the summed flow of the ``trips`` it cuts.
    """

    kind: str
    from_node: str
    to_node: str
    length_km: float
    corridors: list[str]
    trips: int
    flow: float
    examples: list[str]
    hint: str
    from_name: str
    to_name: str


def candidate_gaps(inst: Instance, limit_examples: int = 5) -> list[CandidateGap]:
    """Group the unservable trips by the gap that cuts them, largest flow first.

    Examples
    --------
    >>> import networkx as nx
    >>> from siting.demand import trips_from_flows
    >>> from siting.models.instance import build_instance
    >>> G = nx.path_graph(["a", "b", "c"]); G.edges["a", "b"]["length_km"] = 50.0
    >>> G.edges["b", "c"]["length_km"] = 220.0
    >>> trips = trips_from_flows(G, [{"origin": "a", "destination": "c", "flow": 3}])
    >>> gap = candidate_gaps(build_instance(G, trips, 200, candidates=["a", "b", "c"]))[0]
    >>> gap["kind"], gap["from_node"], gap["to_node"], gap["length_km"], gap["flow"]
    ('edge', 'b', 'c', 220.0, 3.0)
    >>> gap["hint"]
    'add a candidate inside edge b-c, e.g. --add-candidate b:c:110'
    """
    G = inst.G
    sites = set(inst.candidates) | set(inst.existing)
    groups: dict[tuple[str, str, str], CandidateGap] = {}
    for q in inst.unservable:
        trip = inst.trips[q]
        kind, a, b, length_km = unservable_cause(G, trip, sites, inst.range_km)
        key = (kind, min(a, b), max(a, b))
        gap = groups.get(key)
        if gap is None:
            corridors = list(G.edges[a, b].get("corridors") or []) if kind == "edge" else []
            gap = groups[key] = {
                "kind": kind,
                "from_node": a,
                "to_node": b,
                "length_km": round(length_km, 3),
                "corridors": corridors,
                "trips": 0,
                "flow": 0.0,
                "examples": [],
                "hint": hint_text(kind, a, b, length_km),
                "from_name": _name(G, a),
                "to_name": _name(G, b),
            }
        gap["trips"] += 1
        gap["flow"] += trip.flow
        if len(gap["examples"]) < limit_examples:
            gap["examples"].append(trip.label)
    out = sorted(groups.values(), key=lambda g: (-g["flow"], g["from_node"], g["to_node"]))
    for gap in out:
        gap["flow"] = round(gap["flow"], 6)
    return out


def _name(G: RoadGraph, node: str) -> str:
    return str(G.nodes[node].get("name") or node)


def hint_text(
    kind: str, a: str, b: str, length_km: float, lang: str = "en", names: tuple[str, str] | None = None
) -> str:
    """What the planner can do about a gap (``en`` or ``zh``); ``names`` of a and b for the prose,
    the ids stay in the ``--add-candidate`` example.

    >>> hint_text("edge", "b", "c", 220.0, "zh")
    '在 b-c 路段中间增设候选站点，例如 --add-candidate b:c:110'
    """
    na, nb = names or (a, b)
    if lang == "zh":
        if kind == "edge":
            return f"在 {na}-{nb} 路段中间增设候选站点，例如 --add-candidate {a}:{b}:{round(length_km / 2):g}"
        if kind == "no_candidate":
            return f"{na} 与 {nb} 之间没有候选站点：用 --add-candidate NODE 或 U:V:KM 增设"
        return (
            f"往返途中 {na}->{nb} 段（{length_km:.1f} 公里）没有候选站点：用 --add-candidate NODE 或 "
            "U:V:KM 在该段增设"
        )
    if kind == "edge":
        return f"add a candidate inside edge {a}-{b}, e.g. --add-candidate {a}:{b}:{round(length_km / 2):g}"
    if kind == "no_candidate":
        return f"no candidate site lies between {a} and {b}: add one with --add-candidate NODE or U:V:KM"
    return (
        f"the round-trip stretch {a}->{b} ({length_km:g} km) has no candidate site: add one on it with "
        "--add-candidate NODE or U:V:KM"
    )
