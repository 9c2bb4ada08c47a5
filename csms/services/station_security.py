"""Operator security operations on a station: its security profile, moving it up one (A05, 1.6 TC_083),
and rotating its Basic-auth password (A01, 1.6 TC_073).

What a station agrees to is stored as pending and takes effect at its first handshake that uses it
(``StationService.authenticate``): the old password keeps working until the station connects with the new
one, and a profile becomes the lowest accepted once the station connected with it.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csms.db.models import Station
from csms.db.models_security import StationSecurity
from csms.db.uow import UnitOfWork
from csms.domain import security_profile
from csms.domain.timeutil import Clock
from csms.errors import InvalidInput, NotFound
from csms.services.gateway import StationGateway
from csms.services.station_auth import hash_password

PASSWORD_BYTES = 20
"""A rotated password is 20 random bytes written as 40 hexadecimal digits: the 1.6 security whitepaper's
AuthorizationKey (hex, at most 20 bytes) and within 2.0.1's passwordString (16 to 40 characters)."""


@dataclass(frozen=True)
class SecurityState:
    station_id: str
    security_profile: int | None
    target_profile: int | None
    password_rotation_pending: bool
    next_password_accepted_at: datetime | None
    password_rotated_at: datetime | None


@dataclass(frozen=True)
class Outcome:
    """What the station answered, call by call (action, response), and whether it agreed."""

    accepted: bool
    calls: list[tuple[str, dict[str, Any]]]


def new_password() -> str:
    return secrets.token_hex(PASSWORD_BYTES)


class StationSecurityService:
    def __init__(self, uow: UnitOfWork, clock: Clock, gateway: StationGateway) -> None:
        self._uow = uow
        self._clock = clock
        self._gateway = gateway

    async def state(self, station_id: str) -> SecurityState:
        async with self._uow.read() as session:
            if await session.get(Station, station_id) is None:
                raise NotFound(f"station {station_id!r} is not registered")
            row = await session.get(StationSecurity, station_id)
        if row is None:
            return SecurityState(station_id, None, None, False, None, None)
        return SecurityState(
            station_id, row.security_profile, row.target_profile, row.next_password_hash is not None,
            row.next_password_accepted_at, row.password_rotated_at,
        )

    async def _store(self, station_id: str, **values: Any) -> None:
        async with self._uow() as session:
            if await session.get(Station, station_id) is None:
                raise NotFound(f"station {station_id!r} is not registered")
            row = await session.get(StationSecurity, station_id, with_for_update=True)
            if row is None:
                row = StationSecurity(station_id=station_id)
                session.add(row)
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = self._clock()

    async def set_profile(self, station_id: str, profile: int | None) -> SecurityState:
        """Set the lowest profile a station may connect with (e.g. what it was installed with)."""
        if profile is not None and profile not in security_profile.PROFILES:
            raise InvalidInput("profile must be 0, 1, 2 or 3", field="profile")
        await self._store(station_id, security_profile=profile, target_profile=None)
        return await self.state(station_id)

    async def rotate_password(self, station_id: str) -> Outcome:
        """Send the station a new random password; store its hash, as pending, only if the station accepts.

        2.0.1: SetVariables SecurityCtrlr.BasicAuthPassword; 1.6: ChangeConfiguration AuthorizationKey.
        """
        await self.state(station_id)  # NotFound before anything is sent
        password = new_password()
        action, response = await self._gateway.command(
            station_id, "basic-auth-password", {"password": password}
        )
        accepted = security_profile.setting_accepted(action, response)
        if accepted:
            password_hash = await asyncio.to_thread(hash_password, password)
            await self._store(station_id, next_password_hash=password_hash,
                              next_password_accepted_at=self._clock())
        return Outcome(accepted, [(action, response)])

    async def upgrade_profile(
        self, station_id: str, profile: int, *, csms_url: str | None = None, configuration_slot: int = 1,
    ) -> Outcome:
        """Move a station up to ``profile`` (2 or 3); never down.

        2.0.1 (A05): SetNetworkProfile with the new profile in ``configuration_slot``, SetVariables
        OCPPCommCtrlr.NetworkConfigurationPriority to that slot, then Reset OnIdle. 1.6 (TC_083):
        ChangeConfiguration SecurityProfile; the station reconnects by itself. Once the station accepted the
        first step the target is stored; it takes effect when the station connects with it.
        """
        current = (await self.state(station_id)).security_profile
        if profile not in (2, 3):
            raise InvalidInput("a station can be moved up to profile 2 or 3", field="profile")
        if current is not None and profile <= current:
            raise InvalidInput(f"the station is at profile {current}: profiles only go up", field="profile")
        params = {"profile": profile, "csms_url": csms_url, "configuration_slot": configuration_slot}
        action, response = await self._gateway.command(station_id, "security-profile", params)
        calls = [(action, response)]
        if response.get("status") != "Accepted":
            return Outcome(False, calls)
        await self._store(station_id, target_profile=profile)
        if action == "SetNetworkProfile":
            priority = [{"component": {"name": "OCPPCommCtrlr"},
                         "variable": {"name": "NetworkConfigurationPriority"},
                         "attributeValue": str(configuration_slot)}]
            calls.append(await self._gateway.command(station_id, "set-variables", {"variables": priority}))
            if not security_profile.setting_accepted(*calls[-1]):
                return Outcome(False, calls)  # no restart into a configuration the station did not take
            calls.append(await self._gateway.command(station_id, "reset", {"type": "soft"}))
        return Outcome(True, calls)
