"""A station that reconnects gets its site's station-wide profiles at once, before it sends anything."""

from __future__ import annotations

import asyncio
import json

import pytest

from csms.config import Settings
from tests.csms.conftest import Csms, Wire, make_settings
from tests.harness import OPEN_LOOP

BOOT16 = {"chargePointVendor": "V", "chargePointModel": "M"}


@pytest.fixture
def csms_settings(database_url: str) -> Settings:
    # The period cannot be what sends them; open loop (no margin): the exact limits are checked.
    return make_settings(database_url, energy_period_s=30.0, **OPEN_LOOP)


@pytest.mark.ocpp("1.6", "TC_056", "SmartCharging")
async def test_a_reconnecting_station_gets_its_safe_default_at_once(csms: Csms) -> None:
    await csms.station("CP1")
    member = {"station_id": "CP1", "current_type": "DC", "max_power_w": 60_000}
    site = {"id": "S", "grid_limit_kw": 50, "base_load_kw": 10, "stations": [member]}
    assert (await csms.api.post("/api/v1/sites", json=site, headers=csms.headers)).status_code == 201
    async with csms.connect("CP1") as ws:
        assert (await Wire(ws).call("BootNotification", BOOT16))[2]["status"] == "Accepted"
    async with csms.connect("CP1") as ws:  # booted before: known as accepted from the first frame
        calls = []
        for _ in range(2):
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
            calls.append(frame)
            await ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
        profiles = [f[3]["csChargingProfiles"] for f in calls]
        sent = {
            p["chargingProfilePurpose"]: p["chargingSchedule"]["chargingSchedulePeriod"] for p in profiles
        }
        assert {f[2] for f in calls} == {"SetChargingProfile"}
        # (50 kW - 10 kW declared base load) / 1 station, in W for a DC station; its rating as the maximum
        assert sent["TxDefaultProfile"] == [{"startPeriod": 0, "limit": 40_000.0}]
        assert sent["ChargePointMaxProfile"] == [{"startPeriod": 0, "limit": 60_000.0}]


@pytest.mark.ocpp("1.6", "TC_057", "SmartCharging")
async def test_a_session_start_is_shared_the_site_power_at_once(csms: Csms) -> None:
    await csms.station("CP2")
    await csms.runtime.services.tokens.create("CARD")
    member = {"station_id": "CP2", "current_type": "DC", "max_power_w": 60_000}
    site = {"id": "S2", "grid_limit_kw": 50, "base_load_kw": 10, "stations": [member]}
    assert (await csms.api.post("/api/v1/sites", json=site, headers=csms.headers)).status_code == 201
    async with csms.connect("CP2") as ws:
        wire = Wire(ws)
        assert (await wire.call("BootNotification", BOOT16))[2]["status"] == "Accepted"
        start = {"connectorId": 1, "idTag": "CARD", "meterStart": 0, "timestamp": "2026-11-24T00:00:00Z"}
        await ws.send(json.dumps([2, "start", "StartTransaction", start]))
        purposes = []
        while "TxProfile" not in purposes:  # well before the 30 s period: the start itself ran the cycle
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if frame[0] == 2 and frame[2] == "SetChargingProfile":
                purposes.append(frame[3]["csChargingProfiles"]["chargingProfilePurpose"])
                await ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
        assert "TxProfile" in purposes
