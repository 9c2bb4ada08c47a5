"""A station's own boot intervals (B01-B03) and the TriggerMessage rules (F06, 1.6 Remote Trigger), over real
sockets."""

from __future__ import annotations

import asyncio

import pytest

from tests.csms.test_ocpp_tariffs import BOOT, answer, expect_call
from tests.harness import Csms, Wire

BOOT16 = {"chargePointVendor": "V", "chargePointModel": "M"}


@pytest.mark.ocpp("2.0.1", "B02")
async def test_a_pending_station_retries_at_its_own_interval_and_beats_at_its_own(csms: Csms) -> None:
    await csms.station("CP-P", status="Pending")
    url = "/api/v1/stations/CP-P/boot-intervals"
    assert (await csms.api.get(url, headers=csms.headers)).json() == {
        "pending_retry_interval_s": None, "heartbeat_interval_s": None}
    r = await csms.api.put(url, headers=csms.headers, json={"pending_retry_interval_s": 17,
                                                            "heartbeat_interval_s": 45})
    assert r.status_code == 200
    async with csms.connect("CP-P", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        boot = await wire.call("BootNotification", BOOT)
        assert (boot[2]["status"], boot[2]["interval"]) == ("Pending", 17)
        await csms.api.patch("/api/v1/stations/CP-P", json={"registration_status": "Accepted"},
                             headers=csms.headers)
        boot = await wire.call("BootNotification", BOOT)
        assert (boot[2]["status"], boot[2]["interval"]) == ("Accepted", 45)
    # Back to the configured intervals
    await csms.api.put(url, headers=csms.headers, json={})
    async with csms.connect("CP-P", "ocpp2.0.1") as ws:
        boot = await Wire(ws).call("BootNotification", BOOT)
        assert boot[2]["interval"] == csms.runtime.settings.heartbeat_interval_s


async def test_a_16_pending_station_gets_its_own_retry_interval(csms: Csms) -> None:
    await csms.station("CP16-P", status="Pending")
    await csms.api.put("/api/v1/stations/CP16-P/boot-intervals", headers=csms.headers,
                       json={"pending_retry_interval_s": 23})
    async with csms.connect("CP16-P", "ocpp1.6") as ws:
        boot = await Wire(ws).call("BootNotification", BOOT16)
        assert (boot[2]["status"], boot[2]["interval"]) == ("Pending", 23)


@pytest.mark.parametrize("body", [{"pending_retry_interval_s": 0}, {"heartbeat_interval_s": 86_401},
                                  {"pending_retry_interval_s": "x"}])
async def test_bad_intervals_are_refused_and_unknown_stations_are_404(csms: Csms, body: dict) -> None:
    await csms.station("CP-I")
    r = await csms.api.put("/api/v1/stations/CP-I/boot-intervals", headers=csms.headers, json=body)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == next(iter(body))
    r = await csms.api.put("/api/v1/stations/NOPE/boot-intervals", headers=csms.headers, json={})
    assert r.status_code == 404


@pytest.mark.ocpp("2.0.1", "F06")
async def test_trigger_message_rules_of_2_0_1(csms: Csms) -> None:
    await csms.station("CP-TR", status="Pending")
    calls = "/api/v1/stations/CP-TR/calls"
    async with csms.connect("CP-TR", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT)  # Pending: the CSMS may ask it to boot again (B02)
        sent = asyncio.create_task(csms.api.post(f"{calls}/TriggerMessage", headers=csms.headers,
                                                 json={"requestedMessage": "BootNotification"}))
        uid, payload = await expect_call(ws, "TriggerMessage")
        assert payload == {"requestedMessage": "BootNotification"}
        await answer(ws, uid, {"status": "Accepted"})
        assert (await sent).json() == {"status": "Accepted"}
        await csms.api.patch("/api/v1/stations/CP-TR", json={"registration_status": "Accepted"},
                             headers=csms.headers)
        await wire.call("BootNotification", BOOT)
        # Accepted: a BootNotification trigger would be Rejected (F06.FR.17); the CSMS does not send it.
        r = await csms.api.post(f"{calls}/TriggerMessage", headers=csms.headers,
                                json={"requestedMessage": "BootNotification"})
        assert r.status_code == 409 and "F06.FR.17" in r.json()["detail"]
        # A station-wide message names no EVSE.
        r = await csms.api.post(f"{calls}/TriggerMessage", headers=csms.headers,
                                json={"requestedMessage": "Heartbeat", "evse": {"id": 1}})
        assert (r.status_code, r.json()["field"]) == (422, "evse")
        # A 1.6-only message is not a 2.0.1 trigger.
        r = await csms.api.post("/api/v1/stations/CP-TR/commands/trigger-message", headers=csms.headers,
                                json={"requested_message": "DiagnosticsStatusNotification"})
        assert (r.status_code, r.json()["field"]) == (422, "requestedMessage")
        # The station's answer is checked against its schema.
        sent = asyncio.create_task(csms.api.post(f"{calls}/TriggerMessage", headers=csms.headers,
                                                 json={"requestedMessage": "MeterValues", "evse": {"id": 1}}))
        uid, _ = await expect_call(ws, "TriggerMessage")
        await answer(ws, uid, {"status": "Maybe"})
        r = await sent
        assert r.status_code == 502 and r.json()["code"] == "InvalidAnswer"


@pytest.mark.ocpp("1.6", "TC_054", "RemoteTrigger")
async def test_trigger_message_rules_of_1_6(csms: Csms) -> None:
    await csms.station("CP16-T")
    async with csms.connect("CP16-T", "ocpp1.6") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT16)
        r = await csms.api.post("/api/v1/stations/CP16-T/commands/trigger-message", headers=csms.headers,
                                json={"requested_message": "SignChargePointCertificate"})
        assert r.status_code == 422 and "ExtendedTriggerMessage" in r.json()["detail"]
        r = await csms.api.post("/api/v1/stations/CP16-T/commands/trigger-message", headers=csms.headers,
                                json={"requested_message": "Heartbeat", "evse_id": 2})
        assert (r.status_code, r.json()["field"]) == (422, "connectorId")
        sent = asyncio.create_task(csms.api.post(
            "/api/v1/stations/CP16-T/commands/trigger-message", headers=csms.headers,
            json={"requested_message": "StatusNotification", "evse_id": 1}))
        uid, payload = await expect_call(ws, "TriggerMessage")
        assert payload == {"requestedMessage": "StatusNotification", "connectorId": 1}
        await answer(ws, uid, {"status": "Accepted"})
        assert (await sent).json()["response"] == {"status": "Accepted"}
