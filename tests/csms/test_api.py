"""The REST API: roles, stations, id tokens, transactions, and commands to connected stations."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tests.harness import Csms

BOOT16 = {"chargePointVendor": "V", "chargePointModel": "M"}


async def test_health_needs_no_token_but_everything_else_does(csms: Csms) -> None:
    assert (await csms.api.get("/health")).json()["status"] == "ok"
    assert (await csms.api.get("/api/v1/stations")).status_code == 401
    bad = {"Authorization": "Bearer nope"}
    assert (await csms.api.get("/api/v1/stations", headers=bad)).status_code == 401


async def test_a_viewer_reads_but_cannot_command_or_register(csms: Csms) -> None:
    viewer = await csms.token("viewer")
    assert (await csms.api.get("/api/v1/stations", headers=viewer)).status_code == 200
    r = await csms.api.post("/api/v1/stations", json={"id": "CP9"}, headers=viewer)
    assert r.status_code == 403
    r = await csms.api.post("/api/v1/stations/CP9/commands/reset", json={"type": "soft"}, headers=viewer)
    assert r.status_code == 403


async def test_register_station_validation_names_the_field(csms: Csms) -> None:
    r = await csms.api.post("/api/v1/stations", json={"id": "CP 1/x", "password": "short"},
                            headers=csms.headers)
    assert r.status_code == 422
    fields = {tuple(e["loc"]) for e in r.json()["detail"]}
    assert fields == {("body", "id"), ("body", "password")}
    ok = await csms.api.post("/api/v1/stations", json={"id": "CP-1", "password": "long-enough"},
                             headers=csms.headers)
    assert ok.status_code == 201 and ok.json()["online"] is False
    dup = await csms.api.post("/api/v1/stations", json={"id": "CP-1"}, headers=csms.headers)
    assert dup.status_code == 409


async def test_id_token_crud(csms: Csms) -> None:
    h = csms.headers
    r = await csms.api.post(
        "/api/v1/id-tokens",
        json={"id_token": "C1", "expiry_date": "2027-01-01T00:00:00+08:00", "group_id_token": "G"}, headers=h,
    )
    assert r.status_code == 201 and r.json()["expiry_date"] == "2026-12-31T16:00:00Z"
    assert (await csms.api.post("/api/v1/id-tokens", json={"id_token": "C2", "status": "Lost"},
                                headers=h)).status_code == 422
    assert (await csms.api.post("/api/v1/id-tokens",
                                json={"id_token": "C3", "expiry_date": "2027-01-01T00:00:00"},
                                headers=h)).status_code == 422
    r = await csms.api.patch("/api/v1/id-tokens/C1", json={"status": "Blocked"}, headers=h)
    assert r.json()["status"] == "Blocked" and r.json()["group_id_token"] == "G"
    assert [t["id_token"] for t in (await csms.api.get("/api/v1/id-tokens", headers=h)).json()] == ["C1"]
    assert (await csms.api.delete("/api/v1/id-tokens/C1", headers=h)).status_code == 204
    assert (await csms.api.get("/api/v1/id-tokens/C1", headers=h)).status_code == 404


async def test_transactions_filter_and_paginate(csms: Csms) -> None:
    from datetime import UTC, datetime, timedelta

    from csms.services.transactions import StartRequest

    await csms.station("A")
    await csms.station("B")
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    for i in range(5):
        await csms.runtime.services.transactions.start(
            StartRequest("A" if i < 3 else "B", 1, f"T{i % 2}", 0, t0 + timedelta(hours=i))
        )
    get = lambda **p: csms.api.get("/api/v1/transactions", params=p, headers=csms.headers)  # noqa: E731
    assert (await get(station_id="A")).json()["total"] == 3
    assert (await get(id_token="T1")).json()["total"] == 2
    page = (await get(limit=2, offset=2)).json()
    assert page["total"] == 5 and [t["started_at"] for t in page["items"]] == [
        "2026-11-01T02:00:00Z", "2026-11-01T01:00:00Z"
    ]
    window = (await get(since="2026-11-01T01:00:00Z", until="2026-11-01T03:00:00Z")).json()
    assert window["total"] == 2
    assert (await get(since="2026-11-01")).status_code == 422  # no offset: ambiguous


async def _answering(ws: Any, replies: dict[str, Any]) -> None:
    """Act as the station: answer each CALL per ``replies`` (a payload, an error tuple, or None = silence)."""
    async for raw in ws:
        frame = json.loads(raw)
        if frame[0] != 2:
            continue
        reply = replies.get(frame[2], {})
        if reply is None:
            continue
        if isinstance(reply, tuple):
            await ws.send(json.dumps([4, frame[1], *reply]))
        else:
            await ws.send(json.dumps([3, frame[1], reply(frame[3]) if callable(reply) else reply]))


@pytest.mark.parametrize("protocol", ["ocpp1.6", "ocpp2.0.1"])
async def test_generic_call_endpoint_maps_every_outcome(csms: Csms, protocol: str) -> None:
    await csms.station("CPX")
    url = "/api/v1/stations/CPX/calls"
    h = csms.headers
    assert (await csms.api.post(f"{url}/ClearCache", json={}, headers=h)).status_code == 409
    replies = {
        "ClearCache": {"status": "Accepted"},
        "DataTransfer": ("NotSupported", "no vendor extension", {"hint": "x"}),
        "Reset": None,  # never answers
    }
    async with csms.connect("CPX", protocol) as ws:
        station = asyncio.create_task(_answering(ws, replies))
        r = await csms.api.post(f"{url}/ClearCache", json={}, headers=h)
        assert (r.status_code, r.json()) == (200, {"status": "Accepted"})
        r = await csms.api.post(f"{url}/DataTransfer", json={"vendorId": "cn.xj"}, headers=h)
        assert (r.status_code, r.json()) == (
            502, {"code": "NotSupported", "description": "no vendor extension", "details": {"hint": "x"}}
        )
        r = await csms.api.post(f"{url}/ClearCache", json={"unexpected": 1}, headers=h)
        assert r.status_code == 422
        r = await csms.api.post(f"{url}/Reset",
                                json={"type": "Hard" if protocol == "ocpp1.6" else "Immediate"}, headers=h)
        assert r.status_code == 504
        r = await csms.api.post(f"{url}/Teleport", json={}, headers=h)
        assert r.status_code == 422
        station.cancel()


async def test_typed_commands_are_translated_per_version(csms: Csms) -> None:
    await csms.station("V16")
    await csms.station("V201")
    seen: dict[str, list] = {"V16": [], "V201": []}

    def record(name: str, reply: dict) -> Any:
        return lambda payload: (seen[name].append(payload), reply)[1]

    async with csms.connect("V16", "ocpp1.6") as a, csms.connect("V201", "ocpp2.0.1") as b:
        t1 = asyncio.create_task(_answering(a, {
            "RemoteStartTransaction": record("V16", {"status": "Accepted"}),
            "Reset": record("V16", {"status": "Accepted"}),
        }))
        t2 = asyncio.create_task(_answering(b, {
            "RequestStartTransaction": record("V201", {"status": "Accepted"}),
            "Reset": record("V201", {"status": "Scheduled"}),
        }))
        for sid in ("V16", "V201"):
            r = await csms.api.post(f"/api/v1/stations/{sid}/commands/remote-start",
                                    json={"id_token": "CARD", "evse_id": 1}, headers=csms.headers)
            assert r.status_code == 200, r.text
            r = await csms.api.post(f"/api/v1/stations/{sid}/commands/reset", json={"type": "soft"},
                                    headers=csms.headers)
            assert r.status_code == 200
        r = await csms.api.post("/api/v1/stations/V16/commands/remote-start", json={}, headers=csms.headers)
        assert (r.status_code, r.json()["field"]) == (422, "id_token")
        r = await csms.api.post("/api/v1/stations/V16/commands/get-variables", json={"variables": []},
                                headers=csms.headers)
        assert r.status_code == 422
        t1.cancel()
        t2.cancel()
    assert seen["V16"] == [{"idTag": "CARD", "connectorId": 1}, {"type": "Soft"}]
    start, reset = seen["V201"]
    assert start["idToken"] == {"idToken": "CARD", "type": "ISO14443"} and start["evseId"] == 1
    assert reset == {"type": "OnIdle"}
