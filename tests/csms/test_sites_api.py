"""REST API of sites: CRUD with stations and tariff, telemetry in and out, the current allocation."""

from __future__ import annotations

import pytest

from tests.csms.conftest import Csms

SITE = {
    "id": "S1",
    "name": "梅溪湖光储充站",
    "area": "Yuelu",
    "grid_limit_kw": 200,
    "transformer_limit_kw": 160,
    "pv_kwp": 120,
    "battery_capacity_kwh": 200,
    "battery_power_kw": 50,
    "battery_soc_min_pct": 10,
    "battery_soc_max_pct": 90,
    "base_load_kw": 40,
    "stations": [{"station_id": "CP1"}],
}


@pytest.fixture
async def site(csms: Csms) -> dict:
    await csms.station("CP1")
    await csms.station("CP2")
    r = await csms.api.post("/api/v1/sites", json=SITE, headers=csms.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_create_read_update_delete_a_site_with_its_stations(csms: Csms, site: dict) -> None:
    h = csms.headers
    assert site["tariff_name"] == "hunan_commercial_tou" and site["tariff"] is None
    assert site["stations"] == [
        {
            "station_id": "CP1",
            "current_type": "AC",
            "phases": 3,
            "max_power_w": 22000.0,
            "min_power_w": None,
            "priority": "standard",
            "online": False,
        }
    ]
    r = await csms.api.put(
        "/api/v1/sites/S1/stations/CP2",
        json={"current_type": "DC", "max_power_w": 60000, "priority": "public_service"},
        headers=h,
    )
    assert (
        r.status_code == 200 and r.json()["station_id"] == "CP2" and r.json()["priority"] == "public_service"
    )
    tariff = {
        "name": "flat",
        "prices_cny_per_kwh": {"flat": 0.6},
        "rules": [{"period": "flat", "start": "00:00", "end": "24:00"}],
    }
    r = await csms.api.patch("/api/v1/sites/S1", json={"grid_limit_kw": 250, "tariff": tariff}, headers=h)
    assert r.status_code == 200 and r.json()["grid_limit_kw"] == 250 and r.json()["tariff_name"] == "flat"
    assert [s["station_id"] for s in r.json()["stations"]] == ["CP1", "CP2"]
    listed = (await csms.api.get("/api/v1/sites", params={"area": "Yuelu"}, headers=h)).json()
    assert [s["id"] for s in listed] == ["S1"]
    assert (await csms.api.get("/api/v1/sites", params={"area": "Tianxin"}, headers=h)).json() == []
    assert (await csms.api.delete("/api/v1/sites/S1/stations/CP2", headers=h)).status_code == 204
    assert (await csms.api.delete("/api/v1/sites/S1/stations/CP2", headers=h)).status_code == 404
    assert (await csms.api.delete("/api/v1/sites/S1", headers=h)).status_code == 204
    assert (await csms.api.get("/api/v1/sites/S1", headers=h)).status_code == 404


async def test_site_bodies_are_checked_and_errors_name_the_field(csms: Csms, site: dict) -> None:
    h = csms.headers
    r = await csms.api.post(
        "/api/v1/sites", json={**SITE, "id": "S2", "grid_limit_kw": -1, "stations": []}, headers=h
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "grid_limit_kw"]
    r = await csms.api.post("/api/v1/sites", json={"id": "S2"}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "grid_limit_kw"]
    r = await csms.api.post(
        "/api/v1/sites", json={**SITE, "id": "S2", "battery_soc_min_pct": 95, "stations": []}, headers=h
    )
    assert r.status_code == 422 and "battery_soc_min_pct" in r.json()["detail"]
    r = await csms.api.post(
        "/api/v1/sites", json={**SITE, "id": "S2", "tariff": {"rules": []}, "stations": []}, headers=h
    )
    assert r.status_code == 422 and r.json()["field"] == "tariff"
    assert "prices_cny_per_kwh" in r.json()["detail"]
    r = await csms.api.post(
        "/api/v1/sites", json={**SITE, "id": "S2", "stations": [{"station_id": "NOPE"}]}, headers=h
    )
    assert r.status_code == 422 and r.json()["field"] == "stations[0].station_id"
    r = await csms.api.post("/api/v1/sites", json={**SITE, "id": "S2"}, headers=h)  # CP1 is S1's
    assert r.status_code == 409 and "S1" in r.json()["detail"]
    assert (await csms.api.post("/api/v1/sites", json=SITE, headers=h)).status_code == 409
    r = await csms.api.patch("/api/v1/sites/S1", json={"pv_kwp": "lots"}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "pv_kwp"]
    r = await csms.api.patch("/api/v1/sites/S1", json={"grid_limit_kw": None}, headers=h)
    assert r.status_code == 422 and r.json()["field"] == "grid_limit_kw"
    r = await csms.api.patch("/api/v1/sites/S1", json={"transformer_limit_kw": None}, headers=h)
    assert r.status_code == 200 and r.json()["transformer_limit_kw"] is None
    r = await csms.api.patch("/api/v1/sites/S1", json={"colour": "red"}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "colour"]
    r = await csms.api.put("/api/v1/sites/S1/stations/CP2", json={"max_power_w": 0}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "max_power_w"]
    viewer = await csms.token("viewer")
    assert (
        await csms.api.post("/api/v1/sites", json={**SITE, "id": "S3"}, headers=viewer)
    ).status_code == 403
    assert (await csms.api.get("/api/v1/sites/S1", headers=viewer)).status_code == 200


async def test_telemetry_in_one_or_many_and_read_back_by_time_range(csms: Csms, site: dict) -> None:
    h = csms.headers
    one = {
        "timestamp": "2026-06-01T10:00:00+08:00",
        "pv_power_w": 50000,
        "battery_power_w": -10000,
        "battery_soc_pct": 40,
        "grid_import_w": 12000,
        "base_load_w": 30000,
    }
    r = await csms.api.post("/api/v1/sites/S1/telemetry", json=one, headers=h)
    assert r.status_code == 202 and r.json()["accepted"] == 1
    many = [{**one, "timestamp": f"2026-06-01T02:{m:02d}:00Z", "pv_power_w": 50000 + m} for m in (5, 10, 15)]
    assert (await csms.api.post("/api/v1/sites/S1/telemetry", json=many, headers=h)).json()["accepted"] == 3
    r = await csms.api.get(
        "/api/v1/sites/S1/telemetry",
        params={"from": "2026-06-01T02:05:00Z", "to": "2026-06-01T02:15:00Z"},
        headers=h,
    )
    assert [(x["timestamp"], x["pv_power_w"]) for x in r.json()] == [
        ("2026-06-01T02:05:00Z", 50005.0),
        ("2026-06-01T02:10:00Z", 50010.0),
    ]
    everything = (await csms.api.get("/api/v1/sites/S1/telemetry", headers=h)).json()
    assert everything[0]["timestamp"] == "2026-06-01T02:00:00Z" and everything[0]["battery_power_w"] == -10000
    assert len(everything) == 4


async def test_bad_telemetry_names_the_sample_and_field_and_stores_nothing(csms: Csms, site: dict) -> None:
    h = csms.headers
    good = {"timestamp": "2026-06-01T02:00:00Z", "pv_power_w": 1, "base_load_w": 1}
    r = await csms.api.post("/api/v1/sites/S1/telemetry", json=[good, {**good, "pv_power_w": -5}], headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", 1, "pv_power_w"]
    r = await csms.api.post(
        "/api/v1/sites/S1/telemetry", json={**good, "timestamp": "2026-06-01T02:00:00"}, headers=h
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "timestamp"]
    r = await csms.api.post("/api/v1/sites/S1/telemetry", json={"timestamp": good["timestamp"]}, headers=h)
    assert {tuple(e["loc"]) for e in r.json()["detail"]} == {("body", "pv_power_w"), ("body", "base_load_w")}
    r = await csms.api.post("/api/v1/sites/S1/telemetry", json={**good, "battery_soc_pct": 120}, headers=h)
    assert r.json()["detail"][0]["loc"] == ["body", "battery_soc_pct"]
    assert (await csms.api.post("/api/v1/sites/NOPE/telemetry", json=good, headers=h)).status_code == 404
    assert (await csms.api.get("/api/v1/sites/S1/telemetry", headers=h)).json() == []


async def test_allocation_of_a_site_reads_its_latest_telemetry(csms: Csms, site: dict) -> None:
    h = csms.headers
    now = csms.runtime.services.now().isoformat()
    body = {"timestamp": now, "pv_power_w": 30000, "battery_soc_pct": 10, "base_load_w": 50000}
    assert (await csms.api.post("/api/v1/sites/S1/telemetry", json=body, headers=h)).status_code == 202
    await csms.runtime.services.energy.run_cycle(["S1"])
    a = (await csms.api.get("/api/v1/sites/S1/allocation", headers=h)).json()
    # transformer 160 kW binds; the plan aims at 160 x 0.97 - 1 = 154.2 kW (the safety margin) and counts PV
    # 10 % below its output (27 kW), so 154.2 - 50 + 27 + 0 (battery at its floor) = 131.2 kW for charging
    assert a["binding_limit"] == "transformer" and a["import_limit_w"] == 160_000
    assert a["planned_limit_w"] == pytest.approx(154_200) and a["pv_power_w"] == pytest.approx(27_000)
    assert a["available_for_charging_w"] == pytest.approx(131_200)
    assert a["battery_discharge_max_w"] == 0 and a["sessions"] == []
    assert a["tariff_period"] in {"valley", "flat", "peak", "sharp"}
    assert (await csms.api.get("/api/v1/sites/NOPE/allocation", headers=h)).status_code == 404
