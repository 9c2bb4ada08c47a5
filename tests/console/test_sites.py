"""The sites area over HTTP: the list, a site's page (power flow now, DR events with their performance,
flexibility, carbon per site and per id token), the chart's data and the roles that may see each part."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from csms.services.transactions import StartRequest, StopRequest
from tests.harness import Csms


@pytest.fixture
async def site(csms: Csms) -> dict[str, Any]:
    """S1: cap 100 kW (transformer 80), PV and a battery, four telemetry samples over the last 40 minutes
    (metered import 50 kW: the EVs draw 50 + 20 + 5 - 25 = 50 kW), a DR event of 60 kW in force since 15 min
    ago, and a finished session of CARD-A on CP1."""
    now = datetime.now(UTC).replace(microsecond=0)
    for sid in ("CP1", "CP2"):
        await csms.station(sid)
    body = {
        "id": "S1",
        "name": "梅溪湖光储充站",
        "area": "岳麓区",
        "grid_limit_kw": 100,
        "transformer_limit_kw": 80,
        "pv_kwp": 40,
        "battery_capacity_kwh": 100,
        "battery_power_kw": 50,
        "stations": [{"station_id": "CP1"}, {"station_id": "CP2"}],
    }
    assert (await csms.api.post("/api/v1/sites", json=body, headers=csms.headers)).status_code == 201
    rows = [
        {
            "timestamp": (now - timedelta(minutes=m)).isoformat(),
            "pv_power_w": 20_000,
            "base_load_w": 25_000,
            "battery_power_w": 5_000,
            "battery_soc_pct": 60,
            "grid_import_w": 50_000,
        }
        for m in (40, 30, 10, 1)
    ]
    r = await csms.api.post("/api/v1/sites/S1/telemetry", json=rows, headers=csms.headers)
    assert r.status_code == 202, r.text
    centre = await csms.token("load_centre")
    event = {
        "id": "DR-1",
        "site_id": "S1",
        "start": (now - timedelta(minutes=15)).isoformat(),
        "end": (now + timedelta(hours=1)).isoformat(),
        "target_import_kw": 60,
        "note": "迎峰度冬",
    }
    r = await csms.api.post("/api/v1/demand-response/events", json=event, headers=centre)
    assert r.status_code == 201, r.text
    s = csms.runtime.services
    tx, _ = await s.transactions.start(StartRequest("CP1", 1, "CARD-A", 0.0, now - timedelta(minutes=35)))
    await s.transactions.stop(StopRequest("CP1", tx, 5_000.0, now - timedelta(minutes=5)))
    return {"now": now, "tx": tx}


async def test_the_list_shows_sites_with_their_flexibility(console_as: Any, site: dict) -> None:
    viewer = await console_as("load_centre")
    r = await viewer.get("/console/sites")
    assert r.status_code == 200
    assert 'href="/console/sites/S1"' in r.text and "梅溪湖光储充站" in r.text and "岳麓区" in r.text
    assert re.search(r'<td class="num">0 / 2</td><td class="num">80\.0</td>', r.text)  # the cap: transformer
    assert re.search(r'<td class="num">50\.0</td>', r.text)  # the metered import
    assert 'id="flex-down"' in r.text
    assert 'hx-get="/console/carbon/sites' not in r.text  # carbon is for station readers
    assert "S1" not in (await viewer.get("/console/sites?area=天心区")).text.split("<tbody>")[1]


async def test_a_sites_page(console_as: Any, site: dict) -> None:
    operator = await console_as("operator")
    await operator.get("/console/lang/en")
    today = site["now"].date()
    r = await operator.get(
        f"/console/sites/S1?from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"
    )
    assert r.status_code == 200
    assert re.search(r'id="cap">80\.0 kW', r.text)
    # now: the EVs by the meter's balance, the import against the cap and the DR target
    assert re.search(r'id="now-ev">50\.0 kW', r.text) and re.search(r'id="now-grid">\s*50\.0 kW', r.text)
    assert "DR target 60.0 kW" in r.text and "Planned charging" in r.text
    assert 'hx-get="/console/sites/S1/now"' in r.text and 'hx-trigger="every 10s"' in r.text
    # DR: the event, in force, with its measured performance
    dr = r.text.split('id="dr-events"')[1].split("</table>")[0]
    assert "DR-1" in dr and "迎峰度冬" in dr and ">active<" in dr and "60.0" in dr
    assert "50.0" in dr and ">Yes<" in dr  # measured 50 kW against 60: within target
    # flexibility: now and the next four hours
    flex = r.text.split('id="flexibility"')[1].split("</table>")[0]
    assert flex.count("<tr>") == 1 + 5
    # carbon of the site and of CARD-A: loaded after the page, for the period of the page
    period = f"from={today - timedelta(days=1)}&amp;to={today + timedelta(days=1)}"
    assert f'hx-get="/console/sites/S1/carbon?{period}"' in r.text
    part = await operator.get("/console/sites/S1/carbon?" + period.replace("&amp;", "&"))
    assert part.status_code == 200 and 'id="carbon-site"' in part.text
    tokens = re.sub(r"\s+", " ", part.text.split('id="carbon-tokens"')[1].split("</table>")[0])
    assert '<td>CARD-A</td><td class="num">1</td><td class="num">5.00</td>' in tokens
    assert (await operator.get("/console/sites/nope/carbon")).status_code == 404


async def test_the_load_centre_sees_no_allocation_nor_carbon(console_as: Any, site: dict) -> None:
    centre = await console_as("load_centre")
    await centre.get("/console/lang/en")
    r = await centre.get("/console/sites/S1")
    assert r.status_code == 200 and "DR-1" in r.text and 'id="flexibility"' in r.text
    assert "Planned charging" not in r.text and "/console/sites/S1/carbon" not in r.text
    assert (await centre.get("/console/carbon/sites")).status_code == 403
    assert (await centre.get("/console/sites/S1/carbon")).status_code == 403
    assert (await centre.get("/console/sites/S1/now")).status_code == 200


async def test_the_flow_chart_data(console_as: Any, site: dict) -> None:
    viewer = await console_as("viewer")
    data = (await viewer.get("/console/sites/S1/flow.json")).json()
    assert [v for _, v in data["ev_kw"]] == [50.0] * 4
    assert [v for _, v in data["grid_import_kw"]] == [50.0] * 4
    assert [v for _, v in data["pv_kw"]] == [20.0] * 4 and [v for _, v in data["battery_kw"]] == [5.0] * 4
    assert [v for _, v in data["dr_target_kw"]] == [None, None, 60.0, 60.0]  # in force since 15 min ago
    assert data["cap_kw"] == 80.0 and [v for _, v in data["cap"]] == [80.0, 80.0]
    assert [(e["id"], e["target_kw"]) for e in data["dr_events"]] == [("DR-1", 60.0)]
    times = [t for t, _ in data["pv_kw"]]
    assert times == sorted(times) and data["cap"][0][0] <= times[0] and data["cap"][1][0] >= times[-1]
    short = (await viewer.get("/console/sites/S1/flow.json?hours=0.25")).json()
    assert len(short["pv_kw"]) == 2
    assert (await viewer.get("/console/sites/S1/flow.json?hours=0")).status_code == 422
    assert (await viewer.get("/console/sites/nope/flow.json")).status_code == 404


async def test_carbon_per_site(console_as: Any, site: dict) -> None:
    operator = await console_as("operator")
    today = site["now"].date()
    r = await operator.get(
        f"/console/carbon/sites?from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"
    )
    assert r.status_code == 200
    row = re.sub(r"\s+", " ", r.text.split('href="/console/sites/S1?from=')[1].split("</tr>")[0])
    assert '">S1</a></td><td class="num">1</td> <td class="num">5.00</td>' in row


@pytest.mark.parametrize("role", ["inspector", "planner"])
async def test_only_site_readers_see_sites(console_as: Any, site: dict, role: str) -> None:
    other = await console_as(role)
    for path in (
        "/console/sites",
        "/console/sites/S1",
        "/console/sites/S1/now",
        "/console/sites/S1/flow.json",
    ):
        assert (await other.get(path)).status_code == 403, path


async def test_unknown_sites_and_no_session(console_as: Any, csms: Csms, site: dict) -> None:
    viewer = await console_as("viewer")
    assert (await viewer.get("/console/sites/nope")).status_code == 404
    assert (await viewer.get("/console/sites/nope/now")).status_code == 404
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=csms.app), base_url="http://csms") as anon:
        assert (await anon.get("/console/sites/S1")).status_code == 303
        r = await anon.get("/console/sites/S1/now", headers={"HX-Request": "true"})
        assert r.status_code == 401 and r.headers["HX-Redirect"].startswith("/console/login")


async def test_a_site_without_telemetry_nor_events(console_as: Any, csms: Csms) -> None:
    body = {"id": "S2", "grid_limit_kw": 50}
    assert (await csms.api.post("/api/v1/sites", json=body, headers=csms.headers)).status_code == 201
    viewer = await console_as("viewer")
    await viewer.get("/console/lang/en")
    r = await viewer.get("/console/sites/S2")
    assert r.status_code == 200
    assert "No telemetry yet." in r.text and "No demand-response event for this site." in r.text
    assert "there is no meter reading to start from" in r.text
    data = (await viewer.get("/console/sites/S2/flow.json")).json()
    assert data["pv_kw"] == [] and data["dr_events"] == [] and [v for _, v in data["cap"]] == [50.0, 50.0]
    assert data["cap"][1][0] - data["cap"][0][0] == 2 * 3600 * 1000  # the default window, up to now
    r = await viewer.get("/console/sites")
    assert r.status_code == 200 and 'href="/console/sites/S2"' in r.text
