"""OCPP 2.0.1: boot gating, TransactionEvent semantics (seqNo idempotence, offline), kept messages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from csms.db.models import MeterReading
from tests.harness import Csms, Wire
from tests.pki import signing_request

BOOT = {"chargingStation": {"model": "AC22", "vendorName": "Star", "serialNumber": "S2"}, "reason": "PowerUp"}


def energy(
    value: float, ts: str, multiplier: int = 0, unit: str = "Wh", context: str = "Sample.Periodic"
) -> dict:
    return {
        "timestamp": ts,
        "sampledValue": [
            {"value": value, "context": context, "measurand": "Energy.Active.Import.Register",
             "unitOfMeasure": {"unit": unit, "multiplier": multiplier}},
        ],
    }


def event(kind: str, seq: int, ts: str, **extra) -> dict:
    payload = {
        "eventType": kind, "timestamp": ts, "triggerReason": "Authorized", "seqNo": seq,
        "transactionInfo": {"transactionId": "TX-A"},
    }
    payload.update(extra)
    return payload


@pytest.fixture
async def wire(csms: Csms):
    await csms.station("CP201")
    await csms.runtime.services.tokens.create("CARD-2")
    async with csms.connect("CP201", "ocpp2.0.1") as ws:
        assert ws.subprotocol == "ocpp2.0.1"
        yield Wire(ws)


async def test_requests_before_an_accepted_boot_get_security_error(wire: Wire) -> None:
    hb = await wire.call("Heartbeat", {})
    assert hb[0] == 4 and hb[2] == "SecurityError"
    assert (await wire.call("BootNotification", BOOT))[2]["status"] == "Accepted"
    assert (await wire.call("Heartbeat", {}))[0] == 3


@pytest.mark.ocpp("2.0.1", "B02")
async def test_pending_station_is_gated_until_approved(csms: Csms) -> None:
    await csms.station("CP-P", status="Pending")
    async with csms.connect("CP-P", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        boot = await wire.call("BootNotification", BOOT)
        assert boot[2]["status"] == "Pending" and boot[2]["interval"] == 60
        assert (await wire.call("StatusNotification", {"timestamp": "2026-11-24T00:00:00Z",
                                                       "connectorStatus": "Available", "evseId": 1,
                                                       "connectorId": 1}))[2] == "SecurityError"
        r = await csms.api.patch("/api/v1/stations/CP-P", json={"registration_status": "Accepted"},
                                 headers=csms.headers)
        assert r.status_code == 200
        assert (await wire.call("BootNotification", BOOT))[2]["status"] == "Accepted"
        assert (await wire.call("Heartbeat", {}))[0] == 3


@pytest.mark.ocpp("2.0.1", "E01")
async def test_transaction_events_build_one_session_and_repeats_are_idempotent(
    csms: Csms, wire: Wire
) -> None:
    await wire.call("BootNotification", BOOT)
    started = event("Started", 0, "2026-11-24T01:00:00Z", evse={"id": 1, "connectorId": 1},
                    idToken={"idToken": "CARD-2", "type": "ISO14443"},
                    meterValue=[energy(2.0, "2026-11-24T01:00:00Z", multiplier=3,
                                       context="Transaction.Begin")])
    answer = await wire.call("TransactionEvent", started)
    assert answer[2] == {"idTokenInfo": {"status": "Accepted"}}
    updated = event("Updated", 1, "2026-11-24T01:15:00Z",
                    meterValue=[energy(5.5, "2026-11-24T01:15:00Z", unit="kWh")])
    await wire.call("TransactionEvent", updated)
    await wire.call("TransactionEvent", updated)  # a retry after a lost reply
    ended = event("Ended", 2, "2026-11-24T01:30:00Z",
                  transactionInfo={"transactionId": "TX-A", "stoppedReason": "EVDisconnected"},
                  meterValue=[energy(9000, "2026-11-24T01:30:00Z", context="Transaction.End")])
    await wire.call("TransactionEvent", ended)
    await wire.call("TransactionEvent", ended)

    page = (await csms.api.get("/api/v1/transactions", params={"station_id": "CP201"},
                               headers=csms.headers)).json()
    assert page["total"] == 1
    tx = page["items"][0]
    assert (tx["uid"], tx["status"], tx["id_token"], tx["evse_id"]) == ("TX-A", "Completed", "CARD-2", 1)
    assert (tx["meter_start_wh"], tx["meter_stop_wh"], tx["energy_wh"]) == (2000.0, 9000.0, 7000.0)
    detail = (await csms.api.get(f"/api/v1/transactions/{tx['id']}", headers=csms.headers)).json()
    assert [v["value"] for v in detail["meter_values"]] == [2000.0, 5500.0, 9000.0]


@pytest.mark.ocpp("2.0.1", "E04")
async def test_offline_events_are_flagged_and_keep_their_timestamps(csms: Csms, wire: Wire) -> None:
    await wire.call("BootNotification", BOOT)
    await wire.call("TransactionEvent",
                    event("Started", 0, "2026-11-23T22:00:00Z", offline=True, evse={"id": 2}))
    await wire.call("TransactionEvent", event("Ended", 1, "2026-11-23T22:40:00+00:00", offline=True))
    tx = (await csms.api.get("/api/v1/transactions", headers=csms.headers)).json()["items"][0]
    assert tx["offline"] is True
    assert (tx["started_at"], tx["stopped_at"]) == ("2026-11-23T22:00:00Z", "2026-11-23T22:40:00Z")


@pytest.mark.ocpp("2.0.1", "J01")
@pytest.mark.ocpp("2.0.1", "A04")
@pytest.mark.ocpp("2.0.1", "N07")
@pytest.mark.ocpp("2.0.1", "P02")
async def test_meter_values_outside_a_transaction_and_kept_messages(csms: Csms, wire: Wire) -> None:
    await wire.call("BootNotification", BOOT)
    mv = {"evseId": 1, "meterValue": [{"timestamp": "2026-11-24T02:00:00Z", "sampledValue": [
        {"value": 230.1, "measurand": "Voltage", "phase": "L1-N", "unitOfMeasure": {"unit": "V"}},
        {"value": 7.4, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "kW"}},
    ]}]}
    assert (await wire.call("MeterValues", mv))[0] == 3
    async with csms.runtime.services.uow.read() as session:
        readings = (await session.scalars(select(MeterReading))).all()
    assert [(r.evse_id, r.transaction_pk, r.timestamp.isoformat()) for r in readings] == [
        (1, None, "2026-11-24T02:00:00+00:00")
    ]  # one reading: the samples of one instant
    values = sorted((s["measurand"], s["value"], s["unit"]) for s in readings[0].samples)
    assert values == [("Power.Active.Import", 7400.0, "W"), ("Voltage", 230.1, "V")]
    for action, payload in [
        ("NotifyEvent", {"generatedAt": "2026-11-24T02:00:00Z", "seqNo": 0, "eventData": [
            {"eventId": 1, "timestamp": "2026-11-24T02:00:00Z", "trigger": "Alerting", "actualValue": "1",
             "eventNotificationType": "HardWiredNotification", "component": {"name": "EVSE"},
             "variable": {"name": "Tripped"}},
        ]}),
        ("SecurityEventNotification", {"type": "FirmwareUpdated", "timestamp": "2026-11-24T02:00:00Z"}),
        ("NotifyReport", {"requestId": 1, "generatedAt": "2026-11-24T02:00:00Z", "seqNo": 0}),
        ("FirmwareStatusNotification", {"status": "Installed"}),
        ("LogStatusNotification", {"status": "Uploaded", "requestId": 3}),
        ("DataTransfer", {"vendorId": "cn.xj"}),
    ]:
        assert (await wire.call(action, payload))[0] == 3, action
    kept = (await csms.api.get("/api/v1/stations/CP201/messages", headers=csms.headers)).json()
    assert [m["action"] for m in kept][:2] == ["NotifyEvent", "SecurityEventNotification"]
    assert kept[1]["payload"] == {"type": "FirmwareUpdated", "timestamp": "2026-11-24T02:00:00Z"}


@pytest.mark.ocpp("2.0.1", "G01")
async def test_status_notification_updates_the_connector_and_history(csms: Csms, wire: Wire) -> None:
    await wire.call("BootNotification", BOOT)
    for ts, status in [("2026-11-24T03:00:00Z", "Available"), ("2026-11-24T03:05:00Z", "Occupied"),
                       ("2026-11-24T03:01:00Z", "Reserved")]:  # the last one arrived late (queued offline)
        await wire.call("StatusNotification",
                        {"timestamp": ts, "connectorStatus": status, "evseId": 1, "connectorId": 1})
    detail = (await csms.api.get("/api/v1/stations/CP201", headers=csms.headers)).json()
    assert detail["evses"] == [{"evse_id": 1, "connectors": [
        {"connector_id": 1, "status": "Occupied", "error_code": None, "updated_at": "2026-11-24T03:05:00Z"}
    ]}]
    history = (await csms.api.get("/api/v1/stations/CP201/status-history", params={"limit": 2},
                                  headers=csms.headers)).json()
    assert history["total"] == 3 and [h["status"] for h in history["items"]] == ["Occupied", "Reserved"]


@pytest.mark.ocpp("2.0.1", "A03")
async def test_certificate_requests_are_rejected_without_a_station_ca(wire: Wire) -> None:
    await wire.call("BootNotification", BOOT)
    csr, _ = signing_request("CP201")  # a valid request, but no CA to sign it with
    assert (await wire.call("SignCertificate", {"csr": csr}))[2] == {"status": "Rejected"}
    assert (await wire.call("Heartbeat", {}))[0] == 3  # and the session goes on
