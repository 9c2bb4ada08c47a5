"""Measured flexibility of a 光储充 site and of a district: how far the metered import can move, for how long.

The virtual-power-plant view the load-management centre reads. It starts from the **meter**, not the plan:
the site's metered grid import, each session's metered power, the battery's measured power and state of
charge, and what each session still needs by when. Powers [W], energies [Wh], durations [s].

Each session's power is its own meter's last reading scaled to the charging power the site meter implies now
(:func:`reconcile`): stations meter every minute or so, the site every second.

**Downward** (import less): each session down to its minimum (``power - min``), the battery from its
measured power up to its discharge rating (``rating - power``: stop charging, then discharge). The offer
never exceeds the metered import (no export is promised). A session is held down only while it can still
get its energy by its departure at full power afterwards (its *slack*); without a departure or energy it
is held to the horizon (``assumed`` says so). The battery holds while its energy above the SoC floor lasts
at its rating.

**Upward** (import more): each session up to its maximum until its energy is delivered (or it departs), the
battery from its measured power down to minus its rating (charging) until the SoC ceiling; never more than
the headroom under the import limit in force (the connection, or a demand-response target).

Each :class:`Offer` gives the power now, how long the whole of it can be held (``full_s``), and the energy
the held reduction or increase sums to over the horizon as its parts drop out (``energy_wh``). The same is
projected at each following hour: sessions that have left are gone, the others have charged on at their
metered power, the battery's SoC moved on at its metered power; PV and the building are held as measured.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from csms.domain.energy.model import AllocationInputError

__all__ = [
    "BatteryNow",
    "FlexPoint",
    "Offer",
    "SessionNow",
    "SiteFlex",
    "SiteNow",
    "DistrictFlex",
    "district_flexibility",
    "reconcile",
    "site_flex",
]

STEP_S = 60.0
"""Resolution of the holding simulation [s]."""


@dataclass(frozen=True)
class SessionNow:
    """A session as metered now [W, Wh]; ``energy_needed_wh`` is what it still needs (``None``: unknown)."""

    session_id: str
    power_w: float
    min_power_w: float
    max_power_w: float
    energy_needed_wh: float | None = None
    departure_at: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("power_w", "min_power_w", "max_power_w"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise AllocationInputError(
                    f"session {self.session_id}: {name} must be finite and >= 0, got {v}"
                )
        if self.energy_needed_wh is not None and not self.energy_needed_wh >= 0:
            raise AllocationInputError(f"session {self.session_id}: energy_needed_wh must be >= 0")


@dataclass(frozen=True)
class BatteryNow:
    """The battery as measured: power (> 0 discharging) [W], SoC and its window [%], capacity [Wh],
    rating [W]."""

    power_w: float
    soc_pct: float
    soc_min_pct: float
    soc_max_pct: float
    capacity_wh: float
    rating_w: float

    def energy_above_floor_wh(self, soc_pct: float) -> float:
        return max(0.0, (soc_pct - self.soc_min_pct) / 100 * self.capacity_wh)

    def room_below_ceiling_wh(self, soc_pct: float) -> float:
        return max(0.0, (self.soc_max_pct - soc_pct) / 100 * self.capacity_wh)


@dataclass(frozen=True)
class SiteNow:
    """What the meter says of one site at ``measured_at``; ``import_limit_w`` is the limit in force [W]."""

    site_id: str
    measured_at: datetime
    grid_import_w: float
    import_limit_w: float
    sessions: tuple[SessionNow, ...] = ()
    battery: BatteryNow | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.grid_import_w) and math.isfinite(self.import_limit_w)):
            raise AllocationInputError(
                f"site {self.site_id}: grid_import_w and import_limit_w must be finite"
            )


@dataclass(frozen=True)
class Offer:
    """One direction's flexibility from one instant: ``power_w`` now (of which ``charging_w`` from sessions
    and ``battery_w`` from the battery, before the cap by import or headroom), held in full for ``full_s``
    (``None``: past the horizon), summing to ``energy_wh`` over the horizon; ``assumed``: a session without
    a departure or energy was counted to the horizon."""

    power_w: float
    charging_w: float
    battery_w: float
    full_s: float | None
    energy_wh: float
    assumed: bool


@dataclass(frozen=True)
class FlexPoint:
    at: datetime
    down: Offer
    up: Offer


@dataclass(frozen=True)
class SiteFlex:
    site_id: str
    measured_at: datetime
    grid_import_w: float
    import_limit_w: float
    points: tuple[FlexPoint, ...]
    """Now first, then one per hour of the horizon."""

    @property
    def now(self) -> FlexPoint:
        return self.points[0]


@dataclass(frozen=True)
class DistrictFlex:
    points: tuple[FlexPoint, ...]
    """Per instant of the sites' horizon, the sum of the sites' offers (``full_s``: the shortest of them)."""
    sites: tuple[SiteFlex, ...]


# A part of an offer: power [W] held until an offset [s] from the offer's start (None: past the horizon).
_Part = tuple[float, float | None, bool]


def _session_parts(s: SessionNow, start: datetime, down: bool) -> _Part:
    """(power, held until [s], assumed) of one session's share of an offer starting at ``start``."""
    if down:
        power = max(0.0, s.power_w - s.min_power_w)
        if s.departure_at is None or s.energy_needed_wh is None:
            return power, None, True
        left_s = (s.departure_at - start).total_seconds()
        if s.max_power_w <= 0 or left_s <= 0:
            return power, 0.0, False
        # Held at its minimum while the rest still fits in at full power: need - min t <= max (left - t).
        slack = (s.max_power_w * left_s - s.energy_needed_wh * 3600) / (s.max_power_w - s.min_power_w or 1e-9)
        return power, max(0.0, min(left_s, slack)), False
    power = max(0.0, s.max_power_w - s.power_w)
    until: float | None = None
    assumed = s.energy_needed_wh is None and s.departure_at is None
    if s.energy_needed_wh is not None:
        until = s.energy_needed_wh * 3600 / s.max_power_w if s.max_power_w > 0 else 0.0
    if s.departure_at is not None:
        left_s = max(0.0, (s.departure_at - start).total_seconds())
        until = left_s if until is None else min(until, left_s)
    return power, until, assumed


