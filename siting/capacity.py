"""Capacity planning of existing charging sites: bays to add for a target wait at the peak hour.

Most Hunan expressway service areas already have chargers (1,084 chargers, 1,975 bays at end-2024),
so EV planning there is mostly capacity planning. For each site:

1. **Flow passing**: every O-D round trip whose path runs through the site passes it once in each
   direction, so ``passing_per_day`` (both directions) is ``2 * sum(flow)`` over those trips
   (trip ends do not count: a trip that starts at a node does not drive past it).
2. **Charging arrivals**: ``passing * ev_share * stop_probability * design_day_factor`` per day;
   ``peak_hour_share`` of them arrive in the design hour.
3. **Queue**: a service area is a pair of facilities, one per carriageway (``sides``, 2 unless the
   node says otherwise); each side is its own M/M/c queue with half the arrivals and half the bays.
   Service time is ``energy_kwh / power_kw`` plus ``overhead_min`` (parking, plugging, paying).
4. **Bays needed**: the fewest per side whose mean wait is at most the target (or, when
   ``max_wait_prob`` is given, whose P(wait > target) is at most it), times ``sides``; bays to
   add are those above the existing ones (bays are never removed). Sides get the existing bays
   evenly, rounded down (11 bays: 5 a side for the queue).
5. **Grid**: installed power ``bays * power_kw`` [kW]; the connection needs
   ``kW * simultaneity / power_factor`` [kVA]; ``peak_draw_kw`` is the mean draw in the design hour
   (the energy the peak hour's arrivals take, in kWh per hour). A node's ``grid_kva`` gives the
   shortfall of its present connection.

A bay serves one vehicle at a time ("charger" below means a bay; a dual-connector pile is two).
Existing bays come from the node attribute ``existing_bays`` (source in ``existing_bays_source``);
a site without it gets :data:`DEFAULT_BAYS_PER_PAIR`, flagged as assumed. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from siting.demand import Trip
from siting.errors import GraphError, InputError
from siting.graph import RoadGraph
from siting.queueing import mean_wait_h, prob_wait_longer, servers_for_mean_wait, servers_needed

__all__ = [
    "DEFAULT_BAYS_PER_PAIR",
    "DEFAULT_BAYS_SOURCE",
    "is_assumed",
    "CapacityAssumptions",
    "SiteCapacity",
    "passing_flows",
    "plan_capacity",
    "capacity_totals",
]

# 1,975 charging bays in 182.5 pairs of service and parking areas at end-2024 (湖南省交通运输厅,
# see siting/data/hunan/facts.md and README.md): 10.8 a pair, rounded to 11 (the same assumption
# as the Hunan data's existing_bays where no per-site count was found).
DEFAULT_BAYS_PER_PAIR = 11
# Beyond this offered load a side is not a service area but a data error (and Erlang C would loop long).
MAX_OFFERED_LOAD = 10_000
DEFAULT_BAYS_SOURCE = "assumed: provincial mean 1,975 bays / 182.5 pairs (end-2024) = 10.8, rounded"


@dataclass(frozen=True)
class CapacityAssumptions:
    """Inputs of the capacity plan; every default is an indicative figure, each overridable.

    Attributes
    ----------
    ev_share : float
        Share of the passing vehicles that are EVs (default 0.15, the EV profile's adoption share).
    stop_probability : float
        Share of the passing EVs that charge at a given site (default 0.10: about one area in ten
        on a long trip, with areas some 50 km apart and 400-500 km between charges).
    peak_hour_share : float
        Share of a day's charging arrivals in the design hour (default 0.12).
    design_day_factor : float
        Design day over an average day (holiday peaks; default 1.0, an average day).
    energy_kwh : float
        Mean energy per charging session [kWh] (default 30).
    power_kw : float
        Mean delivered power per bay [kW] (default 120; Hunan's minimum fast charger is 60 kW).
    overhead_min : float
        Time per session besides charging [min] (default 5).
    target_wait_min : float
        Target wait [min]: the mean wait, or the threshold of ``max_wait_prob`` (default 10).
    max_wait_prob : float or None
        When given, size for P(wait > target) <= this instead of the mean wait.
    power_factor : float
        kW per kVA of the connection (default 0.95).
    simultaneity : float
        Share of the installed power the connection must carry at once (default 1.0: all bays).
    default_bays : int
        Existing bays of a site without ``existing_bays`` (default :data:`DEFAULT_BAYS_PER_PAIR`).
    """

    ev_share: float = 0.15
    stop_probability: float = 0.10
    peak_hour_share: float = 0.12
    design_day_factor: float = 1.0
    energy_kwh: float = 30.0
    power_kw: float = 120.0
    overhead_min: float = 5.0
    target_wait_min: float = 10.0
    max_wait_prob: float | None = None
    power_factor: float = 0.95
    simultaneity: float = 1.0
    default_bays: int = DEFAULT_BAYS_PER_PAIR

    def __post_init__(self) -> None:
        shares = ("ev_share", "stop_probability", "peak_hour_share")
        for name in shares:
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise InputError(f"{name} must be in [0, 1], got {value:g}")
        positive = ("design_day_factor", "energy_kwh", "power_kw", "target_wait_min", "power_factor")
        for name in positive:
            value = getattr(self, name)
            if not 0 < value < math.inf:
                raise InputError(f"{name} must be positive, got {value:g}")
        if self.power_factor > 1:
            raise InputError(f"power_factor must be in (0, 1], got {self.power_factor:g}")
        if not 0 < self.simultaneity <= 1:
            raise InputError(f"simultaneity must be in (0, 1], got {self.simultaneity:g}")
        if self.overhead_min < 0:
            raise InputError(f"overhead_min must not be negative, got {self.overhead_min:g}")
        if self.max_wait_prob is not None and not 0 < self.max_wait_prob < 1:
            raise InputError(f"max_wait_prob must be in (0, 1), got {self.max_wait_prob:g}")
        if self.default_bays < 0:
            raise InputError(f"default_bays must not be negative, got {self.default_bays}")

    @property
    def service_h(self) -> float:
        """Mean time a vehicle holds a bay [h]."""
        return self.energy_kwh / self.power_kw + self.overhead_min / 60.0

    def with_overrides(self, **changes: Any) -> CapacityAssumptions:
        """A copy with the given fields replaced (None values keep the default)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


@dataclass
class SiteCapacity:
    """The capacity plan of one site (both sides together unless a field says per side)."""

    site: str
    name: str
    name_en: str | None
    kind: str | None
    x: float | None
    y: float | None
    sides: int
    passing_per_day: float
    charging_per_day: float
    peak_arrivals_per_h_side: float
    service_min: float
    offered_load_side: float
    bays_existing: int
    bays_existing_source: str
    wait_existing_min: float | None  # mean wait with the existing bays; None: the queue overflows
    bays_needed: int
    bays_to_add: int
    wait_planned_min: float
    p_wait_longer_planned: float
    utilisation_planned: float
    installed_kw_needed: float
    added_kw: float
    grid_kva_needed: float
    added_kva: float
    peak_draw_kw: float
    grid_kva_existing: float | None
    grid_kva_shortfall: float | None

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def is_assumed(source: str) -> bool:
    """Whether an ``existing_bays_source`` says the count is an assumption, not a per-site figure.

    >>> is_assumed(DEFAULT_BAYS_SOURCE), is_assumed("Assumption: province average"), is_assumed("survey")
    (True, True, False)
    """
    return "assum" in source.lower()


def passing_flows(
    G: RoadGraph, trips: Iterable[Trip], sites: Iterable[str] | None = None
) -> dict[str, float]:
    """Vehicles per day passing each site, both directions (2 x the round trips through it).

    Examples
    --------
    >>> import networkx as nx
    >>> from siting.demand import trips_from_flows
    >>> G = nx.path_graph(["a", "s", "b", "c"]); nx.set_edge_attributes(G, 10.0, "length_km")
    >>> trips = trips_from_flows(G, [{"origin": "a", "destination": "c", "flow": 100},
    ...                              {"origin": "s", "destination": "b", "flow": 7}])
    >>> passing_flows(G, trips, ["s", "b"])
    {'s': 200.0, 'b': 200.0}
    """
    wanted = set(G.nodes if sites is None else sites)
    out = dict.fromkeys(sorted(wanted, key=list(G.nodes).index), 0.0)
    for trip in trips:
        for node in set(trip.path[1:-1]) & wanted:
            out[node] += 2.0 * trip.flow
    return out


def _existing_bays(G: RoadGraph, node: str, default: int) -> tuple[int, str]:
    data = G.nodes[node]
    raw = data.get("existing_bays")
    if raw is None or raw == "":
        return default, DEFAULT_BAYS_SOURCE
    try:
        bays = float(raw)
    except (TypeError, ValueError):
        raise InputError(f"node {node}: existing_bays must be a whole number, got {raw!r}") from None
    if bays < 0 or bays != int(bays):
        raise InputError(f"node {node}: existing_bays must be a whole number >= 0, got {raw!r}")
    return int(bays), str(data.get("existing_bays_source") or "node attribute existing_bays")


def _sides(G: RoadGraph, node: str) -> int:
    data = G.nodes[node]
    raw = data.get("sides")
    if raw is None or raw == "":
        return 2 if data.get("kind") == "service_area" else 1
    try:
        sides = int(float(raw))
    except (TypeError, ValueError):
        raise InputError(f"node {node}: sides must be 1 or 2, got {raw!r}") from None
    if sides not in (1, 2):
        raise InputError(f"node {node}: sides must be 1 or 2, got {raw!r}")
    return sides


def _opt_float(G: RoadGraph, node: str, key: str) -> float | None:
    raw = G.nodes[node].get(key)
    if raw is None or raw == "":
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise InputError(f"node {node}: {key} must be a number, got {raw!r}") from None


def plan_capacity(
    G: RoadGraph,
    trips: Sequence[Trip],
    sites: Sequence[str] | None = None,
    assumptions: CapacityAssumptions | None = None,
) -> list[SiteCapacity]:
    """Bays needed at each site for the target wait at the peak hour, and the grid capacity.

    Parameters
    ----------
    G : networkx.Graph
        Node attributes read: ``existing_bays``, ``existing_bays_source``, ``sides``, ``grid_kva``.
    trips : sequence of Trip
        Round trips per day with their paths (the forecast flows).
    sites : sequence of str, optional
        Sites to plan; default every node of kind ``service_area``.

    Examples
    --------
    >>> import networkx as nx
    >>> from siting.demand import trips_from_flows
    >>> G = nx.path_graph(["a", "s", "b"]); nx.set_edge_attributes(G, 50.0, "length_km")
    >>> G.nodes["s"].update(kind="service_area", existing_bays=4)
    >>> trips = trips_from_flows(G, [{"origin": "a", "destination": "b", "flow": 5000}])
    >>> r = plan_capacity(G, trips)[0]
    >>> r.passing_per_day, r.charging_per_day, round(r.peak_arrivals_per_h_side, 1)
    (10000.0, 150.0, 9.0)
    >>> r.bays_existing, r.wait_existing_min, r.bays_needed, r.bays_to_add, r.installed_kw_needed
    (4, None, 10, 6, 1200.0)
    """
    a = assumptions or CapacityAssumptions()
    if sites is None:
        sites = [n for n, data in G.nodes(data=True) if data.get("kind") == "service_area"]
        if not sites:
            raise GraphError("the network has no service_area nodes: name the sites to plan")
    unknown = [s for s in sites if s not in G]
    if unknown:
        raise GraphError(f"sites not in the graph: {', '.join(unknown[:10])}")
    flows = passing_flows(G, trips, sites)
    service_h = a.service_h
    wait_h = a.target_wait_min / 60.0
    out: list[SiteCapacity] = []
    for node in sites:
        data = G.nodes[node]
        sides = _sides(G, node)
        existing, source = _existing_bays(G, node, a.default_bays)
        passing = flows[node]
        charging = passing * a.ev_share * a.stop_probability * a.design_day_factor
        lam = charging * a.peak_hour_share / sides  # per side, per hour
        load = lam * service_h
        if not load <= MAX_OFFERED_LOAD:
            raise InputError(
                f"site {node}: {load:.3g} Erlang of charging at the peak hour a side (more than "
                f"{MAX_OFFERED_LOAD:,} bays busy): check the flows' unit (round trips per day)"
            )
        if a.max_wait_prob is None:
            per_side = servers_for_mean_wait(lam, service_h, wait_h)
        else:
            per_side = servers_needed(lam, service_h, wait_h, a.max_wait_prob)
        needed = max(per_side * sides, existing)  # never plan to remove bays
        per_side_planned = needed // sides
        existing_side = existing // sides
        wait_existing = mean_wait_h(existing_side, lam, service_h) if existing_side > 0 else math.inf
        if lam <= 0:
            wait_existing = 0.0
        installed = needed * a.power_kw
        kva = installed * a.simultaneity / a.power_factor
        kva_existing = existing * a.power_kw * a.simultaneity / a.power_factor
        grid_kva = _opt_float(G, node, "grid_kva")
        out.append(
            SiteCapacity(
                site=node,
                name=str(data.get("name") or node),
                name_en=data.get("name_en"),
                kind=data.get("kind"),
                x=data.get("x"),
                y=data.get("y"),
                sides=sides,
                passing_per_day=passing,
                charging_per_day=charging,
                peak_arrivals_per_h_side=lam,
                service_min=service_h * 60.0,
                offered_load_side=load,
                bays_existing=existing,
                bays_existing_source=source,
                wait_existing_min=None if math.isinf(wait_existing) else wait_existing * 60.0,
                bays_needed=needed,
                bays_to_add=needed - existing,
                wait_planned_min=mean_wait_h(per_side_planned, lam, service_h) * 60.0,
                p_wait_longer_planned=prob_wait_longer(per_side_planned, lam, service_h, wait_h)
                if lam > 0
                else 0.0,
                utilisation_planned=load / per_side_planned,
                installed_kw_needed=installed,
                added_kw=(needed - existing) * a.power_kw,
                grid_kva_needed=kva,
                added_kva=kva - kva_existing,
                peak_draw_kw=sides * lam * a.energy_kwh,
                grid_kva_existing=grid_kva,
                grid_kva_shortfall=None if grid_kva is None else max(0.0, kva - grid_kva),
            )
        )
    return out


def capacity_totals(rows: Sequence[SiteCapacity]) -> dict[str, float | int]:
    """Province (network) totals of a capacity plan.

    Examples
    --------
    >>> capacity_totals([])["sites"]
    0
    """
    return {
        "sites": len(rows),
        "sites_needing_bays": sum(1 for r in rows if r.bays_to_add > 0),
        "bays_existing": sum(r.bays_existing for r in rows),
        "sites_with_assumed_bays": sum(1 for r in rows if is_assumed(r.bays_existing_source)),
        "bays_needed": sum(r.bays_needed for r in rows),
        "bays_to_add": sum(r.bays_to_add for r in rows),
        "added_kw": round(sum(r.added_kw for r in rows), 3),
        "added_kva": round(sum(r.added_kva for r in rows), 3),
        "grid_kva_needed": round(sum(r.grid_kva_needed for r in rows), 3),
    }
