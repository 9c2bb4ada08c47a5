"""A minimal in-test CSMS: the ocpp library's server-side ChargePoint over a real websockets server.

It accepts both subprotocols, records every frame and every request it receives, and lets a test
send CSMS-initiated calls (typed or raw) to a connected station.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from datetime import UTC, datetime

from ocpp.routing import on
from ocpp.v16 import ChargePoint as CP16
from ocpp.v16 import call_result as r16
from ocpp.v201 import ChargePoint as CP201
from ocpp.v201 import call_result as r201
from websockets.asyncio.server import serve
from websockets.http11 import Response


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Recorder:
    """Shared recording for both versions."""

    def init_recorder(self, csms: MiniCsms) -> None:
        self.csms = csms
        self.frames: list[list] = []

    async def route_message(self, raw_msg):
        self.frames.append(json.loads(raw_msg) if raw_msg.startswith("[") else raw_msg)
        self.csms.changed()
        await super().route_message(raw_msg)

    def record(self, action: str, payload: dict) -> None:
        self.csms.requests.append((self.id, action, payload))
        self.csms.changed()


class Csms16(Recorder, CP16):
    @on("BootNotification")
    def boot(self, **kw):
        self.record("BootNotification", kw)
        status = self.csms.next_boot_status()
        return r16.BootNotification(current_time=_now(), interval=self.csms.heartbeat_s, status=status)

    @on("Heartbeat")
    def heartbeat(self, **kw):
        self.record("Heartbeat", kw)
        return r16.Heartbeat(current_time=_now())

    @on("StatusNotification")
    def status(self, **kw):
        self.record("StatusNotification", kw)
        return r16.StatusNotification()

    @on("Authorize")
    def authorize(self, id_tag, **kw):
        self.record("Authorize", {"id_tag": id_tag})
        return r16.Authorize(id_tag_info={"status": self.csms.token_status(id_tag)})

    @on("StartTransaction")
    def start_tx(self, **kw):
        self.record("StartTransaction", kw)
        txid = next(self.csms.tx_ids)
        return r16.StartTransaction(
            transaction_id=txid, id_tag_info={"status": self.csms.token_status(kw["id_tag"])}
        )

    @on("StopTransaction")
    async def stop_tx(self, **kw):
        self.record("StopTransaction", kw)
        await self.csms.held("StopTransaction")
        return r16.StopTransaction(id_tag_info={"status": "Accepted"})

    @on("MeterValues")
    def meter(self, **kw):
        self.record("MeterValues", kw)
        return r16.MeterValues()

    @on("FirmwareStatusNotification")
    def fw(self, **kw):
        self.record("FirmwareStatusNotification", kw)
        return r16.FirmwareStatusNotification()

    @on("DiagnosticsStatusNotification")
    def diag(self, **kw):
        self.record("DiagnosticsStatusNotification", kw)
        return r16.DiagnosticsStatusNotification()


class Csms201(Recorder, CP201):
    @on("BootNotification")
    def boot(self, **kw):
        self.record("BootNotification", kw)
        status = self.csms.next_boot_status()
        return r201.BootNotification(current_time=_now(), interval=self.csms.heartbeat_s, status=status)

    @on("Heartbeat")
    def heartbeat(self, **kw):
        self.record("Heartbeat", kw)
        return r201.Heartbeat(current_time=_now())

    @on("StatusNotification")
    def status(self, **kw):
        self.record("StatusNotification", kw)
        return r201.StatusNotification()

    @on("Authorize")
    def authorize(self, id_token, **kw):
        self.record("Authorize", {"id_token": id_token})
        return r201.Authorize(id_token_info={"status": self.csms.token_status(id_token["id_token"])})

    @on("TransactionEvent")
    def tx_event(self, **kw):
        self.record("TransactionEvent", kw)
        token = kw.get("id_token")
        if token:
            return r201.TransactionEvent(id_token_info={"status": self.csms.token_status(token["id_token"])})
        return r201.TransactionEvent()

    @on("MeterValues")
    def meter(self, **kw):
        self.record("MeterValues", kw)
        return r201.MeterValues()

    @on("NotifyReport")
    def notify_report(self, **kw):
        self.record("NotifyReport", kw)
        return r201.NotifyReport()

    @on("FirmwareStatusNotification")
    def fw(self, **kw):
        self.record("FirmwareStatusNotification", kw)
        return r201.FirmwareStatusNotification()

    @on("ReservationStatusUpdate")
    def reservation_update(self, **kw):
        self.record("ReservationStatusUpdate", kw)
        return r201.ReservationStatusUpdate()

    @on("LogStatusNotification")
    def log(self, **kw):
        self.record("LogStatusNotification", kw)
        return r201.LogStatusNotification()


class MiniCsms:
    """Start with ``async with MiniCsms() as csms``; stations connect to ``csms.url``."""

    def __init__(self, boot_statuses=("Accepted",), heartbeat_s: int = 300, passwords: dict | None = None):
        self.boot_statuses = list(boot_statuses)
        self.heartbeat_s = heartbeat_s
        self.passwords = passwords
        self.invalid_tokens: set[str] = {"BAD-TOKEN"}
        self.requests: list[tuple[str, str, dict]] = []
        self.stations: dict[str, Csms16 | Csms201] = {}
        self.connections = 0
        self.tx_ids = itertools.count(100)
        self._change = asyncio.Event()
        self._tasks: set[asyncio.Task] = set()
        self._holds: dict[str, asyncio.Event] = {}

    def hold(self, action: str) -> None:
        """Record requests of ``action`` but answer none until :meth:`release` (a slow CSMS, made exact)."""
        self._holds[action] = asyncio.Event()

    def release(self, action: str) -> None:
        self._holds.pop(action).set()

    async def held(self, action: str) -> None:
        """Wait in a handler while ``action`` is held."""
        gate = self._holds.get(action)
        if gate is not None:
            await gate.wait()

    def next_boot_status(self) -> str:
        return self.boot_statuses.pop(0) if len(self.boot_statuses) > 1 else self.boot_statuses[0]

    def token_status(self, token: str) -> str:
        return "Invalid" if token in self.invalid_tokens else "Accepted"

    def changed(self) -> None:
        self._change.set()
        self._change = asyncio.Event()

    async def wait_for(self, predicate, timeout_s: float = 10.0):
        async def _wait():
            while not (value := predicate()):
                await self._change.wait()
            return value

        return await asyncio.wait_for(_wait(), timeout_s)

    def of(self, action: str, station_id: str | None = None) -> list[dict]:
        return [p for sid, a, p in self.requests if a == action and (station_id is None or sid == station_id)]

    async def _check_auth(self, connection, request):
        if self.passwords is None:
            return None
        sid = request.path.rstrip("/").rsplit("/", 1)[-1]
        header = request.headers.get("Authorization", "")
        expected = "Basic " + base64.b64encode(f"{sid}:{self.passwords.get(sid)}".encode()).decode()
        if header != expected:
            return Response(401, "Unauthorized", __import__("websockets").datastructures.Headers())
        return None

    async def _handler(self, ws):
        sid = ws.request.path.rstrip("/").rsplit("/", 1)[-1]
        cls = Csms16 if ws.subprotocol == "ocpp1.6" else Csms201
        cp = cls(sid, ws, response_timeout=5)
        cp.init_recorder(self)
        self.stations[sid] = cp
        self.connections += 1
        self.changed()
        try:
            await cp.start()
        except Exception:
            pass
        finally:
            self.changed()

    async def __aenter__(self) -> MiniCsms:
        self.server = await serve(
            self._handler,
            "127.0.0.1",
            0,
            subprotocols=["ocpp1.6", "ocpp2.0.1"],
            process_request=self._check_auth,
            compression=None,
        )
        port = self.server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/ocpp"
        return self

    async def __aexit__(self, *exc) -> None:
        self.server.close()
        await self.server.wait_closed()

    async def raw(self, station_id: str, frame: str, timeout_s: float = 5.0) -> list | str:
        """Send a raw frame; return the first frame received after it that is a response."""
        cp = self.stations[station_id]
        start = len(cp.frames)
        await cp._connection.send(frame)
        return await self.wait_for(
            lambda: next((f for f in cp.frames[start:] if isinstance(f, list) and f[0] in (3, 4)), None),
            timeout_s,
        )

    async def drop(self, station_id: str) -> None:
        """Close the station's connection from the CSMS side."""
        await self.stations[station_id]._connection.close()
