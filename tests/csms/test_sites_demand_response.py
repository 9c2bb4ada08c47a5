"""REST API of demand response: roles, events (target, group total, reduction), cancel, results, VPP.

The CSMS runs on a fixed clock: what a site's battery does (and so its flexibility) depends on the tariff
period of the moment, and the events' status on whether they are over.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from csms.config import Settings
from tests.harness import Csms, running_csms

T0 = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)  # 14:00 in Changsha
NOW = datetime(2026, 7, 2, 6, 30, tzinfo=UTC)  # 14:30 in Changsha the next day: a flat hour, the events over
BEFORE = T0 - timedelta(minutes=5)  # when the centre announces the events (an event in the past is refused)


@pytest.fixture
def now() -> list[datetime]:
    """The CSMS's clock reads ``now[0]``."""
    return [NOW]


@pytest.fixture
async def csms(csms_settings: Settings, now: list[datetime]) -> AsyncIterator[Csms]:
    async with running_csms(csms_settings, clock=lambda: now[0]) as running:
        yield running


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


@pytest.fixture
async def sites(csms: Csms) -> dict[str, str]:
    for sid, grid, area in (("A", 100, "Yuelu"), ("B", 50, "Yuelu"), ("C", 80, "Tianxin")):
        body = {
            "id": sid,
            "grid_limit_kw": grid,
            "area": area,
            "battery_capacity_kwh": 100,
            "battery_power_kw": 20,
        }
        assert (await csms.api.post("/api/v1/sites", json=body, headers=csms.headers)).status_code == 201
    # Five previous days of telemetry over the 14:00-15:00 slot: A imports 80 kW, B 40 kW.
    for sid, kw in (("A", 80), ("B", 40)):
        rows = [
            {
                "timestamp": _iso(T0 - timedelta(days=d) + timedelta(minutes=m)),
                "pv_power_w": 0,
                "base_load_w": 0,
                "grid_import_w": kw * 1000,
            }
            for d in range(1, 6)
            for m in range(0, 60, 15)
        ]
        assert (
            await csms.api.post(f"/api/v1/sites/{sid}/telemetry", json=rows, headers=csms.headers)
        ).status_code == 202
    return {**(await csms.token("load_centre")), "Content-Type": "application/json"}


def _event(**kw) -> dict:
    return {"start": _iso(T0), "end": _iso(T0 + timedelta(hours=1)), **kw}


async def test_only_the_load_centre_creates_and_cancels_events(
    csms: Csms, sites: dict, now: list[datetime]
) -> None:
    now[0] = BEFORE
    body = _event(id="E1", site_id="A", target_import_kw=60)
    assert (
        await csms.api.post("/api/v1/demand-response/events", json=body, headers=csms.headers)
    ).status_code == 403
    r = await csms.api.post("/api/v1/demand-response/events", json=body, headers=sites)
    assert r.status_code == 201, r.text
    e = r.json()
    assert e["site_ids"] == ["A"] and e["target_import_kw"] == 60 and e["baseline_kw_by_site"] == {"A": 80.0}
    assert e["created_by"] == "load_centre"
    viewer = await csms.token("viewer")
    assert [
        x["id"] for x in (await csms.api.get("/api/v1/demand-response/events", headers=viewer)).json()
    ] == ["E1"]
    assert (
        await csms.api.post("/api/v1/demand-response/events/E1/cancel", headers=viewer)
    ).status_code == 403
    r = await csms.api.post("/api/v1/demand-response/events/E1/cancel", headers=sites)
    assert r.json()["cancelled"] is True and r.json()["status"] == "cancelled"
    assert (
        await csms.api.get("/api/v1/demand-response/events", params={"live": True}, headers=viewer)
    ).json() == []
    assert (
        await csms.api.post("/api/v1/demand-response/events", json=body, headers=sites)
    ).status_code == 409
    assert (
        await csms.api.post("/api/v1/demand-response/events/NOPE/cancel", headers=sites)
    ).status_code == 404


async def test_group_total_is_split_by_baseline_and_a_reduction_is_taken_from_it(
    csms: Csms, sites: dict, now: list[datetime]
) -> None:
    now[0] = BEFORE
    r = await csms.api.post(
        "/api/v1/demand-response/events",
        json=_event(site_ids=["A", "B"], target_import_kw_total=90),
        headers=sites,
    )
    assert r.status_code == 201, r.text
    assert r.json()["target_import_kw_by_site"] == {"A": pytest.approx(60.0), "B": pytest.approx(30.0)}
    r = await csms.api.post(
        "/api/v1/demand-response/events", json=_event(site_ids=["A", "B"], reduction_kw=25), headers=sites
    )
    assert r.json()["baseline_kw_by_site"] == {"A": 80.0, "B": 40.0}
    # C has no history: its baseline must be given
    r = await csms.api.post(
        "/api/v1/demand-response/events", json=_event(site_id="C", reduction_kw=10), headers=sites
    )
    assert r.status_code == 422 and r.json()["field"] == "baseline_kw_by_site" and "'C'" in r.json()["detail"]
    r = await csms.api.post(
        "/api/v1/demand-response/events",
        json=_event(site_id="C", reduction_kw=10, baseline_kw_by_site={"C": 70}),
        headers=sites,
    )
    assert r.status_code == 201 and r.json()["baseline_kw_by_site"] == {"C": 70.0}