def _battery_part(b: BatteryNow, soc_pct: float, down: bool) -> _Part:
    if b.rating_w <= 0:
        return 0.0, 0.0, False
    if down:
        power = max(0.0, b.rating_w - b.power_w) if b.energy_above_floor_wh(soc_pct) > 0 else 0.0
        return power, b.energy_above_floor_wh(soc_pct) * 3600 / b.rating_w, False
    power = max(0.0, b.rating_w + b.power_w) if b.room_below_ceiling_wh(soc_pct) > 0 else 0.0
    return power, b.room_below_ceiling_wh(soc_pct) * 3600 / b.rating_w, False


def _offer(
    parts: Sequence[_Part], charging_w: float, battery_w: float, cap_w: float, horizon_s: float
) -> Offer:
    cap_w = max(0.0, cap_w)
    total = min(cap_w, sum(p for p, _, _ in parts))
    assumed = any(a for p, _, a in parts if p > 0)
    # Held in full until the first part with power drops out, unless the cap leaves enough to spare.
    ends = sorted({u for p, u, _ in parts if p > 0 and u is not None and u < horizon_s})
    full_s: float | None = None
    for end in ends:
        if sum(p for p, u, _ in parts if u is None or u > end) + 1e-9 < total:
            full_s = end
            break
    energy = 0.0
    t = 0.0
    while t < horizon_s:
        dt = min(STEP_S, horizon_s - t)
        mid = t + dt / 2
        energy += min(cap_w, sum(p for p, u, _ in parts if u is None or u > mid)) * dt / 3600
        t += dt
    return Offer(total, charging_w, battery_w, full_s, energy, assumed)


