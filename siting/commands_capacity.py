"""``siting capacity``: bays to add at existing sites for a target wait at the peak hour."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from siting.capacity import CapacityAssumptions, capacity_totals, plan_capacity
from siting.commands import _emit, _load
from siting.outputs.capacity import print_capacity, write_capacity_outputs
from siting.outputs.capacity_map import write_capacity_map_png
from siting.outputs.html_capacity import write_capacity_html
from siting.sites import select_candidates

__all__ = ["add_capacity_parser", "cmd_capacity"]


def add_capacity_parser(
    sub: Any, common: Callable[[argparse.ArgumentParser], None]
) -> argparse.ArgumentParser:
    """The ``capacity`` sub-command and its options (``common``: the network/output options)."""
    p: argparse.ArgumentParser = sub.add_parser(
        "capacity", help="charging bays to add at existing sites for a target peak-hour wait (Erlang C)"
    )
    common(p)
    g = p.add_argument_group("capacity (Erlang C, per carriageway side)")
    g.add_argument(
        "--sites", help="id,id,..., a file of ids, or service-areas|interchanges|... (default: service areas)"
    )
    g.add_argument("--target-wait-min", type=float, default=10.0, help="target mean wait [min] (default 10)")
    g.add_argument(
        "--max-wait-prob",
        type=float,
        help="size for P(wait > target) <= this instead of the mean wait (e.g. 0.2)",
    )
    g.add_argument("--ev-share", type=float, help="share of passing vehicles that are EVs (default 0.15)")
    g.add_argument(
        "--stop-probability", type=float, help="share of passing EVs that charge at a site (default 0.10)"
    )
    g.add_argument("--peak-hour-share", type=float, help="share of daily charges in the peak hour (0.12)")
    g.add_argument("--design-day-factor", type=float, help="design day / average day, e.g. 2.5 for holidays")
    g.add_argument("--energy-kwh", type=float, help="mean energy per charging session [kWh] (default 30)")
    g.add_argument("--power-kw", type=float, help="mean power per bay [kW] (default 120)")
    g.add_argument("--overhead-min", type=float, help="time per session besides charging [min] (default 5)")
    g.add_argument("--power-factor", type=float, help="kW per kVA of the grid connection (default 0.95)")
    g.add_argument("--simultaneity", type=float, help="share of installed power drawn at once (default 1.0)")
    g.add_argument("--default-bays", type=int, help="existing bays of a site without data (default 11)")
    return p


def cmd_capacity(args: argparse.Namespace) -> int:
    assumptions = CapacityAssumptions().with_overrides(
        target_wait_min=args.target_wait_min,
        max_wait_prob=args.max_wait_prob,
        ev_share=args.ev_share,
        stop_probability=args.stop_probability,
        peak_hour_share=args.peak_hour_share,
        design_day_factor=args.design_day_factor,
        energy_kwh=args.energy_kwh,
        power_kw=args.power_kw,
        overhead_min=args.overhead_min,
        power_factor=args.power_factor,
        simultaneity=args.simultaneity,
        default_bays=args.default_bays,
    )
    ds, _ = _load(args)
    sites = select_candidates(ds.G, args.sites) if args.sites else None
    rows = plan_capacity(ds.G, ds.trips, sites, assumptions)
    doc: dict[str, Any] = {
        "network": ds.name,
        "assumptions": {**vars(assumptions), "service_min": round(assumptions.service_h * 60, 3)},
        "totals": capacity_totals(rows),
        "sites": [r.to_dict() for r in rows],
    }
    if getattr(args, "calibration", None):
        doc["calibration"] = args.calibration
    _emit(args, doc, print_capacity)
    if args.out:
        paths = write_capacity_outputs(doc, Path(args.out))
        paths.append(write_capacity_map_png(ds.G, doc, Path(args.out) / "capacity_map.png", lang=args.lang))
        paths.append(write_capacity_html(ds.G, doc, Path(args.out) / "capacity_map.html", lang=args.lang))
        for path in paths:
            if args.format == "text":
                print(f"wrote {path}")
    return 0
