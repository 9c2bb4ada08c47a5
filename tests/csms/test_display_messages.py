"""Display messages (OCPP 2.0.1 block O) over real sockets: set (O01), for a transaction (O02), replace (O06),
clear (O05), get all (O03) or some (O04) with the station's NotifyDisplayMessages report in parts, the
store per station behind ``GET /api/v1/stations/{id}/display-messages``; 1.6 has none."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from csms.db.models_display import DisplayMessageRequest
from tests.csms.duplex import duplex
from tests.harness import Csms

BOOT201 = {"chargingStation": {"model": "AC22", "vendorName": "Star"}, "reason": "PowerUp"}
ANSWERS: dict[str, Any] = {
    "SetDisplayMessage": {"status": "Accepted"},
    "GetDisplayMessages": {"status": "Accepted"},
    "ClearDisplayMessage": {"status": "Accepted"},
}


async def command(csms: Csms, station: str, name: str, **body: Any) -> Any:
    return await csms.api.post(f"/api/v1/stations/{station}/commands/{name}", headers=csms.headers, json=body)


async def stored(csms: Csms, station: str) -> dict[int, dict[str, Any]]:
    r = await csms.api.get(f"/api/v1/stations/{station}/display-messages", headers=csms.headers)
    assert r.status_code == 200, r.text
    return {m["message_id"]: m for m in r.json()}


@pytest.mark.ocpp("2.0.1", "O01")
@pytest.mark.ocpp("2.0.1", "O02")
@pytest.mark.ocpp("2.0.1", "O05")
@pytest.mark.ocpp("2.0.1", "O06")
async def test_set_for_a_transaction_replace_and_clear_display_messages(csms: Csms) -> None:
    await csms.station("CP-D")
    async with csms.connect("CP-D", "ocpp2.0.1") as ws, duplex(ws, dict(ANSWERS)) as st:
        await st.call("BootNotification", BOOT201)
        # O01: a new message gets an id issued by the database
        r = await command(csms, "CP-D", "set-display-message", priority="InFront", message_content="Welcome",
                          message_language="en")
        assert r.status_code == 200, r.text
        assert r.json() == {"action": "SetDisplayMessage", "response": {"status": "Accepted"}}
        sent = st.sent("SetDisplayMessage")[0]["message"]
        first = sent["id"]
        assert sent == {"id": first, "priority": "InFront",
                        "message": {"format": "UTF8", "language": "en", "content": "Welcome"}}
        got = (await stored(csms, "CP-D"))[first]
        assert (got["content"], got["origin"], got["station_answer"], got["language"]) == (
            "Welcome", "csms", "Accepted", "en")

        # O02: a message for a running transaction, shown while charging, within a time window
        started = {
            "eventType": "Started", "timestamp": "2026-11-24T08:00:00Z", "triggerReason": "Authorized",
            "seqNo": 0, "transactionInfo": {"transactionId": "TX-9"}, "evse": {"id": 1, "connectorId": 1},
        }  # fmt: skip
        assert (await st.call("TransactionEvent", started))[0] == 3
        tx = (await csms.api.get("/api/v1/transactions", headers=csms.headers)).json()["items"][0]
        r = await command(csms, "CP-D", "set-display-message", display_message_id=40, priority="NormalCycle",
                          state="Charging", transaction_id=tx["id"], message_content="<b>1.20 CNY/kWh</b>",
                          message_format="HTML", start_date_time="2026-11-24T08:00:00Z",
                          end_date_time="2099-11-24T10:00:00+02:00")
        assert r.json()["response"] == {"status": "Accepted"}, r.text
        assert st.sent("SetDisplayMessage")[1]["message"] == {
            "id": 40, "priority": "NormalCycle", "state": "Charging",
            "startDateTime": "2026-11-24T08:00:00.000Z", "endDateTime": "2099-11-24T08:00:00.000Z",
            "transactionId": "TX-9",
            "message": {"format": "HTML", "content": "<b>1.20 CNY/kWh</b>"},
        }
        got = (await stored(csms, "CP-D"))[40]
        assert (got["transaction_uid"], got["transaction_id"], got["state"], got["end_at"]) == (
            "TX-9", tx["id"], "Charging", "2099-11-24T08:00:00Z")
        st.answers["SetDisplayMessage"] = {"status": "UnknownTransaction"}
        r = await command(csms, "CP-D", "set-display-message", display_message_id=41, priority="InFront",
                          transaction_id=tx["id"], message_content="gone?")
        assert r.json()["response"] == {"status": "UnknownTransaction"}
        assert (await stored(csms, "CP-D"))[41]["station_answer"] == "UnknownTransaction"  # kept, not shown

        # O06: the same id replaces the message; a refused replacement leaves the one the station shows
        st.answers["SetDisplayMessage"] = {"status": "Accepted"}
        r = await command(csms, "CP-D", "set-display-message", display_message_id=first,
                          priority="AlwaysFront", message_content="Welcome back")
        assert r.json()["response"] == {"status": "Accepted"}
        st.answers["SetDisplayMessage"] = {"status": "NotSupportedPriority"}
        r = await command(csms, "CP-D", "set-display-message", display_message_id=first, priority="InFront",
                          message_content="never shown")
        assert r.json()["response"] == {"status": "NotSupportedPriority"}
        messages = await stored(csms, "CP-D")
        assert sorted(messages) == sorted([first, 40, 41])
        replaced = messages[first]
        assert (replaced["content"], replaced["priority"], replaced["station_answer"]) == (
            "Welcome back", "AlwaysFront", "Accepted")

        # O05: cleared once the station accepts; an id it does not know is answered Unknown
        r = await command(csms, "CP-D", "clear-display-message", display_message_id=first)
        assert r.json() == {"action": "ClearDisplayMessage", "response": {"status": "Accepted"}}
        assert st.sent("ClearDisplayMessage") == [{"id": first}]
        st.answers["ClearDisplayMessage"] = {"status": "Unknown"}
        r = await command(csms, "CP-D", "clear-display-message", display_message_id=40)
        assert r.json()["response"] == {"status": "Unknown"}
        assert sorted(await stored(csms, "CP-D")) == [41]

        # The station removes a message past its end, and a transaction's messages once it has ended: so
        # does the store.
        st.answers["SetDisplayMessage"] = {"status": "Accepted"}
        r = await command(csms, "CP-D", "set-display-message", display_message_id=42, priority="InFront",
                          message_content="yesterday", end_date_time="2026-01-01T00:00:00Z")
        assert r.json()["response"] == {"status": "Accepted"}
        assert sorted(await stored(csms, "CP-D")) == [41]
        ended = {**started, "eventType": "Ended", "seqNo": 1, "timestamp": "2026-11-24T09:00:00Z",
                 "triggerReason": "StopAuthorized", "transactionInfo": {"transactionId": "TX-9"}}
        assert (await st.call("TransactionEvent", ended))[0] == 3
        assert await stored(csms, "CP-D") == {}

        # the parameters each command needs are named; an answer off its schema is a 502, nothing stored
        r = await command(csms, "CP-D", "set-display-message", priority="InFront")
        assert (r.status_code, r.json().get("field")) == (422, "message_content")
        r = await command(csms, "CP-D", "clear-display-message")
        assert (r.status_code, r.json().get("field")) == (422, "display_message_id")
        r = await command(csms, "CP-D", "set-display-message", priority="Sometimes", message_content="x")
        assert r.status_code == 422
        st.answers["SetDisplayMessage"] = {"status": "Maybe"}
        r = await command(csms, "CP-D", "set-display-message", display_message_id=50, priority="InFront",
                          message_content="x")
        assert r.status_code == 502 and 50 not in await stored(csms, "CP-D")


@pytest.mark.ocpp("2.0.1", "O03")
@pytest.mark.ocpp("2.0.1", "O04")
async def test_get_display_messages_and_the_stations_report_in_parts(csms: Csms) -> None:
    await csms.station("CP-G")
    async with csms.connect("CP-G", "ocpp2.0.1") as ws, duplex(ws, dict(ANSWERS)) as st:
        await st.call("BootNotification", BOOT201)
        for mid, priority in ((1, "InFront"), (2, "NormalCycle"), (3, "NormalCycle")):
            r = await command(csms, "CP-G", "set-display-message", display_message_id=mid, priority=priority,
                              message_content=f"m{mid}")
            assert r.json()["response"] == {"status": "Accepted"}

        # O03: all messages; the first part replaces what the station was known to show, later parts add
        r = await command(csms, "CP-G", "get-display-messages")
        assert r.json() == {"action": "GetDisplayMessages", "response": {"status": "Accepted"}}
        request_id = st.sent("GetDisplayMessages")[0]["requestId"]
        assert st.sent("GetDisplayMessages") == [{"requestId": request_id}]
        part1 = {"requestId": request_id, "tbc": True, "messageInfo": [
            {"id": 2, "priority": "NormalCycle", "message": {"format": "UTF8", "content": "m2, as shown"}},
            {"id": 9, "priority": "AlwaysFront", "state": "Idle", "startDateTime": "2026-11-24T08:00:00Z",
             "display": {"name": "Display", "evse": {"id": 1}},
             "message": {"format": "ASCII", "language": "zh", "content": "station's own"}},
        ]}  # fmt: skip
        assert await st.call("NotifyDisplayMessages", part1) == [3, st.last_id, {}]
        messages = await stored(csms, "CP-G")
        assert sorted(messages) == [1, 2, 3, 9]  # the report is not complete yet
        assert (messages[2]["content"], messages[2]["origin"], messages[2]["reported_at"] is not None) == (
            "m2, as shown", "csms", True)
        assert (messages[9]["origin"], messages[9]["station_answer"], messages[9]["display"]) == (
            "station", None, {"name": "Display", "evse": {"id": 1}})
        part2 = {"requestId": request_id, "messageInfo": [
            {"id": 10, "priority": "NormalCycle", "message": {"format": "UTF8", "content": "last part"}}]}
        assert (await st.call("NotifyDisplayMessages", part2))[0] == 3
        assert sorted(await stored(csms, "CP-G")) == [2, 9, 10]  # complete: 1 and 3 are no longer shown

        # O04: by priority (and ids): the request's report replaces only its scope
        st.answers["GetDisplayMessages"] = {"status": "Unknown"}
        r = await command(csms, "CP-G", "get-display-messages", priority="NormalCycle")
        assert r.json()["response"] == {"status": "Unknown"}
        assert st.sent("GetDisplayMessages")[1] == {
            "requestId": st.sent("GetDisplayMessages")[1]["requestId"], "priority": "NormalCycle"}
        assert st.sent("GetDisplayMessages")[1]["requestId"] > request_id
        assert sorted(await stored(csms, "CP-G")) == [9]  # Unknown: no NormalCycle message is shown
        st.answers["GetDisplayMessages"] = {"status": "Accepted"}
        r = await command(csms, "CP-G", "get-display-messages", display_message_ids=[9, 11], state="Idle")
        last = st.sent("GetDisplayMessages")[2]
        assert (last["id"], last["state"]) == ([9, 11], "Idle")
        report = {"requestId": last["requestId"], "messageInfo": [
            {"id": 11, "priority": "InFront", "state": "Idle",
             "message": {"format": "UTF8", "content": "new"}}]}
        assert (await st.call("NotifyDisplayMessages", report))[0] == 3
        assert sorted(await stored(csms, "CP-G")) == [11]

        # a report the CSMS never asked for adds its messages and removes none; a bad one is refused
        stray = {"requestId": 999_999, "messageInfo": [
            {"id": 12, "priority": "InFront", "message": {"format": "UTF8", "content": "stray"}}]}
        assert (await st.call("NotifyDisplayMessages", stray))[0] == 3
        assert sorted(await stored(csms, "CP-G")) == [11, 12]
        bad = await st.call("NotifyDisplayMessages", {"messageInfo": stray["messageInfo"]})
        assert bad[0] == 4 and "Violation" in bad[2]


async def test_display_messages_are_not_an_ocpp_16_command(csms: Csms) -> None:
    await csms.station("CP16")
    async with csms.connect("CP16", "ocpp1.6") as ws, duplex(ws) as st:
        await st.call("BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"})
        r = await command(csms, "CP16", "set-display-message", priority="InFront", message_content="x")
        assert r.status_code == 422 and "1.6" in r.json()["detail"]
        r = await command(csms, "CP16", "get-display-messages")
        assert r.status_code == 422
        assert st.received == []
    assert await stored(csms, "CP16") == {}
    r = await command(csms, "CP16", "clear-display-message", display_message_id=1)
    assert r.status_code == 409  # not connected
    async with csms.runtime.services.uow.read() as session:
        assert (await session.scalars(select(DisplayMessageRequest))).all() == []
