"""Sites: CRUD with their stations and tariff, telemetry in and out, snapshots for the energy manager.

Each public method is one unit of work; once it has committed, a change publishes :class:`SiteChanged` and
stored telemetry :class:`TelemetryReceived` (the energy manager subscribes). The domain decides what is
valid: a site is checked by building its :class:`~csms.domain.energy.SiteSpec`, a tariff by
:func:`~csms.domain.tariff.tariff_from_dict`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.models import MeterReading, Station, Transaction
from csms.db.sites import SentChargingProfile, Site, SiteStation, SiteTelemetry
from csms.db.uow import UnitOfWork
from csms.domain.energy import (
    ActiveSession,
    AllocationInputError,
    CurrentType,
    Member,
    PriorityClass,
    SiteSnapshot,
    SiteSpec,
    TelemetrySample,
)
from csms.domain.events import EventBus, SiteChanged, TelemetryReceived
from csms.domain.session import OPEN_STATUSES
from csms.domain.tariff import TariffError, TouTariff, hunan_default_tariff, tariff_from_dict
from csms.domain.timeutil import Clock
from csms.errors import Conflict, InvalidInput, NotFound

#: Fields a PATCH may set to null: no transformer limit, no area, the default tariff.
NULLABLE_FIELDS = frozenset({"transformer_limit_kw", "area", "tariff"})

_CHUNK = 500

SITE_FIELDS = (
    "name",
    "area",
    "grid_limit_kw",
    "transformer_limit_kw",
    "pv_kwp",
    "battery_capacity_kwh",
    "battery_power_kw",
    "battery_soc_min_pct",
    "battery_soc_max_pct",
    "base_load_kw",
    "voltage_v",
    "tariff",
)


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


class SiteService:
    def __init__(
        self, uow: UnitOfWork, clock: Clock, events: EventBus, *, max_future_s: float = 60.0
    ) -> None:
        self._max_future = timedelta(seconds=max_future_s)
        self._events = events
        self._uow = uow
        self._clock = clock
        self._tariffs: dict[str, TouTariff] = {}

    # -- tariffs -----------------------------------------------------------------------------------------
    def tariff_of(self, site: Site) -> TouTariff:
        """The site's tariff (the shipped Hunan default when it has none), parsed once per distinct text."""
        key = "" if site.tariff is None else json.dumps(site.tariff, sort_keys=True)
        tariff = self._tariffs.get(key)
        if tariff is None:
            tariff = hunan_default_tariff() if site.tariff is None else tariff_from_dict(site.tariff)
            self._tariffs[key] = tariff
        return tariff

    # -- CRUD --------------------------------------------------------------------------------------------
    async def create(self, site_id: str, fields: Mapping[str, Any], members: Sequence[Member] = ()) -> Site:
        now = self._clock()
        async with self._uow() as session:
            if await session.get(Site, site_id) is not None:
                raise Conflict(f"site {site_id!r} already exists")
            site = Site(id=site_id, created_at=now, updated_at=now, **_defaults(fields))
            _check(site)
            session.add(site)
            await session.flush()
            for i, m in enumerate(members):
                await _attach(session, site, m, f"stations[{i}].station_id")
        self._events.publish(SiteChanged(now, site_id))
        return site

    async def update(self, site_id: str, changes: Mapping[str, Any]) -> Site:
        async with self._uow() as session:
            site = await _site(session, site_id)
            for key, value in changes.items():
                if key not in SITE_FIELDS:
                    raise InvalidInput(f"{key} cannot be changed", field=key)
                if value is None and key not in NULLABLE_FIELDS:
                    raise InvalidInput(f"{key} cannot be null", field=key)
                setattr(site, key, value)
            _check(site)
            site.updated_at = self._clock()
        self._events.publish(SiteChanged(site.updated_at, site_id))
        return site

    async def delete(self, site_id: str) -> None:
        async with self._uow() as session:
            await session.delete(await _site(session, site_id))
        self._events.publish(SiteChanged(self._clock(), site_id))

    async def get(self, site_id: str) -> tuple[Site, list[SiteStation]]:
        async with self._uow.read() as session:
            site = await _site(session, site_id)
            rows = await session.scalars(
                select(SiteStation).where(SiteStation.site_id == site_id).order_by(SiteStation.station_id)
            )
            return site, list(rows)

    async def list(self, area: str | None = None) -> list[tuple[Site, list[SiteStation]]]:
        async with self._uow.read() as session:
            query = select(Site).order_by(Site.id)
            if area is not None:
                query = query.where(Site.area == area)
            sites = list(await session.scalars(query))
            members = await session.scalars(
                select(SiteStation)
                .where(SiteStation.site_id.in_([s.id for s in sites]))
                .order_by(SiteStation.station_id)
            )
            by_site: dict[str, list[SiteStation]] = {s.id: [] for s in sites}
            for m in members:
                by_site[m.site_id].append(m)
            return [(s, by_site[s.id]) for s in sites]

    async def put_station(self, site_id: str, member: Member) -> SiteStation:
        """Add a station to the site or change its electrical data (a station belongs to one site)."""
        async with self._uow() as session:
            site = await _site(session, site_id)
            row = await _attach(session, site, member, "station_id")
        self._events.publish(SiteChanged(self._clock(), site_id))
        return row

    async def remove_station(self, site_id: str, station_id: str) -> None:
        async with self._uow() as session:
            result = await session.execute(
                delete(SiteStation).where(
                    SiteStation.site_id == site_id, SiteStation.station_id == station_id
                )
            )
            if result.rowcount == 0:  # type: ignore[attr-defined]
                raise NotFound(f"station {station_id!r} is not in site {site_id!r}")
        self._events.publish(SiteChanged(self._clock(), site_id))

    # -- telemetry ---------------------------------------------------------------------------------------
    async def ingest(self, site_id: str, samples: Sequence[TelemetrySample]) -> int:
        """Store the samples (all or none). One dated beyond the clock-skew allowance in the future is
        refused: it would stay the latest sample and plan every cycle until then on it."""
        received = self._clock()
        for i, s in enumerate(samples):
            if s.timestamp > received + self._max_future:
                raise InvalidInput(
                    f"samples[{i}].timestamp: {s.timestamp.isoformat()} is ahead of the CSMS clock "
                    f"({received.isoformat()}) by more than {self._max_future.total_seconds():g} s",
                    field="timestamp",
                )
        async with self._uow() as session:
            await _site(session, site_id)
            session.add_all(
                SiteTelemetry(
                    site_id=site_id,
                    timestamp=s.timestamp,
                    pv_power_w=s.pv_power_w,
                    base_load_w=s.base_load_w,
                    battery_power_w=s.battery_power_w,
                    battery_soc_pct=s.battery_soc_pct,
                    grid_import_w=s.grid_import_w,
                    received_at=received,
                )
                for s in samples
            )
        if samples:
            metered = [s.grid_import_w for s in samples if s.grid_import_w is not None]
            self._events.publish(
                TelemetryReceived(
                    received, site_id, max(s.timestamp for s in samples), max(metered) if metered else None
                )
            )
        return len(samples)

    async def telemetry(
        self, site_id: str, since: datetime | None = None, until: datetime | None = None, limit: int = 1000
    ) -> list[SiteTelemetry]:
        """Samples of ``[since, until)`` in time order (at most ``limit``, the latest ones)."""
        async with self._uow.read() as session:
            await _site(session, site_id)
            return await telemetry_between(session, site_id, since, until, limit)

    async def sent_profiles(self, site_id: str) -> list[SentChargingProfile]:
        """What the site's stations last answered to the energy manager, by station, EVSE and purpose."""
        async with self._uow.read() as session:
            await _site(session, site_id)
            query = select(SentChargingProfile).where(SentChargingProfile.site_id == site_id)
            order = (SentChargingProfile.station_id, SentChargingProfile.evse_id, SentChargingProfile.purpose)
            return list(await session.scalars(query.order_by(*order)))

    async def record_sent_profiles(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Replace the stored answers of these rows' (station, EVSE, purpose) keys, one row per key, in one
        transaction (the energy manager's record of what each station was last told)."""
        table = SentChargingProfile.__table__
        keys = tuple_(table.c.station_id, table.c.evse_id, table.c.purpose)
        async with self._uow() as session:
            for i in range(0, len(rows), _CHUNK):  # bound the statement size on every backend
                chunk = rows[i : i + _CHUNK]
                await session.execute(
                    delete(table).where(
                        keys.in_([(r["station_id"], r["evse_id"], r["purpose"]) for r in chunk])
                    )
                )
                await session.execute(insert(table), list(chunk))

    # -- the energy manager's view -------------------------------------------------------------------------
    async def snapshots(
        self, site_ids: Sequence[str] | None = None, *, recent_s: float = 0.0
    ) -> list[SiteSnapshot]:
        """Spec, tariff, stations (with their metered voltage), latest and recent telemetry and active
        sessions of the sites (all when ``None``), in six queries whatever the number of sites.

        A sample dated beyond the clock-skew allowance in the future (stored before such samples were refused)
        is not read: it would be "the latest" until then. ``recent`` holds the samples of the last
        ``recent_s`` seconds before the latest one.
        """
        horizon = self._clock() + self._max_future
        async with self._uow.read() as session:
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
                    (SiteTelemetry.site_id == latest_ts.c.site_id)
                    & (SiteTelemetry.timestamp == latest_ts.c.ts),
                )
                .order_by(SiteTelemetry.id)
            )
            for row in rows:
                latest[row.site_id] = row  # the last received wins a tie on timestamp
            recent = await _recent(session, latest, recent_s)
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
        return [
            SiteSnapshot(
                spec_of(s),
                self.tariff_of(s),
                s.area,
                tuple(
                    replace(m, voltage_v=volts.get(m.station_id)) if m.current_type is CurrentType.AC else m
                    for m in sorted(members[s.id], key=lambda m: m.station_id)
                ),
                _sample(latest[s.id]) if s.id in latest else None,
                tuple(sessions[s.id]),
                recent.get(s.id, ()),
            )
            for s in sites
        ]


