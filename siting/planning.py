"""Plan stations: choose the method, run coverage curves. The glue between models and the CLI.

A curve is solved incrementally: the MILP is built once, and each ``p`` is warm-started from the
better of the heuristic for ``p`` and the plan for ``p - 1`` extended greedily by one site. Each
solve stops once its gap is certified below ``gap_target``; a point that is not certified says so
plainly, and says when the exact search did no better than the heuristic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from siting.errors import InputError, SitingError
from siting.models.exact import MaxFlowModel
from siting.models.heuristic import greedy_max_flow
from siting.models.instance import Instance, PlanResult

__all__ = ["VERDICTS", "plan_stations", "coverage_curve", "check_station_count", "drop_idle_stations"]

# How far a result is from proven: each point of a curve carries one of these.
VERDICTS = ("optimal", "within_gap", "improved_not_certified", "no_better_than_heuristic", "heuristic")

_EXACT_GAP = 1e-6

# on_progress(seconds into the current MILP solve, its gap or None): for progress bars.
Progress = Callable[[float, float | None], None]


def check_station_count(inst: Instance, p: int, what: str = "--stations") -> None:
    """Refuse ``p`` below 0 or above the number of candidate sites, naming the count."""
    if p < 0:
        raise SitingError(f"the number of stations must not be negative, got {p}")
    n = len(inst.candidates)
    if p > n:
        raise InputError(
            f"{what} {p} asks for more new stations than there are candidate sites ({n} candidates"
            f"{f', {len(inst.existing)} existing stations besides' if inst.existing else ''}): "
            f"ask for at most {n}, or add candidates with --candidates or --add-candidate"
        )


def plan_stations(
    inst: Instance,
    p: int | None,
    *,
    method: str = "exact",
    time_limit_s: float | None = 60.0,
    gap_target: float = _EXACT_GAP,
    budget: float | None = None,
    on_progress: Progress | None = None,
) -> PlanResult:
    """Maximum refuelled flow with ``p`` new stations.

    ``exact`` solves the ACPC MILP warm-started from the heuristic (so a time-limited run always
    has a good incumbent and reports its gap) and stops once the gap is certified below
    ``gap_target``; ``heuristic`` runs greedy plus swaps only. ``extra["verdict"]`` is one of
    :data:`VERDICTS`. With a ``budget`` (money, in the units of ``inst.costs``) the new stations'
    summed cost stays within it and ``p`` becomes an upper bound (None: as many as it affords);
    stations that add no flow are dropped.

    Examples
    --------
    >>> from siting.networks import load_network25
    >>> from siting.models.instance import build_instance
    >>> ds = load_network25()
    >>> inst = build_instance(ds.G, ds.trips, 12.0, candidates=list(ds.G))
    >>> r, h = plan_stations(inst, 3), plan_stations(inst, 3, method="heuristic")
    >>> r.status, h.status, r.covered_flow >= h.covered_flow, r.extra["verdict"]
    ('optimal', 'feasible', True, 'optimal')
    >>> plan_stations(inst, 30)
    Traceback (most recent call last):
    ...
    siting.errors.InputError: --stations 30 asks for more new stations than there are candidate sites \
