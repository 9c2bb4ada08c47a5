"""Measured flexibility (csms.domain.energy.flexibility), figures worked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csms.domain.energy.flexibility import BatteryNow, SessionNow, SiteNow, district_flexibility, site_flex

T0 = datetime(2026, 6, 21, 4, tzinfo=UTC)


def _site(**kw) -> SiteNow:  # type: ignore[no-untyped-def]
    # 60 kW metered under a 100 kW cap; a battery of 100 kWh / 50 kW at 30 % (floor 10, ceiling 90),
    # discharging 10 kW.
    battery = BatteryNow(10_000, 30.0, 10.0, 90.0, 100_000, 50_000)
    return SiteNow("S", T0, 60_000, 100_000, kw.pop("sessions", ()), battery, **kw)


def test_down_and_up_from_the_meter_battery_and_needs() -> None:
    # a: 20 kW, minimum 4 kW, 10 kWh by 2 h from now at up to 22 kW: slack (22x2 - 10) / (22 - 4) = 1.89 h.
    # b: 30 kW, minimum 0, no needs: held to the horizon (assumed).
    a = SessionNow("a", 20_000, 4_000, 22_000, 10_000, T0 + timedelta(hours=2))
    b = SessionNow("b", 30_000, 0, 60_000)
    f = site_flex(_site(sessions=(a, b)), hours=2)
    down = f.now.down
    # sessions 16 + 30 = 46 kW, battery 50 - 10 = 40 kW: 86 kW, capped at the 60 kW import.
    assert (down.charging_w, down.battery_w, down.power_w) == (46_000, 40_000, 60_000)
    assert down.assumed
    # 20 kWh above the floor at 50 kW: 24 min; after that 46 kW of sessions are left, less than 60 kW.
    assert down.full_s == pytest.approx(24 * 60)
    up = f.now.up
    # a: 2 kW for 10/22 h; b: 30 kW to the horizon; battery 50 + 10 = 60 kW; capped at 40 kW of headroom.
    assert (up.charging_w, up.battery_w, up.power_w) == (32_000, 60_000, 40_000)
    assert len(f.points) == 3 and f.points[1].at == T0 + timedelta(hours=1)
    # An hour on, discharging at its metered 10 kW, the battery is at 20 %: still 10 kWh above its floor.
    assert f.points[1].down.battery_w == 40_000 and f.points[1].down.full_s is not None
    # Two hours on, a has left: only b's 30 kW remains of the sessions; the battery is at its floor.
    later = f.points[2].down
    assert later.charging_w == 30_000 and later.battery_w == 0.0


def test_the_district_sums_its_sites() -> None:
    a = site_flex(_site(sessions=(SessionNow("a", 20_000, 4_000, 22_000),)), hours=1)
    b = site_flex(_site(sessions=(SessionNow("b", 10_000, 0, 22_000),)), hours=1)
    d = district_flexibility([a, b])
    assert d.points[0].down.power_w == a.now.down.power_w + b.now.down.power_w
    assert d.points[0].down.full_s == min(a.now.down.full_s or 1e9, b.now.down.full_s or 1e9)