async def telemetry_between(
    session: AsyncSession, site_id: str, since: datetime | None, until: datetime | None, limit: int = 100_000
) -> list[SiteTelemetry]:
    query = select(SiteTelemetry).where(SiteTelemetry.site_id == site_id)
    if since is not None:
        query = query.where(SiteTelemetry.timestamp >= since)
    if until is not None:
        query = query.where(SiteTelemetry.timestamp < until)
    rows = await session.scalars(
        query.order_by(SiteTelemetry.timestamp.desc(), SiteTelemetry.id.desc()).limit(limit)
    )
    return list(reversed(rows.all()))


async def _recent(
    session: AsyncSession, latest: Mapping[str, SiteTelemetry], window_s: float
) -> dict[str, tuple[TelemetrySample, ...]]:
    """Per site, the samples of ``[latest - window_s, latest]`` in time order (columns only: every cycle)."""
    if window_s <= 0 or not latest:
        return {site_id: (_sample(row),) for site_id, row in latest.items()}
    t = SiteTelemetry
    first = min(row.timestamp for row in latest.values()) - timedelta(seconds=window_s)
    last = max(row.timestamp for row in latest.values())
    rows = await session.execute(
        select(t.site_id, t.timestamp, t.pv_power_w, t.base_load_w, t.battery_power_w, t.battery_soc_pct,
               t.grid_import_w)
        .where(t.site_id.in_(list(latest)), t.timestamp >= first, t.timestamp <= last)
        .order_by(t.site_id, t.timestamp, t.id)
    )  # fmt: skip
    out: dict[str, list[TelemetrySample]] = {site_id: [] for site_id in latest}
    for site_id, *values in rows:
        end = latest[site_id].timestamp
        if end - timedelta(seconds=window_s) <= values[0] <= end:
            out[site_id].append(TelemetrySample(*values))
    return {site_id: tuple(samples) for site_id, samples in out.items()}


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


