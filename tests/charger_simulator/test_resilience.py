"""Boot retry, reconnect with back-off, and the offline transaction queue."""

from datetime import datetime

from sim_mini_csms import MiniCsms


def ts(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_pending_boot_is_retried_at_the_given_interval(make_station):
    async with MiniCsms(boot_statuses=["Pending", "Rejected", "Accepted"], heartbeat_s=30) as csms:
        st = make_station(csms.url)
        await st.run_until_booted()
        assert len(csms.of("BootNotification")) == 3
        frames = csms.stations["CP-1"].frames
        boots = [i for i, f in enumerate(frames) if f[0] == 2 and f[2] == "BootNotification"]
        # Nothing but BootNotification is sent before the CSMS accepts it.
        assert all(f[2] == "BootNotification" for f in frames[: boots[-1] + 1] if f[0] == 2)
        assert st.settings.int_value("HeartbeatInterval") == 30


async def test_reconnects_and_boots_after_connection_loss(make_station):
    async with MiniCsms() as csms:
        st = make_station(csms.url)
        await st.run_until_booted()
        await csms.drop("CP-1")
        await csms.wait_for(lambda: len(csms.of("BootNotification")) == 2)
        assert st.connections == 2


async def test_unreachable_csms_backs_off_then_connects(make_station):
    async with MiniCsms() as csms:
        url = csms.url
    st = make_station(url)  # nothing listens any more
    await st.start()
    await st.wait_for(lambda: st.connect_failures >= 3)
    assert not st.online


async def test_offline_v201_events_are_queued_in_order_with_offline_flag(make_station):
    async with MiniCsms() as csms:
        st = make_station(csms.url, protocol="ocpp2.0.1", sample_interval_s=10)
        await st.run_until_booted()
        await st.plug_in(1)
        await st.present_token("TAG-1", 1)
        await csms.wait_for(lambda: csms.of("TransactionEvent"))
        await st.go_offline(120)
        went_offline = st.clock.now()
        await st.wait_for(lambda: sum(e.offline for e in st.outbox) >= 3)
        await st.present_token("TAG-1", 1)  # stop while offline
        # Only what was created offline: an event emitted just before the drop may still be queued too.
        queued = [e.seq_no for e in st.outbox if e.offline]
        await csms.wait_for(lambda: any(e["event_type"] == "Ended" for e in csms.of("TransactionEvent")), 15)
        evs = csms.of("TransactionEvent")
        assert [e["seq_no"] for e in evs] == list(range(len(evs)))
        offline = [e for e in evs if e.get("offline")]
        assert [e["seq_no"] for e in offline] == queued
        assert all(ts(e["timestamp"]) >= went_offline for e in offline)
        reconnect_boot = csms.stations["CP-1"].frames
        assert len(csms.of("BootNotification")) == 2 and reconnect_boot
        assert offline[-1]["event_type"] == "Ended"
        # Delivered after the reconnect, yet stamped when they happened (before delivery).
        assert ts(offline[0]["timestamp"]) < ts(offline[-1]["timestamp"])


async def test_offline_v16_session_start_meter_stop_delivered_in_order(make_station):
    async with MiniCsms() as csms:
        st = make_station(csms.url, sample_interval_s=10)
        await st.run_until_booted()
        await st.go_offline(60)
        await st.plug_in(1)
        assert await st.present_token("NEVER-SEEN", 1)  # AllowOfflineTxForUnknownId
        await st.wait_for(lambda: st.model.connectors[1].energy_wh >= 200)
        await st.present_token("NEVER-SEEN", 1)
        await csms.wait_for(lambda: csms.of("StopTransaction"), 15)
        actions = [
            a for _, a, _ in csms.requests if a in ("StartTransaction", "MeterValues", "StopTransaction")
        ]
        assert actions[0] == "StartTransaction" and actions[-1] == "StopTransaction"
        start, stop = csms.of("StartTransaction")[0], csms.of("StopTransaction")[0]
        assert stop["transaction_id"] == 100
        assert ts(start["timestamp"]) < ts(stop["timestamp"])
        assert stop["meter_stop"] >= 200


async def test_after_reconnect_the_current_status_is_reported_not_a_fault_that_cleared_offline(make_station):
    # fault()/clear_fault() do not yield, so both happen before the station can reconnect, however
    # loaded the machine is; the offline period ends on its own after 60 simulated seconds.
    async with MiniCsms() as csms:
        st = make_station(csms.url)
        await st.run_until_booted()
        await st.wait_for(lambda: not st.outbox)  # the statuses after the first boot
        await st.go_offline(60)
        await st.fault(1, "GroundFailure")
        await st.clear_fault(1)
        await csms.wait_for(lambda: len(csms.of("BootNotification")) == 2)
        await st.wait_for(lambda: st.online and not st.outbox)
        after = csms.of("StatusNotification")[2:]  # connector 0 and 1 after the first boot
        assert [(s["connector_id"], s["status"], s["error_code"]) for s in after] == [
            (0, "Available", "NoError"),
            (1, "Available", "NoError"),
        ]


async def test_a_fault_still_present_at_reconnect_is_reported_with_its_error_code(make_station):
    async with MiniCsms() as csms:
        st = make_station(csms.url)
        await st.run_until_booted()
        await st.wait_for(lambda: not st.outbox)  # the statuses after the first boot
        await st.go_offline(60)
        await st.fault(1, "GroundFailure")
        await csms.wait_for(lambda: len(csms.of("BootNotification")) == 2)
        await st.wait_for(lambda: st.online and not st.outbox)
        after = csms.of("StatusNotification")[2:]
        assert [(s["connector_id"], s["status"], s["error_code"]) for s in after] == [
            (0, "Available", "NoError"),
            (1, "Faulted", "GroundFailure"),
        ]
