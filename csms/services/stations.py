"""Station use cases: registration, handshake authentication, boot, heartbeat, status, stored messages."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Collection, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update

from csms.db import repositories as repo
from csms.db.batching import GroupCommitter
from csms.db.coalesce import Coalescer
from csms.db.models import Connector, Station, StationMessage, StatusEvent
from csms.db.station_writes import BootWriter, StatusWriter
from csms.db.uow import UnitOfWork
from csms.domain.events import (
    EventBus,
    StationBooted,
    StationConnected,
    StationDisconnected,
    StatusChanged,
)
from csms.domain.stations import BootAnswer, BootInfo, StatusChange
from csms.domain.timeutil import Clock
from csms.errors import Conflict, NotFound

# OWASP's minimum argon2id parameters: strong enough for per-station secrets, cheap enough that ten thousand
# stations reconnecting after an outage do not stall the server for minutes.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class HandshakeVerdict(StrEnum):
    accepted = "accepted"
    unknown = "unknown"
    bad_credentials = "bad_credentials"


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


class StationService:
    def __init__(
        self,
        uow: UnitOfWork,
        committer: GroupCommitter,
        clock: Clock,
        *,
        unknown_policy: str,
        heartbeat_interval_s: int,
        pending_retry_interval_s: int,
        events: EventBus,
    ) -> None:
        self._events = events
        self._uow = uow
        self._committer = committer
        self._status = StatusWriter()
        self._boot = BootWriter()
        self._clock = clock
        self._unknown_policy = unknown_policy
        self._heartbeat_interval_s = heartbeat_interval_s
        self._pending_retry_interval_s = pending_retry_interval_s
        # station id -> SHA-256 of the last password verified: a reconnecting station skips argon2.
        self._verified: dict[str, str] = {}
        self._credentials: Coalescer[str, Any] = Coalescer(self._read_credentials)

    async def _read_credentials(self, station_ids: Collection[str]) -> dict[str, Any]:
        """What a handshake needs of each station, for many handshakes in one query."""
        query = select(Station.id, Station.password_hash, Station.registration_status, Station.last_boot_at)
        async with self._uow.read() as session:
            return {row.id: row for row in await session.execute(query.where(Station.id.in_(station_ids)))}

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
        self, station_id: str, *, password: str | None = None, status: str | None = None
    ) -> Station:
        password_hash = await asyncio.to_thread(hash_password, password) if password else None
        async with self._uow() as session:
            station = await session.get(Station, station_id)
            if station is None:
                raise NotFound(f"station {station_id!r} is not registered")
            if password_hash is not None:
                station.password_hash = password_hash
                self._verified.pop(station_id, None)
            if status is not None:
                station.registration_status = status
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

    async def status_history(self, station_id: str, page: repo.Page) -> tuple[Sequence[StatusEvent], int]:
        async with self._uow.read() as session:
            if await session.get(Station, station_id) is None:
                raise NotFound(f"station {station_id!r} is not registered")
            return await repo.status_history(session, station_id, page)

    # -- the charger-facing edge -----------------------------------------------------------------------
    async def authenticate(
        self, station_id: str, password: str | None, *, certified: bool = False
    ) -> tuple[HandshakeVerdict, bool]:
        """Check Basic-auth credentials at the websocket handshake (OCPP security profile 1), or, with
        ``certified``, a registered station whose verified client certificate names it (profile 3).

        Returns the verdict and whether the station already booted Accepted (a reconnecting station does not
        boot again, so its requests are not gated), from one read of the station.
        """
        station = await self._credentials.get(station_id)
        if station is None:
            if self._unknown_policy == "pending" and password is not None:
                return HandshakeVerdict.unknown, False
            return HandshakeVerdict.bad_credentials, False
        booted = station.registration_status == "Accepted" and station.last_boot_at is not None
        if certified or station.password_hash is None:
            return HandshakeVerdict.accepted, booted  # its certificate, or no password (profile 0)
        if password is None:
            return HandshakeVerdict.bad_credentials, False
        digest = hashlib.sha256(password.encode()).hexdigest()
        if self._verified.get(station_id) != digest:
            try:
                await asyncio.to_thread(_HASHER.verify, station.password_hash, password)
            except (VerificationError, InvalidHashError):
                return HandshakeVerdict.bad_credentials, False
            self._verified[station_id] = digest
        return HandshakeVerdict.accepted, booted

    async def admit_unknown(self, station_id: str, password: str) -> None:
        """Store a station that connected unregistered as Pending, remembering the password it used."""
        password_hash = await asyncio.to_thread(hash_password, password)
        async with self._uow() as session:
            if await session.get(Station, station_id) is None:
                session.add(
                    Station(
                        id=station_id,
                        password_hash=password_hash,
                        registration_status="Pending",
                        created_at=self._clock(),
                    )
                )

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
        """Keep a message operators may want to read (events, reports, firmware and log status)."""
        now = self._clock()
        async with self._uow() as session:
            session.add(
                StationMessage(station_id=station_id, action=action, payload=payload, received_at=now)
            )
            await session.execute(update(Station).where(Station.id == station_id).values(last_seen_at=now))

    async def messages(self, station_id: str, action: str | None = None) -> Sequence[StationMessage]:
        async with self._uow.read() as session:
            query = select(StationMessage).where(StationMessage.station_id == station_id)
            if action:
                query = query.where(StationMessage.action == action)
            return (await session.scalars(query.order_by(StationMessage.id))).all()
