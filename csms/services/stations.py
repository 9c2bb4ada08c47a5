"""Station use cases: registration, boot, heartbeat, status, stored messages (the handshake's
authentication is :mod:`csms.services.station_auth`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import delete, func, select, update

from csms.db import repositories as repo
from csms.db.batching import GroupCommitter
from csms.db.models import Connector, Station, StationMessage, StatusEvent
from csms.db.models_security import StationSecurity
from csms.db.station_writes import BootWriter, StatusWriter
from csms.db.uow import UnitOfWork
from csms.domain.events import EventBus, StationBooted, StationConnected, StationDisconnected, StatusChanged
from csms.domain.stations import BootAnswer, BootInfo, StatusChange, check_location
from csms.domain.timeutil import Clock
from csms.errors import Conflict, NotFound
from csms.services.station_auth import StationAuthService, hash_password


@dataclass(frozen=True)
class MessageQuota:
    """Free-form messages kept per station and action: at most ``max_count`` and ``max_bytes`` of payload
    JSON; past either, the oldest of that station and action go first."""

    max_count: int = 1000
    max_bytes: int = 8 * 1024 * 1024


class StationService:
    def __init__(
        self,
        uow: UnitOfWork,
        committer: GroupCommitter,
        clock: Clock,
        *,
        auth: StationAuthService,
        heartbeat_interval_s: int,
        pending_retry_interval_s: int,
        events: EventBus,
        quota: MessageQuota | None = None,
        boot_intervals: Callable[[str], Awaitable[Any]] | None = None,
    ) -> None:
        self._boot_intervals = boot_intervals
        """A station's own intervals (``pending_retry_interval_s``, ``heartbeat_interval_s``; ``None``: the
        configured ones), read at each boot."""
        self._auth = auth
        self._events = events
        self._quota = quota or MessageQuota()
        self._uow = uow
        self._committer = committer
        self._status = StatusWriter()
        self._boot = BootWriter()
        self._clock = clock
        self._heartbeat_interval_s = heartbeat_interval_s
        self._pending_retry_interval_s = pending_retry_interval_s

    # -- operators -------------------------------------------------------------------------------------
    async def register(self, station_id: str, password: str | None, *, status: str = "Accepted") -> Station:
        password_hash = await asyncio.to_thread(hash_password, password) if password else None
        async with self._uow() as session:
            if await session.get(Station, station_id) is not None:
                raise Conflict(f"station {station_id!r} is already registered")
            station = Station(
                id=station_id,
                password_hash=password_hash,
                registration_status=status,
                created_at=self._clock(),
            )
            session.add(station)
        return station

    async def update(
        self, station_id: str, *, password: str | None = None, status: str | None = None,
        location: tuple[float | None, float | None] | None = None,
    ) -> Station:
        """Change a station's password, registration status and/or ``location`` ((latitude, longitude),
        ``(None, None)`` to take it off the map)."""
        if location is not None:
            check_location(*location)
        password_hash = await asyncio.to_thread(hash_password, password) if password else None
        async with self._uow() as session:
            station = await session.get(Station, station_id)
            if station is None:
                raise NotFound(f"station {station_id!r} is not registered")
            if password_hash is not None:
                station.password_hash = password_hash
                self._auth.forget_password(station_id)
                await session.execute(  # an operator's password overrides a rotation under way
                    update(StationSecurity).where(StationSecurity.station_id == station_id)
                    .values(next_password_hash=None, next_password_accepted_at=None, updated_at=self._clock())
                )
            if status is not None:
                station.registration_status = status
            if location is not None:
                station.latitude, station.longitude = location
        return station

    async def get(self, station_id: str) -> tuple[Station, Sequence[Connector]]:
        async with self._uow.read() as session:
            station = await session.get(Station, station_id)
            if station is None:
                raise NotFound(f"station {station_id!r} is not registered")
            return station, await repo.connectors_of(session, station_id)

    async def list(self) -> Sequence[Station]:
        async with self._uow.read() as session:
            return (await session.scalars(select(Station).order_by(Station.id))).all()

    async def search(
        self, page: repo.Page, *, text: str | None = None, status: str | None = None,
        online: bool | None = None, online_ids: Collection[str] = (),
    ) -> tuple[Sequence[Station], int]:
        """A page of stations by id, with the total: ids containing ``text``, a connector in ``status``,
        connected (``online``: whether the id is in ``online_ids``, the gateway's)."""
        query = select(Station)
        if text:
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(Station.id.ilike(f"%{escaped}%", escape="\\"))
        if status:
            query = query.where(
                select(Connector.station_id)
                .where(Connector.station_id == Station.id, Connector.status == status).exists()
            )
        if online is not None:
            ids = list(online_ids)
            query = query.where(Station.id.in_(ids) if online else Station.id.not_in(ids))
        async with self._uow.read() as session:
            return await repo.paged(session, query.order_by(Station.id), page)

    async def located(self, limit: int = 5000) -> Sequence[Station]:
        """Stations placed on the map (at most ``limit``)."""
        async with self._uow.read() as session:
            query = select(Station).where(Station.latitude.is_not(None), Station.longitude.is_not(None))
            return (await session.scalars(query.order_by(Station.id).limit(limit))).all()

    async def connectors_of(self, station_ids: Collection[str]) -> dict[str, list[Connector]]:
        """The connectors of each of ``station_ids`` (a page's worth), by station."""
        out: dict[str, list[Connector]] = {sid: [] for sid in station_ids}
        if not station_ids:
            return out
        async with self._uow.read() as session:
            rows = await session.scalars(
                select(Connector).where(Connector.station_id.in_(list(station_ids)))
                .order_by(Connector.station_id, Connector.evse_id, Connector.connector_id)
            )
            for row in rows:
                out[row.station_id].append(row)
        return out

    async def at_message_quota(self, limit: int = 100) -> list[tuple[str, str, int, int]]:
        """(station, action, messages, bytes) kept at their quota (:class:`MessageQuota`) or within 10 % of
        its bytes: the oldest of them are being deleted as new ones come."""
        quota = self._quota
        count, size = func.count(), func.coalesce(func.sum(StationMessage.payload_bytes), 0)
        query = (
            select(StationMessage.station_id, StationMessage.action, count, size)
            .group_by(StationMessage.station_id, StationMessage.action)
            .having((count >= quota.max_count) | (size >= quota.max_bytes * 0.9))
            .order_by(StationMessage.station_id, StationMessage.action)
            .limit(limit)
        )
        async with self._uow.read() as session:
            return [(r[0], r[1], int(r[2]), int(r[3])) for r in await session.execute(query)]

    async def status_history(self, station_id: str, page: repo.Page) -> tuple[Sequence[StatusEvent], int]:
        async with self._uow.read() as session:
            if await session.get(Station, station_id) is None:
                raise NotFound(f"station {station_id!r} is not registered")
            return await repo.status_history(session, station_id, page)

    # -- the charger-facing edge -----------------------------------------------------------------------
    def connected(self, station_id: str, ocpp_version: str) -> None:
        """The station's websocket is open (and this node's registry holds it): publish it."""
        self._events.publish(StationConnected(self._clock(), station_id, ocpp_version))

    def disconnected(self, station_id: str) -> None:
        """The station's current websocket closed (not a replaced one): publish it."""
        self._events.publish(StationDisconnected(self._clock(), station_id))

    async def boot(self, station_id: str, ocpp_version: str, info: BootInfo) -> BootAnswer:
        now = self._clock()
        status = await self._committer.submit(self._boot, (station_id, ocpp_version, info, now))
        self._events.publish(StationBooted(now, station_id, status))
        interval = self._heartbeat_interval_s if status == "Accepted" else self._pending_retry_interval_s
        if self._boot_intervals is not None:
            own = await self._boot_intervals(station_id)
            mine = own.heartbeat_interval_s if status == "Accepted" else own.pending_retry_interval_s
            interval = mine or interval
        return BootAnswer(status=status, interval_s=interval, current_time=now)

    async def heartbeat(self, station_id: str) -> datetime:
        now = self._clock()
        # Last seen (shared with the status writer's update) goes into the next group commit, unawaited: the
        # answer vouches for nothing stored, and a crash loses at most one batch's last-seen times (a few
        # milliseconds of them), nothing billable.
        await self._committer.submit(self._status, (station_id, now, None), wait=False)
        return now

    async def status_notification(self, station_id: str, change: StatusChange) -> None:
        now = self._clock()
        await self._committer.submit(self._status, (station_id, now, change))
        c = change
        self._events.publish(StatusChanged(now, station_id, c.evse_id, c.connector_id, c.status, c.timestamp))

    async def record(self, station_id: str, action: str, payload: dict[str, Any]) -> None:
        """Keep a message operators may want to read (events, reports, firmware and log status).

        Within the station's quota for that action (:class:`MessageQuota`): past it, its oldest messages of
        the same action are deleted, so a flood of DataTransfers can neither fill the database nor push out
        the station's security events. The message just received is always kept.
        """
        now = self._clock()
        size = len(orjson.dumps(payload))
        quota = self._quota
        mine = (StationMessage.station_id == station_id, StationMessage.action == action)
        async with self._uow() as session:
            session.add(StationMessage(station_id=station_id, action=action, payload=payload,
                                       payload_bytes=size, received_at=now))
            await session.execute(update(Station).where(Station.id == station_id).values(last_seen_at=now))
            await session.flush()
            count, total = (await session.execute(
                select(func.count(), func.coalesce(func.sum(StationMessage.payload_bytes), 0)).where(*mine)
            )).one()
            if count <= quota.max_count and total <= quota.max_bytes:
                return
            newest_first = await session.execute(
                select(StationMessage.id, StationMessage.payload_bytes).where(*mine)
                .order_by(StationMessage.id.desc())
            )
            kept = kept_bytes = 0
            for message_id, message_bytes in newest_first:
                if kept and (kept + 1 > quota.max_count or kept_bytes + message_bytes > quota.max_bytes):
                    older = StationMessage.id <= message_id
                    await session.execute(delete(StationMessage).where(*mine, older))
                    return
                kept, kept_bytes = kept + 1, kept_bytes + message_bytes

    async def messages(
        self, station_id: str, action: str | None = None, *, latest: int | None = None
    ) -> Sequence[StationMessage]:
        """The station's kept messages in the order received; ``latest``: only the last so many."""
        async with self._uow.read() as session:
            query = select(StationMessage).where(StationMessage.station_id == station_id)
            if action:
                query = query.where(StationMessage.action == action)
            if latest is not None:
                newest = query.order_by(StationMessage.id.desc()).limit(latest)
                return list(reversed((await session.scalars(newest)).all()))
            return (await session.scalars(query.order_by(StationMessage.id))).all()
