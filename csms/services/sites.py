"""Sites: CRUD with their stations and tariff, telemetry in and out, snapshots for the energy manager.

Each public method is one unit of work; once it has committed, a change publishes :class:`SiteChanged` and
stored telemetry :class:`TelemetryReceived` (the energy manager subscribes). The domain decides what is
valid: a site is checked by building its :class:`~csms.domain.energy.SiteSpec`, a tariff by
:func:`~csms.domain.tariff.tariff_from_dict`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.leases import fence
from csms.db.models import Station
from csms.db.sites import SentChargingProfile, Site, SiteStation, SiteTelemetry
from csms.db.uow import UnitOfWork
from csms.domain.energy import AllocationInputError, Member, SiteSnapshot, TelemetrySample
from csms.domain.events import EventBus, SiteChanged, TelemetryReceived
from csms.domain.tariff import TariffError, TouTariff, hunan_default_tariff, tariff_from_dict
from csms.domain.timeutil import Clock
from csms.errors import Conflict, InvalidInput, NotFound
from csms.services.sent_profiles import replace_sent_profiles, sent_profiles_of
from csms.services.site_snapshots import read_snapshots, spec_of
from csms.services.site_telemetry import add_samples, check_not_ahead, telemetry_between

#: Fields a PATCH may set to null: no transformer limit, no area, the default tariff.
NULLABLE_FIELDS = frozenset({"transformer_limit_kw", "area", "tariff"})

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

    async def site_of_station(self, station_id: str) -> str | None:
        """The site the station belongs to, if any (a station belongs to one site at most)."""
        async with self._uow.read() as session:
            return await session.scalar(
                select(SiteStation.site_id).where(SiteStation.station_id == station_id).limit(1)
            )

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
        check_not_ahead(samples, received, self._max_future)
        async with self._uow() as session:
            await _site(session, site_id)
            add_samples(session, site_id, samples, received)
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
            return await sent_profiles_of(session, site_id)

    async def record_sent_profiles(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Replace the stored answers of these rows' (station, EVSE, purpose) keys, one row per key, in one
        transaction (the energy manager's record of what each station was last told)."""
        async with self._uow() as session:
            await replace_sent_profiles(session, rows)

    async def fence(self, site_id: str, token: int) -> bool:
        """Record the lease token of a cycle about to send for the site: ``False`` if a newer holder has
        sent already (see :mod:`csms.services.leases`)."""
        try:
            async with self._uow() as session:
                return await fence(session, site_id, token)
        except IntegrityError:  # another first holder recorded its token at the same moment
            return False

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
            return await read_snapshots(
                session, site_ids, horizon=horizon, recent_s=recent_s, tariff_of=self.tariff_of
            )


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
