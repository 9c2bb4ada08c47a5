"""ItemsPerMessage / BytesPerMessage (OCPP 2.0.1 B08, N18) over real sockets: the CSMS reads the station's
limits from its stored NotifyReport or asks them with GetVariables, splits GetVariables, SetVariables,
GetReport and ClearVariableMonitoring into as many calls as needed and merges the answers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import orjson
import pytest

from tests.csms.test_ocpp_tariffs import BOOT, answer, expect_call
from tests.harness import Csms, Wire

DDC = "DeviceDataCtrlr"


def limit(component: str, name: str, instance: str, value: int) -> dict[str, Any]:
    return {"component": {"name": component}, "variable": {"name": name, "instance": instance},
            "variableAttribute": [{"type": "Actual", "value": str(value), "mutability": "ReadOnly"}]}


def report(*data: dict[str, Any]) -> dict[str, Any]:
    return {"requestId": 1, "generatedAt": "2026-11-24T00:00:00Z", "seqNo": 0, "tbc": False,
            "reportData": list(data)}


def wanted(n: int) -> list[dict[str, Any]]:
    return [{"component": {"name": "EVSE", "evse": {"id": i}}, "variable": {"name": "Power"}}
            for i in range(1, n + 1)]


async def serve_get_variables(ws: Any, calls: list[list[Any]]) -> None:
    """Answer every GetVariables with one Accepted result per item, recording each call's items."""
    while True:
        uid, payload = await expect_call(ws, "GetVariables")
        items = payload["getVariableData"]
        calls.append(items)
        await answer(ws, uid, {"getVariableResult": [
            {"attributeStatus": "Accepted", "attributeValue": str(len(calls)), **item} for item in items
        ]})


@pytest.mark.ocpp("2.0.1", "B06")
async def test_get_variables_is_split_by_the_reported_items_per_message(csms: Csms) -> None:
    await csms.station("CP-L")
    async with csms.connect("CP-L", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT)
        await wire.call("NotifyReport", report(limit(DDC, "ItemsPerMessage", "GetVariables", 2)))
        calls: list[list[Any]] = []
        station = asyncio.create_task(serve_get_variables(ws, calls))
        r = await csms.api.post("/api/v1/stations/CP-L/commands/get-variables", headers=csms.headers,
                                json={"variables": wanted(5)})
        station.cancel()
    assert r.status_code == 200, r.text
    assert [len(c) for c in calls] == [2, 2, 1]
    results = r.json()["response"]["getVariableResult"]
    assert [x["component"]["evse"]["id"] for x in results] == [1, 2, 3, 4, 5]
    assert [x["attributeValue"] for x in results] == ["1", "1", "2", "2", "3"]


@pytest.mark.ocpp("2.0.1", "B05")
async def test_without_a_report_the_csms_asks_the_limits_and_honours_bytes_per_message(csms: Csms) -> None:
    await csms.station("CP-M")
    async with csms.connect("CP-M", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT)
        seen: list[dict[str, Any]] = []

        async def station() -> None:
            limits = {("ItemsPerMessage", "GetVariables"): "4", ("BytesPerMessage", "SetVariables"): "300"}
            while True:
                uid, payload = await any_call(ws)
                seen.append(payload)
                if "getVariableData" in payload:  # the CSMS asks the limits
                    results = []
                    for item in payload["getVariableData"]:
                        value = limits.get((item["variable"]["name"], item["variable"]["instance"]))
                        if value is None:
                            results.append({"attributeStatus": "UnknownVariable", **item})
                        else:
                            results.append({"attributeStatus": "Accepted", "attributeValue": value, **item})
                    await answer(ws, uid, {"getVariableResult": results})
                else:
                    await answer(ws, uid, {"setVariableResult": [
                        {"attributeStatus": "Accepted", "component": i["component"],
                         "variable": i["variable"]} for i in payload["setVariableData"]]})

        task = asyncio.create_task(station())
        items = [{"attributeValue": "x" * 40, "component": {"name": "OCPPCommCtrlr"},
                  "variable": {"name": f"V{i}"}} for i in range(6)]
        r = await csms.api.post("/api/v1/stations/CP-M/commands/set-variables", headers=csms.headers,
                                json={"variables": items})
        task.cancel()
    assert r.status_code == 200, r.text
    asks = [p for p in seen if "getVariableData" in p]
    sets = [p for p in seen if "setVariableData" in p]
    # First the GetVariables limit alone, then the other nine limits within it (4 items a call).
    assert [len(p["getVariableData"]) for p in asks] == [1, 4, 4, 1]
    assert all(len(orjson.dumps(p)) <= 300 for p in sets) and len(sets) > 1
    names = [f"V{i}" for i in range(6)]
    assert [x["variable"]["name"] for p in sets for x in p["setVariableData"]] == names
    assert [x["variable"]["name"] for x in r.json()["response"]["setVariableResult"]] == names


