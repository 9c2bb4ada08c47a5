"""The OCPP session by composition: injected clock and message ids, ids from the database, edge events."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from ocpp.charge_point import ChargePoint
from sqlalchemy import select

from csms.config import Settings
from csms.db.models import IssuedId
from csms.db.session import create_engine, create_session_factory
from csms.db.uow import UnitOfWork
from csms.domain.events import (
    Event,
    StationBooted,
    StationConnected,
    StationDisconnected,
    StatusChanged,
)
from csms.errors import StationTimeout
from csms.main import create_app
from csms.ocpp_handlers.rpc import StationConnection
from csms.ocpp_handlers.v16 import V16Connection
from csms.runtime import Runtime
from csms.services.ids import IdService
from tests.harness import Csms, Wire

NOW = datetime(2026, 12, 2, 8, 30, 15, 250_000, tzinfo=UTC)
BOOT16 = {"chargePointVendor": "Star", "chargePointModel": "AC7"}
BOOT201 = {"chargingStation": {"model": "AC22", "vendorName": "Star"}, "reason": "PowerUp"}


@pytest.fixture
async def fixed(csms_settings: Settings) -> AsyncIterator[Csms]:
    """A CSMS whose clock stands still at NOW and whose CALLs are numbered csms-1, csms-2, ..."""
    counter = itertools.count(1)
    app = create_app(csms_settings, clock=lambda: NOW, message_ids=lambda: f"csms-{next(counter)}")
    async with app.router.lifespan_context(app):
        runtime: Runtime = app.state.runtime
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://csms") as api:
            yield Csms(app, runtime, api, {})


async def _answer_next_call(ws, result: dict) -> list:
    frame = json.loads(await ws.recv())
    await ws.send(json.dumps([3, frame[1], result]))
    return frame


async def test_the_clock_and_the_message_ids_are_injected(fixed: Csms) -> None:
    await fixed.station("CP-FIX")
    async with fixed.connect("CP-FIX") as ws:
        wire = Wire(ws)
        assert (await wire.call("BootNotification", BOOT16))[2]["currentTime"] == "2026-12-02T08:30:15.250Z"
        assert (await wire.call("Heartbeat", {}))[2] == {"currentTime": "2026-12-02T08:30:15.250Z"}
        # A 1.6 StatusNotification without a timestamp happened "now": the injected clock's now.
        seen: list[StatusChanged] = []
        fixed.runtime.services.events.subscribe(StatusChanged, seen.append)
        status = {"connectorId": 1, "status": "Available", "errorCode": "NoError"}
        assert (await wire.call("StatusNotification", status))[0] == 3
        assert [(e.status, e.timestamp) for e in seen] == [("Available", NOW)]

        commands = fixed.runtime.services.commands
        for expected in ("csms-1", "csms-2"):
            sent = asyncio.create_task(commands.send("CP-FIX", "reset", {"type": "soft"}))
            frame = await _answer_next_call(ws, {"status": "Accepted"})
            assert frame == [2, expected, "Reset", {"type": "Soft"}]
            assert await sent == ("Reset", {"status": "Accepted"})


async def test_remote_start_and_report_ids_come_from_the_database(fixed: Csms) -> None:
    await fixed.station("CP-IDS")
    async with fixed.connect("CP-IDS", "ocpp2.0.1") as ws:
        assert (await Wire(ws).call("BootNotification", BOOT201))[2]["status"] == "Accepted"
        commands, sent_ids = fixed.runtime.services.commands, []
        for name, params, field in (
            ("remote-start", {"id_token": "CARD-1"}, "remoteStartId"),
            ("get-base-report", {}, "requestId"),
            ("remote-start", {"id_token": "CARD-2"}, "remoteStartId"),
        ):
            task = asyncio.create_task(commands.send("CP-IDS", name, params))
            frame = await _answer_next_call(ws, {"status": "Accepted"})
            await task
            sent_ids.append(frame[3][field])
    async with fixed.runtime.services.uow.read() as session:
        rows = (await session.scalars(select(IssuedId).order_by(IssuedId.id))).all()
    assert sent_ids == [r.id for r in rows] and len(set(sent_ids)) == 3
    assert [(r.purpose, r.station_id, r.node_id, r.issued_at) for r in rows] == [
        ("remote-start", "CP-IDS", "node-1", NOW), ("get-base-report", "CP-IDS", "node-1", NOW),
        ("remote-start", "CP-IDS", "node-1", NOW),
    ]


async def test_two_nodes_never_issue_the_same_id_even_after_a_restart(database_url: str) -> None:
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        nodes = [IdService(UnitOfWork(create_session_factory(e)), lambda: NOW, f"node-{i}")
                 for i, e in enumerate(engines)]
        first = await asyncio.gather(*(nodes[i % 2].issue("remote-start") for i in range(40)))
        assert len(set(first)) == 40
        await engines[0].dispose()  # node-0 restarts: a new engine, a new service, the same database
        engines[0] = create_engine(database_url)
        restarted = IdService(UnitOfWork(create_session_factory(engines[0])), lambda: NOW, "node-0")
        later = [await restarted.issue("get-base-report"), await nodes[1].issue("get-base-report")]
        assert not set(later) & set(first) and min(later) > max(first)
    finally:
        for engine in engines:
            await engine.dispose()


async def test_connect_boot_status_and_disconnect_are_published_in_order(fixed: Csms) -> None:
    seen: list[Event] = []
    disconnected = asyncio.Event()
    bus = fixed.runtime.services.events
    for kind in (StationConnected, StationBooted, StatusChanged):
        bus.subscribe(kind, seen.append)
    bus.subscribe(StationDisconnected, lambda e: (seen.append(e), disconnected.set()))
    await fixed.station("CP-EV")
    async with fixed.connect("CP-EV", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT201)
        status = {"timestamp": "2026-12-02T08:00:00Z", "connectorStatus": "Occupied", "evseId": 2,
                  "connectorId": 1}
        assert (await wire.call("StatusNotification", status))[0] == 3
    await asyncio.wait_for(disconnected.wait(), 5)
    assert seen == [
        StationConnected(NOW, "CP-EV", "2.0.1"),
        StationBooted(NOW, "CP-EV", "Accepted"),
        StatusChanged(NOW, "CP-EV", 2, 1, "Occupied", datetime(2026, 12, 2, 8, tzinfo=UTC)),
        StationDisconnected(NOW, "CP-EV"),
    ]


async def test_a_replaced_connection_does_not_publish_a_disconnect(fixed: Csms) -> None:
    seen: list[Event] = []
    bus = fixed.runtime.services.events
    bus.subscribe(StationConnected, seen.append)
    bus.subscribe(StationDisconnected, seen.append)
    await fixed.station("CP-RE")
    async with fixed.connect("CP-RE") as first:
        async with fixed.connect("CP-RE") as second:
            await first.wait_closed()
            assert first.close_code == 1000
            assert (await Wire(second).call("Heartbeat", {}))[0] == 3
            assert seen == [StationConnected(NOW, "CP-RE", "1.6")] * 2


class QueueTransport:
    """A transport over two queues: the test plays the station without a socket."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[str] = asyncio.Queue()
        self.outbox: asyncio.Queue[list] = asyncio.Queue()
        self.closed: tuple[int, str] | None = None

    async def recv(self) -> str:
        return await self.inbox.get()

    async def send(self, frame: bytes) -> None:
        self.outbox.put_nowait(json.loads(frame))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed = (code, reason)


