"""Allocation edge cases, hysteresis, safe defaults and version-neutral charging profiles for 光储充 sites.

Clock: the shipped Hunan tariff reads local time (UTC+8). On 2026-03-02 (March, no sharp period):
  local 10:00 = 02:00 UTC -> flat, 12:30 = 04:30 UTC -> valley (midday), 17:00 = 09:00 UTC -> peak.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from csms.domain.demand_response import DemandResponseEvent, site_flexibility
from csms.domain.energy import (
    AllocationInputError,
    CurrentType,
    PriorityClass,
    ProfilePurpose,
    SchedulePeriod,
    SessionDemand,
    SessionStatus,
    SiteSpec,
    SiteState,
    TransactionRef,
    allocate,
    battery_limits_w,
    charging_profile,
    needs_update,
    safe_default_limit_w,
    session_limit_rate,
    water_fill,
)
from csms.domain.tariff import hunan_default_tariff

TARIFF = hunan_default_tariff()
FLAT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
MIDDAY_VALLEY = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)
PEAK = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


def dc(sid: str, max_w: float, *, min_w: float = 0.0, minute: int = 0, **kw) -> SessionDemand:
    return SessionDemand(
        sid, f"ST-{sid}", 1, CurrentType.DC, min_w, max_w, T0 + timedelta(minutes=minute), **kw
    )


def ac(sid: str, *, minute: int = 0, phases: int = 3, **kw) -> SessionDemand:
    # 6 A .. 16 A per phase at 220 V, 3 phases: 3960 W .. 10560 W
    return SessionDemand(
        sid,
        f"ST-{sid}",
        1,
        CurrentType.AC,
        3960.0,
        10560.0,
        T0 + timedelta(minutes=minute),
        phases=phases,
        **kw,
    )


def state(
    now: datetime, *sessions: SessionDemand, pv_w: float = 0.0, base_w: float = 0.0, soc: float | None = None
) -> SiteState:
    return SiteState(now, pv_power_w=pv_w, base_load_w=base_w, battery_soc_pct=soc, sessions=sessions)


def limits(a) -> dict[str, float]:
    return {s.session_id: s.limit_w for s in a.sessions}


# -- edge cases -------------------------------------------------------------------------------
def test_zero_sessions_plans_base_load_only() -> None:
    spec = SiteSpec("S", grid_limit_kw=100, base_load_kw=30)
    a = allocate(spec, state(FLAT, base_w=20_000), FLAT, TARIFF)
    assert a.sessions == ()
    assert a.available_for_charging_w == pytest.approx(80_000)
    assert a.charging_total_w == 0
    assert a.grid_import_w == pytest.approx(20_000)
    assert a.battery_setpoint_w == 0
    assert a.tariff_period == "flat"
    assert a.binding_limit == "grid"


def test_fair_share_is_equal_for_equal_sessions() -> None:
    spec = SiteSpec("S", grid_limit_kw=100)
    a = allocate(
        spec, state(FLAT, dc("a", 50_000), dc("b", 50_000), dc("c", 50_000), base_w=30_000), FLAT, TARIFF
    )
    # (100 kW - 30 kW) / 3
    assert limits(a) == pytest.approx({"a": 70_000 / 3, "b": 70_000 / 3, "c": 70_000 / 3})
    assert all(s.status is SessionStatus.CHARGING for s in a.sessions)


def test_water_filling_gives_capped_sessions_their_max_and_shares_the_rest() -> None:
    spec = SiteSpec("S", grid_limit_kw=100)
    a = allocate(spec, state(FLAT, dc("small", 10_000), dc("big1", 60_000), dc("big2", 60_000)), FLAT, TARIFF)
    # 100 kW: small capped at 10 kW, the other two split 90 kW
    assert limits(a) == pytest.approx({"small": 10_000, "big1": 45_000, "big2": 45_000})


def test_more_sessions_than_power_for_minimums_pauses_by_priority_then_arrival() -> None:
    spec = SiteSpec("S", grid_limit_kw=20)
    sessions = [
        ac("a", minute=1),
        ac("b", minute=2),
        ac("c", minute=3),
        ac("d", minute=4),
        ac("e", minute=5, priority=PriorityClass.PUBLIC_SERVICE),
    ]
    a = allocate(spec, state(FLAT, *sessions, base_w=5_000), FLAT, TARIFF)
    # available 15000 W; minimums 3960 W: e (public service), a, b fit (11880 W), c and d do not.
    # Left 3120 W, weights e:3 a:1 b:1 -> e +1872, a +624, b +624.
    assert limits(a) == pytest.approx({"a": 4584, "b": 4584, "c": 0, "d": 0, "e": 5832})
    assert a.limit_for("c").status is SessionStatus.PAUSED
    assert a.limit_for("c").reasons[0].code == "paused_insufficient_power"
    assert a.limit_for("e").limit_a == pytest.approx(8.8)  # 5832 / (220 * 3) = 8.836 -> floor 0.1 A
    assert a.limit_for("a").limit_a == pytest.approx(6.9)  # 4584 / 660 = 6.945
    assert a.limit_for("c").limit_a == 0
    codes = [r.code for r in a.reasons]
    assert "minimums_not_met" in codes
    assert "2 session(s) paused" in a.reasons[codes.index("minimums_not_met")].en
    assert "2 个会话暂停" in a.reasons[codes.index("minimums_not_met")].zh


def test_smaller_minimum_later_in_line_still_fits() -> None:
    spec = SiteSpec("S", grid_limit_kw=10)
    s1 = dc("first", 20_000, min_w=7_000, minute=1)
    s2 = dc("second", 20_000, min_w=4_200, minute=2)
    s3 = dc("third", 20_000, min_w=2_000, minute=3)
    a = allocate(spec, state(FLAT, s1, s2, s3), FLAT, TARIFF)
    # 10 kW: first 7 kW, second does not fit in 3 kW, third's 2 kW does; the last 1 kW is shared 1:1
    assert limits(a) == pytest.approx({"first": 7_500, "second": 0, "third": 2_500})


def test_no_power_when_base_load_exceeds_limit() -> None:
    spec = SiteSpec("S", grid_limit_kw=10)
    a = allocate(spec, state(FLAT, dc("a", 20_000, min_w=1_000), base_w=12_000), FLAT, TARIFF)
    assert a.available_for_charging_w == 0
    assert limits(a) == {"a": 0}
    assert {r.code for r in a.reasons} == {"no_power", "minimums_not_met"}


def test_battery_at_soc_floor_gives_nothing() -> None:
    spec = SiteSpec(
        "S",
        grid_limit_kw=50,
        battery_capacity_kwh=100,
        battery_power_kw=50,
        battery_soc_min_pct=10,
        battery_soc_max_pct=90,
    )
    a = allocate(spec, state(PEAK, dc("a", 60_000), base_w=10_000, soc=10.0), PEAK, TARIFF)
    assert a.battery_discharge_max_w == 0
    assert limits(a) == pytest.approx({"a": 40_000})
    assert a.battery_setpoint_w == 0
    assert a.grid_import_w == pytest.approx(50_000)


def test_battery_above_floor_adds_power_and_shaves_the_peak() -> None:
    spec = SiteSpec("S", grid_limit_kw=50, battery_capacity_kwh=100, battery_power_kw=50)
    a = allocate(spec, state(PEAK, dc("a", 60_000), base_w=10_000, soc=30.0), PEAK, TARIFF)
    # (30 % - 10 %) of 100 kWh over 15 min = 80 kW, capped by the 50 kW rating
    assert a.battery_discharge_max_w == pytest.approx(50_000)
    assert limits(a) == pytest.approx({"a": 60_000})
    # peak: the battery covers as much as it can of the 70 kW load -> import 20 kW
    assert a.battery_setpoint_w == pytest.approx(50_000)
    assert a.grid_import_w == pytest.approx(20_000)


def test_battery_energy_limit_over_control_period() -> None:
    spec = SiteSpec("S", grid_limit_kw=50, battery_capacity_kwh=100, battery_power_kw=50)
    # 2 % of 100 kWh = 2 kWh above the floor; over 15 min that is 8 kW. Ceiling 90 %: 78 kWh room.
    assert battery_limits_w(spec, 12.0, 900) == pytest.approx((8_000, 50_000))
    assert battery_limits_w(spec, 12.0, 3600) == pytest.approx((2_000, 50_000))
    assert battery_limits_w(spec, None, 900) == (0.0, 0.0)


def test_pv_surplus_in_midday_valley_charges_sessions_then_battery() -> None:
    spec = SiteSpec("S", grid_limit_kw=50, pv_kwp=100, battery_capacity_kwh=100, battery_power_kw=30)
    st = state(MIDDAY_VALLEY, dc("a", 30_000), dc("b", 30_000), pv_w=80_000, base_w=10_000, soc=50.0)
    a = allocate(spec, st, MIDDAY_VALLEY, TARIFF)
    assert a.tariff_period == "valley"
    assert limits(a) == pytest.approx({"a": 30_000, "b": 30_000})
    # net = 10 + 60 - 80 = -10 kW: 10 kW PV surplus into the battery, plus 20 kW from the grid
    # because it is a valley hour (battery rating 30 kW)
    assert a.battery_setpoint_w == pytest.approx(-30_000)
    assert a.grid_import_w == pytest.approx(20_000)


def test_pv_surplus_in_flat_hour_charges_battery_from_pv_only() -> None:
    spec = SiteSpec("S", grid_limit_kw=50, pv_kwp=100, battery_capacity_kwh=100, battery_power_kw=30)
    a = allocate(
        spec,
        state(FLAT, dc("a", 30_000), dc("b", 30_000), pv_w=80_000, base_w=10_000, soc=50.0),
        FLAT,
        TARIFF,
    )
    assert a.battery_setpoint_w == pytest.approx(-10_000)
    assert a.grid_import_w == pytest.approx(0.0)


def test_pv_surplus_goes_to_deferrable_sessions_even_in_peak() -> None:
    spec = SiteSpec("S", grid_limit_kw=60, pv_kwp=50)
    leave = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)  # 08:00 local next morning
    x = dc("x", 50_000, min_w=5_000, energy_requested_wh=100_000, departure_at=leave)
    y = dc("y", 50_000, min_w=5_000)
    a = allocate(spec, state(PEAK, x, y, pv_w=20_000), PEAK, TARIFF)
    # 17:00 -> 08:00 has 8 off-peak hours; 100 kWh <= 0.8 * 50 kW * 8 h, so x is deferrable.
    # PV surplus above the minimums (20 - 10 = 10 kW) is shared 5/5; the grid's 60 kW then only
    # tops up y (to its 50 kW max).
    assert limits(a) == pytest.approx({"x": 10_000, "y": 50_000})
    assert a.limit_for("x").status is SessionStatus.DEFERRED
    assert a.limit_for("x").reasons[0].code == "deferred_peak"


def test_session_that_cannot_wait_is_not_deferred() -> None:
    spec = SiteSpec("S", grid_limit_kw=60)
    leave = PEAK + timedelta(hours=3)  # 20:00 local: all peak, no off-peak hour left
    x = dc("x", 50_000, energy_requested_wh=20_000, departure_at=leave)
    a = allocate(spec, state(PEAK, x), PEAK, TARIFF)
    assert a.limit_for("x").status is SessionStatus.CHARGING
    assert a.limit_for("x").limit_w == pytest.approx(50_000)


def test_stale_telemetry_counts_no_pv_no_battery_and_full_base_load() -> None:
    spec = SiteSpec(
        "S", grid_limit_kw=100, base_load_kw=40, pv_kwp=100, battery_capacity_kwh=100, battery_power_kw=50
    )
    st = state(FLAT, dc("a", 150_000), pv_w=60_000, base_w=10_000, soc=80.0)
    fresh = allocate(spec, st, FLAT + timedelta(seconds=60), TARIFF)
    # 100 - 10 + 60 + 50 (battery) = 200 kW, capped by the session's 150 kW
    assert limits(fresh) == pytest.approx({"a": 150_000})
    stale = allocate(spec, st, FLAT + timedelta(minutes=10), TARIFF)
    # 100 kW - 40 kW declared base load; no PV, no battery
    assert limits(stale) == pytest.approx({"a": 60_000})
    assert stale.reasons[0].code == "stale_telemetry"
    assert allocate(
        spec, st, FLAT + timedelta(minutes=10), TARIFF, telemetry_max_age_s=None
    ).charging_total_w == (pytest.approx(150_000))


def test_transformer_tighter_than_grid_binds() -> None:
    spec = SiteSpec("S", grid_limit_kw=200, transformer_limit_kw=120)
    ev = DemandResponseEvent(
        "E", frozenset({"S"}), FLAT - timedelta(hours=1), FLAT + timedelta(hours=1), target_import_kw=150
    )
    a = allocate(spec, state(FLAT, dc("a", 150_000), base_w=20_000), FLAT, TARIFF, [ev])
    assert a.binding_limit == "transformer"
    assert a.import_limit_w == pytest.approx(120_000)
    assert limits(a) == pytest.approx({"a": 100_000})
    assert a.dr_event_id is None


def test_overlapping_dr_events_strictest_wins_in_allocation() -> None:
    spec = SiteSpec("S", grid_limit_kw=100)
    local9 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    a_ev = DemandResponseEvent(
        "A", frozenset({"S", "T"}), local9, local9 + timedelta(hours=2), target_import_kw=60
    )
    b_ev = DemandResponseEvent(
        "B",
        frozenset({"S"}),
        local9 + timedelta(hours=1),
        local9 + timedelta(minutes=90),
        reduction_kw=30,
        baseline_kw_by_site={"S": 80},
    )
    c_ev = DemandResponseEvent(
        "C", frozenset({"S"}), local9, local9 + timedelta(hours=3), target_import_kw=10, cancelled=True
    )
    events = [a_ev, b_ev, c_ev]
    st = state(local9 + timedelta(minutes=70), dc("a", 150_000), base_w=20_000)
    at_1015 = local9 + timedelta(minutes=75)
    a = allocate(spec, st, at_1015, TARIFF, events)
    assert (a.binding_limit, a.dr_event_id, a.import_limit_w) == (
        "demand_response",
        "B",
        pytest.approx(50_000),
    )
    assert limits(a) == pytest.approx({"a": 30_000})
    assert a.grid_import_w == pytest.approx(50_000)
    a = allocate(spec, st, local9 + timedelta(minutes=105), TARIFF, events)
    assert (a.dr_event_id, a.import_limit_w) == ("A", pytest.approx(60_000))
    a = allocate(spec, st, local9 + timedelta(hours=2), TARIFF, events)
    assert (a.binding_limit, a.dr_event_id) == ("grid", None)


def test_flexibility_is_charging_above_minimum_plus_battery_headroom() -> None:
    spec = SiteSpec("S", grid_limit_kw=50, battery_capacity_kwh=100, battery_power_kw=20)
    a = allocate(
        spec, state(FLAT, dc("a", 30_000, min_w=5_000), dc("b", 30_000, min_w=5_000), soc=50.0), FLAT, TARIFF
    )
    # flat hour: 50 kW grid + 20 kW battery available, sessions take 60 kW, battery covers 10 kW
    assert limits(a) == pytest.approx({"a": 30_000, "b": 30_000})
    assert a.battery_setpoint_w == pytest.approx(10_000)
    flex = site_flexibility(a)
    assert flex.charging_shed_w == pytest.approx(50_000)
    assert flex.battery_headroom_w == pytest.approx(10_000)
    assert flex.total_w == pytest.approx(60_000)


def test_invariants_hold_on_random_sites() -> None:
    rng = random.Random(20261124)
    for i in range(300):
        spec = SiteSpec(
            f"S{i}",
            grid_limit_kw=rng.uniform(0, 300),
            transformer_limit_kw=rng.choice([None, rng.uniform(0, 300)]),
            battery_capacity_kwh=rng.choice([0, 100]),
            battery_power_kw=50,
        )
        sessions = []
        for k in range(rng.randint(0, 12)):
            mx = rng.uniform(0, 120_000)
            sessions.append(
                dc(
                    f"s{k}",
                    mx,
                    min_w=rng.uniform(0, mx),
                    minute=rng.randint(0, 600),
                    priority=rng.choice(list(PriorityClass)),
                )
            )
        now = T0 + timedelta(minutes=rng.randint(0, 1440))
        st = SiteState(
            now,
            pv_power_w=rng.uniform(0, 100_000),
            base_load_w=rng.uniform(0, 100_000),
            battery_soc_pct=rng.uniform(0, 100),
            sessions=tuple(sessions),
        )
        a = allocate(spec, st, now, TARIFF)
        assert a.charging_total_w <= a.available_for_charging_w + 1e-6
        if a.import_limit_w - st.base_load_w + st.pv_power_w + a.battery_discharge_max_w >= 0:
            assert a.grid_import_w <= a.import_limit_w + 1e-6
        else:  # base load alone breaks the limit: nothing charges, the battery gives all it can
            assert a.charging_total_w == 0
            assert a.battery_setpoint_w == pytest.approx(a.battery_discharge_max_w)
        assert -a.battery_charge_max_w - 1e-6 <= a.battery_setpoint_w <= a.battery_discharge_max_w + 1e-6
        for s, lim in zip(st.sessions, a.sessions, strict=True):
            assert lim.limit_w <= s.max_power_w + 1e-6
            assert lim.limit_w == 0 or lim.limit_w >= s.min_power_w - 1e-6


def test_water_fill_weighted_and_capped() -> None:
    assert water_fill(10.0, [2.0, 10.0, 10.0], [1, 1, 1]) == pytest.approx([2.0, 4.0, 4.0])
    assert water_fill(100.0, [2.0, 3.0], [1, 1]) == pytest.approx([2.0, 3.0])
    assert water_fill(8.0, [10.0, 1.0, 10.0], [3, 1, 1]) == pytest.approx([5.25, 1.0, 1.75])
    assert water_fill(0.0, [1.0], [1]) == [0.0]


def test_bad_input_names_the_field() -> None:
    with pytest.raises(AllocationInputError, match="session bad: need 0 <= min_power_w <= max_power_w"):
        dc("bad", 1_000, min_w=2_000)
    with pytest.raises(AllocationInputError, match="site X: grid_limit_kw must be finite and >= 0"):
        SiteSpec("X", grid_limit_kw=-1)
    with pytest.raises(AllocationInputError, match="started_at must be timezone-aware"):
        SessionDemand("n", "st", 1, CurrentType.DC, 0, 1, datetime(2026, 1, 1))
    with pytest.raises(AllocationInputError, match="duplicate session_id"):
        state(FLAT, dc("a", 1), dc("a", 1))


# -- hysteresis and safe defaults ---------------------------------------------------------------
def test_needs_update_hysteresis() -> None:
    assert needs_update(None, 5_000)
    assert not needs_update(11_000, 10_600, hysteresis_w=500, hysteresis_pct=5)  # 400 W < 550 W
    assert needs_update(11_000, 10_400, hysteresis_w=500, hysteresis_pct=5)  # 600 W >= 550 W
    assert not needs_update(40_000, 41_900, hysteresis_w=500, hysteresis_pct=5)  # 1900 < 2095
    assert needs_update(4_000, 0) and needs_update(0, 4_000)
    assert not needs_update(0, 0)
    assert needs_update(11_000, 10_900, decrease_always=True)
    assert not needs_update(11_000, 11_100, decrease_always=True)


def test_safe_default_assumes_no_pv_no_battery_full_base_load() -> None:
    spec = SiteSpec(
        "S",
        grid_limit_kw=100,
        transformer_limit_kw=80,
        base_load_kw=20,
        pv_kwp=200,
        battery_capacity_kwh=500,
        battery_power_kw=200,
    )
    assert safe_default_limit_w(spec, 10) == 6_000  # (80 - 20) kW / 10
    assert safe_default_limit_w(spec, 10, dr_limit_kw=50) == 3_000
    assert safe_default_limit_w(spec, 10, station_max_w=3_500) == 3_500
    assert safe_default_limit_w(spec, 7) == 8_500  # 8571 W floored to 0.1 kW
    assert safe_default_limit_w(SiteSpec("T", grid_limit_kw=10, base_load_kw=20), 3) == 0
    with pytest.raises(AllocationInputError):
        safe_default_limit_w(spec, 0)


def test_session_limit_rate_uses_amps_for_ac_and_watts_for_dc() -> None:
    spec = SiteSpec("S", grid_limit_kw=20)
    a = allocate(spec, state(FLAT, ac("x", phases=1), dc("y", 10_000, minute=1)), FLAT, TARIFF)
    # 20 kW: ac x capped at 10560 W, dc y gets 9440 W
    assert session_limit_rate(a.limit_for("x")) == (pytest.approx(48.0), "A", 1)  # 10560 / 220
    assert session_limit_rate(a.limit_for("y")) == (pytest.approx(9_440), "W", None)
    # the session's limit as a version-neutral profile (the wire forms: tests/csms/test_set_charging_profile)
    lim, unit, phases = session_limit_rate(a.limit_for("x"))
    p = charging_profile(
        ProfilePurpose.TX, lim, unit, profile_id=5, start=FLAT, evse_id=1, transaction=TransactionRef(5),
        number_phases=phases,
    )  # fmt: skip
    assert p.periods == (SchedulePeriod(0, 48.0, 1),) and p.stack_level == 1
