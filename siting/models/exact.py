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

import math
import time
from collections.abc import Callable, Collection
from typing import Any

import highspy
import numpy as np

from siting.errors import SitingError
from siting.models._highs import add_columns, quiet_highs, status_of
from siting.models.instance import FloatArray, IndexArray, Instance, PlanResult

__all__ = ["MaxFlowModel", "solve_max_flow", "solve_cover"]

_INF = highspy.kHighsInf


class _Groups:
    """Trips with identical arc-cover sets share one y column (their flows add up).

    Exact: such trips are refuelled by exactly the same station sets. On trunk networks many O-D
    pairs pass the same candidate sites, so this removes a large share of the MILP's rows.
    """

    def __init__(self, inst: Instance) -> None:
        rows_of: dict[int, list[tuple[int, ...]]] = {}
        for r, q in enumerate(inst.row_trip.tolist()):
            rows_of.setdefault(q, []).append(
                tuple(inst.row_cand[inst.row_ptr[r] : inst.row_ptr[r + 1]].tolist())
            )
        index: dict[tuple[tuple[int, ...], ...], int] = {}
        self.rep: list[int] = []
        flows: list[float] = []
        self.group_of = np.full(len(inst.trips), -1, dtype=np.int64)
        for q, rows in rows_of.items():
            key = tuple(sorted(rows))
            g = index.get(key)
            if g is None:
                g = index[key] = len(self.rep)
                self.rep.append(q)
                flows.append(0.0)
            flows[g] += float(inst.trip_flow[q])
            self.group_of[q] = g
        self.flow = np.array(flows, dtype=float)
        ptr: list[int] = [0]
        cand: list[int] = []
        grp: list[int] = []
        for g, q in enumerate(self.rep):
            for row in rows_of[q]:
                cand.extend(row)
                ptr.append(len(cand))
                grp.append(g)
        self.row_ptr = np.array(ptr, dtype=np.int64)
        self.row_cand = np.array(cand, dtype=np.int64)
        self.row_group = np.array(grp, dtype=np.int64)


