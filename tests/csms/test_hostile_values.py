"""Hostile values a station may send (issue 14, findings 2 and 9): each is refused at the edge with the spec's
CALLERROR, without a traceback, and nothing is stored that would later break a REST read."""

from __future__ import annotations

import json

import pytest

from tests.harness import Csms, Wire

BOOT16 = {"chargePointVendor": "V", "chargePointModel": "M"}
BOOT201 = {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"}
AT = "2026-11-24T00:00:00Z"
START = {"connectorId": 1, "idTag": "CARD", "meterStart": 1000, "timestamp": AT}


@pytest.fixture
async def ready(csms: Csms) -> None:
    for sid in ("HV16", "HV201"):
        await csms.station(sid)
    await csms.runtime.services.tokens.create("CARD")


def _no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []


async def test_a_201_evse_id_over_int32_is_refused_and_the_station_reads_stay_200(
    csms: Csms, ready: None, caplog: pytest.LogCaptureFixture
) -> None:
    async with csms.connect("HV201", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        assert (await wire.call("BootNotification", BOOT201))[2]["status"] == "Accepted"
        for evse_id in (2**64, 2**31):
            status = {"timestamp": AT, "connectorStatus": "Available", "evseId": evse_id, "connectorId": 1}
            answer = await wire.call("StatusNotification", status)
            assert answer[:3] == [4, answer[1], "PropertyConstraintViolation"], answer
        ok = {"timestamp": AT, "connectorStatus": "Available", "evseId": 2**31 - 1, "connectorId": 1}
        assert (await wire.call("StatusNotification", ok))[0] == 3
    station = await csms.api.get("/api/v1/stations/HV201", headers=csms.headers)
    history = await csms.api.get("/api/v1/stations/HV201/status-history", headers=csms.headers)
    assert (station.status_code, history.status_code) == (200, 200)
    assert [e["evse_id"] for e in station.json()["evses"]] == [2**31 - 1]
    assert [e["evse_id"] for e in history.json()["items"]] == [2**31 - 1]
    _no_traceback(caplog)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "nan", "1e400", "inf"])
async def test_a_16_meter_value_that_is_not_a_finite_number_is_refused(
    csms: Csms, ready: None, value: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with csms.connect("HV16") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT16)
        tx = (await wire.call("StartTransaction", START))[2]["transactionId"]
        meter = {"connectorId": 1, "transactionId": tx,
                 "meterValue": [{"timestamp": AT, "sampledValue": [{"value": value, "unit": "Wh"}]}]}
        answer = await wire.call("MeterValues", meter)
        assert answer[:3] == [4, answer[1], "PropertyConstraintViolation"], answer
        stop = {"transactionId": tx, "meterStop": 2000, "timestamp": "2026-11-24T01:00:00Z",
                "transactionData": meter["meterValue"]}
        answer = await wire.call("StopTransaction", stop)
        assert answer[:3] == [4, answer[1], "PropertyConstraintViolation"], answer
    read = await csms.api.get(f"/api/v1/transactions/{tx}", headers=csms.headers)
    assert read.status_code == 200, read.text
    _no_traceback(caplog)


async def test_a_201_multiplier_that_overflows_is_refused_without_a_traceback(
    csms: Csms, ready: None, caplog: pytest.LogCaptureFixture
) -> None:
    async with csms.connect("HV201", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT201)
        for multiplier, value in ((1000, 1), (300, 1e300), (2**31 - 1, 1)):
            meter = {"evseId": 1, "meterValue": [{"timestamp": AT, "sampledValue": [
                {"value": value, "unitOfMeasure": {"unit": "Wh", "multiplier": multiplier}}]}]}
            answer = await wire.call("MeterValues", meter)
            assert answer[:3] == [4, answer[1], "PropertyConstraintViolation"], (multiplier, answer)
    _no_traceback(caplog)


async def test_a_16_transaction_id_of_2_63_is_refused(
    csms: Csms, ready: None, caplog: pytest.LogCaptureFixture
) -> None:
    async with csms.connect("HV16") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT16)
        stop = {"transactionId": 2**63, "meterStop": 2000, "timestamp": AT}
        answer = await wire.call("StopTransaction", stop)
        assert answer[:3] == [4, answer[1], "PropertyConstraintViolation"], answer
    _no_traceback(caplog)


async def test_a_deeply_nested_201_data_transfer_is_refused_without_a_traceback(
    csms: Csms, ready: None, caplog: pytest.LogCaptureFixture
) -> None:
    async with csms.connect("HV201", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT201)
        deep = "[" * 1000 + "]" * 1000
        await ws.send(f'[2, "deep", "DataTransfer", {{"vendorId": "X", "data": {deep}}}]')
        answer = await wire.reply("deep")
        assert answer[:3] == [4, "deep", "FormatViolation"], answer
        assert (await wire.call("Heartbeat", {}))[0] == 3
    assert await csms.runtime.services.stations.messages("HV201", "DataTransfer") == []
    _no_traceback(caplog)


@pytest.mark.parametrize(("protocol", "payload"), [
    ("ocpp1.6", {"connectorId": -1, "errorCode": "NoError", "status": "Available"}),
    ("ocpp2.0.1", {"timestamp": AT, "connectorStatus": "Available", "evseId": 1, "connectorId": -1}),
    ("ocpp2.0.1", {"timestamp": AT, "connectorStatus": "Available", "evseId": -1, "connectorId": 1}),
])
async def test_a_negative_connector_or_evse_id_is_refused_and_not_stored(
    csms: Csms, ready: None, protocol: str, payload: dict
) -> None:
    sid = "HV16" if protocol == "ocpp1.6" else "HV201"
    async with csms.connect(sid, protocol) as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT16 if protocol == "ocpp1.6" else BOOT201)
        answer = await wire.call("StatusNotification", payload)
        assert answer[:3] == [4, answer[1], "PropertyConstraintViolation"], answer
    _, connectors = await csms.runtime.services.stations.get(sid)
    assert connectors == []


@pytest.mark.parametrize(("protocol", "code"), [("ocpp1.6", "FormationViolation"),
                                                ("ocpp2.0.1", "RpcFrameworkError")])
@pytest.mark.parametrize("unique_id", ["", "x" * 37, "y" * 60_000])
async def test_a_message_id_that_is_empty_or_over_36_characters_is_refused(
    csms: Csms, ready: None, protocol: str, code: str, unique_id: str
) -> None:
    sid = "HV16" if protocol == "ocpp1.6" else "HV201"
    async with csms.connect(sid, protocol, max_size=2**20) as ws:
        wire = Wire(ws)
        answer = await wire.send_raw(json.dumps([2, unique_id, "Heartbeat", {}]))
        assert answer[:3] == [4, "-1", code], answer[:3]
        boot = BOOT16 if protocol == "ocpp1.6" else BOOT201
        assert (await wire.call("BootNotification", boot))[0] == 3  # the connection stays


async def test_a_36_character_message_id_is_fine(csms: Csms, ready: None) -> None:
    async with csms.connect("HV16") as ws:
        answer = await Wire(ws).send_raw(json.dumps([2, "z" * 36, "Heartbeat", {}]))
        assert answer[:2] == [3, "z" * 36]