def _sample(row: SiteTelemetry) -> TelemetrySample:
    return TelemetrySample(
        row.timestamp, row.pv_power_w, row.base_load_w, row.battery_power_w, row.battery_soc_pct,
        row.grid_import_w,
    )  # fmt: skip


def _defaults(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(SITE_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown site field(s) {sorted(unknown)}", field=sorted(unknown)[0])
    out: dict[str, Any] = {
        "name": "",
        "area": None,
        "transformer_limit_kw": None,
        "pv_kwp": 0.0,
        "battery_capacity_kwh": 0.0,
        "battery_power_kw": 0.0,
        "battery_soc_min_pct": 10.0,
        "battery_soc_max_pct": 90.0,
        "base_load_kw": 0.0,
        "voltage_v": 220.0,
        "tariff": None,
    }
    out.update({k: v for k, v in fields.items() if v is not None or k in NULLABLE_FIELDS})
    if "grid_limit_kw" not in out:
        raise InvalidInput("grid_limit_kw is required", field="grid_limit_kw")
    return out


def _check(site: Site) -> None:
    """Let the domain judge the site and its tariff; its message names the field."""
    try:
        spec_of(site)
    except AllocationInputError as exc:
        field = next((f for f in SITE_FIELDS if f in str(exc)), None)
        raise InvalidInput(str(exc), field=field) from None
    if site.tariff is not None:
        try:
            tariff_from_dict(site.tariff)
        except TariffError as exc:
            raise InvalidInput(f"tariff: {exc}", field="tariff") from None


async def _site(session: AsyncSession, site_id: str) -> Site:
    site = await session.get(Site, site_id)
    if site is None:
        raise NotFound(f"site {site_id!r} does not exist")
    return site


async def _attach(session: AsyncSession, site: Site, m: Member, field: str) -> SiteStation:
    if await session.get(Station, m.station_id) is None:
        raise InvalidInput(f"{field}: station {m.station_id!r} is not registered", field=field)
    if m.min_power_w is not None and m.min_power_w > m.max_power_w:
        raise InvalidInput(f"station {m.station_id!r}: min_power_w exceeds max_power_w", field="min_power_w")
    row = await session.get(SiteStation, m.station_id)
    if row is not None and row.site_id != site.id:
        raise Conflict(f"station {m.station_id!r} already belongs to site {row.site_id!r}")
    if row is None:
        row = SiteStation(station_id=m.station_id, site_id=site.id)
        session.add(row)
    row.current_type, row.phases, row.max_power_w = m.current_type.value, m.phases, m.max_power_w
    row.min_power_w, row.priority = m.min_power_w, m.priority.value
    return row
