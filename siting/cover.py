"""Minimum number (or cost) of stations refuelling every refuellable trip, and the trips none can."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from siting.models.exact import solve_cover
from siting.models.instance import Instance, PlanResult, unservable_cause

__all__ = ["UnservableTrip", "CoverReport", "min_cover", "unservable_trips"]


class UnservableTrip(TypedDict):
    """A trip no station set can refuel: its 1-based number, flow, one-way ``length_km`` [km], why."""

    trip: int
    origin: str
    destination: str
    flow: float
    length_km: float
    reason: str
    cause: str  # edge, no_candidate or stretch (siting.models.instance.unservable_cause)
    cause_from: str
    cause_to: str
    cause_km: float
    origin_name: str
    destination_name: str


@dataclass
class CoverReport:
    """A covering plan and the trips set aside (with the reason no station set can serve them)."""

    plan: PlanResult
    unservable: list[UnservableTrip] = field(default_factory=list)

    @property
    def unservable_flow(self) -> float:
        return float(sum(t["flow"] for t in self.unservable))


def unservable_trips(inst: Instance) -> list[UnservableTrip]:
    """Trips no station set drawn from the candidates can refuel, largest flow first."""
    sites = set(inst.candidates) | set(inst.existing)
    rows: list[UnservableTrip] = []
    for q, reason in inst.unservable.items():
        trip = inst.trips[q]
        kind, a, b, km = unservable_cause(inst.G, trip, sites, inst.range_km)
        rows.append(
            {
                "trip": q + 1,
                "origin": trip.origin,
                "destination": trip.destination,
                "flow": trip.flow,
                "length_km": round(trip.length_km, 3),
                "reason": reason,
                "cause": kind,
                "cause_from": a,
                "cause_to": b,
                "cause_km": round(km, 3),
                "origin_name": str(inst.G.nodes[trip.origin].get("name") or trip.origin),
                "destination_name": str(inst.G.nodes[trip.destination].get("name") or trip.destination),
            }
        )
    return sorted(rows, key=lambda r: (-r["flow"], r["trip"]))


def min_cover(inst: Instance, *, minimise: str = "count", time_limit_s: float | None = 60.0) -> CoverReport:
    """Fewest (or cheapest) new stations so that every servable trip is refuelled.

    Examples
    --------
    >>> import networkx as nx
    >>> from siting.demand import trips_from_flows
    >>> from siting.models.instance import build_instance
    >>> G = nx.path_graph(["a", "b", "c"]); G.edges["a", "b"]["length_km"] = 50.0
    >>> G.edges["b", "c"]["length_km"] = 400.0
    >>> trips = trips_from_flows(G, [{"origin": "a", "destination": "b", "flow": 2},
    ...                              {"origin": "a", "destination": "c", "flow": 1}])
    >>> report = min_cover(build_instance(G, trips, 300, candidates=list(G)))
    >>> len(report.plan.new_stations), report.unservable[0]["reason"]
    (1, 'edge b-c is 400 km, longer than the range 300 km')
    """
    return CoverReport(
        solve_cover(inst, minimise=minimise, time_limit_s=time_limit_s), unservable_trips(inst)
    )