async def test_a_session_runs_over_any_transport_one_outstanding_call_at_a_time() -> None:
    transport = QueueTransport()
    ids = iter(["a", "b"])
    conn = V16Connection("CP-Q", transport, services=None, message_ids=lambda: next(ids))
    assert isinstance(conn, StationConnection) and not isinstance(conn, ChargePoint)
    serving = asyncio.create_task(conn.serve())
    first = asyncio.create_task(conn.call_raw("ClearCache", {}))
    second = asyncio.create_task(conn.call_raw("ClearCache", {}))
    assert await transport.outbox.get() == [2, "a", "ClearCache", {}]
    await asyncio.sleep(0)
    assert transport.outbox.empty()  # the second CALL waits for the first's answer
    transport.inbox.put_nowait('[3, "zzz", {}]')  # an orphan: logged, dropped, nobody woken
    transport.inbox.put_nowait('[3, "a", {"status": "Accepted"}]')
    assert await first == {"status": "Accepted"}
    assert await transport.outbox.get() == [2, "b", "ClearCache", {}]
    conn.fail_pending()
    with pytest.raises(StationTimeout, match="disconnected before answering"):
        await second
    await conn.close(1000, "replaced by a new connection")
    assert transport.closed == (1000, "replaced by a new connection")
    serving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await serving
