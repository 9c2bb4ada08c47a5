"""External charging limits (2.0.1 K12) as upper bounds of the site allocation: the limit in force from a
station's reported schedules, and the cap it puts on what the allocator may give that station or EVSE."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csms.domain.energy import allocate
from csms.domain.energy.control import ControlPolicy
from csms.domain.energy.external_limits import ExternalLimit, caps_w, limit_w_at, schedule_from_wire
from csms.domain.energy.model import SiteSpec
from csms.domain.energy.site import ActiveSession, Member, SiteSnapshot
from csms.domain.energy.state import site_state
from csms.domain.tariff import hunan_default_tariff
from csms.errors import InvalidInput

T0 = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)  # a valley hour in Changsha: nothing deferred
OPEN = ControlPolicy(margin_pct=0, margin_w=0, window_s=10, pv_window_s=0, pv_reserve_pct=0)


def _limit(periods: list[dict], unit: str = "W", evse: int = 0, **schedule: object) -> ExternalLimit:
    wire = {"id": 1, "chargingRateUnit": unit, "chargingSchedulePeriod": periods, **schedule}
    return ExternalLimit("AC1", evse, "SO", (schedule_from_wire(wire),), T0)


def test_the_period_in_force_is_the_limit_and_amperes_count_per_phase() -> None:
    lim = _limit([{"startPeriod": 0, "limit": 16}, {"startPeriod": 600, "limit": 8, "numberPhases": 1}], "A")
    assert limit_w_at(lim, T0, 220, 3) == pytest.approx(16 * 220 * 3)
    assert limit_w_at(lim, T0 + timedelta(seconds=600), 220, 3) == pytest.approx(8 * 220)
    assert limit_w_at(lim, T0 - timedelta(seconds=1), 220, 3) is None  # not yet in force


def test_a_schedule_past_its_duration_or_start_caps_nothing() -> None:
    start = (T0 + timedelta(hours=1)).isoformat()
    later = _limit([{"startPeriod": 0, "limit": 5000}], startSchedule=start, duration=1800)
    assert limit_w_at(later, T0, 220, 3) is None
    assert limit_w_at(later, T0 + timedelta(hours=1, minutes=10), 220, 3) == 5000
    assert limit_w_at(later, T0 + timedelta(hours=1, minutes=30), 220, 3) is None


def test_a_negative_or_infinite_limit_is_refused() -> None:
    with pytest.raises(InvalidInput):
        _limit([{"startPeriod": 0, "limit": -1}])


def _snapshot(sessions: int) -> SiteSnapshot:
    return SiteSnapshot(
        spec=SiteSpec("S", grid_limit_kw=200),
        tariff=hunan_default_tariff(),
        area=None,
        members=(Member("AC1", max_power_w=22_000), Member("AC2", max_power_w=22_000)),
        latest=None,
        sessions=tuple(
            ActiveSession(f"s{i}", "AC1" if i < sessions else "AC2", i + 1, T0, i, None)
            for i in range(sessions + 1)
        ),
    )


def _limits_w(snap: SiteSnapshot, limits: list[ExternalLimit]) -> dict[str, float]:
    caps = caps_w(limits, T0, {m.station_id: (220.0, m.phases) for m in snap.members})
    state = site_state(snap, T0, is_online=lambda _: True, sent={}, control_policy=OPEN, caps_w=caps)
    alloc = allocate(snap.spec, state, T0, snap.tariff)
    return {s.session_id: s.limit_w for s in alloc.sessions}


def test_the_allocator_keeps_a_station_and_an_evse_under_their_external_limits() -> None:
    snap = _snapshot(sessions=2)  # s0, s1 on AC1 (EVSEs 1, 2); s2 on AC2
    free = _limits_w(snap, [])
    assert free == {"s0": 11_000, "s1": 11_000, "s2": 22_000}  # AC1's rating shared, plenty of grid
    station_cap = _limits_w(snap, [_limit([{"startPeriod": 0, "limit": 10_000}])])
    assert station_cap["s0"] + station_cap["s1"] <= 10_000 and station_cap["s2"] == 22_000
    evse_cap = _limits_w(snap, [_limit([{"startPeriod": 0, "limit": 10}], "A", evse=2)])
    assert evse_cap["s1"] <= 10 * 220 * 3 and evse_cap["s0"] == 11_000


def test_a_limit_below_a_session_minimum_pauses_it_rather_than_overrun() -> None:
    snap = _snapshot(sessions=1)
    capped = _limits_w(snap, [_limit([{"startPeriod": 0, "limit": 1000}])])  # under 6 A x 3 phases
    assert capped["s0"] <= 1000
