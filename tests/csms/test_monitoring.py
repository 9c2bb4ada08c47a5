"""Monitoring (OCPP 2.0.1 block N) over real sockets: SetVariableMonitoring and ClearVariableMonitoring
split to the station's ItemsPerMessage (N04, N06, N18) with the monitors they leave stored per station,
GetMonitoringReport and its NotifyMonitoringReport parts replacing the request's scope (N02), the
monitoring base and level (N03, N05), and NotifyEvent alerts and periodic events kept for operators
(N07, N08)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from csms.config import Settings
from tests.csms.duplex import Duplex, duplex
from tests.harness import Csms, running_csms

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
BOOT = {"chargingStation": {"model": "AC22", "vendorName": "Star"}, "reason": "PowerUp"}
MC = "MonitoringCtrlr"
REPORTS = "/api/v1/stations/CP-R/monitors/reports"


@pytest.fixture
async def csms(csms_settings: Settings) -> AsyncIterator[Csms]:
    async with running_csms(csms_settings, lambda: T0) as running:
        yield running


def limit(name: str, instance: str, value: int) -> dict[str, Any]:
    return {"component": {"name": MC}, "variable": {"name": name, "instance": instance},
            "variableAttribute": [{"type": "Actual", "value": str(value), "mutability": "ReadOnly"}]}


async def limits(st: Duplex, **items: int) -> None:
    """The station's NotifyReport of its MonitoringCtrlr ItemsPerMessage (so the CSMS asks nothing)."""
    data = [limit("ItemsPerMessage", action, n) for action, n in items.items()]
    report = {"requestId": 1, "generatedAt": "2026-12-03T08:00:00Z", "seqNo": 0, "reportData": data}
    assert (await st.call("NotifyReport", report))[0] == 3


def monitor(component: str, variable: str, type_: str, value: float, severity: int = 5,
            evse: int | None = None, **extra: Any) -> dict[str, Any]:  # fmt: skip
    c: dict[str, Any] = {"name": component}
    if evse is not None:
        c["evse"] = {"id": evse}
    return {"component": c, "variable": {"name": variable}, "type": type_, "value": value,
            "severity": severity, **extra}


class Station:
    """Answers SetVariableMonitoring with ids from 100 (UnknownVariable for ``Nonsense``) and
    ClearVariableMonitoring from ``clear_answers``."""

    def __init__(self) -> None:
        self.next_id = 100
        self.clear_answers: dict[int, str] = {}

    def set(self, p: dict[str, Any]) -> dict[str, Any]:
        results = []
        for item in p["setMonitoringData"]:
            result = {k: item[k] for k in ("type", "severity", "component", "variable")}
            if item["variable"]["name"] == "Nonsense":
                results.append({**result, "status": "UnknownVariable"})
            else:
                self.next_id += 1
                results.append({**result, "status": "Accepted", "id": item.get("id", self.next_id)})
        return {"setMonitoringResult": results}

    def clear(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"clearMonitoringResult": [
            {"id": i, "status": self.clear_answers.get(i, "Accepted")} for i in p["id"]
        ]}  # fmt: skip


async def stored(csms: Csms, station: str) -> dict[str, Any]:
    r = await csms.api.get(f"/api/v1/stations/{station}/monitors", headers=csms.headers)
    assert r.status_code == 200, r.text
    return r.json()


def keys(view: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(m["monitor_id"], m["component"], m["evse_id"], m["variable"], m["type"], m["value"],
             m["severity"], m["transaction"], m["source"]) for m in view["monitors"]]  # fmt: skip


