"""Console pages at scale: how long each page takes with 1,000 stations, 100,000 sessions and 100,000 car
parks in the database (issue 18's target: every page under 300 ms).

The database (SQLite, migrated to head) is filled directly with rows: 1,000 stations (one in 25 with a
Faulted connector), 100,000 sessions over 1,000 days, 100,000 car parks with their stored verdicts, one
光储充 site of 10 stations with a day of telemetry. The CSMS app runs in-process (its lifespan, no energy
manager) and an admin's console session asks each page ``--repeat`` times through httpx's ASGI transport:
the figures are the server's time to build and send a page, without a network. Printed per page: median,
p95 and max [ms], and the pages over the budget.

Run: ``python -m bench.console_pages [--stations 1000] [--sessions 100000] [--car-parks 100000] [--repeat 7]``
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from compliance.categories import Category
from compliance.model import CarPark
from compliance.schema import to_json
from csms.config import Settings
from csms.db.compliance import CarParkRow, CarParkVerdictRow
from csms.db.migrate import upgrade
from csms.db.models import Connector, Station, Transaction
from csms.domain.energy import Member
from csms.main import create_app

BUDGET_MS = 300.0
T0 = datetime(2024, 1, 1, tzinfo=UTC)
DISTRICTS = (
    "岳麓区", "望城区", "宁乡市", "开福区", "天心区", "雨花区", "芙蓉区", "浏阳市", "长沙县", "湘阴县",
)  # fmt: skip
VERDICTS = ("compliant", "non_compliant", "insufficient_data", "not_applicable")


def station_rows(n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    stations = [
        {"id": f"CP{i:04d}", "created_at": T0, "ocpp_version": "2.0.1" if i % 2 else "1.6",
         "latitude": 28.0 + (i % 40) / 100, "longitude": 112.6 + (i // 40) / 100, "last_seen_at": T0}
        for i in range(n)
    ]  # fmt: skip
    connectors = [
        {"station_id": f"CP{i:04d}", "evse_id": 1, "connector_id": 1,
         "status": "Faulted" if i % 25 == 0 else ("Charging" if i % 3 == 0 else "Available"),
         "error_code": "GroundFailure" if i % 25 == 0 else "NoError", "updated_at": T0}
        for i in range(n)
    ]  # fmt: skip
    return stations, connectors


def session_rows(n: int, stations: int) -> list[dict[str, Any]]:
    return [
        {"station_id": f"CP{i % stations:04d}", "evse_id": 1, "connector_id": 1,
         "id_token": f"CARD-{i % 5_000}", "status": "Completed" if i % 50 else "Active",
         "meter_start_wh": 0.0, "meter_stop_wh": 12_000.0, "energy_wh": 12_000.0,
         "started_at": T0 + timedelta(minutes=14 * i),
         "stopped_at": T0 + timedelta(minutes=14 * i + 60), "stop_reason": "Local", "offline": False}
        for i in range(n)
    ]  # fmt: skip


def car_park_rows(n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    template = to_json(CarPark(id="X", name="X", category=Category.SOCIAL_PUBLIC, total_spaces=100))
    categories = tuple(c.value for c in Category)
    records, verdicts = [], []
    for i in range(n):
        cid = f"CP-{i:06d}"
        common = {"id": cid, "name": f"合成停车场{i}", "category": categories[i % len(categories)],
                  "district": DISTRICTS[i % len(DISTRICTS)]}  # fmt: skip
        record = {**template, "id": cid, "name": common["name"]}
        records.append({**common, "record": record, "updated_at": T0})
        verdicts.append(
            {**common, "verdict": VERDICTS[i % 4], "verdict_rules": "xiangjiang-2023",
             "leading_rule": "XJ-PUBLIC-30" if i % 4 == 1 else None, "shortfall": 7 if i % 4 == 1 else None,
             "lon_deg": 112.5 + (i % 1000) / 1000, "lat_deg": 28.0 + (i // 1000) / 200}
        )  # fmt: skip
    return records, verdicts


async def fill(app: Any, stations: int, sessions: int, car_parks: int) -> None:
    services = app.state.services
    station, connector = station_rows(stations)
    records, verdicts = car_park_rows(car_parks)
    tx = session_rows(sessions, stations)
    async with services.uow() as session:
        await session.execute(insert(Station), station)
        await session.execute(insert(Connector), connector)
    for start in range(0, max(sessions, car_parks), 10_000):
        async with services.uow() as session:
            if start < sessions:
                await session.execute(insert(Transaction), tx[start : start + 10_000])
            if start < car_parks:
                await session.execute(insert(CarParkRow), records[start : start + 10_000])
                await session.execute(insert(CarParkVerdictRow), verdicts[start : start + 10_000])
    await services.sites.create(
        "S1", {"name": "梅溪湖光储充站", "area": "岳麓区", "grid_limit_kw": 100.0, "pv_kwp": 50.0},
        [Member(f"CP{i:04d}") for i in range(10)],
    )


async def sign_in(http: httpx.AsyncClient, secret: str) -> None:
    form = await http.get("/console/login")
    pre = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert pre is not None
    answer = await http.post("/console/login", data={"token": secret, "csrf": pre.group(1), "next": ""})
    assert answer.status_code == 303, answer.text


def pages(args: argparse.Namespace) -> list[str]:
    sessions, car_park = args.sessions, f"CP-{args.car_parks // 2:06d}"
    return [
        "/console/", "/console/stations", "/console/stations?page=20", "/console/stations?status=Faulted",
        "/console/stations?q=CP09", "/console/stations/map", "/console/stations/map/stations.json",
        "/console/stations/CP0042", "/console/id-tokens",
        "/console/sessions", f"/console/sessions?page={max(1, sessions // 50 - 1)}",
        "/console/sessions?station=CP0042", "/console/sessions?token=CARD-17",
        "/console/sessions?status=Active",
        "/console/sessions?from=2025-03-01&to=2025-03-31", f"/console/sessions/{sessions // 2}",
        "/console/sites", "/console/sites/S1",
        "/console/compliance", "/console/compliance?district=望城区",
        "/console/compliance?verdict=non_compliant&category=residential",
        "/console/compliance?district=宁乡市&verdict=compliant&page=150", "/console/compliance?q=停车场9999",
        f"/console/compliance/car-parks/{car_park}", "/console/compliance/map",
        "/console/compliance/map/points.json", "/console/compliance/imports",
        "/console/compliance/inspections",
        "/console/planning", "/console/admin",
    ]  # fmt: skip


async def run(args: argparse.Namespace, url: str) -> list[tuple[str, list[float]]]:
    settings = Settings(database_url=url, ocpp_host="127.0.0.1", ocpp_port=0, energy_manager_enabled=False)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        began = time.perf_counter()
        await fill(app, args.stations, args.sessions, args.car_parks)
        print(f"filled in {time.perf_counter() - began:.1f} s: {args.stations:,} stations, "
              f"{args.sessions:,} sessions, {args.car_parks:,} car parks", flush=True)  # fmt: skip
        _, secret = await app.state.services.api_tokens.create("admin", "bench")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://csms") as http:
            await sign_in(http, secret)
            return [(path, await timed(http, path, args.repeat)) for path in pages(args)]


async def timed(http: httpx.AsyncClient, path: str, repeat: int) -> list[float]:
    first = await http.get(path)  # warm: templates compiled, caches filled
    assert first.status_code == 200, (path, first.status_code)
    took = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = await http.get(path)
        took.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200
    return took


def report(results: list[tuple[str, list[float]]]) -> None:
    width = max(len(path) for path, _ in results)
    print(f"{'page':<{width}}  {'median':>7}  {'p95':>7}  {'max':>7}  [ms]")
    over = []
    for path, took in results:
        ordered = sorted(took)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        median = statistics.median(took)
        print(f"{path:<{width}}  {median:7.1f}  {p95:7.1f}  {max(took):7.1f}")
        if median > BUDGET_MS:
            over.append(path)
    slowest = max(results, key=lambda r: statistics.median(r[1]))
    print(f"slowest median: {statistics.median(slowest[1]):.1f} ms ({slowest[0]}); "
          f"pages with a median over {BUDGET_MS:.0f} ms: {len(over)} {over if over else ''}")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--stations", type=int, default=1_000)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--car-parks", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'console.sqlite3'}"
        upgrade(url)
        report(asyncio.run(run(args, url)))


if __name__ == "__main__":
    main()
