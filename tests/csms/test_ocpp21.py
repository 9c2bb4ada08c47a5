"""OCPP 2.1: negotiation, a whole session, the 2.1 schemas and 2.0.1 error codes, boot gating, commands."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from tests.harness import Csms, Wire

BOOT = {"chargingStation": {"model": "DC120", "vendorName": "XJ", "serialNumber": "S21"}, "reason": "PowerUp"}
ALL = ["ocpp2.1", "ocpp2.0.1", "ocpp1.6"]
T0 = "2026-11-24T00:00:00Z"


def status(connector_status: str = "Available", evse_id: Any = 1) -> dict[str, Any]:
    return {"timestamp": T0, "connectorStatus": connector_status, "evseId": evse_id, "connectorId": 1}


def energy(value: float, unit: str = "Wh", context: str = "Sample.Periodic") -> dict[str, Any]:
    return {"value": value, "context": context, "measurand": "Energy.Active.Import.Register",
            "unitOfMeasure": {"unit": unit}}


def event(kind: str, seq: int, ts: str, trigger: str, values: list[dict[str, Any]], **extra: Any) -> dict:
    return {"eventType": kind, "timestamp": ts, "triggerReason": trigger, "seqNo": seq,
            "transactionInfo": {"transactionId": "TX-21"},
            "meterValue": [{"timestamp": ts, "sampledValue": values}], **extra}


def frame(action: str, payload: dict[str, Any]) -> str:
    return json.dumps([2, "x", action, payload])


@pytest.fixture
async def wire(csms: Csms):
    await csms.station("CP21")
    await csms.runtime.services.tokens.create("CARD-21")
    async with csms.connect("CP21", subprotocols=ALL) as ws:
        assert ws.subprotocol == "ocpp2.1"
        yield Wire(ws)


@pytest.mark.parametrize("offered", [ALL, list(reversed(ALL)), ["ocpp2.1"]])
async def test_a_station_offering_21_gets_21_and_is_stored_as_21(csms: Csms, offered: list[str]) -> None:
    await csms.station("CP21")
    async with csms.connect("CP21", subprotocols=offered) as ws:
        assert ws.subprotocol == "ocpp2.1"
        assert (await Wire(ws).call("BootNotification", BOOT))[2]["status"] == "Accepted"
    station = (await csms.api.get("/api/v1/stations/CP21", headers=csms.headers)).json()
    assert (station["ocpp_version"], station["model"], station["serial_number"]) == ("2.1", "DC120", "S21")


@pytest.mark.parametrize("offered", [["ocpp2.0.1"], ["ocpp1.6", "ocpp2.0.1"]])
async def test_a_station_offering_201_still_gets_201(csms: Csms, offered: list[str]) -> None:
    await csms.station("CP201")
    async with csms.connect("CP201", subprotocols=offered) as ws:
        assert ws.subprotocol == "ocpp2.0.1"
        assert (await Wire(ws).call("BootNotification", BOOT))[2]["status"] == "Accepted"
    station = (await csms.api.get("/api/v1/stations/CP201", headers=csms.headers)).json()
    assert station["ocpp_version"] == "2.0.1"


async def test_a_21_session_is_stored_with_its_energy_in_wh(csms: Csms, wire: Wire) -> None:
    boot = await wire.call("BootNotification", BOOT)
    assert boot[0] == 3 and boot[2]["status"] == "Accepted" and boot[2]["interval"] > 0
    assert (await wire.call("StatusNotification", status("Occupied")))[::2] == [3, {}]

    started = event("Started", 0, "2026-11-24T01:00:00Z", "Authorized",
                    [energy(2.0, unit="kWh", context="Transaction.Begin")],
                    evse={"id": 1, "connectorId": 1}, idToken={"idToken": "CARD-21", "type": "ISO14443"},
                    preconditioningStatus="Ready")  # a field 2.0.1 does not have
    assert (await wire.call("TransactionEvent", started))[2] == {"idTokenInfo": {"status": "Accepted"}}
    # 2.1 only: a trigger reason, and a measurand in seconds that is skipped instead of failing the event
    eta = {"value": 1200, "measurand": "Display.RemainingTimeToTargetSOC", "unitOfMeasure": {"unit": "s"}}
    updated = event("Updated", 1, "2026-11-24T01:15:00Z", "LimitSet", [energy(5500), eta])
    assert (await wire.call("TransactionEvent", updated))[::2] == [3, {}]
    ended = event("Ended", 2, "2026-11-24T01:30:00Z", "EVCommunicationLost",
                  [energy(9.0, unit="kWh", context="Transaction.End")],
                  transactionInfo={"transactionId": "TX-21", "stoppedReason": "EVDisconnected"})
    # I03: the final cost in the Ended answer, 7 kWh at the default tariff's flat price (09:00-09:30 local)
    assert (await wire.call("TransactionEvent", ended))[::2] == [3, {"totalCost": 4.16}]

    page = await csms.api.get("/api/v1/transactions", params={"station_id": "CP21"}, headers=csms.headers)
    assert page.json()["total"] == 1
    tx = page.json()["items"][0]
    assert (tx["uid"], tx["status"], tx["id_token"], tx["evse_id"]) == ("TX-21", "Completed", "CARD-21", 1)
    assert (tx["meter_start_wh"], tx["meter_stop_wh"], tx["energy_wh"]) == (2000.0, 9000.0, 7000.0)
    detail = (await csms.api.get(f"/api/v1/transactions/{tx['id']}", headers=csms.headers)).json()
    assert [(v["measurand"], v["value"]) for v in detail["meter_values"]] == [
        ("Energy.Active.Import.Register", 2000.0),
        ("Energy.Active.Import.Register", 5500.0),
        ("Energy.Active.Import.Register", 9000.0),
    ]
    station = (await csms.api.get("/api/v1/stations/CP21", headers=csms.headers)).json()
    assert station["evses"][0]["connectors"][0]["status"] == "Occupied"


async def test_a_21_id_token_of_255_characters_is_registered_and_charges(csms: Csms, wire: Wire) -> None:
    long_token = "EMAID-" + "7" * 249  # 2.1 allows 255 characters (2.0.1: 36)
    created = await csms.api.post("/api/v1/id-tokens", json={"id_token": long_token, "type": "eMAID"},
                                  headers=csms.headers)
    assert created.status_code == 201, created.text
    assert (await wire.call("BootNotification", BOOT))[2]["status"] == "Accepted"
    token = {"idToken": long_token, "type": "eMAID"}
    assert (await wire.call("Authorize", {"idToken": token}))[2]["idTokenInfo"]["status"] == "Accepted"
    started = event("Started", 0, "2026-11-24T02:00:00Z", "Authorized", [energy(0)],
                    evse={"id": 1, "connectorId": 1}, idToken=token)
    assert (await wire.call("TransactionEvent", started))[2] == {"idTokenInfo": {"status": "Accepted"}}
    page = await csms.api.get("/api/v1/transactions", params={"id_token": long_token}, headers=csms.headers)
    assert [t["id_token"] for t in page.json()["items"]] == [long_token]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (frame("Heartbeat", {"bogus": True}), "FormatViolation"),
        (frame("TransactionEvent", {"eventType": "Started", "timestamp": T0, "triggerReason": "Authorized",
                                    "transactionInfo": {"transactionId": "T"}}),  # no seqNo
         "OccurrenceConstraintViolation"),
        (frame("StatusNotification", status(evse_id="one")), "TypeConstraintViolation"),
        # valid in 2.0.1, whose schema has no minimum: proof that the 2.1 schema is the one applied
        (frame("StatusNotification", status(evse_id=-1)), "PropertyConstraintViolation"),
        (frame("FlyToTheMoon", {}), "NotImplemented"),
        (frame("NotifyDERAlarm", {}), "NotSupported"),  # a 2.1 action this CSMS does not handle
        ("{{{", "RpcFrameworkError"),
        ('[9, "x", {}]', "MessageTypeNotSupported"),
    ],
)
async def test_bad_21_input_gets_the_201_spelling(wire: Wire, raw: str, code: str) -> None:
    await wire.call("BootNotification", BOOT)
    answer = await wire.send_raw(raw)
    assert answer[0] == 4 and answer[2] == code
    assert (await wire.call("Heartbeat", {}))[0] == 3


async def test_a_21_only_action_is_unknown_to_a_201_station(csms: Csms) -> None:
    await csms.station("CP201")
    async with csms.connect("CP201", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT)
        assert (await wire.call("NotifyDERAlarm", {}))[2] == "NotImplemented"


async def test_requests_before_an_accepted_boot_get_security_error(wire: Wire) -> None:
    for action, payload in [("Heartbeat", {}), ("StatusNotification", status())]:
        answer = await wire.call(action, payload)
        assert (answer[0], answer[2]) == (4, "SecurityError"), action
    assert (await wire.call("BootNotification", BOOT))[2]["status"] == "Accepted"
    assert (await wire.call("Heartbeat", {}))[0] == 3


async def test_a_pending_21_station_stays_gated(csms: Csms) -> None:
    await csms.station("CP-P", status="Pending")
    async with csms.connect("CP-P", subprotocols=ALL) as ws:
        wire = Wire(ws)
        assert (await wire.call("BootNotification", BOOT))[2]["status"] == "Pending"
        assert (await wire.call("Heartbeat", {}))[2] == "SecurityError"


async def test_callresulterror_and_send_frames_are_not_answered(wire: Wire) -> None:
    await wire.call("BootNotification", BOOT)
    await wire.ws.send(json.dumps([5, "r1", "FormatViolation", "could not parse your CALLRESULT", {}]))
    stream = {"id": 1, "pending": 0, "basetime": T0, "data": []}
    await wire.ws.send(json.dumps([6, "s1", "NotifyPeriodicEventStream", stream]))
    await wire.ws.send(json.dumps([2, "hb", "Heartbeat", {}]))
    assert json.loads(await wire.ws.recv())[:2] == [3, "hb"]  # the first answer is the Heartbeat's


async def test_a_broken_frame_that_starts_like_one_of_them_is_answered(wire: Wire) -> None:
    """Found by the frame fuzzer run on 2.1: ``[5,`` (not JSON) was taken for a CALLRESULTERROR and dropped
    unanswered. Only a well-formed one goes unanswered; anything else gets the usual CALLERROR."""
    await wire.call("BootNotification", BOOT)
    for broken in ("[5,", "[6, 7]", '[5, "r"'):
        await wire.ws.send(broken)
        answer = json.loads(await asyncio.wait_for(wire.ws.recv(), 10))  # unanswered: TimeoutError
        assert answer[:3] == [4, "-1", "RpcFrameworkError"], (broken, answer)


async def _station(ws: ClientConnection, seen: list[tuple[str, Any]], replies: dict[str, Any]) -> None:
    async for raw in ws:
        message = json.loads(raw)
        if message[0] == 2:
            seen.append((message[2], message[3]))
            await ws.send(json.dumps([3, message[1], replies[message[2]]]))


async def test_operator_commands_reach_a_21_station_as_in_201(csms: Csms, wire: Wire) -> None:
    await wire.call("BootNotification", BOOT)
    seen: list[tuple[str, Any]] = []
    replies = {"RequestStartTransaction": {"status": "Accepted"}, "Reset": {"status": "Scheduled"}}
    task = asyncio.create_task(_station(wire.ws, seen, replies))
    url, h = "/api/v1/stations/CP21", csms.headers
    try:
        start_params = {"id_token": "CARD-21", "evse_id": 1}
        r = await csms.api.post(f"{url}/commands/remote-start", json=start_params, headers=h)
        assert r.status_code == 200, r.text
        r = await csms.api.post(f"{url}/commands/reset", json={"type": "hard"}, headers=h)
        assert r.status_code == 200, r.text
        # a 2.1-only action, checked against its 2.1 schema (evseId is required) before anything is sent
        r = await csms.api.post(f"{url}/calls/GetTariffs", json={}, headers=h)
        assert (r.status_code, r.json()["code"]) == (422, "OccurrenceConstraintViolation")
    finally:
        task.cancel()
    (start_action, start), reset = seen
    assert start_action == "RequestStartTransaction"
    assert start["idToken"] == {"idToken": "CARD-21", "type": "ISO14443"} and start["evseId"] == 1
    assert reset == ("Reset", {"type": "Immediate"})
