"""Every CSMS-initiated OCPP 1.6 message, answered per spec with the station's state really changing."""

from datetime import UTC, datetime, timedelta

import pytest
from ocpp.v16 import call
from sim_mini_csms import MiniCsms

from charger_simulator.clock import parse_time


@pytest.fixture
async def booted(make_station):
    async with MiniCsms() as csms:
        st = make_station(csms.url, sample_interval_s=10)
        await st.run_until_booted()
        await csms.wait_for(lambda: "CP-1" in csms.stations)
        yield csms, st, csms.stations["CP-1"]


async def start_session(csms, st, tag="TAG-1"):
    await st.plug_in(1)
    assert await st.present_token(tag, 1)
    await csms.wait_for(lambda: csms.of("StartTransaction"))
    await st.wait_for(lambda: st.model.connectors[1].transaction.transaction_id is not None)


async def test_remote_start_and_stop(booted):
    csms, st, cp = booted
    await st.plug_in(1)
    r = await cp.call(call.RemoteStartTransaction(id_tag="REMOTE-1", connector_id=1), suppress=False)
    assert r.status == "Accepted"
    await csms.wait_for(lambda: csms.of("StartTransaction"))
    assert csms.of("StartTransaction")[0]["id_tag"] == "REMOTE-1"
    busy = await cp.call(call.RemoteStartTransaction(id_tag="REMOTE-2", connector_id=1), suppress=False)
    assert busy.status == "Rejected"
    assert (
        await cp.call(call.RemoteStopTransaction(transaction_id=999), suppress=False)
    ).status == "Rejected"
    r = await cp.call(call.RemoteStopTransaction(transaction_id=100), suppress=False)
    assert r.status == "Accepted"
    await csms.wait_for(lambda: csms.of("StopTransaction"))
    assert csms.of("StopTransaction")[0]["reason"] == "Remote"
    assert st.model.connectors[1].transaction is None


@pytest.mark.parametrize("kind, reason", [("Hard", "HardReset"), ("Soft", "SoftReset")])
async def test_reset_stops_transaction_reconnects_and_boots_again(booted, kind, reason):
    csms, st, cp = booted
    await start_session(csms, st)
    assert (await cp.call(call.Reset(type=kind), suppress=False)).status == "Accepted"
    await csms.wait_for(lambda: len(csms.of("BootNotification")) == 2)
    await csms.wait_for(lambda: csms.of("StopTransaction"))
    assert csms.of("StopTransaction")[0]["reason"] == reason
    assert csms.connections == 2
    await st.wait_for(lambda: st.online)


async def test_unlock_connector(booted):
    csms, st, cp = booted
    assert (await cp.call(call.UnlockConnector(connector_id=1), suppress=False)).status == "Unlocked"
    assert (await cp.call(call.UnlockConnector(connector_id=9), suppress=False)).status == "NotSupported"
    await start_session(csms, st)
    assert (await cp.call(call.UnlockConnector(connector_id=1), suppress=False)).status == "Unlocked"
    await csms.wait_for(lambda: csms.of("StopTransaction"))
    assert csms.of("StopTransaction")[0]["reason"] == "UnlockCommand"


async def test_change_availability_now_and_scheduled(booted):
    csms, st, cp = booted
    r = await cp.call(call.ChangeAvailability(connector_id=1, type="Inoperative"), suppress=False)
    assert r.status == "Accepted"
    await csms.wait_for(lambda: csms.of("StatusNotification")[-1]["status"] == "Unavailable")
    await st.plug_in(1)
    assert not await st.present_token("TAG-1", 1) or st.model.connectors[1].transaction is None
    r = await cp.call(call.ChangeAvailability(connector_id=0, type="Operative"), suppress=False)
    assert r.status == "Accepted"
    await st.unplug(1)
    await start_session(csms, st)
    r = await cp.call(call.ChangeAvailability(connector_id=1, type="Inoperative"), suppress=False)
    assert r.status == "Scheduled"
    await st.stop_charging(1)
    await csms.wait_for(lambda: csms.of("StatusNotification")[-1]["status"] == "Unavailable")
    bad = await cp.call(call.ChangeAvailability(connector_id=5, type="Inoperative"), suppress=False)
    assert bad.status == "Rejected"


