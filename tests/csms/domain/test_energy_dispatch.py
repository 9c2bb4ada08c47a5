"""Battery dispatch (csms.domain.energy.dispatch): the set-point the manager commands a site's battery to."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csms.domain.energy import SiteSpec
from csms.domain.energy.dispatch import battery_command, battery_limits_w, battery_setpoint_w

SPEC = SiteSpec("S", 100, battery_capacity_kwh=100, battery_power_kw=50, battery_soc_min_pct=10,
                battery_soc_max_pct=90)  # fmt: skip
power = st.floats(-300_000, 300_000, allow_nan=False)


@given(net=power, aim=st.floats(0, 200_000), soc=st.floats(0, 100), peak=st.booleans(), valley=st.booleans())
def test_a_setpoint_keeps_to_rating_and_soc_window(net, aim, soc, peak, valley) -> None:
    dis, chg = battery_limits_w(SPEC, soc, 900)
    sp = battery_setpoint_w(net, aim, dis, chg, peak=peak, valley=valley and not peak)
    assert -chg - 1e-6 <= sp <= dis + 1e-6
    assert -50_000 - 1e-6 <= sp <= 50_000 + 1e-6
    # Energy over the control period stays inside the SoC window.
    soc_after = soc - sp * 0.25 / 100_000 * 100
    assert soc_after >= min(soc, 10) - 1e-6 and soc_after <= max(soc, 90) + 1e-6
    if sp > 0:
        assert net > 0  # never discharges into export
        if not peak:
            assert net > aim and sp <= net - aim + 1e-6  # only what keeps the import at the aim
    if net > aim:
        # Over the aim the battery never charges, and it discharges as far as it can towards the aim.
        assert sp >= min(dis, net - aim) - 1e-6
    if sp < 0 and not valley:
        assert net < 0 and -sp <= -net + 1e-6  # charges from PV surplus only


def test_valley_charges_from_the_grid_up_to_the_aim_only() -> None:
    assert battery_setpoint_w(60_000, 96_000, 50_000, 50_000, valley=True) == -36_000
    assert battery_setpoint_w(60_000, 96_000, 50_000, 50_000) == 0.0


def test_the_command_says_why_and_until_when() -> None:
    at = datetime(2026, 6, 21, 4, tzinfo=UTC)
    c = battery_command(SPEC, 20_000, 116_000, 96_000, at, 30)
    assert (c.reason, c.valid_until.second, c.soc_min_pct, c.soc_max_pct) == (
        "discharge_to_limit",
        30,
        10,
        90,
    )
    assert battery_command(SPEC, -10_000, -30_000, 96_000, at, 30).reason == "charge_from_pv"
    assert battery_command(SPEC, -50_000, 40_000, 96_000, at, 30).reason == "charge_from_grid"
    assert battery_command(SPEC, 0, 40_000, 96_000, at, 30).reason == "idle"


def test_non_finite_input_is_refused() -> None:
    with pytest.raises(ValueError, match="net_w"):
        battery_setpoint_w(float("nan"), 1, 1, 1)
