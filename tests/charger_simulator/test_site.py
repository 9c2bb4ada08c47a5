"""光储充 site mode: PV, battery, balance, telemetry, and a short run with real OCPP chargers."""

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from ocpp.v16 import call
from sim_mini_csms import MiniCsms

from charger_simulator.site.config import SiteConfigError, parse_site
from charger_simulator.site.energy import Battery, Command, balance
from charger_simulator.site.pv import clear_sky_ghi_w_m2, pv_power_w, solar_elevation_deg
from charger_simulator.site.runner import Site

CHANGSHA = (28.23, 112.87)


def test_pv_is_zero_at_night_and_peaks_near_solar_noon():
    night = solar_elevation_deg(datetime(2026, 6, 21, 16, 0, tzinfo=UTC), *CHANGSHA)  # 00:00 local
    assert night < 0 and clear_sky_ghi_w_m2(night) == 0
    noon = solar_elevation_deg(datetime(2026, 6, 21, 4, 30, tzinfo=UTC), *CHANGSHA)
    assert noon == pytest.approx(85.2, abs=0.3)
    ghi = clear_sky_ghi_w_m2(noon)
    assert 1000 < ghi < 1100
    assert pv_power_w(200, ghi, 1.0, 0.8) == pytest.approx(200 * ghi * 0.8)
    winter = solar_elevation_deg(datetime(2026, 12, 21, 4, 30, tzinfo=UTC), *CHANGSHA)
    assert winter == pytest.approx(90 - 28.23 - 23.44, abs=0.5)


def test_battery_respects_power_and_soc_limits():
    b = Battery(capacity_kwh=10, max_power_kw=5, soc_min_pct=10, soc_max_pct=90, soc_pct=50, efficiency=1.0)
    assert b.dispatch(20_000, 1800) == pytest.approx(5000)  # power-limited: 2.5 kWh out
    assert b.soc_pct == pytest.approx(25)
    assert b.dispatch(5000, 3600) == pytest.approx(1500)  # energy-limited: 1.5 kWh left above 10 %
    assert b.soc_pct == pytest.approx(10)
    assert b.dispatch(5000, 3600) == pytest.approx(0)
    b = Battery(capacity_kwh=10, max_power_kw=50, soc_min_pct=10, soc_max_pct=90, soc_pct=50, efficiency=1.0)
    assert b.dispatch(-50_000, 3600) == pytest.approx(-4000)  # only 40 % of 10 kWh of room
    assert b.soc_pct == pytest.approx(90)


def test_balance_sign_conventions_and_grid_limit():
    b = Battery(100, 10, soc_pct=50)
    s = balance(datetime(2026, 6, 21, tzinfo=UTC), 0, 50_000, 100_000, b, 120_000, 60)
    assert s.battery_power_w == pytest.approx(10_000)
    assert s.grid_import_w == pytest.approx(140_000) and s.over_grid_limit
    b = Battery(100, 10, soc_pct=95)  # full: surplus is exported (negative import)
    s = balance(datetime(2026, 6, 21, tzinfo=UTC), 80_000, 20_000, 0, b, 120_000, 60)
    assert s.battery_power_w == 0 and s.grid_import_w == pytest.approx(-60_000)
    assert set(s.telemetry()) == {
        "timestamp",
        "pv_power_w",
        "battery_power_w",
        "battery_soc_pct",
        "grid_import_w",
        "base_load_w",
    }


def test_site_config_errors_name_the_key():
    good = {"site_id": "S", "latitude": 28.2, "longitude": 112.9, "start": "2026-06-21T06:00:00+08:00"}
    assert parse_site(good).start == datetime(2026, 6, 20, 22, 0, tzinfo=UTC)
    with pytest.raises(SiteConfigError, match="battery.capcity_kwh: unknown key"):
        parse_site(good | {"battery": {"capcity_kwh": 1}})
    with pytest.raises(SiteConfigError, match="start: needs a time with a UTC offset"):
        parse_site(good | {"start": "2026-06-21T06:00:00"})
    with pytest.raises(SiteConfigError, match="longitude: required key missing"):
        parse_site({k: v for k, v in good.items() if k != "longitude"})


