"""Every CSMS-initiated OCPP 2.0.1 message, answered per spec with the station's state really changing."""

from datetime import UTC, datetime, timedelta

import pytest
from ocpp.v201 import call
from sim_mini_csms import MiniCsms

TOKEN = {"id_token": "TAG-1", "type": "ISO14443"}


@pytest.fixture
async def booted(make_station):
    async with MiniCsms() as csms:
        st = make_station(
            csms.url,
            protocol="ocpp2.0.1",
            sample_interval_s=10,
            connectors=2,
            dc=True,
            max_power_w=120_000,
            model="SIM-DC120",
        )
        await st.run_until_booted()
        await csms.wait_for(lambda: "CP-1" in csms.stations)
        yield csms, st, csms.stations["CP-1"]


def events(csms, kind=None):
    return [e for e in csms.of("TransactionEvent") if kind is None or e["event_type"] == kind]


async def start_session(csms, st, evse=1):
    await st.plug_in(evse)
    assert await st.present_token("TAG-1", evse)
    await csms.wait_for(lambda: events(csms, "Started"))


async def test_session_seq_no_soc_and_ended(booted):
    csms, st, cp = booted
    await start_session(csms, st)
    await csms.wait_for(lambda: any(e["trigger_reason"] == "MeterValuePeriodic" for e in events(csms)))
    await st.present_token("TAG-1", 1)
    await csms.wait_for(lambda: events(csms, "Ended"))
    evs = events(csms)
    assert [e["seq_no"] for e in evs] == list(range(len(evs)))
    started, ended = evs[0], evs[-1]
    assert started["transaction_info"]["transaction_id"] == "tx-1"
    assert started["evse"] == {"id": 1, "connector_id": 1}
    assert ended["trigger_reason"] == "StopAuthorized"
    assert ended["transaction_info"]["stopped_reason"] == "Local"
    periodic = next(e for e in evs if e["trigger_reason"] == "MeterValuePeriodic")
    sampled = {v["measurand"]: v for v in periodic["meter_value"][0]["sampled_value"]}
    power, volts, amps = (sampled[m]["value"] for m in ("Power.Active.Import", "Voltage", "Current.Import"))
    assert power == pytest.approx(120_000)
    assert amps == pytest.approx(power / volts, abs=0.01)
    assert 30 < sampled["SoC"]["value"] < 100
    assert sampled["SoC"]["unit_of_measure"] == {"unit": "Percent"}


async def test_request_start_and_stop(booted):
    csms, st, cp = booted
    await st.plug_in(2)
    r = await cp.call(
        call.RequestStartTransaction(id_token=TOKEN, remote_start_id=42, evse_id=2), suppress=False
    )
    assert r.status == "Accepted"
    await csms.wait_for(lambda: events(csms, "Started"))
    started = events(csms, "Started")[0]
    assert started["trigger_reason"] == "RemoteStart"
    assert started["transaction_info"]["remote_start_id"] == 42
    txid = started["transaction_info"]["transaction_id"]
    assert (
        await cp.call(call.RequestStopTransaction(transaction_id="nope"), suppress=False)
    ).status == "Rejected"
    assert (
        await cp.call(call.RequestStopTransaction(transaction_id=txid), suppress=False)
    ).status == "Accepted"
    await csms.wait_for(lambda: events(csms, "Ended"))
    assert events(csms, "Ended")[0]["trigger_reason"] == "RemoteStop"


async def test_reset_immediate_and_on_idle(booted):
    csms, st, cp = booted
    await start_session(csms, st)
    r = await cp.call(call.Reset(type="OnIdle"), suppress=False)
    assert r.status == "Scheduled"
    assert len(csms.of("BootNotification")) == 1
    await st.stop_charging(1)
    await csms.wait_for(lambda: len(csms.of("BootNotification")) == 2)
    assert csms.of("BootNotification")[1]["reason"] == "RemoteReset"
    await csms.wait_for(lambda: "CP-1" in csms.stations and csms.connections == 2)
    await st.wait_for(lambda: st.online)
    cp = csms.stations["CP-1"]
    assert (await cp.call(call.Reset(type="Immediate"), suppress=False)).status == "Accepted"
    await csms.wait_for(lambda: len(csms.of("BootNotification")) == 3)


async def test_unlock_and_availability(booted):
    csms, st, cp = booted
    r = await cp.call(call.UnlockConnector(evse_id=1, connector_id=1), suppress=False)
    assert r.status == "Unlocked"
    r = await cp.call(call.UnlockConnector(evse_id=5, connector_id=1), suppress=False)
    assert r.status == "UnknownConnector"
    await start_session(csms, st)
    r = await cp.call(call.UnlockConnector(evse_id=1, connector_id=1), suppress=False)
    assert r.status == "OngoingAuthorizedTransaction"
    r = await cp.call(
        call.ChangeAvailability(operational_status="Inoperative", evse={"id": 2}), suppress=False
    )
    assert r.status == "Accepted"
    await csms.wait_for(
        lambda: any(
            s["evse_id"] == 2 and s["connector_status"] == "Unavailable"
            for s in csms.of("StatusNotification")
        )
    )
    r = await cp.call(call.ChangeAvailability(operational_status="Inoperative"), suppress=False)
    assert r.status == "Scheduled"


