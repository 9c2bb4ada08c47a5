"""Exact models on HiGHS: the arc-cover path-cover (ACPC) MILP and the minimum-cost cover.

Capar, Kuby, Leon & Tsai (2013), EJOR 227(1):142-151, formulation (ACPC)::

    max  sum_q f_q y_q
    s.t. sum_{k in K_a^q} x_k >= y_q     for every trip q and arc-cover set K_a^q
         sum_k x_k = p                   (new stations; existing ones are fixed open)
         x_k in {0,1},  0 <= y_q <= 1

``y_q`` may be continuous: with binary ``x`` an optimal ``y_q`` is 1 exactly when every set of
``q`` holds an open station. Trips already refuelled by existing stations enter as a constant.
"""

from __future__ import annotations

import time
from collections.abc import Collection

import highspy
import numpy as np

from siting.models._highs import quiet_highs, status_of
from siting.models.instance import Instance, PlanResult

__all__ = ["solve_max_flow", "solve_cover"]

_INF = highspy.kHighsInf


def _open_rows(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Trips the MILP must decide (servable, not already covered) and their y-column numbers."""
    trips = np.unique(inst.row_trip)
    ycol = np.full(len(inst.trips), -1, dtype=np.int64)
    ycol[trips] = len(inst.candidates) + np.arange(len(trips))
    return trips, ycol


def solve_max_flow(
    inst: Instance,
    p: int | None,
    *,
    budget: float | None = None,
    time_limit_s: float | None = 60.0,
    mip_rel_gap: float = 1e-6,
    initial: Collection[str] | None = None,
) -> PlanResult:
    """Maximise the flow refuelled with ``p`` new stations (and/or within a budget), exactly.

    Parameters
    ----------
    inst : Instance
    p : int or None
        Number of new stations to open (exactly). None: no cardinality constraint (give a budget).
    budget : float, optional
        Upper bound on the summed cost of the new stations.
    time_limit_s : float, optional
        HiGHS time limit [s]; on expiry the best solution is returned as ``feasible`` with its gap.
    initial : collection of str, optional
        A starting station set (for example the heuristic's), passed to HiGHS as an incumbent.

    Returns
    -------
    PlanResult
        ``status`` is optimal, feasible, infeasible or unknown; ``gap`` the relative MIP gap.

    Examples
    --------
    >>> import networkx as nx
    >>> from siting.demand import trips_from_flows
    >>> from siting.models.instance import build_instance
    >>> G = nx.path_graph(["a", "b", "c", "d"]); nx.set_edge_attributes(G, 10.0, "length_km")
    >>> flows = [{"origin": "a", "destination": "d", "flow": 3},
    ...          {"origin": "c", "destination": "d", "flow": 1}]
    >>> inst = build_instance(G, trips_from_flows(G, flows), 30, candidates=list(G))
    >>> r = solve_max_flow(inst, 1)
    >>> r.status, r.stations, r.covered_flow, r.gap
    ('optimal', ['c'], 1.0, 0.0)
    >>> solve_max_flow(inst, 2).covered_flow
    4.0
    """
    started = time.perf_counter()
    n_cand = len(inst.candidates)
    trips, ycol = _open_rows(inst)
    h = quiet_highs(time_limit_s, mip_rel_gap)
    n_cols = n_cand + len(trips)
    obj = np.concatenate([np.zeros(n_cand), inst.trip_flow[trips]])
    h.addCols(
        n_cols,
        obj,
        np.zeros(n_cols),
        np.ones(n_cols),
        0,
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0),
    )
    if n_cand:
        h.changeColsIntegrality(
            n_cand, np.arange(n_cand, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n_cand)
        )
    _add_cover_rows(h, inst, ycol)
    if p is not None:
        _add_row(h, np.arange(n_cand), np.ones(n_cand), float(p), float(p))
    if budget is not None:
        _add_row(h, np.arange(n_cand), inst.costs, -_INF, float(budget))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.changeObjectiveOffset(inst.base_flow)
    if initial is not None:
        _set_start(h, inst, initial, n_cols)
    h.run()
    return _result(h, inst, "exact", p, started, maximise=True)


def solve_cover(
    inst: Instance,
    *,
    minimise: str = "count",
    time_limit_s: float | None = 60.0,
    mip_rel_gap: float = 1e-6,
) -> PlanResult:
    """Fewest (``minimise="count"``) or cheapest (``"cost"``) new stations refuelling every servable trip.

    Trips in ``inst.unservable`` are left out (no station set can serve them); list them with
    their reasons from ``inst.unservable``.

    Examples
    --------
    >>> import networkx as nx
    >>> from siting.demand import trips_from_flows
    >>> from siting.models.instance import build_instance
    >>> G = nx.path_graph(["a", "b", "c", "d"]); nx.set_edge_attributes(G, 10.0, "length_km")
    >>> flows = [{"origin": "a", "destination": "d", "flow": 3},
    ...          {"origin": "c", "destination": "d", "flow": 1}]
    >>> r = solve_cover(build_instance(G, trips_from_flows(G, flows), 30, candidates=list(G)))
    >>> r.status, len(r.new_stations), r.covered_flow
    ('optimal', 2, 4.0)
    """
    if minimise not in ("count", "cost"):
        raise ValueError(f"minimise must be 'count' or 'cost', got {minimise!r}")
    started = time.perf_counter()
    n_cand = len(inst.candidates)
    h = quiet_highs(time_limit_s, mip_rel_gap)
    obj = inst.costs if minimise == "cost" else np.ones(n_cand)
    h.addCols(
        n_cand,
        obj,
        np.zeros(n_cand),
        np.ones(n_cand),
        0,
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0),
    )
    if n_cand:
        h.changeColsIntegrality(
            n_cand, np.arange(n_cand, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n_cand)
        )
    # Every remaining arc-cover set must hold an open station (y fixed to 1).
    if len(inst.row_trip):
        lengths = np.diff(inst.row_ptr)
        h.addRows(
            len(inst.row_trip),
            np.ones(len(inst.row_trip)),
            np.full(len(inst.row_trip), _INF),
            len(inst.row_cand),
            inst.row_ptr[:-1].astype(np.int32),
            inst.row_cand.astype(np.int32),
            np.ones(int(lengths.sum())),
        )
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.run()
    return _result(h, inst, "exact-cover", None, started, maximise=False)


def _add_cover_rows(h: highspy.Highs, inst: Instance, ycol: np.ndarray) -> None:
    """Rows  sum_{k in K} x_k - y_q >= 0, built as one CSR block."""
    n_rows = len(inst.row_trip)
    if not n_rows:
        return
    lengths = np.diff(inst.row_ptr)
    starts = inst.row_ptr[:-1] + np.arange(n_rows)
    index = np.empty(len(inst.row_cand) + n_rows, dtype=np.int32)
    value = np.ones(len(index))
    y_pos = starts + lengths
    mask = np.ones(len(index), dtype=bool)
    mask[y_pos] = False
    index[mask] = inst.row_cand
    index[y_pos] = ycol[inst.row_trip]
    value[y_pos] = -1.0
    h.addRows(
        n_rows, np.zeros(n_rows), np.full(n_rows, _INF), len(index), starts.astype(np.int32), index, value
    )


def _add_row(h: highspy.Highs, cols: np.ndarray, coefs: np.ndarray, lower: float, upper: float) -> None:
    h.addRows(
        1,
        np.array([lower]),
        np.array([upper]),
        len(cols),
        np.array([0], dtype=np.int32),
        cols.astype(np.int32),
        coefs.astype(float),
    )


def _set_start(h: highspy.Highs, inst: Instance, stations: Collection[str], n_cols: int) -> None:
    chosen = set(stations)
    x = np.array([1.0 if c in chosen else 0.0 for c in inst.candidates])
    covered = inst.covered_trips(chosen)
    y = covered[np.unique(inst.row_trip)].astype(float)
    sol = highspy.HighsSolution()
    sol.col_value = list(np.concatenate([x, y]))
    h.setSolution(sol)


def _result(
    h: highspy.Highs, inst: Instance, method: str, p: int | None, started: float, *, maximise: bool
) -> PlanResult:
    status = status_of(h)
    info = h.getInfo()
    new: list[str] = []
    if status in ("optimal", "feasible"):
        x = np.asarray(h.getSolution().col_value)[: len(inst.candidates)]
        new = [c for c, v in zip(inst.candidates, x, strict=True) if v > 0.5]
    covered = (
        inst.covered_trips(new) if status in ("optimal", "feasible") else np.zeros(len(inst.trips), bool)
    )
    covered_flow = float(inst.trip_flow[covered].sum())
    gap = bound = None
    if status in ("optimal", "feasible"):
        gap = 0.0 if status == "optimal" and info.mip_gap <= 1e-6 else float(info.mip_gap)
        if maximise:
            bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
            if status == "optimal":
                bound = max(covered_flow, bound or covered_flow)
    cost = float(sum(inst.costs[inst.candidates.index(c)] for c in new)) if new else 0.0
    return PlanResult(
        status=status,
        method=method,
        stations=list(inst.existing) + sorted(new, key=inst.candidates.index),
        new_stations=sorted(new, key=inst.candidates.index),
        existing=list(inst.existing),
        covered_flow=covered_flow,
        total_flow=inst.total_flow,
        gap=gap,
        bound_flow=bound if maximise else None,
        solve_time_s=time.perf_counter() - started,
        p=p if p is not None else len(new),
        cost=cost,
        covered=np.flatnonzero(covered).tolist(),
    )
