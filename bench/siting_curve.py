"""Coverage curve on the 25-node network: exact ACPC MILP for p = 1..12 at one range (target < 5 s).

Run: ``.venv/bin/python -m bench.siting_curve [--range-km 10] [--max-p 12]``
"""

from __future__ import annotations

import argparse
import time


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.siting_curve")
    parser.add_argument("--range-km", type=float, default=10.0)
    parser.add_argument("--max-p", type=int, default=12)
    args = parser.parse_args(argv)

    from siting.models import build_instance, greedy_max_flow, solve_max_flow
    from siting.networks import load_network25

    started = time.perf_counter()
    ds = load_network25()
    inst = build_instance(ds.G, ds.trips, args.range_km, candidates=list(ds.G))
    built = time.perf_counter() - started
    print(
        f"25-node network: {ds.G.number_of_nodes()} nodes, {ds.G.number_of_edges()} edges, "
        f"{len(ds.trips)} O-D pairs, range {args.range_km:g}, {len(inst.row_trip)} arc-cover rows "
        f"(built in {built:.2f} s)"
    )
    cols = ("p", "exact %", "status", "gap", "time s", "greedy+swap %", "time s")
    widths = (3, 8, 8, 8, 7, 14, 7)
    print(" ".join(f"{c:>{w}}" for c, w in zip(cols, widths, strict=True)) + "  stations")
    exact_s = heur_s = 0.0
    for p in range(1, args.max_p + 1):
        t0 = time.perf_counter()
        exact = solve_max_flow(inst, p)
        t1 = time.perf_counter()
        heur = greedy_max_flow(inst, p)
        t2 = time.perf_counter()
        exact_s += t1 - t0
        heur_s += t2 - t1
        print(
            f"{p:>3} {exact.covered_flow_pct:>8.2f} {exact.status:>8} {exact.gap:>8.1e} {t1 - t0:>7.3f} "
            f"{heur.covered_flow_pct:>14.2f} {t2 - t1:>7.3f}  {' '.join(sorted(exact.stations, key=int))}"
        )
    total = time.perf_counter() - started
    met = "met" if built + exact_s < 5 else "NOT met"
    print(f"exact curve p=1..{args.max_p}: {exact_s:.2f} s solving, {built + exact_s:.2f} s with build")
    print(f"target < 5 s: {met}; heuristic curve {heur_s:.2f} s; whole run {total:.2f} s")


if __name__ == "__main__":
    main()
