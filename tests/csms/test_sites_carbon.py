"""Carbon accounting through the API: a sample morning at a site, reproduced by hand."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from csms.domain.metering import ENERGY_REGISTER, Sample
from csms.services.metering import MeterReport
from csms.services.transactions import StartRequest, StopRequest
from tests.csms.conftest import Csms

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Changsha
FACTOR = 0.5306  # kg CO2/kWh, MEE/NBS national average 2023 (the shipped default)
PETROL_KG_PER_KM = 7.0 / 100 * 2.26  # 7 L/100 km x 2.26 kg CO2/L


async def _session(csms: Csms, station: str, token: str, readings: list[tuple[int, float]]) -> int:
    """A 1.6 session from T0 with register ``readings`` as (minutes after T0, Wh); stops at the last one."""
    s = csms.runtime.services
    tx_id, _ = await s.transactions.start(StartRequest(station, 1, token, 0.0, T0))
    for minutes, wh in readings:
        at = T0 + timedelta(minutes=minutes)
        await s.meters.write(
            MeterReport(station, 1, [Sample(at, ENERGY_REGISTER, wh, "Wh")], transaction_id=tx_id)
        )
    last_min, last_wh = readings[-1]
    await s.transactions.stop(StopRequest(station, tx_id, last_wh, T0 + timedelta(minutes=last_min)))
    return tx_id


@pytest.fixture
async def day(csms: Csms) -> tuple[int, int]:
    for sid in ("CP1", "CP2"):
        await csms.station(sid)
    for tok in ("CARD-A", "CARD-B"):
        await csms.runtime.services.tokens.create(tok)
    site = {
        "id": "S1",
        "grid_limit_kw": 100,
        "pv_kwp": 40,
        "stations": [{"station_id": "CP1"}, {"station_id": "CP2"}],
    }
    assert (await csms.api.post("/api/v1/sites", json=site, headers=csms.headers)).status_code == 201
    # PV 30 kW then 20 kW then none, sampled every 15 min; the building draws 20 kW throughout.
    rows = [
        {"timestamp": (T0 + timedelta(minutes=m)).isoformat(), "pv_power_w": pv, "base_load_w": 20_000}
        for m, pv in ((0, 30_000), (15, 30_000), (30, 20_000), (45, 20_000), (60, 0))
    ]
    assert (
        await csms.api.post("/api/v1/sites/S1/telemetry", json=rows, headers=csms.headers)
    ).status_code == 202
    a = await _session(csms, "CP1", "CARD-A", [(30, 5_000), (60, 10_000)])  # 10 kW for an hour
    b = await _session(csms, "CP2", "CARD-B", [(30, 5_000)])  # 10 kW for half an hour
    return a, b


async def test_sample_morning_green_grid_split_and_credits_by_hand(csms: Csms, day: tuple[int, int]) -> None:
    a, b = day
    # 10:00-10:30: PV 15 kWh, base 10 kWh -> 5 kWh of PV left for 10 kWh of charging: half of each session
    # is green (2.5 kWh each). 10:30-11:00: PV 10 kWh all taken by the base load -> A's 5 kWh is grid.
    params = {"from": "2026-06-01T00:00:00Z", "to": "2026-06-02T00:00:00Z", "site_id": "S1"}
    rows = (await csms.api.get("/api/v1/carbon/sessions", params=params, headers=csms.headers)).json()
    assert [(r["session_id"], r["id_token"]) for r in rows] == [(str(a), "CARD-A"), (str(b), "CARD-B")]
    ra, rb = rows
    assert (ra["energy_wh"], ra["green_wh"], ra["grid_wh"]) == pytest.approx((10_000, 2_500, 7_500))
    assert (rb["energy_wh"], rb["green_wh"], rb["grid_wh"]) == pytest.approx((5_000, 2_500, 2_500))
    assert ra["emissions_kg_co2"] == pytest.approx(7.5 * FACTOR, abs=1e-4)  # 3.9795
    assert ra["distance_km"] == pytest.approx(10 / 15 * 100, abs=1e-4)  # 15 kWh/100 km
    assert ra["avoided_kg_co2"] == pytest.approx(10 / 15 * 100 * PETROL_KG_PER_KM - 7.5 * FACTOR, abs=1e-4)
    assert rb["avoided_kg_co2"] == pytest.approx(5 / 15 * 100 * PETROL_KG_PER_KM - 2.5 * FACTOR, abs=1e-4)
    assert ra["factor_key"] == "CN_NATIONAL_2023"

    credits = (await csms.api.get("/api/v1/carbon/credits", params=params, headers=csms.headers)).json()
    assert [(c["id_token"], c["sessions"]) for c in credits] == [("CARD-A", 1), ("CARD-B", 1)]
    assert credits[0]["credits"] == pytest.approx(6.5672, abs=1e-4)
    assert credits[1]["credits"] == pytest.approx(3.9468, abs=1e-4)


async def test_carbon_exports_as_csv_with_chinese_headers(csms: Csms, day: tuple[int, int]) -> None:
    params = {"from": "2026-06-01T00:00:00Z", "to": "2026-06-02T00:00:00Z", "format": "csv", "lang": "zh"}
    r = await csms.api.get("/api/v1/carbon/sessions", params=params, headers=csms.headers)
    assert r.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert table[0][:4] == ["会话编号", "用户标识", "充电量(Wh)", "光伏绿电(Wh)"]
    assert [row[1] for row in table[1:]] == ["CARD-A", "CARD-B"] and table[1][3] == "2500.0"
    r = await csms.api.get("/api/v1/carbon/credits", params={**params, "lang": "en"}, headers=csms.headers)
    assert r.text.lstrip("\ufeff").splitlines()[0].startswith("id_token,sessions,energy_wh")
    # nothing in another window
    empty = {"from": "2026-06-02T00:00:00Z", "to": "2026-06-03T00:00:00Z"}
    assert (await csms.api.get("/api/v1/carbon/sessions", params=empty, headers=csms.headers)).json() == []


async def test_carbon_queries_name_bad_parameters(csms: Csms, day: tuple[int, int]) -> None:
    h = csms.headers
    r = await csms.api.get("/api/v1/carbon/sessions", params={"from": "2026-06-01T00:00:00"}, headers=h)
    assert r.status_code == 422 and ["query", "to"] in [e["loc"] for e in r.json()["detail"]]
    r = await csms.api.get(
        "/api/v1/carbon/sessions",
        params={"from": "2026-06-01T00:00:00", "to": "2026-06-02T00:00:00"},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["field"] == "from"
    r = await csms.api.get(
        "/api/v1/carbon/sessions",
        params={"from": "2026-06-02T00:00:00Z", "to": "2026-06-01T00:00:00Z"},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["field"] == "to"
    r = await csms.api.get(
        "/api/v1/carbon/credits",
        params={"from": "2026-06-01T00:00:00Z", "to": "2026-06-02T00:00:00Z", "format": "xml"},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "format"]
    r = await csms.api.get(
        "/api/v1/carbon/sessions",
        params={"from": "2026-06-01T00:00:00Z", "to": "2026-06-02T00:00:00Z", "site_id": "X"},
        headers=h,
    )
    assert r.status_code == 404
    f = (await csms.api.get("/api/v1/carbon/factors", headers=h)).json()
    assert (
        f["grid_emission_factor"]["kg_co2_per_kwh"] == FACTOR
        and f["grid_emission_factor"]["data_year"] == 2023
    )


async def test_energy_outside_the_telemetry_counts_as_grid(csms: Csms) -> None:
    await csms.station("CP9")
    await csms.runtime.services.tokens.create("CARD-C")
    site = {"id": "S9", "grid_limit_kw": 100, "stations": [{"station_id": "CP9"}]}
    assert (await csms.api.post("/api/v1/sites", json=site, headers=csms.headers)).status_code == 201
    # One sample at T0 with 100 kW of PV and no building load: it holds for 15 min only.
    sample = {"timestamp": T0.isoformat(), "pv_power_w": 100_000, "base_load_w": 0}
    await csms.api.post("/api/v1/sites/S9/telemetry", json=sample, headers=csms.headers)
    await _session(csms, "CP9", "CARD-C", [(15, 2_500), (60, 10_000)])  # 10 kW for an hour
    params = {"from": "2026-06-01T00:00:00Z", "to": "2026-06-02T00:00:00Z", "site_id": "S9"}
    (row,) = (await csms.api.get("/api/v1/carbon/sessions", params=params, headers=csms.headers)).json()
    # The first 15 min (2.5 kWh) are green; the next 45 min have no telemetry, so no PV is credited.
    assert (row["green_wh"], row["grid_wh"]) == pytest.approx((2_500, 7_500))
