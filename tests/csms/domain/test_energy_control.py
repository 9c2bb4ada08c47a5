"""The closed loop of a site's import (csms.domain.energy.control) against a small plant model.

The plant is what the issue measured: AC stations that draw 4.5 % more than planned (230 V where 220 V was
planned), a base load and PV that move between samples. The allocation plus the controller must keep the
metered import under the limit after the first sample over it, and give power back when the error goes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csms.domain.demand_response import DemandResponseEvent
from csms.domain.energy import CurrentType, SessionDemand, SiteSpec, SiteState, TelemetrySample, allocate
from csms.domain.energy.control import ControlPolicy, ImportController, aim_w, planning_inputs_w
from csms.domain.tariff import hunan_default_tariff

T0 = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)  # 14:00 in Changsha: a valley hour, no deferral, no peak shaving
SPEC = SiteSpec("S", grid_limit_kw=100, base_load_kw=40)
POLICY = ControlPolicy(margin_pct=3, margin_w=1_000, window_s=10, settle_s=2, pv_reserve_pct=5)


def _sessions(n: int = 6) -> tuple[SessionDemand, ...]:
    return tuple(
        SessionDemand(f"s{i}", f"AC{i}", 1, CurrentType.AC, 3_960, 22_000, T0, phases=3) for i in range(n)
    )


def _sample(t: datetime, import_w: float, pv_w: float = 0.0, base_w: float = 30_000.0) -> TelemetrySample:
    return TelemetrySample(t, pv_w, base_w, 0.0, None, import_w)


def test_the_aim_is_the_limit_less_the_margin() -> None:
    assert aim_w(100_000, POLICY) == pytest.approx(96_000)
    assert aim_w(500, POLICY) == 0.0


def test_stations_drawing_more_than_planned_are_corrected_and_the_meter_stays_under_the_limit() -> None:
    control, tariff, over = ImportController(POLICY), hunan_default_tariff(), []
    for k in range(60):
        t = T0 + timedelta(seconds=k)
        state = SiteState(t, 0.0, 30_000.0, None, _sessions())
        a = allocate(SPEC, state, t, tariff, margin_pct=3, margin_w=1_000, correction_w=control.correction_w)
        metered = 30_000 + a.charging_total_w * 230 / 220  # the stations run at 230 V
        over.append(metered > 100_000)
        control.observe(_sample(t + timedelta(seconds=1), metered), 100_000)
    assert not any(over)
    # Open loop this plant sits at 30 + 66 x 1.045 = 99.0 kW: 3 kW above the aim. The loop removes it.
    assert metered == pytest.approx(96_000, abs=300)
    assert control.correction_w == pytest.approx(66_000 * (1 - 220 / 230), rel=0.05)


def test_a_sample_over_the_aim_is_corrected_in_full_at_once_and_given_back_over_the_window() -> None:
    control = ImportController(POLICY)
    assert control.observe(_sample(T0, 101_000), 100_000) == pytest.approx(5_000)
    assert control.correction_w == pytest.approx(5_000)  # the fast path: all of it, now
    # 4 kW under the aim for one second gives back 4 kW x 1 s / 10 s.
    control.observe(_sample(T0 + timedelta(seconds=1), 92_000), 100_000)
    assert control.correction_w == pytest.approx(4_600)
    # The same sample twice (or an older one) counts once.
    control.observe(_sample(T0 + timedelta(seconds=1), 150_000), 100_000)
    assert control.correction_w == pytest.approx(4_600)
    # Far under for long: the correction returns to 0 and never below (no wind-up).
    for k in range(2, 40):
        control.observe(_sample(T0 + timedelta(seconds=k), 10_000), 100_000)
    assert control.correction_w == 0.0


def test_samples_while_the_stations_follow_a_new_limit_are_not_integrated() -> None:
    event = DemandResponseEvent("E", frozenset({"S"}), T0, T0 + timedelta(hours=1), target_import_kw=30)
    control = ImportController(POLICY)
    points = ((0.5, 90_000), (1.5, 60_000), (2.5, 28_000))
    samples = [_sample(T0 + timedelta(seconds=s), w) for s, w in points]
    worst = control.feed("S", samples, 100_000, [event])
    # The first two samples are over the 30 kW target (aim 28.1 kW) but within the 2 s of settling.
    assert worst == pytest.approx(90_000 - aim_w(30_000, POLICY))
    assert control.correction_w == 0.0
    late = _sample(T0 + timedelta(seconds=3.5), 33_100)
    control.feed("S", [*samples, late], 100_000, [event])
    assert control.correction_w == pytest.approx(33_100 - aim_w(30_000, POLICY))


def test_pv_is_planned_at_its_recent_minimum_less_its_steepest_drop() -> None:
    pv = [80_000, 78_000, 60_000, 65_000, 70_000]  # a cloud edge took 18 kW in one second
    samples = [
        TelemetrySample(T0 + timedelta(seconds=i), w, 20_000 + 1_000 * (i == 1)) for i, w in enumerate(pv)
    ]
    assert planning_inputs_w(samples, T0 + timedelta(seconds=4), POLICY) == (42_000, 21_000)
    # Outside the window the cloud is forgotten; the latest sample always counts, less the 5 % reserve.
    later = T0 + timedelta(seconds=4 + POLICY.pv_window_s + 10)
    assert planning_inputs_w(samples, later, POLICY) == (66_500, 20_000)
    assert planning_inputs_w([], later, POLICY) is None


def test_the_allocation_plans_with_the_margin_and_the_correction() -> None:
    state = SiteState(T0, 0.0, 30_000.0, None, _sessions())
    a = allocate(SPEC, state, T0, hunan_default_tariff(), margin_pct=3, margin_w=1_000, correction_w=2_000)
    assert a.import_limit_w == 100_000 and a.planned_limit_w == pytest.approx(94_000)
    assert a.charging_total_w == pytest.approx(64_000)
    assert "metered_correction" in {r.code for r in a.reasons}
    with pytest.raises(ValueError, match="correction_w"):
        allocate(SPEC, state, T0, hunan_default_tariff(), correction_w=float("nan"))


def test_an_ac_session_is_told_its_current_at_its_own_voltage() -> None:
    s = SessionDemand("s", "AC", 1, CurrentType.AC, 4_140, 22_000, T0, phases=3, voltage_v=230)
    a = allocate(SPEC, SiteState(T0, 0.0, 80_000.0, None, (s,)), T0, hunan_default_tariff())
    # 20 kW at 230 V x 3 phases is 28.9 A (at the site's 220 V it would be 30.3 A: 20.9 kW drawn).
    assert a.sessions[0].limit_w == 20_000 and a.sessions[0].limit_a == 28.9
