"""Telemetry and demand-response events are validated at the edge and in the services (issue 17).

Non-finite numbers and unknown fields are refused (422, never 500), telemetry dated beyond the clock-skew
allowance in the future is refused (and one stored before is never read as the latest), events entirely in
the past are refused, an ended event cannot be cancelled (409, unchanged), and a cancelled event is
reported over the window actually in force.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from csms.config import Settings
from tests.harness import Csms, running_csms

NOW = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def now() -> list[datetime]:
    return [NOW]


@pytest.fixture
async def csms(csms_settings: Settings, now: list[datetime]) -> AsyncIterator[Csms]:
    async with running_csms(csms_settings, clock=lambda: now[0]) as running:
        yield running


@pytest.fixture
async def centre(csms: Csms) -> dict[str, str]:
    body = {"id": "V", "grid_limit_kw": 100, "base_load_kw": 10}
    assert (await csms.api.post("/api/v1/sites", json=body, headers=csms.headers)).status_code == 201
    return {**(await csms.token("load_centre")), "Content-Type": "application/json"}


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def _sample(t: datetime, **kw: object) -> dict:
    return {"timestamp": _iso(t), "pv_power_w": 0, "base_load_w": 10_000, **kw}


async def _post_raw(csms: Csms, path: str, text: str, headers: dict) -> httpx.Response:
    return await csms.api.post(path, content=text, headers={**headers, "Content-Type": "application/json"})


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
async def test_non_finite_telemetry_is_refused_naming_the_field(
    csms: Csms, centre: dict, literal: str
) -> None:
    text = f'{{"timestamp": "{_iso(NOW)}", "pv_power_w": {literal}, "base_load_w": 1000}}'
    r = await _post_raw(csms, "/api/v1/sites/V/telemetry", text, csms.headers)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "pv_power_w"]
    text = f'[{{"timestamp": "{_iso(NOW)}", "pv_power_w": 0, "base_load_w": 1, "grid_import_w": {literal}}}]'
    r = await _post_raw(csms, "/api/v1/sites/V/telemetry", text, csms.headers)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", 0, "grid_import_w"]
    assert (await csms.api.get("/api/v1/sites/V/telemetry", headers=csms.headers)).json() == []


async def test_unknown_telemetry_fields_are_refused(csms: Csms, centre: dict) -> None:
    r = await csms.api.post(
        "/api/v1/sites/V/telemetry", json=_sample(NOW, pv_power_kw=3), headers=csms.headers
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "pv_power_kw"]


async def test_telemetry_from_the_future_is_refused_beyond_the_skew_allowance(
    csms: Csms, centre: dict, now: list[datetime]
) -> None:
    h = csms.headers
    day_ahead = [_sample(NOW), _sample(NOW + timedelta(days=1), base_load_w=250_000)]
    r = await csms.api.post("/api/v1/sites/V/telemetry", json=day_ahead, headers=h)
    assert r.status_code == 422 and r.json()["field"] == "timestamp" and "samples[1]" in r.json()["detail"]
    assert (await csms.api.get("/api/v1/sites/V/telemetry", headers=h)).json() == []  # all or nothing
    # Within the allowance (60 s by default) a station's clock may run a little ahead.
    r = await csms.api.post("/api/v1/sites/V/telemetry", json=_sample(NOW + timedelta(seconds=30)), headers=h)
    assert r.status_code == 202


async def test_a_stored_sample_from_the_future_is_not_the_latest(
    csms: Csms, centre: dict, now: list[datetime]
) -> None:
    """A sample stored while the CSMS clock was wrong (or before the check) must not plan every cycle."""
    h = csms.headers
    assert (await csms.api.post("/api/v1/sites/V/telemetry", json=_sample(NOW), headers=h)).status_code == 202
    now[0] = NOW + timedelta(days=1)
    poisoned = _sample(NOW + timedelta(days=1), base_load_w=95_000)
    assert (await csms.api.post("/api/v1/sites/V/telemetry", json=poisoned, headers=h)).status_code == 202
    now[0] = NOW + timedelta(seconds=1)
    (snap,) = await csms.runtime.services.sites.snapshots(["V"])
    assert snap.latest is not None and (snap.latest.timestamp, snap.latest.base_load_w) == (NOW, 10_000)


@pytest.mark.parametrize(
    ("field", "literal"),
    [("target_import_kw", "Infinity"), ("target_import_kw", "NaN"), ("reduction_kw", "NaN")],
)
async def test_non_finite_event_targets_are_refused(
    csms: Csms, centre: dict, field: str, literal: str
) -> None:
    start, end = _iso(NOW + timedelta(minutes=5)), _iso(NOW + timedelta(hours=1))
    text = f'{{"site_id": "V", "start": "{start}", "end": "{end}", "{field}": {literal}}}'
    r = await _post_raw(csms, "/api/v1/demand-response/events", text, centre)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", field]
    text = f'{{"site_id": "V", "start": "{start}", "end": "{end}", "baseline_kw_by_site": {{"V": {literal}}},'
    text += ' "reduction_kw": 5}'
    r = await _post_raw(csms, "/api/v1/demand-response/events", text, centre)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "baseline_kw_by_site", "V"]


async def test_unknown_event_fields_and_events_in_the_past_are_refused(csms: Csms, centre: dict) -> None:
    body = {"site_id": "V", "start": _iso(NOW + timedelta(minutes=5)), "end": _iso(NOW + timedelta(hours=1))}
    r = await csms.api.post(
        "/api/v1/demand-response/events", json={**body, "target_kw": 50}, headers=centre
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "target_kw"]
    past = {**body, "start": _iso(NOW - timedelta(hours=2)), "end": _iso(NOW - timedelta(hours=1))}
    r = await csms.api.post(
        "/api/v1/demand-response/events", json={**past, "target_import_kw": 50}, headers=centre
    )
    assert r.status_code == 422 and r.json()["field"] == "end"
    # Started already but still running: accepted (it is in force from now on).
    running = {**body, "start": _iso(NOW - timedelta(minutes=5)), "target_import_kw": 50}
    assert (
        await csms.api.post("/api/v1/demand-response/events", json=running, headers=centre)
    ).status_code == 201


async def test_a_cancelled_event_is_reported_over_the_window_in_force_and_an_ended_one_is_immutable(
    csms: Csms, centre: dict, now: list[datetime]
) -> None:
    h = csms.headers
    start = NOW + timedelta(minutes=10)
    for eid in ("CUT", "DONE"):
        body = {"id": eid, "site_id": "V", "start": _iso(start), "end": _iso(start + timedelta(hours=1)),
                "target_import_kw": 50}  # fmt: skip
        assert (
            await csms.api.post("/api/v1/demand-response/events", json=body, headers=centre)
        ).status_code == 201
    # The site imports 40 kW for the first 20 minutes, then 90 kW.
    rows = [
        _sample(start + timedelta(minutes=m), grid_import_w=40_000 if m < 20 else 90_000)
        for m in range(0, 60, 5)
    ]
    now[0] = start + timedelta(minutes=20)
    r = await csms.api.post("/api/v1/demand-response/events/CUT/cancel", headers=centre)
    assert r.status_code == 200
    assert r.json()["cancelled_at"] == "2026-07-01T06:30:00Z" and r.json()["status"] == "cancelled"
    now[0] = start + timedelta(hours=2)
    assert (await csms.api.post("/api/v1/sites/V/telemetry", json=rows, headers=h)).status_code == 202
    (cut,) = (await csms.api.get("/api/v1/demand-response/events/CUT", headers=h)).json()["sites"]
    # Judged over the 20 minutes it was in force: 40 kW, within its 50 kW target, fully covered.
    assert cut["measured_mean_kw"] == pytest.approx(40.0) and cut["measured_max_kw"] == 40.0
    assert cut["within_target"] is True and cut["coverage_pct"] == pytest.approx(100.0)
    # Cancelling again changes nothing (the first cancellation time stays).
    again = await csms.api.post("/api/v1/demand-response/events/CUT/cancel", headers=centre)
    assert again.status_code == 200 and again.json()["cancelled_at"] == "2026-07-01T06:30:00Z"
    # DONE ran its whole hour: it ended, and cancelling it now must not rewrite it.
    r = await csms.api.post("/api/v1/demand-response/events/DONE/cancel", headers=centre)
    assert r.status_code == 409
    done = (await csms.api.get("/api/v1/demand-response/events/DONE", headers=h)).json()
    assert done["status"] == "ended" and done["cancelled"] is False and done["cancelled_at"] is None
    assert done["sites"][0]["measured_mean_kw"] == pytest.approx((4 * 40 + 8 * 90) / 12)