async def test_get_and_change_configuration(booted):
    csms, st, cp = booted
    r = await cp.call(call.GetConfiguration(), suppress=False)
    keys = {k["key"]: k for k in r.configuration_key}
    assert keys["NumberOfConnectors"] == {"key": "NumberOfConnectors", "readonly": True, "value": "1"}
    assert keys["HeartbeatInterval"]["readonly"] is False
    assert "value" not in keys["AuthorizationKey"]
    r = await cp.call(call.GetConfiguration(key=["MeterValueSampleInterval", "NoSuchKey"]), suppress=False)
    assert r.configuration_key == [{"key": "MeterValueSampleInterval", "readonly": False, "value": "10"}]
    assert r.unknown_key == ["NoSuchKey"]
    change = lambda k, v: cp.call(call.ChangeConfiguration(key=k, value=v), suppress=False)  # noqa: E731
    assert (await change("NumberOfConnectors", "4")).status == "Rejected"
    assert (await change("NoSuchKey", "1")).status == "NotSupported"
    assert (await change("MeterValueSampleInterval", "soon")).status == "Rejected"
    assert (await change("WebSocketPingInterval", "30")).status == "RebootRequired"
    assert (await change("HeartbeatInterval", "2")).status == "Accepted"
    await csms.wait_for(lambda: len(csms.of("Heartbeat")) >= 2)


async def test_trigger_message(booted):
    csms, st, cp = booted
    for message in (
        "Heartbeat",
        "StatusNotification",
        "MeterValues",
        "FirmwareStatusNotification",
        "DiagnosticsStatusNotification",
        "BootNotification",
    ):
        r = await cp.call(call.TriggerMessage(requested_message=message, connector_id=1), suppress=False)
        assert r.status == "Accepted", message
        await csms.wait_for(lambda m=message: csms.of(m))
    assert csms.of("FirmwareStatusNotification")[0]["status"] == "Idle"
    r = await cp.call(call.TriggerMessage(requested_message="Heartbeat", connector_id=7), suppress=False)
    assert r.status == "Rejected"


async def test_clear_cache_and_data_transfer(booted):
    csms, st, cp = booted
    await st.present_token("TAG-1", 1)
    assert st.auth_cache == {"TAG-1": True}
    assert (await cp.call(call.ClearCache(), suppress=False)).status == "Accepted"
    assert st.auth_cache == {}
    r = await cp.call(call.DataTransfer(vendor_id="Other"), suppress=False)
    assert r.status == "UnknownVendorId"
    r = await cp.call(
        call.DataTransfer(vendor_id="XiangjiangSim", message_id="Echo", data="hi"), suppress=False
    )
    assert (r.status, r.data) == ("Accepted", "hi")
    r = await cp.call(call.DataTransfer(vendor_id="XiangjiangSim", message_id="Nope"), suppress=False)
    assert r.status == "UnknownMessageId"


def tx_default(limit_w, profile_id=1, stack_level=0):
    return {
        "charging_profile_id": profile_id,
        "stack_level": stack_level,
        "charging_profile_purpose": "TxDefaultProfile",
        "charging_profile_kind": "Relative",
        "charging_schedule": {
            "charging_rate_unit": "W",
            "charging_schedule_period": [{"start_period": 0, "limit": limit_w}],
        },
    }


async def test_charging_profile_limits_power_composite_and_clear(booted):
    csms, st, cp = booted
    await start_session(csms, st)
    assert st.model.connectors[1].power_w == pytest.approx(22000)
    r = await cp.call(
        call.SetChargingProfile(connector_id=1, cs_charging_profiles=tx_default(7400)), suppress=False
    )
    assert r.status == "Accepted"
    assert st.model.connectors[1].power_w == pytest.approx(7400)
    # The first sample *taken* after the profile, not the next one to arrive: a sample taken before
    # it may still be queued or in flight when the answer comes back (a loaded machine lags).
    installed_at = st.clock.now()

    def first_sample_after():
        values = csms.of("MeterValues")
        later = [m for m in values if parse_time(m["meter_value"][0]["timestamp"]) >= installed_at]
        return later[0] if later else None

    sample = await csms.wait_for(first_sample_after)
    sampled = {v["measurand"]: float(v["value"]) for v in sample["meter_value"][0]["sampled_value"]}
    assert sampled["Power.Active.Import"] == pytest.approx(7400)
    assert sampled["Current.Import"] == pytest.approx(7400 / 690, abs=0.01)
    r = await cp.call(
        call.GetCompositeSchedule(connector_id=1, duration=3600, charging_rate_unit="W"), suppress=False
    )
    assert r.status == "Accepted" and r.connector_id == 1
    assert r.charging_schedule["charging_schedule_period"] == [{"start_period": 0, "limit": 7400.0}]
    r = await cp.call(call.GetCompositeSchedule(connector_id=3, duration=60), suppress=False)
    assert r.status == "Rejected"
    tx_profile = tx_default(1000, profile_id=2) | {"charging_profile_purpose": "TxProfile"}
    r = await cp.call(
        call.SetChargingProfile(connector_id=0, cs_charging_profiles=tx_profile), suppress=False
    )
    assert r.status == "Rejected"  # a TxProfile needs a connector with a transaction
    assert (await cp.call(call.ClearChargingProfile(id=1), suppress=False)).status == "Accepted"
    assert st.model.connectors[1].power_w == pytest.approx(22000)
    assert (await cp.call(call.ClearChargingProfile(id=1), suppress=False)).status == "Unknown"