@pytest.mark.ocpp("2.0.1", "N04")
@pytest.mark.ocpp("2.0.1", "N06")
@pytest.mark.ocpp("2.0.1", "N18")
async def test_set_and_clear_are_split_and_the_monitors_they_leave_are_stored(csms: Csms) -> None:
    await csms.station("CP-N")
    fake = Station()
    fake.clear_answers = {102: "Rejected", 999: "NotFound"}
    answers = {"SetVariableMonitoring": fake.set, "ClearVariableMonitoring": fake.clear}
    async with csms.connect("CP-N", "ocpp2.0.1") as ws, duplex(ws, answers) as st:
        await st.call("BootNotification", BOOT)
        await limits(st, SetVariableMonitoring=2, ClearVariableMonitoring=2)
        wanted = [
            monitor("EVSE", "Power", "UpperThreshold", 22000, severity=4, evse=1),
            monitor("Connector", "Nonsense", "Delta", 1),
            monitor("EVSE", "Power", "Periodic", 900, severity=8, evse=1, transaction=True),
        ]
        r = await csms.api.post("/api/v1/stations/CP-N/monitors", headers=csms.headers,
                                json={"monitors": wanted})
        assert r.status_code == 200, r.text
        assert [len(p["setMonitoringData"]) for p in st.sent("SetVariableMonitoring")] == [2, 1]
        assert st.sent("SetVariableMonitoring")[0]["setMonitoringData"][0] == {
            "value": 22000.0, "type": "UpperThreshold", "severity": 4, "transaction": False,
            "component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"},
        }  # fmt: skip
        assert [(x["status"], x.get("id")) for x in r.json()["results"]] == [
            ("Accepted", 101), ("UnknownVariable", None), ("Accepted", 102)
        ]
        assert keys(await stored(csms, "CP-N")) == [
            (101, "EVSE", 1, "Power", "UpperThreshold", 22000.0, 4, False, "set"),
            (102, "EVSE", 1, "Power", "Periodic", 900.0, 8, True, "set"),
        ]
        # replacing monitor 101 (its id given) changes the stored one
        again = [monitor("EVSE", "Power", "UpperThreshold", 11000, severity=3, evse=1, id=101)]
        r = await csms.api.post("/api/v1/stations/CP-N/monitors", headers=csms.headers,
                                json={"monitors": again})
        assert r.json()["results"][0]["id"] == 101
        assert keys(await stored(csms, "CP-N"))[0][5:7] == (11000.0, 3)

        r = await csms.api.post("/api/v1/stations/CP-N/monitors/clear", headers=csms.headers,
                                json={"ids": [101, 102, 999]})
        assert r.status_code == 200, r.text
        assert [p["id"] for p in st.sent("ClearVariableMonitoring")] == [[101, 102], [999]]
        assert [(x["id"], x["status"]) for x in r.json()["results"]] == [
            (101, "Accepted"), (102, "Rejected"), (999, "NotFound")
        ]
        assert [m["monitor_id"] for m in (await stored(csms, "CP-N"))["monitors"]] == [102]  # Rejected stays

    # offline: the command is refused, nothing changes
    r = await csms.api.post("/api/v1/stations/CP-N/monitors/clear", headers=csms.headers, json={"ids": [102]})
    assert r.status_code == 409
    bad = await csms.api.post("/api/v1/stations/CP-N/monitors", headers=csms.headers,
                              json={"monitors": [monitor("EVSE", "Power", "Sometimes", 1)]})
    assert bad.status_code == 422


def report_part(request_id: int, seq: int, tbc: bool, *entries: dict[str, Any]) -> dict[str, Any]:
    return {"requestId": request_id, "seqNo": seq, "tbc": tbc, "generatedAt": "2026-12-03T08:01:00Z",
            "monitor": list(entries)}  # fmt: skip


def reported(component: str, variable: str, *monitors: tuple[int, str, float, int],
             evse: int | None = None) -> dict[str, Any]:  # fmt: skip
    c: dict[str, Any] = {"name": component}
    if evse is not None:
        c["evse"] = {"id": evse}
    return {"component": c, "variable": {"name": variable}, "variableMonitoring": [
        {"id": i, "transaction": False, "value": v, "type": t, "severity": s} for i, t, v, s in monitors
    ]}  # fmt: skip


