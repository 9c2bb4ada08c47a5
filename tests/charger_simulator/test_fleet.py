"""Fleet mode against the in-test CSMS (a small fleet; the 5,000-station figure is a benchmark)."""

import pytest
from sim_mini_csms import MiniCsms

from charger_simulator.fleet import (
    FleetConfig,
    _Counters,
    build_station,
    merge_reports,
    percentile,
    run_fleet,
)


def test_percentile_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([], 50) == 0.0


def test_per_station_randomness_is_seeded_and_ids_disjoint():
    a = build_station(FleetConfig(seed=7), 3, _Counters())
    b = build_station(FleetConfig(seed=7), 3, _Counters())
    c = build_station(FleetConfig(seed=7, start_index=100), 3, _Counters())
    assert (a.config.station_id, a.config.dc, a.config.ev_start_soc_pct) == (
        b.config.station_id,
        b.config.dc,
        b.config.ev_start_soc_pct,
    )
    assert c.config.station_id == "SIM00103"
    assert a.config.validate_schemas is False


def test_bad_mix_is_refused():
    with pytest.raises(ValueError, match="mix: unknown activities teleport"):
        FleetConfig(mix={"teleport": 1.0})


async def test_small_fleet_boots_runs_message_mix_and_reports():
    async with MiniCsms() as csms:
        cfg = FleetConfig(
            url=csms.url,
            count=20,
            protocol="mixed",
            ramp_s=0.3,
            duration_s=1.5,
            activity_interval_s=0.1,
            session_s=(0.2, 0.5),
            seed=3,
        )
        seen = []
        report = await run_fleet(cfg, progress=seen.append, progress_every_s=0.5)
    assert report.stations == 20 and report.booted == 20 and report.connected == 20
    assert len(csms.of("BootNotification")) == 20
    assert {sid for sid, a, _ in csms.requests if a == "BootNotification"} == {
        f"SIM{i:05d}" for i in range(20)
    }
    assert csms.of("Authorize") and csms.of("Heartbeat")
    assert csms.of("StartTransaction") and csms.of("TransactionEvent")
    assert report.calls == len(report.rtt_sample_ms) > 0
    assert report.frames_out >= report.calls
    assert 0 < report.rtt_p50_ms <= report.rtt_p99_ms <= report.rtt_max_ms
    assert seen and seen[-1]["booted"] == 20
    assert report.steady_messages_per_s > 0 and 0 < report.steady_rtt_p50_ms <= report.steady_rtt_p99_ms
    merged = merge_reports([report, report])
    assert merged.stations == 40 and merged.calls == 2 * report.calls
