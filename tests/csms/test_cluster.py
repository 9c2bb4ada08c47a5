"""Two CSMS nodes sharing one database: Redis routes a command to the node that holds the station's socket."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest

from csms.main import create_app
from tests.conftest import REDIS_URL
from tests.harness import Csms, Wire, make_settings

pytestmark = pytest.mark.skipif(
    REDIS_URL is None, reason="CSMS_TEST_REDIS_URL is not set (needs a Redis server)"
)


async def _node(database_url: str, node_id: str):
    app = create_app(make_settings(database_url, redis_url=REDIS_URL, node_id=node_id))
    ctx = app.router.lifespan_context(app)
    await ctx.__aenter__()
    runtime = app.state.runtime
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://node")
    _, secret = await runtime.services.api_tokens.create("operator")
    return Csms(app, runtime, api, {"Authorization": f"Bearer {secret}"}), ctx


async def test_a_command_sent_to_one_node_reaches_a_station_on_the_other(database_url: str) -> None:
    suffix = uuid.uuid4().hex[:6]
    a, ctx_a = await _node(database_url, f"a-{suffix}")
    b, ctx_b = await _node(database_url, f"b-{suffix}")
    sid = f"CL-{suffix}"
    try:
        await a.station(sid)
        async with a.connect(sid) as ws:
            wire = Wire(ws)
            assert (await wire.call("BootNotification",
                                    {"chargePointVendor": "V", "chargePointModel": "M"}))[0] == 3

            async def station_side() -> None:
                frame = json.loads(await ws.recv())
                assert frame[2] == "ClearCache"
                await ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
                frame = json.loads(await ws.recv())
                await ws.send(json.dumps([4, frame[1], "NotSupported", "no", {}]))

            answering = asyncio.create_task(station_side())
            r = await b.api.post(f"/api/v1/stations/{sid}/calls/ClearCache", json={}, headers=b.headers)
            assert (r.status_code, r.json()) == (200, {"status": "Accepted"})
            r = await b.api.post(f"/api/v1/stations/{sid}/commands/data-transfer", json={"vendor_id": "x"},
                                 headers=b.headers)
            assert (r.status_code, r.json()["code"]) == (502, "NotSupported")
            await answering

            async def seen_online_by_b() -> None:
                while not b.runtime.registry.is_online(sid):
                    await asyncio.sleep(0.05)

            await asyncio.wait_for(seen_online_by_b(), 5)
        # the socket closed: node A withdraws its claim and B can no longer reach the station
        async def gone() -> None:
            while (
                await b.api.post(f"/api/v1/stations/{sid}/calls/ClearCache", json={}, headers=b.headers)
            ).status_code != 409:
                await asyncio.sleep(0.05)

        await asyncio.wait_for(gone(), 5)
    finally:
        for node, ctx in ((a, ctx_a), (b, ctx_b)):
            await node.api.aclose()
            await ctx.__aexit__(None, None, None)
