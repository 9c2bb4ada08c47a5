"""Station handshake authentication: OCPP security profiles 1-3 at the websocket upgrade.

Basic-auth passwords (profile 1 and 2) are argon2id hashes, verified on a few threads by priority
(:class:`~csms.services.handshake.PriorityGate`); a verified client certificate (profile 3) names its station.
Guessing is throttled per station id and per source address (:mod:`csms.domain.throttle`); unknown ids cost
as much as known ones; a rotated password or a raised profile settles at the first handshake that uses it.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Callable, Collection
from enum import StrEnum
from functools import cache
from typing import Any, NamedTuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update

from csms.db.coalesce import Coalescer
from csms.db.models import Station
from csms.db.models_security import StationSecurity
from csms.db.uow import UnitOfWork
from csms.domain import security_profile
from csms.domain.events import EventBus, HandshakeBudgetExceeded
from csms.domain.throttle import FailureBudget
from csms.domain.timeutil import Clock
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


class StationAuthService:
    """Who may open an OCPP websocket, and what this node remembers of it (failure budgets, last good
    addresses, passwords already verified against the stored hash)."""

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        *,
        unknown_policy: str,
        events: EventBus,
        budget: FailureBudget | None = None,
        hash_slots: int = 4,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._unknown_policy = unknown_policy
        self._events = events
        self._budget = budget or FailureBudget()
        self._hashing = PriorityGate(hash_slots)
        # station id -> the source address of its last successful handshake (this node's memory)
        self._known_address: dict[str, str] = {}
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

    def blocked_handshakes(self, limit: int = 100) -> list[tuple[str, str, int, float]]:
        """Station ids and source addresses whose handshakes are refused now for failing too often (password
        guessing): (kind, key, failures, seconds still blocked), this node's memory."""
        return [
            (kind, key, failures, wait)
            for (kind, key), failures, wait in self._budget.blocked(self._clock(), limit)  # type: ignore[misc]
        ]

    def forget_password(self, station_id: str) -> None:
        """An operator set a new password: the one verified before is not remembered."""
        self._verified.pop(station_id, None)

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
