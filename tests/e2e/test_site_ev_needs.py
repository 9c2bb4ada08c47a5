"""EV charging needs reach the plan (issue 17): OCPP 2.0.1 NotifyEVChargingNeeds / NotifyEVChargingSchedule
(K15, K17) over a real socket, and a 1.6 session's departure and energy from the operator's API.

The CSMS runs on a fixed clock at 22:30 local time (Hunan peak, 16:00-24:00) in June; the valley comes at
midnight. A session that can get its energy in the valley before its departure is held out of the peak (its
TxProfile drops); one that cannot is not held back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from csms.config import Settings
from tests.e2e.site_stations import Evse, ScriptedStation
from tests.harness import OPEN_LOOP, Csms, make_settings, running_csms

PASSWORD = "needs-pass-1"
NOW = datetime(2026, 6, 21, 14, 30, tzinfo=UTC)  # 22:30 local: peak


@pytest.fixture
async def csms(database_url: str) -> AsyncIterator[Csms]:
    settings: Settings = make_settings(database_url, energy_period_s=30.0, **OPEN_LOOP)
    async with running_csms(settings, clock=lambda: NOW) as running:
        yield running


async def _site(csms: Csms, stations: list[dict]) -> None:
    site = {"id": "NEEDS", "grid_limit_kw": 100, "base_load_kw": 20, "voltage_v": 220, "stations": stations}
    assert (await csms.api.post("/api/v1/sites", json=site, headers=csms.headers)).status_code == 201
    body = {"timestamp": NOW.isoformat(), "pv_power_w": 0, "base_load_w": 20_000}
    assert (await csms.api.post("/api/v1/sites/NEEDS/telemetry", json=body, headers=csms.headers)).is_success


def _tx_limit(station: ScriptedStation, evse_id: int) -> float | None:
    p = station.profiles.get((evse_id, "TxProfile"))
    return None if p is None else p["periods"][0]["limit"]


@pytest.mark.ocpp("2.0.1", "K15")
@pytest.mark.ocpp("2.0.1", "K17")
async def test_charging_needs_shift_a_session_out_of_the_peak(csms: Csms) -> None:
    await csms.station("DC-N", PASSWORD)
    await csms.runtime.services.tokens.create("CARD-N")
    await _site(csms, [{"station_id": "DC-N", "current_type": "DC", "max_power_w": 60_000}])
    st = ScriptedStation("DC-N", csms.ocpp_url, PASSWORD, "ocpp2.0.1", {1: Evse(60_000)})
    await st.start()
    try:
        # No session on EVSE 1 yet: nothing to plan, no profile would follow.
        needs = {"requestedEnergyTransfer": "DC", "departureTime": "2026-06-21T23:00:00Z",
                 "dcChargingParameters": {"evMaxCurrent": 150, "evMaxVoltage": 500, "evMaxPower": 50_000,
                                          "energyAmount": 30_000}}  # fmt: skip
        assert (await st.call("NotifyEVChargingNeeds", {"evseId": 1, "chargingNeeds": needs})) == {
            "status": "Rejected"
        }
        await st.start_transaction(1, "CARD-N", NOW)
        await st.wait_until(lambda: _tx_limit(st, 1) == 60_000)  # the site has 80 kW: the station's rating
        # 30 kWh by 07:00 local: the valley (00:00-06:00) holds it easily, so the peak is left alone.
        answer = await st.call(
            "NotifyEVChargingNeeds", {"evseId": 1, "chargingNeeds": needs, "maxScheduleTuples": 3}
        )
        assert answer == {"status": "Accepted"}
        await st.wait_until(lambda: _tx_limit(st, 1) == 0)
        (tx,) = (await csms.api.get("/api/v1/transactions", headers=csms.headers)).json()["items"]
        stored = (await csms.api.get(f"/api/v1/transactions/{tx['id']}/needs", headers=csms.headers)).json()
        assert stored["source"] == "NotifyEVChargingNeeds" and stored["status"] == "Accepted"
        assert (stored["energy_requested_wh"], stored["ev_max_power_w"]) == (30_000, 50_000)
        assert stored["departure_at"] == "2026-06-21T23:00:00Z"
        alloc = (await csms.api.get("/api/v1/sites/NEEDS/allocation", headers=csms.headers)).json()
        assert alloc["sessions"][0]["status"] == "deferred"
        # K17: the EV's own schedule is kept with its needs.
        schedule = {
            "id": 1,
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 0}],
        }
        answer = await st.call(
            "NotifyEVChargingSchedule",
            {"timeBase": "2026-06-21T14:30:00Z", "evseId": 1, "chargingSchedule": schedule},
        )
        assert answer == {"status": "Accepted"}
        stored = (await csms.api.get(f"/api/v1/transactions/{tx['id']}/needs", headers=csms.headers)).json()
        assert stored["ev_schedule"]["chargingSchedule"] == schedule
        # Departure at 23:15 local with 30 kWh: impossible off-peak, so it charges now at the EV's 50 kW.
        soon = {**needs, "departureTime": (NOW + timedelta(minutes=45)).isoformat().replace("+00:00", "Z")}
        assert (await st.call("NotifyEVChargingNeeds", {"evseId": 1, "chargingNeeds": soon}))[
            "status"
        ] == "Accepted"
        await st.wait_until(lambda: _tx_limit(st, 1) == 50_000)
    finally:
        await st.stop()


async def test_an_operator_gives_a_16_session_its_departure_and_energy(csms: Csms) -> None:
    await csms.station("AC-N", PASSWORD)
    await csms.runtime.services.tokens.create("CARD-N")
    await _site(csms, [{"station_id": "AC-N", "max_power_w": 22_000}])
    st = ScriptedStation("AC-N", csms.ocpp_url, PASSWORD, "ocpp1.6", {1: Evse(22_000)})
    await st.start()
    try:
        await st.start_transaction(1, "CARD-N", NOW)
        await st.wait_until(lambda: _tx_limit(st, 1) == 33.3)  # 22 kW at 220 V, 3 phases
        (tx,) = (await csms.api.get("/api/v1/transactions", headers=csms.headers)).json()["items"]
        url = f"/api/v1/transactions/{tx['id']}/needs"
        body = {"departure_at": "2026-06-22T07:00:00+08:00", "energy_wh": 15_000}
        r = await csms.api.put(url, json=body, headers=csms.headers)
        assert r.status_code == 200 and r.json()["source"] == "operator", r.text
        await st.wait_until(lambda: _tx_limit(st, 1) == 6.0)  # held at its 6 A minimum through the peak
        # Bad input names the field and stores nothing.
        past = {"departure_at": "2026-06-21T00:00:00Z"}
        bads = (({"energy_wh": -1}, "energy_wh"), (past, "departure_at"), ({"colour": "red"}, "colour"))
        for bad, field in bads:
            r = await csms.api.put(url, json=bad, headers=csms.headers)
            assert r.status_code == 422 and field in r.text, r.text
        assert (await csms.api.get(url, headers=csms.headers)).json()["energy_requested_wh"] == 15_000
        assert (
            await csms.api.put("/api/v1/transactions/999/needs", json=body, headers=csms.headers)
        ).status_code == 404
    finally:
        await st.stop()
