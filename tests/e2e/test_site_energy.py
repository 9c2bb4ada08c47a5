"""A 光储充 site end to end: PV, a battery and four stations (three 1.6 AC, one 2.0.1 DC) on real sockets.

When PV drops (and the battery reaches its SoC floor) or a demand-response event starts, the stations' power
follows within the 5 s service level, and the grid import computed from the stations' meter values plus base
load minus PV stays under the import limit in force.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csms.config import Settings
from tests.e2e.site_stations import Evse, ScriptedStation
from tests.harness import OPEN_LOOP, Csms, make_settings

PASSWORD = "site-password-1"
AC_MAX_W = 32 * 220 * 3  # 21,120 W: a 32 A three-phase wallbox
DC_MAX_W = 60_000.0
SERVICE_LEVEL_S = 5.0


@pytest.fixture
def csms_settings(database_url: str) -> Settings:
    # A long period: what moves the stations here is an event (telemetry, a DR event), not the clock.
    return make_settings(
        database_url, energy_period_s=30.0, energy_hysteresis_w=300.0, **OPEN_LOOP
    )


async def _telemetry(csms: Csms, pv_w: float, base_w: float, soc: float, battery_w: float = 0.0) -> datetime:
    at = datetime.now(UTC)
    body = {
        "timestamp": at.isoformat(),
        "pv_power_w": pv_w,
        "battery_power_w": battery_w,
        "battery_soc_pct": soc,
        "grid_import_w": None,
        "base_load_w": base_w,
    }
    r = await csms.api.post("/api/v1/sites/XJ-SITE/telemetry", json=body, headers=csms.headers)
    assert r.status_code == 202, r.text
    return at


async def _metered_import_w(
    csms: Csms, stations: list[ScriptedStation], base_w: float, pv_w: float, bat_w: float
) -> float:
    """Grid import from what the CSMS stored: each session's latest Power.Active.Import + base - PV
    - battery."""
    charging = 0.0
    r = await csms.api.get("/api/v1/transactions", params={"limit": 100}, headers=csms.headers)
    for tx in r.json()["items"]:
        detail = (await csms.api.get(f"/api/v1/transactions/{tx['id']}", headers=csms.headers)).json()
        powers = [mv["value"] for mv in detail["meter_values"] if mv["measurand"] == "Power.Active.Import"]
        charging += powers[-1]
    assert len(r.json()["items"]) == sum(len(s.evses) for s in stations)
    return base_w + charging - pv_w - bat_w


async def _report_all(stations: list[ScriptedStation], seq: int) -> float:
    now = datetime.now(UTC)
    return sum([await s.report(e, now, seq) for s in stations for e in s.evses])


@pytest.mark.ocpp("2.0.1", "K01")
@pytest.mark.ocpp("2.0.1", "K02")
@pytest.mark.ocpp("1.6", "TC_057", "SmartCharging")
async def test_site_follows_a_pv_drop_and_a_demand_response_event_within_the_service_level(
    live_csms: Csms,
) -> None:
    csms = live_csms  # the REST API on a real socket too
    for sid in ("AC-1", "AC-2", "AC-3", "DC-1"):
        await csms.station(sid, PASSWORD)
    await csms.runtime.services.tokens.create("CARD-SITE")
    site = {
        "id": "XJ-SITE",
        "name": "湘江新区光储充示范站",
        "area": "Yuelu",
        "grid_limit_kw": 100,
        "pv_kwp": 100,
        "battery_capacity_kwh": 100,
        "battery_power_kw": 30,
        "battery_soc_min_pct": 10,
        "battery_soc_max_pct": 90,
        "base_load_kw": 40,
        "stations": [
            {"station_id": "AC-1", "max_power_w": AC_MAX_W},
            {"station_id": "AC-2", "max_power_w": AC_MAX_W},
            {"station_id": "AC-3", "max_power_w": AC_MAX_W},
            {"station_id": "DC-1", "current_type": "DC", "max_power_w": DC_MAX_W},
        ],
    }
    assert (await csms.api.post("/api/v1/sites", json=site, headers=csms.headers)).status_code == 201
    stations = [
        ScriptedStation(sid, csms.ocpp_url, PASSWORD, "ocpp1.6", {1: Evse(AC_MAX_W)})
        for sid in ("AC-1", "AC-2", "AC-3")
    ] + [ScriptedStation("DC-1", csms.ocpp_url, PASSWORD, "ocpp2.0.1", {1: Evse(DC_MAX_W)})]
    try:
        for s in stations:
            await s.start()
            await s.start_transaction(1, "CARD-SITE", datetime.now(UTC))

        # Sunny, battery half full: every session at its maximum (safe defaults arrive with the first cycle).
        await _telemetry(csms, pv_w=80_000, base_w=30_000, soc=50)
        for s in stations:
            await s.wait_until(
                lambda s=s: s.power_w(1) == s.evses[1].ev_max_w and (1, "TxProfile") in s.profiles
            )
        dc_default = stations[3].profiles[(0, "TxDefaultProfile")]
        # (100 kW grid - 40 kW declared base load) / 4 stations, for a station that loses the CSMS
        assert dc_default["periods"][0]["limit"] == pytest.approx(15_000.0)
        assert stations[0].profiles[(0, "TxDefaultProfile")]["periods"][0]["limit"] == pytest.approx(
            22.7
        )  # A
        assert await _report_all(stations, 1) == pytest.approx(3 * AC_MAX_W + DC_MAX_W)

        # A cloud, and the battery is at its floor: 100 - 30 + 5 = 75 kW for four sessions. The AC minimums
        # (6 A x 660 V = 3,960 W) come first, the rest in equal shares: 3 x 15,780 + 15,780 = 63,120 W.
        t_drop = await _telemetry(csms, pv_w=5_000, base_w=30_000, soc=10)
        expected = {"AC-1": 29.9 * 660, "AC-2": 29.9 * 660, "AC-3": 29.9 * 660, "DC-1": 15_780.0}
        for s in stations:
            await s.wait_until(
                lambda s=s: s.power_w(1) == pytest.approx(expected[s.station_id]), SERVICE_LEVEL_S
            )
        assert max(t for s in stations for t, _ in s.received) - t_drop < timedelta(seconds=SERVICE_LEVEL_S)
        assert await _report_all(stations, 2) == pytest.approx(sum(expected.values()))
        assert await _metered_import_w(csms, stations, 30_000, 5_000, 0) <= 100_000

        # The load-management centre curtails the site to 60 kW from now on: creating the event runs the site
        # (the wake at a future event's start is proven with a fake clock in test_sites_energy_manager).
        centre = await csms.token("load_centre")
        created = datetime.now(UTC)
        event = {
            "id": "DR-1",
            "site_id": "XJ-SITE",
            "start": created.isoformat(),
            "end": (created + timedelta(minutes=30)).isoformat(),
            "target_import_kw": 60,
        }
        r = await csms.api.post("/api/v1/demand-response/events", json=event, headers=centre)
        assert r.status_code == 201 and r.json()["status"] == "active", r.text
        # 60 - 30 + 5 = 35 kW: AC 3,960 + 5,780 W (14.7 A), DC 5,780 W.
        expected = {"AC-1": 14.7 * 660, "AC-2": 14.7 * 660, "AC-3": 14.7 * 660, "DC-1": 5_780.0}
        for s in stations:
            await s.wait_until(
                lambda s=s: s.power_w(1) == pytest.approx(expected[s.station_id]), SERVICE_LEVEL_S
            )
        arrivals = [t for s in stations for t, p in s.received if _limit(p) < 12_000]
        assert len(arrivals) == 4
        assert min(arrivals) >= created and max(arrivals) - created < timedelta(seconds=SERVICE_LEVEL_S)
        assert await _report_all(stations, 3) <= 35_000
        metered = await _metered_import_w(csms, stations, 30_000, 5_000, 0)
        assert 55_000 < metered <= 60_000

        alloc = (await csms.api.get("/api/v1/sites/XJ-SITE/allocation", headers=csms.headers)).json()
        assert alloc["binding_limit"] == "demand_response" and alloc["dr_event_id"] == "DR-1"
        assert alloc["import_limit_w"] == 60_000
        sent = (await csms.api.get("/api/v1/sites/XJ-SITE/charging-profiles", headers=csms.headers)).json()
        assert len(sent) == 12 and {r["status"] for r in sent} == {"Accepted"}
        tx = {
            r["station_id"]: (r["limit_value"], r["rate_unit"]) for r in sent if r["purpose"] == "TxProfile"
        }
        assert tx == {"AC-1": (14.7, "A"), "AC-2": (14.7, "A"), "AC-3": (14.7, "A"), "DC-1": (5_780.0, "W")}
    finally:
        for s in stations:
            await s.stop()


def _limit(payload: dict) -> float:
    """A TxProfile's first limit in W (AC amperes x 660 V); other profiles count as infinite."""
    profile = payload.get("csChargingProfiles") or payload["chargingProfile"]
    if profile["chargingProfilePurpose"] != "TxProfile":
        return float("inf")
    schedule = profile["chargingSchedule"]
    schedule = schedule[0] if isinstance(schedule, list) else schedule
    first = schedule["chargingSchedulePeriod"][0]["limit"]
    return first * 660 if schedule["chargingRateUnit"] == "A" else first