async def test_update_firmware_sequence_then_reboot(booted):
    csms, st, cp = booted
    now = datetime.now(UTC).isoformat()
    r = await cp.call(
        call.UpdateFirmware(location="https://fw.example/sim-2.0.0.bin", retrieve_date=now), suppress=False
    )
    assert r is not None
    await csms.wait_for(
        lambda: [s["status"] for s in csms.of("FirmwareStatusNotification")][-1:] == ["Installed"]
    )
    statuses = [s["status"] for s in csms.of("FirmwareStatusNotification")]
    assert statuses == ["Downloading", "Downloaded", "Installing", "Installed"]
    assert csms.of("BootNotification")[-1]["firmware_version"] == "sim-2.0.0.bin"


async def test_get_diagnostics_sequence(booted):
    csms, st, cp = booted
    r = await cp.call(call.GetDiagnostics(location="ftp://logs.example/"), suppress=False)
    assert r.file_name.startswith("CP-1-diagnostics-")
    await csms.wait_for(lambda: len(csms.of("DiagnosticsStatusNotification")) == 2)
    assert [s["status"] for s in csms.of("DiagnosticsStatusNotification")] == ["Uploading", "Uploaded"]


async def test_local_list(booted):
    csms, st, cp = booted
    entries = [{"id_tag": "LOCAL-1", "id_tag_info": {"status": "Accepted"}}]
    r = await cp.call(
        call.SendLocalList(list_version=3, update_type="Full", local_authorization_list=entries)
    )
    assert r.status == "Accepted"
    assert (await cp.call(call.GetLocalListVersion())).list_version == 3
    assert st.auth_cache == {"LOCAL-1": True}


async def test_remote_start_without_ev_lapses_after_connection_timeout(booted):
    csms, st, cp = booted
    assert (await cp.call(call.ChangeConfiguration(key="ConnectionTimeOut", value="30"))).status == "Accepted"
    r = await cp.call(call.RemoteStartTransaction(id_tag="REMOTE-9", connector_id=1), suppress=False)
    assert r.status == "Accepted"
    await st.wait_for(lambda: st.model.connectors[1].authorized_tag == "REMOTE-9")
    await st.wait_for(lambda: st.model.connectors[1].authorized_tag is None)
    await st.plug_in(1)
    assert st.model.connectors[1].transaction is None
    assert csms.of("StartTransaction") == []


async def test_reserve_now_holds_the_connector_for_its_token(booted):
    csms, st, cp = booted
    expiry = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    r = await cp.call(call.ReserveNow(connector_id=1, expiry_date=expiry, id_tag="RES-1", reservation_id=5))
    assert r.status == "Accepted"
    await csms.wait_for(lambda: csms.of("StatusNotification")[-1]["status"] == "Reserved")
    r = await cp.call(call.ReserveNow(connector_id=1, expiry_date=expiry, id_tag="RES-2", reservation_id=6))
    assert r.status == "Occupied"
    await st.plug_in(1)
    await st.present_token("SOMEONE-ELSE", 1)
    assert st.model.connectors[1].transaction is None
    await st.present_token("RES-1", 1)
    assert st.model.connectors[1].transaction is not None and st.model.connectors[1].reservation is None
    assert (await cp.call(call.CancelReservation(reservation_id=5))).status == "Rejected"
