"""Built-in networks: the 25-node test network and the Hunan expressway trunk network.

Sources and modelling choices are in ``siting/data/SOURCES.md``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from siting.demand import FlowRecord, Trip, gravity_trips, trips_from_flows
from siting.errors import InputError
from siting.graph import EdgeRecord, NodeRecord, RoadGraph, build_graph

__all__ = ["Dataset", "load_network25", "load_hunan", "load_builtin", "BUILTIN"]

# Assumed where the census gives no figure (see SOURCES.md); millions of people.
_ASSUMED_POP_M = {"liling": 1.0, "leiyang": 1.0}
HUNAN_GRAVITY_SCALE = 10_000.0
_BORDER_PREFIX = "湘"


class _ServiceArea(NamedTuple):
    id: str
    name: str
    listed_from: str  # the city its "between" columns name first: the order of the listing


@dataclass
class Dataset:
    """A ready network: graph, trips and the candidate sites it is meant to be planned with."""

    name: str
    G: RoadGraph
    trips: list[Trip]
    candidates: list[str] | None
    description: str


_DATA = Path(__file__).resolve().parent / "data"


def _data(*parts: str) -> Path:
    return _DATA.joinpath(*parts)


def load_network25(weights: str = "w4_32") -> Dataset:
    """The 25-node network with its 300 gravity O-D flows and fixed shortest paths.

    Examples
    --------
    >>> ds = load_network25()
    >>> ds.G.number_of_nodes(), ds.G.number_of_edges(), len(ds.trips)
    (25, 43, 300)
    >>> ds.trips[0].flow, ds.trips[0].path
    (512.5, ('1', '2'))
    """
    if weights not in ("w4_32", "w4_50"):
        raise InputError(f"weights must be 'w4_32' or 'w4_50', got {weights!r}")
    doc = json.loads(_data("network25", "network25.json").read_text(encoding="utf-8"))
    nodes = [
        {"id": str(n["id"]), "kind": "city", "weight": n[f"weight_{weights}"], "x": n["x"], "y": n["y"]}
        for n in doc["nodes"]
    ]
    edges = [{"from": str(e["u"]), "to": str(e["v"]), "length_km": e["length"]} for e in doc["edges"]]
    G = build_graph(nodes, edges)
    flows: list[FlowRecord] = []
    for key, flow in doc[f"od_flows_{weights}"].items():
        o, d = key.split("-")
        path = [str(n) for n in doc["shortest_paths_used"][key]["path"]]
        flows.append({"origin": o, "destination": d, "flow": flow, "path": path})
    # The classic test network is abstract: every node is a candidate site, as in Kuby & Lim (2005).
    return Dataset("25node", G, trips_from_flows(G, flows), list(G.nodes), doc["name"])


def _read_csv(name: str) -> list[dict[str, str]]:
    with _data("hunan", name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def hunan_graph() -> RoadGraph:
    """The Hunan trunk graph with service areas inserted on their edges (positions approximate)."""
    nodes: list[NodeRecord] = []
    names_en: dict[str, str] = {}
    coords: dict[str, tuple[float, float]] = {}
    for row in _read_csv("cities.csv"):
        pop = row["population_2020"]
        weight_m = float(pop) / 1e6 if pop else _ASSUMED_POP_M[row["id"]]
        coords[row["id"]] = (float(row["lon"]), float(row["lat"]))
        nodes.append(
            {
                "id": row["id"],
                "kind": "city",
                "weight": weight_m,
                "x": coords[row["id"]][0],
                "y": coords[row["id"]][1],
                "name": row["name_zh"],
            }
        )
        names_en[row["id"]] = row["name_en"]
    # One length per city pair: the shorter of parallel expressways (see SOURCES.md).
    pair_km: dict[frozenset[str], float] = {}
    pair_codes: dict[frozenset[str], list[tuple[str, str, str]]] = {}
    for row in _read_csv("edges.csv"):
        key = frozenset((row["from"], row["to"]))
        pair_km[key] = min(pair_km.get(key, float("inf")), float(row["length_km"]))
        pair_codes.setdefault(key, []).append((row["from"], row["to"], row["expressway_code"]))
    areas: dict[frozenset[str], list[_ServiceArea]] = {}
    for i, row in enumerate(_read_csv("service_areas.csv"), start=1):
        a, b = row["between_from"], row["between_to"]
        key = frozenset((a, b))
        if a.startswith(_BORDER_PREFIX) or b.startswith(_BORDER_PREFIX) or not b or key not in pair_km:
            continue  # outside the modelled network, or next to a city on an unknown side
        areas.setdefault(key, []).append(_ServiceArea(f"sa{i:02d}", row["name_zh"], a))
    edges: list[EdgeRecord] = []
    for key, length_km in pair_km.items():
        for u, v, code in pair_codes[key]:
            chain = [u]
            sas = areas.get(key, [])
            chain.extend(sa_id for sa_id, _, _ in sas)
            chain.append(v)
            # The service areas are listed in the direction of their own "between_from".
            if sas and sas[0].listed_from != u:
                chain[1:-1] = chain[1:-1][::-1]
            step_km = length_km / (len(chain) - 1)
            edges.extend(
                {"from": a, "to": b, "length_km": round(step_km, 3), "corridor": code}
                for a, b in zip(chain, chain[1:], strict=False)
            )
    for key, sas in areas.items():
        u, v = sorted(key)
        (x0, y0), (x1, y1) = coords[u], coords[v]
        ordered = sas if sas[0].listed_from == u else sas[::-1]
        for j, (sa_id, name, _) in enumerate(ordered, start=1):
            t = j / (len(sas) + 1)
            nodes.append(
                {
                    "id": sa_id,
                    "kind": "service_area",
                    "weight": 0.0,
                    "x": round(x0 + t * (x1 - x0), 5),
                    "y": round(y0 + t * (y1 - y0), 5),
                    "name": name,
                }
            )
    G = build_graph(nodes, edges)
    for node, name_en in names_en.items():
        G.nodes[node]["name_en"] = name_en
    return G


def load_hunan(beta: float = 1.5) -> Dataset:
    """Hunan expressway trunk network with gravity demand between its 20 cities.

    Candidate sites are the service areas (``Dataset.candidates`` is None: the default choice);
    cities are the O-D centroids of the gravity demand and become candidates only when asked.

    Examples
    --------
    >>> ds = load_hunan()
    >>> sum(1 for _, k in ds.G.nodes(data="kind") if k == "city"), len(ds.trips)
    (20, 190)
    >>> import networkx as nx
    >>> round(nx.shortest_path_length(ds.G, "changsha", "chenzhou", weight="length_km"), 1)
    348.1
    """
    G = hunan_graph()
    trips = gravity_trips(G, beta=beta, scale=HUNAN_GRAVITY_SCALE)
    return Dataset("hunan", G, trips, None, "Hunan expressway trunk network (sample, approximate lengths)")


BUILTIN: dict[str, Callable[[], Dataset]] = {"hunan": load_hunan, "25node": load_network25}


def load_builtin(name: str) -> Dataset:
    """Load a built-in network by name (``hunan`` or ``25node``)."""
    load = BUILTIN.get(name)
    if load is None:
        raise InputError(f"unknown built-in network {name!r}; choose one of {', '.join(BUILTIN)}")
    return load()
