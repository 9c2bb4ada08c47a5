"""The siting planner mounted in the CSMS, behind the planner/operator roles."""

from __future__ import annotations

from tests.harness import Csms


async def test_a_planner_plans_on_the_hunan_network_and_a_viewer_cannot(csms: Csms) -> None:
    planner = await csms.token("planner")
    body = {"network": "hunan", "range_km": 300, "stations": 3, "fuel": "ev"}
    r = await csms.api.post("/api/v1/siting/plan", json=body, headers=planner)
    assert r.status_code == 200, r.text
    plan = r.json()
    assert plan["status"] == "optimal" and len(plan["stations"]) == 3
    assert 0 < plan["covered_flow"] <= plan["total_flow"]
    viewer = await csms.token("viewer")
    assert (await csms.api.post("/api/v1/siting/plan", json=body, headers=viewer)).status_code == 403
    bad = await csms.api.post("/api/v1/siting/plan", json={**body, "stations": -1}, headers=planner)
    assert bad.status_code == 422 and "stations" in bad.text
