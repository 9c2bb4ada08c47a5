"""OCPP 1.6J station against the in-test CSMS: boot, session, meter values."""

import pytest


async def test_boot_status_and_normal_session(csms, make_station):
    st = make_station(csms.url, sample_interval_s=10)
    await st.run_until_booted()
    await csms.wait_for(lambda: len(csms.of("StatusNotification")) >= 1)
    boot = csms.of("BootNotification")[0]
    assert boot["charge_point_vendor"] == "XiangjiangSim"
    await st.plug_in(1)
    assert await st.present_token("TAG-1", 1)
    await csms.wait_for(lambda: csms.of("StartTransaction"))
    start = csms.of("StartTransaction")[0]
    assert start["id_tag"] == "TAG-1" and start["meter_start"] == 0
    await csms.wait_for(lambda: csms.of("MeterValues"))
    await st.wait_for(lambda: st.model.connectors[1].energy_wh >= 500)
    await st.present_token("TAG-1", 1)
    await csms.wait_for(lambda: csms.of("StopTransaction"))
    stop = csms.of("StopTransaction")[0]
    assert stop["transaction_id"] == 100
    assert stop["reason"] == "Local"
    assert stop["meter_stop"] == pytest.approx(st.model.connectors[1].energy_wh, abs=1)
    await csms.wait_for(lambda: csms.of("StatusNotification")[-1]["status"] == "Finishing")
    statuses = [s["status"] for s in csms.of("StatusNotification")]
    assert [(s["connector_id"], s["status"]) for s in csms.of("StatusNotification")[:2]] == [
        (0, "Available"),
        (1, "Available"),
    ]
    assert "Preparing" in statuses and "Charging" in statuses
    mv = csms.of("MeterValues")[0]["meter_value"][0]["sampled_value"]
    by = {v["measurand"]: float(v["value"]) for v in mv}
    # 22 kW AC, three phases at 230 V: current = P / (3 * 230)
    assert by["Power.Active.Import"] == pytest.approx(22000.0)
    assert by["Current.Import"] == pytest.approx(22000 / 690, abs=0.01)
    assert by["Voltage"] == pytest.approx(230.0)
