from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from siting.api import create_router


@pytest.fixture
async def client():
    app = FastAPI()
    app.include_router(create_router(max_time_limit_s=10))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


LINE = {
    "nodes": [
        {"id": "a", "weight": 5, "x": 0, "y": 0},
        {"id": "b", "x": 1, "y": 0},
        {"id": "c", "weight": 5, "x": 2, "y": 0},
    ],
    "edges": [{"from": "a", "to": "b", "length_km": 100}, {"from": "b", "to": "c", "length_km": 100}],
    "range_km": 250,
    "stations": 1,
    "candidates": "all",
}


async def test_networks_lists_builtins(client):
    rows = {r["name"]: r for r in (await client.get("/siting/networks")).json()}
    assert rows["25node"]["nodes"] == 25 and rows["25node"]["trips"] == 300
    assert rows["hunan"]["trips"] == 190


async def test_plan_builtin_and_records(client):
    doc = (
        await client.post("/siting/plan", json={"network": "hunan", "stations": 3, "range_km": 300})
    ).json()
    assert doc["status"] == "optimal" and len(doc["stations"]) == 3 and doc["gap"] == 0.0
    one = (await client.post("/siting/plan", json=LINE)).json()
    # 400 km round trip a-c with a 250 km range: only the midpoint b refuels it with one station.
    assert one["stations"] == ["b"] and one["covered_flow_pct"] == 100.0
    page = await client.post("/siting/plan?format=html&lang=zh", json=LINE)
    assert page.headers["content-type"].startswith("text/html") and "站点布局方案" in page.text
    geo = (await client.post("/siting/plan?format=geojson", json=LINE)).json()
    assert [f["properties"]["id"] for f in geo["features"] if f["geometry"]["type"] == "Point"] == ["b"]


async def test_bad_input_is_422_with_the_message(client):
    body = {
        "edges": [{"from": "a", "to": "b", "length_km": 10}, {"from": "c", "to": "d", "length_km": 10}],
        "stations": 1,
    }
    r = await client.post("/siting/plan", json=body)
    assert r.status_code == 422
    assert "disconnected: 2 components; component 2 holds c, d" in r.json()["detail"]
    r = await client.post("/siting/cover", json={"network": "hunan", "existing": ["atlantis"]})
    assert r.status_code == 422 and r.json()["detail"] == "existing stations not in the graph: atlantis"


async def test_capacity_route_sizes_the_bays_and_refuses_bad_values(client):
    body = {
        "nodes": [
            {"id": "a", "weight": 1, "x": 112.0, "y": 28.0},
            {"id": "s", "kind": "service_area", "x": 112.5, "y": 28.0, "existing_bays": 4},
            {"id": "b", "weight": 1, "x": 113.0, "y": 28.0},
        ],
        "edges": [{"from": "a", "to": "s", "length_km": 50}, {"from": "s", "to": "b", "length_km": 50}],
        "flows": [{"origin": "a", "destination": "b", "flow": 5000}],
        "target_wait_min": 10,
    }
    doc = (await client.post("/siting/capacity", json=body)).json()
    (site,) = doc["sites"]
    assert site["bays_existing"] == 4 and site["bays_needed"] == 10 and site["bays_to_add"] == 6
    geo = (await client.post("/siting/capacity?format=geojson", json=body)).json()
    assert geo["features"][0]["geometry"]["coordinates"] == [112.5, 28.0]
    page = await client.post("/siting/capacity?format=html&lang=zh", json=body)
    assert page.headers["content-type"].startswith("text/html")
    assert "高峰小时充电能力" in page.text and ">s +6</text>" in page.text  # the map labels the site
    body["nodes"][1]["existing_bays"] = "many"
    r = await client.post("/siting/capacity", json=body)
    assert r.status_code == 422 and "node s: existing_bays must be a whole number" in r.json()["detail"]
    r = await client.post("/siting/capacity", json={**body, "ev_share": 3})
    assert r.status_code == 422


async def test_plan_route_with_a_money_budget(client):
    body = {**LINE, "stations": None, "budget": 900, "site_cost": 800, "charger_cost": 20}
    doc = (await client.post("/siting/plan", json=body)).json()
    assert doc["cost"] == 880 and len(doc["new_stations"]) == 1 and doc["budget"] == 900
    r = await client.post("/siting/plan", json={**LINE, "stations": None})
    assert r.status_code == 422 and "give the number of stations, or a budget" in r.json()["detail"]
