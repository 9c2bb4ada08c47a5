"""GetTransactionStatus (OCPP 2.0.1 E14), sent by the CSMS itself when a TransactionEvent shows a seqNo gap
or an offline Ended, and the session reconciled from the answers; over real sockets."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.csms.test_ocpp_tariffs import BOOT, answer, event, expect_call
from tests.harness import Csms, Wire


async def answered(csms: Csms) -> dict[str, Any]:
    """The sync state once the CSMS has stored the station's answer (it does so behind the answer frame)."""
    for _ in range(500):
        found = await sync_of(csms)
        if found["answered_at"] is not None:
            return found
        await asyncio.sleep(0.01)
    raise AssertionError("the answer was never stored")


async def sync_of(csms: Csms) -> dict[str, Any]:
    tx = (await csms.api.get("/api/v1/transactions", headers=csms.headers)).json()["items"][0]
    r = await csms.api.get(f"/api/v1/transactions/{tx['id']}/sync", headers=csms.headers)
    assert r.status_code == 200
    return r.json()


@pytest.mark.ocpp("2.0.1", "E14")
async def test_a_seq_no_gap_asks_the_station_and_the_queued_events_reconcile_it(csms: Csms) -> None:
    await csms.station("CP-G")
    async with csms.connect("CP-G", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT)
        await wire.call("TransactionEvent", event("Started", 0, "2026-11-24T01:00:00Z"))
        assert (await sync_of(csms))["state"] == "complete"  # nothing missing: nothing asked
        await wire.call("TransactionEvent", event("Updated", 2, "2026-11-24T01:20:00Z"))  # 1 is missing
        uid, payload = await expect_call(ws, "GetTransactionStatus")
        assert payload == {"transactionId": "TX-1"}
        await answer(ws, uid, {"ongoingIndicator": True, "messagesInQueue": True})
        found = await answered(csms)
        assert (found["state"], found["missing_seq_nos"]) == ("awaiting", [1])
        assert found["messages_in_queue"] is True
        await wire.call("TransactionEvent", event("Updated", 1, "2026-11-24T01:10:00Z", offline=True))
        found = await sync_of(csms)
        assert (found["state"], found["missing_seq_nos"]) == ("reconciled", [])
        assert found["reconciled_at"] is not None


@pytest.mark.ocpp("2.0.1", "E14")
async def test_an_offline_ended_with_nothing_queued_stores_the_gap(csms: Csms) -> None:
    await csms.station("CP-O")
    async with csms.connect("CP-O", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT)
        await wire.call("TransactionEvent", event("Started", 0, "2026-11-24T01:00:00Z", offline=True))
        ended = await wire.call("TransactionEvent", event("Ended", 3, "2026-11-24T02:00:00Z", offline=True))
        assert ended[0] == 3 and "totalCost" in ended[2]
        uid, payload = await expect_call(ws, "GetTransactionStatus")
        await answer(ws, uid, {"ongoingIndicator": False, "messagesInQueue": False})
        found = await answered(csms)
        assert (found["state"], found["missing_seq_nos"], found["ongoing"]) == ("gap", [1, 2], False)


async def test_an_offline_ended_without_a_gap_asks_once_and_stays_complete(csms: Csms) -> None:
    await csms.station("CP-Q")
    async with csms.connect("CP-Q", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT)
        await wire.call("TransactionEvent", event("Started", 0, "2026-11-24T01:00:00Z", offline=True))
        await wire.call("TransactionEvent", event("Ended", 1, "2026-11-24T02:00:00Z", offline=True))
        uid, _ = await expect_call(ws, "GetTransactionStatus")
        await answer(ws, uid, {"messagesInQueue": False})
        found = await answered(csms)
        assert (found["state"], found["messages_in_queue"]) == ("complete", False)


async def test_an_answer_off_its_schema_is_not_stored(csms: Csms, caplog: pytest.LogCaptureFixture) -> None:
    await csms.station("CP-B")
    async with csms.connect("CP-B", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT)
        await wire.call("TransactionEvent", event("Started", 0, "2026-11-24T01:00:00Z"))
        await wire.call("TransactionEvent", event("Updated", 5, "2026-11-24T01:20:00Z"))
        uid, _ = await expect_call(ws, "GetTransactionStatus")
        await answer(ws, uid, {"messagesInQueue": "maybe"})
        for _ in range(500):  # the CSMS refuses it (logged) where it would have stored it
            if "event=invalid_answer action=GetTransactionStatus" in caplog.text:
                break
            await asyncio.sleep(0.01)
        assert "event=transaction_status_failed" in caplog.text
        found = await sync_of(csms)
        assert (found["state"], found["answered_at"], found["missing_seq_nos"]) == ("gap", None, [1, 2, 3, 4])
