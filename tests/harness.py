"""A running CSMS for tests: real OCPP websockets on port 0; the REST API in-process (``csms``) or served by
uvicorn on a real socket too (``live_csms``, for end-to-end tests)."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect

from csms.config import Settings
from csms.domain.timeutil import Clock, utcnow
from csms.main import create_app
from csms.runtime import Runtime


@dataclass
class Csms:
    app: FastAPI
    runtime: Runtime
    api: httpx.AsyncClient
    headers: dict[str, str]
    """An operator's bearer token."""

    @property
    def ocpp_url(self) -> str:
        return f"ws://127.0.0.1:{self.runtime.ocpp.port}/ocpp"

    async def token(self, role: str) -> dict[str, str]:
        _, secret = await self.runtime.services.api_tokens.create(role)
        return {"Authorization": f"Bearer {secret}"}

    async def station(self, station_id: str, password: str | None = "s3cret-pass", **kw: Any) -> None:
        await self.runtime.services.stations.register(station_id, password, **kw)

    def connect(
        self, station_id: str, protocol: str = "ocpp1.6", password: str | None = "s3cret-pass", **kw: Any
    ) -> Any:
        headers = {}
        if password is not None:
            headers["Authorization"] = (
                "Basic " + base64.b64encode(f"{station_id}:{password}".encode()).decode()
            )
        kw.setdefault("subprotocols", [protocol])
        return connect(f"{self.ocpp_url}/{station_id}", additional_headers=headers, **kw)


#: Settings of an open-loop energy manager (no safety margin, PV as last measured): tests of the plan and its
#: messages that check exact limits; the closed loop has its own tests.
OPEN_LOOP: dict[str, float] = {
    "energy_margin_pct": 0.0, "energy_margin_w": 0.0, "energy_pv_window_s": 0.0, "energy_pv_reserve_pct": 0.0,
}  # fmt: skip


def make_settings(database_url: str, **overrides: Any) -> Settings:
    return Settings(
        database_url=database_url,
        ocpp_host="127.0.0.1",
        ocpp_port=0,
        ocpp_response_timeout_s=2.0,
        group_commit_delay_s=0.002,
        **overrides,
    )


@pytest.fixture
def csms_settings(database_url: str) -> Settings:
    return make_settings(database_url)


@asynccontextmanager
async def running_csms(settings: Settings, clock: Clock = utcnow) -> AsyncIterator[Csms]:
    """The CSMS with its REST API in-process and an operator's token; ``clock`` is every service's time."""
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        runtime: Runtime = app.state.runtime
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://csms") as api:
            _, secret = await runtime.services.api_tokens.create("operator")
            yield Csms(app, runtime, api, {"Authorization": f"Bearer {secret}"})


@pytest.fixture
async def csms(csms_settings: Settings) -> AsyncIterator[Csms]:
    async with running_csms(csms_settings) as running:
        yield running


@pytest.fixture
async def live_csms(csms_settings: Settings) -> AsyncIterator[Csms]:
    """The whole server as in production: uvicorn runs the app (and its lifespan) on a real port 0 socket."""
    import asyncio

    import uvicorn

    app = create_app(csms_settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    runtime: Runtime = app.state.runtime
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as api:
        _, secret = await runtime.services.api_tokens.create("operator")
        yield Csms(app, runtime, api, {"Authorization": f"Bearer {secret}"})
    server.should_exit = True
    await task


class Wire:
    """A scripted station: sends frames and reads answers on a raw websocket."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._n = 0

    async def call(self, action: str, payload: dict[str, Any]) -> list[Any]:
        self._n += 1
        uid = f"m{self._n}"
        await self.ws.send(json.dumps([2, uid, action, payload]))
        return await self.reply(uid)

    async def reply(self, uid: str) -> list[Any]:
        while True:
            frame = json.loads(await self.ws.recv())
            if frame[0] in (3, 4) and frame[1] == uid:
                return frame

    async def send_raw(self, text: str) -> list[Any]:
        await self.ws.send(text)
        return json.loads(await self.ws.recv())