@pytest.mark.ocpp("2.0.1", "N02")
async def test_a_monitoring_report_replaces_what_the_station_had_within_its_scope(csms: Csms) -> None:
    await csms.station("CP-R")
    fake = Station()
    statuses = iter(["Accepted", "EmptyResultSet"])
    answers = {
        "SetVariableMonitoring": fake.set,
        "GetMonitoringReport": lambda p: {"status": next(statuses)},
        "GetVariables": {"getVariableResult": []},  # no limits declared
    }
    async with csms.connect("CP-R", "ocpp2.0.1") as ws, duplex(ws, answers) as st:
        await st.call("BootNotification", BOOT)
        await csms.api.post("/api/v1/stations/CP-R/monitors", headers=csms.headers, json={"monitors": [
            monitor("EVSE", "Power", "UpperThreshold", 22000, evse=1),  # 101: in the scope, not reported
            monitor("EVSE", "Power", "Delta", 500, evse=1),  # 102: a Delta monitor, outside the criteria
            monitor("Connector", "Temperature", "UpperThreshold", 70),  # 103: another component
        ]})  # fmt: skip
        body = {"criteria": ["ThresholdMonitoring"], "component_variables": [{"component": {"name": "EVSE"}}]}
        r = await csms.api.post("/api/v1/stations/CP-R/monitors/reports", headers=csms.headers, json=body)
        assert r.status_code == 202, r.text
        request = r.json()
        rid = request["request_id"]
        assert (request["status"], request["reports"], request["completed_at"]) == ("Accepted", 0, None)
        assert st.sent("GetMonitoringReport") == [
            {"requestId": rid, "monitoringCriteria": ["ThresholdMonitoring"],
             "componentVariable": [{"component": {"name": "EVSE"}}]}
        ]  # fmt: skip
        first = report_part(rid, 0, True, reported("EVSE", "Power", (7, "UpperThreshold", 20000, 2), evse=1))
        second = report_part(rid, 1, False, reported("EVSE", "Current", (8, "LowerThreshold", 6, 5), evse=2))
        assert (await st.call("NotifyMonitoringReport", first))[2] == {}
        half = (await csms.api.get(f"{REPORTS}/{rid}", headers=csms.headers)).json()
        assert (half["request"]["reports"], half["request"]["completed_at"]) == (1, None)
        assert (await st.call("NotifyMonitoringReport", second))[2] == {}

        view = await stored(csms, "CP-R")
        assert keys(view) == [
            (7, "EVSE", 1, "Power", "UpperThreshold", 20000.0, 2, False, "report"),
            (8, "EVSE", 2, "Current", "LowerThreshold", 6.0, 5, False, "report"),
            (102, "EVSE", 1, "Power", "Delta", 500.0, 5, False, "set"),
            (103, "Connector", None, "Temperature", "UpperThreshold", 70.0, 5, False, "set"),
        ]
        done = (await csms.api.get(f"{REPORTS}/{rid}", headers=csms.headers)).json()
        assert (done["request"]["reports"], done["request"]["completed_at"]) == (2, "2026-12-03T08:00:00Z")
        assert [m["monitor_id"] for m in done["monitors"]] == [7, 8]
        assert view["requests"][0]["request_id"] == rid

        # EmptyResultSet: the station has no Delta monitor at all, so neither has the CSMS's copy
        r = await csms.api.post("/api/v1/stations/CP-R/monitors/reports", headers=csms.headers,
                                json={"criteria": ["DeltaMonitoring"]})
        assert r.json()["status"] == "EmptyResultSet" and r.json()["completed_at"] is not None
        assert [m["monitor_id"] for m in (await stored(csms, "CP-R"))["monitors"]] == [7, 8, 103]

        # a report for a request the CSMS never sent adds, replaces nothing
        stray = report_part(424242, 0, False, reported("Connector", "Temperature", (9, "Delta", 5, 6)))
        assert (await st.call("NotifyMonitoringReport", stray))[0] == 3
        assert [m["monitor_id"] for m in (await stored(csms, "CP-R"))["monitors"]] == [7, 8, 9, 103]
        missing = await csms.api.get("/api/v1/stations/CP-R/monitors/reports/424242", headers=csms.headers)
        assert missing.status_code == 404


