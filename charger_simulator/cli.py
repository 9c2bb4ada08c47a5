"""``charger-sim``: run a station scenario, a fleet, or a 光储充 site from the terminal.

Examples::

    charger-sim station --url ws://127.0.0.1:9000/ocpp --id CP-001 --protocol ocpp1.6 --scenario normal
    charger-sim fleet --count 5000 --ramp-s 60 --duration-s 60 --processes 2
    charger-sim site --config charger_simulator/site/example.yaml --api-url http://127.0.0.1:8000 \
        --api-token T
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from dataclasses import replace
from datetime import timedelta

from rich.console import Console
from rich.live import Live
from rich.table import Table

from charger_simulator.clock import ScaledClock
from charger_simulator.config import PROTOCOLS, StationConfig

TEXT = {
    "en": {
        "booting": "connecting to {url} as {sid} ({protocol})…",
        "booted": "booted: registration {status}",
        "step": "Step",
        "result": "Result",
        "detail": "Detail",
        "at": "t [s]",
        "ok": "scenario {name}: OK",
        "failed": "scenario {name}: FAILED",
        "fleet": "Fleet",
        "site": "Site energy balance",
        "time": "Time",
        "totals": "Totals [kWh]",
        "columns": ["PV", "Load", "EV", "Grid import", "Grid export", "Batt out", "Batt in", "Self-use %"],
    },
    "zh": {
        "booting": "正在以 {sid}（{protocol}）连接 {url}…",
        "booted": "已启动：注册状态 {status}",
        "step": "步骤",
        "result": "结果",
        "detail": "说明",
        "at": "时刻 [s]",
        "ok": "场景 {name}：成功",
        "failed": "场景 {name}：失败",
        "fleet": "集群",
        "site": "光储充站能量平衡",
        "time": "时间",
        "totals": "合计 [kWh]",
        "columns": [
            "光伏",
            "建筑负荷",
            "充电",
            "电网购电",
            "上网电量",
            "储能放电",
            "储能充电",
            "光伏自用率 %",
        ],
    },
}


def _station(args: argparse.Namespace, console: Console, t: dict) -> int:
    from charger_simulator.scenario import load_scenario
    from charger_simulator.station import Station

    config = StationConfig(
        station_id=args.id,
        url=args.url,
        protocol=args.protocol,
        connectors=args.connectors,
        dc=args.dc,
        max_power_w=args.max_power_kw * 1000,
        password=args.password,
        ca_file=args.ca_file,
        cert_file=args.cert_file,
        key_file=args.key_file,
        sample_interval_s=args.sample_interval_s,
    )
    scenario = load_scenario(args.scenario)

    async def main() -> int:
        station = Station(config, clock=ScaledClock(args.time_factor))
        console.print(t["booting"].format(url=config.endpoint, sid=args.id, protocol=args.protocol))
        try:
            await station.run_until_booted(timeout_s=args.boot_timeout_s)
            console.print(t["booted"].format(status=station.registration))
            run = asyncio.create_task(station.run_scenario(scenario))
            with console.status("") as status:
                while not run.done():
                    c = station.model.connectors[1]
                    status.update(
                        f"{'online' if station.online else 'offline'} · {c.status} · "
                        f"{c.energy_wh:.0f} Wh · {c.power_w / 1000:.1f} kW · queued {len(station.outbox)}"
                    )
                    await asyncio.wait({run}, timeout=0.5)
            result = run.result()
        finally:
            await station.stop()
        table = Table(t["step"], t["result"], t["at"], t["detail"])
        for s in result.steps:
            table.add_row(f"{s.index}. {s.name}", "✓" if s.ok else "✗", f"{s.at_s:.0f}", s.detail)
        console.print(table)
        console.print(t["ok" if result.ok else "failed"].format(name=scenario.name))
        return 0 if result.ok else 1

    return asyncio.run(main())


def _fleet(args: argparse.Namespace, console: Console, t: dict) -> int:
    from charger_simulator.fleet import FleetConfig, run_fleet, run_fleet_processes

    cfg = FleetConfig(
        url=args.url,
        count=args.count,
        protocol=args.protocol,
        ramp_s=args.ramp_s,
        duration_s=args.duration_s,
        activity_interval_s=args.activity_interval_s,
        seed=args.seed,
        id_prefix=args.id_prefix,
        start_index=args.start_index,
        password=args.password,
    )
    if args.id_tags:
        cfg = replace(cfg, id_tags=[t.strip() for t in args.id_tags.split(",") if t.strip()])
    if args.mix:
        cfg = replace(cfg, mix={k: float(v) for k, v in (p.split("=") for p in args.mix.split(","))})
        cfg.__post_init__()
    if args.processes > 1:
        report = run_fleet_processes(cfg, args.processes)
    else:

        async def main():
            table = Table(title=t["fleet"])
            with Live(table, console=console, refresh_per_second=2) as live:

                def progress(d: dict) -> None:
                    live.update(_counters_table(t["fleet"], d))

                return await run_fleet(cfg, progress=progress)

        report = asyncio.run(main())
    console.print(_counters_table(t["fleet"], report.as_dict()))
    if args.json:
        print(json.dumps(report.as_dict()))
    return 0 if report.booted == report.stations else 1


def _counters_table(title: str, d: dict) -> Table:
    table = Table("counter", "value", title=title)
    for key, value in d.items():
        table.add_row(key, str(value))
    return table


def _site(args: argparse.Namespace, console: Console, t: dict) -> int:
    from charger_simulator.site.config import load_site
    from charger_simulator.site.runner import Site

    cfg = load_site(args.config)
    overrides = {
        k: v
        for k, v in {
            "api_url": args.api_url,
            "api_token": args.api_token,
            "time_factor": args.time_factor,
            "url": args.url,
            "password": args.password,
        }.items()
        if v is not None
    }
    cfg = replace(cfg, **overrides)
    table = Table(t["time"], "PV kW", "Load kW", "EV kW", "Batt kW", "SoC %", "Grid kW", title=t["site"])

    def on_sample(s, totals) -> None:
        if len(totals.samples) % args.print_every == 0:
            local = (s.timestamp + timedelta(hours=cfg.utc_offset_h)).strftime("%m-%d %H:%M")
            table.add_row(
                local,
                f"{s.pv_power_w / 1000:.1f}",
                f"{s.base_load_w / 1000:.1f}",
                f"{s.chargers_power_w / 1000:.1f}",
                f"{s.battery_power_w / 1000:+.1f}",
                f"{s.battery_soc_pct:.1f}",
                f"{s.grid_import_w / 1000:+.1f}" + (" !" if s.over_grid_limit else ""),
            )

    async def main():
        with Live(table, console=console, refresh_per_second=2):
            return await Site(cfg).run(on_sample)

    totals = asyncio.run(main())
    summary = Table(*t["columns"], title=t["totals"])
    summary.add_row(
        *(
            f"{v:.1f}"
            for v in (
                totals.pv_kwh,
                totals.base_load_kwh,
                totals.chargers_kwh,
                totals.grid_import_kwh,
                totals.grid_export_kwh,
                totals.battery_discharge_kwh,
                totals.battery_charge_kwh,
                totals.self_consumption_pct,
            )
        )
    )
    console.print(summary)
    if totals.steps_over_grid_limit:
        n = totals.steps_over_grid_limit
        console.print(f"grid limit exceeded in {n} steps / 超出电网容量 {n} 次")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="charger-sim", description="Simulated OCPP 1.6J / 2.0.1 chargers, fleets and sites"
    )
    p.add_argument("--lang", choices=["en", "zh"], default="en", help="output language / 输出语言")
    p.add_argument("-v", "--verbose", action="store_true", help="log every OCPP frame")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("station", help="run one station through a scenario")
    s.add_argument("--url", default="ws://127.0.0.1:9000/ocpp")
    s.add_argument("--id", default="CP-001")
    s.add_argument("--protocol", choices=PROTOCOLS, default="ocpp1.6")
    s.add_argument("--scenario", default="normal", help="built-in name or YAML/JSON file")
    s.add_argument("--password")
    s.add_argument("--ca-file", help="wss://: PEM certificate(s) to trust for the CSMS")
    s.add_argument("--cert-file", help="wss://: the station's client certificate (security profile 3)")
    s.add_argument("--key-file", help="wss://: the key of --cert-file")
    s.add_argument("--connectors", type=int, default=1)
    s.add_argument("--dc", action="store_true")
    s.add_argument("--max-power-kw", type=float, default=22.0)
    s.add_argument("--sample-interval-s", type=float, default=60.0)
    s.add_argument("--time-factor", type=float, default=10.0, help="simulated seconds per real second")
    s.add_argument("--boot-timeout-s", type=float, default=60.0)

    f = sub.add_parser("fleet", help="many stations in one or more processes (load generator)")
    f.add_argument("--url", default="ws://127.0.0.1:9000/ocpp")
    f.add_argument("--count", type=int, default=1000)
    f.add_argument("--protocol", choices=[*PROTOCOLS, "mixed"], default="ocpp1.6")
    f.add_argument("--ramp-s", type=float, default=30.0)
    f.add_argument("--duration-s", type=float, default=60.0)
    f.add_argument("--activity-interval-s", type=float, default=10.0)
    f.add_argument("--mix", help="e.g. session=0.3,heartbeat=0.3,status=0.2,authorize=0.2")
    f.add_argument("--seed", type=int, default=1)
    f.add_argument("--id-prefix", default="SIM")
    f.add_argument("--start-index", type=int, default=0)
    f.add_argument("--password")
    f.add_argument("--id-tags", help="comma-separated tokens the fleet presents (default TAG-0001..TAG-0010)")
    f.add_argument("--processes", type=int, default=1)
    f.add_argument("--json", action="store_true", help="also print the report as one JSON line")

    g = sub.add_parser("site", help="a 光储充 site: PV, battery, load and chargers")
    g.add_argument("--config", required=True)
    g.add_argument("--api-url")
    g.add_argument("--api-token")
    g.add_argument("--url", help="override the chargers' CSMS URL")
    g.add_argument("--password")
    g.add_argument("--time-factor", type=float)
    g.add_argument("--print-every", type=int, default=6, help="print every Nth step")

    sub.add_parser("scenarios", help="list the built-in scenarios")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )
    console = Console()
    t = TEXT[args.lang]
    try:
        if args.command == "station":
            return _station(args, console, t)
        if args.command == "fleet":
            return _fleet(args, console, t)
        if args.command == "site":
            return _site(args, console, t)
        from charger_simulator.scenario import builtin_names, load_scenario

        for name in builtin_names():
            console.print(f"{name:24} {load_scenario(name).description}")
        return 0
    except (ValueError, OSError, TimeoutError) as e:
        console.print(f"[red]error:[/red] {e}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
