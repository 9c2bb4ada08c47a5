"""The charger simulator (an honest outside client) on a site: its stations obey the energy manager.

A 1.6 AC and a 2.0.1 DC simulator station charge at a 60 kW site; a demand-response event to 30 kW reaches
both within the 5 s service level, the simulator's delivered power follows its composite limit, and the
meter values it reports put the site's import under the event's limit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from charger_simulator.clock import ScaledClock
from charger_simulator.config import StationConfig
from charger_simulator.station import Station
from csms.config import Settings
from tests.harness import OPEN_LOOP, Csms, make_settings

PASSWORD = "sim-site-pass-1"
SERVICE_LEVEL_S = 5.0


@pytest.fixture
def csms_settings(database_url: str) -> Settings:
    return make_settings(database_url, energy_period_s=0.5, **OPEN_LOOP)


async def _station(csms: Csms, sid: str, protocol: str, **kw: object) -> Station:
    config = StationConfig(
        sid,
        url=csms.ocpp_url,
        protocol=protocol,
        password=PASSWORD,
        sample_interval_s=1,
        heartbeat_s=60,
        **kw,
    )
    station = Station(config, clock=ScaledClock(1), tick_s=0.1)  # real time: profiles carry CSMS timestamps
    await station.run_until_booted()
    return station


@pytest.mark.ocpp("2.0.1", "K02")
@pytest.mark.ocpp("1.6", "TC_057", "SmartCharging")
async def test_simulator_stations_follow_a_demand_response_event(live_csms: Csms) -> None:
    csms = live_csms
    await csms.runtime.services.tokens.create("CARD-SIM")
    for sid in ("SIM-AC", "SIM-DC"):
        await csms.runtime.services.stations.register(sid, PASSWORD)
    site = {
        "id": "SIM-SITE", "grid_limit_kw": 60, "base_load_kw": 20, "voltage_v": 230,
        "stations": [
            {"station_id": "SIM-AC", "max_power_w": 22_000},
            {"station_id": "SIM-DC", "current_type": "DC", "max_power_w": 60_000},
        ],
    }  # fmt: skip
    assert (await csms.api.post("/api/v1/sites", json=site, headers=csms.headers)).status_code == 201
    now = datetime.now(UTC).isoformat()
    telemetry = {"timestamp": now, "pv_power_w": 0, "base_load_w": 20_000, "battery_soc_pct": None}
    assert (
        await csms.api.post("/api/v1/sites/SIM-SITE/telemetry", json=telemetry, headers=csms.headers)
    ).is_success
    ac = await _station(csms, "SIM-AC", "ocpp1.6", max_power_w=22_000)
    dc = await _station(csms, "SIM-DC", "ocpp2.0.1", dc=True, max_power_w=60_000)
    try:
        for s in (ac, dc):
            await s.plug_in(1, soc_pct=20)
            assert await s.present_token("CARD-SIM", 1)
        c_ac, c_dc = ac.model.connectors[1], dc.model.connectors[1]
        # 60 - 20 = 40 kW: the AC minimum (6 A x 690 V = 4,140 W) first; AC then fills up to its 22 kW
        # (31.8 A per phase on the wire) and DC takes the remaining 18 kW.
        await dc.wait_for(lambda: c_dc.limit_w == pytest.approx(18_000), SERVICE_LEVEL_S)
        await ac.wait_for(lambda: c_ac.limit_w == pytest.approx(31.8 * 690), SERVICE_LEVEL_S)

        centre = await csms.token("load_centre")
        start = datetime.now(UTC)
        end = start + timedelta(hours=1)
        event = {
            "site_id": "SIM-SITE",
            "start": start.isoformat(),
            "end": end.isoformat(),
            "target_import_kw": 30,
        }
        assert (
            await csms.api.post("/api/v1/demand-response/events", json=event, headers=centre)
        ).status_code == 201
        # 30 - 20 = 10 kW: AC 4,140 + 2,930 W = 7,070 W -> 10.2 A (7,038 W at 230 V), DC 2,930 W.
        await dc.wait_for(lambda: c_dc.limit_w == pytest.approx(2_930), SERVICE_LEVEL_S)
        await ac.wait_for(lambda: c_ac.limit_w == pytest.approx(10.2 * 690), SERVICE_LEVEL_S)
        assert datetime.now(UTC) - start < timedelta(seconds=SERVICE_LEVEL_S)
        assert c_ac.power_w + c_dc.power_w <= 10_000

        # The simulator's own meter values, as the CSMS stored them, keep the site under 30 kW.
        async def metered_w() -> float:
            total = 0.0
            for tx in (await csms.api.get("/api/v1/transactions", headers=csms.headers)).json()["items"]:
                d = (await csms.api.get(f"/api/v1/transactions/{tx['id']}", headers=csms.headers)).json()
                later = [mv for mv in d["meter_values"] if mv["measurand"] == "Power.Active.Import"]
                later = [
                    mv
                    for mv in later
                    if datetime.fromisoformat(mv["timestamp"]) > start + timedelta(seconds=2)
                ]
                total += later[-1]["value"] if later else float("inf")
            return total

        metered = await metered_w()
        for _ in range(10):  # wait on the stations' next meter samples (1 s apart), not on the clock
            if metered != float("inf"):
                break
            await _next_sample(ac)
            await _next_sample(dc)
            metered = await metered_w()
        assert 20_000 + metered <= 30_000
    finally:
        for s in (ac, dc):
            await s.stop()


async def _next_sample(station: Station) -> None:
    n = len(station.delivered)
    await station.wait_for(lambda: len(station.delivered) > n, 2)


async def test_the_simulator_site_mode_telemetry_lands_in_the_site_series(live_csms: Csms, tmp_path) -> None:
    from charger_simulator.site.energy import SiteSample
    from charger_simulator.site.telemetry import TelemetrySink

    csms = live_csms
    assert (
        await csms.api.post(
            "/api/v1/sites", json={"id": "SIM-TEL", "grid_limit_kw": 60}, headers=csms.headers
        )
    ).is_success
    at = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
    sample = SiteSample(at, 42_000.0, 18_000.0, 11_000.0, -5_000.0, 55.5, -18_000.0, False)
    token = csms.headers["Authorization"].removeprefix("Bearer ")
    async with TelemetrySink(
        "SIM-TEL", tmp_path / "t.jsonl", api_url=str(csms.api.base_url), token=token
    ) as sink:
        await sink.send(sample.telemetry())
    assert (sink.posted, sink.failed) == (1, 0)
    (row,) = (await csms.api.get("/api/v1/sites/SIM-TEL/telemetry", headers=csms.headers)).json()
    assert row["timestamp"] == "2026-06-01T04:00:00Z" and row["pv_power_w"] == 42_000.0
    assert (row["battery_power_w"], row["battery_soc_pct"], row["grid_import_w"], row["base_load_w"]) == (
        -5_000.0, 55.5, -18_000.0, 18_000.0,
    )  # fmt: skip
