"""Benchmark: the CSMS energy manager's cycle for 500 sites x 20 stations, storage included (SQLite).

Run: ``.venv/bin/python -m bench.site_energy_manager [--sites N] [--stations M] [--repeat R]``.

``bench.site_allocation`` times the pure allocation; this one times what the service really does each
cycle: read every site's snapshot (spec, stations, latest telemetry, active sessions) from a migrated SQLite
database, allocate, plan the SetChargingProfile messages past the hysteresis, send them to stations (a fake
gateway that answers ``Accepted`` at once, so the figure is the CSMS's own cost) and record what was accepted.
Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from csms.config import Settings
from csms.db.migrate import upgrade
from csms.db.models import Station, Transaction
from csms.db.session import create_engine, create_session_factory
from csms.db.sites import Site, SiteStation, SiteTelemetry
from csms.domain.energy import TelemetrySample
from csms.ocpp_handlers import v16, v201
from csms.services import build_services
from csms.services.energy_manager import EnergyManager


class _Conn:
    def __init__(self, version: str) -> None:
        self.ocpp_version, self.boot_accepted = version, True


class _Gateway:
    """Every station online; each profile translated for its station's version, answered Accepted at once."""

    def __init__(self, versions: dict[str, str]) -> None:
        self.conns = {sid: _Conn(v) for sid, v in versions.items()}
        self.calls = 0

    def is_online(self, station_id: str) -> bool:
        return station_id in self.conns

    def get(self, station_id: str) -> _Conn:
        return self.conns[station_id]

    async def command(self, station_id: str, name: str, params: Any) -> tuple[str, dict[str, Any]]:
        action, _ = _TRANSLATORS[self.conns[station_id].ocpp_version](params)
        self.calls += 1
        return action, {"status": "Accepted"}


_TRANSLATORS = {"1.6": v16.set_charging_profile, "2.0.1": v201.set_charging_profile}


async def _seed(url: str, n_sites: int, n_stations: int, now: datetime) -> dict[str, str]:
    rng = random.Random(6)
    engine = create_engine(url)
    versions: dict[str, str] = {}
    sites, stations, members, txs, telemetry = [], [], [], [], []
    for i in range(n_sites):
        sid = f"site-{i}"
        sites.append(
            {
                "id": sid,
                "name": "",
                "area": f"area-{i % 8}",
                "grid_limit_kw": rng.choice([250, 400, 630]),
                "transformer_limit_kw": None,
                "pv_kwp": rng.choice([0, 100, 200]),
                "battery_capacity_kwh": 200,
                "battery_power_kw": 100,
                "battery_soc_min_pct": 10,
                "battery_soc_max_pct": 90,
                "base_load_kw": 80,
                "voltage_v": 220.0,
                "tariff": None,
                "created_at": now,
                "updated_at": now,
            }
        )
        telemetry.append(
            {
                "site_id": sid,
                "timestamp": now,
                "pv_power_w": rng.uniform(0, 150_000),
                "battery_power_w": 0.0,
                "battery_soc_pct": rng.uniform(10, 90),
                "grid_import_w": None,
                "base_load_w": rng.uniform(20_000, 80_000),
                "received_at": now,
            }
        )
        for j in range(n_stations):
            st = f"{sid}-cp{j}"
            dc = j % 4 == 0
            versions[st] = "2.0.1" if j % 2 else "1.6"
            stations.append({"id": st, "registration_status": "Accepted", "created_at": now})
            members.append(
                {
                    "station_id": st,
                    "site_id": sid,
                    "current_type": "DC" if dc else "AC",
                    "phases": 3,
                    "max_power_w": 60_000.0 if dc else 21_120.0,
                    "min_power_w": None,
                    "priority": rng.choice(["standard", "standard", "fleet", "public_service"]),
                }
            )
            txs.append(
                {
                    "station_id": st,
                    "uid": f"tx-{st}" if versions[st] == "2.0.1" else None,
                    "evse_id": 1,
                    "connector_id": 1,
                    "status": "Active",
                    "started_at": now - timedelta(minutes=j),
                    "offline": False,
                }
            )
    async with engine.begin() as conn:
        for table, rows in (
            (Site, sites),
            (Station, stations),
            (SiteStation, members),
            (Transaction, txs),
            (SiteTelemetry, telemetry),
        ):
            await conn.execute(insert(table.__table__), rows)
    await engine.dispose()
    return versions


async def _run(n_sites: int, n_stations: int, repeat: int) -> None:
    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # 18:00 in Changsha: a peak hour
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        await asyncio.to_thread(upgrade, url)
        versions = await _seed(url, n_sites, n_stations, now)
        settings = Settings(database_url=url)
        engine = create_engine(url)
        services = build_services(settings, create_session_factory(engine), lambda: now)
        gw = _Gateway(versions)
        dr = services.demand_response
        manager = EnergyManager(settings, services.sites, dr, gw, lambda: now)

        started = time.perf_counter()
        snaps = await services.sites.snapshots()
        read_s = time.perf_counter() - started
        sessions = sum(len(s.sessions) for s in snaps)
        print(f"{n_sites} sites x {n_stations} stations, {sessions} active sessions")
        print(f"snapshot read (4 queries):            {read_s:.3f} s")

        started = time.perf_counter()
        await manager.run_cycle()
        took = time.perf_counter() - started
        print(f"first cycle (every profile sent):     {took:.3f} s, {gw.calls} messages")

        steady = []
        for _ in range(repeat):
            gw.calls = 0
            started = time.perf_counter()
            await manager.run_cycle()
            steady.append(time.perf_counter() - started)
        print(
            f"steady cycle (nothing changed):       median {statistics.median(steady):.3f} s, "
            f"best {min(steady):.3f} s, {gw.calls} messages"
        )

        rng = random.Random(7)
        for s in snaps:  # a cloud over every site: less PV everywhere
            sample = TelemetrySample(now, rng.uniform(0, 20_000), 60_000.0, 0.0, 10.0)
            await services.sites.ingest(s.spec.site_id, [sample])
        gw.calls = 0
        started = time.perf_counter()
        await manager.run_cycle()
        took = time.perf_counter() - started
        print(f"cycle after a cloud on every site:    {took:.3f} s, {gw.calls} messages")
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--stations", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    asyncio.run(_run(args.sites, args.stations, args.repeat))


if __name__ == "__main__":
    main()
