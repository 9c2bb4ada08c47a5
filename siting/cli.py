"""``siting``: plan expressway fast chargers and hydrogen stations from the command line.

Commands: ``plan``, ``cover``, ``size``, ``compare``, ``rollout``, ``export``, ``capacity``. Every
command reads a built-in network (``--network hunan`` or ``25node``) or files (``--nodes --edges
--flows``). Errors in the input end the run with exit code 2 and a message naming the offending
row, node or edge.
"""

from __future__ import annotations

import argparse
import sys

from siting.commands import COMMANDS
from siting.commands_capacity import add_capacity_parser, cmd_capacity
from siting.errors import RangeError, SitingError

__all__ = ["main", "build_parser"]


def _common(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("network and demand")
    g.add_argument("--network", choices=["hunan", "25node"], help="built-in network")
    g.add_argument("--nodes", help="nodes CSV: id,kind,weight,x,y,name")
    g.add_argument(
        "--edges",
        help="edges CSV (from,to,length_km[,corridor]), .graphml, .geojson, or an OSM .osm/.osm.pbf",
    )
    g.add_argument(
        "--crs", help="coordinates of --edges GeoJSON and --nodes: wgs84 (default), gcj02, EPSG:nnnn"
    )
    g.add_argument("--flows", help="O-D flows CSV: origin,destination,flow[,path]; default gravity model")
    g.add_argument("--beta", type=float, default=1.5, help="gravity distance exponent (default 1.5)")
    g.add_argument("--gravity-scale", type=float, default=1.0, help="gravity flow multiplier")
    s = p.add_argument_group("sites and vehicles")
    s.add_argument(
        "--candidates",
        default="auto",
        help="auto (service areas) | service-areas | interchanges | cities | all | FILE | id,id,... "
        "(keywords and ids may be mixed: service-areas,interchanges)",
    )
    s.add_argument(
        "--add-candidate",
        action="append",
        default=[],
        metavar="NODE|U:V:KM[:NAME]",
        help="add a candidate site: an existing node, or a new site KM km from U along edge U-V (repeatable)",
    )
    s.add_argument("--existing", default="", help="stations already open (kept open), id,id,...")
    s.add_argument("--costs", help="CSV id,cost of opening each site (overrides the cost model)")
    c = p.add_argument_group("costs (money, any unit; see siting.costs)")
    c.add_argument("--site-cost", type=float, help="construction of a site (node construction_cost wins)")
    c.add_argument("--charger-cost", type=float, help="one charger or dispenser, installed")
    c.add_argument("--chargers-per-site", type=int, help="chargers a new site is built with (default 4)")
    c.add_argument("--grid-cost-per-km", type=float, help="grid connection per km of node substation_km")
    s.add_argument("--fuel", choices=["ev", "h2"], default="ev")
    s.add_argument(
        "--vehicle", choices=["car", "truck"], help="demand and range of this class (default car; h2: truck)"
    )
    s.add_argument("--truck-share", type=float, help="trucks' share of all traffic (default 0.25)")
    g.add_argument("--counts", help="traffic counts CSV from,to,aadt[,trucks]: calibrate the gravity demand")
    s.add_argument("--range-km", type=float, help="vehicle range [km] (default 300 ev, 400 h2)")
    s.add_argument(
        "--refuse-unservable",
        action="store_true",
        help="refuse trips crossing an edge longer than the range (default: plan the rest and report them)",
    )
    s.add_argument(
        "--skip-unservable", action="store_true", help="(the default now) plan without unservable trips"
    )
    o = p.add_argument_group("output")
    o.add_argument("--format", choices=["text", "json"], default="text")
    o.add_argument("--out", help="folder for plan.json, plan.geojson, map.html, map.png, curve.png")
    o.add_argument("--lang", choices=["en", "zh"], default="en")
    o.add_argument("--time-limit", type=float, default=60.0, help="solver time limit per solve [s]")
    o.add_argument(
        "--gap",
        type=float,
        default=0.01,
        help="stop each exact solve once its MIP gap is certified below this "
        "(default 0.01 = 1%%; 0: prove optimality)",
    )


def _sizing(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("sizing (Erlang C)")
    g.add_argument("--adoption-share", type=float, help="share of the flow using this fuel")
    g.add_argument("--consumption", type=float, help="kWh/km (ev) or kg/km (h2)")
    g.add_argument("--server-rate", type=float, help="charger power [kW] or dispenser rate [kg/h]")
    g.add_argument("--module-capacity", type=float, help="hydrogen supply module [kg/day]")
    g.add_argument("--peak-hour-share", type=float, help="share of daily visits in the peak hour")
    g.add_argument("--wait-target-min", type=float, default=10.0, help="waiting-time target [min]")
    g.add_argument("--max-wait-prob", type=float, default=0.05, help="bound on P(wait > target)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="siting", description="Plan expressway fast chargers and hydrogen stations on a road network."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    plan = sub.add_parser("plan", help="maximum flow refuelled with p new stations")
    _common(plan)
    _sizing(plan)
    plan.add_argument("--stations", type=int, help="number of new stations p (with --budget: at most p)")
    plan.add_argument("--budget", type=float, help="money for new sites, in the unit of the costs")
    plan.add_argument("--method", choices=["exact", "heuristic"], default="exact")
    plan.add_argument("--curve-max", type=int, help="coverage curve for p = 1..N (default p; 0: none)")
    plan.add_argument("--max-gap-km", type=float, default=50.0, help="corridor spacing limit [km]")
    plan.add_argument(
        "--share-sites", help="plan JSON whose stations are the only candidate sites (co-location)"
    )
    cover = sub.add_parser("cover", help="fewest (or cheapest) stations refuelling every servable trip")
    _common(cover)
    cover.add_argument("--minimise", choices=["count", "cost"], default="count")
    size = sub.add_parser("size", help="chargers or dispensers per station for a given station set")
    _common(size)
    _sizing(size)
    size.add_argument("--plan", help="plan JSON from `siting plan`")
    size.add_argument("--sites", help="stations id,id,... (instead of --plan)")
    compare = sub.add_parser("compare", help="several scenarios side by side")
    _common(compare)
    compare.add_argument(
        "--scenario",
        action="append",
        default=[],
        help="NAME:FUEL:RANGE_KM:STATIONS, repeatable (default ev and h2 at 4 and 8)",
    )
    compare.add_argument("--method", choices=["exact", "heuristic"], default="exact")
    roll = sub.add_parser("rollout", help="open stations period by period under a budget per period")
    _common(roll)
    roll.add_argument("--budgets", required=True, help="budget of each period in site-cost units, e.g. 2,2,3")
    export = sub.add_parser("export", help="write a network as nodes.csv, edges.csv and od.csv")
    _common(export)
    add_capacity_parser(sub, _common)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``siting`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return {**COMMANDS, "capacity": cmd_capacity}[args.command](args)
    except RangeError as exc:
        print(
            f"siting: error: {exc} (raise --range-km, or drop --refuse-unservable to plan the rest)",
            file=sys.stderr,
        )
        return 2
    except SitingError as exc:
        print(f"siting: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
