"""A station that reconnects gets its site's station-wide profiles at once, before it sends anything."""

from __future__ import annotations

import asyncio
import json

import pytest

from csms.config import Settings
from tests.csms.conftest import Csms, Wire, make_settings

BOOT16 = {"chargePointVendor": "V", "chargePointModel": "M"}


@pytest.fixture
def csms_settings(database_url: str) -> Settings:
    return make_settings(database_url, energy_period_s=30.0)  # the period cannot be what sends them


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
