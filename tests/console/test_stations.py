"""The operator's station pages over HTTP: the dashboard's figures and alerts, the stations table (paging,
filters), the map's data, station coordinates (REST and console), the station page and its commands over a
real OCPP socket, roles and CSRF."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime

import pytest

from csms.config import Settings
from csms.domain.paging import Page
from csms.domain.stations import StatusChange
from tests.harness import Csms, Wire, make_settings

BOOT16 = {"chargePointVendor": "Star", "chargePointModel": "DC60"}
BOOT201 = {"chargingStation": {"model": "AC22", "vendorName": "Star"}, "reason": "PowerUp"}
NOW = "2026-12-03T08:00:00Z"


@pytest.fixture
def csms_settings(database_url: str) -> Settings:
    # a small message quota, so that the dashboard's quota alert can be reached
    return make_settings(database_url, station_messages_max_count=2, handshake_failures_allowed=2)


def status(evse: int, value: str) -> StatusChange:
    return StatusChange(evse, 1, value, datetime(2026, 12, 3, 8, tzinfo=UTC))


async def test_dashboard_counts_power_sessions_and_alerts(csms: Csms, console_as) -> None:
    services = csms.runtime.services
    for sid in ("CP-A", "CP-B", "CP-C"):
        await csms.station(sid)
    await services.stations.status_notification("CP-C", status(1, "Faulted"))
    await services.tokens.create("CARD-1")
    for n in range(3):  # past the quota of 2 DataTransfers: the oldest is being deleted
        await services.stations.record("CP-B", "DataTransfer", {"vendorId": "X", "data": str(n)})
    async with csms.connect("CP-A") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT16)
        start = await wire.call("StartTransaction", {"connectorId": 1, "idTag": "CARD-1", "meterStart": 0,
                                                     "timestamp": datetime.now(UTC).isoformat()})
        tx = start[2]["transactionId"]
        reading = {"timestamp": datetime.now(UTC).isoformat(),
                   "sampledValue": [{"value": "7.4", "unit": "kW", "measurand": "Power.Active.Import"}]}
        await wire.call("MeterValues", {"connectorId": 1, "transactionId": tx, "meterValue": [reading]})
        for _ in range(3):  # guessing CP-B's password: over the budget of 2, its handshakes are refused
            with pytest.raises(Exception):  # noqa: B017 (the handshake is refused with 401, then 429)
                async with csms.connect("CP-B", password="wrong-pass"):
                    pass
        viewer = await console_as("viewer")
        page = await viewer.get("/console/")
    assert page.status_code == 200
    text = page.text
    tile = lambda name: re.search(rf'id="{name}">([^<]*)<', text).group(1)  # noqa: E731
    assert (tile("stations-total"), tile("stations-online"), tile("stations-offline")) == ("3", "1", "2")
    assert tile("stations-faulted") == "1"
    assert tile("power-now") == "7.4 kW"
    assert tile("sessions-today") == "1"
    assert 'id="alerts-blocked"' in text and "CP-B" in text
    quota = text[text.index('id="alerts-quota"'):]
    assert "CP-B" in quota and "DataTransfer" in quota
    assert 'sse-connect="/console/stations/stream"' in text
    live = await viewer.get("/console/dashboard/live")
    assert live.status_code == 200 and "<html" not in live.text and 'id="power-now"' in live.text


async def test_stations_table_pages_and_filters_on_the_server(csms: Csms, console_as) -> None:
    services = csms.runtime.services
    for n in range(120):
        await services.stations.register(f"HN-{n:03d}", None)
    await services.stations.status_notification("HN-007", status(1, "Faulted"))
    await services.stations.status_notification("HN-008", status(2, "Charging"))
    viewer = await console_as("viewer")
    first = await viewer.get("/console/stations")
    rows = re.findall(r'<tr id="row-([^"]+)"', first.text)
    assert rows == [f"HN-{n:03d}" for n in range(50)]
    assert "第 1 / 3 页" in first.text and 'href="/console/stations?page=2"' in first.text
    last = await viewer.get("/console/stations?page=3")
    assert len(re.findall(r'<tr id="row-', last.text)) == 20
    found = await viewer.get("/console/stations?q=11")
    assert re.findall(r'<tr id="row-([^"]+)"', found.text) == ["HN-011", "HN-110", "HN-111", "HN-112",
                                                               "HN-113", "HN-114", "HN-115", "HN-116",
                                                               "HN-117", "HN-118", "HN-119"]
    faulted = await viewer.get("/console/stations?status=Faulted")
    assert re.findall(r'<tr id="row-([^"]+)"', faulted.text) == ["HN-007"]
    assert 'sse-swap="conn-HN-007-1-1"' in faulted.text
    offline = await viewer.get("/console/stations?online=no&q=HN-00")
    assert len(re.findall(r'<tr id="row-', offline.text)) == 10
    online = await viewer.get("/console/stations?online=yes")
    assert "<tr id=\"row-" not in online.text and "没有符合条件的充电桩" in online.text
    wild = await viewer.get("/console/stations?q=%25")  # LIKE wildcards are searched as text
    assert "<tr id=\"row-" not in wild.text
    one = await viewer.get("/console/stations/HN-008/row")
    assert one.text.lstrip().startswith('<tr id="row-HN-008"') and 'sse-swap="conn-HN-008-2-1"' in one.text
    assert (await viewer.get("/console/stations/NOPE/row")).status_code == 404
    rows_only = await viewer.get("/console/stations/rows?status=Charging")
    assert "<html" not in rows_only.text and 'id="row-HN-008"' in rows_only.text


async def test_the_table_pages_a_thousand_stations(csms: Csms, console_as) -> None:
    """Times with 1,000 stations: ``python -m bench.console_pages`` (a benchmark, not a timed test)."""
    services = csms.runtime.services
    await asyncio.gather(*(services.stations.register(f"BIG-{n:04d}", None) for n in range(1000)))
    viewer = await console_as("viewer")
    for url in ("/console/stations", "/console/stations?page=20&q=BIG", "/console/stations?status=Faulted",
                "/console/", "/console/stations/map/stations.json"):
        answer = await viewer.get(url)
        assert answer.status_code == 200, url
    last = await viewer.get("/console/stations?page=20&q=BIG")
    assert last.text.count('<tr id="row-BIG-') == 50 and 'id="row-BIG-0999"' in last.text


async def test_station_coordinates_over_rest_range_checked(csms: Csms) -> None:
    await csms.station("CP-LOC")
    url = "/api/v1/stations/CP-LOC"
    place = {"latitude": 28.2282, "longitude": 112.9388}
    answer = await csms.api.patch(url, json=place, headers=csms.headers)
    assert answer.status_code == 200 and answer.json()["latitude"] == 28.2282
    for bad in ({"latitude": 91, "longitude": 112}, {"latitude": 28, "longitude": -181}, {"latitude": 28}):
        refused = await csms.api.patch(url, json=bad, headers=csms.headers)
        assert refused.status_code == 422, bad
    kept = await csms.api.get(url, headers=csms.headers)
    assert (kept.json()["latitude"], kept.json()["longitude"]) == (28.2282, 112.9388)
    other = await csms.api.patch(url, json={"registration_status": "Accepted"}, headers=csms.headers)
    assert other.json()["longitude"] == 112.9388  # not given: unchanged
    cleared = await csms.api.patch(url, json={"latitude": None, "longitude": None}, headers=csms.headers)
    assert cleared.json()["latitude"] is None and cleared.json()["longitude"] is None


async def test_the_console_sets_coordinates_and_draws_the_map_data(csms: Csms, console_as) -> None:
    await csms.station("CP-MAP")
    operator, viewer = await console_as("operator"), await console_as("viewer")
    url = "/console/stations/CP-MAP/location"
    assert (await viewer.post(url, {"latitude": "28.1", "longitude": "112.9"})).status_code == 403
    assert (await operator.http.post(url, data={"latitude": "28.1", "longitude": "112.9"})).status_code == 403
    bad = await operator.post(url, {"latitude": "128.1", "longitude": "112.9"})
    assert "latitude must be between -90 and 90 degrees" in bad.text
    saved = await operator.post(url, {"latitude": "28.1959", "longitude": "112.9721"})
    assert saved.status_code == 303
    page = await operator.get("/console/stations/CP-MAP")
    assert "28.19590, 112.97210" in page.text
    geo = (await viewer.get("/console/stations/map/stations.json")).json()
    assert geo["features"] == [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [112.9721, 28.1959]},
        "properties": {"id": "CP-MAP", "online": False, "faulted": False, "url": "/console/stations/CP-MAP"},
    }]
    base = (await viewer.get("/console/stations/map/boundaries.json")).json()
    assert base["type"] == "FeatureCollection" and {f["properties"]["kind"] for f in base["features"]} == {
        "province", "prefecture", "province_line"}
    assert (await viewer.get("/console/stations/map")).status_code == 200


async def test_a_viewer_sees_the_station_page_without_commands_and_may_not_post_one(
    csms: Csms, console_as
) -> None:
    await csms.station("CP-V")
    event = {"type": "TamperDetectionActivated"}
    await csms.runtime.services.stations.record("CP-V", "SecurityEventNotification", event)
    viewer = await console_as("viewer")
    page = await viewer.get("/console/stations/CP-V")
    assert page.status_code == 200 and "TamperDetectionActivated" in page.text
    assert "/commands/" not in page.text and "rotate-password" not in page.text
    partial = await viewer.get("/console/stations/CP-V/sessions")
    assert partial.status_code == 200 and "<html" not in partial.text and "/commands/" not in partial.text
    for path in ("/commands/reset", "/commands/remote-stop", "/rotate-password"):
        refused = await viewer.post(f"/console/stations/CP-V{path}", {"type": "soft"})
        assert refused.status_code == 403
    assert (await viewer.get("/console/stations/NOPE")).status_code == 404


async def test_commands_need_the_csrf_token_and_say_why_they_were_not_sent(csms: Csms, console_as) -> None:
    await csms.station("CP-OFF")
    operator = await console_as("operator")
    no_csrf = await operator.http.post("/console/stations/CP-OFF/commands/reset", data={"type": "soft"})
    assert no_csrf.status_code == 403
    offline = await operator.post("/console/stations/CP-OFF/commands/reset", {"type": "soft"})
    assert offline.status_code == 200 and "充电桩未连接。" in offline.text
    invalid = await operator.post("/console/stations/CP-OFF/commands/reset", {"type": "sideways"})
    assert "未发送" in invalid.text and "type" in invalid.text
    assert (await operator.post("/console/stations/CP-OFF/commands/clear-cache")).status_code == 404


@pytest.mark.ocpp("2.0.1", "F03")
async def test_remote_stop_from_the_station_page_over_a_real_socket(csms: Csms, console_as) -> None:
    services = csms.runtime.services
    await csms.station("CP-201")
    await services.tokens.create("CARD-2")
    operator = await console_as("operator")
    async with csms.connect("CP-201", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT201)
        started = {"eventType": "Started", "timestamp": NOW, "triggerReason": "Authorized", "seqNo": 0,
                   "transactionInfo": {"transactionId": "TX-77"}, "evse": {"id": 1, "connectorId": 1},
                   "idToken": {"idToken": "CARD-2", "type": "ISO14443"}}
        await wire.call("TransactionEvent", started)
        (tx,), _ = await services.transactions.search(Page(5, 0), station_id="CP-201")
        page = await operator.get("/console/stations/CP-201")
        row = page.text[page.text.index(f'<tr id="session-{tx.id}">'):]
        assert 'data-confirm="确定立即停止该次充电？"' in row.split("</tr>")[0]
        assert f'name="transaction_id" value="{tx.id}"' in row.split("</tr>")[0]

        async def station() -> dict:
            frame = json.loads(await ws.recv())
            assert frame[0] == 2
            await ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
            return frame

        seen = asyncio.create_task(station())
        answer = await operator.post("/console/stations/CP-201/commands/remote-stop",
                                     {"transaction_id": str(tx.id)})
        frame = await seen
    assert frame[2:] == ["RequestStopTransaction", {"transactionId": "TX-77"}]
    assert answer.status_code == 200
    assert "RequestStopTransaction" in answer.text and 'id="answer-status">Accepted<' in answer.text
    assert 'href="/console/lang/en?next=/console/stations/CP-201"' in answer.text  # not back to the POST


async def test_id_tokens_paged_created_blocked_and_unblocked(csms: Csms, console_as) -> None:
    services = csms.runtime.services
    for n in range(60):
        await services.tokens.create(f"CARD-{n:02d}")
    operator, viewer = await console_as("operator"), await console_as("viewer")
    first = await viewer.get("/console/id-tokens")
    assert len(re.findall(r'<tr id="token-', first.text)) == 50 and "第 1 / 2 页" in first.text
    assert "/console/id-tokens/status" not in first.text  # a viewer gets no forms
    assert (await viewer.post("/console/id-tokens", {"id_token": "X"})).status_code == 403
    assert (await operator.http.post("/console/id-tokens", data={"id_token": "X"})).status_code == 403
    created = await operator.post("/console/id-tokens", {"id_token": "NEW-CARD", "type": "ISO15693"})
    assert created.status_code == 303 and created.headers["location"] == "/console/id-tokens?q=NEW-CARD"
    odd = await operator.post("/console/id-tokens", {"id_token": "A&B #1"})
    assert odd.headers["location"] == "/console/id-tokens?q=A%26B+%231"
    listed = (await viewer.get(odd.headers["location"])).text
    assert re.findall(r'<tr id="token-([^"]+)"', listed) == ["A&amp;B #1"]
    assert (await services.tokens.get("NEW-CARD")).type == "ISO15693"
    again = await operator.post("/console/id-tokens", {"id_token": "NEW-CARD"})
    assert again.status_code == 409 and "NEW-CARD 已存在" in again.text
    block = await operator.post("/console/id-tokens/status", {"id_token": "CARD-07", "status": "Blocked"})
    assert block.status_code == 303 and (await services.tokens.get("CARD-07")).status == "Blocked"
    blocked = await viewer.get("/console/id-tokens?status=Blocked")
    assert re.findall(r'<tr id="token-([^"]+)"', blocked.text) == ["CARD-07"]
    await operator.post("/console/id-tokens/status", {"id_token": "CARD-07", "status": "Accepted"})
    assert (await services.tokens.get("CARD-07")).status == "Accepted"


async def test_the_station_page_lists_the_variables_a_201_station_reported(csms: Csms, console_as) -> None:
    await csms.station("CP-VARS")
    services = csms.runtime.services
    item = lambda comp, var, value, **kw: {  # noqa: E731
        "component": {"name": comp, **kw}, "variable": {"name": var},
        "variableAttribute": [{"type": "Actual", "value": value}],
    }
    first = {"requestId": 1, "generatedAt": NOW, "seqNo": 0, "tbc": True,
             "reportData": [item("OCPPCommCtrlr", "HeartbeatInterval", "300"),
                            item("Connector", "ConnectorType", "cType2", evse={"id": 1, "connectorId": 1})]}
    newer = {"requestId": 2, "generatedAt": NOW, "seqNo": 0,
             "reportData": [item("OCPPCommCtrlr", "HeartbeatInterval", "120")]}
    await services.stations.record("CP-VARS", "NotifyReport", first)
    await services.stations.record("CP-VARS", "NotifyReport", newer)
    page = await (await console_as("viewer")).get("/console/stations/CP-VARS")
    table = page.text[page.text.index('id="config"'):]
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", table)
    assert rows == [("Connector #1", "ConnectorType", "cType2"),
                    ("OCPPCommCtrlr", "HeartbeatInterval", "120")]  # the latest report's value