async def test_bad_events_name_the_field(csms: Csms, sites: dict, now: list[datetime]) -> None:
    now[0] = BEFORE
    post = lambda body: csms.api.post("/api/v1/demand-response/events", json=body, headers=sites)  # noqa: E731
    r = await post(_event(site_id="A", target_import_kw=60, reduction_kw=5))
    assert r.status_code == 422 and r.json()["field"] == "target_import_kw"
    r = await post(_event(site_id="A"))
    assert r.status_code == 422 and r.json()["field"] == "target_import_kw"
    r = await post({**_event(site_id="A", target_import_kw=60), "end": _iso(T0 - timedelta(hours=1))})
    assert r.status_code == 422 and r.json()["field"] == "end"
    r = await post(_event(site_id="NOPE", target_import_kw=60))
    assert r.status_code == 422 and r.json()["field"] == "site_ids" and "NOPE" in r.json()["detail"]
    r = await post(_event(target_import_kw=60))
    assert r.status_code == 422 and "site_id" in r.json()["detail"][0]["msg"]
    r = await post({**_event(site_id="A", target_import_kw=-1)})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "target_import_kw"]
    r = await post({**_event(site_id="A", target_import_kw=60), "start": "2026-07-01T06:00:00"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "start"]


async def test_event_detail_reports_baseline_target_and_measured_import(
    csms: Csms, sites: dict, now: list[datetime]
) -> None:
    now[0] = BEFORE
    r = await csms.api.post(
        "/api/v1/demand-response/events",
        json=_event(id="E2", site_ids=["A", "B"], reduction_kw=20),
        headers=sites,
    )
    assert r.status_code == 201
    now[0] = NOW
    # During the event A imports 70 kW for 30 min then 50 kW: mean 60 kW so far (the clock is past the end).
    rows = [
        {"timestamp": _iso(T0), "pv_power_w": 0, "base_load_w": 0, "grid_import_w": 70_000},
        {
            "timestamp": _iso(T0 + timedelta(minutes=15)),
            "pv_power_w": 0,
            "base_load_w": 0,
            "grid_import_w": 70_000,
        },
        {
            "timestamp": _iso(T0 + timedelta(minutes=30)),
            "pv_power_w": 0,
            "base_load_w": 0,
            "grid_import_w": 50_000,
        },
        {
            "timestamp": _iso(T0 + timedelta(minutes=45)),
            "pv_power_w": 0,
            "base_load_w": 0,
            "grid_import_w": 50_000,
        },
    ]
    await csms.api.post("/api/v1/sites/A/telemetry", json=rows, headers=csms.headers)
    d = (await csms.api.get("/api/v1/demand-response/events/E2", headers=csms.headers)).json()
    assert d["status"] == "ended"
    a, b = d["sites"]
    assert (a["site_id"], a["baseline_kw"], a["target_kw"]) == ("A", 80.0, 60.0)
    assert a["measured_mean_kw"] == pytest.approx(60.0) and a["measured_max_kw"] == 70.0
    assert a["reduction_achieved_kw"] == pytest.approx(20.0) and a["within_target"] is True
    assert a["coverage_pct"] == pytest.approx(100.0)
    assert (b["site_id"], b["target_kw"], b["measured_mean_kw"], b["within_target"]) == (
        "B",
        20.0,
        None,
        None,
    )
    assert (
        await csms.api.get("/api/v1/demand-response/events/NOPE", headers=csms.headers)
    ).status_code == 404


async def test_flexibility_per_site_and_per_area(csms: Csms, sites: dict) -> None:
    body = {"timestamp": _iso(NOW), "pv_power_w": 0, "base_load_w": 10_000, "battery_soc_pct": 50}
    await csms.api.post("/api/v1/sites/A/telemetry", json=body, headers=csms.headers)
    r = await csms.api.get("/api/v1/demand-response/flexibility", params={"area": "Yuelu"}, headers=sites)
    flex = r.json()
    by = {s["site_id"]: s for s in flex["sites"]}
    # A: battery 50 % -> 40 kWh above its floor over 15 min, capped by its 20 kW rating; nothing charging.
    # At a flat hour the battery does not shave the import, so all of it is headroom.
    assert by["A"]["battery_headroom_w"] == pytest.approx(20_000) and by["A"]["charging_shed_w"] == 0
    # B has no telemetry: the battery is not counted on.
    assert by["B"]["battery_headroom_w"] == 0
    assert set(by) == {"A", "B"} and flex["total_w"] == pytest.approx(20_000)
    one = (
        await csms.api.get("/api/v1/demand-response/flexibility", params={"site_id": "C"}, headers=sites)
    ).json()
    assert [s["site_id"] for s in one["sites"]] == ["C"]
    assert (
        await csms.api.get("/api/v1/demand-response/flexibility", params={"site_id": "X"}, headers=sites)
    ).status_code == 404


async def test_at_a_peak_hour_the_battery_shaves_the_import_and_has_less_headroom(
    csms: Csms, sites: dict, now: list[datetime]
) -> None:
    now[0] = datetime(2026, 7, 2, 10, 0, tzinfo=UTC)  # 18:00 in Changsha
    body = {"timestamp": _iso(now[0]), "pv_power_w": 0, "base_load_w": 10_000, "battery_soc_pct": 50}
    await csms.api.post("/api/v1/sites/A/telemetry", json=body, headers=csms.headers)
    r = await csms.api.get("/api/v1/demand-response/flexibility", params={"site_id": "A"}, headers=sites)
    # The battery gives the 10 kW base load (peak shaving): 10 kW of its 20 kW rating is left.
    assert r.json()["sites"][0]["battery_headroom_w"] == pytest.approx(10_000)
