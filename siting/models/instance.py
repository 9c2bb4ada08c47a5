"""A flow-refuelling instance: trips, candidate sites, arc-cover sets, and the plan result type.

The instance is built once (the expensive path/arc work) and then solved for many ``p`` by the
exact MILP or the heuristic, which both read the same flat arrays.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from siting.demand import Trip
from siting.errors import GraphError, RangeError
from siting.graph import RoadGraph
from siting.refuel import arc_cover_sets, longest_stretch

__all__ = [
    "Instance",
    "PlanResult",
    "BoolArray",
    "FloatArray",
    "IndexArray",
    "build_instance",
    "default_candidates",
    "unservable_reason",
    "unservable_cause",
    "reason_text",
]

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.int64]


@dataclass
class Instance:
    """Prepared data for the flow-refuelling models.

    Attributes
    ----------
    candidates : list of str
        Sites that may be opened (existing stations excluded); column ``k`` of the arrays.
    existing : tuple of str
        Stations already open; always counted as open.
    costs : numpy.ndarray
        Cost of opening each candidate (1.0 each unless given).
    trip_flow : numpy.ndarray
        Flow of each trip.
    base_covered : numpy.ndarray of bool
        Trips already refuelled by the existing stations alone.
    unservable : dict
        Trip index -> reason, for trips no station set can refuel.
    row_trip, row_ptr, row_cand : numpy.ndarray
        The open arc-cover sets in CSR form: row ``r`` belongs to trip ``row_trip[r]`` and holds
        candidate columns ``row_cand[row_ptr[r]:row_ptr[r+1]]``.
    """

    G: RoadGraph
    trips: list[Trip]
    range_km: float
    candidates: list[str]
    existing: tuple[str, ...]
    costs: FloatArray
    trip_flow: FloatArray
    base_covered: BoolArray
    unservable: dict[int, str]
    row_trip: IndexArray
    row_ptr: IndexArray
    row_cand: IndexArray

    @property
    def total_flow(self) -> float:
        return float(self.trip_flow.sum())

    @property
    def base_flow(self) -> float:
        """Flow refuelled by the existing stations alone."""
        return float(self.trip_flow[self.base_covered].sum())

    def covered_trips(self, stations: Collection[str]) -> BoolArray:
        """Boolean mask of trips refuelled when ``stations`` (plus the existing ones) are open."""
        is_open = np.array([c in stations for c in self.candidates] + [False], dtype=bool)
        hit = np.zeros(len(self.row_trip), dtype=bool)
        if len(self.row_cand):
            np.logical_or.at(
                hit, np.repeat(np.arange(len(self.row_trip)), np.diff(self.row_ptr)), is_open[self.row_cand]
            )
        missing = np.bincount(self.row_trip[~hit], minlength=len(self.trips))
        covered: BoolArray = (missing == 0) & self.servable
        return covered

    @property
    def servable(self) -> BoolArray:
        mask = np.ones(len(self.trips), dtype=bool)
        mask[list(self.unservable)] = False
        return mask


@dataclass
class PlanResult:
    """Outcome of a siting model.

    ``stations`` lists every open site (existing first, then new ones in the order chosen or
    sorted); ``gap`` is the relative MIP gap ``(bound - covered) / bound`` when a bound is known.
    """

    status: str
    method: str
    stations: list[str]
    new_stations: list[str]
    existing: list[str]
    covered_flow: float
    total_flow: float
    gap: float | None
    bound_flow: float | None
    solve_time_s: float
    p: int | None = None
    cost: float | None = None
    covered: list[int] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def covered_flow_pct(self) -> float:
        return 100.0 * self.covered_flow / self.total_flow if self.total_flow > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "method": self.method,
            "p": self.p,
            "stations": self.stations,
            "new_stations": self.new_stations,
            "existing": self.existing,
            "covered_flow": round(self.covered_flow, 6),
            "total_flow": round(self.total_flow, 6),
            "covered_flow_pct": round(self.covered_flow_pct, 4),
            "gap": None if self.gap is None else round(self.gap, 8),
            "bound_flow": None if self.bound_flow is None else round(self.bound_flow, 6),
            "cost": self.cost,
            "solve_time_s": round(self.solve_time_s, 4),
            **self.extra,
        }


def default_candidates(G: RoadGraph) -> list[str]:
    """The service areas: cities are trip ends, not buildable sites, unless a caller names them."""
    areas = [n for n, data in G.nodes(data=True) if data.get("kind") == "service_area"]
    if not areas:
        raise GraphError(
            "the network has no service_area nodes, and cities are not candidate sites unless asked: "
            "pass the candidate sites explicitly"
        )
    return areas


def unservable_cause(
    G: RoadGraph, trip: Trip, sites: Collection[str], range_km: float
) -> tuple[str, str, str, float]:
    """Why no station set drawn from ``sites`` can refuel ``trip``: ``(kind, a, b, km)`` with kind
    ``edge`` (edge a-b longer than the range), ``no_candidate`` (no site on the path from a to b)
    or ``stretch`` (the candidate-free stretch a->b round the trip is longer than the range)."""
    for u, v in zip(trip.path, trip.path[1:], strict=False):
        length_km = float(G.edges[u, v]["length_km"])
        if length_km > range_km:
            return "edge", u, v, length_km
    stretch = longest_stretch(G, trip.path, sites)
    if stretch.from_node is None or stretch.to_node is None:
        return "no_candidate", trip.origin, trip.destination, trip.length_km
    return "stretch", stretch.from_node, stretch.to_node, stretch.length_km


def reason_text(kind: str, a: str, b: str, km: float, range_km: float, lang: str = "en") -> str:
    """A cause of :func:`unservable_cause` in words (``en`` or ``zh``); ``a``, ``b`` as given.

    >>> reason_text("edge", "b", "c", 220, 200), reason_text("edge", "b", "c", 220, 200, "zh")
    ('edge b-c is 220 km, longer than the range 200 km', '路段 b-c 长 220 公里，超过续驶里程 200 公里')
    """
    if lang == "zh":
        if kind == "edge":
            return f"路段 {a}-{b} 长 {km:g} 公里，超过续驶里程 {range_km:g} 公里"
        if kind == "no_candidate":
            return "路径上没有候选站点"
        return f"即使所有候选站点都建站，往返途中 {a}->{b} 段仍长 {km:g} 公里，超过续驶里程 {range_km:g} 公里"
    if kind == "edge":
        return f"edge {a}-{b} is {km:g} km, longer than the range {range_km:g} km"
    if kind == "no_candidate":
        return "no candidate site lies on its path"
    return (
        f"even with every candidate site open, the stretch {a}->{b} "
        f"round the trip is {km:g} km, longer than the range {range_km:g} km"
    )


def unservable_reason(G: RoadGraph, trip: Trip, sites: Collection[str], range_km: float) -> str:
    """Why no station set drawn from ``sites`` can refuel ``trip`` (plain English, names nodes)."""
    return reason_text(*unservable_cause(G, trip, sites, range_km), range_km)


def build_instance(
    G: RoadGraph,
    trips: Sequence[Trip],
    range_km: float,
    *,
    candidates: Iterable[str] | None = None,
    existing: Iterable[str] = (),
    costs: Mapping[str, float] | None = None,
    refuse_unservable: bool = False,
) -> Instance:
    """Prepare trips and candidate sites for the models.

    Parameters
    ----------
    G : networkx.Graph
    trips : sequence of Trip
    range_km : float
        Vehicle range on a full tank [km].
    candidates : iterable of str, optional
        Sites that may be opened; default :func:`default_candidates`.
    existing : iterable of str
        Stations already open (kept open; they do not count against ``p``).
    costs : mapping, optional
        Cost of opening each candidate; default 1.0.
    refuse_unservable : bool
        Raise :class:`RangeError` naming the trips that cross an edge longer than the range,
        instead of setting them aside in ``Instance.unservable``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(["a", "b", "c"]); nx.set_edge_attributes(G, 10.0, "length_km")
    >>> from siting.demand import trips_from_flows
    >>> trips = trips_from_flows(G, [{"origin": "a", "destination": "c", "flow": 5}])
    >>> inst = build_instance(G, trips, 20, candidates=["a", "b", "c"])
    >>> inst.covered_trips({"b"}).tolist(), inst.covered_trips({"a"}).tolist()
    ([True], [False])
    """
    if not range_km > 0:
        raise RangeError(f"range_km must be positive, got {range_km}")
    existing_t = tuple(dict.fromkeys(str(s) for s in existing))
    cand_list = list(
        dict.fromkeys(str(c) for c in (default_candidates(G) if candidates is None else candidates))
    )
    for node in list(existing_t) + cand_list:
        if node not in G:
            raise GraphError(f"station or candidate site {node} is not a node of the graph")
    cand_list = [c for c in cand_list if c not in set(existing_t)]
    col = {c: k for k, c in enumerate(cand_list)}
    sites = set(cand_list) | set(existing_t)
    exist = set(existing_t)

    if refuse_unservable:
        _refuse_long_edges(G, trips, range_km)
    unservable: dict[int, str] = {}
    base = np.zeros(len(trips), dtype=bool)
    row_trip: list[int] = []
    row_ptr: list[int] = [0]
    row_cand: list[int] = []
    for q, trip in enumerate(trips):
        sets = arc_cover_sets(G, trip.path, sites, range_km)
        if sets == [frozenset()]:
            unservable[q] = unservable_reason(G, trip, sites, range_km)
            continue
        open_sets = [s for s in sets if not (s & exist)]
        if not open_sets:
            base[q] = True
        for s in open_sets:
            row_trip.append(q)
            row_cand.extend(sorted(col[c] for c in s))
            row_ptr.append(len(row_cand))
    cost_arr = np.array([float((costs or {}).get(c, 1.0)) for c in cand_list], dtype=float)
    return Instance(
        G=G,
        trips=list(trips),
        range_km=float(range_km),
        candidates=cand_list,
        existing=existing_t,
        costs=cost_arr,
        trip_flow=np.array([t.flow for t in trips], dtype=float),
        base_covered=base,
        unservable=unservable,
        row_trip=np.array(row_trip, dtype=np.int64),
        row_ptr=np.array(row_ptr, dtype=np.int64),
        row_cand=np.array(row_cand, dtype=np.int64),
    )


def _refuse_long_edges(G: RoadGraph, trips: Sequence[Trip], range_km: float) -> None:
    problems = []
    for q, trip in enumerate(trips, start=1):
        for u, v in zip(trip.path, trip.path[1:], strict=False):
            length_km = float(G.edges[u, v]["length_km"])
            if length_km > range_km:
                problems.append(f"trip {q} ({trip.label}) crosses edge {u}-{v} of {length_km:g} km")
                break
    if problems:
        more = f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise RangeError(
            f"the range {range_km:g} km is shorter than an edge these trips must cross: "
            + "; ".join(problems[:10])
            + more
        )
