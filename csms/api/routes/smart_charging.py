"""A station's charging profiles (installed as reported, sent as accepted, mismatches) and external limits."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from csms.api.deps import DB_INT_MAX, Operator, Reader, RowId, ServicesDep
from csms.api.routes.sites import SentProfilePublic

router = APIRouter(prefix="/api/v1/stations/{station_id}", tags=["smart charging"])

Purpose = Literal[
    "ChargingStationMaxProfile", "TxDefaultProfile", "TxProfile", "ChargingStationExternalConstraints"
]
Source = Literal["EMS", "Other", "SO", "CSO"]


class InstalledProfilePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    evse_id: int
    profile_id: int
    source: str
    purpose: str
    stack_level: int
    request_id: int
    profile: dict[str, Any]
    """The chargingProfile as the station reported it (OCPP 2.0.1, camelCase)."""
    reported_at: datetime


class ProfileRequestPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    request_id: int
    evse_id: int | None
    criteria: dict[str, Any]
    status: str
    reports: int
    requested_at: datetime
    completed_at: datetime | None


class MismatchPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    kind: str
    evse_id: int
    profile_id: int
    purpose: str
    detail: str


class ChargingProfilesPublic(BaseModel):
    reported: bool
    """Whether the station ever reported its profiles (GetChargingProfiles); else nothing is compared."""
    installed: list[InstalledProfilePublic]
    sent: list[SentProfilePublic]
    mismatches: list[MismatchPublic]
    requests: list[ProfileRequestPublic]
    """The latest GetChargingProfiles requests (20 at most)."""


class ProfileReportPublic(BaseModel):
    request: ProfileRequestPublic
    profiles: list[InstalledProfilePublic]


class ReportRequest(BaseModel):
    """GetChargingProfiles criteria (2.0.1); every one omitted: everything installed."""

    evse_id: int | None = Field(default=None, ge=0, le=DB_INT_MAX)
    purpose: Purpose | None = None
    stack_level: int | None = Field(default=None, ge=0, le=DB_INT_MAX)
    profile_ids: list[int] | None = Field(default=None, min_length=1, max_length=100)
    sources: list[Source] | None = Field(default=None, min_length=1, max_length=4)


class ClearRequest(BaseModel):
    """ClearChargingProfile (1.6 and 2.0.1): one profile by id, or those matching the criteria."""

    profile_id: int | None = Field(default=None, ge=0, le=DB_INT_MAX)
    evse_id: int | None = Field(default=None, ge=0, le=DB_INT_MAX)
    purpose: Literal["ChargingStationMaxProfile", "TxDefaultProfile", "TxProfile"] | None = None
    stack_level: int | None = Field(default=None, ge=0, le=DB_INT_MAX)


class StatusPublic(BaseModel):
    status: str


class ExternalLimitPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    evse_id: int
    """0: the whole station."""
    source: str
    is_grid_critical: bool | None
    schedules: list[dict[str, Any]] | None
    """chargingSchedule as the station reported it (camelCase)."""
    received_at: datetime


@router.get("/charging-profiles")
async def charging_profiles(station_id: str, services: ServicesDep, _: Reader) -> ChargingProfilesPublic:
    """Installed (last reported), sent (last accepted from the energy manager) and where they disagree."""
    view = await services.smart_charging.view(station_id)
    return ChargingProfilesPublic(
        reported=view.reported,
        installed=[InstalledProfilePublic.model_validate(r) for r in view.installed],
        sent=[SentProfilePublic.model_validate(r) for r in view.sent],
        mismatches=[MismatchPublic.model_validate(m) for m in view.mismatches],
        requests=[ProfileRequestPublic.model_validate(r) for r in view.requests],
    )


@router.post("/charging-profiles/reports", status_code=202)
async def request_report(
    station_id: str, services: ServicesDep, _: Operator, body: ReportRequest | None = None
) -> ProfileRequestPublic:
    """Send GetChargingProfiles; the station's reports arrive on their own, by the returned ``request_id``."""
    body = body or ReportRequest()
    criteria = {
        k: v for k, v in {
            "chargingProfilePurpose": body.purpose, "stackLevel": body.stack_level,
            "chargingProfileId": body.profile_ids, "chargingLimitSource": body.sources,
        }.items() if v is not None
    }  # fmt: skip
    row = await services.smart_charging.request_report(station_id, body.evse_id, criteria)
    return ProfileRequestPublic.model_validate(row)


@router.get("/charging-profiles/reports/{request_id}")
async def report(station_id: str, request_id: RowId, services: ServicesDep, _: Reader) -> ProfileReportPublic:
    row, profiles = await services.smart_charging.request(station_id, request_id)
    return ProfileReportPublic(
        request=ProfileRequestPublic.model_validate(row),
        profiles=[InstalledProfilePublic.model_validate(p) for p in profiles],
    )


@router.post("/charging-profiles/clear")
async def clear(station_id: str, body: ClearRequest, services: ServicesDep, _: Operator) -> StatusPublic:
    """Send ClearChargingProfile; the station's answer (Accepted or Unknown)."""
    return StatusPublic(status=await services.smart_charging.clear(station_id, body.model_dump()))


@router.get("/charging-limits")
async def charging_limits(station_id: str, services: ServicesDep, _: Reader) -> list[ExternalLimitPublic]:
    """External limits the station reported (NotifyChargingLimit) and has not cleared."""
    return [ExternalLimitPublic.model_validate(r) for r in await services.smart_charging.limits(station_id)]