async def test_site_run_chargers_obey_profiles_and_telemetry_is_posted(tmp_path):
    posted = []

    def api(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer secret"
        assert request.url.path == "/api/v1/sites/S1/telemetry"
        posted.append(json.loads(request.content))
        return httpx.Response(201, json={})

    async with MiniCsms() as csms:
        cfg = parse_site(
            {
                "site_id": "S1",
                "latitude": 28.23,
                "longitude": 112.87,
                "start": "2026-06-21T11:00:00+08:00",
                "duration_h": 1,
                "step_s": 60,
                "time_factor": 1200,
                "seed": 3,
                "pv": {"kwp": 100},
                "battery": {"capacity_kwh": 100, "max_power_kw": 50},
                "chargers": {"count": 2, "max_power_kw": 60, "url": csms.url, "id_prefix": "S1-CP"},
                "arrivals": {"sessions_per_charger_per_day": 2000, "energy_kwh": [50, 60]},
                "api_url": "http://api.test",
                "api_token": "secret",
                "log_path": str(tmp_path / "t.jsonl"),
            }
        )
        site = Site(cfg, transport=httpx.MockTransport(api))
        limited = {}

        def on_sample(s, totals):
            st = site.stations[0]
            c = st.model.connectors[1]
            if st.online and c.transaction and c.transaction.transaction_id and "done" not in limited:
                limited["done"] = True
                cp = csms.stations[st.config.station_id]
                profile = {
                    "charging_profile_id": 1,
                    "stack_level": 0,
                    "charging_profile_purpose": "TxDefaultProfile",
                    "charging_profile_kind": "Relative",
                    "charging_schedule": {
                        "charging_rate_unit": "W",
                        "charging_schedule_period": [{"start_period": 0, "limit": 11000}],
                    },
                }
                limited["task"] = st.spawn(
                    cp.call(call.SetChargingProfile(connector_id=1, cs_charging_profiles=profile))
                )
            if limited.get("task") and limited["task"].done() and c.transaction:
                limited["power_w"] = c.power_w

        totals = await site.run(on_sample)
    assert len(totals.samples) == 60
    for s in totals.samples:  # grid = load + chargers - pv - battery, every step
        assert s.grid_import_w == pytest.approx(
            s.base_load_w + s.chargers_power_w - s.pv_power_w - s.battery_power_w
        )
    assert totals.pv_kwh > 20 and totals.chargers_kwh > 0
    assert limited.get("power_w") == pytest.approx(11000)
    assert len(posted) == 60 and posted[0]["pv_power_w"] == pytest.approx(
        totals.samples[0].pv_power_w, abs=0.1
    )
    lines = (tmp_path / "t.jsonl").read_text().splitlines()
    assert len(lines) == 60 and json.loads(lines[0])["site_id"] == "S1"


def test_the_battery_follows_the_csms_set_point_while_valid_and_protects_the_limit() -> None:
    t = datetime(2026, 6, 21, 4, tzinfo=UTC)
    cmd = Command.of(
        {"setpoint_w": -20_000, "valid_until": "2026-06-21T04:00:30Z", "soc_min_pct": 10, "soc_max_pct": 90,
         "import_limit_w": 100_000}
    )  # fmt: skip
    # Locally the battery would cover the 40 kW deficit; commanded, it charges 20 kW from the grid.
    s = balance(t, 10_000, 30_000, 20_000, Battery(100, 50, soc_pct=50), 100_000, 1, cmd)
    assert (s.battery_power_w, s.grid_import_w, s.commanded_w) == (-20_000, 60_000, -20_000)
    # An EV of 60 kW starts before the next command: the site charges less rather than import over 100 kW.
    s = balance(t, 10_000, 30_000, 80_000, Battery(100, 50, soc_pct=50), 100_000, 1, cmd)
    assert (s.battery_power_w, s.grid_import_w) == (0.0, 100_000)
    # At the ceiling of the CSMS's window it stops charging; once lapsed the battery runs locally again.
    s = balance(t, 10_000, 30_000, 20_000, Battery(100, 50, soc_pct=90), 100_000, 1, cmd)
    assert s.battery_power_w == 0.0
    later = t + timedelta(seconds=30)
    s = balance(later, 10_000, 30_000, 20_000, Battery(100, 50, soc_pct=50), 100_000, 1, cmd)
    assert (s.battery_power_w, s.commanded_w) == (40_000, None)
