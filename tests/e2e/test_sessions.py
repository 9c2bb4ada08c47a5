"""The simulator against the real CSMS over real sockets: sessions, commands, offline delivery."""

from __future__ import annotations

import asyncio

import pytest

from charger_simulator.clock import ScaledClock
from charger_simulator.config import StationConfig
from charger_simulator.station import Station
from tests.harness import Csms

PASSWORD = "e2e-password-1"


async def _station(csms: Csms, sid: str, protocol: str, speed: float = 60, **kw) -> Station:
    await csms.runtime.services.stations.register(sid, PASSWORD)
    config = StationConfig(sid, url=csms.ocpp_url, protocol=protocol, password=PASSWORD, sample_interval_s=10,
                           heartbeat_s=60, **kw)
    station = Station(config, clock=ScaledClock(speed), tick_s=0.05)
    await station.start()
    await station.run_until_booted()
    return station


async def _wait(predicate, timeout_s: float = 10.0) -> None:
    async def loop() -> None:
        while not await predicate():
            await asyncio.sleep(0.05)

    await asyncio.wait_for(loop(), timeout_s)


async def _transactions(csms: Csms, **params) -> list[dict]:
    r = await csms.api.get("/api/v1/transactions", params=params, headers=csms.headers)
    return r.json()["items"]


@pytest.mark.ocpp("1.6", "TC_003", "Core")
@pytest.mark.ocpp("1.6", "TC_005_1", "Core")
@pytest.mark.ocpp("2.0.1", "E02")
@pytest.mark.ocpp("2.0.1", "E09")
@pytest.mark.ocpp("2.0.1", "J02")
async def test_a_16_and_a_201_station_each_run_a_full_session_visible_in_the_api(live_csms: Csms) -> None:
    csms = live_csms
    await csms.runtime.services.tokens.create("CARD-E2E")
    s16 = await _station(csms, "E2E-16", "ocpp1.6")
    s201 = await _station(csms, "E2E-201", "ocpp2.0.1", dc=True, max_power_w=60_000)
    try:
        online = {s["id"]: s["online"]
                  for s in (await csms.api.get("/api/v1/stations", headers=csms.headers)).json()}
        assert online == {"E2E-16": True, "E2E-201": True}
        for station in (s16, s201):
            await station.plug_in(1)
            assert await station.present_token("CARD-E2E", 1)
        await s16.wait_for(lambda: s16.model.connectors[1].energy_wh >= 2000)
        await s201.wait_for(lambda: s201.model.connectors[1].energy_wh >= 2000)
        for station in (s16, s201):
            await station.unplug(1)

        async def both_completed() -> bool:
            txs = await _transactions(csms)
            return len(txs) == 2 and all(t["status"] == "Completed" for t in txs)

        await _wait(both_completed)
        by_station = {t["station_id"]: t for t in await _transactions(csms)}
        for station in (s16, s201):
            tx = by_station[station.config.station_id]
            delivered_wh = station.model.connectors[1].meter_wh - tx["meter_start_wh"]
            assert tx["id_token"] == "CARD-E2E"
            assert tx["energy_wh"] == pytest.approx(delivered_wh, abs=1.0)
            assert tx["energy_wh"] >= 2000
            detail = (await csms.api.get(f"/api/v1/transactions/{tx['id']}", headers=csms.headers)).json()
            assert {"Energy.Active.Import.Register", "Power.Active.Import"} <= {
                v["measurand"] for v in detail["meter_values"]
            }
        assert by_station["E2E-201"]["uid"] is not None
    finally:
        await s16.stop()
        await s201.stop()


@pytest.mark.parametrize("protocol", [
    pytest.param("ocpp1.6", marks=[pytest.mark.ocpp("1.6", "TC_010", "Core"),
                                   pytest.mark.ocpp("1.6", "TC_012", "Core")]),
    pytest.param("ocpp2.0.1", marks=[pytest.mark.ocpp("2.0.1", "F01"), pytest.mark.ocpp("2.0.1", "F03")]),
])
async def test_remote_start_and_stop_from_the_api_drive_the_station(live_csms: Csms, protocol: str) -> None:
    csms = live_csms
    await csms.runtime.services.tokens.create("REMOTE")
    station = await _station(csms, f"RS-{protocol[-3:]}", protocol)
    sid = station.config.station_id
    try:
        await station.plug_in(1)
        r = await csms.api.post(f"/api/v1/stations/{sid}/commands/remote-start",
                                json={"id_token": "REMOTE", "evse_id": 1}, headers=csms.headers)
        assert r.status_code == 200 and r.json()["response"]["status"] == "Accepted"

        async def started() -> bool:
            return [t["status"] for t in await _transactions(csms, station_id=sid)] == ["Active"]

        await _wait(started)
        tx = (await _transactions(csms, station_id=sid))[0]
        r = await csms.api.post(f"/api/v1/stations/{sid}/commands/remote-stop",
                                json={"transaction_id": tx["id"]}, headers=csms.headers)
        assert r.status_code == 200 and r.json()["response"]["status"] == "Accepted"

        async def stopped() -> bool:
            return [t["stop_reason"] for t in await _transactions(csms, station_id=sid)] == ["Remote"]

        await _wait(stopped)
    finally:
        await station.stop()


@pytest.mark.ocpp("1.6", "TC_026", "Core")
async def test_remote_start_on_an_occupied_connector_is_rejected(live_csms: Csms) -> None:
    csms = live_csms
    await csms.runtime.services.tokens.create("FIRST")
    station = await _station(csms, "OCC-16", "ocpp1.6")
    try:
        await station.plug_in(1)
        assert await station.present_token("FIRST", 1)
        r = await csms.api.post("/api/v1/stations/OCC-16/commands/remote-start",
                                json={"id_token": "FIRST", "evse_id": 1}, headers=csms.headers)
        assert r.status_code == 200 and r.json()["response"]["status"] == "Rejected"
    finally:
        await station.stop()


@pytest.mark.parametrize("protocol", [
    pytest.param("ocpp1.6", marks=pytest.mark.ocpp("1.6", "TC_039", "Core")),
    pytest.param("ocpp2.0.1", marks=pytest.mark.ocpp("2.0.1", "E12")),
])
async def test_a_session_run_offline_is_delivered_in_order_with_its_own_timestamps(
    live_csms: Csms, protocol: str
) -> None:
    csms = live_csms
    await csms.runtime.services.tokens.create("OFFLINE")
    sid = f"OFF-{protocol[-3:]}"
    station = await _station(csms, sid, protocol, speed=300, backoff_base_s=0.05, backoff_max_s=0.2)
    try:
        await station.plug_in(1)
        assert await station.present_token("OFFLINE", 1)
        await station.go_offline(600)  # simulated seconds: 2 s at 300x
        await station.wait_for(lambda: station.model.connectors[1].energy_wh >= 1000)
        await station.unplug(1)
        ended_at = station.clock.now()

        async def completed() -> bool:
            txs = await _transactions(csms, station_id=sid)
            return len(txs) == 1 and txs[0]["status"] == "Completed"

        await _wait(completed, timeout_s=30)
        tx = (await _transactions(csms, station_id=sid))[0]
        from datetime import datetime

        stopped = datetime.fromisoformat(tx["stopped_at"])
        # the station's own clock, not arrival time (~600 s later)
        assert abs((stopped - ended_at).total_seconds()) < 60
        assert tx["energy_wh"] >= 1000
    finally:
        await station.stop()
