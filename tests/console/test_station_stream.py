"""The console's live station status: server-sent events read over a real HTTP socket while a station
connects over a real OCPP socket; a slow reader's bounded queue; the stream ends when the server stops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
import pytest
import uvicorn

from csms.config import Settings
from csms.domain.events import EventBus, StationConnected
from csms.main import create_app
from csms.services.event_feed import EventFeed
from tests.console.conftest import sign_in
from tests.harness import Csms, Wire

BOOT = {"chargePointVendor": "Star", "chargePointModel": "DC60"}


async def events_of(response: httpx.Response) -> AsyncIterator[tuple[str, str]]:
    """(event name, data) of a text/event-stream, as they come."""
    name, data = "message", []
    async for line in response.aiter_lines():
        if line == "":
            if data:
                yield name, "\n".join(data)
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))


@asynccontextmanager
async def signed_in(csms: Csms, role: str = "viewer") -> AsyncIterator[httpx.AsyncClient]:
    _, secret = await csms.runtime.services.api_tokens.create(role)
    async with httpx.AsyncClient(base_url=str(csms.api.base_url), timeout=10) as http:
        assert (await sign_in(http, secret)).status_code == 303
        yield http


async def test_a_station_connecting_is_streamed_live(live_csms: Csms) -> None:
    await live_csms.station("CP-LIVE")
    async with signed_in(live_csms) as http, http.stream("GET", "/console/stations/stream") as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert "content-security-policy" in stream.headers
        seen: list[tuple[str, str]] = []
        events = events_of(stream)
        async with live_csms.connect("CP-LIVE") as ws:
            wire = Wire(ws)
            await wire.call("BootNotification", BOOT)
            await wire.call("StatusNotification", {"connectorId": 1, "errorCode": "NoError",
                                                   "status": "Charging", "timestamp": "2026-12-03T08:00:00Z"})
            async with asyncio.timeout(10):
                async for name, data in events:
                    seen.append((name, data))
                    if name == "changed":
                        break
        async with asyncio.timeout(10):
            async for name, data in events:
                if name == "online-CP-LIVE":
                    seen.append((name, data))
                    break
    names = [name for name, _ in seen]
    assert names[0] == "online-CP-LIVE" and '<span class="badge online">在线</span>' in seen[0][1]
    assert ("conn-CP-LIVE-1-1", '<span class="badge Charging">充电中</span>') in seen
    assert ("row-CP-LIVE", "") in seen
    assert names[-1] == "online-CP-LIVE" and "badge offline" in seen[-1][1]  # it went away


async def test_a_reconnecting_reader_is_told_to_resync_and_a_station_filter_applies(live_csms: Csms) -> None:
    for sid in ("CP-1", "CP-2"):
        await live_csms.station(sid)
    headers = {"Last-Event-ID": "41"}
    async with signed_in(live_csms) as http, http.stream(
        "GET", "/console/stations/stream?station=CP-2", headers=headers
    ) as stream:
        events = events_of(stream)
        async with asyncio.timeout(10):
            assert (await anext(events))[0] == "resync"
        async with live_csms.connect("CP-1"), live_csms.connect("CP-2"):
            async with asyncio.timeout(10):
                assert (await anext(events))[0] == "online-CP-2"  # CP-1's is not sent to this page


def test_a_slow_reader_never_holds_up_the_bus_and_learns_what_it_missed() -> None:
    bus = EventBus()
    at = datetime(2026, 12, 3, tzinfo=UTC)

    async def run() -> None:
        with EventFeed(bus, [StationConnected], maxsize=3) as feed:
            for n in range(10):
                bus.publish(StationConnected(at, f"CP-{n}", "1.6"))  # returns at once, queue full or not
            assert feed.take_missed() == 7 and feed.take_missed() == 0
            assert [(await feed.get()).station_id for _ in range(3)] == ["CP-0", "CP-1", "CP-2"]
        bus.publish(StationConnected(at, "CP-X", "1.6"))  # closed: unsubscribed
        assert feed.missed == 0 and feed._queue.empty()

    asyncio.run(run())


async def test_the_stream_ends_when_the_server_stops(csms_settings: Settings) -> None:
    app = create_app(csms_settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    _, secret = await app.state.services.api_tokens.create("viewer")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        assert (await sign_in(http, secret)).status_code == 303
        async with http.stream("GET", "/console/stations/stream") as stream:
            assert stream.status_code == 200
            server.should_exit = True  # what SIGTERM / Ctrl+C does
            async with asyncio.timeout(10):
                async for _ in stream.aiter_bytes():
                    pass  # the server ends the stream
    async with asyncio.timeout(10):
        await task


@pytest.mark.parametrize("path", ["/console/stations/stream", "/console/stations/stream?station=CP-1"])
async def test_no_stream_without_a_session(live_csms: Csms, path: str) -> None:
    async with httpx.AsyncClient(base_url=str(live_csms.api.base_url)) as http:
        answer = await http.get(path)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/console/login")


async def test_the_stream_ends_when_the_readers_token_is_revoked(
    live_csms: Csms, monkeypatch: pytest.MonkeyPatch
) -> None:
    from csms.console.pages import live

    monkeypatch.setattr(live, "SIGN_IN_CHECK_S", 0.2)
    services = live_csms.runtime.services
    token, secret = await services.api_tokens.create("viewer")
    async with httpx.AsyncClient(base_url=str(live_csms.api.base_url), timeout=10) as http:
        assert (await sign_in(http, secret)).status_code == 303
        async with http.stream("GET", "/console/stations/stream") as stream:
            assert stream.status_code == 200
            await services.api_tokens.revoke(token.id)
            async with asyncio.timeout(10):
                async for _ in stream.aiter_bytes():
                    pass  # the server ends the stream
