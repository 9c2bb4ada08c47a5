"""Bad input a station may send: each gets the right CALLERROR (or close code) and nothing else breaks."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.exceptions import ConnectionClosed

from tests.harness import Csms, Wire

BOOT16 = {"chargePointVendor": "V", "chargePointModel": "M"}
BOOT201 = {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"}
START = {"connectorId": 1, "idTag": "CARD", "meterStart": 0, "timestamp": "2026-11-24T00:00:00Z"}


@pytest.fixture
async def stations(csms: Csms):
    for sid in ("BAD16", "BAD201", "GOOD"):
        await csms.station(sid)
    await csms.runtime.services.tokens.create("CARD")


async def _session_still_works(csms: Csms, wire: Wire) -> None:
    """The station goes on with its session, and another station is served meanwhile."""
    start = await wire.call("StartTransaction", START)
    assert start[0] == 3
    async with csms.connect("GOOD") as ws:
        other = Wire(ws)
        assert (await other.call("BootNotification", BOOT16))[2]["status"] == "Accepted"
    stop = {"transactionId": start[2]["transactionId"], "meterStop": 1200,
            "timestamp": "2026-11-24T01:00:00Z"}
    assert (await wire.call("StopTransaction", stop))[0] == 3
    tx, _ = await csms.runtime.services.transactions.detail(start[2]["transactionId"])
    assert tx.energy_wh == 1200.0


@pytest.mark.parametrize(
    ("frame", "unique_id", "code"),
    [
        ("this is not json", "-1", "FormationViolation"),
        ('{"not": "an array"}', "-1", "FormationViolation"),
        ('[2, "u1", "FlyToTheMoon", {}]', "u1", "NotImplemented"),
        ('[2, "u2", "ReserveNow", {}]', "u2", "NotSupported"),  # a CSMS->station action sent the wrong way
        ('[2, "u3", "StartTransaction", '
         '{"connectorId": 1, "idTag": "CARD", "timestamp": "2026-11-24T00:00:00Z"}]',
         "u3", "OccurenceConstraintViolation"),
        ('[2, "u4", "StartTransaction", '
         '{"connectorId": "one", "idTag": "CARD", "meterStart": 0, "timestamp": "2026-11-24T00:00:00Z"}]',
         "u4", "TypeConstraintViolation"),
        ('[2, "u5", "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Flying"}]',
         "u5", "PropertyConstraintViolation"),
        ('[2, "u6", "Heartbeat", {"extra": 1}]', "u6", "FormationViolation"),
        ('[2, "u7", "StartTransaction", '
         '{"connectorId": 1, "idTag": "CARD", "meterStart": 0, "timestamp": "yesterday"}]',
         "u7", "PropertyConstraintViolation"),
        ('[7, "u8", {}]', "u8", "FormationViolation"),
    ],
)
async def test_v16_malformed_frames_get_the_right_callerror(
    csms: Csms, stations: None, frame: str, unique_id: str, code: str
) -> None:
    async with csms.connect("BAD16") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT16)
        answer = await wire.send_raw(frame)
        assert answer[:3] == [4, unique_id, code]
        await _session_still_works(csms, wire)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{{{", "RpcFrameworkError"),
        ('[9, "x", {}]', "MessageTypeNotSupported"),
        ('[2, "x", "TransactionEvent", {"eventType": "Started", "timestamp": "2026-11-24T00:00:00Z", '
         '"triggerReason": "Authorized", "transactionInfo": {"transactionId": "T"}}]',
         "OccurrenceConstraintViolation"),
        ('[2, "x", "Heartbeat", {"bogus": true}]', "FormatViolation"),
    ],
)
async def test_v201_codes_use_the_201_spelling(csms: Csms, stations: None, frame: str, code: str) -> None:
    async with csms.connect("BAD201", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT201)
        answer = await wire.send_raw(frame)
        assert answer[0] == 4 and answer[2] == code
        assert (await wire.call("Heartbeat", {}))[0] == 3


async def test_a_response_to_an_unknown_message_id_is_ignored(csms: Csms, stations: None) -> None:
    async with csms.connect("BAD16") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT16)
        await ws.send(json.dumps([3, "never-sent", {}]))
        await ws.send(json.dumps([4, "never-sent-either", "GenericError", "", {}]))
        await _session_still_works(csms, wire)


async def test_a_frame_over_the_size_limit_closes_with_1009_and_others_carry_on(
    csms: Csms, stations: None
) -> None:
    async with csms.connect("BAD16", max_size=None) as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT16)
        start = await wire.call("StartTransaction", START)
        huge = json.dumps([2, "big", "DataTransfer", {"vendorId": "v", "data": "x" * (70 * 1024)}])
        await ws.send(huge)
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd.code == 1009
    # reconnect: the stored transaction is intact and the session goes on
    async with csms.connect("BAD16") as ws:
        wire = Wire(ws)
        stop = {"transactionId": start[2]["transactionId"], "meterStop": 500,
                "timestamp": "2026-11-24T01:00:00Z"}
        assert (await wire.call("StopTransaction", stop))[0] == 3
    tx, _ = await csms.runtime.services.transactions.detail(start[2]["transactionId"])
    assert (tx.status, tx.energy_wh) == ("Completed", 500.0)


async def test_an_exception_inside_a_handler_is_an_internal_error_and_the_connection_stays(
    csms: Csms, stations: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_a, **_k):
        raise RuntimeError("disk on fire")

    async with csms.connect("BAD16") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT16)
        monkeypatch.setattr(csms.runtime.services.stations, "heartbeat", broken)
        answer = await wire.call("Heartbeat", {})
        assert answer[:3] == [4, "m2", "InternalError"]
        monkeypatch.undo()
        await _session_still_works(csms, wire)


async def test_many_bad_stations_do_not_disturb_a_good_one(csms: Csms, stations: None) -> None:
    async def hammer(i: int) -> None:
        await csms.station(f"NOISY{i}")
        async with csms.connect(f"NOISY{i}") as ws:
            for _ in range(20):
                await ws.send("garbage")
                assert json.loads(await ws.recv())[2] == "FormationViolation"

    async with csms.connect("GOOD") as ws:
        good = Wire(ws)
        await good.call("BootNotification", BOOT16)
        noisy = asyncio.gather(*(hammer(i) for i in range(5)))
        for _ in range(10):
            assert (await good.call("Heartbeat", {}))[0] == 3
        await noisy