@pytest.mark.ocpp("2.0.1", "N03")
@pytest.mark.ocpp("2.0.1", "N05")
async def test_monitoring_base_and_level_are_stored_once_accepted(csms: Csms) -> None:
    await csms.station("CP-B")
    fake = Station()
    levels = iter(["Accepted", "Rejected"])
    answers = {
        "SetVariableMonitoring": fake.set,
        "GetVariables": {"getVariableResult": []},
        "SetMonitoringBase": {"status": "Accepted"},
        "SetMonitoringLevel": lambda p: {"status": next(levels)},
        "GetMonitoringReport": {"status": "Accepted"},
    }
    async with csms.connect("CP-B", "ocpp2.0.1") as ws, duplex(ws, answers) as st:
        await st.call("BootNotification", BOOT)
        await csms.api.post("/api/v1/stations/CP-B/monitors", headers=csms.headers, json={"monitors": [
            monitor("EVSE", "Power", "UpperThreshold", 22000, evse=1)]})  # fmt: skip
        r = await csms.api.put("/api/v1/stations/CP-B/monitoring-base", headers=csms.headers,
                               json={"base": "HardWiredOnly"})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "Accepted"
        rid = r.json()["report"]["request_id"]
        assert st.sent("SetMonitoringBase") == [{"monitoringBase": "HardWiredOnly"}]
        assert st.sent("GetMonitoringReport") == [{"requestId": rid}]  # everything: the base changed it all
        # HardWiredOnly dropped the custom monitor: the station reports its hard-wired one only
        part = report_part(rid, 0, False, reported("ChargingStation", "Problem", (1, "Delta", 1, 0)))
        await st.call("NotifyMonitoringReport", part)

        assert (await csms.api.put("/api/v1/stations/CP-B/monitoring-level", headers=csms.headers,
                                   json={"severity": 4})).json() == {"status": "Accepted"}
        assert (await csms.api.put("/api/v1/stations/CP-B/monitoring-level", headers=csms.headers,
                                   json={"severity": 9})).json() == {"status": "Rejected"}
        assert st.sent("SetMonitoringLevel") == [{"severity": 4}, {"severity": 9}]
        view = await stored(csms, "CP-B")
        assert (view["base"], view["level"]) == ("HardWiredOnly", 4)
        assert [(m["monitor_id"], m["component"]) for m in view["monitors"]] == [(1, "ChargingStation")]

        r = await csms.api.put("/api/v1/stations/CP-B/monitoring-base", headers=csms.headers,
                               json={"base": "All", "report": False})
        assert r.json() == {"status": "Accepted", "report": None}
        assert len(st.sent("GetMonitoringReport")) == 1
    too_low = await csms.api.put("/api/v1/stations/CP-B/monitoring-level", headers=csms.headers,
                                 json={"severity": 10})
    assert too_low.status_code == 422
    assert (await csms.api.get("/api/v1/stations/NOPE/monitors", headers=csms.headers)).status_code == 404


@pytest.mark.ocpp("2.0.1", "N07")
@pytest.mark.ocpp("2.0.1", "N08")
async def test_alert_and_periodic_events_are_kept_and_visible(csms: Csms) -> None:
    await csms.station("CP-E")
    async with csms.connect("CP-E", "ocpp2.0.1") as ws, duplex(ws) as st:
        await st.call("BootNotification", BOOT)
        alert = {"generatedAt": "2026-12-03T08:00:00Z", "seqNo": 0, "tbc": True, "eventData": [
            {"eventId": 1, "timestamp": "2026-12-03T08:00:00Z", "trigger": "Alerting", "actualValue": "23100",
             "eventNotificationType": "CustomMonitor", "variableMonitoringId": 101, "cleared": False,
             "component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}},
        ]}  # fmt: skip
        periodic = {"generatedAt": "2026-12-03T08:00:00Z", "seqNo": 1, "eventData": [
            {"eventId": 2, "timestamp": "2026-12-03T08:00:00Z", "trigger": "Periodic", "actualValue": "7400",
             "eventNotificationType": "CustomMonitor", "variableMonitoringId": 102,
             "component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}},
        ]}  # fmt: skip
        assert (await st.call("NotifyEvent", alert))[2] == {}
        assert (await st.call("NotifyEvent", periodic))[2] == {}
    kept = (await csms.api.get("/api/v1/stations/CP-E/messages", params={"action": "NotifyEvent"},
                               headers=csms.headers)).json()
    assert [(m["payload"]["seqNo"], m["payload"]["eventData"][0]["trigger"]) for m in kept] == [
        (0, "Alerting"), (1, "Periodic")
    ]
    assert kept[0]["payload"]["eventData"][0]["variableMonitoringId"] == 101
