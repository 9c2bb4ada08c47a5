"""Measured flexibility of the sites and the district (the VPP view from the meter): reads, then the domain.

For each site: the latest telemetry sample (metered import, battery power and SoC), each open session's
latest metered ``Power.Active.Import`` (its limit's source when it has none: the minimum it charges at), its
minimum and maximum as the allocator sees them, and its charging needs (``ev_charging_needs``: energy still
asked for, departure). :func:`csms.domain.energy.flexibility.site_flex` does the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.models import MeterReading
from csms.db.uow import UnitOfWork
from csms.domain.demand_response import active_limit
from csms.domain.energy.control import ControlPolicy
from csms.domain.energy.flexibility import (
    BatteryNow,
    DistrictFlex,
    SessionNow,
    SiteFlex,
    SiteNow,
    district_flexibility,
    reconcile,
    site_flex,
)
from csms.domain.energy.site import SiteSnapshot
from csms.domain.energy.state import site_state
from csms.domain.timeutil import Clock
from csms.services.demand_response import DemandResponseService
from csms.services.ev_needs import SessionNeeds, session_needs
from csms.services.gateway import StationGateway
from csms.services.sites import SiteService


class FlexibilityService:
    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        sites: SiteService,
        demand_response: DemandResponseService,
        gateway: StationGateway,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._sites = sites
        self._dr = demand_response
        self._gw = gateway

    async def sites(self, site_ids: Sequence[str] | None, *, hours: int = 4) -> list[SiteFlex]:
        """Each site's measured flexibility now and at each of the next ``hours`` hours (sites without
        telemetry are left out: there is no meter to start from)."""
        now = self._clock()
        snaps = await self._sites.snapshots(site_ids)
        events = await self._dr.live_events(now)
        pks = [int(s.session_id) for snap in snaps for s in snap.sessions]
        async with self._uow.read() as session:
            powers = await session_powers(session, pks)
            needs = await session_needs(session, pks)
        out = []
        for snap in snaps:
            site = self._site_now(snap, now, events, powers, needs)
            if site is not None:
                out.append(site_flex(site, hours=hours))
        return out

    async def district(self, site_ids: Sequence[str] | None, *, hours: int = 4) -> DistrictFlex:
        return district_flexibility(await self.sites(site_ids, hours=hours))

    def _site_now(
        self,
        snap: SiteSnapshot,
        now: datetime,
        events: Sequence,
        powers: dict[int, float],
        needs: dict[int, SessionNeeds],
    ) -> SiteNow | None:
        t = snap.latest
        if t is None:
            return None
        spec = snap.spec
        limit_w = spec.connection_limit_kw * 1000
        dr = active_limit(spec.site_id, events, now)
        if dr is not None:
            limit_w = min(limit_w, dr.limit_kw * 1000)
        state = site_state(snap, now, is_online=self._gw.is_online, sent={}, control_policy=ControlPolicy())
        sessions = []
        for d in state.sessions:
            pk = int(d.session_id)
            n = needs.get(pk)
            sessions.append(
                SessionNow(
                    d.session_id,
                    powers.get(pk, d.min_power_w),
                    d.min_power_w,
                    d.max_power_w,
                    n.energy_needed_wh if n else None,
                    n.departure_at if n else None,
                )
            )
        battery = None
        if t.battery_soc_pct is not None and spec.battery_capacity_kwh > 0:
            battery = BatteryNow(
                t.battery_power_w, t.battery_soc_pct, spec.battery_soc_min_pct, spec.battery_soc_max_pct,
                spec.battery_capacity_kwh * 1000, spec.battery_power_kw * 1000,
            )  # fmt: skip
        metered = t.grid_import_w
        if metered is None:  # no site meter: the balance of what was measured
            metered = t.base_load_w - t.pv_power_w - t.battery_power_w + sum(s.power_w for s in sessions)
        else:  # the site meter is read every second, the sessions' meters every minute or so
            sessions = list(reconcile(sessions, metered + t.pv_power_w + t.battery_power_w - t.base_load_w))
        return SiteNow(spec.site_id, t.timestamp, metered, limit_w, tuple(sessions), battery)


async def session_powers(session: AsyncSession, transaction_pks: Sequence[int]) -> dict[int, float]:
    """Each open transaction's latest metered active power [W] (the sum of its phases when per phase)."""
    if not transaction_pks:
        return {}
    last = (
        select(func.max(MeterReading.id))
        .where(MeterReading.transaction_pk.in_(list(transaction_pks)))
        .group_by(MeterReading.transaction_pk)
    )
    out: dict[int, float] = {}
    rows = await session.execute(
        select(MeterReading.transaction_pk, MeterReading.samples).where(MeterReading.id.in_(last))
    )
    for pk, samples in rows:
        values = [
            (v.get("phase"), float(v["value"]))
            for v in samples or ()
            if v.get("measurand") == "Power.Active.Import" and isinstance(v.get("value"), int | float)
        ]
        total = [w for phase, w in values if not phase]
        per_phase = [w for phase, w in values if phase in ("L1", "L2", "L3", "L1-N", "L2-N", "L3-N")]
        if total:
            out[pk] = max(0.0, total[0])
        elif per_phase:
            out[pk] = max(0.0, sum(per_phase))
    return out
