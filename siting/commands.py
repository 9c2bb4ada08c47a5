"""The ``siting`` sub-commands: each reads its arguments, runs the library and writes the outputs."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console

from siting.calibrate import calibrate_gravity, read_counts_csv
from siting.costs import CostModel, cost_model, site_cost_parts, site_costs
from siting.cover import unservable_trips
from siting.errors import SitingError
from siting.fuels import FuelProfile, fuel_profile
from siting.i18n import t
from siting.inputs import (
    check_nodes,
    load_dataset,
    parse_ids,
    read_costs,
    read_plan_stations,
    resolve_candidates,
)
from siting.io import write_edges_csv, write_flows_csv, write_nodes_csv
from siting.models.instance import Instance, PlanResult, build_instance
from siting.networks import Dataset
from siting.outputs.curve import write_curve_png
from siting.outputs.document import plan_document, station_details, write_json
from siting.outputs.geojson import write_geojson
from siting.outputs.html_map import write_html
from siting.outputs.map_png import write_map_png
from siting.outputs.progress import plan_progress
from siting.outputs.summary import print_compare, print_cover, print_plan, print_sizes
from siting.planning import plan_stations
from siting.rollout import rollout
from siting.service import cover_study, plan_study
from siting.sites import add_candidates
from siting.sizing import size_stations
from siting.vehicles import VEHICLES, class_range_km, class_trips, default_vehicle, vehicle_class

__all__ = ["COMMANDS"]

_Doc = TypeVar("_Doc")


def _fuel(args: argparse.Namespace) -> FuelProfile:
    vehicle = getattr(args, "vehicle", None) or default_vehicle(args.fuel)
    return fuel_profile(
        args.fuel,
        range_km=args.range_km if args.range_km is not None else class_range_km(args.fuel, vehicle),
        adoption_share=getattr(args, "adoption_share", None),
        consumption_per_km=getattr(args, "consumption", None),
        server_rate_per_h=getattr(args, "server_rate", None),
        module_capacity_per_day=getattr(args, "module_capacity", None),
        peak_hour_share=getattr(args, "peak_hour_share", None),
    )


def _gap(args: argparse.Namespace) -> float:
    """The MIP gap target; 0 asks for a proof of optimality (HiGHS' own tolerance, 1e-6)."""
    gap = float(args.gap)
    if not 0 <= gap < 1:
        raise SitingError(f"--gap must be in [0, 1), got {gap:g}")
    return max(gap, 1e-6)


def _prepare(
    args: argparse.Namespace, fuel: FuelProfile, candidates: list[str] | None = None
) -> tuple[Dataset, Instance]:
    ds, added = _load(args)
    existing = parse_ids(args.existing)
    check_nodes(ds, existing, "existing stations")
    cands = candidates if candidates is not None else resolve_candidates(ds, args.candidates)
    cands = list(dict.fromkeys([*cands, *added]))
    inst = build_instance(
        ds.G,
        ds.trips,
        fuel.range_km,
        candidates=cands,
        existing=existing,
        costs=_costs(args, ds, cands + list(existing)),
        refuse_unservable=args.refuse_unservable,
    )
    return ds, inst


def _cost_model(args: argparse.Namespace) -> CostModel | None:
    """The cost model of the options, or None when none is given (every site then costs 1)."""
    return cost_model(
        site_cost=args.site_cost,
        charger_cost=args.charger_cost,
        chargers_per_site=args.chargers_per_site,
        grid_cost_per_km=args.grid_cost_per_km,
    )


def _costs(args: argparse.Namespace, ds: Dataset, sites: list[str]) -> dict[str, float] | None:
    overrides = read_costs(args.costs)
    model = _cost_model(args)
    if model is None:
        return overrides
    return site_costs(ds.G, sites, model, overrides)


def _load(args: argparse.Namespace) -> tuple[Dataset, list[str]]:
    """The dataset with the planner's ``--add-candidate`` sites applied, and those sites' ids."""
    ds = load_dataset(
        args.network,
        args.nodes,
        args.edges,
        args.flows,
        beta=args.beta,
        gravity_scale=args.gravity_scale,
        crs=args.crs,
    )
    ds = _class_demand(args, ds)
    if not args.add_candidate:
        return ds, []
    trips, added = add_candidates(ds.G, ds.trips, args.add_candidate)
    return dataclasses.replace(ds, trips=trips), added


def _class_demand(args: argparse.Namespace, ds: Dataset) -> Dataset:
    """The demand of the vehicle class: calibrated to ``--counts``, or the class's gravity model
    beside the dataset's (car) demand; an O-D table (``--flows``) is taken as the class's own."""
    vehicle = getattr(args, "vehicle", None) or default_vehicle(getattr(args, "fuel", "ev"))
    vc = vehicle_class(vehicle, share=args.truck_share if vehicle == "truck" else None)
    if args.counts:
        if args.flows:
            raise SitingError("give --flows or --counts (to calibrate the gravity demand), not both")
        has_own = any(float(d.get(vc.weight_attr) or 0) > 0 for _, d in ds.G.nodes(data=True))
        trips, report = calibrate_gravity(
            ds.G,
            read_counts_csv(args.counts),
            vehicle=vehicle,
            truck_share=args.truck_share if args.truck_share is not None else VEHICLES["truck"].share,
            weight_attr=vc.weight_attr if has_own else "weight",
            source=args.counts,
        )
        args.calibration = report.to_dict()
        if getattr(args, "format", "text") == "text":
            print(
                f"demand ({vehicle}s) calibrated to {len(report.rows)} counts: beta {report.beta:g}, "
                f"RMSE {report.rmse_pct_gravity:.1f}% (gravity) -> {report.rmse_pct:.2f}% (after "
                f"{report.sweeps} scaling sweeps)",
                file=sys.stderr,
            )
        return dataclasses.replace(ds, trips=trips)
    if vehicle == "truck" and not args.flows:
        return dataclasses.replace(ds, trips=class_trips(ds.G, ds.trips, vc))
    return ds


def _emit(args: argparse.Namespace, doc: _Doc, printer: Callable[[Console, _Doc, str], None]) -> None:
    """Write ``doc`` as JSON, or print it with ``printer`` in the chosen language."""
    if args.format == "json":
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        console = Console()
        if not console.is_terminal:
            console = Console(width=140)  # piped or captured: do not squeeze the tables to 80 columns
        printer(console, doc, args.lang)


def _write_outputs(
    args: argparse.Namespace,
    ds: Dataset,
    doc: dict[str, Any],
    curves: Mapping[str, Sequence[dict[str, Any]]],
) -> None:
    if not args.out:
        return
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_json(doc, out / "plan.json")
    write_geojson(ds.G, doc, out / "plan.geojson")
    write_html(ds.G, doc, out / "map.html", lang=args.lang)
    write_map_png(ds.G, doc, out / "map.png", lang=args.lang)
    if any(curves.values()):
        write_curve_png(curves, out / "curve.png", lang=args.lang, mark_p=doc.get("p"))


def _cmd_plan(args: argparse.Namespace) -> int:
    fuel = _fuel(args)
    shared = read_plan_stations(args.share_sites) if args.share_sites else None
    ds, inst = _prepare(args, fuel, shared)
    if args.stations is None and args.budget is None:
        raise SitingError("plan needs --stations P, or --budget MONEY (or both: at most P within the budget)")
    n_curve = (args.stations or 0) if args.curve_max is None else args.curve_max
    if args.budget is not None and args.curve_max is None:
        n_curve = 0  # the curve is over p; with a budget it is asked for explicitly
    with plan_progress(n_curve, args.time_limit, args.lang, enabled=args.format == "text") as bars:
        doc = plan_study(
            ds,
            inst,
            fuel,
            args.stations,
            method=args.method,
            curve_max=args.curve_max,
            max_gap_km=args.max_gap_km,
            wait_target_min=args.wait_target_min,
            max_wait_prob=args.max_wait_prob,
            time_limit_s=args.time_limit,
            gap_target=_gap(args),
            shared_sites=shared,
            on_step=bars.step,
            budget=args.budget,
            on_progress=bars.solving,
        )
    if getattr(args, "calibration", None):
        doc["calibration"] = args.calibration
    doc["vehicle"] = args.vehicle or default_vehicle(args.fuel)
    model = _cost_model(args)
    if model is not None:
        doc["cost_model"] = dataclasses.asdict(model)
        doc["station_costs"] = {
            d["id"]: site_cost_parts(ds.G, d["id"], model, (d.get("sizing") or {}).get("servers"))
            for d in doc["station_details"]
            if d["status"] == "new"
        }
        doc["cost_sized"] = round(sum(c["total"] for c in doc["station_costs"].values()), 6)
    _emit(args, doc, print_plan)
    if args.format == "text" and (args.budget is not None or model is not None):
        budget = (
            ""
            if args.budget is None
            else (" / 预算 " if args.lang == "zh" else " of the budget ") + f"{args.budget:,.6g}"
        )
        sized = doc.get("cost_sized")
        with_sizing = (
            ""
            if sized is None
            else (
                f"（按规模配置充电桩：{sized:,.6g}）"
                if args.lang == "zh"
                else f" ({sized:,.6g} with the sized chargers)"
            )
        )
        label = "新建站点费用" if args.lang == "zh" else "Cost of the new sites"
        print(f"{label}: {doc.get('cost') or 0:,.6g}{budget}{with_sizing}")
    _write_outputs(args, ds, doc, {doc["method"]: doc["curve"]})
    return 0


def _cmd_cover(args: argparse.Namespace) -> int:
    fuel = _fuel(args)
    ds, inst = _prepare(args, fuel)
    doc = cover_study(ds, inst, fuel, minimise=args.minimise, time_limit_s=args.time_limit)
    _emit(args, doc, print_cover)
    _write_outputs(args, ds, doc, {})
    return 0


def _cmd_size(args: argparse.Namespace) -> int:
    fuel = _fuel(args)
    if bool(args.plan) == bool(args.sites):
        raise SitingError("size needs exactly one of --plan PLAN.json or --sites id,id,...")
    stations = read_plan_stations(args.plan) if args.plan else parse_ids(args.sites)
    ds, inst = _prepare(args, fuel)
    check_nodes(ds, stations, "stations")
    covered = inst.covered_trips(stations)
    trips = [t for t, ok in zip(ds.trips, covered, strict=True) if ok]
    sizes = size_stations(
        ds.G, trips, stations, fuel, wait_target_min=args.wait_target_min, max_wait_prob=args.max_wait_prob
    )
    plan = PlanResult(
        "given",
        "given",
        list(stations),
        [s for s in stations if s not in inst.existing],
        list(inst.existing),
        float(inst.trip_flow[covered].sum()),
        inst.total_flow,
        None,
        None,
        0.0,
    )
    details = station_details(ds.G, plan, sizes)
    doc: dict[str, Any] = {
        "network": ds.name,
        "fuel": fuel.name,
        "range_km": fuel.range_km,
        "stations": list(stations),
        "covered_flow": plan.covered_flow,
        "total_flow": plan.total_flow,
        "covered_flow_pct": round(plan.covered_flow_pct, 4),
        "station_details": details,
    }
    _emit(args, doc, lambda console, d, lang: print_sizes(console, d["station_details"], lang))
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        write_json(doc, Path(args.out) / "sizing.json")
    return 0


def _parse_scenario(text: str) -> tuple[str, str, float, int]:
    parts = text.split(":")
    try:
        name, fuel, range_km, p = parts
        return name, fuel, float(range_km), int(p)
    except ValueError:
        raise SitingError(
            f"--scenario {text!r}: expected NAME:FUEL:RANGE_KM:STATIONS, e.g. ev300:ev:300:8"
        ) from None


def _cmd_compare(args: argparse.Namespace) -> int:
    specs = [_parse_scenario(s) for s in args.scenario] or [
        ("ev-4", "ev", 300.0, 4),
        ("ev-8", "ev", 300.0, 8),
        ("h2-4", "h2", 400.0, 4),
        ("h2-8", "h2", 400.0, 8),
    ]
    docs: list[dict[str, Any]] = []
    cache: dict[float, tuple[Dataset, Instance]] = {}  # one instance per range, shared by its fuels
    for name, fuel_name, range_km, p in specs:
        fuel = fuel_profile(fuel_name, range_km=range_km)
        if range_km not in cache:
            cache[range_km] = _prepare(args, fuel)
        ds, inst = cache[range_km]
        plan = plan_stations(inst, p, method=args.method, time_limit_s=args.time_limit, gap_target=_gap(args))
        doc = plan_document(ds.G, plan, network=ds.name, fuel=fuel, unservable=unservable_trips(inst))
        doc["scenario"] = name
        docs.append(doc)
    _emit(args, docs, print_compare)
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        write_json({"scenarios": docs}, Path(args.out) / "compare.json")
    return 0


def _cmd_rollout(args: argparse.Namespace) -> int:
    fuel = _fuel(args)
    try:
        budgets = [float(b) for b in parse_ids(args.budgets)]
    except ValueError:
        raise SitingError(f"--budgets {args.budgets!r}: expected numbers separated by commas") from None
    ds, inst = _prepare(args, fuel)
    steps = rollout(
        ds.G,
        ds.trips,
        fuel.range_km,
        budgets,
        candidates=inst.candidates,
        existing=inst.existing,
        costs=_costs(args, ds, [*inst.candidates, *inst.existing]),
        time_limit_s=args.time_limit,
    )
    doc = [
        {
            "period": st.period,
            "budget": st.budget,
            "spent": st.spent,
            "opened": st.opened,
            "stations": st.plan.stations,
            "status": st.plan.status,
            "covered_flow": round(st.plan.covered_flow, 6),
            "covered_flow_pct": round(st.plan.covered_flow_pct, 4),
        }
        for st in steps
    ]

    def show(console: Console, rows: list[dict[str, Any]], lang: str) -> None:
        for r in rows:
            console.print(
                f"{r['period']}: +{', '.join(r['opened']) or '-'} ({r['spent']:g}/{r['budget']:g}) -> "
                f"{r['covered_flow_pct']:.2f}% ({t(r['status'], lang)})"
            )

    _emit(args, doc, show)
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        write_json({"periods": doc}, Path(args.out) / "rollout.json")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    if not args.out:
        raise SitingError("export needs --out FOLDER")
    ds, _ = _load(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_nodes_csv(ds.G, out / "nodes.csv")
    write_edges_csv(ds.G, out / "edges.csv")
    write_flows_csv(ds.trips, out / "od.csv")
    print(f"wrote {out / 'nodes.csv'}, {out / 'edges.csv'}, {out / 'od.csv'}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "plan": _cmd_plan,
    "cover": _cmd_cover,
    "size": _cmd_size,
    "compare": _cmd_compare,
    "rollout": _cmd_rollout,
    "export": _cmd_export,
}
