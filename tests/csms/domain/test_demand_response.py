"""Demand response: strictest-wins limits, baselines, measured-vs-target, flexibility (VPP view)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csms.domain.demand_response import (
    DemandResponseError,
    DemandResponseEvent,
    PowerSample,
    SiteFlexibility,
    active_limit,
    area_flexibility,
    baseline_kw,
    event_performance,
    next_event_boundary,
    split_group_target,
    time_weighted_mean_kw,
)

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)


def ev(eid: str, sites: set[str], start: datetime, end: datetime, **kw) -> DemandResponseEvent:
    return DemandResponseEvent(eid, frozenset(sites), start, end, **kw)


def test_no_event_no_limit() -> None:
    assert active_limit("S", [], T0) is None
    e = ev("A", {"S"}, T0, T0 + H, target_import_kw=50)
    assert active_limit("S", [e], T0 - M) is None
    assert active_limit("S", [e], T0 + H) is None  # end is exclusive
    assert active_limit("OTHER", [e], T0) is None


def test_overlapping_events_strictest_wins() -> None:
    a = ev("A", {"S", "T"}, T0, T0 + 2 * H, target_import_kw=60)
    b = ev("B", {"S"}, T0 + H, T0 + 3 * H, reduction_kw=40, baseline_kw_by_site={"S": 90})  # -> 50 kW
    c = ev("C", {"S"}, T0, T0 + 3 * H, target_import_kw=5, cancelled=True)
    events = [a, b, c]
    assert active_limit("S", events, T0 + 30 * M).limit_kw == 60
    lim = active_limit("S", events, T0 + 90 * M)
    assert (lim.limit_kw, lim.event_id) == (50, "B")
    assert active_limit("S", events, T0 + 150 * M).event_id == "B"
    assert active_limit("T", events, T0 + 90 * M).event_id == "A"


def test_equal_limits_tie_break_on_event_id_not_order() -> None:
    a = ev("A", {"S"}, T0, T0 + H, target_import_kw=40)
    b = ev("B", {"S"}, T0, T0 + H, target_import_kw=40)
    assert active_limit("S", [b, a], T0).event_id == "A"
    assert active_limit("S", [a, b], T0).event_id == "A"


def test_group_event_with_per_site_targets_and_reduction_floor() -> None:
    g = ev("G", {"S", "T"}, T0, T0 + H, target_import_kw_by_site={"S": 30, "T": 70})
    assert g.limit_kw("S") == 30 and g.limit_kw("T") == 70
    r = ev("R", {"S"}, T0, T0 + H, reduction_kw=100, baseline_kw_by_site={"S": 80})
    assert r.limit_kw("S") == 0  # never negative


def test_bad_events_name_the_field() -> None:
    with pytest.raises(DemandResponseError, match="exactly one of target_import_kw and reduction_kw"):
        ev("X", {"S"}, T0, T0 + H, target_import_kw=1, reduction_kw=1)
    with pytest.raises(DemandResponseError, match="exactly one"):
        ev("X", {"S"}, T0, T0 + H)
    with pytest.raises(DemandResponseError, match="event X: end must be after start"):
        ev("X", {"S"}, T0, T0, target_import_kw=1)
    with pytest.raises(DemandResponseError, match="site_ids is empty"):
        ev("X", set(), T0, T0 + H, target_import_kw=1)
    with pytest.raises(DemandResponseError, match="timezone-aware"):
        ev("X", {"S"}, datetime(2026, 1, 1), T0, target_import_kw=1)
    r = ev("R", {"S"}, T0, T0 + H, reduction_kw=10)
    with pytest.raises(DemandResponseError, match=r"no baseline_kw_by_site\['S'\]"):
        active_limit("S", [r], T0)


def test_time_weighted_mean_holds_samples_until_the_next_and_caps_gaps() -> None:
    s = [PowerSample(T0, 10), PowerSample(T0 + 10 * M, 40), PowerSample(T0 + 60 * M, 0)]
    # [T0, T0+30min): 10 kW for 10 min, then 40 kW held for at most 15 min (telemetry gap after
    # T0+25) -> (10*10 + 40*15) / 25 = 28 kW over 1500 s covered
    mean, covered = time_weighted_mean_kw(s, T0, T0 + 30 * M)
    assert mean == pytest.approx(28) and covered == pytest.approx(1500)
    mean, _ = time_weighted_mean_kw(s, T0, T0 + 30 * M, max_hold_s=3600)
    assert mean == pytest.approx(30)  # (100 + 800) / 30 when the sample may hold to the next
    # the 40 kW sample holds at most 15 min: [T0+25, T0+60) covers only up to T0+25 -> nothing
    mean, covered = time_weighted_mean_kw(s, T0 + 25 * M, T0 + 60 * M)
    assert mean is None and covered == 0


def test_baseline_is_mean_of_same_slot_on_previous_days_with_data() -> None:
    samples = []
    # previous days: day-1 imports 80 kW over the slot, day-2 60 kW, day-3 no data, day-4 100 kW
    for d, kw in ((4, 100.0), (2, 60.0), (1, 80.0)):
        day = T0 - timedelta(days=d)
        samples += [PowerSample(day + k * 15 * M, kw) for k in range(4)]
    samples.sort(key=lambda p: p.t)
    assert baseline_kw(samples, T0, T0 + H, days=5) == pytest.approx((80 + 60 + 100) / 3)
    assert baseline_kw(samples, T0, T0 + H, days=2) == pytest.approx(70)
    with pytest.raises(DemandResponseError, match="no day among the previous 5"):
        baseline_kw([], T0, T0 + H)
    with pytest.raises(DemandResponseError, match=r"samples\[1\]: not sorted"):
        baseline_kw([PowerSample(T0, 1), PowerSample(T0 - H, 1)], T0, T0 + H)


def test_event_performance_measured_vs_target() -> None:
    e = ev("E", {"S"}, T0, T0 + H, reduction_kw=30, baseline_kw_by_site={"S": 90})  # target 60 kW
    samples = [PowerSample(T0 - 15 * M, 95), PowerSample(T0, 70), PowerSample(T0 + 15 * M, 55)]
    samples += [PowerSample(T0 + 30 * M, 50), PowerSample(T0 + 45 * M, 50)]
    perf = event_performance(e, "S", samples, now=T0 + 2 * H)
    # 15 min each: (70 + 55 + 50 + 50) / 4 = 56.25 kW
    assert perf.target_kw == 60
    assert perf.measured_mean_kw == pytest.approx(56.25)
    assert perf.measured_max_kw == 70
    assert perf.reduction_achieved_kw == pytest.approx(33.75)
    assert perf.within_target is True
    assert perf.coverage_pct == pytest.approx(100)
    # half-way through, only the first 30 minutes count: (70 + 55) / 2 = 62.5 > 60
    mid = event_performance(e, "S", samples, now=T0 + 30 * M)
    assert mid.measured_mean_kw == pytest.approx(62.5)
    assert mid.within_target is False
    assert event_performance(e, "S", samples, now=T0 + 30 * M, tolerance_kw=3).within_target is True
    before = event_performance(e, "S", samples, now=T0 - M)
    assert before.measured_mean_kw is None and before.within_target is None


def test_area_flexibility_sums_sites() -> None:
    a = SiteFlexibility("A", charging_shed_w=20_000, battery_headroom_w=5_000, grid_import_w=50_000)
    b = SiteFlexibility("B", charging_shed_w=0, battery_headroom_w=30_000, grid_import_w=10_000)
    area = area_flexibility([a, b])
    assert area.total_w == 55_000
    assert area.charging_shed_w == 20_000 and area.battery_headroom_w == 35_000
    assert area.by_site["A"].total_w == 25_000


def test_next_event_boundary_for_scheduling() -> None:
    a = ev("A", {"S"}, T0 + H, T0 + 2 * H, target_import_kw=60)
    c = ev("C", {"S"}, T0 + 30 * M, T0 + 3 * H, target_import_kw=5, cancelled=True)
    assert next_event_boundary([a, c], T0) == T0 + H
    assert next_event_boundary([a, c], T0 + H) == T0 + 2 * H
    assert next_event_boundary([a, c], T0 + 2 * H) is None


def test_split_group_target_in_proportion_to_baselines() -> None:
    split = split_group_target(90, {"A": 100, "B": 50, "C": 0})
    assert split == pytest.approx({"A": 60, "B": 30, "C": 0})
    g = ev("G", {"A", "B", "C"}, T0, T0 + H, target_import_kw_by_site=split)
    assert active_limit("B", [g], T0).limit_kw == pytest.approx(30)
    with pytest.raises(DemandResponseError, match="positive sum"):
        split_group_target(10, {"A": 0})