class MaxFlowModel:
    """The ACPC MILP built once and solved for many ``p`` (a coverage curve).

    Only the bounds of the cardinality row change between solves, so the expensive part (the
    cover rows) is built once; each solve is warm-started from the caller's incumbent.
    ``mip_rel_gap`` is the target: HiGHS stops once the gap is certified below it.
    """

    def __init__(self, inst: Instance, *, budget: float | None = None, mip_rel_gap: float = 1e-6) -> None:
        self.inst = inst
        self.budget = budget
        n_cand = len(inst.candidates)
        self.groups = _Groups(inst)
        h = quiet_highs(None, mip_rel_gap)
        add_columns(h, np.concatenate([np.zeros(n_cand), self.groups.flow]), n_cand)
        _add_cover_rows(h, self.groups, n_cand)
        self.card_row = h.getNumRow()
        _add_row(h, np.arange(n_cand), np.ones(n_cand), -_INF, _INF)
        if budget is not None:
            _add_row(h, np.arange(n_cand), inst.costs, -_INF, float(budget))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        h.changeObjectiveOffset(inst.base_flow)
        self.h = h
        self._progress: Callable[[float, float | None], None] | None = None
        self._last_tick = 0.0
        self._subscribed = False

    def _tick(self, event: Any) -> None:
        """HiGHS callback (simplex and MIP interrupts): report elapsed time and gap, 4 times a second."""
        if self._progress is None:
            return
        now = time.perf_counter()
        if now - self._last_tick < 0.25:
            return
        self._last_tick = now
        data = event.data_out
        gap = float(getattr(data, "mip_gap", math.inf))
        self._progress(float(data.running_time), gap if math.isfinite(gap) else None)

    def _watch(self, on_progress: Callable[[float, float | None], None] | None) -> None:
        self._progress = on_progress
        if on_progress is not None and not self._subscribed:
            self.h.cbMipInterrupt.subscribe(self._tick)
            self.h.cbSimplexInterrupt.subscribe(self._tick)
            self._subscribed = True

    def solve(
        self,
        p: int | None,
        *,
        time_limit_s: float | None = 60.0,
        initial: Collection[str] | None = None,
        started: float | None = None,
        on_progress: Callable[[float, float | None], None] | None = None,
    ) -> PlanResult:
        """Best plan with exactly ``p`` new stations (None: any number, within the budget; with a
        budget, ``p`` is an upper bound).

        ``started`` (a ``time.perf_counter()`` reading) lets the time limit include work done
        before this call, such as building the model. ``on_progress(seconds, gap)`` is called
        about four times a second while HiGHS works (``gap`` None until it has a bound).
        """
        started = time.perf_counter() if started is None else started
        h = self.h
        lower, upper = (-_INF, _INF) if p is None else (float(p), float(p))
        if p is not None and self.budget is not None:
            lower = 0.0
        h.changeRowBounds(self.card_row, lower, upper)
        if initial is not None:
            _set_start(h, self.inst, self.groups, initial)
        _spend_rest_of(h, time_limit_s, started)
        self._watch(on_progress)
        try:
            h.run()
        finally:
            self._progress = None
        result = _result(h, self.inst, "exact", p, started, maximise=True)
        result.extra.update(
            {"milp_rows": h.getNumRow(), "milp_cols": h.getNumCol(), "trip_groups": len(self.groups.rep)}
        )
        return result


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
    mip_rel_gap : float
        Stop once the relative gap is certified below this (1e-6: prove optimality).
    initial : collection of str, optional
        A starting station set (for example the heuristic's), passed to HiGHS as an incumbent.

    Returns
    -------
    PlanResult
        ``status`` is optimal (gap at most 1e-6), feasible, infeasible or unknown; ``gap`` the
        relative MIP gap.

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
    model = MaxFlowModel(inst, budget=budget, mip_rel_gap=mip_rel_gap)
    return model.solve(p, time_limit_s=time_limit_s, initial=initial, started=started)


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
    >>> from siting.networks import load_network25
    >>> from siting.models.instance import build_instance
    >>> ds = load_network25()
    >>> r = solve_cover(build_instance(ds.G, ds.trips, 12.0, candidates=list(ds.G)))
    >>> r.status, len(r.new_stations), round(r.covered_flow_pct, 2)
    ('optimal', 17, 100.0)
    """
    if minimise not in ("count", "cost"):
        raise SitingError(f"minimise must be 'count' or 'cost', got {minimise!r}")
    started = time.perf_counter()
    n_cand = len(inst.candidates)
    h = quiet_highs(time_limit_s, mip_rel_gap)
    add_columns(h, inst.costs if minimise == "cost" else np.ones(n_cand), n_cand)
    # Every remaining arc-cover set must hold an open station (y fixed to 1); a set shared by
    # many trips is needed once.
    distinct = sorted(
        {tuple(inst.row_cand[a:b].tolist()) for a, b in zip(inst.row_ptr[:-1], inst.row_ptr[1:], strict=True)}
    )
    if distinct:
        starts = np.cumsum([0] + [len(r) for r in distinct[:-1]]).astype(np.int32)
        index = np.fromiter((k for r in distinct for k in r), dtype=np.int32)
        h.addRows(
            len(distinct),
            np.ones(len(distinct)),
            np.full(len(distinct), _INF),
            len(index),
            starts,
            index,
            np.ones(len(index)),
        )
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    _spend_rest_of(h, time_limit_s, started)
    h.run()
    return _result(h, inst, "exact-cover", None, started, maximise=False)


def _spend_rest_of(h: highspy.Highs, time_limit_s: float | None, started: float) -> None:
    """The time limit covers the whole call: building the model (and, with a small margin, reading
    the solution back) counts against it."""
    if time_limit_s is not None:
        h.setOptionValue("time_limit", max(0.5, time_limit_s - (time.perf_counter() - started) - 0.3))


def _add_cover_rows(h: highspy.Highs, groups: _Groups, n_cand: int) -> None:
    """Rows  sum_{k in K} x_k - y_g >= 0, built as one CSR block."""
    n_rows = len(groups.row_group)
    if not n_rows:
        return
    lengths = np.diff(groups.row_ptr)
    starts = groups.row_ptr[:-1] + np.arange(n_rows)
    index = np.empty(len(groups.row_cand) + n_rows, dtype=np.int32)
    value = np.ones(len(index))
    y_pos = starts + lengths
    mask = np.ones(len(index), dtype=bool)
    mask[y_pos] = False
    index[mask] = groups.row_cand
    index[y_pos] = n_cand + groups.row_group
    value[y_pos] = -1.0
    h.addRows(
        n_rows, np.zeros(n_rows), np.full(n_rows, _INF), len(index), starts.astype(np.int32), index, value
    )


def _add_row(h: highspy.Highs, cols: IndexArray, coefs: FloatArray, lower: float, upper: float) -> None:
    h.addRows(
        1,
        np.array([lower]),
        np.array([upper]),
        len(cols),
        np.array([0], dtype=np.int32),
        cols.astype(np.int32),
        coefs.astype(float),
    )


def _set_start(h: highspy.Highs, inst: Instance, groups: _Groups, stations: Collection[str]) -> None:
    chosen = set(stations)
    x = np.array([1.0 if c in chosen else 0.0 for c in inst.candidates])
    covered = inst.covered_trips(chosen)
    y = covered[np.array(groups.rep, dtype=np.int64)].astype(float)
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
        empty = h.getModelStatus() == highspy.HighsModelStatus.kModelEmpty
        gap = 0.0 if status == "optimal" and (empty or info.mip_gap <= 1e-6) else float(info.mip_gap)
        if gap > 1e-6:
            # HiGHS says "optimal" once the gap is below its target; only a closed gap is optimal here.
            status = "feasible"
        if maximise:
            bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
            if status == "optimal":
                bound = max(covered_flow, bound or covered_flow)
            elif bound is not None and covered_flow > 0:
                # HiGHS measures the gap from its own objective, in which y may understate the trips
                # the chosen x really refuel; measure it from the flow actually refuelled.
                gap = max(0.0, bound - covered_flow) / covered_flow
            elif bound is None:
                gap = None  # no dual bound yet (the root LP did not finish): no gap is certified
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
