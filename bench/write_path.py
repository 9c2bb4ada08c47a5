"""The CSMS's write path alone: its CPU time per message, without sockets, OCPP or a load generator.

``STATIONS`` closed-loop stations (asyncio tasks) call the services a station's messages reach (MeterValues
with 4 samples, Heartbeat, StatusNotification, mixed as in ``bench.csms_load``) on SQLite
(``synchronous=FULL``, each call returns after its commit; a heartbeat's last-seen time is committed
unawaited), on one event loop. Printed: the process's CPU time (user + system) per message [µs] over the
measured messages, the median of ``--rounds`` runs. CPU time moves far less with the machine's other load
than a throughput does, so a change to the write path can be judged on a shared machine; it is not a
throughput.

Run: ``python -m bench.write_path [--stations 1000] [--messages 40000] [--rounds 5] [--mix mv,hb,sn]``
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from csms.config import Settings
from csms.db.migrate import upgrade
from csms.db.models import Station, Transaction
from csms.db.session import create_engine, create_session_factory
from csms.domain.metering import MeterReport, Sample
from csms.domain.session import StartRequest
from csms.domain.stations import StatusChange
from csms.gc_tuning import tune_for_server
from csms.services import Services, build_services

PLAN = ("mv", "mv", "mv", "hb", "mv", "mv", "mv", "sn")
"""The load generator's mix: 75% MeterValues, 12.5% Heartbeat, 12.5% StatusNotification."""
TS = datetime(2026, 11, 24, tzinfo=UTC)


def _samples(wh: float) -> list[Sample]:
    return [
        Sample(TS, "Energy.Active.Import.Register", wh, "Wh"),
        Sample(TS, "Power.Active.Import", 7200.0, "W"),
        Sample(TS, "Current.Import", 31.3, "A", "L1"),
        Sample(TS, "Voltage", 230.2, "V", "L1-N"),
    ]


async def _station(
    services: Services, sid: str, tx_id: int, plan: tuple[str, ...], budget: list[int]
) -> None:
    wh = 0.0
    for kind in itertools.cycle(plan):
        if budget[0] <= 0:
            return
        budget[0] -= 1
        if kind == "mv":
            wh += 50
            await services.meters.write(MeterReport(sid, 1, _samples(wh), transaction_id=tx_id))
        elif kind == "hb":
            await services.stations.heartbeat(sid)
        else:
            await services.stations.status_notification(sid, StatusChange(1, 1, "Charging", TS, "NoError"))


async def _run(db: Path, stations: int, messages: int, plan: tuple[str, ...]) -> tuple[float, float]:
    url = f"sqlite+aiosqlite:///{db}"
    engine = create_engine(url)
    services = build_services(Settings(database_url=url), create_session_factory(engine))
    sids = [f"LOAD-{i:06d}" for i in range(stations)]
    async with services.uow() as session:
        await session.execute(
            insert(Station), [{"id": s, "registration_status": "Accepted", "created_at": TS} for s in sids]
        )
    services.committer.start(url)
    try:
        await asyncio.gather(*(
            services.transactions.start(StartRequest(s, 1, "BENCH", 0.0, TS - timedelta(hours=1)))
            for s in sids
        ))
        async with services.uow.read() as session:
            tx_ids = dict((await session.execute(select(Transaction.station_id, Transaction.id))).all())
        tune_for_server()
        # warm up (caches, the statements' plans), then measure
        await asyncio.gather(*(_station(services, s, tx_ids[s], plan, [4]) for s in sids))
        budget = [messages]
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(_station(services, s, tx_ids[s], plan, budget) for s in sids))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        await services.committer.stop()
        await engine.dispose()
    return cpu / messages * 1e6, messages / wall


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.write_path")
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=40_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--mix", default=",".join(PLAN), help="a station's message cycle: mv, hb, sn")
    args = parser.parse_args(argv)
    plan = tuple(args.mix.split(","))
    figures = []
    for n in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / f"w{n}.sqlite3"
            upgrade(f"sqlite+aiosqlite:///{db}")  # Alembic runs its own event loop
            figures.append(asyncio.run(_run(db, args.stations, args.messages, plan)))
        cpu_us, rate = figures[-1]
        print(f"round {n}: {cpu_us:.1f} µs CPU per message, {rate:.0f} messages/s", flush=True)
    print(f"write path, {args.stations} stations, mix {args.mix}: median "
          f"{statistics.median(f[0] for f in figures):.1f} µs CPU per message "
          f"(min {min(f[0] for f in figures):.1f})")


if __name__ == "__main__":
    main()
