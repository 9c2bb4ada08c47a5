"""Station use cases: registration, handshake authentication, boot, heartbeat, status, stored messages."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Any, NamedTuple

import orjson
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update

from csms.db import repositories as repo
from csms.db.batching import GroupCommitter
from csms.db.coalesce import Coalescer
from csms.db.models import Connector, Station, StationMessage, StatusEvent
from csms.db.models_security import StationSecurity
from csms.db.station_writes import BootWriter, StatusWriter
from csms.db.uow import UnitOfWork
from csms.domain import security_profile
from csms.domain.events import (
    EventBus,
    HandshakeBudgetExceeded,
    StationBooted,
    StationConnected,
    StationDisconnected,
    StatusChanged,
)
from csms.domain.stations import BootAnswer, BootInfo, StatusChange, check_location
from csms.domain.throttle import FailureBudget
from csms.domain.timeutil import Clock
from csms.errors import Conflict, NotFound
from csms.services.handshake import CLEAN, SUSPECT, Priority, PriorityGate

# OWASP's minimum argon2id parameters: strong enough for per-station secrets, cheap enough that ten thousand
# stations reconnecting after an outage do not stall the server for minutes.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class HandshakeVerdict(StrEnum):
    accepted = "accepted"
    unknown = "unknown"
    bad_credentials = "bad_credentials"
    throttled = "throttled"
    """Over its failure budget: refused unheard (HTTP 429) for ``retry_after_s``."""
    insecure = "insecure"
    """Below the station's security profile (plain ws:// for profile 2, no client certificate for 3)."""


class Handshake(NamedTuple):
    verdict: HandshakeVerdict
    booted: bool
    """Whether the station already booted Accepted (a reconnecting station does not boot again)."""
    retry_after_s: float = 0.0


@dataclass(frozen=True)
class MessageQuota:
    """Free-form messages kept per station and action: at most ``max_count`` and ``max_bytes`` of payload
    JSON; past either, the oldest of that station and action go first."""

    max_count: int = 1000
    max_bytes: int = 8 * 1024 * 1024


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


