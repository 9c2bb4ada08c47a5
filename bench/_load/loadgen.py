"""A lean OCPP 1.6J load generator: each station boots, then sends a closed loop of messages.

Run: ``python -m bench._load.loadgen URL FIRST COUNT WARMUP_S DURATION_S RATE``; prints a JSON line as the
measured window opens, then one with the messages answered during it and their round-trip times. RATE 0 is a
closed loop as fast as the server answers; otherwise each station sends one message every 1/RATE seconds.

Each station is an asyncio ``Protocol`` driving the ``websockets`` library's sans-I/O client (handshake,
masking, framing) directly, without the library's asyncio connection layer (a task, a receive queue and a
write lock per socket). The stations are still honest OCPP-J clients, but a message costs the generator
about a third of the CPU, which leaves the shared cores to the server under test: the generator must not be
what the benchmark measures.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import sys
import time
from typing import Any
from urllib.parse import urlparse

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

from bench._load.common import raise_fd_limit

BOOT = {"chargePointVendor": "Bench", "chargePointModel": "Load-1"}
TS = "2026-11-24T00:00:00Z"
PLAN = ("mv", "mv", "mv", "hb", "mv", "mv", "mv", "sn")
OPEN_TIMEOUT_S = 120.0


def _meter(tx: int, wh: int) -> dict[str, Any]:
    return {"connectorId": 1, "transactionId": tx, "meterValue": [{"timestamp": TS, "sampledValue": [
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

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


class Station(asyncio.Protocol):
    """One charge point: BootNotification, StartTransaction, then the message plan until stopped."""

    def __init__(self, url: str, stats: Stats, rate: float) -> None:
        self.ws = ClientProtocol(parse_uri(url), subprotocols=[Subprotocol("ocpp1.6")])
        self.stats, self.rate = stats, rate
        self.transport: asyncio.Transport | None = None
        self.ids = itertools.count()
        self.plan = itertools.cycle(PLAN)
        self.step = "boot"
        self.tx_id = 1
        self.wh = 0
        self.sent_at = 0.0
        self.stopped = False
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._open_timer = asyncio.get_running_loop().call_later(OPEN_TIMEOUT_S, self._fail, "TimeoutError")

    # -- transport events -------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.ws.send_request(self.ws.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Response):
                self._open_timer.cancel()
                if self.ws.state is not State.OPEN:
                    self._fail(type(self.ws.handshake_exc).__name__)
                    return
                self._call("BootNotification", BOOT)
            elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                self._answered(json.loads(event.data))
        self._flush()

    def connection_lost(self, exc: Exception | None) -> None:
        self._open_timer.cancel()
        if not self.stopped and not self.closed.done():
            self.stats.error(type(exc).__name__ if exc else "ConnectionClosed")
        if not self.closed.done():
            self.closed.set_result(None)

    # -- the station's session --------------------------------------------------------------------------
    def _answered(self, reply: list[Any]) -> None:
        stats = self.stats
        if stats.measuring:
            stats.count += 1
            stats.rtts_ms.append((time.perf_counter() - self.sent_at) * 1000)
        if reply[0] != 3:
            stats.error("CallError")
        if self.step == "boot":
            self.step = "start"
            self._call("StartTransaction",
                       {"connectorId": 1, "idTag": "BENCH", "meterStart": 0, "timestamp": TS})
        elif self.step == "start":
            self.tx_id = reply[2].get("transactionId", 1) if reply[0] == 3 else 1
            self.step = "run"
            stats.connected += 1  # ready: booted and charging
            if self.rate:
                asyncio.get_running_loop().call_later(random.random() / self.rate, self._next)
            else:
                self._next()
        elif self.rate:
            delay = max(0.0, 1 / self.rate - (time.perf_counter() - self.sent_at))
            asyncio.get_running_loop().call_later(delay, self._next)
        else:
            self._next()

    def _next(self) -> None:
        if self.stopped:
            return
        kind = next(self.plan)
        if kind == "mv":
            self.wh += 50
            self._call("MeterValues", _meter(self.tx_id, self.wh))
        elif kind == "hb":
            self._call("Heartbeat", {})
        else:
            self._call("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Charging"})
        self._flush()

    def _call(self, action: str, payload: dict[str, Any]) -> None:
        self.sent_at = time.perf_counter()
        self.ws.send_text(json.dumps([2, str(next(self.ids)), action, payload]).encode())

    def _flush(self) -> None:
        data = self.ws.data_to_send()
        if data and self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(data))

    def _fail(self, kind: str) -> None:
        if not self.closed.done():
            self.stats.error(kind)
            self.closed.set_result(None)
        if self.transport is not None:
            self.transport.abort()

    def stop(self) -> None:
        self.stopped = True
        if self.transport is not None and self.ws.state is State.OPEN:
            self.ws.send_close()
            self._flush()
        if self.transport is not None:
            self.transport.close()


async def open_station(url: str, stats: Stats, rate: float) -> Station | None:
    parts = urlparse(url)
    loop = asyncio.get_running_loop()
    try:
        _, station = await loop.create_connection(
            lambda: Station(url, stats, rate), parts.hostname, parts.port
        )
    except OSError as exc:
        stats.error(type(exc).__name__)
        return None
    return station


async def main(url: str, first: int, count: int, warmup_s: float, duration_s: float, rate: float) -> None:
    raise_fd_limit()
    stats = Stats()
    opening = []
    for i in range(first, first + count):
        opening.append(asyncio.create_task(open_station(f"{url}/LOAD-{i:06d}", stats, rate)))
        if i % 50 == 49:
            await asyncio.sleep(0.01)  # a staggered start, as after a real outage
    stations = [s for s in await asyncio.gather(*opening) if s is not None]
    deadline = time.perf_counter() + 300
    while stats.connected + stats.errors < count and time.perf_counter() < deadline:
        await asyncio.sleep(0.2)
    await asyncio.sleep(warmup_s)
    stats.measuring, started = True, time.perf_counter()
    print(json.dumps({"measuring": True}), flush=True)  # the parent samples the server's CPU time from here
    await asyncio.sleep(duration_s)
    stats.measuring = False
    elapsed = time.perf_counter() - started
    print(json.dumps({"count": stats.count, "elapsed_s": elapsed, "rtts_ms": stats.rtts_ms,
                      "errors": stats.errors, "connected": stats.connected,
                      "error_kinds": stats.error_kinds}), flush=True)
    # keep the connections open until told to stop, so the server's RSS can be read with all of them held
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    for station in stations:
        station.stop()
    await asyncio.wait([s.closed for s in stations], timeout=10)


if __name__ == "__main__":
    u, f, c, w, d, r = sys.argv[1:7]
    asyncio.run(main(u, int(f), int(c), float(w), float(d), float(r)))