def _point(site: SiteNow, at: datetime, horizon_s: float) -> FlexPoint:
    ahead_s = (at - site.measured_at).total_seconds()
    sessions: list[SessionNow] = []
    gone_w = 0.0
    for s in site.sessions:
        if ahead_s > 0 and s.departure_at is not None and s.departure_at <= at:
            gone_w += s.power_w
            continue
        need = s.energy_needed_wh
        if need is not None and ahead_s > 0:
            need = max(0.0, need - s.power_w * ahead_s / 3600)
            if need == 0.0:
                gone_w += s.power_w
                continue
        sessions.append(
            SessionNow(s.session_id, s.power_w, s.min_power_w, s.max_power_w, need, s.departure_at)
        )
    import_w = site.grid_import_w - gone_w
    b = site.battery
    soc = None
    if b is not None:
        soc = b.soc_pct - b.power_w * ahead_s / 3600 / b.capacity_wh * 100 if b.capacity_wh > 0 else b.soc_pct
        soc = min(max(soc, min(b.soc_min_pct, b.soc_pct)), max(b.soc_max_pct, b.soc_pct))
        if ahead_s > 0 and (
            (b.power_w > 0 and soc <= b.soc_min_pct) or (b.power_w < 0 and soc >= b.soc_max_pct)
        ):
            import_w += b.power_w  # it has stopped: what it gave (or took) the grid now gives (or is spared)
    offers = []
    for down in (True, False):
        parts = [_session_parts(s, at, down) for s in sessions]
        charging = sum(p for p, _, _ in parts)
        battery = 0.0
        if b is not None and soc is not None:
            bp = _battery_part(b, soc, down)
            battery = bp[0]
            parts.append(bp)
        cap = import_w if down else site.import_limit_w - import_w
        offers.append(_offer(parts, charging, battery, cap, horizon_s))
    return FlexPoint(at, offers[0], offers[1])


def site_flex(site: SiteNow, *, hours: int = 4) -> SiteFlex:
    """The site's flexibility now and at each of the next ``hours`` hours (each held to the horizon's end)."""
    if not 0 <= hours <= 48:
        raise AllocationInputError(f"hours must be within 0..48, got {hours}")
    end = site.measured_at + timedelta(hours=max(hours, 1))
    points = []
    for h in range(hours + 1):
        at = site.measured_at + timedelta(hours=h)
        points.append(_point(site, at, max(STEP_S, (end - at).total_seconds())))
    return SiteFlex(site.site_id, site.measured_at, site.grid_import_w, site.import_limit_w, tuple(points))


def _sum(offers: Iterable[Offer]) -> Offer:
    offers = list(offers)
    fulls = [o.full_s for o in offers if o.power_w > 0 and o.full_s is not None]
    return Offer(
        sum(o.power_w for o in offers), sum(o.charging_w for o in offers), sum(o.battery_w for o in offers),
        min(fulls) if fulls else None, sum(o.energy_wh for o in offers), any(o.assumed for o in offers),
    )  # fmt: skip


def district_flexibility(sites: Sequence[SiteFlex]) -> DistrictFlex:
    """The sum over sites, instant by instant (the sites' horizons are aligned by their index)."""
    n = min((len(s.points) for s in sites), default=0)
    points = tuple(
        FlexPoint(
            min(s.points[i].at for s in sites),
            _sum(s.points[i].down for s in sites),
            _sum(s.points[i].up for s in sites),
        )
        for i in range(n)
    )
    return DistrictFlex(points, tuple(sites))


def reconcile(sessions: Sequence[SessionNow], charging_w: float) -> tuple[SessionNow, ...]:
    """The sessions' powers scaled to the charging power the site meter implies [W].

    A station meters its session every minute or so; the site meter (import + PV + battery - base load) is
    read every second. Each session keeps its share of the total its own meter last gave (equal shares
    when none reported), capped at its maximum.

    >>> s = (SessionNow("a", 10_000, 0, 22_000), SessionNow("b", 30_000, 0, 60_000))
    >>> [x.power_w for x in reconcile(s, 60_000)]
    [15000.0, 45000.0]
    """
    if not sessions or not math.isfinite(charging_w):
        return tuple(sessions)
    charging_w = max(0.0, charging_w)
    total = sum(s.power_w for s in sessions)
    shares = [s.power_w / total if total > 0 else 1 / len(sessions) for s in sessions]
    return tuple(
        replace(s, power_w=min(s.max_power_w, charging_w * k)) for s, k in zip(sessions, shares, strict=True)
    )
