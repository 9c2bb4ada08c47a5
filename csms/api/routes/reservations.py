"""Reservations (OCPP block H, 1.6 and 2.0.1): reserve, list, cancel."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from csms.api.deps import DB_INT_MAX, Operator, Reader, RowId, ServicesDep
from csms.domain.reservations import ReservationStatus
from csms.services.reservations import ReservationRequest

router = APIRouter(tags=["reservations"])


class ReservationCreate(BaseModel):
    station_id: str = Field(min_length=1, max_length=48)
    id_token: str = Field(min_length=1, max_length=36)
    expires_at: AwareDatetime
    evse_id: int | None = Field(default=None, ge=1, le=DB_INT_MAX)
    """2.0.1 EVSE / 1.6 connector; omitted: any."""
    id_token_type: str | None = Field(default=None, max_length=20)
    group_id_token: str | None = Field(default=None, max_length=36)
    connector_type: str | None = Field(default=None, max_length=20)
    """2.0.1 only (cCCS2, cType2, ...)."""


class ReservationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    station_id: str
    ocpp_version: str
    evse_id: int | None
    connector_type: str | None
    id_token: str
    group_id_token: str | None
    expires_at: datetime
    status: ReservationStatus
    station_answer: str | None
    transaction_id: int | None
    created_at: datetime
    ended_at: datetime | None


@router.post("/api/v1/reservations", status_code=201)
async def reserve(body: ReservationCreate, services: ServicesDep, _: Operator) -> ReservationPublic:
    """Send ReserveNow; stored ``Active`` if the station accepted, else ``Refused`` with its answer."""
    row = await services.reservations.reserve(ReservationRequest(**body.model_dump()))
    return ReservationPublic.model_validate(row)


@router.get("/api/v1/reservations")
async def reservations(
    services: ServicesDep,
    _: Reader,
    station_id: str | None = Query(None, max_length=48),
    status: ReservationStatus | None = None,
) -> list[ReservationPublic]:
    rows = await services.reservations.list(station_id, status.value if status else None)
    return [ReservationPublic.model_validate(r) for r in rows]


@router.get("/api/v1/reservations/{reservation_id}")
async def reservation(reservation_id: RowId, services: ServicesDep, _: Reader) -> ReservationPublic:
    return ReservationPublic.model_validate(await services.reservations.get(reservation_id))


@router.post("/api/v1/reservations/{reservation_id}/cancel")
async def cancel(reservation_id: RowId, services: ServicesDep, _: Operator) -> ReservationPublic:
    """Send CancelReservation; 409 if the reservation is not active or the station rejects it."""
    return ReservationPublic.model_validate(await services.reservations.cancel(reservation_id))


@router.get("/api/v1/stations/{station_id}/reservations")
async def station_reservations(station_id: str, services: ServicesDep, _: Reader) -> list[ReservationPublic]:
    return [ReservationPublic.model_validate(r) for r in await services.reservations.list(station_id)]
