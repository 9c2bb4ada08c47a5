"""Scale benchmark: synthetic network of ~2,000 nodes and ~20,000 O-D pairs.

The exact ACPC MILP (HiGHS, warm-started from the heuristic) runs under a 60 s time limit and
either proves optimality or reports its gap; the greedy+swap heuristic's result and time are
printed beside it. Whole run: about 1.5 minutes on 2 cores.

Run: ``.venv/bin/python -m bench.siting_scale [--stations 25] [--range-km 300] [--time-limit 60]``
"""

from __future__ import annotations

import argparse
import time


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.siting_scale")
    parser.add_argument("--cities", type=int, default=200)
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--stations", type=int, default=25)
    parser.add_argument("--range-km", type=float, default=300.0)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    from siting.demand import gravity_trips
    from siting.models import build_instance, greedy_max_flow, solve_max_flow
    from siting.synthetic import synthetic_network

    t0 = time.perf_counter()
    G = synthetic_network(
        args.cities,
        args.nodes,
        width_km=600.0,
        height_km=450.0,
        neighbours=3,
        service_area_every=8,
        seed=args.seed,
    )
    trips = gravity_trips(G, beta=1.5)
    t1 = time.perf_counter()
    candidates = [n for n, k in G.nodes(data="kind") if k == "service_area"]
    inst = build_instance(G, trips, args.range_km, candidates=candidates)
    t2 = time.perf_counter()
    n_nodes, n_edges = G.number_of_nodes(), G.number_of_edges()
    print(f"synthetic network: {n_nodes} nodes, {n_edges} edges, {len(trips)} O-D pairs, {len(candidates)} "
          f"candidate service areas, range {args.range_km:g} km, p = {args.stations}")
    n_rows, n_nz = len(inst.row_trip), len(inst.row_cand)
    print(f"network + gravity demand {t1 - t0:.1f} s; arc-cover sets {t2 - t1:.1f} s ({n_rows} rows, "
          f"{n_nz} nonzeros, {len(inst.unservable)} unservable trips)")

    heur = greedy_max_flow(inst, args.stations, time_limit_s=args.time_limit)
    t3 = time.perf_counter()
    swaps = heur.extra["swaps"]
    print(f"heuristic (greedy + {swaps} swaps): {heur.covered_flow_pct:.3f} % of flow in {t3 - t2:.1f} s")

    exact = solve_max_flow(inst, args.stations, time_limit_s=args.time_limit, initial=heur.new_stations)
    t4 = time.perf_counter()
    bound_pct = 100 * exact.bound_flow / inst.total_flow if exact.bound_flow else float("nan")
    gap = "n/a" if exact.gap is None else f"{100 * exact.gap:.3f} %"
    rows, cols, groups = exact.extra["milp_rows"], exact.extra["milp_cols"], exact.extra["trip_groups"]
    n_trips = len(inst.trips) - len(inst.unservable)
    print(f"exact MILP: {rows} rows x {cols} cols ({n_trips} trips grouped into "
          f"{groups} columns by identical arc-cover sets)")
    print(f"exact: status {exact.status}, {exact.covered_flow_pct:.3f} % of flow, bound {bound_pct:.3f} %, "
          f"gap {gap}, {t4 - t3:.1f} s (limit {args.time_limit:g} s)")
    print(f"exact - heuristic: {exact.covered_flow_pct - heur.covered_flow_pct:+.3f} percentage points; "
          f"whole run {t4 - t0:.1f} s")


if __name__ == "__main__":
    main()
