"""Station sizing: visits and energy per station from the trips it refuels, Erlang C queues.

Each refuelled round trip stops at stations by the "drive as far as the range allows" rule round
its cycle; a stop replenishes the energy for the distance to the next stop. Arrivals in the peak
hour are Poisson with rate ``lambda``; service times have mean ``T``; with ``c`` servers the
M/M/c (Erlang C) probability of waiting longer than ``t`` is ``C(c, a) exp(-(c - a) t / T)``,
``a = lambda T``. The smallest ``c`` keeping it at or below the bound is chosen.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass

from siting.demand import Trip
from siting.fuels import FuelProfile
from siting.graph import RoadGraph
from siting.queueing import erlang_c, prob_wait_longer, servers_needed
from siting.refuel import cycle_positions

__all__ = ["erlang_c", "prob_wait_longer", "servers_needed", "refuel_stops", "StationSize", "size_stations"]

_EPS = 1e-9


def refuel_stops(
    G: RoadGraph, path: Sequence[str], stations: Collection[str], range_km: float
) -> list[tuple[str, float]]:
    """Stops of a refuelled round trip and the distance each stop's fill must cover [km].

    The vehicle drives round the cycle from its first station visit and refuels at the last visit
    it can reach before running out (fewest stops). Returns ``[]`` if the trip is not refuelled.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(["a", "b", "c"]); nx.set_edge_attributes(G, 100.0, "length_km")
    >>> refuel_stops(G, ["a", "b", "c"], {"a", "b", "c"}, 250)
    [('a', 200.0), ('c', 200.0)]
    """
    nodes, dists, cycle_km = cycle_positions(G, path)
    visits = [i for i, n in enumerate(nodes) if n in stations]
    if not visits:
        return []
    pos = [dists[i] for i in visits] + [dists[i] + cycle_km for i in visits]
    stops: list[int] = [0]
    while True:
        here = stops[-1]
        nxt = here
        while nxt + 1 < len(pos) and pos[nxt + 1] - pos[here] <= range_km + _EPS:
            nxt += 1
        if pos[here] + range_km + _EPS >= pos[0] + cycle_km:
            break  # the tank reaches round to the first stop again
        if nxt == here:
            return []
        stops.append(nxt)
    out = []
    for j, s in enumerate(stops):
        end = pos[stops[j + 1]] if j + 1 < len(stops) else pos[0] + cycle_km
        out.append((nodes[visits[s % len(visits)]], end - pos[s]))
    return out


@dataclass
class StationSize:
    """Size of one station for one fuel.

    ``energy_per_day`` is in the fuel's unit (kWh or kg) per day; ``servers`` are chargers or
    dispensers; ``modules`` counts supply modules (hydrogen) or is None.
    """

    station: str
    visits_per_day: float
    energy_per_day: float
    unit: str
    peak_arrivals_per_h: float
    mean_service_min: float
    servers: int
    server_name: str
    utilisation: float
    p_wait_longer: float
    modules: int | None

    def to_dict(self) -> dict[str, float | int | str | None]:
        return asdict(self)


def size_stations(
    G: RoadGraph,
    trips: Sequence[Trip],
    stations: Sequence[str],
    fuel: FuelProfile,
    *,
    wait_target_min: float = 10.0,
    max_wait_prob: float = 0.05,
) -> list[StationSize]:
    """Chargers or dispensers per station so that P(wait > target) <= ``max_wait_prob``.

    Parameters
    ----------
    stations : sequence of str
        Open stations (existing and new).
    fuel : FuelProfile
        Range, consumption, delivery rate, adoption and peak-hour shares.
    wait_target_min : float
        Waiting-time target [min].
    max_wait_prob : float
        Bound on the probability of waiting longer than the target.

    Examples
    --------
    >>> from siting.fuels import fuel_profile
    >>> import networkx as nx
    >>> G = nx.path_graph(["a", "b"]); G.edges["a", "b"]["length_km"] = 100.0
    >>> trip = Trip("a", "b", 1000.0, ("a", "b"), 100.0)
    >>> s = size_stations(G, [trip], ["a"], fuel_profile("ev", adoption_share=0.1))[0]
    >>> s.visits_per_day, s.energy_per_day, s.servers
    (100.0, 4000.0, 9)
    """
    open_set = set(stations)
    visits = dict.fromkeys(stations, 0.0)
    energy = dict.fromkeys(stations, 0.0)
    for trip in trips:
        share = trip.flow * fuel.adoption_share
        for node, distance_km in refuel_stops(G, trip.path, open_set, fuel.range_km):
            visits[node] += share
            energy[node] += share * distance_km * fuel.consumption_per_km
    out = []
    for node in stations:
        per_visit = energy[node] / visits[node] if visits[node] > 0 else 0.0
        service_h = per_visit / fuel.server_rate_per_h + fuel.overhead_min / 60.0
        lam = visits[node] * fuel.peak_hour_share
        c = servers_needed(lam, service_h, wait_target_min / 60.0, max_wait_prob)
        modules = None
        if fuel.module_capacity_per_day:
            modules = max(1, math.ceil(energy[node] / fuel.module_capacity_per_day - _EPS))
        out.append(
            StationSize(
                station=node,
                visits_per_day=visits[node],
                energy_per_day=energy[node],
                unit=fuel.unit,
                peak_arrivals_per_h=lam,
                mean_service_min=service_h * 60.0,
                servers=c,
                server_name=fuel.server_name,
                utilisation=lam * service_h / c,
                p_wait_longer=prob_wait_longer(c, lam, service_h, wait_target_min / 60.0) if lam > 0 else 0.0,
                modules=modules,
            )
        )
    return out
