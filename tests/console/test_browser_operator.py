"""The operator's journey in a real browser (Debian's Chromium through Playwright), against a live CSMS and a
station on a real OCPP socket: the station comes online on the stations page live (server-sent events, no
reload), starts a session, and the operator stops it from the station page (confirmed) with the remote-stop
command; the station receives RemoteStopTransaction and the session ends. Screenshots of every page."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.console.conftest import open_console
from tests.harness import Csms, Wire

SID = "CP-XJ-001"
BOOT = {"chargePointVendor": "Star", "chargePointModel": "DC60", "chargePointSerialNumber": "SN-1",
        "firmwareVersion": "1.2"}


def ts() -> str:
    return datetime.now(UTC).isoformat()


@pytest.mark.ocpp("1.6", "TC_010", "Core")
@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_operator_sees_a_station_come_online_and_stops_its_session(
    browser: Any, live_csms: Csms, lang: str
) -> None:
    services = live_csms.runtime.services
    await live_csms.station(SID)
    await services.stations.update(SID, location=(28.2282, 112.9388))  # 湘江新区
    for n, (lat, lon) in enumerate([(27.83, 113.13), (26.89, 112.57), (29.03, 111.69)]):
        await services.stations.register(f"CP-XJ-10{n}", None)
        await services.stations.update(f"CP-XJ-10{n}", location=(lat, lon))
    await services.tokens.create("CARD-9")
    await services.tokens.create("CARD-LOST", status="Blocked")
    zh = lang == "zh"
    tab = await open_console(browser, live_csms, "operator", lang)
    page = tab.page
    await tab.shot(f"ops-dashboard-{lang}")

    await tab.goto("/console/stations")
    await page.wait_for_selector("[sse-connect][data-live=open]")
    row = page.locator(f"#row-{SID}")
    assert await row.locator(".badge.offline").count() == 1
    await tab.shot(f"ops-stations-before-{lang}")

    async with live_csms.connect(SID) as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT)
        await wire.call("StatusNotification", {"connectorId": 1, "errorCode": "NoError",
                                               "status": "Available", "timestamp": ts()})
        # live: no reload
        await row.locator("td.online .badge.online").wait_for()
        assert await row.locator("td.online").inner_text() == ("在线" if zh else "Online")
        await row.locator(".conns .badge.Available").wait_for()  # a connector the page did not show
        await wire.call("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Charging",
                                               "timestamp": ts()})
        await row.locator(".conns .badge.Charging").wait_for()
        await tab.shot(f"ops-stations-online-{lang}")

        start = await wire.call("StartTransaction", {"connectorId": 1, "idTag": "CARD-9", "meterStart": 1000,
                                                     "timestamp": ts()})
        tx = start[2]["transactionId"]
        reading = {"timestamp": ts(), "sampledValue": [
            {"value": "7.2", "unit": "kW", "measurand": "Power.Active.Import"},
            {"value": "1850", "unit": "Wh", "measurand": "Energy.Active.Import.Register"}]}
        await wire.call("MeterValues", {"connectorId": 1, "transactionId": tx, "meterValue": [reading]})

        await tab.goto("/console/")
        assert await page.locator("#power-now").inner_text() == "7.2 kW"
        assert await page.locator("#stations-online").inner_text() == "1"
        await tab.shot(f"ops-dashboard-live-{lang}")

        await tab.goto("/console/stations/map")
        await page.wait_for_selector("#station-map[data-ready='4']")
        await tab.shot(f"ops-map-{lang}")

        await tab.goto(f"/console/stations/{SID}")
        assert await page.locator("#station-online .badge.online").count() == 1
        await tab.shot(f"ops-station-{lang}")

        ended = asyncio.Event()
        may_end = asyncio.Event()

        async def station() -> list[Any]:
            frame = json.loads(await ws.recv())  # the CSMS's CALL
            await ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
            await may_end.wait()
            await wire.call("StopTransaction", {"transactionId": tx, "meterStop": 2400, "timestamp": ts(),
                                                "reason": "Remote"})
            ended.set()
            return frame

        heard = asyncio.create_task(station())
        dialogs: list[str] = []

        async def accept(dialog: Any) -> None:
            dialogs.append(dialog.message)
            await dialog.accept()

        page.once("dialog", accept)
        await page.locator(f"#session-{tx} form.stop button").click()
        await page.wait_for_selector("#answer-status")
        assert dialogs == ["确定立即停止该次充电？" if zh else "Stop this charging session now?"]
        assert await page.locator("#answer-status").inner_text() == "Accepted"
        await page.wait_for_selector("[sse-connect][data-live=open]")
        may_end.set()
        frame = await asyncio.wait_for(heard, 10)
        assert frame[2:] == ["RemoteStopTransaction", {"transactionId": tx}]
        await asyncio.wait_for(ended.wait(), 10)
        # the session list follows the session's end live
        await page.locator(f"#session-{tx} .state").get_by_text("已结束" if zh else "Ended").wait_for()
        assert await page.locator(f"#session-{tx} form.stop").count() == 0
        await tab.shot(f"ops-station-stopped-{lang}")
    tx_row, _ = await services.transactions.detail(tx)
    assert tx_row.stopped_at is not None and tx_row.stop_reason == "Remote"

    await tab.goto("/console/id-tokens")
    await page.locator("#new-token summary").click()
    await tab.shot(f"ops-id-tokens-{lang}")

    for _ in range(6):  # someone guesses the station's password: past the budget, the dashboard's alert
        with contextlib.suppress(Exception):
            async with live_csms.connect(SID, password="guess-1234"):
                pass
    await tab.goto("/console/")
    await page.locator("#alerts-blocked").get_by_text(SID).wait_for()
    await tab.shot(f"ops-dashboard-alerts-{lang}")
    tab.assert_clean()

    viewer = await open_console(browser, live_csms, "viewer", lang)
    await viewer.goto(f"/console/stations/{SID}")
    assert await viewer.page.locator("form[action*='/commands/'], form[action$='/location']").count() == 0
    await viewer.shot(f"ops-station-viewer-{lang}")
    viewer.assert_clean()
