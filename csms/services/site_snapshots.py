"""The energy manager's view of the sites: one :class:`SiteSnapshot` per site, read in seven queries.

Session-level helpers: :meth:`csms.services.sites.SiteService.snapshots` owns the unit of work. Also the
mapping of stored site rows to the domain's :class:`SiteSpec` and :class:`Member`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.models import MeterReading, Transaction
from csms.db.sites import Site, SiteStation, SiteTelemetry
from csms.domain.energy import ActiveSession, CurrentType, Member, PriorityClass, SiteSnapshot, SiteSpec
from csms.domain.session import OPEN_STATUSES
from csms.domain.tariff import TouTariff
from csms.services.ev_needs import session_needs
from csms.services.site_telemetry import recent_samples, sample_of


def member_from_columns(
    station_id: str,
    current_type: str,
    phases: int,
    max_power_w: float,
    min_power_w: float | None,
    priority: str,
) -> Member:
    """A member from the stored columns of its ``site_stations`` row."""
    return Member(
        station_id, CurrentType(current_type), phases, max_power_w, min_power_w, PriorityClass(priority)
    )


def spec_of(site: Site) -> SiteSpec:
    return SiteSpec(
        site.id,
        site.grid_limit_kw,
        site.transformer_limit_kw,
        site.pv_kwp,
        site.battery_capacity_kwh,
        site.battery_power_kw,
        site.battery_soc_min_pct,
        site.battery_soc_max_pct,
        site.base_load_kw,
        site.voltage_v,
    )


async def read_snapshots(
    session: AsyncSession,
    site_ids: Sequence[str] | None,
    *,
    horizon: datetime,
    recent_s: float,
    tariff_of: Callable[[Site], TouTariff],
) -> list[SiteSnapshot]:
    """Spec, tariff, stations (with their metered voltage), latest and recent telemetry and active sessions
    of the sites (all when ``None``). Samples dated after ``horizon`` are not read; ``recent`` holds the
    samples of the last ``recent_s`` seconds before the latest one."""
    query = select(Site).order_by(Site.id)
    if site_ids is not None:
        query = query.where(Site.id.in_(list(site_ids)))
    sites = list(await session.scalars(query))
    ids = [s.id for s in sites]
    members: dict[str, list[Member]] = {i: [] for i in ids}
    station_site: dict[str, str] = {}
    # Columns, not ORM objects: this runs every cycle for every station of every site.
    ss = SiteStation
    cols = (ss.station_id, ss.current_type, ss.phases, ss.max_power_w, ss.min_power_w, ss.priority)
    for site_id, *m in await session.execute(select(ss.site_id, *cols).where(ss.site_id.in_(ids))):
        members[site_id].append(member_from_columns(*m))
        station_site[m[0]] = site_id
    latest_ts = (
        select(SiteTelemetry.site_id, func.max(SiteTelemetry.timestamp).label("ts"))
        .where(SiteTelemetry.site_id.in_(ids), SiteTelemetry.timestamp <= horizon)
        .group_by(SiteTelemetry.site_id)
        .subquery()
    )
    latest: dict[str, SiteTelemetry] = {}
    rows = await session.scalars(
        select(SiteTelemetry)
        .join(
            latest_ts,
            (SiteTelemetry.site_id == latest_ts.c.site_id) & (SiteTelemetry.timestamp == latest_ts.c.ts),
        )
        .order_by(SiteTelemetry.id)
    )
    for row in rows:
        latest[row.site_id] = row  # the last received wins a tie on timestamp
    recent = await recent_samples(session, latest, recent_s)
    sessions: dict[str, list[ActiveSession]] = {i: [] for i in ids}
    tx = Transaction
    txs = await session.execute(
        select(tx.id, tx.station_id, tx.evse_id, tx.started_at, tx.uid)
        .where(tx.status.in_(OPEN_STATUSES), tx.station_id.in_(list(station_site)))
        .order_by(tx.id)
    )
    open_pks: list[int] = []
    for pk, station_id, evse_id, started_at, uid in txs:
        open_pks.append(pk)
        sessions[station_site[station_id]].append(
            ActiveSession(str(pk), station_id, evse_id, started_at, pk, uid)
        )
    volts = await station_voltages(session, open_pks)
    needs = await session_needs(session, open_pks)
    for site_sessions in sessions.values():
        for i, a in enumerate(site_sessions):
            n = needs.get(a.transaction_id)
            if n is not None:
                site_sessions[i] = replace(
                    a, energy_needed_wh=n.energy_needed_wh, departure_at=n.departure_at,
                    ev_max_power_w=n.ev_max_power_w,
                )  # fmt: skip
    return [
        SiteSnapshot(
            spec_of(s),
            tariff_of(s),
            s.area,
            tuple(
                replace(m, voltage_v=volts.get(m.station_id)) if m.current_type is CurrentType.AC else m
                for m in sorted(members[s.id], key=lambda m: m.station_id)
            ),
            sample_of(latest[s.id]) if s.id in latest else None,
            tuple(sessions[s.id]),
            recent.get(s.id, ()),
        )
        for s in sites
    ]


async def station_voltages(session: AsyncSession, transaction_pks: Sequence[int]) -> dict[str, float]:
    """The phase voltage [V] each station's meter last reported for its open transactions (the highest of its
    phases and EVSEs: planning at the higher voltage never draws more than planned)."""
    if not transaction_pks:
        return {}
    last = (
        select(func.max(MeterReading.id))
        .where(MeterReading.transaction_pk.in_(list(transaction_pks)))
        .group_by(MeterReading.transaction_pk)
    )
    out: dict[str, float] = {}
    rows = await session.execute(
        select(MeterReading.station_id, MeterReading.samples).where(MeterReading.id.in_(last))
    )
    for station_id, samples in rows:
        for v in samples or ():
            value = v.get("value")
            if v.get("measurand") == "Voltage" and isinstance(value, int | float) and 150 <= value <= 300:
                # Only a plausible phase-to-neutral voltage: a DC link or a line-to-line reading is no use.
                out[station_id] = max(out.get(station_id, 0.0), float(value))
    return out
