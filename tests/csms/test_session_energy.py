"""Issue 14 item 3, over the socket: a glitching register and messages after the end never change the bill."""

from __future__ import annotations

import pytest

from tests.harness import Csms, Wire

BOOT16 = {"chargePointVendor": "Star", "chargePointModel": "DC60"}
BOOT201 = {"chargingStation": {"model": "AC22", "vendorName": "Star"}, "reason": "PowerUp"}


def register(wh: float, ts: str) -> dict:
    return {"timestamp": ts, "sampledValue": [{"value": str(wh), "measurand": "Energy.Active.Import.Register",
                                              "unit": "Wh"}]}


def register201(wh: float, ts: str) -> dict:
    return {"timestamp": ts, "sampledValue": [{"value": wh, "measurand": "Energy.Active.Import.Register"}]}


@pytest.fixture
async def card(csms: Csms) -> None:
    await csms.runtime.services.tokens.create("CARD")


async def _transaction(csms: Csms, station_id: str) -> dict:
    page = (await csms.api.get("/api/v1/transactions", params={"station_id": station_id},
                               headers=csms.headers)).json()
    assert page["total"] == 1
    return page["items"][0]


async def test_v16_a_zero_reading_in_the_middle_is_not_billed(csms: Csms, card: None) -> None:
    await csms.station("G16")
    async with csms.connect("G16") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT16)
        begin = {"connectorId": 1, "idTag": "CARD", "meterStart": 1_000_000,
                 "timestamp": "2026-12-01T08:00:00Z"}
        start = await wire.call("StartTransaction", begin)
        tx_id = start[2]["transactionId"]
        for wh, ts in ((0, "2026-12-01T08:10:00Z"), (1_005_000, "2026-12-01T08:20:00Z")):
            mv = {"connectorId": 1, "transactionId": tx_id, "meterValue": [register(wh, ts)]}
            assert (await wire.call("MeterValues", mv))[0] == 3
        tx = await _transaction(csms, "G16")
        assert (tx["meter_start_wh"], tx["meter_stop_wh"], tx["energy_wh"]) == (1_000_000, 1_005_000, 5_000)
        stop = {"transactionId": tx_id, "meterStop": 1_005_000, "timestamp": "2026-12-01T08:20:00Z"}
        await wire.call("StopTransaction", stop)
    tx = await _transaction(csms, "G16")
    assert (tx["status"], tx["energy_wh"]) == ("Completed", 5_000)


async def test_v201_an_updated_after_ended_does_not_raise_the_energy(csms: Csms, card: None) -> None:
    await csms.station("G201")
    async with csms.connect("G201", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT201)

        def event(kind: str, seq: int, ts: str, wh: float) -> dict:
            return {"eventType": kind, "timestamp": ts, "triggerReason": "MeterValuePeriodic", "seqNo": seq,
                    "transactionInfo": {"transactionId": "T-LATE", "chargingState": "Charging"},
                    "evse": {"id": 1, "connectorId": 1}, "meterValue": [register201(wh, ts)]}

        await wire.call("TransactionEvent", event("Started", 0, "2026-12-01T08:00:00.000Z", 10_000))
        await wire.call("TransactionEvent", event("Ended", 1, "2026-12-01T09:00:00.000Z", 30_000))
        # the station's sampler fires once more, 5 ms after Ended, with a higher seqNo
        await wire.call("TransactionEvent", event("Updated", 2, "2026-12-01T09:00:00.005Z", 30_040))
    tx = await _transaction(csms, "G201")
    assert (tx["status"], tx["meter_stop_wh"], tx["energy_wh"]) == ("Completed", 30_000, 20_000)
