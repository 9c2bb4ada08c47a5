"""Greedy plus swap (interchange) heuristic for the flow-refuelling model, vectorised with numpy.

Greedy adds, one at a time, the site whose opening newly refuels the most flow; when no single
site completes a trip (common when trips need two or more stations) it breaks the tie by partial
progress: the flow-weighted share of a trip's arc-cover sets the site would newly hit. The swap
phase then exchanges an open site for a closed one while that raises the refuelled flow
(best-improvement, as in Kuby & Lim's 2005 greedy-substitution).
"""

from __future__ import annotations

import time
from collections.abc import Collection

import numpy as np

from siting.models.instance import BoolArray, FloatArray, Instance, PlanResult

__all__ = ["greedy_max_flow"]

_TOL = 1e-9


class _State:
    """Row hit counts of the arc-cover sets for one set of open candidates."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.row_of_entry = np.repeat(np.arange(len(inst.row_trip)), np.diff(inst.row_ptr))
        self.trip_of_entry = inst.row_trip[self.row_of_entry]
        self.rows_per_trip = np.bincount(inst.row_trip, minlength=len(inst.trips)).astype(float)
        self.n_cand = len(inst.candidates)
        self.is_open = np.zeros(self.n_cand, dtype=bool)

    def hits(self, is_open: BoolArray) -> np.ndarray:
        """Number of open candidates in each arc-cover set."""
        return np.bincount(
            self.row_of_entry, weights=is_open[self.inst.row_cand], minlength=len(self.inst.row_trip)
        )

    def value(self, is_open: BoolArray) -> float:
        """Refuelled flow (excluding the existing-only base) for an open mask."""
        missing = np.bincount(self.inst.row_trip[self.hits(is_open) == 0], minlength=len(self.inst.trips))
        with_rows = self.rows_per_trip > 0
        return float(self.inst.trip_flow[with_rows & (missing == 0)].sum())

    def gains(self, is_open: BoolArray) -> tuple[FloatArray, FloatArray]:
        """For every candidate: flow newly refuelled by opening it, and its partial-progress score."""
        inst = self.inst
        uncovered_row = self.hits(is_open) == 0
        n_missing = np.bincount(inst.row_trip[uncovered_row], minlength=len(inst.trips))
        entry = uncovered_row[self.row_of_entry]
        q = self.trip_of_entry[entry]
        k = inst.row_cand[entry]
        weights = inst.trip_flow[q] / self.rows_per_trip[q]
        partial = np.bincount(k, weights=weights, minlength=self.n_cand).astype(float)
        if not len(q):
            return np.zeros(self.n_cand), partial
        keys, counts = np.unique(q * self.n_cand + k, return_counts=True)
        kq, kk = keys // self.n_cand, keys % self.n_cand
        completes = counts == n_missing[kq]
        gain = np.bincount(
            kk[completes], weights=inst.trip_flow[kq[completes]], minlength=self.n_cand
        ).astype(float)
        return gain, partial


def greedy_max_flow(
    inst: Instance,
    p: int | None,
    *,
    improve: bool = True,
    time_limit_s: float | None = None,
    start: Collection[str] = (),
    budget: float | None = None,
) -> PlanResult:
    """Heuristic maximum refuelled flow with ``p`` new stations.

    Parameters
    ----------
    inst : Instance
    p : int or None
        New stations to open (at most the number of candidates); with a ``budget``, at most ``p``
        (None: as many as the budget affords).
    improve : bool
        Run the swap phase after greedy.
    time_limit_s : float, optional
        Stop swapping after this many seconds (the greedy phase always completes).
    start : collection of str
        Candidates open from the outset (for example the plan for ``p - 1``); greedy adds the rest.
    budget : float, optional
        Upper bound on the summed cost of the new stations (``inst.costs``). Greedy then adds the
        affordable site with the best new flow per unit cost, and the result is the better of that
        and the best single affordable site (Khuller, Moss & Naor 1999); swaps keep within budget.

    Returns
    -------
    PlanResult
        ``status`` is ``feasible`` (no optimality proof) or ``infeasible`` when ``p`` exceeds the
        candidates; ``gap`` is None.

    Examples
    --------
    >>> from siting.networks import load_network25
    >>> from siting.models.instance import build_instance
    >>> ds = load_network25()
    >>> inst = build_instance(ds.G, ds.trips, 10.0, candidates=list(ds.G))
    >>> r = greedy_max_flow(inst, 4)
    >>> r.status, sorted(r.new_stations, key=int), round(r.covered_flow_pct, 2)
    ('feasible', ['14', '18', '19', '23'], 52.75)
    """
    started = time.perf_counter()
    state = _State(inst)
    if budget is not None:
        return _greedy_budget(inst, state, p, float(budget), improve, time_limit_s, started)
    if p is None or p > state.n_cand or p < 0:
        return _plan(inst, "infeasible", [], p or 0, started)
    is_open = np.zeros(state.n_cand, dtype=bool)
    order = [inst.candidates.index(c) for c in dict.fromkeys(start) if c in inst.candidates][:p]
    is_open[order] = True
    for _ in range(p - len(order)):
        gain, partial = state.gains(is_open)
        gain[is_open] = -np.inf
        partial[is_open] = -np.inf
        # lexsort: the last key is primary; ties fall to partial progress, then to the lowest index.
        best = int(np.lexsort((-np.arange(state.n_cand), partial, np.round(gain, 9)))[-1])
        is_open[best] = True
        order.append(best)
    current = state.value(is_open)
    swaps = 0
    if improve and 0 < p < state.n_cand:
        while time_limit_s is None or time.perf_counter() - started < time_limit_s:
            best_val, best_move = current, None
            for out in np.flatnonzero(is_open):
                trial = is_open.copy()
                trial[out] = False
                base = state.value(trial)
                gain, _ = state.gains(trial)
                gain[trial] = -np.inf
                gain[out] = -np.inf
                k = int(np.argmax(gain))
                if base + gain[k] > best_val + _TOL * max(1.0, abs(best_val)):
                    best_val, best_move = base + gain[k], (int(out), k)
            if best_move is None:
                break
            is_open[best_move[0]], is_open[best_move[1]] = False, True
            order = [best_move[1] if i == best_move[0] else i for i in order]
            current, swaps = best_val, swaps + 1
    stations = [inst.candidates[i] for i in order]
    return _plan(inst, "feasible", stations, p, started, swaps=swaps, improved=improve)


def _greedy_budget(
    inst: Instance,
    state: _State,
    p: int | None,
    budget: float,
    improve: bool,
    time_limit_s: float | None,
    started: float,
) -> PlanResult:
    """Cost-effectiveness greedy within ``budget`` (and at most ``p`` sites), then budget-keeping swaps."""
    if budget < 0:
        return _plan(inst, "infeasible", [], p or 0, started)
    cap = state.n_cand if p is None else min(p, state.n_cand)
    cost = np.maximum(inst.costs, _TOL)
    is_open = np.zeros(state.n_cand, dtype=bool)
    order: list[int] = []
    spent = 0.0
    while len(order) < cap:
        gain, partial = state.gains(is_open)
        affordable = ~is_open & (inst.costs <= budget - spent + _TOL)
        if not affordable.any():
            break
        score = np.where(affordable, gain / cost, -np.inf)
        tie = np.where(affordable, partial / cost, -np.inf)
        best = int(np.lexsort((-np.arange(state.n_cand), tie, np.round(score, 12)))[-1])
        if gain[best] <= _TOL and partial[best] <= _TOL:
            break  # nothing left that any affordable site helps
        is_open[best] = True
        order.append(best)
        spent += float(inst.costs[best])
    # The best single affordable site: greedy by ratio alone can be arbitrarily bad.
    gain0, _ = state.gains(np.zeros(state.n_cand, dtype=bool))
    gain0[inst.costs > budget + _TOL] = -np.inf
    if cap >= 1 and np.isfinite(gain0).any():
        single = int(np.argmax(gain0))
        if gain0[single] > state.value(is_open) + _TOL:
            is_open[:] = False
            is_open[single] = True
            order, spent = [single], float(inst.costs[single])
    current = state.value(is_open)
    swaps = 0
    while improve and (time_limit_s is None or time.perf_counter() - started < time_limit_s):
        best_val, best_move = current, None
        for out in np.flatnonzero(is_open):
            trial = is_open.copy()
            trial[out] = False
            base = state.value(trial)
            gain, _ = state.gains(trial)
            room = budget - (spent - float(inst.costs[out])) + _TOL
            gain[trial | (inst.costs > room)] = -np.inf
            gain[out] = -np.inf
            k = int(np.argmax(gain))
            if np.isfinite(gain[k]) and base + gain[k] > best_val + _TOL * max(1.0, abs(best_val)):
                best_val, best_move = base + gain[k], (int(out), k)
        if best_move is None:
            break
        is_open[best_move[0]], is_open[best_move[1]] = False, True
        spent += float(inst.costs[best_move[1]] - inst.costs[best_move[0]])
        order = [best_move[1] if i == best_move[0] else i for i in order]
        current, swaps = best_val, swaps + 1
    stations = [inst.candidates[i] for i in order]
    plan = _plan(inst, "feasible", stations, len(stations), started, swaps=swaps, improved=improve)
    plan.extra["budget"] = budget
    return plan


def _plan(
    inst: Instance,
    status: str,
    new: list[str],
    p: int,
    started: float,
    *,
    swaps: int = 0,
    improved: bool = False,
) -> PlanResult:
    covered = inst.covered_trips(new) if status != "infeasible" else np.zeros(len(inst.trips), bool)
    return PlanResult(
        status=status,
        method="greedy+swap" if improved else "greedy",
        stations=list(inst.existing) + new,
        new_stations=new,
        existing=list(inst.existing),
        covered_flow=float(inst.trip_flow[covered].sum()),
        total_flow=inst.total_flow,
        gap=None,
        bound_flow=None,
        solve_time_s=time.perf_counter() - started,
        p=p,
        cost=float(sum(inst.costs[inst.candidates.index(c)] for c in new)),
        covered=np.flatnonzero(covered).tolist(),
        extra={"swaps": swaps},
    )
