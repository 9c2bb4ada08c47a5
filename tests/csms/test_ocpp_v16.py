"""OCPP 1.6J: a full session over a real socket, and the durability/idempotence rules."""

from __future__ import annotations

import pytest

from tests.harness import Csms, Wire

BOOT = {"chargePointVendor": "Star", "chargePointModel": "DC60", "chargePointSerialNumber": "SN1",
        "firmwareVersion": "1.2"}
T0 = "2026-11-24T08:00:00Z"


@pytest.fixture
async def wire(csms: Csms):
    await csms.station("CP16")
    await csms.runtime.services.tokens.create("CARD-1")
    async with csms.connect("CP16") as ws:
        yield Wire(ws)


@pytest.mark.ocpp("1.6", "TC_001", "Core")
@pytest.mark.ocpp("1.6", "TC_004_1", "Core")
@pytest.mark.ocpp("1.6", "TC_005_1", "Core")
async def test_full_session_is_stored_and_served_by_the_api(csms: Csms, wire: Wire) -> None:
    boot = await wire.call("BootNotification", BOOT)
    assert boot[2]["status"] == "Accepted" and boot[2]["interval"] == 300
    assert (await wire.call("Heartbeat", {}))[0] == 3
    status = {"connectorId": 1, "errorCode": "NoError", "status": "Preparing", "timestamp": T0}
    assert (await wire.call("StatusNotification", status))[0] == 3
    auth = await wire.call("Authorize", {"idTag": "CARD-1"})
    assert auth[2] == {"idTagInfo": {"status": "Accepted"}}
    start = await wire.call("StartTransaction",
                            {"connectorId": 1, "idTag": "CARD-1", "meterStart": 1000, "timestamp": T0})
    tx_id = start[2]["transactionId"]
    assert start[2]["idTagInfo"]["status"] == "Accepted"
    # the id comes from the database row, which exists before the reply was sent
    tx, _ = await csms.runtime.services.transactions.detail(tx_id)
    assert tx.status == "Active" and tx.meter_start_wh == 1000
    mv = {
        "connectorId": 1,
        "transactionId": tx_id,
        "meterValue": [
            {
                "timestamp": "2026-11-24T08:10:00Z",
                "sampledValue": [
                    {"value": "4.5", "unit": "kWh", "measurand": "Energy.Active.Import.Register"},
                    {"value": "21.6", "unit": "kW", "measurand": "Power.Active.Import"},
                    {"value": "32", "unit": "A", "measurand": "Current.Import", "phase": "L1"},
                    {"value": "55", "measurand": "SoC", "unit": "Percent"},
                ],
            }
        ],
    }
    assert (await wire.call("MeterValues", mv))[0] == 3
    stop = {
        "transactionId": tx_id, "meterStop": 8500, "timestamp": "2026-11-24T08:30:00Z", "idTag": "CARD-1",
        "reason": "EVDisconnected",
        "transactionData": [{"timestamp": "2026-11-24T08:30:00Z", "sampledValue": [{"value": "8500"}]}],
    }
    assert (await wire.call("StopTransaction", stop))[2] == {"idTagInfo": {"status": "Accepted"}}

    stations = (await csms.api.get("/api/v1/stations", headers=csms.headers)).json()
    assert [(s["id"], s["online"], s["vendor"]) for s in stations] == [("CP16", True, "Star")]
    detail = (await csms.api.get(f"/api/v1/transactions/{tx_id}", headers=csms.headers)).json()
    assert (detail["energy_wh"] == 7500.0 and detail["status"] == "Completed"
            and detail["stop_reason"] == "EVDisconnected")
    values = {(v["measurand"], v["unit"]): v["value"] for v in detail["meter_values"]}
    assert values[("Energy.Active.Import.Register", "Wh")] in (4500.0, 8500.0)
    assert values[("Power.Active.Import", "W")] == pytest.approx(21600.0)
    assert values[("Current.Import", "A")] == 32.0 and values[("SoC", "%")] == 55.0


