"""The sessions area over HTTP: the paged table and its filters, CSV and XLSX exports of the filtered set
with the table's columns, a session's page (energy, cost, carbon record) and its chart data, and who may
see them."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from csms.console.pages import sessions as page
from csms.console.pages.listing import PAGE_SIZE
from csms.domain.metering import ENERGY_REGISTER, Sample
from csms.services.metering import MeterReport
from csms.services.transactions import StartRequest, StopRequest
from tests.harness import Csms

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Changsha


async def _session(
    csms: Csms,
    station: str,
    token: str,
    at: datetime,
    readings: list[tuple[int, float, float]],
    stop: bool = True,
) -> int:
    """A 1.6 session from ``at`` with ``readings`` as (minutes after ``at``, register Wh, power W)."""
    s = csms.runtime.services
    tx_id, _ = await s.transactions.start(StartRequest(station, 1, token, 0.0, at))
    for minutes, wh, w in readings:
        t = at + timedelta(minutes=minutes)
        samples = [Sample(t, ENERGY_REGISTER, wh, "Wh"), Sample(t, "Power.Active.Import", w, "W")]
        await s.meters.write(MeterReport(station, 1, samples, transaction_id=tx_id))
    if stop:
        last_min, last_wh, _ = readings[-1]
        await s.transactions.stop(StopRequest(station, tx_id, last_wh, at + timedelta(minutes=last_min)))
    return tx_id


@pytest.fixture
async def day(csms: Csms) -> dict[str, Any]:
    """Site S1 (CP1, CP2) with PV telemetry; CARD-A charges 10 kWh on CP1, CARD-B 5 kWh on CP2; a session
    is open on CP3 (on no site) with a token that reads as a formula."""
    for sid in ("CP1", "CP2", "CP3"):
        await csms.station(sid)
    for tok in ("CARD-A", "CARD-B"):
        await csms.runtime.services.tokens.create(tok)
    site = {"id": "S1", "grid_limit_kw": 100, "pv_kwp": 40,
            "stations": [{"station_id": "CP1"}, {"station_id": "CP2"}]}  # fmt: skip
    assert (await csms.api.post("/api/v1/sites", json=site, headers=csms.headers)).status_code == 201
    rows = [
        {"timestamp": (T0 + timedelta(minutes=m)).isoformat(), "pv_power_w": pv, "base_load_w": 20_000}
        for m, pv in ((0, 30_000), (15, 30_000), (30, 20_000), (45, 20_000), (60, 0))
    ]
    r = await csms.api.post("/api/v1/sites/S1/telemetry", json=rows, headers=csms.headers)
    assert r.status_code == 202
    a = await _session(csms, "CP1", "CARD-A", T0, [(30, 5_000, 10_000), (60, 10_000, 10_000)])
    b = await _session(csms, "CP2", "CARD-B", T0, [(30, 5_000, 10_000)])
    c = await _session(csms, "CP3", '=HYPERLINK("x")', T0 + timedelta(days=1), [(5, 500, 6_000)], stop=False)
    return {"a": a, "b": b, "c": c}


def _ids(html: str) -> list[int]:
    return [int(m) for m in re.findall(r'href="/console/sessions/(\d+)"', html)]


async def test_the_table_filters_by_station_token_status_and_local_dates(console_as: Any, day: dict) -> None:
    viewer = await console_as("viewer")
    r = await viewer.get("/console/sessions")
    assert r.status_code == 200 and "<th" in r.text
    assert _ids(r.text) == [day["c"], day["b"], day["a"]]  # newest first
    assert _ids((await viewer.get("/console/sessions?station=CP1")).text) == [day["a"]]
    assert _ids((await viewer.get("/console/sessions?token=CARD-B")).text) == [day["b"]]
    assert _ids((await viewer.get("/console/sessions?status=Active")).text) == [day["c"]]
    assert _ids((await viewer.get("/console/sessions?status=Completed")).text) == [day["b"], day["a"]]
    # dates are local days (Asia/Shanghai): T0 is 2026-06-01 10:00 there, c a day later
    assert _ids((await viewer.get("/console/sessions?from=2026-06-02")).text) == [day["c"]]
    assert _ids((await viewer.get("/console/sessions?to=2026-06-01")).text) == [day["b"], day["a"]]
    assert _ids((await viewer.get("/console/sessions?from=2026-06-03")).text) == []
    # times shown in local time, the table's cells
    r = await viewer.get("/console/sessions?station=CP1")
    assert "2026-06-01 10:00" in r.text and "2026-06-01 11:00" in r.text and "10.000" in r.text
    # a filter that does not parse is said, and left out
    r = await viewer.get("/console/sessions?status=Bogus&from=June")
    assert r.status_code == 200 and 'role="alert"' in r.text and len(_ids(r.text)) == 3


async def test_pages_of_fifty(console_as: Any, csms: Csms, day: dict) -> None:
    base = datetime(2026, 7, 1, tzinfo=UTC)
    for i in range(PAGE_SIZE + 5):
        await csms.runtime.services.transactions.start(
            StartRequest("CP3", 2, "CARD-A", 0.0, base + timedelta(minutes=i))
        )
    viewer = await console_as("operator")
    first = await viewer.get("/console/sessions?token=CARD-A")
    assert len(_ids(first.text)) == PAGE_SIZE and 'rel="next"' in first.text
    assert "/console/sessions?token=CARD-A&amp;page=2" in first.text  # the pager keeps the filters
    second = await viewer.get("/console/sessions?token=CARD-A&page=2")
    assert len(_ids(second.text)) == 6 and 'rel="prev"' in second.text
    assert set(_ids(first.text)).isdisjoint(_ids(second.text))
    assert _ids(second.text)[-1] == day["a"]
    late = await viewer.get("/console/sessions?token=CARD-A&page=9")
    assert late.status_code == 303 and late.headers["location"] == "/console/sessions?token=CARD-A&page=2"


async def test_csv_export_has_the_tables_columns_and_the_filtered_set(console_as: Any, day: dict) -> None:
    viewer = await console_as("viewer")
    r = await viewer.get("/console/sessions/export.csv?station=CP1")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="sessions.csv"' in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0] == [
        "充电记录",
        "充电桩",
        "EVSE",
        "充电卡",
        "状态",
        "开始时间",
        "结束时间",
        "电量（kWh）",
        "结束原因",
    ]
    assert rows[1:] == [
        [
            str(day["a"]),
            "CP1",
            "1",
            "CARD-A",
            "已结束",
            "2026-06-01 10:00",
            "2026-06-01 11:00",
            "10.0",
            "Local",
        ]
    ]
    await viewer.get("/console/lang/en")
    everything = list(
        csv.reader(io.StringIO((await viewer.get("/console/sessions/export.csv")).text.lstrip("\ufeff")))
    )
    assert everything[0][0] == "Session" and len(everything) == 4
    # an id token that reads as a formula is written as text
    assert everything[1][3] == '\'=HYPERLINK("x")'


async def test_xlsx_export_has_the_same_columns(console_as: Any, day: dict) -> None:
    viewer = await console_as("operator")
    await viewer.get("/console/lang/en")
    r = await viewer.get("/console/sessions/export.xlsx?status=Completed")
    assert r.status_code == 200 and r.headers["content-type"].endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [c.msgid for c in page.COLUMNS]
    assert [row[0] for row in rows[1:]] == [day["b"], day["a"]]
    assert rows[2][1:5] == ["CP1", 1, "CARD-A", "Completed"]
    assert rows[2][5] == datetime(2026, 6, 1, 10, 0)  # a date cell, local time
    assert rows[2][7] == 10.0


async def test_an_export_too_large_asks_to_narrow_the_filters(
    console_as: Any, day: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page, "EXPORT_MAX", 2)
    monkeypatch.setattr(page, "EXPORT_BATCH", 1)  # and batches stream the rest
    viewer = await console_as("viewer")
    for ext in ("csv", "xlsx"):
        assert (await viewer.get(f"/console/sessions/export.{ext}")).status_code == 413
        assert (await viewer.get(f"/console/sessions/export.{ext}?status=Completed")).status_code == 200
    rows = list(
        csv.reader(io.StringIO((await viewer.get("/console/sessions/export.csv?status=Completed")).text))
    )
    assert len(rows) == 3


async def test_a_sessions_page_energy_cost_carbon_and_chart(console_as: Any, day: dict) -> None:
    viewer = await console_as("viewer")
    await viewer.get("/console/lang/en")
    r = await viewer.get(f"/console/sessions/{day['a']}")
    assert r.status_code == 200
    assert re.search(r'id="energy">10\.000 kWh', r.text)
    assert re.search(r'id="cost">[\d.,]+ CNY', r.text)
    # the carbon service's figure: half of the first half hour was green (2.5 kWh of 10)
    assert re.search(r'id="green">2\.500 kWh \(25\.0 %\)', r.text)
    assert 'href="/console/sites/S1"' in r.text and 'data-src="/console/sessions/' in r.text
    chart = (await viewer.get(f"/console/sessions/{day['a']}/chart.json")).json()
    assert [v for _, v in chart["power_kw"]] == [10.0, 10.0]
    assert [v for _, v in chart["energy_kwh"]] == [0.0, 5.0, 10.0]
    assert chart["energy_kwh"][0][0] == int(T0.timestamp() * 1000)
    # a session on no site has no carbon record; unknown sessions are 404
    r = await viewer.get(f"/console/sessions/{day['c']}")
    assert r.status_code == 200 and "No carbon record" in r.text
    assert (await viewer.get("/console/sessions/999999")).status_code == 404
    assert (await viewer.get("/console/sessions/999999/chart.json")).status_code == 404


@pytest.mark.parametrize("role", ["load_centre", "inspector", "planner"])
async def test_only_station_readers_see_sessions(console_as: Any, day: dict, role: str) -> None:
    other = await console_as(role)
    for path in ("/console/sessions", "/console/sessions/export.csv", "/console/sessions/export.xlsx",
                 f"/console/sessions/{day['a']}", f"/console/sessions/{day['a']}/chart.json"):  # fmt: skip
        assert (await other.get(path)).status_code == 403, path


async def test_no_session_no_page(csms: Csms) -> None:
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=csms.app), base_url="http://csms") as anon:
        for path in ("/console/sessions", "/console/sessions/export.csv", "/console/sessions/1/chart.json"):
            r = await anon.get(path)
            assert r.status_code == 303 and r.headers["location"].startswith("/console/login"), path


async def test_the_rest_api_filters_by_status_too(csms: Csms, day: dict) -> None:
    r = await csms.api.get("/api/v1/transactions", params={"status": "Active"}, headers=csms.headers)
    assert [t["id"] for t in r.json()["items"]] == [day["c"]]
    r = await csms.api.get("/api/v1/transactions", params={"status": "Nope"}, headers=csms.headers)
    assert r.status_code == 422


def test_every_value_shown_through_the_catalogue_has_its_chinese() -> None:
    """Texts chosen at run time (statuses, tariff periods, binding limits, column headers) are translated."""
    from csms.console.i18n import catalog
    from csms.console.pages import sites
    from csms.domain.session import SessionStatus
    from csms.services.tariffs import builtin_definition

    shown = {s.value for s in SessionStatus} | {c.msgid for c in page.COLUMNS} | set(sites.BINDING.values())
    shown |= {"scheduled", "active", "ended", "cancelled"} | set(builtin_definition()["prices_cny_per_kwh"])
    assert sorted(shown - catalog().keys()) == []
