"""Plan stations: choose the method, run coverage curves. The glue between models and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from siting.errors import SitingError
from siting.models.exact import solve_max_flow
from siting.models.heuristic import greedy_max_flow
from siting.models.instance import Instance, PlanResult

__all__ = ["plan_stations", "coverage_curve"]


def plan_stations(
    inst: Instance, p: int, *, method: str = "exact", time_limit_s: float | None = 60.0
) -> PlanResult:
    """Maximum refuelled flow with ``p`` new stations.

    ``exact`` solves the ACPC MILP warm-started from the heuristic (so a time-limited run always
    has a good incumbent and reports its gap); ``heuristic`` runs greedy plus swaps only.

    Examples
    --------
    >>> from siting.networks import load_network25
    >>> from siting.models.instance import build_instance
    >>> ds = load_network25()
    >>> inst = build_instance(ds.G, ds.trips, 12.0, candidates=list(ds.G))
    >>> r, h = plan_stations(inst, 3), plan_stations(inst, 3, method="heuristic")
    >>> r.status, h.status, r.covered_flow >= h.covered_flow
    ('optimal', 'feasible', True)
    """
    if method not in ("exact", "heuristic"):
        raise SitingError(f"method must be exact or heuristic, got {method!r}")
    if p < 0:
        raise SitingError(f"the number of stations must not be negative, got {p}")
    heuristic = greedy_max_flow(inst, p, time_limit_s=time_limit_s)
    if method == "heuristic" or heuristic.status == "infeasible":
        return heuristic
    exact = solve_max_flow(inst, p, time_limit_s=time_limit_s, initial=heuristic.new_stations)
    exact.extra["heuristic_covered_flow"] = round(heuristic.covered_flow, 6)
    exact.solve_time_s += heuristic.solve_time_s
    return exact


def coverage_curve(
    inst: Instance,
    ps: Iterable[int],
    *,
    method: str = "exact",
    time_limit_s: float | None = 60.0,
    on_step: Callable[[int, PlanResult], None] | None = None,
) -> list[PlanResult]:
    """Plans for each ``p`` in ``ps`` (the coverage-versus-stations curve).

    ``on_step(p, result)`` is called after each point (the CLI drives a progress bar with it).
    """
    out = []
    for p in ps:
        result = plan_stations(inst, p, method=method, time_limit_s=time_limit_s)
        out.append(result)
        if on_step is not None:
            on_step(p, result)
    return out
