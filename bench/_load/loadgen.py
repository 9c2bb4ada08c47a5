"""A lean OCPP 1.6J load generator: each station boots, then sends a closed loop of messages.

Run: ``python -m bench._load.loadgen URL FIRST COUNT WARMUP_S DURATION_S RATE``; prints one JSON line with
the messages answered during the measured window and their round-trip times. RATE 0 is a closed loop as fast
as the server answers; otherwise each station sends one message every 1/RATE seconds.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import sys
import time

from websockets.asyncio.client import connect

from bench._load.common import raise_fd_limit

BOOT = {"chargePointVendor": "Bench", "chargePointModel": "Load-1"}


def _meter(tx: int, wh: int, ts: str) -> dict:
    return {"connectorId": 1, "transactionId": tx, "meterValue": [{"timestamp": ts, "sampledValue": [
        {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
        {"value": "7200", "measurand": "Power.Active.Import", "unit": "W"},
        {"value": "31.3", "measurand": "Current.Import", "unit": "A", "phase": "L1"},
        {"value": "230.2", "measurand": "Voltage", "unit": "V", "phase": "L1-N"},
    ]}]}


class Stats:
    def __init__(self) -> None:
        self.measuring = False
        self.count = 0
        self.rtts_ms: list[float] = []
        self.errors = 0
        self.connected = 0
        self.error_kinds: dict[str, int] = {}


async def station(url: str, sid: str, stats: Stats, stop: asyncio.Event, rate: float) -> None:
    ids = itertools.count()
    try:
        async with connect(f"{url}/{sid}", subprotocols=["ocpp1.6"], ping_interval=None, compression=None,
                           open_timeout=120, max_queue=4) as ws:

            async def call(action: str, payload: dict) -> list:
                uid = str(next(ids))
                started = time.perf_counter()
                await ws.send(json.dumps([2, uid, action, payload]))
                reply = json.loads(await ws.recv())
                if stats.measuring:
                    stats.count += 1
                    stats.rtts_ms.append((time.perf_counter() - started) * 1000)
                if reply[0] != 3:
                    stats.errors += 1
                return reply

            await call("BootNotification", BOOT)
            ts = "2026-11-24T00:00:00Z"
            tx = (await call("StartTransaction", {"connectorId": 1, "idTag": "BENCH", "meterStart": 0, "timestamp": ts}))[2]
            tx_id = tx.get("transactionId", 1)
            stats.connected += 1  # ready: booted and charging
            wh = 0
            plan = itertools.cycle(["mv", "mv", "mv", "hb", "mv", "mv", "mv", "sn"])
            if rate:
                await asyncio.sleep(random.random() / rate)
            while not stop.is_set():
                kind = next(plan)
                tick = time.perf_counter()
                if kind == "mv":
                    wh += 50
                    await call("MeterValues", _meter(tx_id, wh, ts))
                elif kind == "hb":
                    await call("Heartbeat", {})
                else:
                    await call("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Charging"})
                if rate:
                    await asyncio.sleep(max(0.0, 1 / rate - (time.perf_counter() - tick)))
    except Exception as exc:
        stats.errors += 1
        stats.error_kinds[type(exc).__name__] = stats.error_kinds.get(type(exc).__name__, 0) + 1


async def main(url: str, first: int, count: int, warmup_s: float, duration_s: float, rate: float) -> None:
    raise_fd_limit()
    stats, stop = Stats(), asyncio.Event()
    tasks = []
    for i in range(first, first + count):
        tasks.append(asyncio.create_task(station(url, f"LOAD-{i:06d}", stats, stop, rate)))
        if i % 50 == 49:
            await asyncio.sleep(0.01)  # a staggered start, as after a real outage
    deadline = time.perf_counter() + 300
    while stats.connected + stats.errors < count and time.perf_counter() < deadline:
        await asyncio.sleep(0.2)
    await asyncio.sleep(warmup_s)
    stats.measuring, started = True, time.perf_counter()
    await asyncio.sleep(duration_s)
    stats.measuring = False
    elapsed = time.perf_counter() - started
    print(json.dumps({"count": stats.count, "elapsed_s": elapsed, "rtts_ms": stats.rtts_ms,
                      "errors": stats.errors, "connected": stats.connected,
                      "error_kinds": stats.error_kinds}), flush=True)
    # keep the connections open until told to stop, so the server's RSS can be read with all of them held
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    stop.set()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


if __name__ == "__main__":
    u, f, c, w, d, r = sys.argv[1:7]
    asyncio.run(main(u, int(f), int(c), float(w), float(d), float(r)))