(25 candidates): ask for at most 25, or add candidates with --candidates or --add-candidate
    """
    if method not in ("exact", "heuristic"):
        raise SitingError(f"method must be exact or heuristic, got {method!r}")
    if budget is not None:
        return _budget_plan(inst, p, budget, method, time_limit_s, gap_target, on_progress)
    if p is None:
        raise SitingError("give the number of stations p, or a budget")
    check_station_count(inst, p)
    heuristic = greedy_max_flow(inst, p, time_limit_s=time_limit_s)
    if method == "heuristic":
        heuristic.extra["verdict"] = "heuristic"
        return heuristic
    model = MaxFlowModel(inst, mip_rel_gap=gap_target)
    return _exact_point(model, p, heuristic, None, time_limit_s, gap_target, on_progress)


def _budget_plan(
    inst: Instance,
    p: int | None,
    budget: float,
    method: str,
    time_limit_s: float | None,
    gap_target: float,
    on_progress: Progress | None,
) -> PlanResult:
    if not 0 <= budget < float("inf"):
        raise InputError(f"--budget must be a non-negative number, got {budget:g}")
    if p is not None:
        check_station_count(inst, p)
    heuristic = greedy_max_flow(inst, p, time_limit_s=time_limit_s, budget=budget)
    if method == "heuristic":
        heuristic.extra["verdict"] = "heuristic"
        return heuristic
    model = MaxFlowModel(inst, budget=budget, mip_rel_gap=gap_target)
    exact = model.solve(p, time_limit_s=time_limit_s, initial=heuristic.new_stations, on_progress=on_progress)
    if exact.status not in ("optimal", "feasible") or exact.covered_flow < heuristic.covered_flow:
        exact = _with_bound(heuristic, exact.bound_flow)
    exact = drop_idle_stations(inst, exact)
    exact.extra.update(
        {
            "budget": budget,
            "heuristic_covered_flow": round(heuristic.covered_flow, 6),
            "gap_target": gap_target,
            "verdict": _verdict(exact, heuristic, gap_target),
        }
    )
    return exact


def drop_idle_stations(inst: Instance, plan: PlanResult) -> PlanResult:
    """Drop new stations whose removal loses no flow (a budget leaves the MILP indifferent to them).

    Examples
    --------
    >>> import networkx as nx
    >>> from siting.demand import trips_from_flows
    >>> from siting.models.instance import build_instance
    >>> G = nx.path_graph(["a", "b", "c"]); nx.set_edge_attributes(G, 10.0, "length_km")
    >>> inst = build_instance(G, trips_from_flows(G, [{"origin": "a", "destination": "b", "flow": 1}]),
    ...                       30, candidates=["a", "b", "c"])
    >>> plan = greedy_max_flow(inst, 2)
    >>> plan.new_stations, drop_idle_stations(inst, plan).new_stations
    (['a', 'b'], ['b'])
    """
    kept = list(plan.new_stations)
    for site in list(kept):
        rest = [s for s in kept if s != site]
        if inst.trip_flow[inst.covered_trips(rest)].sum() >= plan.covered_flow - 1e-9:
            kept = rest
    if kept == plan.new_stations:
        return plan
    plan.new_stations = kept
    plan.stations = list(plan.existing) + kept
    plan.cost = float(sum(inst.costs[inst.candidates.index(c)] for c in kept))
    plan.covered = [int(q) for q in np.flatnonzero(inst.covered_trips(kept))]
    plan.p = len(kept)
    return plan


def coverage_curve(
    inst: Instance,
    ps: Iterable[int],
    *,
    method: str = "exact",
    time_limit_s: float | None = 60.0,
    gap_target: float = _EXACT_GAP,
    on_step: Callable[[int, PlanResult], None] | None = None,
    on_progress: Progress | None = None,
) -> list[PlanResult]:
    """Plans for each ``p`` in ``ps`` (the coverage-versus-stations curve), in increasing ``p``.

    ``on_step(p, result)`` is called after each point (the CLI drives a progress bar with it),
    ``on_progress(seconds, gap)`` while each point's MILP runs. ``time_limit_s`` applies to each point.
    """
    if method not in ("exact", "heuristic"):
        raise SitingError(f"method must be exact or heuristic, got {method!r}")
    points = sorted(set(ps))
    for p in points[:1] + points[-1:]:
        check_station_count(inst, p, "p =")
    model = MaxFlowModel(inst, mip_rel_gap=gap_target) if method == "exact" and points else None
    out: list[PlanResult] = []
    previous: PlanResult | None = None
    for p in points:
        heuristic = greedy_max_flow(inst, p, time_limit_s=time_limit_s)
        if model is None:
            heuristic.extra["verdict"] = "heuristic"
            result = heuristic
        else:
            result = _exact_point(model, p, heuristic, previous, time_limit_s, gap_target, on_progress)
        out.append(result)
        previous = result
        if on_step is not None:
            on_step(p, result)
    return out


def _exact_point(
    model: MaxFlowModel,
    p: int,
    heuristic: PlanResult,
    previous: PlanResult | None,
    time_limit_s: float | None,
    gap_target: float,
    on_progress: Progress | None = None,
) -> PlanResult:
    inst = model.inst
    if p == 1:
        # Greedy's first step values every single site (and the swap phase re-checks each one), so
        # for one station the heuristic is the optimum: no MILP needed (its root LP can take a minute).
        heuristic.status, heuristic.method, heuristic.gap = "optimal", "exact (enumeration)", 0.0
        heuristic.bound_flow = heuristic.covered_flow
        heuristic.extra.update(
            {"heuristic_covered_flow": round(heuristic.covered_flow, 6), "gap_target": gap_target}
        )
        heuristic.extra.update({"warm_start": "none", "verdict": "optimal"})
        return heuristic
    start = heuristic
    if previous is not None and previous.new_stations and len(previous.new_stations) < p:
        extended = greedy_max_flow(inst, p, time_limit_s=time_limit_s, start=previous.new_stations)
        if extended.covered_flow > start.covered_flow:
            start = extended
    exact = model.solve(p, time_limit_s=time_limit_s, initial=start.new_stations, on_progress=on_progress)
    if exact.status not in ("optimal", "feasible") or exact.covered_flow < start.covered_flow:
        # The solver found nothing better than its own start within the limit: keep the start.
        exact = _with_bound(start, exact.bound_flow)
    exact.extra["heuristic_covered_flow"] = round(heuristic.covered_flow, 6)
    exact.extra["gap_target"] = gap_target
    exact.extra["warm_start"] = "previous p + greedy" if start is not heuristic else "heuristic"
    exact.extra["verdict"] = _verdict(exact, heuristic, gap_target)
    exact.solve_time_s += heuristic.solve_time_s + (start.solve_time_s if start is not heuristic else 0.0)
    return exact


def _with_bound(start: PlanResult, bound: float | None) -> PlanResult:
    gap = None
    if bound is not None and start.covered_flow > 0:
        gap = max(0.0, bound - start.covered_flow) / start.covered_flow
    start.method = "exact"
    start.status = "optimal" if gap is not None and gap <= _EXACT_GAP else "feasible"
    start.bound_flow = bound
    start.gap = gap
    return start


def _verdict(exact: PlanResult, heuristic: PlanResult, gap_target: float) -> str:
    if exact.status == "optimal":
        return "optimal"
    if exact.gap is not None and exact.gap <= gap_target + 1e-12:
        return "within_gap"
    tolerance = 1e-9 * max(1.0, heuristic.covered_flow)
    if exact.covered_flow <= heuristic.covered_flow + tolerance:
        return "no_better_than_heuristic"
    return "improved_not_certified"
