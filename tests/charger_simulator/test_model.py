"""Pure core: profiles, composite schedules, metering and the energy integration."""

from datetime import UTC, datetime, timedelta

import pytest

from charger_simulator.config import StationConfig
from charger_simulator.connection import backoff_delay_s
from charger_simulator.meter import ev_acceptance_w, reading
from charger_simulator.profiles import (
    PURPOSE_STATION_MAX,
    PURPOSE_TX,
    PURPOSE_TX_DEFAULT,
    ChargingProfile,
    LimitContext,
    ProfileStore,
    SchedulePeriod,
    composite_schedule,
)
from charger_simulator.state import StationModel

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def prof(pid, purpose, periods, stack=0, connector=1, kind="Absolute", unit="W", **kw):
    return ChargingProfile(
        pid,
        stack,
        purpose,
        kind,
        unit,
        tuple(SchedulePeriod(*p) for p in periods),
        connector_id=connector,
        start_schedule=kw.pop("start", T0),
        **kw,
    )


def test_highest_stack_wins_tx_overrides_default_and_station_max_caps():
    store = ProfileStore()
    store.install(prof(1, PURPOSE_TX_DEFAULT, [(0, 11000)], stack=0, connector=0))
    store.install(prof(2, PURPOSE_TX_DEFAULT, [(0, 7000)], stack=1, connector=0))
    ctx = LimitContext(1, transaction_id="7", transaction_start=T0)
    assert store.limit_w(T0, ctx, 22000) == 7000
    store.install(prof(3, PURPOSE_TX, [(0, 16000)], transaction_id="7"))
    assert store.limit_w(T0, ctx, 22000) == 16000
    store.install(prof(4, PURPOSE_STATION_MAX, [(0, 9000)], connector=0))
    assert store.limit_w(T0, ctx, 22000) == 9000
    # Same stack level and purpose on the same connector replaces (OCPP 1.6 §3.13.2).
    store.install(prof(5, PURPOSE_STATION_MAX, [(0, 20000)], connector=0))
    assert [p.profile_id for p in store.profiles] == [1, 2, 3, 5]
    store.drop_transaction("7")
    assert store.limit_w(T0, ctx, 22000) == 7000
    assert store.clear(purpose=PURPOSE_TX_DEFAULT) == 2
    assert store.limit_w(T0, ctx, 22000) == 20000


def test_ampere_limit_uses_phases_and_voltage():
    store = ProfileStore()
    store.install(prof(1, PURPOSE_TX_DEFAULT, [(0, 16, 1)], unit="A"))
    assert store.limit_w(T0, LimitContext(1, voltage_v=230, phases=3), 22000) == pytest.approx(16 * 230)
    store.install(prof(1, PURPOSE_TX_DEFAULT, [(0, 16)], unit="A"))
    assert store.limit_w(T0, LimitContext(1, voltage_v=230, phases=3), 22000) == pytest.approx(16 * 230 * 3)


def test_recurring_daily_profile_repeats():
    store = ProfileStore()
    evening = prof(
        1,
        PURPOSE_TX_DEFAULT,
        [(0, 3000), (3600, 11000)],
        kind="Recurring",
        recurrency="Daily",
        duration_s=7200,
    )
    store.install(evening)
    ctx = LimitContext(1)
    assert store.limit_w(T0 + timedelta(days=3, minutes=10), ctx, 22000) == 3000
    assert store.limit_w(T0 + timedelta(days=3, minutes=70), ctx, 22000) == 11000
    assert store.limit_w(T0 + timedelta(days=3, hours=3), ctx, 22000) == 22000


def test_composite_schedule_merges_profiles():
    store = ProfileStore()
    store.install(prof(1, PURPOSE_TX_DEFAULT, [(0, 11000), (600, 5000)], connector=0, duration_s=1800))
    store.install(
        prof(
            2,
            PURPOSE_STATION_MAX,
            [(0, 8000)],
            connector=0,
            start=T0 + timedelta(seconds=300),
            duration_s=600,
        )
    )
    s = composite_schedule(store, T0, 3600, LimitContext(1), 22000)
    assert [(p.start_s, p.limit) for p in s.periods] == [(0, 11000), (300, 8000), (600, 5000), (1800, 22000)]
    amps = composite_schedule(store, T0, 600, LimitContext(1, voltage_v=230, phases=3), 22000, "A")
    assert amps.periods[0].limit == pytest.approx(round(11000 / 690, 1))


def test_energy_follows_limit_that_changes_between_updates():
    model = StationModel(StationConfig("X", max_power_w=22000))
    model.advance(T0)
    c = model.plug_in(1)
    model.start_transaction(c, "T", "tx", T0)
    # 11 kW for the first 30 minutes, then 3.6 kW.
    model.profiles.install(prof(1, PURPOSE_TX_DEFAULT, [(0, 11000), (1800, 3600)]))
    model.replan(T0)
    model.advance(T0 + timedelta(hours=1))  # one update across the change
    assert c.energy_wh == pytest.approx(11000 * 0.5 + 3600 * 0.5)
    assert c.power_w == pytest.approx(3600)


def test_dc_reading_is_consistent_and_ev_tapers():
    r = reading(1000.0, 50000.0, dc=True, phases=1, soc_pct=50.0)
    assert r.voltage_v == pytest.approx(385.0)
    assert r.current_a * r.voltage_v == pytest.approx(50000, abs=5)
    assert ev_acceptance_w(100000, 90) == pytest.approx(50000)
    assert ev_acceptance_w(100000, 100) == 0


def test_backoff_grows_with_jitter_and_caps():
    import random

    rng = random.Random(1)
    delays = [backoff_delay_s(a, 1.0, 30.0, rng) for a in range(8)]
    assert 0.5 <= delays[0] <= 1.0
    assert all(0 <= d <= min(30.0, 2**a) for a, d in enumerate(delays))
    assert max(backoff_delay_s(20, 1.0, 30.0, rng) for _ in range(50)) <= 30.0
