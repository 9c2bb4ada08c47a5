"""Demand response (需求响应) for the load-management centre: events, limits, baselines, results.

Pure functions over plain values. The centre sends an event for one site or a group of sites:
either a target import limit [kW] or a reduction [kW] from a baseline, between ``start`` and
``end``. While several events overlap, the strictest (lowest) limit wins, because every one of
them is a commitment the site must honour at the same time.

Baselines follow the common "same slot of the previous N days" rule (the mean grid import
over the event's time slot on each of the previous days that have data, averaged over days);
a baseline may also be given explicitly on the event.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from csms.errors import InvalidInput

if TYPE_CHECKING:  # only for the annotation: energy.allocation imports this module
    from csms.domain.energy.model import Allocation

__all__ = [
    "DemandResponseError",
    "DemandResponseEvent",
    "ActiveLimit",
    "PowerSample",
    "EventPerformance",
    "SiteFlexibility",
    "active_limit",
    "next_event_boundary",
    "split_group_target",
    "baseline_kw",
    "time_weighted_mean_kw",
    "event_performance",
    "site_flexibility",
    "AreaFlexibility",
    "area_flexibility",
]


class DemandResponseError(InvalidInput, ValueError):
    """An event or a measurement series is invalid; the message names the field."""


def _aware(t: datetime, what: str) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise DemandResponseError(f"{what} must be timezone-aware, got {t.isoformat()}")


@dataclass(frozen=True)
class DemandResponseEvent:
    """A curtailment request from the load-management centre.

    Exactly one of ``target_import_kw`` (an import limit [kW] applied to each listed site) and
    ``reduction_kw`` (a cut [kW] from each site's baseline) is set. ``baseline_kw_by_site``
    holds the baseline [kW] the service fixed when the event was created (required for a
    reduction event). ``target_import_kw_by_site`` may split a group's aggregate target.
    The event is in force on ``[start, end)`` unless ``cancelled``; ``cancelled_at`` (when known) is when
    it stopped being in force, so a report covers ``[start, min(end, cancelled_at))``.
    """

    event_id: str
    site_ids: frozenset[str]
    start: datetime
    end: datetime
    target_import_kw: float | None = None
    reduction_kw: float | None = None
    baseline_kw_by_site: Mapping[str, float] = field(default_factory=dict)
    target_import_kw_by_site: Mapping[str, float] = field(default_factory=dict)
    cancelled: bool = False
    cancelled_at: datetime | None = None

    def __post_init__(self) -> None:
        _aware(self.start, f"event {self.event_id}: start")
        _aware(self.end, f"event {self.event_id}: end")
        if self.end <= self.start:
            raise DemandResponseError(f"event {self.event_id}: end must be after start")
        if not self.site_ids:
            raise DemandResponseError(f"event {self.event_id}: site_ids is empty")
        has_target = self.target_import_kw is not None or bool(self.target_import_kw_by_site)
        if has_target == (self.reduction_kw is not None):
            raise DemandResponseError(
                f"event {self.event_id}: give exactly one of target_import_kw and reduction_kw"
            )
        values = [("target_import_kw", self.target_import_kw), ("reduction_kw", self.reduction_kw)]
        values += [(f"target_import_kw_by_site[{s!r}]", v) for s, v in self.target_import_kw_by_site.items()]
        values += [(f"baseline_kw_by_site[{s!r}]", v) for s, v in self.baseline_kw_by_site.items()]
        for name, value in values:
            # NaN compares false with everything and infinity is no limit: both would silently disable it.
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise DemandResponseError(
                    f"event {self.event_id}: {name} must be finite and >= 0, got {value}"
                )
        if self.cancelled_at is not None:
            _aware(self.cancelled_at, f"event {self.event_id}: cancelled_at")

    @property
    def effective_end(self) -> datetime:
        """When the event stopped being in force: its end, or its cancellation if that came first."""
        if self.cancelled and self.cancelled_at is not None:
            return max(self.start, min(self.end, self.cancelled_at))
        return self.end

    def status_at(self, now: datetime) -> str:
        """``scheduled``, ``active``, ``ended`` or ``cancelled`` at ``now``."""
        if self.cancelled:
            return "cancelled"
        return "scheduled" if now < self.start else "active" if now < self.end else "ended"

    def in_force(self, site_id: str, t: datetime) -> bool:
        return not self.cancelled and site_id in self.site_ids and self.start <= t < self.end

    def limit_kw(self, site_id: str) -> float:
        """The import limit this event sets for ``site_id`` [kW] (never below 0)."""
        if site_id in self.target_import_kw_by_site:
            return max(0.0, float(self.target_import_kw_by_site[site_id]))
        if self.target_import_kw is not None:
            return self.target_import_kw
        if site_id not in self.baseline_kw_by_site:
            raise DemandResponseError(
                f"event {self.event_id}: reduction event has no baseline_kw_by_site[{site_id!r}]"
            )
        assert self.reduction_kw is not None
        return max(0.0, self.baseline_kw_by_site[site_id] - self.reduction_kw)


@dataclass(frozen=True)
class ActiveLimit:
    """The import limit [kW] in force for a site and the event that sets it."""

    limit_kw: float
    event_id: str


def active_limit(site_id: str, events: Iterable[DemandResponseEvent], t: datetime) -> ActiveLimit | None:
    """The strictest limit among events in force for ``site_id`` at ``t``, or ``None``.

    Ties go to the event with the smaller id, so the answer does not depend on input order.
    """
    best: ActiveLimit | None = None
    for ev in events:
        if not ev.in_force(site_id, t):
            continue
        cand = ActiveLimit(ev.limit_kw(site_id), ev.event_id)
        if best is None or (cand.limit_kw, cand.event_id) < (best.limit_kw, best.event_id):
            best = cand
    return best


def next_event_boundary(events: Iterable[DemandResponseEvent], after: datetime) -> datetime | None:
    """The first start or end of a live event strictly after ``after``, or ``None``.

    The service schedules an allocation cycle at that instant, so a new limit reaches the
    stations at the event start rather than at the next periodic cycle.
    """
    times = [t for ev in events if not ev.cancelled for t in (ev.start, ev.end) if t > after]
    return min(times, default=None)


def split_group_target(target_total_kw: float, baseline_kw_by_site: Mapping[str, float]) -> dict[str, float]:
    """Split a group's aggregate import target among its sites in proportion to their baselines.

    Every site then cuts the same fraction of its baseline, which is the neutral split when the
    centre does not say otherwise. Use the result as ``target_import_kw_by_site``.

    >>> split_group_target(60, {"A": 80, "B": 40})
    {'A': 40.0, 'B': 20.0}
    """
    if target_total_kw < 0:
        raise DemandResponseError("target_total_kw must be >= 0")
    total = sum(baseline_kw_by_site.values())
    if total <= 0 or any(v < 0 for v in baseline_kw_by_site.values()):
        raise DemandResponseError("baseline_kw_by_site must be >= 0 with a positive sum")
    return {site: target_total_kw * b / total for site, b in baseline_kw_by_site.items()}


@dataclass(frozen=True)
class PowerSample:
    """Grid import ``import_kw`` [kW] measured at ``t``; it holds until the next sample."""

    t: datetime
    import_kw: float


def time_weighted_mean_kw(
    samples: Sequence[PowerSample], start: datetime, end: datetime, *, max_hold_s: float = 900.0
) -> tuple[float | None, float]:
    """Time-weighted mean import over ``[start, end)`` and the seconds actually covered.

    Each sample holds until the next one but at most ``max_hold_s`` (so a gap in telemetry is
    a gap, not a long flat line). ``samples`` must be sorted by time. Returns ``(None, 0)``
    when nothing covers the window.
    """
    area = 0.0
    covered = 0.0
    for i, s in enumerate(samples):
        hold_end = s.t + timedelta(seconds=max_hold_s)
        if i + 1 < len(samples):
            hold_end = min(hold_end, samples[i + 1].t)
        a, b = max(s.t, start), min(hold_end, end)
        if b > a:
            dt = (b - a).total_seconds()
            area += s.import_kw * dt
            covered += dt
    return (area / covered if covered > 0 else None), covered


def _check_sorted(samples: Sequence[PowerSample]) -> None:
    for i in range(1, len(samples)):
        if samples[i].t < samples[i - 1].t:
            raise DemandResponseError(f"samples[{i}]: not sorted by time")


def baseline_kw(
    samples: Sequence[PowerSample],
    slot_start: datetime,
    slot_end: datetime,
    *,
    days: int = 5,
    min_coverage: float = 0.5,
    max_hold_s: float = 900.0,
) -> float:
    """Mean import over the same slot of the previous ``days`` days [kW].

    A day counts only if telemetry covers at least ``min_coverage`` of its slot; the baseline
    is the plain mean of the counted days' slot means. Raises if no day counts.
    """
    _aware(slot_start, "slot_start")
    _check_sorted(samples)
    slot_s = (slot_end - slot_start).total_seconds()
    if slot_s <= 0:
        raise DemandResponseError("baseline slot: slot_end must be after slot_start")
    means = []
    for d in range(1, days + 1):
        shift = timedelta(days=d)
        mean, covered = time_weighted_mean_kw(
            samples, slot_start - shift, slot_end - shift, max_hold_s=max_hold_s
        )
        if mean is not None and covered >= min_coverage * slot_s:
            means.append(mean)
    if not means:
        raise DemandResponseError(f"baseline: no day among the previous {days} has enough data for the slot")
    return sum(means) / len(means)


@dataclass(frozen=True)
class EventPerformance:
    """Measured-vs-target for one event at one site (the centre's per-event view)."""

    event_id: str
    site_id: str
    baseline_kw: float | None
    target_kw: float
    measured_mean_kw: float | None
    measured_max_kw: float | None
    reduction_achieved_kw: float | None
    within_target: bool | None
    coverage_pct: float


def event_performance(
    event: DemandResponseEvent,
    site_id: str,
    samples: Sequence[PowerSample],
    now: datetime,
    *,
    tolerance_kw: float = 0.0,
    max_hold_s: float = 900.0,
) -> EventPerformance:
    """Compare measured grid import with the event's target over ``[start, min(end, cancelled_at, now))``.

    ``within_target`` is judged on the time-weighted mean (how load-management centres settle
    an event) plus ``tolerance_kw``; the max is reported so a spike is visible too.
    """
    _check_sorted(samples)
    target = event.limit_kw(site_id)
    baseline = event.baseline_kw_by_site.get(site_id)
    end = min(event.effective_end, now)
    mean, covered = (
        (None, 0.0)
        if end <= event.start
        else time_weighted_mean_kw(samples, event.start, end, max_hold_s=max_hold_s)
    )
    inside = [s.import_kw for s in samples if event.start <= s.t < end]
    span = (end - event.start).total_seconds()
    return EventPerformance(
        event_id=event.event_id,
        site_id=site_id,
        baseline_kw=baseline,
        target_kw=target,
        measured_mean_kw=mean,
        measured_max_kw=max(inside) if inside else None,
        reduction_achieved_kw=(baseline - mean) if (baseline is not None and mean is not None) else None,
        within_target=None if mean is None else mean <= target + tolerance_kw,
        coverage_pct=100.0 * covered / span if span > 0 else 0.0,
    )


@dataclass(frozen=True)
class SiteFlexibility:
    """How much a site could shed now [W] (the virtual-power-plant view).

    ``charging_shed_w`` is the charging power above the sessions' minimums; ``battery_headroom_w``
    is the extra discharge the battery could give within its SoC and power limits.
    """

    site_id: str
    charging_shed_w: float
    battery_headroom_w: float
    grid_import_w: float

    @property
    def total_w(self) -> float:
        return self.charging_shed_w + self.battery_headroom_w


def site_flexibility(allocation: Allocation) -> SiteFlexibility:
    """Flexibility of one site from its latest :class:`csms.domain.energy.Allocation`."""
    shed = sum(max(0.0, s.limit_w - s.min_power_w) for s in allocation.sessions if s.limit_w > 0)
    headroom = max(0.0, allocation.battery_discharge_max_w - max(0.0, allocation.battery_setpoint_w))
    return SiteFlexibility(allocation.site_id, shed, headroom, allocation.grid_import_w)


@dataclass(frozen=True)
class AreaFlexibility:
    total_w: float
    charging_shed_w: float
    battery_headroom_w: float
    by_site: Mapping[str, SiteFlexibility]


def area_flexibility(sites: Iterable[SiteFlexibility]) -> AreaFlexibility:
    """Sum of site flexibilities for an area or a group of sites."""
    by_site = {s.site_id: s for s in sites}
    shed = sum(s.charging_shed_w for s in by_site.values())
    bat = sum(s.battery_headroom_w for s in by_site.values())
    return AreaFlexibility(shed + bat, shed, bat, by_site)