@cache
def _dummy_hash() -> str:
    """A hash of a password nobody knows, verified for unknown ids so that they answer as slowly as known
    ones (timing would otherwise tell which ids exist)."""
    return _HASHER.hash(secrets.token_urlsafe(16))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return bool(_HASHER.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


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
        budget: FailureBudget | None = None,
        hash_slots: int = 4,
        quota: MessageQuota | None = None,
        boot_intervals: Callable[[str], Awaitable[Any]] | None = None,
    ) -> None:
        self._boot_intervals = boot_intervals
        """A station's own intervals (``pending_retry_interval_s``, ``heartbeat_interval_s``; ``None``: the
        configured ones), read at each boot."""
        self._events = events
        self._budget = budget or FailureBudget()
        self._hashing = PriorityGate(hash_slots)
        self._quota = quota or MessageQuota()
        # station id -> the source address of its last successful handshake (this node's memory)
        self._known_address: dict[str, str] = {}
        self._uow = uow
        self._committer = committer
        self._status = StatusWriter()
        self._boot = BootWriter()
        self._clock = clock
        self._unknown_policy = unknown_policy
        self._heartbeat_interval_s = heartbeat_interval_s
        self._pending_retry_interval_s = pending_retry_interval_s
        # station id -> (its stored hash, SHA-256 of the last password verified against it): a reconnecting
        # station skips argon2 while the stored hash is the one it was verified against.
        self._verified: dict[str, tuple[str, str]] = {}
        self._credentials: Coalescer[str, Any] = Coalescer(self._read_credentials)

    async def _read_credentials(self, station_ids: Collection[str]) -> dict[str, Any]:
        """What a handshake needs of each station, for many handshakes in one query."""
        query = select(
            Station.id, Station.password_hash, Station.registration_status, Station.last_boot_at,
            StationSecurity.security_profile, StationSecurity.target_profile,
            StationSecurity.next_password_hash,
        ).outerjoin(StationSecurity, StationSecurity.station_id == Station.id)
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
                self._verified.pop(station_id, None)
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

    def blocked_handshakes(self, limit: int = 100) -> list[tuple[str, str, int, float]]:
        """Station ids and source addresses whose handshakes are refused now for failing too often (password
        guessing): (kind, key, failures, seconds still blocked), this node's memory."""
        return [
            (kind, key, failures, wait)
            for (kind, key), failures, wait in self._budget.blocked(self._clock(), limit)  # type: ignore[misc]
        ]

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
    async def authenticate(
        self, station_id: str, password: str | None, *, certified: bool = False, source: str | None = None,
        tls: bool = False,
    ) -> Handshake:
        """Check Basic-auth credentials at the websocket handshake (OCPP security profile 1), or, with
        ``certified``, a registered station whose verified client certificate names it (profile 3).

        Guessing is throttled per station id and per ``source`` address (:mod:`csms.domain.throttle`): over
        budget, a handshake is refused unheard (``throttled``, with the seconds to wait), except one from the
        station's last good address, so that an attack on its id does not lock the real station out. A
        budget that trips publishes :class:`HandshakeBudgetExceeded`. Unknown ids cost a dummy argon2
        verification, so timing does not tell which ids exist.

        A station with a stored security profile is refused (``insecure``) below it (``tls``: the handshake
        came over TLS). A rotated password the station accepted is taken too, and from the first handshake
        with it on it replaces the old one; an upgrade of profile settles the same way
        (:mod:`csms.domain.security_profile`).
        """
        now = self._clock()
        keys = [("station", station_id)] + ([("address", source)] if source else [])
        known_here = source is not None and self._known_address.get(station_id) == source

        def wait_s() -> float:
            at = self._clock()
            return 0.0 if known_here else max(self._budget.retry_after_s(key, at) for key in keys)

        if (wait := wait_s()) > 0:
            return Handshake(HandshakeVerdict.throttled, False, wait)
        def priority() -> int:  # asked again whenever a hashing slot frees up
            at = self._clock()
            return SUSPECT if any(self._budget.failures(key, at) for key in keys) else CLEAN

        # Re-checked when the hash's turn comes: guesses queued together must not all be heard.
        verdict, booted = await self._check(
            station_id, password, certified, tls, priority, lambda: wait_s() > 0
        )
        if verdict is HandshakeVerdict.throttled:
            return Handshake(verdict, False, wait_s())
        if verdict is HandshakeVerdict.accepted:
            self._budget.success(keys[0])
            if source:
                self._known_address[station_id] = source
        elif verdict is HandshakeVerdict.bad_credentials:
            now = self._clock()
            for kind, key in keys:
                trip = self._budget.failure((kind, key), now)
                if trip is not None:
                    self._events.publish(
                        HandshakeBudgetExceeded(now, kind, key, trip.failures, trip.retry_after_s)
                    )
            if (wait := wait_s()) > 0:
                return Handshake(HandshakeVerdict.throttled, False, wait)
        return Handshake(verdict, booted)

    async def _check(
        self, station_id: str, password: str | None, certified: bool, tls: bool, priority: Priority,
        throttled: Callable[[], bool],
    ) -> tuple[HandshakeVerdict, bool]:
        station = await self._credentials.get(station_id)
        if station is None:
            if self._unknown_policy == "pending" and password is not None:
                return HandshakeVerdict.unknown, False
            if password is not None:  # as slow as a known id with a wrong password
                heard = await self._hashing.run(
                    priority, lambda: _verify(_dummy_hash(), password), skip=throttled
                )
                if heard is None:
                    return HandshakeVerdict.throttled, False
            return HandshakeVerdict.bad_credentials, False
        booted = station.registration_status == "Accepted" and station.last_boot_at is not None
        if security_profile.refusal(station.security_profile, tls=tls, certified=certified):
            return HandshakeVerdict.insecure, False
        profile = security_profile.upgraded(station.target_profile, tls=tls, certified=certified)
        if certified or station.password_hash is None:
            if profile is not None:
                await self._settle(station_id, profile=profile)
            return HandshakeVerdict.accepted, booted  # its certificate, or no password (profile 0)
        if password is None:
            return HandshakeVerdict.bad_credentials, False
        digest = hashlib.sha256(password.encode()).hexdigest()
        rotated = False
        if self._verified.get(station_id) != (station.password_hash, digest):
            right = await self._hashing.run(
                priority, lambda: _verify(station.password_hash, password), skip=throttled
            )
            if right is False and station.next_password_hash is not None:  # A01: the new password, first use
                right = rotated = await self._hashing.run(
                    priority, lambda: _verify(station.next_password_hash, password), skip=throttled
                )
            if right is None:
                return HandshakeVerdict.throttled, False
            if not right:
                return HandshakeVerdict.bad_credentials, False
            self._verified[station_id] = (
                station.next_password_hash if rotated else station.password_hash, digest
            )
        if rotated or profile is not None:
            await self._settle(station_id, rotated=rotated, profile=profile)
        return HandshakeVerdict.accepted, booted

    async def _settle(self, station_id: str, *, rotated: bool = False, profile: int | None = None) -> None:
        """The station connected with its rotated password (which replaces the old one now) and/or with the
        profile it agreed to move up to (which becomes the lowest it may use)."""
        now = self._clock()
        async with self._uow() as session:
            security = await session.get(StationSecurity, station_id, with_for_update=True)
            if security is None:
                return
            if rotated and security.next_password_hash is not None:
                await session.execute(
                    update(Station).where(Station.id == station_id)
                    .values(password_hash=security.next_password_hash)
                )
                security.next_password_hash = None
                security.next_password_accepted_at = None
                security.password_rotated_at = now
            if profile is not None and security.target_profile == profile:
                security.security_profile = profile
                security.target_profile = None
            security.updated_at = now

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
