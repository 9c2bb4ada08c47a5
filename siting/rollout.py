"""Multi-period roll-out: stations opened year by year under a budget.

Each year keeps every station opened before and adds the set that maximises refuelled flow
within that year's budget (a myopic, year-by-year use of the exact model; it does not look ahead,
so a later year may wish an earlier choice had been different).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from siting.demand import Trip
from siting.graph import RoadGraph
from siting.models.exact import solve_max_flow
from siting.models.instance import PlanResult, build_instance
from siting.planning import drop_idle_stations

__all__ = ["RolloutStep", "rollout"]


@dataclass
class RolloutStep:
    """One period: its budget, the stations opened, and the plan with everything open so far."""

    period: int
    budget: float
    opened: list[str]
    spent: float
    plan: PlanResult


def rollout(
    G: RoadGraph,
    trips: Sequence[Trip],
    range_km: float,
    budgets: Iterable[float],
    *,
    candidates: Iterable[str] | None = None,
    existing: Iterable[str] = (),
    costs: Mapping[str, float] | None = None,
    time_limit_s: float | None = 60.0,
) -> list[RolloutStep]:
    """Open stations period by period, each period within its budget (in the units of ``costs``).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(["W3", "Y", "X", "Z", "W4"]); nx.set_edge_attributes(G, 1.0, "length_km")
    >>> from siting.demand import trips_from_flows
    >>> trips = trips_from_flows(G, [{"origin": "Y", "destination": "X", "flow": 5},
    ...     {"origin": "X", "destination": "Z", "flow": 5}, {"origin": "W3", "destination": "Y", "flow": 4}])
    >>> steps = rollout(G, trips, 10, [1, 1, 1], candidates=["X", "Y", "Z"])
    >>> [(s.opened, s.plan.covered_flow) for s in steps]
    [(['X'], 10.0), (['Y'], 14.0), ([], 14.0)]
    """
    cand = list(candidates) if candidates is not None else None
    open_now = list(existing)
    steps = []
    for period, budget in enumerate(budgets, start=1):
        inst = build_instance(G, trips, range_km, candidates=cand, existing=open_now, costs=costs)
        plan = solve_max_flow(inst, None, budget=float(budget), time_limit_s=time_limit_s)
        # With a budget and no count, the MILP is indifferent to stations that add no flow: drop them.
        opened = list(drop_idle_stations(inst, plan).new_stations)
        open_now = open_now + opened
        spent = float(sum(inst.costs[inst.candidates.index(s)] for s in opened))
        steps.append(RolloutStep(period, float(budget), opened, spent, plan))
    return steps
