"""A station's security: its profile, moving it up a profile, rotating its password (issue 13)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from csms.api.deps import Operator, Reader, ServicesDep

router = APIRouter(prefix="/api/v1/stations/{station_id}/security", tags=["security"])


class SecurityPublic(BaseModel):
    station_id: str
    security_profile: int | None = Field(description="lowest profile accepted at the handshake; null: any")
    target_profile: int | None = Field(description="an upgrade the station accepted, in force once used")
    password_rotation_pending: bool
    next_password_accepted_at: datetime | None
    password_rotated_at: datetime | None


class ProfileBody(BaseModel):
    security_profile: Literal[0, 1, 2, 3] | None


class UpgradeBody(BaseModel):
    security_profile: Literal[2, 3]
    csms_url: str | None = Field(
        default=None, max_length=512, pattern=r"^wss://",
        description="2.0.1: the wss:// URL the station is to use (SetNetworkProfile ocppCsmsUrl)",
    )
    configuration_slot: int = Field(default=1, ge=0, le=255)


class Call(BaseModel):
    action: str
    response: dict[str, Any]


class OutcomePublic(BaseModel):
    accepted: bool
    calls: list[Call]


def _outcome(outcome: Any) -> OutcomePublic:
    return OutcomePublic(
        accepted=outcome.accepted, calls=[Call(action=a, response=r) for a, r in outcome.calls]
    )


@router.get("")
async def security_state(station_id: str, services: ServicesDep, _: Reader) -> SecurityPublic:
    return SecurityPublic(**vars(await services.security.state(station_id)))


@router.put("/profile")
async def set_profile(
    station_id: str, body: ProfileBody, services: ServicesDep, _: Operator
) -> SecurityPublic:
    """Store the lowest profile the station may connect with (what it was installed with); no message sent."""
    return SecurityPublic(**vars(await services.security.set_profile(station_id, body.security_profile)))


@router.post("/upgrade")
async def upgrade_profile(
    station_id: str, body: UpgradeBody, services: ServicesDep, _: Operator
) -> OutcomePublic:
    """A05 / 1.6 TC_083: ask the station to move up to a higher profile; in force once it connects with it."""
    outcome = await services.security.upgrade_profile(
        station_id, body.security_profile, csms_url=body.csms_url, configuration_slot=body.configuration_slot
    )
    return _outcome(outcome)


@router.post("/rotate-password")
async def rotate_password(station_id: str, services: ServicesDep, _: Operator) -> OutcomePublic:
    """A01, 1.6 TC_073: send the station a new random password (never shown); its hash is stored once the
    station accepts, and it replaces the old password when the station connects with it."""
    return _outcome(await services.security.rotate_password(station_id))
