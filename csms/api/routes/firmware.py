"""Firmware (OCPP block L): update campaigns across stations; publishing on local controllers (2.0.1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from csms.api.deps import DB_INT_MAX, Operator, Reader, RowId, ServicesDep
from csms.domain.firmware import outcome, summary
from csms.services.firmware import FirmwareSpec

router = APIRouter(tags=["firmware"])


class CampaignCreate(BaseModel):
    station_ids: list[str] = Field(min_length=1, max_length=1000)
    location: str = Field(min_length=1, max_length=512)
    retrieve_at: AwareDatetime
    install_at: AwareDatetime | None = None
    """2.0.1 only."""
    signing_certificate: str | None = Field(default=None, max_length=5500)
    """2.0.1 only: PEM of the certificate the firmware is signed with."""
    signature: str | None = Field(default=None, max_length=800)
    """2.0.1 only: base64 signature of the image."""
    retries: int | None = Field(default=None, ge=0, le=DB_INT_MAX)
    retry_interval_s: int | None = Field(default=None, ge=0, le=DB_INT_MAX)


class CampaignStationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    station_id: str
    request_id: int
    ocpp_version: str | None
    answer: str | None
    status: str | None
    history: list[dict[str, Any]]
    updated_at: datetime
    outcome: str = ""


class CampaignPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    location: str
    retrieve_at: datetime
    install_at: datetime | None
    signing_certificate: str | None
    signature: str | None
    retries: int | None
    retry_interval_s: int | None
    created_at: datetime


class CampaignDetail(CampaignPublic):
    stations: list[CampaignStationPublic]
    summary: dict[str, int]
    """How many stations are pending, refused, in progress, installed, failed."""


class PublishRequest(BaseModel):
    location: str = Field(min_length=1, max_length=512)
    checksum: str = Field(min_length=32, max_length=32, pattern=r"^[0-9a-fA-F]{32}$")
    """MD5 of the image, hex."""
    retries: int | None = Field(default=None, ge=0, le=DB_INT_MAX)
    retry_interval_s: int | None = Field(default=None, ge=0, le=DB_INT_MAX)


class UnpublishRequest(BaseModel):
    checksum: str = Field(min_length=32, max_length=32, pattern=r"^[0-9a-fA-F]{32}$")


class PublicationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    request_id: int
    location: str
    checksum: str
    answer: str
    status: str | None
    locations: list[str] | None
    history: list[dict[str, Any]]
    requested_at: datetime
    unpublished_at: datetime | None


async def _detail(services: Any, campaign_id: int) -> CampaignDetail:
    campaign, targets = await services.firmware.campaign(campaign_id)
    stations = [
        CampaignStationPublic.model_validate(t).model_copy(
            update={"outcome": outcome(t.answer, t.status).value}
        )
        for t in targets
    ]
    return CampaignDetail(
        **CampaignPublic.model_validate(campaign).model_dump(), stations=stations,
        summary=summary(outcome(t.answer, t.status) for t in targets),
    )  # fmt: skip


@router.post("/api/v1/firmware/campaigns", status_code=201)
async def start_campaign(body: CampaignCreate, services: ServicesDep, _: Operator) -> CampaignDetail:
    """Send UpdateFirmware (2.0.1 with signature fields; 1.6 plain) to every station; their answers."""
    spec = FirmwareSpec(**body.model_dump(exclude={"station_ids"}))
    return await _detail(services, await services.firmware.start_campaign(spec, body.station_ids))


@router.get("/api/v1/firmware/campaigns")
async def campaigns(services: ServicesDep, _: Reader) -> list[CampaignPublic]:
    return [CampaignPublic.model_validate(c) for c in await services.firmware.campaigns()]


@router.get("/api/v1/firmware/campaigns/{campaign_id}")
async def campaign(campaign_id: RowId, services: ServicesDep, _: Reader) -> CampaignDetail:
    """Each station's answer, reported statuses and outcome, and the count per outcome."""
    return await _detail(services, campaign_id)


@router.post("/api/v1/stations/{station_id}/firmware/publications", status_code=201)
async def publish(
    station_id: str, body: PublishRequest, services: ServicesDep, _: Operator
) -> PublicationPublic:
    """Send PublishFirmware to a local controller (2.0.1 L03)."""
    row = await services.firmware.publish(
        station_id, body.location, body.checksum.lower(), body.retries, body.retry_interval_s
    )
    return PublicationPublic.model_validate(row)


@router.get("/api/v1/stations/{station_id}/firmware/publications")
async def publications(station_id: str, services: ServicesDep, _: Reader) -> list[PublicationPublic]:
    return [PublicationPublic.model_validate(r) for r in await services.firmware.publications(station_id)]


@router.post("/api/v1/stations/{station_id}/firmware/unpublish")
async def unpublish(
    station_id: str, body: UnpublishRequest, services: ServicesDep, _: Operator
) -> dict[str, str]:
    """Send UnpublishFirmware (2.0.1 L04): the station's answer (Unpublished, NoFirmware, DownloadOngoing)."""
    return {"status": await services.firmware.unpublish(station_id, body.checksum.lower())}