async def any_call(ws: Any) -> tuple[str, dict[str, Any]]:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if frame[0] == 2:
            return frame[1], frame[3]


@pytest.mark.ocpp("2.0.1", "N06")
@pytest.mark.ocpp("2.0.1", "B08")
async def test_clear_variable_monitoring_and_get_report_are_split_and_merged(csms: Csms) -> None:
    await csms.station("CP-N")
    async with csms.connect("CP-N", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT)
        await wire.call("NotifyReport", report(
            limit("MonitoringCtrlr", "ItemsPerMessage", "ClearVariableMonitoring", 3),
            limit("DeviceDataCtrlr", "ItemsPerMessage", "GetReport", 1),
        ))
        calls: list[tuple[str, dict[str, Any]]] = []

        async def station() -> None:
            while True:
                uid, payload = await any_call(ws)
                if "id" in payload:
                    calls.append(("Clear", payload))
                    await answer(ws, uid, {"clearMonitoringResult": [
                        {"id": i, "status": "Accepted" if i != 4 else "NotFound"} for i in payload["id"]]})
                else:
                    calls.append(("Report", payload))
                    await answer(ws, uid, {"status": "Accepted"})

        task = asyncio.create_task(station())
        calls_url = "/api/v1/stations/CP-N/calls"
        cleared = await csms.api.post(f"{calls_url}/ClearVariableMonitoring", headers=csms.headers,
                                      json={"id": [1, 2, 3, 4, 5]})
        wanted_report = [{"component": {"name": "EVSE"}}, {"component": {"name": "Connector"}}]
        got = await csms.api.post(f"{calls_url}/GetReport", headers=csms.headers,
                                  json={"requestId": 7, "componentVariable": wanted_report})
        task.cancel()
    assert cleared.status_code == 200, cleared.text
    assert [len(p["id"]) for kind, p in calls if kind == "Clear"] == [3, 2]
    assert [(x["id"], x["status"]) for x in cleared.json()["clearMonitoringResult"]] == [
        (1, "Accepted"), (2, "Accepted"), (3, "Accepted"), (4, "NotFound"), (5, "Accepted")]
    assert got.status_code == 200, got.text
    reports = [p for kind, p in calls if kind == "Report"]
    assert [len(p["componentVariable"]) for p in reports] == [1, 1]
    ids = [p["requestId"] for p in reports]
    assert ids[0] == 7 and ids[1] != 7  # each part is its own report
    assert got.json()["status"] == "Accepted" and [p["requestId"] for p in got.json()["parts"]] == ids


async def test_an_item_larger_than_bytes_per_message_is_refused_naming_it(csms: Csms) -> None:
    await csms.station("CP-Z")
    async with csms.connect("CP-Z", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT)
        await wire.call("NotifyReport", report(limit(DDC, "BytesPerMessage", "SetVariables", 120)))
        items = [{"attributeValue": "x" * 200, "component": {"name": "C"}, "variable": {"name": "V"}}]
        r = await csms.api.post("/api/v1/stations/CP-Z/commands/set-variables", headers=csms.headers,
                                json={"variables": items})
    assert (r.status_code, r.json()["field"]) == (422, "items[0]")
