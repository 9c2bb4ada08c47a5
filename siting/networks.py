"""Built-in networks: the 25-node test network and the Hunan expressway network.

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


class _ServiceArea(NamedTuple):
    id: str
    name: str
    listed_from: str  # the city its "between" columns name first: the order of the listing
    km: float | None  # km from ``listed_from`` where a source gives it


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
    """The Hunan expressway graph with its named service and parking areas as nodes on their expressway.

    A service area sits on the edge of its own expressway (G4 and G0421 both join 岳阳 and 长沙,
    each with its own areas). It is placed by its km from ``between_from`` where the data gives one,
    otherwise evenly between its neighbours in route order (approximate, flagged per row).
    Every area is a node of kind ``service_area`` with ``facility`` (service or parking area),
    ``has_chargers`` (all of them by end-2024), ``position_basis``, ``existing_bays`` with
    ``existing_bays_source`` (a per-site count where a source gives one, otherwise the province average,
    flagged as an assumption) and ``existing_chargers`` (None where no per-site count was found).
    Junction towns and border points (``junctions.csv``) are nodes of kind ``interchange``.
    """
    nodes: list[NodeRecord] = []
    names_en: dict[str, str] = {}
    coords: dict[str, tuple[float, float] | None] = {}
    for row in _read_csv("cities.csv"):
        pop = row["population_2020"]
        weight_m = float(pop) / 1e6 if pop else _ASSUMED_POP_M[row["id"]]
        lon, lat = float(row["lon"]), float(row["lat"])
        coords[row["id"]] = (lon, lat)
        nodes.append(
            {"id": row["id"], "kind": "city", "weight": weight_m, "x": lon, "y": lat, "name": row["name_zh"]}
        )
        names_en[row["id"]] = row["name_en"]
    # Junction towns and border points: interchanges without demand; a few border points have no coordinates.
    for row in _read_csv("junctions.csv"):
        xy = (float(row["lon"]), float(row["lat"])) if row["lat"] and row["lon"] else None
        coords[row["id"]] = xy
        nodes.append(
            {
                "id": row["id"],
                "kind": "interchange",
                "weight": 0.0,
                "x": xy[0] if xy else None,
                "y": xy[1] if xy else None,
                "name": row["name_zh"],
            }
        )
        names_en[row["id"]] = row["name_en"]
    roads = [
        (r["from"], r["to"], r["expressway_code"], float(r["length_km"])) for r in _read_csv("edges.csv")
    ]
    known = {(frozenset((u, v)), code) for u, v, code, _ in roads}
    areas: dict[tuple[frozenset[str], str], list[_ServiceArea]] = {}
    attrs: dict[str, dict[str, object]] = {}
    for i, row in enumerate(_read_csv("service_areas.csv"), start=1):
        a, b = row["between_from"], row["between_to"]
        key = (frozenset((a, b)), row["expressway_code"])
        if not a or not b or key not in known:
            continue  # unplaced, or outside the modelled network (see position_basis)
        sa_id = f"sa{i:02d}"
        km = float(row["km_from_between_from"]) if row["km_from_between_from"] else None
        areas.setdefault(key, []).append(_ServiceArea(sa_id, row["name_zh"], a, km))
        attrs[sa_id] = {
            "facility": row["facility"],
            "has_chargers": row["has_chargers_2024"].startswith("yes"),
            "position_basis": row["position_basis"],
            "expressway": row["expressway_code"],
            "existing_chargers": int(row["existing_chargers"]) if row["existing_chargers"] else None,
            "existing_chargers_source": row["existing_chargers_source"],
            "existing_bays": int(row["existing_bays"]),
            "existing_bays_source": row["existing_bays_source"],
        }
    edges: list[EdgeRecord] = []
    placed: dict[str, tuple[float | None, float | None]] = {}
    for u, v, code, length_km in roads:
        sas = areas.get((frozenset((u, v)), code), [])
        # Areas are listed in the direction of their own "between_from"; chain them from u.
        if sas and sas[0].listed_from != u:
            sas = [sa._replace(km=None if sa.km is None else length_km - sa.km) for sa in sas[::-1]]
        chain = [u, *(sa.id for sa in sas), v]
        km_at = _positions(length_km, [sa.km for sa in sas])
        for a, b, ka, kb in zip(chain, chain[1:], km_at, km_at[1:], strict=False):
            edges.append({"from": a, "to": b, "length_km": round(kb - ka, 3), "corridor": code})
        cu, cv = coords[u], coords[v]
        for sa, km in zip(sas, km_at[1:-1], strict=False):
            if cu is None or cv is None:
                placed[sa.id] = (None, None)  # an end without coordinates: the area has none either
                continue
            t = km / length_km
            placed[sa.id] = (round(cu[0] + t * (cv[0] - cu[0]), 5), round(cu[1] + t * (cv[1] - cu[1]), 5))
    for sas in areas.values():
        for sa in sas:
            sx, sy = placed[sa.id]
            nodes.append(
                {"id": sa.id, "kind": "service_area", "weight": 0.0, "x": sx, "y": sy, "name": sa.name}
            )
    G = build_graph(nodes, edges)
    for node, name_en in names_en.items():
        G.nodes[node]["name_en"] = name_en
    for node, extra in attrs.items():
        G.nodes[node].update(extra)
    return G


def _positions(length_km: float, anchors: list[float | None]) -> list[float]:
    """km from the start of an edge for its start, each area and its end: areas with a known km stay
    there; the others are spread evenly between their known neighbours.

    >>> _positions(100.0, [None, 60.0, None])
    [0.0, 30.0, 60.0, 80.0, 100.0]
    """
    km: list[float | None] = [0.0, *anchors, length_km]
    fixed = [i for i, k in enumerate(km) if k is not None]
    out = [0.0] * len(km)
    for i, j in zip(fixed, fixed[1:], strict=False):
        ki, kj = km[i], km[j]
        assert ki is not None and kj is not None
        for n in range(i, j + 1):
            out[n] = ki + (kj - ki) * (n - i) / (j - i)
    return out


def load_hunan(beta: float = 1.5) -> Dataset:
    """Hunan expressway network (junction towns, border points, service areas) with gravity demand
    between its 20 cities.

    Candidate sites are the service areas (``Dataset.candidates`` is None: the default choice);
    cities are the O-D centroids of the gravity demand and become candidates only when asked.

    Examples
    --------
    >>> ds = load_hunan()
    >>> sum(1 for _, k in ds.G.nodes(data="kind") if k == "city"), len(ds.trips)
    (20, 190)
    >>> import networkx as nx
    >>> round(nx.shortest_path_length(ds.G, "changsha", "chenzhou", weight="length_km"), 1)
    291.2
    """
    G = hunan_graph()
    trips = gravity_trips(G, beta=beta, scale=HUNAN_GRAVITY_SCALE)
    return Dataset(
        "hunan", G, trips, None, "Hunan expressway network (6,664 km; many lengths split or approximate)"
    )


BUILTIN: dict[str, Callable[[], Dataset]] = {"hunan": load_hunan, "25node": load_network25}


def load_builtin(name: str) -> Dataset:
    """Load a built-in network by name (``hunan`` or ``25node``)."""
    load = BUILTIN.get(name)
    if load is None:
        raise InputError(f"unknown built-in network {name!r}; choose one of {', '.join(BUILTIN)}")
    return load()