def cv(component, variable, evse=None):
    comp = {"name": component} | ({"evse": {"id": evse}} if evse else {})
    return {"component": comp, "variable": {"name": variable}}


async def test_get_and_set_variables(booted):
    csms, st, cp = booted
    r = await cp.call(
        call.GetVariables(
            get_variable_data=[
                cv("OCPPCommCtrlr", "HeartbeatInterval"),
                cv("ChargingStation", "Model"),
                cv("EVSE", "Power", evse=2),
                cv("NoSuchCtrlr", "X"),
                cv("OCPPCommCtrlr", "NoSuchVariable"),
                cv("SecurityCtrlr", "BasicAuthPassword"),
                cv("OCPPCommCtrlr", "HeartbeatInterval") | {"attribute_type": "MaxSet"},
            ]
        ),
        suppress=False,
    )
    got = [(x["attribute_status"], x.get("attribute_value")) for x in r.get_variable_result]
    assert got == [
        ("Accepted", "300"),
        ("Accepted", "SIM-DC120"),
        ("Accepted", "120000"),
        ("UnknownComponent", None),
        ("UnknownVariable", None),
        ("Rejected", None),
        ("NotSupportedAttributeType", None),
    ]
    r = await cp.call(
        call.SetVariables(
            set_variable_data=[
                cv("OCPPCommCtrlr", "HeartbeatInterval") | {"attribute_value": "2"},
                cv("ChargingStation", "Model") | {"attribute_value": "X"},
                cv("OCPPCommCtrlr", "HeartbeatInterval") | {"attribute_value": "often"},
                cv("OCPPCommCtrlr", "WebSocketPingInterval") | {"attribute_value": "30"},
            ]
        ),
        suppress=False,
    )
    assert [x["attribute_status"] for x in r.set_variable_result] == [
        "Accepted",
        "Rejected",
        "Rejected",
        "RebootRequired",
    ]
    await csms.wait_for(lambda: len(csms.of("Heartbeat")) >= 2)


async def test_get_base_report_notify_report_pages(booted):
    csms, st, cp = booted
    r = await cp.call(call.GetBaseReport(request_id=7, report_base="FullInventory"), suppress=False)
    assert r.status == "Accepted"
    total = len(st.settings.all())
    await csms.wait_for(lambda: csms.of("NotifyReport") and not csms.of("NotifyReport")[-1].get("tbc", False))
    pages = csms.of("NotifyReport")
    assert [p["seq_no"] for p in pages] == list(range(len(pages)))
    assert all(p["request_id"] == 7 for p in pages)
    entries = [e for p in pages for e in p["report_data"]]
    assert len(entries) == total
    model = next(e for e in entries if e["variable"]["name"] == "Model")
    assert model["variable_attribute"] == [{"type": "Actual", "mutability": "ReadOnly", "value": "SIM-DC120"}]
    r = await cp.call(call.GetBaseReport(request_id=8, report_base="SummaryInventory"), suppress=False)
    assert r.status == "Accepted"


async def test_trigger_message(booted):
    csms, st, cp = booted
    for message, _expected in (
        ("Heartbeat", "Heartbeat"),
        ("StatusNotification", "StatusNotification"),
        ("MeterValues", "MeterValues"),
        ("FirmwareStatusNotification", None),
        ("LogStatusNotification", None),
    ):
        r = await cp.call(call.TriggerMessage(requested_message=message, evse={"id": 1}), suppress=False)
        assert r.status == "Accepted"
        await csms.wait_for(lambda m=message: csms.of(m))
    r = await cp.call(call.TriggerMessage(requested_message="BootNotification"), suppress=False)
    assert r.status == "Rejected"
    r = await cp.call(call.TriggerMessage(requested_message="SignChargingStationCertificate"), suppress=False)
    assert r.status == "NotImplemented"
    await start_session(csms, st)
    r = await cp.call(
        call.TriggerMessage(requested_message="TransactionEvent", evse={"id": 1}), suppress=False
    )
    assert r.status == "Accepted"
    await csms.wait_for(lambda: any(e["trigger_reason"] == "Trigger" for e in events(csms)))


async def test_clear_cache_and_data_transfer(booted):
    csms, st, cp = booted
    await st.present_token("TAG-9", 1)
    assert (await cp.call(call.ClearCache(), suppress=False)).status == "Accepted"
    assert st.auth_cache == {}
    r = await cp.call(
        call.DataTransfer(vendor_id="XiangjiangSim", message_id="Echo", data={"a": 1}), suppress=False
    )
    assert (r.status, r.data) == ("Accepted", {"a": 1})


