"""Calibrate O-D flows to traffic counts (AADT per section): a gravity model fitted by least squares,
then refined by iterative scaling to reproduce the counts.

A count is a two-way AADT (vehicles per day, both directions) on a section ``from``-``to``: an
edge, or a chain of edges with nothing but service areas and other degree-2 nodes in between. A
trip is a round trip per day, so it adds 2 x its flow to every section on its path.

1. **Gravity fit** (least squares): ``flow_ij = s * W_i W_j / d_ij ** beta``; for each ``beta``
   on a grid the scale ``s`` minimising the squared count errors is closed-form
   (``s = sum(V m) / sum(m^2)``, ``m`` the model's section loads at ``s = 1``); the ``beta`` with
   the least error wins.
2. **Iterative scaling** (Van Zuylen & Willumsen 1980, the maximum-entropy O-D estimate from
   counts with fixed routes): each trip's flow is multiplied by a factor per counted section on
   its path, updated section by section as ``X_k <- X_k * V_k / modelled_k`` until every counted
   section is within ``tol`` of its count (or ``max_iter`` sweeps). Trips on no counted section
   keep their gravity flow. Consistent counts are then reproduced exactly; inconsistent ones are
   balanced as well as the sweeps allow, and the report shows the residuals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from siting.demand import Trip, gravity_trips
from siting.errors import InputError
from siting.graph import RoadGraph

__all__ = ["Count", "read_counts_csv", "section_edges", "CalibrationReport", "calibrate_gravity"]


@dataclass(frozen=True)
class Count:
    """A two-way AADT on section ``a``-``b``; ``trucks`` the trucks among them where counted."""

    a: str
    b: str
    aadt: float
    trucks: float | None
    line: int

    def for_class(self, vehicle: str, truck_share: float) -> float:
        """The count of cars or trucks: the ``trucks`` column where given, else ``truck_share``."""
        trucks = self.trucks if self.trucks is not None else truck_share * self.aadt
        return trucks if vehicle == "truck" else self.aadt - trucks


def read_counts_csv(path: str | Path) -> list[Count]:
    """Counts CSV ``from,to,aadt[,trucks]`` (two-way vehicles per day)."""
    from siting.io import _number, _rows  # the CSV helpers of the package's readers

    path = Path(path)
    out: list[Count] = []
    for line, row in _rows(path, ["from", "to", "aadt"]):
        aadt = _number(path, line, "aadt", row["aadt"])
        trucks = _number(path, line, "trucks", row["trucks"]) if row.get("trucks") else None
        if aadt < 0 or (trucks is not None and not 0 <= trucks <= aadt):
            raise InputError(
                f"{path} line {line}: need 0 <= trucks <= aadt, got aadt {aadt:g}, trucks {trucks}"
            )
        out.append(Count(row["from"], row["to"], aadt, trucks, line))
    if not out:
        raise InputError(f"{path}: no counts")
    return out


def section_edges(G: RoadGraph, count: Count, where: str = "") -> frozenset[frozenset[str]]:
    """The edges of the section ``a``-``b``: an edge, or a chain through degree-2 nodes only."""
    a, b = count.a, count.b
    for n in (a, b):
        if n not in G:
            raise InputError(f"{where}line {count.line}: node {n} is not in the graph")
    if G.has_edge(a, b):
        return frozenset({frozenset((a, b))})
    for first in G.neighbors(a):
        chain, prev, node = [frozenset((a, first))], a, first
        while node != b and G.degree(node) == 2:
            nxt = next(n for n in G.neighbors(node) if n != prev)
            chain.append(frozenset((node, nxt)))
            prev, node = node, nxt
        if node == b:
            return frozenset(chain)
    raise InputError(
        f"{where}line {count.line}: {a}-{b} is not a section "
        "(an edge, or edges through nodes with no junction)"
    )


@dataclass
class CalibrationReport:
    """What the fit did: chosen ``beta`` and ``scale``, and per count its observed and modelled AADT."""

    vehicle: str
    beta: float
    scale: float
    sweeps: int
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rmse_pct_gravity(self) -> float:
        return _rmse_pct([r["observed"] for r in self.rows], [r["gravity"] for r in self.rows])

    @property
    def rmse_pct(self) -> float:
        return _rmse_pct([r["observed"] for r in self.rows], [r["calibrated"] for r in self.rows])

    def to_dict(self) -> dict[str, Any]:
        return {
            "vehicle": self.vehicle,
            "beta": self.beta,
            "scale": self.scale,
            "sweeps": self.sweeps,
            "rmse_pct_gravity": round(self.rmse_pct_gravity, 3),
            "rmse_pct_calibrated": round(self.rmse_pct, 3),
            "counts": self.rows,
        }


def _rmse_pct(obs: Sequence[float], mod: Sequence[float]) -> float:
    if not obs or sum(obs) <= 0:
        return 0.0
    o, m = np.asarray(obs), np.asarray(mod)
    return float(100 * math.sqrt(float(np.mean((o - m) ** 2))) / float(np.mean(o)))


def calibrate_gravity(
    G: RoadGraph,
    counts: Sequence[Count],
    *,
    vehicle: str = "car",
    truck_share: float = 0.25,
    weight_attr: str = "weight",
    betas: Sequence[float] = tuple(np.round(np.arange(0.0, 3.01, 0.1), 2)),
    max_iter: int = 500,
    tol: float = 1e-6,
    source: str = "",
) -> tuple[list[Trip], CalibrationReport]:
    """Trips of ``vehicle`` fitted to ``counts`` (see the module notes); returns them and the report.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(["a", "b", "c"]); nx.set_edge_attributes(G, 100.0, "length_km")
    >>> for n in "abc": G.nodes[n]["weight"] = 1.0
    >>> counts = [Count("a", "b", 3000, 0, 2), Count("b", "c", 1000, 0, 3)]
    >>> trips, rep = calibrate_gravity(G, counts)
    >>> [round(r["calibrated"]) for r in rep.to_dict()["counts"]], rep.rmse_pct < 0.01
    ([3000, 1000], True)
    """
    base = gravity_trips(G, beta=0.0, node_weight=weight_attr)  # W_i W_j and the paths, once
    if not base:
        raise InputError(f"no node has a positive {weight_attr}: the gravity model has no trips to calibrate")
    sections = [section_edges(G, c, f"{source} " if source else "") for c in counts]
    observed = np.array([c.for_class(vehicle, truck_share) for c in counts])
    # incidence: trip q crosses section k when its path uses one of the section's edges
    inc = np.zeros((len(counts), len(base)), dtype=bool)
    for q, t in enumerate(base):
        used = {frozenset(e) for e in zip(t.path, t.path[1:], strict=False)}
        for k, sec in enumerate(sections):
            inc[k, q] = bool(used & sec)
    ww = np.array([t.flow for t in base])
    dist = np.array([t.length_km for t in base])
    best: tuple[float, float, float] | None = None
    for beta in betas:
        prior = ww / dist**beta
        m = 2.0 * (inc @ prior)
        denom = float(m @ m)
        if denom <= 0:
            continue
        s = float(observed @ m) / denom
        sse = float(np.sum((observed - s * m) ** 2))
        if best is None or sse < best[0] - 1e-12:
            best = (sse, float(beta), s)
    if best is None:
        raise InputError("no counted section carries any modelled trip: check the counts' from/to")
    _, beta, scale = best
    flows = scale * ww / dist**beta
    gravity_loads = 2.0 * (inc @ flows)
    sweeps = 0
    for sweeps in range(1, max_iter + 1):  # noqa: B007 - the count of sweeps is reported
        for k in range(len(counts)):
            modelled = 2.0 * float(flows[inc[k]].sum())
            if modelled > 0:
                flows[inc[k]] *= observed[k] / modelled
        loads = 2.0 * (inc @ flows)
        rel = np.abs(loads - observed) / np.maximum(observed, 1.0)
        if float(rel.max(initial=0.0)) <= tol:
            break
    loads = 2.0 * (inc @ flows)
    report = CalibrationReport(vehicle, beta, scale, sweeps)
    for c, o, g, m in zip(counts, observed, gravity_loads, loads, strict=True):
        report.rows.append(
            {
                "from": c.a,
                "to": c.b,
                "observed": round(float(o), 3),
                "gravity": round(float(g), 3),
                "calibrated": round(float(m), 3),
                "note": "" if g > 0 else "no modelled trip uses this section (trips take shortest paths)",
            }
        )
    trips = [replace(t, flow=float(f)) for t, f in zip(base, flows, strict=True) if f > 0]
    return trips, report