async def test_repeated_start_transaction_returns_the_same_id(csms: Csms, wire: Wire) -> None:
    await wire.call("BootNotification", BOOT)
    req = {"connectorId": 2, "idTag": "CARD-1", "meterStart": 0, "timestamp": "2026-11-24T07:00:00.123Z"}
    first = await wire.call("StartTransaction", req)
    again = await wire.call("StartTransaction", req)
    assert first[2]["transactionId"] == again[2]["transactionId"]
    page = (await csms.api.get("/api/v1/transactions", params={"station_id": "CP16"},
                               headers=csms.headers)).json()
    assert page["total"] == 1


@pytest.mark.ocpp("1.6", "TC_037_1", "Core")
async def test_offline_queued_messages_keep_their_own_timestamps(csms: Csms, wire: Wire) -> None:
    await wire.call("BootNotification", BOOT)
    earlier = "2026-11-20T03:00:00+08:00"
    start = await wire.call("StartTransaction",
                            {"connectorId": 1, "idTag": "CARD-1", "meterStart": 10, "timestamp": earlier})
    tx, _ = await csms.runtime.services.transactions.detail(start[2]["transactionId"])
    assert tx.started_at.isoformat() == "2026-11-19T19:00:00+00:00"


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        pytest.param("Blocked", "Blocked", marks=pytest.mark.ocpp("1.6", "TC_023_3", "Core")),
        pytest.param("Expired", "Expired", marks=pytest.mark.ocpp("1.6", "TC_023_2", "Core")),
        pytest.param(None, "Invalid", marks=pytest.mark.ocpp("1.6", "TC_023_1", "Core")),
    ],
)
async def test_authorize_answers_from_the_token_record(
    csms: Csms, wire: Wire, stored: str | None, expected: str
) -> None:
    await wire.call("BootNotification", BOOT)
    if stored:
        await csms.runtime.services.tokens.create("CARD-X", status=stored)
    assert (await wire.call("Authorize", {"idTag": "CARD-X"}))[2]["idTagInfo"]["status"] == expected


@pytest.mark.ocpp("1.6", "TC_023_2", "Core")
@pytest.mark.ocpp("1.6", "TC_023_3", "Core")
async def test_expired_date_and_blocked_group_refuse_a_card(csms: Csms, wire: Wire) -> None:
    from datetime import UTC, datetime

    tokens = csms.runtime.services.tokens
    await tokens.create("OLD", expiry_date=datetime(2020, 1, 1, tzinfo=UTC))
    await tokens.create("FLEET", status="Blocked")
    await tokens.create("DRIVER", group_id_token="FLEET")
    await wire.call("BootNotification", BOOT)
    assert (await wire.call("Authorize", {"idTag": "OLD"}))[2]["idTagInfo"]["status"] == "Expired"
    info = (await wire.call("StartTransaction",
                            {"connectorId": 1, "idTag": "DRIVER", "meterStart": 0, "timestamp": T0}))[2]
    assert info["idTagInfo"] == {"status": "Blocked", "parentIdTag": "FLEET"}
    assert isinstance(info["transactionId"], int)  # 1.6: a transaction id is given even when refused


@pytest.mark.ocpp("1.6", "TC_064", "Core")
async def test_data_transfer_and_status_notifications_are_kept(csms: Csms, wire: Wire) -> None:
    await wire.call("BootNotification", BOOT)
    assert (await wire.call("DataTransfer", {"vendorId": "com.star", "data": "x"}))[2] == {
        "status": "UnknownVendorId"
    }
    await wire.call("DiagnosticsStatusNotification", {"status": "Uploaded"})
    await wire.call("FirmwareStatusNotification", {"status": "Installed"})
    kept = (await csms.api.get("/api/v1/stations/CP16/messages", headers=csms.headers)).json()
    assert [m["action"] for m in kept] == [
        "DataTransfer", "DiagnosticsStatusNotification", "FirmwareStatusNotification"
    ]