def profile(purpose, limit, profile_id=1, tx_id=None, unit="W"):
    p = {
        "id": profile_id,
        "stack_level": 0,
        "charging_profile_purpose": purpose,
        "charging_profile_kind": "Absolute",
        "charging_schedule": [
            {
                "id": 1,
                "start_schedule": "2020-01-01T00:00:00Z",
                "charging_rate_unit": unit,
                "charging_schedule_period": [{"start_period": 0, "limit": limit}],
            }
        ],
    }
    return p | ({"transaction_id": tx_id} if tx_id else {})


async def test_charging_profiles_follow_limit(booted):
    csms, st, cp = booted
    await start_session(csms, st)
    r = await cp.call(
        call.SetChargingProfile(evse_id=0, charging_profile=profile("ChargingStationMaxProfile", 50000)),
        suppress=False,
    )
    assert r.status == "Accepted"
    assert st.model.connectors[1].power_w == pytest.approx(50000)
    r = await cp.call(
        call.SetChargingProfile(evse_id=1, charging_profile=profile("TxProfile", 40000, 2, "tx-1")),
        suppress=False,
    )
    assert r.status == "Accepted"
    assert st.model.connectors[1].power_w == pytest.approx(40000)
    r = await cp.call(
        call.SetChargingProfile(evse_id=2, charging_profile=profile("TxProfile", 1000, 3, "other")),
        suppress=False,
    )
    assert r.status == "Rejected"
    r = await cp.call(
        call.SetChargingProfile(
            evse_id=0, charging_profile=profile("ChargingStationExternalConstraints", 1000, 4)
        ),
        suppress=False,
    )
    assert r.status == "Rejected"
    r = await cp.call(
        call.GetCompositeSchedule(duration=600, evse_id=1, charging_rate_unit="W"), suppress=False
    )
    assert r.status == "Accepted"
    assert r.schedule["charging_schedule_period"] == [{"start_period": 0, "limit": 40000.0}]
    r = await cp.call(call.ClearChargingProfile(charging_profile_id=2), suppress=False)
    assert r.status == "Accepted"
    assert st.model.connectors[1].power_w == pytest.approx(50000)
    r = await cp.call(
        call.ClearChargingProfile(
            charging_profile_criteria={"charging_profile_purpose": "ChargingStationMaxProfile"}
        ),
        suppress=False,
    )
    assert r.status == "Accepted"
    assert st.model.connectors[1].power_w == pytest.approx(120000)


async def test_update_firmware_and_get_log(booted):
    csms, st, cp = booted
    fw = {"location": "https://fw.example/sim-3.1.bin", "retrieve_date_time": datetime.now(UTC).isoformat()}
    r = await cp.call(call.UpdateFirmware(request_id=5, firmware=fw), suppress=False)
    assert r.status == "Accepted"
    await csms.wait_for(
        lambda: [s["status"] for s in csms.of("FirmwareStatusNotification")][-1:] == ["Installed"]
    )
    notes = csms.of("FirmwareStatusNotification")
    assert [n["status"] for n in notes] == [
        "Downloading",
        "Downloaded",
        "Installing",
        "InstallRebooting",
        "Installed",
    ]
    assert {n["request_id"] for n in notes} == {5}
    assert csms.of("BootNotification")[-1]["reason"] == "FirmwareUpdate"
    cp = csms.stations["CP-1"]
    await st.wait_for(lambda: st.online)
    r = await cp.call(
        call.GetLog(
            log={"remote_location": "https://logs.example/up"}, log_type="DiagnosticsLog", request_id=9
        ),
        suppress=False,
    )
    assert r.status == "Accepted" and r.filename.startswith("CP-1-DiagnosticsLog-")
    await csms.wait_for(lambda: len(csms.of("LogStatusNotification")) == 2)
    assert [(n["status"], n["request_id"]) for n in csms.of("LogStatusNotification")] == [
        ("Uploading", 9),
        ("Uploaded", 9),
    ]


async def test_reservation_expires_or_is_cancelled(booted):
    csms, st, cp = booted
    soon = (st.clock.now() + timedelta(seconds=30)).isoformat()
    r = await cp.call(call.ReserveNow(id=1, expiry_date_time=soon, id_token=TOKEN, evse_id=2), suppress=False)
    assert r.status == "Accepted"
    assert st.model.connectors[2].status == "Reserved"
    await csms.wait_for(lambda: csms.of("ReservationStatusUpdate"))
    assert csms.of("ReservationStatusUpdate") == [
        {"reservation_id": 1, "reservation_update_status": "Expired"}
    ]
    assert st.model.connectors[2].status == "Available"
    later = (st.clock.now() + timedelta(hours=1)).isoformat()
    r = await cp.call(call.ReserveNow(id=2, expiry_date_time=later, id_token=TOKEN), suppress=False)
    assert r.status == "Accepted"
    assert (await cp.call(call.CancelReservation(reservation_id=2), suppress=False)).status == "Accepted"
    assert all(c.reservation is None for c in st.model.connectors.values())
